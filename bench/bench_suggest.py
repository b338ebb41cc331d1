"""Time the suggest job on a large region: 5,000 employees, 3,000 open missions over 14 days.

Builds an invented region (a 280 × 300 km box, 600 stores, 20 brands, 1,500 missions already
assigned in the horizon, past missions for the history), loads it through the reader, then
times the hard rules + ranking, the plan (HiGHS MILP) and a greedy baseline; prints peak
memory (tracemalloc of the suggest step, and the process's maxrss) and both plans' total
cost and filled missions, and checks both plans against every constraint.

Small scenarios check the plan's quality rather than its speed:

- ``scarce``: 15 employees, 120 missions over 6 days (99 can be filled): missions filled, cost, gap and time
  of the plan, beside an independent two-stage formulation (``tests/independent_plan.py``);
  target: the same fill, a cost within 1 %, under 30 s;
- ``slack``: 15 employees, 42 missions anyone could take: the most missions one employee gets,
  with the fairness weight at 0 and at its default, against the fairest possible maximum;
  target: at most 2 above it, and km within 15 % of the cheapest plan that respects that cap.

Run: ``python bench/bench_suggest.py [--seed N] [--scenario default|tight|dense|scarce|slack]``.
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
from tests.plan_scenarios import SKILLS, SLOTS, SMALL, small_pairs  # noqa: E402

EMPLOYEES, OPEN, ASSIGNED, PAST, STORES, BRANDS = 5_000, 3_000, 1_500, 6_000, 600, 20
NOW = dt.datetime(2026, 11, 16, 8, 0)


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


def _loads(pairs: pd.DataFrame, chosen) -> pd.Series:
    return pairs[chosen]["Matricule"].value_counts()


def quality(seed: int, scenario: str) -> None:
    from tests.independent_plan import independent_plan

    default = load_settings(environ={})
    unfair = load_settings(environ={}, overrides={"suggest": {"weight_fairness": 0}})
    pairs = small_pairs(seed, scenario, default)
    print(f"{scenario}: {pairs['m'].nunique()} missions with a candidate, {pairs['e'].nunique()} employees, "
          f"{len(pairs)} candidate pairs")
    for name, settings in (("fairness 0", unfair), (f"fairness {default.suggest.weight_fairness:g}", default)):
        plan = solve_plan(pairs, settings)
        loads = _loads(pairs, plan.chosen)
        km = float(pairs.loc[plan.chosen, "km"].sum())
        print(f"  plan, {name:<12} filled {plan.filled:4d}  cost {plan.total_cost(pairs):9.2f}  km {km:8.1f}  "
              f"objective {plan.objective:9.2f}  gap {plan.gap:.2%}  {plan.status:<16} {plan.seconds:5.1f} s  "
              f"missions per employee min/median/max {loads.min()}/{loads.median():g}/{loads.max()}  "
              f"violations {len(plan_violations(pairs, plan.chosen, settings))}")
        if scenario == "scarce":
            t = time.perf_counter()
            ref = independent_plan(pairs, settings)
            print(f"  independent two-stage ({name}): filled {ref['filled']:4d}  cost {ref['cost']:9.2f}  "
                  f"objective {ref['objective']:9.2f}  {'optimal' if ref['optimal'] else 'not proven'}  "
                  f"{time.perf_counter() - t:5.1f} s  → same fill: {plan.filled == ref['filled']}, cost within "
                  f"1 %: {abs(plan.total_cost(pairs) - ref['cost']) <= 0.01 * abs(ref['cost'])}, "
                  f"under 30 s: {plan.seconds < 30}")
    if scenario == "slack":
        # the fairest possible maximum at this fill, then the cheapest plan that respects it plus 2
        filled = solve_plan(pairs, unfair).filled
        fairest = next(k for k in range(1, filled + 1)
                       if independent_plan(pairs, unfair, cap=k, min_fill=filled)["filled"] >= filled)
        cap = fairest + 2
        capped = independent_plan(pairs, unfair, cap=cap, min_fill=filled)
        capped_km = float(pairs.loc[capped["chosen"], "km"].sum())
        plan = solve_plan(pairs, default)
        loads = _loads(pairs, plan.chosen)
        km = float(pairs.loc[plan.chosen, "km"].sum())
        print(f"  fairest possible maximum {fairest} missions; cheapest plan (fairness 0) with at most {cap} "
              f"each: {capped_km:.1f} km")
        print(f"  default plan: max {loads.max()} missions (≤ {cap}: {loads.max() <= cap}), {km:.1f} km "
              f"= {km / capped_km:.2f}x that plan (≤ 1.15: {km <= 1.15 * capped_km})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS) + sorted(SMALL), default="default")
    args = parser.parse_args()
    if args.scenario in SMALL:
        quality(args.seed, args.scenario)
        return
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
