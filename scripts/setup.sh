#!/usr/bin/env bash
# Installs what bi needs on a fresh Debian 12 machine, then configures and
# builds it. Idempotent: a second run only rebuilds what changed.
#
#   scripts/setup.sh            # install + configure + build into ./build
#   BI_BUILD_DIR=dir scripts/setup.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BI_BUILD_DIR:-$root/build}
llvm=/usr/lib/llvm-22

packages=(cmake ninja-build g++ lld python3 llvm-22-dev libmlir-22-dev
          mlir-22-tools llvm-22-tools zlib1g-dev libzstd-dev libgtest-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

for tool in mlir-tblgen FileCheck lit not; do
  if [ ! -x "$llvm/bin/$tool" ]; then
    echo "setup: $llvm/bin/$tool is missing; LLVM/MLIR 22 did not install correctly" >&2
    exit 1
  fi
done

cuda=${BI_CUDA_PATH:-${CUDA_HOME:-/usr/local/cuda}}
if [ ! -e "$cuda/lib64/libnvJitLink.so.13" ]; then
  echo "setup: note: no CUDA 13 toolkit at $cuda (libnvJitLink.so.13 missing)."
  echo "setup:       PTX still builds; cubin assembly and its tests are skipped."
  echo "setup:       Install the CUDA 13 toolkit or set BI_CUDA_PATH to use them."
fi

if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DLLVM_EXTERNAL_LIT="$llvm/bin/lit" \
    -DLLVM_USE_LINKER=lld >/dev/null
fi
ninja -C "$build" bi-opt
