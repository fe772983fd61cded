#!/usr/bin/env bash
# The main job: compiles every built-in kernel from its DSL source through the
# bi-lower-to-ptx pipeline to PTX and (with a CUDA toolkit) a cubin, and
# prints each kernel's fingerprint.
#
#   scripts/build-kernels.sh [OUT_DIR] [H]     defaults: out/kernels 4096
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BI_BUILD_DIR:-$root/build}
out=${1:-$root/out/kernels}
extent=${2:-4096}
opt="$build/bin/bi-opt"
cuda=${BI_CUDA_PATH:-${CUDA_HOME:-/usr/local/cuda}}
cubin=""
[ -e "$cuda/lib64/libnvJitLink.so.13" ] && cubin=" cubin"

mkdir -p "$out"
printf '%-20s %-18s %s\n' kernel fingerprint outputs
for source in "$root"/lib/Kernels/*.mlir; do
  name=$(basename "$source" .mlir)
  fingerprint=$("$opt" "$source" --bi-specialize="dims=H=$extent,N=$extent" \
    --bi-fingerprint=print -o /dev/null | awk '{print $3}')
  if grep -q "bi.matmul" "$source"; then
    # GEMMs lower through the CUDA C++ generator (the Hopper schedules).
    "$opt" "$source" --bi-specialize="dims=N=$extent,K=$extent" \
      --bi-emit-cuda="dir=$out${cubin:+ cubin}" -o /dev/null
    files="$name.cu"
    [ -n "$cubin" ] && files="$files $name.nvrtc.cubin"
  else
    "$opt" "$source" --bi-specialize="dims=H=$extent,N=$extent" \
      --bi-lower-to-ptx --bi-export-binary="dir=$out$cubin" -o "$out/$name.gpu.mlir"
    files="$name.ptx"
    [ -n "$cubin" ] && files="$files $name.cubin"
  fi
  printf '%-20s %-18s %s\n' "$name" "$fingerprint" "$files"
done
echo "written to $out (sm_90a, extent $extent)"
