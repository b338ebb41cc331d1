"""Time the contracts job: 1,000 staffed missions within 14 days, then 50 of them sent for
signature to the local Yousign stand-in (real HTTP, real LibreOffice for the PDF).

Prints:
- the plan of 1,000 contracts (data, fingerprints, records) and the rendering of 1,000 DOCX,
  beside the floor: rendering the mandates of the same missions;
- a rerun: nothing to make;
- 50 contracts: PDF in one LibreOffice batch and 50 signature requests (5 calls each);
- reading the 50 statuses, 10 of them done (10 signed PDF downloaded).

Run: ``python bench/bench_contracts.py`` (the PDF part needs LibreOffice: it is skipped without).
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.*

from backoffice.jobs.contracts import ContractsOptions, contracts_step  # noqa: E402
from backoffice.jobs.mandates import MandatesOptions, mandates_step  # noqa: E402
from backoffice.jobs.runner import run_region  # noqa: E402
from backoffice.settings import Region, load_settings  # noqa: E402
from sheets_sync import MemoryBackend, Workbook  # noqa: E402
from tests.factories import AGENCY, make_tabs  # noqa: E402
from tests.yousign_standin import YousignStandIn  # noqa: E402

NOW = dt.datetime(2026, 11, 20, 9, 0)


def tabs(n: int) -> dict:
    employees = [{"Matricule": f"S{i:04d}", "Téléphone": f"+336{i:08d}", "Email": f"s{i:04d}@example.org"}
                 for i in range(200)]
    missions = [{"N° mission": f"M{i:04d}", "Salarié": f"S{i % 200:04d}", "Statut": "Confirmée",
                 "Date": (NOW.date() + dt.timedelta(days=1 + i % 13)).strftime("%d/%m/%Y")} for i in range(n)]
    return make_tabs(employees=employees, missions=missions)


def timed(label: str, func):
    start = time.perf_counter()
    value = func()
    print(f"{label:<58} {time.perf_counter() - start:8.2f} s")
    return value


def run(cfg, backend, steps, now, out):
    outcome = run_region(cfg, Region("IDF"), steps, now, out=out, workbook=Workbook(backend))
    assert not outcome.error and not outcome.incidents, (outcome.error, outcome.incidents)
    return outcome


def main() -> None:
    cfg = load_settings(environ={}, overrides={"agency": AGENCY})
    out = tempfile.mkdtemp()
    floor = MemoryBackend(tabs(1000))
    timed("floor: 1,000 mandates of the same missions (DOCX)",
          lambda: run(cfg, floor, [("mandates", partial(mandates_step, options=MandatesOptions(days=14)))], NOW, out))
    backend = MemoryBackend(tabs(1000))
    no_pdf = [("contracts", partial(contracts_step, options=ContractsOptions(None, False, False)))]
    first = timed("1,000 contracts: plan and DOCX", lambda: run(cfg, backend, no_pdf, NOW, out))
    print(f"  {dict(first.results[0].summary)}; cells written {first.report.written}")
    again = timed("rerun: nothing to make", lambda: run(cfg, backend, no_pdf, NOW + dt.timedelta(hours=1), out))
    print(f"  {dict(again.results[0].summary)}; cells written {again.report.written}")
    if not shutil.which("soffice"):
        print("LibreOffice absent: the PDF and signature part is skipped")
        return
    with YousignStandIn() as yousign:
        os.environ["BACKOFFICE_YOUSIGN_API_KEY"] = yousign.key
        ycfg = load_settings(environ={}, overrides={"agency": AGENCY, "yousign": {"url": yousign.url}})
        small = MemoryBackend(tabs(50))
        send = [("contracts", partial(contracts_step, options=ContractsOptions(None, True, True)))]
        sent = timed("50 contracts: DOCX, one PDF batch, 50 signature requests",
                     lambda: run(ycfg, small, send, NOW, out + "/y"))
        print(f"  {dict(sent.results[0].summary)}; Yousign calls {len(yousign.calls)}")
        for request in list(yousign.requests.values())[:10]:
            request["status"] = "done"
        calls = len(yousign.calls)
        read = timed("read 50 statuses, download 10 signed PDF", lambda: run(ycfg, small, send, NOW + dt.timedelta(hours=2),
                                                                             out + "/y"))
        print(f"  cells written {read.report.written}; Yousign calls {len(yousign.calls) - calls}")


if __name__ == "__main__":
    main()
