"""Time the kit jobs on a large region: 20,000 missions, 1,000 of them to order.

Times the order step (selection, French working days, CSV and sidecar), a re-run (nothing to
order), the import of a 4,000-line tracking file, and the three kit check rules.
Run: ``python bench/bench_kits.py``.
"""
from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.factories

from backoffice.jobs.base import JobContext  # noqa: E402
from backoffice.jobs.kits import kits_import_step, kits_order_step, load_kit_orders  # noqa: E402
from backoffice.jobs.runner import flush_memory  # noqa: E402
from backoffice.settings import Region, load_settings  # noqa: E402
from rules.kit_rules import kit_not_delivered, kit_not_returned, kit_order_to_correct  # noqa: E402
from rules.registry import RuleContext  # noqa: E402
from sheets_sync import MemoryBackend, Workbook  # noqa: E402
from tests.factories import make_tabs  # noqa: E402

NOW = dt.datetime(2026, 11, 5, 9, 30)


def timed(label, func):
    start = time.perf_counter()
    value = func()
    print(f"{label:<45} {time.perf_counter() - start:8.3f} s")
    return value


def main() -> None:
    employees = [{"Matricule": f"S{i:04d}", "Téléphone": f"06 12 {i // 100:02d} {i % 100:02d} 00"}
                 for i in range(1000)]
    missions = []
    for i in range(20000):
        day = NOW.date() + dt.timedelta(days=i % 40 - 20)
        missions.append({"N° mission": f"M{i:05d}", "Date": day.strftime("%d/%m/%Y"),
                         "Salarié": f"S{i % 1000:04d}", "Statut": "Confirmée",
                         "Kit": "KIT-A" if i % 4 == 0 else ""})
    tabs = make_tabs(employees=employees, missions=missions)
    out = tempfile.mkdtemp()
    settings = load_settings(environ={})
    ctx = JobContext(settings, Region("IDF"), NOW, out=out)
    wb = Workbook(MemoryBackend(tabs))
    data = timed("load 20,000 missions (reader, not kits)", wb.load)
    result = timed("order step", lambda: kits_order_step(data, ctx))
    print(f"  orders: {dict(result.summary)['commandes de kits']}")
    flush_memory(data, result.changes, NOW)
    wb.apply(result.changes, NOW)
    data = wb.load()
    again = timed("order step again (nothing to order)", lambda: kits_order_step(data, ctx))
    print(f"  orders: {dict(again.summary)['commandes de kits']}")

    numbers = list(load_kit_orders(data, ctx))
    lines = ["N° commande;Statut;N° suivi;Date"]
    for status in ("Expédié", "Livré"):
        lines += [f"{n};{status};1Z{i};04/11/2026" for i, n in enumerate(numbers)]
    lines += [f"K-IDF-X{i};Livré;;04/11/2026" for i in range(2000)]
    path = Path(out) / "suivi.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    imported = timed(f"import {len(lines) - 1} tracking lines", lambda: kits_import_step(data, ctx, str(path)))
    print(f"  {dict(imported.summary)}")

    rctx = RuleContext(data, settings, NOW, kit_orders=load_kit_orders(data, ctx))
    for rule in (kit_order_to_correct, kit_not_delivered, kit_not_returned):
        found = timed(f"rule {rule.__name__}", lambda rule=rule: rule(rctx))
        print(f"  findings: {len(found)}")


if __name__ == "__main__":
    main()
