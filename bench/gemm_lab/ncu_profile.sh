#!/usr/bin/env bash
# Nsight Compute profile of one lab schedule and of cuBLAS at one point, on
# the GPU machine: speed of light, pipe utilisation, warp stall reasons and
# the SASS with per-instruction stall samples, written under $OUT.
# Clocks are left alone (--clock-control none).
#   BI_PROFILE_SCHEDULE=n128m128s5serial BI_PROFILE_SHAPE=6144x4096
#   BI_PROFILE_M=8192 bash bench/gemm_lab/ncu_profile.sh
set -euo pipefail
cd "$(dirname "$0")"
schedule=${BI_PROFILE_SCHEDULE:-n128m128s5serial}
shape=${BI_PROFILE_SHAPE:-6144x4096}
m=${BI_PROFILE_M:-8192}
out=${OUT:-/tmp/ncu}
mkdir -p "$out"
nvcc -std=c++17 -arch=sm_90a lab.cu ../../lib/Target/HopperGemm.cpp -lcublas -lcuda -lnvrtc -o /tmp/lab 2>&1 | grep -v C75 || true
ncu=$(command -v ncu || echo /usr/local/cuda/bin/ncu)
sections="--section SpeedOfLight --section ComputeWorkloadAnalysis --section MemoryWorkloadAnalysis --section MemoryWorkloadAnalysis_Tables --section WarpStateStats --section SchedulerStats --section SourceCounters --section LaunchStats"
export BI_LAB_ONLY=$schedule BI_LAB_SHAPES=$shape BI_LAB_MS=$m
# The kernel's launches: the reference, up to 12 checks, then the timed
# runs; skip into the timed ones.
$ncu --clock-control none -k bi_gemm_main --launch-skip 16 --launch-count 1 $sections --import-source yes -f -o "$out/ours" /tmp/lab 2048 > "$out/ours-run.txt" 2>&1 || tail -5 "$out/ours-run.txt"
$ncu --clock-control none -k regex:nvjet --launch-skip 10 --launch-count 1 $sections -f -o "$out/cublas" /tmp/lab 2048 > "$out/cublas-run.txt" 2>&1 || tail -5 "$out/cublas-run.txt"
for r in ours cublas; do
  $ncu -i "$out/$r.ncu-rep" --page details > "$out/$r-details.txt" 2>&1 || true
  $ncu -i "$out/$r.ncu-rep" --page source --csv --print-source sass > "$out/$r-sass.csv" 2>&1 || true
done
gzip -f "$out"/*-sass.csv || true
ls -la "$out"
