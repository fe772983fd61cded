"""GPU check and benchmark of every built-in bi kernel on one GPU.

For each kernel, with fresh random data: (a) bitwise batch invariance — rows
computed in batches of many sizes (odd ones too) equal the same rows of the
full batch, and single rows computed alone; (b) run-to-run determinism;
(c) every forced schedule and both backends (NVVM, NVRTC) give the same bits;
(d) equality with the CPU reference executor (portable math); (e) error
against float64; then timings against torch in the same process, and the JIT
figures. Writes JSON (device, date, commit, every figure) and prints a short
table last.

    python3 bench/gpu_check.py --lib bundle/libbi.so --out results.json
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bi_ctypes  # noqa: E402

BATCHES = [1, 2, 3, 7, 16, 31, 64, 100, 257, 1000, 1024, 4097, 16384]
SCHEDULES = [(0, 0), (32, 8), (64, 4), (128, 2), (256, 1)]
EPS = 1e-6


def rms_inputs(m, h, gen):
    x = torch.randn(m, h, generator=gen, device="cuda").to(torch.bfloat16)
    w = (1 + 0.1 * torch.randn(h, generator=gen, device="cuda")).to(torch.bfloat16)
    return x, w


def make_rms(m, h, gen):
    x, w = rms_inputs(m, h, gen)
    y = torch.empty_like(x)

    def args(lo, hi, outs):
        return [x[lo:hi], w, outs[0][lo:hi], EPS]

    def f64():
        xd = x.double()
        return (xd * torch.rsqrt(xd.pow(2).mean(-1, keepdim=True) + EPS) * w.double(),)

    return args, (y,), f64


def make_fused(m, h, gen):
    x, w = rms_inputs(m, h, gen)
    r = torch.randn(m, h, generator=gen, device="cuda").to(torch.bfloat16)
    y, hout = torch.empty_like(x), torch.empty_like(x)

    def args(lo, hi, outs):
        y_, h_ = outs
        return [x[lo:hi], r[lo:hi], w, y_[lo:hi], h_[lo:hi], EPS]

    def f64():
        hd = (x + r).double()  # the residual is rounded to bf16 first
        return (hd * torch.rsqrt(hd.pow(2).mean(-1, keepdim=True) + EPS) * w.double(), hd)

    return args, (y, hout), f64


def make_softmax(m, n, gen):
    x = (2 * torch.randn(m, n, generator=gen, device="cuda")).to(torch.bfloat16)
    y = torch.empty_like(x)
    return (lambda lo, hi, out: [x[lo:hi], out[0][lo:hi]]), (y,), (lambda: (torch.softmax(x.double(), -1),))


def make_row_sum(m, h, gen):
    x = torch.randn(m, h, generator=gen, device="cuda").to(torch.bfloat16)
    s = torch.empty(m, device="cuda", dtype=torch.float32)
    return (lambda lo, hi, out: [x[lo:hi], out[0][lo:hi]]), (s,), (lambda: (x.double().sum(-1),))


def make_row_mean(m, h, gen):
    x = torch.randn(m, h, generator=gen, device="cuda", dtype=torch.float32)
    s = torch.empty(m, device="cuda", dtype=torch.float32)
    return (lambda lo, hi, out: [x[lo:hi], out[0][lo:hi]]), (s,), (lambda: (x.double().mean(-1),))


CASES = [
    ("rms_norm", {"H": 4096}, make_rms),
    ("rms_norm", {"H": 8192}, make_rms),
    ("fused_add_rms_norm", {"H": 4096}, make_fused),
    ("fused_add_rms_norm", {"H": 8192}, make_fused),
    ("softmax", {"N": 4096}, make_softmax),
    ("row_sum", {"H": 4096}, make_row_sum),
    ("row_mean", {"H": 4096}, make_row_mean),
]


def run(kernel, args_fn, outs, lo, hi, stream):
    for o in outs:
        o[lo:hi].fill_(float("nan"))  # poison: a row not written cannot pass
    kernel.launch(args_fn(lo, hi, outs), stream)


def check_case(compiler, name, dims, make, max_m, seed, log):
    gen = torch.Generator(device="cuda").manual_seed(seed)
    extent = next(iter(dims.values()))
    args_fn, outs, f64 = make(max_m, extent, gen)
    stream = torch.cuda.current_stream().cuda_stream
    result = {"kernel": name, "dims": dims, "max_m": max_m}
    kernel = compiler.compile(name, dims)
    result["fingerprint"] = kernel.fingerprint

    run(kernel, args_fn, outs, 0, max_m, stream)
    torch.cuda.synchronize()
    full = [o.clone() for o in outs]

    # (a) batch invariance: prefixes, offset batches, single rows.
    failures = []
    offsets_gen = torch.Generator().manual_seed(seed + 1)
    for m in BATCHES:
        if m > max_m:
            continue
        for lo in (0, int(torch.randint(0, max_m - m + 1, (1,), generator=offsets_gen))):
            run(kernel, args_fn, outs, lo, lo + m, stream)
            torch.cuda.synchronize()
            for o, f in zip(outs, full):
                if not torch.equal(o[lo:lo + m], f[lo:lo + m]):
                    failures.append(f"batch {m} at row {lo}")
    for i in torch.randint(0, max_m, (16,), generator=offsets_gen).tolist():
        run(kernel, args_fn, outs, i, i + 1, stream)
        torch.cuda.synchronize()
        for o, f in zip(outs, full):
            if not torch.equal(o[i:i + 1], f[i:i + 1]):
                failures.append(f"row {i} alone")
    result["batch_invariant"] = not failures
    result["batch_sizes"] = [m for m in BATCHES if m <= max_m]
    result["invariance_failures"] = failures[:10]

    # (b) run to run.
    run(kernel, args_fn, outs, 0, max_m, stream)
    torch.cuda.synchronize()
    result["deterministic"] = all(torch.equal(o, f) for o, f in zip(outs, full))

    # (c) schedules and backends.
    same = {}
    for threads, rows in SCHEDULES:
        for backend in (bi_ctypes.NVVM, bi_ctypes.NVRTC):
            label = f"{'nvvm' if backend == bi_ctypes.NVVM else 'nvrtc'}:{threads}x{rows}"
            try:
                variant = compiler.compile(name, dims, threads, rows, backend)
                run(variant, args_fn, outs, 0, max_m, stream)
                torch.cuda.synchronize()
                same[label] = all(torch.equal(o, f) for o, f in zip(outs, full))
            except bi_ctypes.BiError as error:
                first = str(error).splitlines()[0]
                same[label] = "not applicable" if "does not divide" in str(error) else f"error: {first}"
    result["schedules_and_backends_equal"] = same

    # (d) CPU reference, portable math: a block of rows and an odd batch.
    ref_ok = True
    for lo, hi in ((0, 64), (max_m - 7, max_m)):
        device_args = args_fn(lo, hi, outs)
        out_index = {o[lo:hi].data_ptr(): j for j, o in enumerate(outs)}
        host_args = [a.cpu() if isinstance(a, torch.Tensor) else a for a in device_args]
        kernel.reference(host_args)
        for a, h in zip(device_args, host_args):
            if isinstance(a, torch.Tensor) and a.data_ptr() in out_index:
                ref_ok = ref_ok and torch.equal(h, full[out_index[a.data_ptr()]][lo:hi].cpu())
    result["cpu_reference_equal"] = ref_ok

    # (e) error against float64.
    errors = []
    for got, want in zip(full, f64()):
        diff = (got.double() - want).abs()
        errors.append({"max_abs": float(diff.max()),
                       "max_rel_to_scale": float((diff / want.abs().clamp_min(1e-3)).max())})
    result["error_vs_f64"] = errors
    log(f"{name} {dims}: invariant={result['batch_invariant']} deterministic={result['deterministic']} "
        f"cpu_ref={ref_ok} schedules={same}")
    return result


def bench(fn):
    import triton.testing
    return triton.testing.do_bench(fn, warmup=25, rep=100, return_mode="median") * 1e3  # µs


def graph_time(fn, launches=50):
    """Per-launch GPU time from replaying a CUDA graph of `launches` calls."""
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        fn()
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        for _ in range(launches):
            fn()
    g.replay()
    torch.cuda.synchronize()
    import triton.testing
    return triton.testing.do_bench(lambda: g.replay(), warmup=10, rep=100, return_mode="median") * 1e3 / launches


BENCH_SCHEDULES = [(256, 1), (256, 2), (256, 4), (128, 1), (128, 2), (128, 4), (64, 2), (64, 4), (32, 4), (32, 8)]


def autotune(compiler, name, dims, make_fn):
    """Times every schedule (none changes the bits) and returns the fastest."""
    timings = {}
    for threads, rows in BENCH_SCHEDULES:
        try:
            kernel = compiler.compile(name, dims, threads, rows)
        except bi_ctypes.BiError:
            continue
        timings[f"{threads}x{rows}"] = (bench(make_fn(kernel)), kernel)
    best = min(timings, key=lambda k: timings[k][0])
    return best, timings[best][1], {k: v[0] for k, v in timings.items()}


def benchmarks(compiler, log):
    out = []
    gen = torch.Generator(device="cuda").manual_seed(7)
    stream = lambda: torch.cuda.current_stream().cuda_stream  # noqa: E731
    for h in (4096, 8192):
        for m in (1, 16384):
            x, w = rms_inputs(m, h, gen)
            r = torch.randn(m, h, generator=gen, device="cuda").to(torch.bfloat16)
            y, yo, ho = torch.empty_like(x), torch.empty_like(x), torch.empty_like(x)

            def rms_fn(kernel):
                prepared = kernel.prepare([x, w, y, EPS])
                return lambda: kernel.launch_prepared(prepared, stream())

            def fused_fn(kernel):
                prepared = kernel.prepare([x, r, w, yo, ho, EPS])
                return lambda: kernel.launch_prepared(prepared, stream())

            def torch_fn():
                torch.nn.functional.rms_norm(x, (h,), w, EPS)

            def torch_fused():
                torch.nn.functional.rms_norm(x + r, (h,), w, EPS)

            for label, make_fn, theirs, nbytes in (
                    ("rms_norm", rms_fn, torch_fn, 2 * (2 * m * h + h)),
                    ("fused_add_rms_norm", fused_fn, torch_fused, 2 * (4 * m * h + h))):
                schedule, kernel, tried = autotune(compiler, label, {"H": h}, make_fn)
                mine = make_fn(kernel)
                t_bi, t_torch = bench(mine), bench(theirs)
                g_bi, g_torch = graph_time(mine), graph_time(theirs)
                row = {"kernel": label, "M": m, "H": h, "schedule": schedule, "schedules_us": tried,
                       "bi_us": t_bi, "torch_us": t_torch, "speedup_vs_torch": t_torch / t_bi,
                       "bi_TBps": nbytes / t_bi / 1e6, "torch_TBps": nbytes / t_torch / 1e6,
                       "bi_graph_us": g_bi, "torch_graph_us": g_torch, "graph_speedup_vs_torch": g_torch / g_bi}
                out.append(row)
                log(f"bench {label} M={m} H={h} [{schedule}]: bi {t_bi:.1f}us torch {t_torch:.1f}us "
                    f"x{t_torch / t_bi:.2f} ({row['bi_TBps']:.2f} TB/s); graph bi {g_bi:.1f} torch {g_torch:.1f}")
    return out


JIT_PROBE = """
import sys, time
t0 = time.perf_counter()
sys.path.insert(0, {bench!r})
import bi_ctypes
lib = bi_ctypes.Library({lib!r}); c = bi_ctypes.Compiler(lib, cache_dir={cache!r})
t1 = time.perf_counter()
k = c.compile('rms_norm', {{'H': 4096}})
t2 = time.perf_counter()
import torch
x = torch.randn(1, 4096, device='cuda').to(torch.bfloat16); w = torch.ones(4096, device='cuda', dtype=torch.bfloat16)
y = torch.empty_like(x); torch.cuda.synchronize()
t3 = time.perf_counter()
k.launch([x, w, y, 1e-6], torch.cuda.current_stream().cuda_stream); torch.cuda.synchronize()
t4 = time.perf_counter()
print((t1 - t0) * 1e3, (t2 - t1) * 1e3, (t4 - t3) * 1e3, int(k.from_disk_cache))
"""


def jit_figures(lib_path, log):
    """Compile times in fresh processes: empty cache (cold), then warm."""
    cache = tempfile.mkdtemp(prefix="bi-cache-")
    code = JIT_PROBE.format(bench=os.path.dirname(os.path.abspath(__file__)), lib=lib_path, cache=cache)
    # CUDA's compute cache empty too, so that nothing the toolkit cached
    # from earlier runs makes the cold compile look faster.
    env = dict(os.environ, CUDA_CACHE_PATH=tempfile.mkdtemp(prefix="cuda-cache-"))
    runs = []
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            log(f"jit probe failed: {proc.stderr.strip()[-400:]}")
            return {"error": proc.stderr.strip()[-400:]}
        load_ms, compile_ms, launch_ms, hit = proc.stdout.split()
        runs.append((float(load_ms), float(compile_ms), float(launch_ms), hit == "1"))
    (load0, cold, launch0, hit0), (load1, warm, launch1, hit1) = runs
    log(f"jit: cold compile {cold:.1f} ms (disk hit {hit0}); warm-cache compile {warm:.2f} ms + first launch "
        f"{launch1:.2f} ms (disk hit {hit1}); library load + compiler creation {load1:.1f} ms")
    return {"cold_compile_ms": cold, "cold_was_disk_hit": hit0, "warm_cache_compile_ms": warm,
            "warm_cache_first_launch_ms": launch1, "warm_cache_first_call_ms": warm + launch1,
            "warm_cache_was_disk_hit": hit1, "library_load_and_compiler_create_ms": load1}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lib", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--commit", default="unknown")
    parser.add_argument("--max-m", type=int, default=16384)
    parser.add_argument("--skip-bench", action="store_true")
    args = parser.parse_args()
    lines = []

    def log(text):
        print(text, flush=True)
        lines.append(text)

    lib = bi_ctypes.Library(args.lib)
    compiler = bi_ctypes.Compiler(lib, use_cache=False)
    report = {"device": torch.cuda.get_device_name(), "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
              "commit": args.commit, "torch": torch.__version__, "checks": [], "bench": [], "jit": {}}
    for i, (name, dims, make) in enumerate(CASES):
        try:
            report["checks"].append(check_case(compiler, name, dims, make, args.max_m, 1000 + i, log))
        except Exception as error:  # keep going: report every kernel
            log(f"{name} {dims}: ERROR {error}")
            report["checks"].append({"kernel": name, "dims": dims, "error": str(error)})
    if not args.skip_bench:
        report["bench"] = benchmarks(compiler, log)
        report["jit"] = jit_figures(args.lib, log)
    report["jit"]["cache_stats"] = compiler.stats()
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)

    print("\n== summary ==")
    print(f"{'kernel':22} {'dims':10} {'invariant':9} {'determ':6} {'cpu-ref':7} {'sched+backends':14}")
    for c in report["checks"]:
        if "error" in c:
            print(f"{c['kernel']:22} {str(c['dims']):10} ERROR {c['error'][:60]}")
            continue
        sb = all(v is True or v == "not applicable" for v in c["schedules_and_backends_equal"].values())
        print(f"{c['kernel']:22} {str(c['dims']):10} {str(c['batch_invariant']):9} {str(c['deterministic']):6} "
              f"{str(c['cpu_reference_equal']):7} {str(sb):14}")
    for b in report["bench"]:
        print(f"{b['kernel']:22} M={b['M']:<6} H={b['H']:<5} bi {b['bi_us']:8.1f}us torch {b['torch_us']:8.1f}us "
              f"x{b['speedup_vs_torch']:.2f}  {b['bi_TBps']:.2f} TB/s")
    if report["jit"]:
        print(f"jit: {report['jit']}")


if __name__ == "__main__":
    main()
