"""Time the daily check on one large region.

5,000 employees, 20,000 missions and 30,000 expense lines (random but realistic: some
overlaps, long days, missing trainings, late notes...), held in a memory workbook. Times
``Workbook.load()``, every registered rule (``run_rules``) and the whole ``check_step``
(rules + Anomalies rows + highlights). Target: every rule in under 5 s.
Run: ``python bench/bench_check.py [--missions 20000] [--stacked 0.0]``.

``--missions 100000 --stacked 0.3`` is the hostile case of issue 12: 100,000 missions, 30 % of
them piled on 20 employees' same days (thousands of overlaps); it must finish in seconds.
"""
from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.factories

from backoffice.jobs.base import JobContext  # noqa: E402
from backoffice.jobs.check import check_step  # noqa: E402
from backoffice.jobs.findings import run_rules  # noqa: E402
from backoffice.settings import Region, load_settings  # noqa: E402
from rules.registry import RuleContext  # noqa: E402
from sheets_sync import MemoryBackend, Workbook  # noqa: E402
from tests.factories import rows_for  # noqa: E402

EMPLOYEES, MISSIONS, EXPENSES, STORES, BRANDS = 5_000, 20_000, 30_000, 500, 20
NOW = dt.datetime(2026, 11, 27, 8, 0)


def build(seed: int = 7, stacked: float = 0.0) -> dict[str, list[list]]:
    rnd = random.Random(seed)
    brands = [f"Marque{i:02d}" for i in range(BRANDS)]
    employees = [{
        "Matricule": f"S{i:05d}", "Nom": f"Nom{i}", "Prénom": f"Prénom{i}",
        "Téléphone": f"06{i:08d}", "Code postal": "75011", "Ville": "Paris",
        "Latitude": 48.5 + rnd.random(), "Longitude": 2.0 + rnd.random(),
        "Visite médicale": dt.datetime(2024, 1, 1) + dt.timedelta(days=rnd.randrange(900)),
        "Statut": "Inactif" if i % 200 == 0 else "Actif",
    } for i in range(EMPLOYEES)]
    stores = [{"Code magasin": f"C{i:04d}", "Enseigne": "Enseigne", "Nom": f"Magasin {i}",
               "Latitude": 48.5 + rnd.random(), "Longitude": 2.0 + rnd.random()} for i in range(STORES)]
    trainings = [{"Matricule": f"S{i:05d}", "Marque": rnd.choice(brands), "Date": "01/01/2025"}
                 for i in range(EMPLOYEES) for _ in range(3)]
    missions = []
    for i in range(MISSIONS):
        date = dt.datetime(2026, 10, 15) + dt.timedelta(days=rnd.randrange(75))
        start = rnd.choice([7, 8, 9, 10, 13, 14])
        staffed = rnd.random() > 0.1
        missions.append({
            "N° mission": f"M{i:06d}", "Marque": rnd.choice(brands), "Code magasin": f"C{rnd.randrange(STORES):04d}",
            "Date": date, "Début": dt.time(start), "Fin": dt.time(start + rnd.choice([4, 6, 7, 8])),
            "Salarié": (f"S{rnd.randrange(20):05d}" if rnd.random() < stacked else f"S{rnd.randrange(EMPLOYEES):05d}")
            if staffed else "",
            "Statut": ("Réalisée" if date < NOW else "Confirmée") if staffed else "À pourvoir",
            "Contrat": rnd.choice(["Signé", "Signé", "Signé", "Envoyé", "À envoyer", ""]),
            "CR reçu": date + dt.timedelta(days=1) if rnd.random() > 0.2 else None,
        })
    expenses = []
    for i in range(EXPENSES):
        m = missions[rnd.randrange(MISSIONS)]
        category = rnd.choice(["repas", "repas", "km", "transport", "hébergement", "autre"])
        kms = rnd.randrange(5, 80)
        amount = round(kms * 0.29, 2) if category == "km" else round(rnd.uniform(5, 25), 2)
        expenses.append({
            "N° note": f"N{i:06d}", "Matricule": m["Salarié"] or "S00001", "N° mission": m["N° mission"],
            "Date": m["Date"], "Catégorie": category, "Montant": amount,
            "Km": kms if category == "km" else None, "Justificatif": rnd.random() > 0.05,
            "Statut": "Soumise", "Reçue le": m["Date"] + dt.timedelta(days=rnd.randrange(40)),
        })
    records = {"Salariés": employees, "Missions": missions, "Magasins": stores,
               "Marques": [{"Marque": b, "Raison sociale": f"{b} SAS"} for b in brands],
               "Formations": trainings, "Indisponibilités": [], "Notes de frais": expenses}
    return {tab: rows_for(tab, recs) for tab, recs in records.items()}


def main() -> None:
    import argparse

    global MISSIONS, EXPENSES
    parser = argparse.ArgumentParser(description="Time the daily check on one large region.")
    parser.add_argument("--missions", type=int, default=MISSIONS)
    parser.add_argument("--stacked", type=float, default=0.0,
                        help="share of the missions piled on 20 employees (overlaps)")
    args = parser.parse_args()
    MISSIONS, EXPENSES = args.missions, max(EXPENSES, args.missions * 3 // 2)
    tabs = build(stacked=args.stacked)
    settings = load_settings(environ={})
    wb = Workbook(MemoryBackend(tabs))
    t0 = time.perf_counter()
    data = wb.load()
    t1 = time.perf_counter()
    ctx = JobContext(settings, Region("BENCH"), NOW, carried=list(data.findings))
    findings = run_rules(data, ctx, rule_ctx=RuleContext(data, ctx.settings, ctx.now))
    t2 = time.perf_counter()
    result = check_step(data, ctx)
    t3 = time.perf_counter()
    print(f"{EMPLOYEES:,} employees, {MISSIONS:,} missions, {EXPENSES:,} expense lines")
    print(f"load (memory backend, parsing): {t1 - t0:6.2f} s")
    print(f"every rule:                     {t2 - t1:6.2f} s  ({len(findings):,} findings)  target < 5 s")
    print(f"check_step (rules + tab + fills): {t3 - t2:4.2f} s  ({len(result.changes.highlights):,} highlights)")
    for rule_id, n in sorted(Counter(f.rule for f in findings).items()):
        print(f"  {rule_id:<32} {n:>7,}")


if __name__ == "__main__":
    main()
