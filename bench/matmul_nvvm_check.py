"""GPU check of bi.matmul lowered through MLIR (the NVVM backend) against
the CUDA C++ generator (the NVRTC backend).

The CUDA-core GEMM (a contract without 'unit', built-in `gemm_fma`) is
compiled both ways: bi-lower-to-gpu -> NVVM -> PTX -> nvJitLink, and
emitCudaCoreGemm -> NVRTC. Both build `bi_gemm_fma` with one ABI and are
launched by the same code, so on the same inputs they must agree to the last
bit. For every case: random bf16 data, M in (1, 3, 100), and shapes with K
not a multiple of the chunk, K smaller than the chunk, N odd; plus dynamic
(unspecialised) N and K, a strided a, epilogues (bias, relu, residual), b in
[K, N] layout with fma = off, and silu (NVVM only: the generator does not
implement it; checked against the CPU reference instead). Each case also
compares with the CPU reference executor (portable math) and checks that
rows computed in small batches equal the same rows of the large batch.

The wgmma GEMM (built-in `gemm`'s contract) lowered through MLIR
(bi-lower-to-gpu with nvgpu and NVVM; the JIT builds it when the source
pins a serial or split schedule) is run for every serial and every split
schedule and compared with the CUDA generator's kernel for every schedule,
cluster ones included, on shapes with K not a multiple of 64, K below and
past the chunk, N odd, M = 1, 7, 100, 1000, and rows that make chunk
partials of -0. The MLIR split kernels' times at small M are printed next
to the generator's, for the record.

Prints one PASS/FAIL line per case and exits non-zero on any failure.

    python3 bench/matmul_nvvm_check.py --lib /path/to/libbi.so
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bi_ctypes  # noqa: E402

BATCHES = (1, 3, 100)
# (N, K) for gemm_fma (chunk = 256): K a multiple of the chunk, K past a
# chunk boundary, K < chunk, K not a multiple of 8, N odd, N < 128.
FMA_SHAPES = [(256, 512), (130, 600), (129, 200), (333, 1000), (72, 40), (1, 257), (517, 1031)]


def kernel_code(kern):
    return kern.lib.lib.bi_kernel_code(kern.handle).decode()


class Report:
    def __init__(self):
        self.failures = 0
        self.cases = 0

    def case(self, name, ok, detail=""):
        self.cases += 1
        if not ok:
            self.failures += 1
        print(f"{'PASS' if ok else 'FAIL'} {name}{(': ' + detail) if detail and not ok else ''}", flush=True)


def run(kern, args, stream):
    kern.launch(args, stream)
    torch.cuda.synchronize()


def bits(x):
    """The raw bits of a tensor, so that NaN == NaN and -0 != +0."""
    return x.view({2: torch.int16, 4: torch.int32}[x.element_size()])


def same_bits(x, y):
    return torch.equal(bits(x.cpu()), bits(y.cpu()))


def first_difference(x, y):
    x, y = x.cpu(), y.cpu()
    idx = (bits(x) != bits(y)).nonzero()
    if idx.numel() == 0:
        return "equal"
    i = tuple(idx[0].tolist())
    return f"{idx.shape[0]} elements differ, first at {i}: {x[i].item()!r} vs {y[i].item()!r}"


def nan_output(m, n, dtype=torch.bfloat16):
    return torch.full((m, n), float("nan"), device="cuda", dtype=dtype)


def check_case(report, name, nvvm, nvrtc, args_with, m, n, stream, dtype=torch.bfloat16, reference=True):
    """Launches `nvvm` (and `nvrtc`, unless None) on `args_with(c)` and
    checks the outputs bitwise against each other and, when asked, against
    the CPU reference run on host copies. Returns the NVVM output."""
    c_nvvm = nan_output(m, n, dtype)
    run(nvvm, args_with(c_nvvm), stream)
    if nvrtc is not None:
        c_nvrtc = nan_output(m, n, dtype)
        run(nvrtc, args_with(c_nvrtc), stream)
        ok = same_bits(c_nvvm, c_nvrtc)
        report.case(f"{name} M={m}: NVVM == NVRTC", ok, first_difference(c_nvvm, c_nvrtc))
    if reference:
        c_ref = torch.empty(m, n, dtype=dtype)
        nvvm.reference([t if t is c_ref else t.cpu() for t in args_with(c_ref)])
        ok = same_bits(c_nvvm, c_ref)
        report.case(f"{name} M={m}: NVVM == CPU reference", ok, first_difference(c_nvvm, c_ref))
    return c_nvvm


def check_gemm_fma(comp, report, gen, stream):
    for shape in FMA_SHAPES + [None]:
        n, k = shape if shape is not None else (None, None)
        if n is None:  # N and K given at launch
            dims, n, k = {}, 203, 777
            label = f"gemm_fma dynamic N={n} K={k}"
        else:
            dims = {"N": n, "K": k}
            label = f"gemm_fma N={n} K={k}"
        nvvm = comp.compile("gemm_fma", dims, backend=bi_ctypes.NVVM)
        nvrtc = comp.compile("gemm_fma", dims, backend=bi_ctypes.NVRTC)
        report.case(f"{label}: the NVVM kernel is PTX with entry bi_gemm_fma",
                    ".entry bi_gemm_fma(" in kernel_code(nvvm))
        big = max(BATCHES)
        a = torch.randn(big, k, generator=gen, device="cuda").to(torch.bfloat16)
        w = torch.randn(n, k, generator=gen, device="cuda").to(torch.bfloat16)
        full = None
        for m in BATCHES:
            off = 0 if m == big else int(torch.randint(0, big - m + 1, (1,), generator=gen, device="cuda"))
            rows = a[off:off + m]
            c = check_case(report, label, nvvm, nvrtc, lambda c: [rows, w, c], m, n, stream)
            if m == big:
                full = c
        # Batch invariance: rows launched in small batches equal the same
        # rows of the M = 100 launch, with either backend.
        ok = True
        for m in (1, 3, 7):
            off = int(torch.randint(0, big - m + 1, (1,), generator=gen, device="cuda"))
            for kern in (nvvm, nvrtc):
                c = nan_output(m, n)
                run(kern, [a[off:off + m], w, c], stream)
                ok &= same_bits(c, full[off:off + m])
        report.case(f"{label}: rows in batches of 1, 3, 7 equal the rows of M={big} (both backends)", ok)
        # A strided a (row stride 2K) gives the dense bits.
        wide = torch.randn(3, 2 * k, generator=gen, device="cuda").to(torch.bfloat16)
        c1, c2, c3 = nan_output(3, n), nan_output(3, n), nan_output(3, n)
        run(nvvm, [wide[:, :k], w, c1], stream)
        run(nvvm, [wide[:, :k].contiguous(), w, c2], stream)
        run(nvrtc, [wide[:, :k], w, c3], stream)
        report.case(f"{label}: strided a, NVVM == dense NVVM == strided NVRTC",
                    same_bits(c1, c2) and same_bits(c1, c3))


EPILOGUE = """
bi.kernel @gemm_epilogue(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                         %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                         %y: memref<?x?xbf16> {bi.axes = ["M", "N"]},
                         %bias: memref<?xbf16> {bi.axes = ["N"]},
                         %h: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      bias %bias : memref<?xbf16> activation relu residual %h : memref<?x?xbf16>
      order #bi.order<chunk = 128, chunk_combine = seq>
  bi.return
}
"""

KN_NOFMA = """
bi.kernel @gemm_kn(%x: memref<?x?xf16> {bi.axes = ["M", "K"]},
                   %w: memref<?x?xf16> {bi.axes = ["K", "N"]},
                   %y: memref<?x?xf32> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>]
    math #bi.math<fma = off, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xf16>, memref<?x?xf16> -> memref<?x?xf32> over "K"
      order #bi.order<chunk = 100, chunk_combine = seq>
  bi.return
}
"""

NO_CHUNK = """
bi.kernel @gemm_one_chunk(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                          %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                          %y: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      order #bi.order<fold = seq>
  bi.return
}
"""

SILU = """
bi.kernel @gemm_silu(%x: memref<?x?xbf16> {bi.axes = ["M", "K"]},
                     %w: memref<?x?xbf16> {bi.axes = ["N", "K"]},
                     %y: memref<?x?xbf16> {bi.axes = ["M", "N"]})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      activation silu order #bi.order<chunk = 64>
  bi.return
}
"""


def check_variants(comp, report, gen, stream):
    n, k = 259, 300
    dims = {"N": n, "K": k}
    w = torch.randn(n, k, generator=gen, device="cuda").to(torch.bfloat16)
    bias = torch.randn(n, generator=gen, device="cuda").to(torch.bfloat16)
    # bias, relu, residual; exact zeros in the residual so relu's +0 shows.
    nvvm = comp.compile_source(EPILOGUE, dims, backend=bi_ctypes.NVVM)
    nvrtc = comp.compile_source(EPILOGUE, dims, backend=bi_ctypes.NVRTC)
    for m in BATCHES:
        a = torch.randn(m, k, generator=gen, device="cuda").to(torch.bfloat16)
        h = torch.randn(m, n, generator=gen, device="cuda").to(torch.bfloat16)
        h[:, ::5] = 0.0
        check_case(report, f"epilogue bias+relu+residual N={n} K={k}", nvvm, nvrtc,
                   lambda c: [a, w, c, bias, h], m, n, stream)
    # b in [K, N], f16 in, f32 out, fma = off, chunk 100 (K = 300 and 301).
    for kk in (300, 301):
        dims_kn = {"N": n, "K": kk}
        nvvm = comp.compile_source(KN_NOFMA, dims_kn, backend=bi_ctypes.NVVM)
        nvrtc = comp.compile_source(KN_NOFMA, dims_kn, backend=bi_ctypes.NVRTC)
        wkn = torch.randn(kk, n, generator=gen, device="cuda").to(torch.float16)
        for m in BATCHES:
            a = torch.randn(m, kk, generator=gen, device="cuda").to(torch.float16)
            check_case(report, f"b [K, N] f16->f32 fma=off N={n} K={kk}", nvvm, nvrtc,
                       lambda c: [a, wkn, c], m, n, stream, dtype=torch.float32)
    # No chunk: one fold over all of K.
    nvvm = comp.compile_source(NO_CHUNK, dims, backend=bi_ctypes.NVVM)
    nvrtc = comp.compile_source(NO_CHUNK, dims, backend=bi_ctypes.NVRTC)
    for m in BATCHES:
        a = torch.randn(m, k, generator=gen, device="cuda").to(torch.bfloat16)
        check_case(report, f"no chunk N={n} K={k}", nvvm, nvrtc, lambda c: [a, w, c], m, n, stream)
    # silu with the portable exp: NVVM only (the generator refuses silu).
    nvvm = comp.compile_source(SILU, dims, backend=bi_ctypes.NVVM)
    for m in BATCHES:
        a = torch.randn(m, k, generator=gen, device="cuda").to(torch.bfloat16)
        check_case(report, f"silu N={n} K={k} (NVVM only)", nvvm, None, lambda c: [a, w, c], m, n, stream)


# The serial Hopper schedules bi-lower-to-gpu builds (block_n, block_m,
# stages), as in hopperGemmSchedules().
WGMMA_SERIAL = [(64, 64, 6), (128, 64, 6), (64, 128, 8), (128, 128, 5), (128, 128, 6), (128, 192, 4),
                (192, 128, 5), (64, 8, 14), (64, 16, 14), (64, 32, 14), (64, 64, 12), (128, 16, 12),
                (128, 96, 6)]
# The split ones it builds too (chunks on parallel CTAs, added through the
# workspace); cluster schedules are the generator's only.
WGMMA_SPLIT = [(64, 8, 8), (128, 8, 8), (64, 16, 8), (128, 16, 8), (128, 32, 8), (64, 64, 8), (128, 64, 6),
               (128, 128, 5)]
# (N, K): K a multiple of 64, K with a partial k-step and a partial tile,
# K < chunk (2048), K just past two chunks, N not a multiple of any tile.
WGMMA_SHAPES = [(512, 4096), (333, 1000), (256, 600), (130, 4104), (4096, 2048)]
WGMMA_BATCHES = (1, 7, 100, 1000)


def pinned_gemm(block_n, block_m, stages, chunks="serial"):
    """The built-in gemm (same contract, same bits) with its schedule pinned
    in the source: the NVVM backend then compiles bi-lower-to-gpu's kernel."""
    return f"""
bi.kernel @gemm_pinned(%x: memref<?x?xbf16> {{bi.axes = ["M", "K"]}},
                       %w: memref<?x?xbf16> {{bi.axes = ["N", "K"]}},
                       %y: memref<?x?xbf16> {{bi.axes = ["M", "N"]}})
    dims [#bi.dim<"M" : batch>, #bi.dim<"N" : parallel>,
          #bi.dim<"K" : reduction>]
    math #bi.math<fma = on, fn = portable> {{
  bi.matmul %x, %w into %y
      : memref<?x?xbf16>, memref<?x?xbf16> -> memref<?x?xbf16> over "K"
      order #bi.order<chunk = 2048, chunk_combine = seq, step = 16,
                      unit = wgmma.m64nNk16>
      schedule #bi.matmul_schedule<block_m = {block_m}, block_n = {block_n},
                                   stages = {stages}, chunks = {chunks}>
  bi.return
}}
"""


