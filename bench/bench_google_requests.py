"""How many HTTP requests, and how long, one job costs on Google Sheets (against the stand-in).

    python bench/bench_google_requests.py [100 1000 10000]

Each size is a region with that many missions; the job writes a suggestion on every
mission, highlights every other date and rewrites the Anomalies tab, through gspread's
real HTTP code and the in-process stand-in of the Sheets API. Printed: HTTP requests of
the job, cells written, and the wall time split into load (read) and apply (re-read +
writes); the stand-in serialises JSON in Python, so times are an upper bound of the
client's own cost, not Google's latency.
"""
from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sheets_sync import COLOR_ERROR, ChangeSet, Workbook  # noqa: E402
from sheets_sync.google_backend import GoogleSheetsBackend  # noqa: E402
from sheets_sync.schema import ANOMALIES, JOURNAL, OUTBOX, STATE  # noqa: E402
from tests.factories import make_tabs  # noqa: E402
from tests.sheets_standin import SheetsStandIn  # noqa: E402

NOW = dt.datetime(2026, 11, 29, 9, 30)


def job(data) -> ChangeSet:
    changes = ChangeSet()
    missions = data["Missions"]
    for key in missions.df.index:
        changes.add("suggest", missions.change(key, "Suggestions", f"1. S0001 ({key})"))
    wanted = {(key, "Date") for i, key in enumerate(missions.df.index) if i % 2 == 0}
    for hl in missions.highlights(COLOR_ERROR, wanted):
        changes.highlight("check", hl)
    changes.rewrite("check", "Anomalies", [["erreur", "bench", "Missions", "Missions!G2", "M000001",
                                             "Missions!G2 : exemple.", "29/11/2026"]])
    return changes


def run(size: int) -> None:
    tabs = make_tabs(missions=[{"N° mission": f"M{i:06d}"} for i in range(1, size + 1)])
    tabs["Anomalies"] = [list(ANOMALIES.names)]
    tabs["Journal"] = [list(JOURNAL.names)]
    tabs["État"], tabs["Envois"] = [list(STATE.names)], [list(OUTBOX.names)]  # as init makes them
    with SheetsStandIn() as standin:
        standin.add_spreadsheet("bench", tabs)
        backend = GoogleSheetsBackend.from_settings("bench", endpoint=standin.url, timeout_s=120.0)
        wb = Workbook(backend)
        t0 = time.perf_counter()
        data = wb.load()
        t1 = time.perf_counter()
        report = wb.apply(job(data), NOW)
        t2 = time.perf_counter()
        requests = backend.requests
        # the same job again: nothing left to write
        wb2 = Workbook(GoogleSheetsBackend.from_settings("bench", endpoint=standin.url, timeout_s=120.0))
        again = wb2.apply(job(wb2.load()), NOW)
        writes_again = sum(1 for method, _ in standin.log[requests:] if method == "POST")
    print(f"{size:>6} missions: {requests} requests ({', '.join(m for m, _ in standin.log[:requests])}), "
          f"{report.written} cells + {report.highlights} fills + {report.journal_rows} journal rows; "
          f"load {t1 - t0:.2f} s, apply {t2 - t1:.2f} s; second run: {again.written} cells, "
          f"{writes_again} write requests")


if __name__ == "__main__":
    for n in [int(a) for a in sys.argv[1:]] or [100, 1000, 10000]:
        run(n)
