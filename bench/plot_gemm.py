"""Plots bi / cuBLAS speed ratio vs M per (N, K) from bench/gemm_check.py's JSON.

    python3 bench/plot_gemm.py bench/results/h200_2026-11-23_gemm.json out.png
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

report = json.load(open(sys.argv[1]))
shapes = sorted({(r["N"], r["K"]) for r in report["bench"]})
fig, ax = plt.subplots(figsize=(7, 4.5))
for n, k in shapes:
    rows = sorted((r for r in report["bench"] if (r["N"], r["K"]) == (n, k)), key=lambda r: r["M"])
    ax.plot([r["M"] for r in rows], [r["speed_ratio"] for r in rows], marker="o", label=f"N={n} K={k}")
ax.axhline(1.0, color="gray", lw=0.8, ls="--")
ax.axhline(0.9, color="gray", lw=0.8, ls=":")
ax.set_xscale("log", base=2)
ax.set_xlabel("M (batch rows)")
ax.set_ylabel("speed vs cuBLAS (torch.mm), higher is faster")
ax.set_title(f"bi GEMM (batch-invariant) on {report['device']}, commit {report['commit'][:7]}")
ax.legend()
ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=120)