def check_wgmma(comp, report, gen, stream):
    """The wgmma GEMM lowered through MLIR, every serial schedule, against
    the CUDA generator's kernel for every schedule (split ones too): all must
    give the bits of one reference launch."""
    for n, k in WGMMA_SHAPES:
        dims = {"N": n, "K": k}
        big = max(WGMMA_BATCHES)
        a = torch.randn(big, k, generator=gen, device="cuda").to(torch.bfloat16)
        w = (0.05 * torch.randn(n, k, generator=gen, device="cuda")).to(torch.bfloat16)
        # Rows of zeros against negative weights make chunk partials of -0:
        # a chunk's first k-step must start from nothing (scale-d = 0), not
        # from +0, or the sign of those zeros changes.
        a[3] = 0.0
        w[5] = -w[5].abs() - 0.01
        reference = comp.compile_scheduled("gemm", dims, "")
        ref = nan_output(big, n)
        run(reference, [a, w, ref], stream)
        kernels = [(f"NVRTC {name}", comp.compile_scheduled("gemm", dims, name))
                   for name in reference.schedules()]
        pinned = [(s, "serial") for s in WGMMA_SERIAL] + [(s, "split") for s in WGMMA_SPLIT]
        for (block_n, block_m, stages), chunks in pinned:
            name = f"n{block_n}m{block_m}s{stages}{chunks}"
            kern = comp.compile_source(pinned_gemm(block_n, block_m, stages, chunks), dims, backend=bi_ctypes.NVVM)
            ok = ".entry bi_gemm_main(" in kernel_code(kern) and kern.schedules() == [name]
            report.case(f"wgmma N={n} K={k}: MLIR {name} is the NVVM kernel", ok)
            kernels.append((f"MLIR {name}", kern))
        for label, kern in kernels:
            for m in WGMMA_BATCHES:
                off = 0 if m == big else (big - m) // 2
                c = nan_output(m, n)
                run(kern, [a[off:off + m], w, c], stream)
                ok = same_bits(c, ref[off:off + m])
                report.case(f"wgmma N={n} K={k} M={m}: {label} == reference", ok,
                            first_difference(c, ref[off:off + m]))
        # What the hardware makes of a sum of -0 products, for the record:
        # the kernels must agree on it (checked above), not on IEEE's -0.
        print(f"INFO wgmma N={n} K={k}: C[3, 5] (all products -0) has bits "
              f"{int(bits(ref[3, 5:6].cpu())[0]) & 0xFFFF:#06x}", flush=True)


