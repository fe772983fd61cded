"""Files one scripts/gpu-check.sh run (the folder its $OUT came back to) under
bench/results: the GEMM report with the JIT latency merged in, its ratio
plot, the row-kernel report, the console log, the kernel lab, the race probe, the NVVM-vs-NVRTC GEMM
check and the C++ example's output.

    python3 bench/collect_results.py /work/.device/4 bench/results h200_2026-11-23
"""
import json
import os
import shutil
import subprocess
import sys

src, dst, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
here = os.path.dirname(os.path.abspath(__file__))
gemm = json.load(open(os.path.join(src, "gemm-check.json")))
latency = {}
# cold: bi's disk cache and CUDA's compute cache (where NVRTC keeps its
# output) both empty; nvrtc_cached: bi's cache empty, NVRTC's warm.
for name, key in (("gemm-latency-cold.json", "cold_empty_cache"),
                  ("gemm-latency-nvrtc-cached.json", "empty_cache_nvrtc_cached"),
                  ("gemm-latency-warm.json", "warm_disk_cache"),
                  ("gemm-latency-prepare.json", "prepare_every_schedule"),
                  ("gemm-latency-mlir-split.json", "cold_mlir_split_schedule")):
    path = os.path.join(src, name)
    if os.path.exists(path):
        latency[key] = json.load(open(path))
# bi's own host path per launch, the driver faked (one JSON line per M).
path = os.path.join(src, "gemm-host-overhead.json")
if os.path.exists(path):
    latency["bi_host_path_driver_faked"] = [json.loads(line) for line in open(path) if line.strip()]
latency["targets"] = {"cold_first_call_ms": "<= 300", "warm_first_call_ms": "<= 10", "host_us_per_launch": "<= 5"}
gemm["jit_latency"] = latency
gemm["note"] = ("triton do_bench medians (L2 flushed), the median of three calls per contender taken in turn "
                "(bi_us_rounds, cublas_us_rounds), torch.mm(a, w.t()) in the same process; built-in gemm: "
                "wgmma contract, chunk 2048; host_us_per_launch: median of 21 rounds of 100 launches from C++ "
                "(M = 1), host_us_per_launch_m1024 the same at M = 1024, each against the driver's own cost of an empty "
                "launch (idle and busy GPU); bi_host_path_driver_faked: bi's share alone (bench/host_overhead)")
out = os.path.join(dst, f"{prefix}_gemm.json")
with open(out, "w") as f:
    json.dump(gemm, f, indent=1)
subprocess.run([sys.executable, os.path.join(here, "plot_gemm.py"), out, os.path.join(dst, f"{prefix}_gemm.png")],
               check=True)
for name, target in (("gpu-check.json", f"{prefix}_all.json"), ("gpu-check.log", f"{prefix}_gpu-check.log"),
                     ("gemm-lab-chunk2048.txt", f"gemm_lab_{prefix}.txt"),
                     ("matmul-nvvm-check.txt", f"{prefix}_matmul-nvvm-check.txt"),
                     ("gemm-race-probe.txt", f"{prefix}_gemm-race-probe.txt"),
                     ("example.txt", f"{prefix}_example.txt")):
    if os.path.exists(os.path.join(src, name)):
        shutil.copyfile(os.path.join(src, name), os.path.join(dst, target))
print(f"filed {src} as {dst}/{prefix}_*")
