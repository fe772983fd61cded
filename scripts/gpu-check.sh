#!/usr/bin/env bash
# Runs on the GPU machine, in the repository root, with .device/ carried
# (scripts/build-device-bundle.sh): every GPU check and benchmark in one
# call. Writes JSON under $OUT (or ./out) and prints a short table last.
#   BI_GEMM_ONLY=1  only the GEMM parts (latency, checks, benchmark)
#   BI_GEMM_LAB=1   also the GEMM kernel lab (every schedule timed per shape)
#                   for each K chunk in BI_GEMM_LAB_CHUNKS (default 2048)
# It writes more files than the device tool returns (8): point OUT at a
# folder of its own and pack it, e.g.
#   mkdir -p /tmp/res && OUT=/tmp/res bash scripts/gpu-check.sh \
#     > /tmp/res/gpu-check.log 2>&1; tar -C /tmp/res -czf "$OUT/results.tgz" .
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

(cd bench/gemm_lab && nvcc -std=c++17 -O2 -arch=sm_90a lab.cu ../../lib/Target/HopperGemm.cpp \
   -lcublas -lcuda -lnvrtc -o /tmp/bi/gemm-lab 2>&1 | grep -i " error")

# A race between the consumer warpgroups around the end of a chunk (one
# overwriting shared memory another's last wgmmas still read) shows in the
# bits once the last consumer is held back: the lab's test hook
# BI_STAGGER_CONSUMERS_NS. Every schedule whose consumers share that end
# (cluster exchange, serial totals, split partials) against the first.
echo "== GEMM race probe (last consumer held back 20 us per chunk)"
BI_LAB_DEFINES="#define BI_STAGGER_CONSUMERS_NS 20000" BI_LAB_MS=1 \
  BI_LAB_SHAPES=4096x4096,6144x4096,4096x14336,1000x1000 \
  BI_LAB_ONLY=n64m8s8split,n128m64s6split,n128m128s5split,n64m8s8cluster,n128m8s8cluster,n128m32s8cluster,n64m64s8cluster,n128m64s6cluster,n128m128s5cluster,n128m64s6serial,n128m128s5serial,n128m128s6serial,n128m192s4serial,n192m128s5serial,n128m256s3serial,n128m16s12serial,n64m128s9range,n128m128s6range,n64m128s9pair,n128m96s6pair,n128m128s6pair,n96m128s8swappair,n112m128s7swappair,n112m128s7swapserial,n112m192s5swapserial \
  /tmp/bi/gemm-lab 2048 2>&1 | grep "MISMATCH\|mismatches" | tee "$out/gemm-race-probe.txt"

if [ "${BI_GEMM_LAB:-0}" = 1 ]; then
  echo "== GEMM kernel lab"
  for chunk in ${BI_GEMM_LAB_CHUNKS:-2048}; do
    /tmp/bi/gemm-lab "$chunk" 2>&1 | grep -v "C7519\|C7517\|nvrtc log\|warning\|Remark\|^ *^\|^$" \
      | tee "$out/gemm-lab-chunk$chunk.txt"
  done
fi

# NVRTC keeps what it compiled in CUDA's compute cache (CUDA_CACHE_PATH,
# by default ~/.nv/ComputeCache) and skips the compile when the same source
# comes again, in any process: on H200 machines a first compile of the
# M = 1 schedule took 450-600 ms with that cache empty and about 200 ms with
# it warm. A cold compile is measured with both caches empty.
echo "== GEMM JIT latency from C++ (fresh processes: cold, NVRTC's cache warm, bi's cache warm)"
g++ -std=c++17 -O2 bench/gemm_latency.cpp -Iinclude -L/tmp/bi -lbi -Wl,-rpath,/tmp/bi \
  -I/usr/local/cuda/include -L/usr/local/cuda/lib64 -lcudart -lcuda -o /tmp/bi/gemm-latency
rm -rf /tmp/bi/gemm-cache /tmp/bi/cuda-cache
export CUDA_CACHE_PATH=/tmp/bi/cuda-cache
# The compilers' libraries in the page cache, as after any earlier use on
# the machine (the lab has just used NVRTC; nothing here used nvJitLink
# yet, and reading its 50 MB from a cold disk added about 150 ms to the
# first call): the cold figure is the compile, not the disk.
cat /usr/local/cuda/lib64/libnvJitLink.so.13* /usr/local/cuda/lib64/libnvrtc.so.13* > /dev/null 2>&1
BI_CACHE_DIR=/tmp/bi/gemm-cache /tmp/bi/gemm-latency | tee "$out/gemm-latency-cold.json"
rm -rf /tmp/bi/gemm-cache
BI_CACHE_DIR=/tmp/bi/gemm-cache /tmp/bi/gemm-latency | tee "$out/gemm-latency-nvrtc-cached.json"
BI_CACHE_DIR=/tmp/bi/gemm-cache /tmp/bi/gemm-latency | tee "$out/gemm-latency-warm.json"
echo "== GEMM: every schedule prepared at once (Kernel::prepare), both caches empty"
rm -rf /tmp/bi/gemm-cache /tmp/bi/cuda-cache
BI_CACHE_DIR=/tmp/bi/gemm-cache /tmp/bi/gemm-latency --prepare | tee "$out/gemm-latency-prepare.json"
echo "== GEMM: the M = 1 split schedule through MLIR and nvJitLink (no NVRTC), both caches empty"
rm -rf /tmp/bi/gemm-cache /tmp/bi/cuda-cache
BI_CACHE_DIR=/tmp/bi/gemm-cache /tmp/bi/gemm-latency --mlir-split | tee "$out/gemm-latency-mlir-split.json"
unset CUDA_CACHE_PATH
echo "== GEMM: bi's own host cost per launch, the driver faked (bench/host_overhead)"
bash bench/host_overhead/run.sh /tmp/bi | tee "$out/gemm-host-overhead.json"

echo "== GEMM through MLIR (NVVM) vs the CUDA generator (NVRTC), bit for bit"
python3 bench/matmul_nvvm_check.py --lib /tmp/bi/libbi.so 2>&1 \
  | tee "$out/matmul-nvvm-check.txt" | grep -v "^PASS" || true

echo "== GEMM check and benchmark"
python3 bench/gemm_check.py --lib /tmp/bi/libbi.so --out "$out/gemm-check.json" --commit "$commit" \
  --race-probe "$out/gemm-race-probe.txt" --nvvm-check "$out/matmul-nvvm-check.txt"
