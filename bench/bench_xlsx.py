"""Time the .xlsx backend on a large regional workbook.

5,000 employees and 20,000 missions: time ``Workbook.load()`` (one read of every tab),
then one ``apply`` of 3,000 cell changes (re-read, compare, patch, Journal, atomic save),
then a second identical apply (nothing to write). Run: ``python bench/bench_xlsx.py [DIR]``.
"""
from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
from openpyxl.styles import PatternFill

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.factories

from sheets_sync import ChangeSet, Workbook  # noqa: E402
from sheets_sync.xlsx_backend import XlsxBackend  # noqa: E402
from tests.factories import DEFAULTS, header, make_tabs  # noqa: E402

EMPLOYEES, MISSIONS, CHANGES = 5_000, 20_000, 3_000
NOW = dt.datetime(2026, 11, 29, 9, 30)


def build(path: Path) -> None:
    tabs = make_tabs()
    wb = openpyxl.Workbook(write_only=True)
    yellow = PatternFill(fill_type="solid", start_color="FFFFFF00", end_color="FFFFFF00")
    for title, rows in tabs.items():
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        ws.append(rows[0])
        if title == "Salariés":
            for i in range(EMPLOYEES):
                rec = {**DEFAULTS[title], "Matricule": f"S{i:05d}", "Code postal": 1000 + i,
                       "Visite médicale": dt.datetime(2025, 1 + i % 12, 1 + i % 28)}
                ws.append([rec.get(h) for h in header(title)])
        elif title == "Missions":
            from openpyxl.cell import WriteOnlyCell

            for i in range(MISSIONS):
                rec = {**DEFAULTS[title], "N° mission": f"M{i:06d}",
                       "Date": dt.datetime(2026, 11, 1) + dt.timedelta(days=i % 60),
                       "Début": dt.time(9, 0), "Fin": dt.time(17, 0), "Salarié": f"S{i % EMPLOYEES:05d}"}
                line = [rec.get(h) for h in header(title)]
                if i % 50 == 0:  # some people's colours
                    cell = WriteOnlyCell(ws, value=line[11])
                    cell.fill = yellow
                    line[11] = cell
                ws.append(line)
        else:
            for row in rows[1:]:
                ws.append(row)
    wb.save(path)


def main(folder: Path) -> None:
    path = folder / "bench.xlsx"
    t0 = time.perf_counter()
    build(path)
    print(f"workbook built: {EMPLOYEES} employees, {MISSIONS} missions, "
          f"{path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s")

    workbook = Workbook(XlsxBackend(path))
    t0 = time.perf_counter()
    data = workbook.load()
    print(f"load():                    {time.perf_counter() - t0:6.2f} s "
          f"({len(data['Missions'].df)} missions, {len(data['Salariés'].df)} employees, "
          f"{len(data.findings)} findings)")

    missions = data["Missions"]
    changes = ChangeSet()
    t0 = time.perf_counter()
    for key in list(missions.df.index[:CHANGES]):
        changes.add("suggest", missions.change(key, "Suggestions", f"1. S00001 (à 3 km) — {key}"))
    report = workbook.apply(changes, NOW)
    print(f"apply({len(changes)} changes):     {time.perf_counter() - t0:6.2f} s "
          f"({report.written} written, {report.journal_rows} Journal rows, {len(report.skipped)} skipped)")

    t0 = time.perf_counter()
    data = workbook.load()
    again = ChangeSet()
    for key in list(data["Missions"].df.index[:CHANGES]):
        again.add("suggest", data["Missions"].change(key, "Suggestions", f"1. S00001 (à 3 km) — {key}"))
    report = workbook.apply(again, NOW)
    print(f"reload + identical apply:  {time.perf_counter() - t0:6.2f} s "
          f"({len(again)} changes left, {report.written} written)")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(Path(tmp))
