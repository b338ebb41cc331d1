"""Time the suggest job on a large region: 5,000 employees, 3,000 open missions over 14 days.

Builds an invented region (a 280 × 300 km box, 600 stores, 20 brands, 1,500 missions already
assigned in the horizon, past missions for the history), loads it through the reader, then
times the hard rules + ranking, the plan (HiGHS MILP) and a greedy baseline; prints peak
memory (tracemalloc of the suggest step, and the process's maxrss) and both plans' total
cost and filled missions, and checks both plans against every constraint.

Run: ``python bench/bench_suggest.py [--seed N] [--scenario default|tight|dense]``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.factories

from backoffice.jobs.base import JobContext  # noqa: E402
from backoffice.jobs.suggest import suggest_step  # noqa: E402
from backoffice.settings import Region, load_settings  # noqa: E402
from rules.eligibility import evaluate, open_missions  # noqa: E402
from rules.planning import greedy_plan, plan_violations, solve_plan  # noqa: E402
from rules.scoring import score_pairs  # noqa: E402
from sheets_sync import MemoryBackend, Workbook  # noqa: E402
from tests.factories import make_tabs  # noqa: E402

EMPLOYEES, OPEN, ASSIGNED, PAST, STORES, BRANDS = 5_000, 3_000, 1_500, 6_000, 600, 20
NOW = dt.datetime(2026, 11, 16, 8, 0)
SKILLS = ["animation", "dégustation", "merchandising", "démonstration", "anglais"]
SLOTS = [("09:00", "17:00"), ("10:00", "18:00"), ("09:00", "13:00"), ("14:00", "19:00"),
         ("11:00", "19:30"), ("08:30", "12:30"), ("13:00", "20:00")]


SCENARIOS = {  # radii (km) and brands per employee
    "default": ([20, 30, 40, 50, 60], 3),  # ~23 candidates per mission
    "tight": ([15, 20, 25], 2),  # ~4 candidates per mission: they compete
    "dense": ([60, 80, 100], 6),  # ~150 candidates per mission
}


def build_tabs(seed: int, scenario: str = "default") -> dict:
    radii, n_brands = SCENARIOS[scenario]
    rng = np.random.default_rng(seed)
    brands = [f"Marque{i:02d}" for i in range(BRANDS)]
    day = lambda d: (NOW.date() + dt.timedelta(days=int(d))).strftime("%d/%m/%Y")  # noqa: E731
    employees, trainings = [], []
    for i in range(EMPLOYEES):
        mat = f"S{i:05d}"
        visit = NOW.date() - dt.timedelta(days=int(rng.integers(0, 800)))  # ~10 % expired
        employees.append({
            "Matricule": mat, "Nom": f"Nom{i}", "Prénom": f"Prénom{i}",
            "Latitude": float(47.5 + 2.5 * rng.random()), "Longitude": float(0.5 + 4.0 * rng.random()),
            "Compétences": ", ".join(rng.choice(SKILLS, size=int(rng.integers(2, 5)), replace=False)),
            "Rayon km": int(rng.choice(radii)), "Visite médicale": visit.strftime("%d/%m/%Y"),
            "Statut": "Actif" if rng.random() > 0.03 else "Inactif",
        })
        for b in rng.choice(brands, size=n_brands, replace=False):
            trainings.append({"Matricule": mat, "Marque": str(b), "Date": "01/01/2025", "Valide jusqu'au": ""})
    stores = [{"Code magasin": f"C{j:04d}", "Latitude": float(47.5 + 2.5 * rng.random()),
               "Longitude": float(0.5 + 4.0 * rng.random())} for j in range(STORES)]
    missions = []
    n = 0

    def mission(date_offset, staff="", status="À pourvoir", presence=""):
        nonlocal n
        n += 1
        start, end = SLOTS[int(rng.integers(len(SLOTS)))]
        return {"N° mission": f"M{n:06d}", "Marque": str(rng.choice(brands)),
                "Code magasin": f"C{int(rng.integers(STORES)):04d}",
                "Compétences requises": str(rng.choice(SKILLS[:4])), "Date": day(date_offset),
                "Début": start, "Fin": end, "Salarié": staff, "Statut": status, "Présence": presence}

    for _ in range(PAST):
        missions.append(mission(-int(rng.integers(1, 120)), f"S{int(rng.integers(EMPLOYEES)):05d}", "Réalisée",
                                "Confirmée" if rng.random() < 0.9 else "Manquante"))
    for _ in range(ASSIGNED):
        missions.append(mission(int(rng.integers(0, 15)), f"S{int(rng.integers(EMPLOYEES)):05d}", "Confirmée"))
    for _ in range(OPEN):
        missions.append(mission(int(rng.integers(0, 15))))
    time_off = []
    for _ in range(400):
        d = int(rng.integers(-5, 14))
        time_off.append({"Matricule": f"S{int(rng.integers(EMPLOYEES)):05d}", "Du": day(d),
                         "Au": day(d + int(rng.integers(0, 7)))})
    return make_tabs(employees=employees, missions=missions, stores=stores, trainings=trainings,
                     time_off=time_off, expenses=[])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="default")
    args = parser.parse_args()
    settings = load_settings(environ={})
    t = time.perf_counter()
    data = Workbook(MemoryBackend(build_tabs(args.seed, args.scenario))).load()
    print(f"workbook built and read: {time.perf_counter() - t:.1f} s")
    today = pd.Timestamp(NOW.date())

    t = time.perf_counter()
    open_df = open_missions(data["Missions"].df, today, settings.suggest.days)
    elig = evaluate(data, settings, today, open_df)
    pairs = score_pairs(elig.pairs, open_df, data["Missions"].df, today, settings).reset_index(drop=True)
    t_rules = time.perf_counter() - t
    print(f"open missions: {len(open_df)}, employees: {len(elig.employees)}, "
          f"eligible pairs: {len(pairs)} — hard rules + ranking {t_rules:.2f} s")

    plan = solve_plan(pairs, settings)
    greedy = greedy_plan(pairs, settings)
    for name, p in (("plan (HiGHS MILP)", plan), ("greedy baseline", greedy)):
        bad = plan_violations(pairs, p.chosen, settings)
        print(f"{name:<18} {p.seconds:6.2f} s  status {p.status:<15} filled {int(p.chosen.sum()):5d}  "
              f"total cost {p.total_cost(pairs):10.1f}  violations {len(bad)}"
              + (f"  vars {p.variables} rows {p.rows}" if p.rows else ""))

    ctx = JobContext(settings, Region("BENCH"), NOW)
    t = time.perf_counter()
    result = suggest_step(data, ctx)
    print(f"suggest step (rules + ranking + plan + texts + cell changes): {time.perf_counter() - t:.2f} s")
    tracemalloc.start()
    suggest_step(data, ctx)
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory of the step (tracemalloc) {peak / 2**20:.0f} MiB; process maxrss "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print("summary:", ", ".join(f"{k} {v}" for k, v in result.summary))


if __name__ == "__main__":
    main()
