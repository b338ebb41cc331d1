"""Reading a large IVR export: time and peak memory at 100,000 and 1,000,000 lines.

Target (issue 12): the reader streams and stays under a few hundred MB at 1 M lines. Each size
runs in a fresh process, so the peak (ru_maxrss) is the reader's, over the interpreter's own.

    python bench/bench_ivr_log.py [--lines 100000 1000000]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import resource, sys, time
sys.path.insert(0, sys.argv[2])
from backoffice.ivr_log import read_ivr_log
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
log = read_ivr_log(sys.argv[1], max_bytes=10**10)
took = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(len(log.calls), f"{took:.2f}", base // 1024, peak // 1024)
"""


def write_log(path: Path, lines: int) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("date_appel;numero_appelant;code_saisi;resultat\n")
        for i in range(lines):
            fh.write(f"01/12/2026 {8 + i % 10:02d}:{i % 60:02d}:{i * 7 % 60:02d};"
                     f"06 {i % 100:02d} {i % 97:02d} {i % 89:02d} {i % 83:02d};{i % 5000:04d};"
                     f"{'OK' if i % 11 else 'ABANDON'}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    root = Path(__file__).resolve().parents[1]
    print(f"{'lines':>10}  {'file MB':>8}  {'read s':>7}  {'baseline MB':>11}  {'peak MB':>8}  {'reader MB':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.lines:
            path = Path(tmp) / f"svi_{n}.csv"
            write_log(path, n)
            out = subprocess.run([sys.executable, "-c", CHILD, str(path), str(root)], capture_output=True,
                                 text=True, check=True).stdout.split()
            took, base, peak = float(out[1]), int(out[2]), int(out[3])
            print(f"{n:>10,}  {path.stat().st_size / 1e6:>8.1f}  {took:>7.2f}  {base:>11}  {peak:>8}  "
                  f"{peak - base:>9}")


if __name__ == "__main__":
    main()
