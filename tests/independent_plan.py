"""An independent formulation of the suggestion plan, to check ``rules.planning`` against.

The same objective (the most missions filled; then, at that fill, the lowest cost less the
urgency and stability bonuses, plus the same fairness term), written the plain way: one row per pair of overlapping, too-close or
too-wide (13 h span) missions of an employee, every day and week row written whether it can bind or not,
an indicator per employee-day for the days of the week, nothing fixed before the solver, two
plain ``scipy.optimize.milp`` calls. Slow, but hard to get wrong.
"""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from rules.planning import fair_share, urgency


def independent_plan(pairs: pd.DataFrame, settings, time_limit_s: float = 120.0, cap: int | None = None,
                     min_fill: int | None = None) -> dict:
    """``{"filled", "cost", "chosen", "optimal"}`` of the two-stage model on ``pairs``; with
    ``cap``, nobody gets more than ``cap`` missions; with ``min_fill``, the first stage is
    skipped and at least that many missions are filled."""
    w, s = settings.worktime, settings.suggest
    pairs = pairs.reset_index(drop=True)
    n = len(pairs)
    rows: list[tuple[dict[int, float], float]] = []
    for _m, group in pairs.groupby("m"):
        rows.append(({int(i): 1.0 for i in group.index}, 1.0))
    by_emp = {e: g for e, g in pairs.groupby("e")}
    for _e, g in by_emp.items():
        for a, b in itertools.combinations(g.index, 2):
            ra, rb = pairs.loc[a], pairs.loc[b]
            if ra["m"] == rb["m"]:
                continue
            overlap = ra["start"] < rb["end"] and rb["start"] < ra["end"]
            first, second = (ra, rb) if ra["end"] <= rb["start"] else (rb, ra)
            gap_h = (second["start"] - first["end"]).total_seconds() / 3600
            rest = first["date"] != second["date"] and gap_h < w.min_rest_hours
            span_h = (max(ra["end"], rb["end"]) - min(ra["start"], rb["start"])).total_seconds() / 3600
            wide = ra["date"] == rb["date"] and span_h > w.max_span_hours
            if overlap or rest or wide:
                rows.append(({int(a): 1.0, int(b): 1.0}, 1.0))
        for _d, day in g.groupby("date"):
            rows.append(({int(i): float(day.at[i, "hours"]) for i in day.index},
                         w.max_day_hours - float(day["day_hours_before"].iloc[0])))
        for _wk, week in g.groupby(["year", "week"]):
            rows.append(({int(i): float(week.at[i, "hours"]) for i in week.index},
                         w.max_week_hours - float(week["week_hours_before"].iloc[0])))
    # days of the week: y[e, d] for every employee-day with a candidate mission
    days = pairs[["e", "date", "year", "week", "day_worked_before", "week_days_before"]].drop_duplicates(["e", "date"])
    y_of = {(r.e, r.date): n + k for k, r in enumerate(days.itertuples())}
    n_vars = n + len(y_of)
    for i, r in pairs.iterrows():
        rows.append(({int(i): 1.0, y_of[(r["e"], r["date"])]: -1.0}, 0.0))
    for (_e, _y, _wk), g in days.groupby(["e", "year", "week"]):
        new = [y_of[(r.e, r.date)] for r in g.itertuples() if not r.day_worked_before]
        if new:
            rows.append(({k: 1.0 for k in new}, w.max_week_days - float(g["week_days_before"].iloc[0])))
    if cap is not None:
        for _e, g in by_emp.items():
            rows.append(({int(i): 1.0 for i in g.index}, float(cap)))
    # fairness: count[e] = Σ x, and one integer variable per extra mission step
    weight = s.weight_fairness
    emp_ids = sorted(by_emp)
    extra_cols: list[float] = []
    extra_upper: list[float] = []
    extra_int: list[int] = []
    if weight > 0:
        share = fair_share(pairs)
        for e in emp_ids:
            g = by_emp[e]
            before = float(g["before"].iloc[0]) if "before" in g else 0.0
            k_max = int(g["m"].nunique())
            cols = []
            for k in range(k_max):
                cols.append(n_vars + len(extra_cols))
                extra_cols.append(weight * max(0.0, before + k + 1 - share))
                extra_upper.append(1.0)
                extra_int.append(0)
            row = {int(i): 1.0 for i in g.index}
            row.update({c: -1.0 for c in cols})
            rows.append((row, 0.0))
    total = n_vars + len(extra_cols)
    r_idx, c_idx, vals, ub = [], [], [], []
    for k, (row, bound) in enumerate(rows):
        for c, v in row.items():
            r_idx.append(k)
            c_idx.append(c)
            vals.append(v)
        ub.append(bound)
    a = sparse.csr_matrix((vals, (r_idx, c_idx)), shape=(len(rows), total))
    integrality = np.concatenate([np.ones(n_vars), np.asarray(extra_int, dtype=float)])
    upper = np.concatenate([np.ones(n_vars), np.asarray(extra_upper, dtype=float)])
    fill = np.concatenate([np.ones(n), np.zeros(total - n)])
    opts = {"time_limit": time_limit_s, "mip_rel_gap": 1e-9}
    if min_fill is not None:
        best_fill, first_ok = float(min_fill), True
    else:
        first = milp(-fill, integrality=integrality, bounds=Bounds(0, upper),
                     constraints=[LinearConstraint(a, -np.inf, ub)], options=opts)
        best_fill, first_ok = -first.fun, first.status == 0
    cost = pairs["cost"].to_numpy(float) - urgency(pairs, s.weight_urgency)
    if "previous" in pairs:
        cost = cost - s.stability_bonus * pairs["previous"].to_numpy(bool)
    c2 = np.concatenate([cost, np.zeros(n_vars - n), np.asarray(extra_cols, dtype=float)])
    floor = LinearConstraint(sparse.csr_matrix(fill), best_fill - 1e-6, np.inf)
    second = milp(c2, integrality=integrality, bounds=Bounds(0, upper),
                  constraints=[LinearConstraint(a, -np.inf, ub), floor], options=opts)
    if second.x is None:  # infeasible (a cap too low for that fill)
        return {"filled": 0, "cost": float("nan"), "objective": float("nan"), "chosen": np.zeros(n, bool),
                "optimal": False}
    chosen = second.x[:n] > 0.5
    return {"filled": int(chosen.sum()), "cost": float(pairs["cost"].to_numpy()[chosen].sum()),
            "objective": float(second.fun), "chosen": chosen,
            "optimal": first_ok and second.status == 0}
