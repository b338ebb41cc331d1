"""The conflict-free plan: a real optimisation over the whole horizon, never a broken rule."""
import datetime as dt

import pandas as pd
import pytest

from backoffice.settings import load_settings
from rules.eligibility import evaluate, open_missions
from rules.planning import greedy_plan, overlap_cliques, plan_violations, solve_plan
from rules.scoring import score_pairs
from sheets_sync import MemoryBackend, Workbook
from tests.factories import make_tabs

NOW = dt.datetime(2026, 11, 22, 9, 0)  # Sunday; the missions are in the week of 23/11/2026
SETTINGS = load_settings(environ={})


def scored_pairs(employees, missions, trainings, stores=None):
    tabs = make_tabs(employees=employees, missions=missions, trainings=trainings, stores=stores,
                     time_off=[], expenses=[])
    data = Workbook(MemoryBackend(tabs)).load()
    assert data.findings == []
    today = pd.Timestamp(NOW.date())
    open_df = open_missions(data["Missions"].df, today, 14)
    elig = evaluate(data, SETTINGS, today, open_df)
    return score_pairs(elig.pairs, open_df, data["Missions"].df, today, SETTINGS).reset_index(drop=True)


def plan_of(pairs, result):
    picked = pairs[result.chosen]
    return dict(zip(picked["mission"], picked["Matricule"]))


def test_the_solver_beats_a_greedy_loop():
    # M1 comes first; S1 is its cheapest candidate but also the only one for M2 (overlapping).
    employees = [{"Matricule": "S1"}, {"Matricule": "S2", "Latitude": 48.95}]
    missions = [{"N° mission": "M1", "Date": "24/11/2026", "Début": "09:00", "Fin": "13:00"},
                {"N° mission": "M2", "Date": "24/11/2026", "Début": "12:00", "Fin": "18:00",
                 "Marque": "Milka"}]
    trainings = [{"Matricule": "S1"}, {"Matricule": "S2"}, {"Matricule": "S1", "Marque": "Milka"}]
    pairs = scored_pairs(employees, missions, trainings)
    assert plan_of(pairs, greedy_plan(pairs, SETTINGS)) == {"M1": "S1"}
    best = solve_plan(pairs, SETTINGS)
    assert plan_of(pairs, best) == {"M1": "S2", "M2": "S1"}
    assert plan_violations(pairs, best.chosen, SETTINGS) == []


def test_rest_between_consecutive_days_counts_the_plans_own_missions():
    employees = [{"Matricule": "S1"}, {"Matricule": "S2", "Latitude": 48.95}]
    missions = [{"N° mission": "M1", "Date": "24/11/2026", "Début": "14:00", "Fin": "23:00"},
                {"N° mission": "M2", "Date": "25/11/2026", "Début": "08:00", "Fin": "12:00"}]
    pairs = scored_pairs(employees, missions, [{"Matricule": "S1"}, {"Matricule": "S2"}])
    assert len(pairs) == 4  # each alone is allowed
    best = solve_plan(pairs, SETTINGS)
    plan = plan_of(pairs, best)
    assert len(plan) == 2 and plan["M1"] != plan["M2"]
    assert plan_violations(pairs, best.chosen, SETTINGS) == []


def test_ten_hours_a_day_counts_the_plans_own_missions():
    missions = [{"N° mission": f"M{i}", "Date": "24/11/2026", "Début": f"{7 + 4 * i:02d}:00",
                 "Fin": f"{11 + 4 * i:02d}:00"} for i in range(3)]  # 07–11, 11–15, 15–19
    pairs = scored_pairs([{"Matricule": "S1"}], missions, [{"Matricule": "S1"}])
    best = solve_plan(pairs, SETTINGS)
    assert int(best.chosen.sum()) == 2
    assert plan_violations(pairs, best.chosen, SETTINGS) == []


def test_six_days_a_week_counts_the_plans_own_missions():
    missions = [{"N° mission": f"M{d}", "Date": f"{d}/11/2026", "Début": "09:00", "Fin": "13:00"}
                for d in range(23, 30)]  # Monday to Sunday
    pairs = scored_pairs([{"Matricule": "S1"}], missions, [{"Matricule": "S1"}])
    best = solve_plan(pairs, SETTINGS)
    assert int(best.chosen.sum()) == 6
    assert plan_violations(pairs, best.chosen, SETTINGS) == []


def test_forty_eight_hours_a_week_counts_the_plans_own_missions():
    missions = [{"N° mission": f"M{d}", "Date": f"{d}/11/2026", "Début": "08:00", "Fin": "17:30"}
                for d in range(23, 29)]  # 6 × 9.5 h = 57 h
    pairs = scored_pairs([{"Matricule": "S1"}], missions, [{"Matricule": "S1"}])
    best = solve_plan(pairs, SETTINGS)
    assert int(best.chosen.sum()) == 5  # 47.5 h
    assert plan_violations(pairs, best.chosen, SETTINGS) == []


def test_overlap_cliques_by_time_sweep():
    pairs = pd.DataFrame({
        "e": [0, 0, 0, 0, 1],
        "date": pd.to_datetime(["2026-11-24"] * 5),
        "start": pd.to_datetime(["2026-11-24 09:00", "2026-11-24 10:00", "2026-11-24 12:00",
                                 "2026-11-24 13:00", "2026-11-24 09:00"]),
        "end": pd.to_datetime(["2026-11-24 13:00", "2026-11-24 11:00", "2026-11-24 14:00",
                               "2026-11-24 15:00", "2026-11-24 18:00"]),
    })
    # 09–13 meets 10–11 and 12–14; 12–14 meets 13–15; 10–11 and 12–14 do not meet
    assert sorted(overlap_cliques(pairs)) == [[0, 1], [0, 2], [2, 3]]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_plans_are_conflict_free_and_no_worse_than_greedy(seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    employees = [{"Matricule": f"S{i}", "Latitude": 48.8 + rng.random() * 0.2,
                  "Longitude": 2.3 + rng.random() * 0.2, "Rayon km": 40} for i in range(6)]
    slots = [("08:00", "12:00"), ("09:00", "17:00"), ("13:00", "19:00"), ("18:00", "23:00"),
             ("06:00", "10:00")]
    missions = []
    for k in range(25):
        start, end = slots[int(rng.integers(len(slots)))]
        missions.append({"N° mission": f"M{k:02d}", "Date": f"{int(rng.integers(23, 30))}/11/2026",
                         "Début": start, "Fin": end})
    pairs = scored_pairs(employees, missions, [{"Matricule": e["Matricule"]} for e in employees])
    best, greedy = solve_plan(pairs, SETTINGS), greedy_plan(pairs, SETTINGS)
    assert plan_violations(pairs, best.chosen, SETTINGS) == []
    assert plan_violations(pairs, greedy.chosen, SETTINGS) == []
    assert (best.chosen.sum(), -best.total_cost(pairs)) >= (greedy.chosen.sum(), -greedy.total_cost(pairs))
