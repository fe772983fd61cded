#!/usr/bin/env bash
# Builds what the GPU machine runs (it has CUDA, Python and torch but no
# LLVM/MLIR): libbi.so with LLVM and MLIR linked in statically, and the C++
# example, compressed into .device/ (git-ignored) to be carried there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BI_DEVICE_BUILD_DIR:-$root/build-device}
bundle=$root/.device
"$root/scripts/setup.sh" >/dev/null
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit -DLLVM_USE_LINKER=lld \
    -DBI_STATIC_LLVM=ON >/dev/null
fi
ninja -C "$build" bi bi-rms-norm-example
rm -rf "$bundle" && mkdir -p "$bundle"
strip -o "$bundle/libbi.so" "$build/lib/libbi.so"
strip -o "$bundle/bi-rms-norm-example" "$build/examples/rms_norm/bi-rms-norm-example"
newest=$(objdump -T "$bundle/libbi.so" | grep -o 'GLIBC_[0-9.]*' | sort -V | tail -1)
echo "libbi.so needs up to $newest; $(du -h "$bundle/libbi.so" | cut -f1) uncompressed"
xz -T2 -6 "$bundle/libbi.so"
git -C "$root" rev-parse HEAD > "$bundle/COMMIT"
ls -la "$bundle"