def time_split(comp, gen, stream):
    """For the record (no pass or fail): the MLIR split kernels against the
    generator's at small M, N = K = 4096, L2 flushed (median of 50)."""
    n = k = 4096
    dims = {"N": n, "K": k}
    a = torch.randn(16, k, generator=gen, device="cuda").to(torch.bfloat16)
    w = (0.05 * torch.randn(n, k, generator=gen, device="cuda")).to(torch.bfloat16)
    flush = torch.empty(256 << 20, dtype=torch.uint8, device="cuda")
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)

    def median_us(kern, m):
        c = torch.empty(m, n, dtype=torch.bfloat16, device="cuda")
        args = [a[:m], w, c]
        run(kern, args, stream)
        times = []
        for _ in range(50):
            flush.zero_()
            start.record()
            run(kern, args, stream)
            end.record()
            torch.cuda.synchronize()
            times.append(start.elapsed_time(end) * 1e3)
        return sorted(times)[len(times) // 2]

    for block_n, block_m, stages in [(64, 8, 8), (64, 16, 8)]:
        name = f"n{block_n}m{block_m}s{stages}split"
        mlir = comp.compile_source(pinned_gemm(block_n, block_m, stages, "split"), dims, backend=bi_ctypes.NVVM)
        generator = comp.compile_scheduled("gemm", dims, name)
        chosen = comp.compile_scheduled("gemm", dims, "")
        # The generator's kernels of the scheduler's choices, built before
        # timing: else the first launch runs the quick MLIR kernel and later
        # ones overlap its background compile.
        chosen.compile_schedules([1, block_m])
        for m in (1, block_m):
            print(f"INFO time N={n} K={k} M={m} {name}: MLIR {median_us(mlir, m):.1f} us, generator "
                  f"{median_us(generator, m):.1f} us, scheduler's choice {median_us(chosen, m):.1f} us", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", required=True, help="libbi.so")
    parser.add_argument("--skip-wgmma", action="store_true", help="only the CUDA-core GEMM")
    opts = parser.parse_args()
    lib = bi_ctypes.Library(opts.lib)
    comp = bi_ctypes.Compiler(lib, use_cache=False)
    gen = torch.Generator(device="cuda")
    seed = int.from_bytes(os.urandom(4), "little")
    gen.manual_seed(seed)
    print(f"device {torch.cuda.get_device_name()}, seed {seed}", flush=True)
    stream = torch.cuda.current_stream().cuda_stream
    report = Report()
    check_gemm_fma(comp, report, gen, stream)
    check_variants(comp, report, gen, stream)
    if not opts.skip_wgmma:
        check_wgmma(comp, report, gen, stream)
        time_split(comp, gen, stream)
    print(f"\n{report.cases - report.failures}/{report.cases} cases pass", flush=True)
    sys.exit(1 if report.failures else 0)


if __name__ == "__main__":
    main()
