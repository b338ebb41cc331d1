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
NO_FAIRNESS = load_settings(environ={}, overrides={"suggest": {"weight_fairness": 0}})


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
    missions = [{"N° mission": f"M{d}", "Date": f"{d}/11/2026", "Début": "08:00", "Fin": "17:20"}
                for d in range(23, 29)]  # 9 h 20 − 20 min of break + 30 min of preparation: 6 × 9 h 30 = 57 h
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
    assert best.chosen.sum() >= greedy.chosen.sum()
    cheapest = solve_plan(pairs, NO_FAIRNESS)  # without the fairness term, the cost alone counts
    assert (cheapest.chosen.sum(), -cheapest.total_cost(pairs)) >= (greedy.chosen.sum(), -greedy.total_cost(pairs))


def random_instance(seed, employees=6, missions=25):
    import numpy as np

    rng = np.random.default_rng(seed)
    people = [{"Matricule": f"S{i}", "Latitude": 48.8 + rng.random() * 0.2,
               "Longitude": 2.3 + rng.random() * 0.2, "Rayon km": 40} for i in range(employees)]
    slots = [("08:00", "12:00"), ("09:00", "17:00"), ("13:00", "19:00"), ("18:00", "23:00"),
             ("06:00", "10:00")]
    rows = []
    for k in range(missions):
        start, end = slots[int(rng.integers(len(slots)))]
        rows.append({"N° mission": f"M{k:02d}", "Date": f"{int(rng.integers(23, 30))}/11/2026",
                     "Début": start, "Fin": end})
    pairs = scored_pairs(people, rows, [{"Matricule": e["Matricule"]} for e in people])
    pairs["before"] = 0.0
    pairs["previous"] = False
    return pairs


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("settings", [SETTINGS, NO_FAIRNESS], ids=["fair", "no-fairness"])
def test_the_plan_matches_an_independent_two_stage_formulation(seed, settings):
    from tests.independent_plan import independent_plan

    pairs = random_instance(seed)
    ours = solve_plan(pairs, settings)
    theirs = independent_plan(pairs, settings)
    assert ours.status == "optimal" and theirs["optimal"]
    assert ours.filled == theirs["filled"]
    assert ours.objective == pytest.approx(theirs["objective"], rel=1e-6, abs=1e-6)
    assert plan_violations(pairs, ours.chosen, settings) == []


def test_two_runs_on_the_same_data_choose_the_same_plan():
    pairs = random_instance(5, employees=8, missions=30)
    first, second = solve_plan(pairs, SETTINGS), solve_plan(pairs, SETTINGS)
    assert (first.chosen == second.chosen).all()


def test_a_first_choice_still_valid_is_kept_unless_clearly_beaten():
    # M1: S1 at 1 km is the cheapest, S2 at 3 km was suggested first last time.
    employees = [{"Matricule": "S1", "Latitude": 48.869, "Longitude": 2.363},
                 {"Matricule": "S2", "Latitude": 48.885, "Longitude": 2.363}]
    pairs = scored_pairs(employees, [{"N° mission": "M1", "Date": "24/11/2026"}],
                         [{"Matricule": "S1"}, {"Matricule": "S2"}])
    km = dict(zip(pairs["Matricule"], pairs["km"]))
    assert km["S2"] - km["S1"] < SETTINGS.suggest.stability_bonus  # within the bonus: kept
    pairs["previous"] = pairs["Matricule"] == "S2"
    assert plan_of(pairs, solve_plan(pairs, SETTINGS)) == {"M1": "S2"}
    pairs["previous"] = False
    assert plan_of(pairs, solve_plan(pairs, SETTINGS)) == {"M1": "S1"}
    far = load_settings(environ={}, overrides={"suggest": {"stability_bonus": 0.5}})
    pairs["previous"] = pairs["Matricule"] == "S2"
    assert plan_of(pairs, solve_plan(pairs, far)) == {"M1": "S1"}  # beaten by more than the bonus


def one_near_two_far(days, end: str):
    """Scored pairs of one mission a day (09:00 to ``end``) anyone can take, for three employees of
    whom S1 lives next to every store."""
    employees = [{"Matricule": "S1", "Latitude": 48.867, "Longitude": 2.363},
                 {"Matricule": "S2", "Latitude": 48.875, "Longitude": 2.363},
                 {"Matricule": "S3", "Latitude": 48.877, "Longitude": 2.363}]
    missions = [{"N° mission": f"M{d}", "Date": f"{d}/11/2026", "Début": "09:00", "Fin": end} for d in days]
    pairs = scored_pairs(employees, missions, [{"Matricule": e["Matricule"]} for e in employees])
    pairs["before"] = 0.0
    return pairs


