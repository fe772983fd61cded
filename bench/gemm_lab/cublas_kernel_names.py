"""Which cuBLAS kernel (and split-K reduction) torch.mm runs at each GEMM
benchmark point, with its time: the tile shapes bi's schedules are measured
against (bench/gemm_lab/FINDINGS.md). Run on the GPU machine:
    python3 bench/gemm_lab/cublas_kernel_names.py
"""
import torch
from torch.profiler import profile, ProfilerActivity
res = {}
for (N, K) in [(6144, 4096), (4096, 4096), (28672, 4096), (4096, 14336)]:
    W = torch.randn(N, K, device='cuda', dtype=torch.bfloat16)
    for M in [1, 16, 64, 256, 1024, 4096, 8192]:
        A = torch.randn(M, K, device='cuda', dtype=torch.bfloat16)
        for _ in range(3): torch.mm(A, W.t())
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as p:
            torch.mm(A, W.t()); torch.cuda.synchronize()
        names = [(e.name, e.device_time) for e in p.events() if e.device_type == torch.autograd.DeviceType.CUDA]
        print(f"{N}x{K} M={M}:", " | ".join(f"{n[:160]} {t:.1f}us" for n, t in names))
