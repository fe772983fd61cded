#!/usr/bin/env bash
# Runs on the GPU machine, in the repository root, with .device/ carried
# (scripts/build-device-bundle.sh): every GPU check and benchmark in one
# call. Writes JSON under $OUT (or ./out) and prints a short table last.
#   BI_GEMM_ONLY=1  only the GEMM parts (latency, checks, benchmark)
#   BI_GEMM_LAB=1   also the GEMM kernel lab (every schedule timed per shape)
#                   for each K chunk in BI_GEMM_LAB_CHUNKS (default 2048)
set -uo pipefail
export PYTHONUNBUFFERED=1
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$root/out}
mkdir -p "$out" /tmp/bi
cd "$root"
cat /etc/os-release 2>/dev/null | grep PRETTY_NAME
ldd --version 2>&1 | head -1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
xz -dc .device/libbi.so.xz > /tmp/bi/libbi.so
cp .device/bi-rms-norm-example /tmp/bi/
commit=$(cat .device/COMMIT)
export BI_CACHE_DIR=/tmp/bi/cache

if [ "${BI_GEMM_ONLY:-0}" != 1 ]; then
  echo "== C++ example (embeds the JIT, checks invariance, host launch overhead)"
  LD_LIBRARY_PATH=/tmp/bi:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-} /tmp/bi/bi-rms-norm-example --bench-launch \
    | tee "$out/example.txt"

  echo "== GPU check and benchmark"
  python3 bench/gpu_check.py --lib /tmp/bi/libbi.so --out "$out/gpu-check.json" \
    --commit "$commit" "$@"
fi

if [ "${BI_GEMM_LAB:-0}" = 1 ]; then
  echo "== GEMM kernel lab"
  (cd bench/gemm_lab && nvcc -std=c++17 -O2 -arch=sm_90a lab.cu ../../lib/Target/HopperGemm.cpp \
     -lcublas -lcuda -lnvrtc -o /tmp/bi/gemm-lab)
  for chunk in ${BI_GEMM_LAB_CHUNKS:-2048}; do
    /tmp/bi/gemm-lab "$chunk" 2>&1 | grep -v "C7519\|C7517\|nvrtc log\|warning\|Remark\|^ *^\|^$" \
      | tee "$out/gemm-lab-chunk$chunk.txt"
  done
fi

echo "== GEMM JIT latency from C++ (fresh processes: empty cache, then warm)"
g++ -std=c++17 -O2 bench/gemm_latency.cpp -Iinclude -L/tmp/bi -lbi -Wl,-rpath,/tmp/bi \
  -I/usr/local/cuda/include -L/usr/local/cuda/lib64 -lcudart -o /tmp/bi/gemm-latency
rm -rf /tmp/bi/gemm-cache
BI_CACHE_DIR=/tmp/bi/gemm-cache /tmp/bi/gemm-latency | tee "$out/gemm-latency-cold.json"
BI_CACHE_DIR=/tmp/bi/gemm-cache /tmp/bi/gemm-latency | tee "$out/gemm-latency-warm.json"

echo "== GEMM through MLIR (NVVM) vs the CUDA generator (NVRTC), bit for bit"
python3 bench/matmul_nvvm_check.py --lib /tmp/bi/libbi.so 2>&1 \
  | tee "$out/matmul-nvvm-check.txt" | grep -v "^PASS" || true

echo "== GEMM check and benchmark"
python3 bench/gemm_check.py --lib /tmp/bi/libbi.so --out "$out/gemm-check.json" --commit "$commit"