def test_fairness_spreads_the_missions_of_a_slack_fortnight():
    pairs = one_near_two_far(range(23, 29), "13:00")  # 6 missions
    cheapest = plan_of(pairs, solve_plan(pairs, NO_FAIRNESS))
    fair = plan_of(pairs, solve_plan(pairs, SETTINGS))
    assert sorted(cheapest.values()) == ["S1"] * 6
    assert sorted(fair.values()) == ["S1", "S1", "S2", "S2", "S3", "S3"]


def test_the_cap_binds_where_a_light_fairness_would_not_spread():
    pairs = one_near_two_far(range(23, 31), "16:00")  # 8 missions on 8 days: the fairest maximum is 3
    light = load_settings(environ={}, overrides={"suggest": {"weight_fairness": 0.01}})
    plan = solve_plan(pairs, light)
    assert plan.extra["cap"] == 5 and plan.filled == 8
    assert sorted(plan_of(pairs, plan).values()).count("S1") == 5
    off = load_settings(environ={}, overrides={"suggest": {"weight_fairness": 0.01, "fairness_cap": -1}})
    assert sorted(plan_of(pairs, solve_plan(pairs, off)).values()).count("S1") > 5


@pytest.mark.parametrize("seed", [3, 11])
def test_on_a_slack_fortnight_nobody_gets_more_than_the_fairest_maximum_plus_two(seed):
    # 15 employees, 42 missions anyone could take over 14 days; the fairest maximum and the
    # cheapest plan under the cap come from an independent formulation
    from tests.independent_plan import independent_plan
    from tests.plan_scenarios import small_pairs

    pairs = small_pairs(seed, "slack", SETTINGS)
    plan = solve_plan(pairs, SETTINGS)
    filled = solve_plan(pairs, NO_FAIRNESS).filled
    fairest = next(k for k in range(1, filled + 1)
                   if independent_plan(pairs, NO_FAIRNESS, cap=k, min_fill=filled)["filled"] >= filled)
    cheapest = independent_plan(pairs, NO_FAIRNESS, cap=fairest + 2, min_fill=filled)
    assert plan.filled == filled and plan.extra["cap"] in (None, fairest + 2)  # None: the bound sufficed
    assert pairs[plan.chosen]["Matricule"].value_counts().max() <= fairest + 2
    km = float(pairs.loc[plan.chosen, "km"].sum())
    assert km <= 1.15 * float(pairs.loc[cheapest["chosen"], "km"].sum())
    assert plan_violations(pairs, plan.chosen, SETTINGS) == []


def test_the_plan_keeps_the_13_hour_span():
    # M1 07:00–11:00 and M2 16:00–21:00 on one day: 14 h; one employee can take only one
    missions = [{"N° mission": "M1", "Date": "24/11/2026", "Début": "07:00", "Fin": "11:00"},
                {"N° mission": "M2", "Date": "24/11/2026", "Début": "16:00", "Fin": "21:00"}]
    pairs = scored_pairs([{"Matricule": "S1"}], missions, [{"Matricule": "S1"}])
    best = solve_plan(pairs, SETTINGS)
    assert best.filled == 1 and plan_violations(pairs, best.chosen, SETTINGS) == []
    assert plan_violations(pairs, pairs["m"].notna().to_numpy(), SETTINGS) == ["S1 M2 : amplitude"]


def test_a_minor_is_planned_within_the_minors_limits():
    # five days of 7 h 30 for an employee of 17: 35 h a week at most, so four of them
    employees = [{"Matricule": "S1", "Date de naissance": "01/06/2009"}]
    missions = [{"N° mission": f"M{d}", "Date": f"{d}/11/2026", "Début": "09:00", "Fin": "16:30"}
                for d in range(23, 28)]
    pairs = scored_pairs(employees, missions, [{"Matricule": "S1"}])
    assert pairs["minor"].all()
    best = solve_plan(pairs, SETTINGS)
    assert best.filled == 4 and plan_violations(pairs, best.chosen, SETTINGS) == []
