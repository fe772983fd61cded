#!/usr/bin/env bash
# Sets everything up on a fresh machine and runs the main job: compiles every
# built-in kernel from its DSL source to PTX and cubin and prints each
# kernel's fingerprint; where an NVIDIA GPU (and torch) is present, then runs
# the GPU check and benchmark (bench/gpu_check.py) with the JIT library.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BI_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"
"$root/scripts/build-kernels.sh" "$@"

if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1 &&
   python3 -c "import torch, triton; assert torch.cuda.is_available()" 2>/dev/null; then
  ninja -C "$build" bi
  mkdir -p "$root/out"
  python3 "$root/bench/gpu_check.py" --lib "$build/lib/libbi.so" \
    --out "$root/out/gpu-check.json" --commit "$(git -C "$root" rev-parse HEAD)"
else
  echo "no usable GPU (nvidia-smi, torch with CUDA, triton): skipped the GPU check"
fi
