"""Summarises an Nsight Compute SASS export (`ncu -i X.ncu-rep --page source
--csv --print-source sass`, as bench/gemm_lab/ncu_profile.sh writes it,
gzipped): warp stall reasons overall, instructions and stall samples per
opcode, and the instructions with the most stall samples.

    python3 bench/gemm_lab/sass_stalls.py ours-sass.csv.gz [top]
"""
import collections
import csv
import gzip
import sys


def count(row, index, column):
    return int(row[index[column]] or 0)


def main():
    rows = list(csv.reader(gzip.open(sys.argv[1], "rt")))
    header, data = rows[1], rows[2:]
    index = {name: i for i, name in enumerate(header)}
    samples_column = "Warp Stall Sampling (All Samples)"
    stalls = [h for h in header if h.startswith("stall_") and "Not Issued" not in h]
    samples = sum(count(r, index, samples_column) for r in data)
    executed = sum(count(r, index, "Instructions Executed") for r in data)
    print(f"stall samples {samples}, warp instructions executed {executed}")
    reasons = collections.Counter()
    for r in data:
        for s in stalls:
            reasons[s] += count(r, index, s)
    print("stall reasons:", ", ".join(
        f"{k[len('stall_'):]} {v / samples * 100:.1f}%" for k, v in reasons.most_common(10)))
    per_op, per_op_samples = collections.Counter(), collections.Counter()
    for r in data:
        words = [w for w in r[index["Source"]].split() if not w.startswith("@")]
        op = words[0].split(".")[0] if words else "?"
        per_op[op] += count(r, index, "Instructions Executed")
        per_op_samples[op] += count(r, index, samples_column)
    print("opcode        % instructions  % samples")
    for op, n in per_op.most_common(20):
        print(f"  {op:12s} {n / executed * 100:6.1f}  {per_op_samples[op] / samples * 100:6.1f}")
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    print("instructions with the most stall samples:")
    data.sort(key=lambda r: -count(r, index, samples_column))
    for r in data[:top]:
        s = count(r, index, samples_column)
        worst = sorted(((count(r, index, x), x[len("stall_"):]) for x in stalls), reverse=True)[:2]
        print(f"  {s / samples * 100:5.1f}% {r[index['Address']][-5:]} "
              f"{r[index['Source']].strip()[:60]:60s} x{r[index['Instructions Executed']]} {worst}")


if __name__ == "__main__":
    main()
