"""Hostile workbooks: how fast, and with how little memory, they are refused.

An 813 KB-like ``.xlsx`` whose one shared string unpacks to 800 MB (a zip bomb) must be refused
in under a second with little memory (issue 12). Prints the file size, the time to refusal and
the peak memory traced during it.

    python bench/bench_hostile.py [--mb 800]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.factories

from sheets_sync import Workbook  # noqa: E402
from sheets_sync.errors import WorkbookError  # noqa: E402
from sheets_sync.xlsx_backend import XlsxBackend  # noqa: E402
from tests.test_hostile_input import _bomb  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=800)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bombe.xlsx"
        t = time.perf_counter()
        _bomb(path, args.mb * 1_000_000)
        built = time.perf_counter() - t
        tracemalloc.start()
        t = time.perf_counter()
        try:
            Workbook(XlsxBackend(path)).load()
            outcome = "READ (not refused!)"
        except WorkbookError as err:
            outcome = str(err).split(" : ", 1)[1][:60] + "…"
        took = time.perf_counter() - t
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"file {path.stat().st_size / 1e3:,.0f} KB, unpacks to {args.mb} MB (built in {built:.1f} s)")
        print(f"refused in {took * 1000:.0f} ms, peak traced memory {peak / 1e6:.1f} MB: {outcome}")


if __name__ == "__main__":
    main()
