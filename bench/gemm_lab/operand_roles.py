#!/usr/bin/env python3
"""Does wgmma give the same bits with the operands' roles swapped?

The generator's kernels put the weights in wgmma's A operand (64 rows per
consumer) and the activations in B. Swapping them (activations as A,
weights as B with n = 96, 128, ...) would allow tiles cuBLAS uses, but
only if every output element comes out bit for bit the same: the order
contract names the instruction, not which operand is which. This computes
C = x . w^T (weights in A) and C' = w . x^T (the same call with the inputs
swapped: activations in A) with f32 output and checks C'^T == C bitwise.
Run on the GPU machine:
  python3 bench/gemm_lab/operand_roles.py --lib /tmp/bi/libbi.so
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import bi_ctypes  # noqa: E402
from gemm_check import gemm_source  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", required=True)
    args = parser.parse_args()
    lib = bi_ctypes.Library(args.lib)
    comp = bi_ctypes.Compiler(lib, use_cache=False)
    stream = torch.cuda.current_stream().cuda_stream
    gen = torch.Generator(device="cuda").manual_seed(7)
    source = gemm_source("gemm_f32", "bf16", '["N", "K"]', "f32")
    total = 0
    for n, k in [(4096, 4096), (6144, 4096), (1024, 14336), (1000, 1000)]:
        for m in [64, 128, 256, 1000]:
            x = torch.randn(m, k, generator=gen, device="cuda").to(torch.bfloat16)
            w = (0.05 * torch.randn(n, k, generator=gen, device="cuda")).to(torch.bfloat16)
            c = torch.full((m, n), float("nan"), device="cuda")
            swapped = torch.full((n, m), float("nan"), device="cuda")
            comp.compile_source(source, {"N": n, "K": k}).launch([x, w, c], stream)
            comp.compile_source(source, {"N": m, "K": k}).launch([w, x, swapped], stream)
            torch.cuda.synchronize()
            differ = int((swapped.t() != c).sum())
            total += differ
            print(f"N={n} K={k} M={m}: {differ} of {m * n} f32 outputs differ with the roles swapped")
    print(f"TOTAL differing outputs: {total}")


if __name__ == "__main__":
    main()
