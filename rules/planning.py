"""The conflict-free plan: one first candidate per open mission, over the whole horizon.

A mixed-integer program solved by HiGHS (``scipy.optimize.milp``), over the sparse eligible
pairs (the columns of ``pairs``: e, m, cost, date, start, end, hours, year, week and the
loads already assigned: day_hours_before, day_worked_before, week_hours_before,
week_days_before — see rules/eligibility.py).

Variables: x[p] ∈ {0, 1} for each eligible pair p; y[e, d] ∈ {0, 1} "works on day d" only
for the employee-weeks where the 6-days rule could bind; u[e, k] ≥ 0, the k-th mission of
employee e in the horizon (fairness).

The objective is lexicographic, solved in two stages:

1. **fill**: maximise Σ x, the missions filled;
2. **cost**: at that fill (each filled mission is worth more than any cost difference, and a
   plan short of the first stage's count is set aside), minimise
   Σ (cost[p] − urgency[p] − stability·previous[p])·x[p] + Σ fairness·max(0, before[e] + k − share)·u[e, k],
   where Σ_p x[p] ≤ Σ_k u[e, k] for each employee. ``urgency`` favours the missions that come
   soon (``suggest.weight_urgency`` on the horizon's first day, 0 on its last); a mission's
   first suggestion of the previous run keeps a bonus (``suggest.stability_bonus``: no
   reshuffling on ties, a CDBO phoning that person is not contradicted an hour later); and each
   mission of an employee beyond the fair share (the horizon's open and held missions per
   employee) costs ``suggest.weight_fairness`` times its rank above it (a convex term: the load
   spreads unless a clearly cheaper plan is worth it).
2b. **the cap** (with fairness on and ``suggest.fairness_cap`` ≥ 0): nobody gets more than the
   fairest possible maximum z (the fewest missions the busiest employee can get at that fill,
   :func:`fairest_maximum`) + ``fairness_cap``. When stage 2's busiest employee is within the
   fill per employee (a lower bound of z) + ``fairness_cap``, that holds; otherwise z is solved
   for and, if stage 2 breaks it, stage 2 runs again with rows Σ x[e] ≤ cap.

Constraints (all "≤"):
- each mission: Σ x ≤ 1;
- no overlap: for each employee and day, one row per maximal set of mutually overlapping
  candidate missions (the maximal cliques of an interval graph, found by a time sweep);
- rest (``[worktime] min_rest_hours``): x[a] + x[b] ≤ 1 for two candidate missions of one
  employee on consecutive days with less rest between them;
- hours: Σ hours·x ≤ the day limit − hours already assigned that day; ≤ the week limit − hours
  of that ISO week (only rows that can bind are written);
- days: x[p] ≤ y[e, date(p)] and Σ y ≤ the week's days − days already worked that week (exact,
  with indicator variables; days already worked cost nothing more).

With a time limit, each stage keeps the best plan found; the result says how far the cost may
be from optimal (HiGHS' dual bound and gap).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

EPS = 1e-9


@dataclass
class PlanResult:
    """The solver's plan: the pairs chosen, and what is known of its quality."""

    chosen: np.ndarray  # bool per pair row
    status: str  # "optimal", "limite de temps", "greedy", "vide"
    seconds: float
    variables: int = 0
    rows: int = 0
    extra: dict = field(default_factory=dict)
    filled: int = 0  # missions given a candidate
    bound: float = math.nan  # the solver's lower bound of the second stage's objective
    gap: float = math.nan  # relative distance of that objective to its bound (0: proven optimal)
    objective: float = math.nan  # the second stage's objective (cost + fairness − stability)

    def total_cost(self, pairs: pd.DataFrame) -> float:
        """The plan's total cost over ``pairs`` (the scores only, without fairness or stability)."""
        return float(pairs["cost"].to_numpy()[self.chosen].sum())


class _Rows:
    """Sparse "≤" rows in COO form."""

    def __init__(self) -> None:
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.ub: list[float] = []

    def add(self, cols, vals, ub: float) -> None:
        cols = np.asarray(cols, dtype=np.int64)
        self.r.append(np.full(len(cols), len(self.ub), dtype=np.int64))
        self.c.append(cols)
        self.v.append(np.broadcast_to(np.asarray(vals, dtype=float), cols.shape).copy())
        self.ub.append(float(ub))

    def add_many(self, row_ids, cols, vals, ubs) -> None:
        """Rows given as (local row id per entry, col, val) with one ub per local row."""
        base = len(self.ub)
        self.r.append(np.asarray(row_ids, dtype=np.int64) + base)
        self.c.append(np.asarray(cols, dtype=np.int64))
        self.v.append(np.asarray(vals, dtype=float))
        self.ub.extend(float(u) for u in ubs)

    def matrix(self, n_cols: int):
        if not self.ub:
            return None, None
        a = sparse.csr_matrix((np.concatenate(self.v), (np.concatenate(self.r), np.concatenate(self.c))),
                              shape=(len(self.ub), n_cols))
        return a, np.array(self.ub)


def overlap_cliques(pairs: pd.DataFrame) -> list[list[int]]:
    """Maximal sets (≥ 2) of one employee's candidate missions overlapping in time, per day."""
    p = pairs.sort_values(["e", "date", "start"], kind="stable")
    e, d = p["e"].to_numpy(), p["date"].to_numpy()
    start = p["start"].to_numpy("datetime64[ns]").astype(np.int64)
    end = p["end"].to_numpy("datetime64[ns]").astype(np.int64)
    idx = p.index.to_numpy()
    # only groups whose consecutive intervals could overlap need a sweep
    same = (e[1:] == e[:-1]) & (d[1:] == d[:-1])
    bounds = np.flatnonzero(np.concatenate(([True], ~same, [True])))
    cliques: list[list[int]] = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        if hi - lo < 2:
            continue
        run_end = np.maximum.accumulate(end[lo:hi])
        if not (start[lo + 1:hi] < run_end[:-1]).any():
            continue  # no overlap in this employee-day
        events = sorted([(int(end[k]), 0, int(idx[k])) for k in range(lo, hi)] +
                        [(int(start[k]), 1, int(idx[k])) for k in range(lo, hi)])
        active: set[int] = set()
        grown = False
        for _t, kind, k in events:
            if kind == 1:
                active.add(k)
                grown = True
            else:
                if grown and len(active) >= 2:
                    cliques.append(sorted(active))
                grown = False
                active.discard(k)
    return cliques


def rest_conflicts(pairs: pd.DataFrame, min_rest_hours: float, minor_rest_hours: float | None = None) -> pd.DataFrame:
    """Pairs of pair rows (a on day d, b on day d+1, same employee) less than the rest apart
    (``minor_rest_hours`` for an employee under 18, column ``minor``)."""
    left = pairs[["e", "date", "end"]].assign(a=pairs.index, date=pairs["date"] + pd.Timedelta(days=1))
    right = pairs[["e", "date", "start"]].assign(b=pairs.index)
    j = left.merge(right, on=["e", "date"])
    gap = (j["start"] - j["end"]).dt.total_seconds() / 3600.0
    need = np.full(len(j), min_rest_hours)
    if minor_rest_hours is not None and "minor" in pairs:
        need = np.where(pairs["minor"].to_numpy(bool)[j["a"].to_numpy()], max(min_rest_hours, minor_rest_hours), need)
    return j.loc[(gap < need - EPS).to_numpy(), ["a", "b"]]


def span_conflicts(pairs: pd.DataFrame, max_span_hours: float) -> list[tuple[int, int]]:
    """Two candidate missions of one employee on one day that, with the work already assigned
    that day, would span more than ``max_span_hours`` from first start to last end."""
    out = []
    limit = pd.Timedelta(hours=max_span_hours)
    has_day = "day_first" in pairs
    if pairs.empty:
        return out
    groups = pairs.groupby(["e", "date"], sort=False)
    wide = (groups["end"].transform("max") - groups["start"].transform("min") > limit) & (groups["m"].transform("size") > 1)
    for _key, g in pairs[wide.to_numpy()].groupby(["e", "date"], sort=False):  # the few days that can break it
        rows = list(g.itertuples())
        for i, a in enumerate(rows):
            for b in rows[i + 1:]:
                if a.m == b.m:
                    continue
                first, last = min(a.start, b.start), max(a.end, b.end)
                if has_day and pd.notna(a.day_first):
                    first, last = min(first, a.day_first), max(last, a.day_last)
                if last - first > limit:
                    out.append((a.Index, b.Index))
    return out


def solve_plan(pairs: pd.DataFrame, settings, time_limit_s: float | None = None) -> PlanResult:
    """The cheapest fair conflict-free plan among those filling the most missions (HiGHS MILP).

    The model holds each mission's ``suggest.plan_candidates`` cheapest candidates: with
    hundreds of candidates per mission the optimum is among the first few anyway, and the
    model stays small enough for the time limit. The chosen flags map back to ``pairs``.
    Optional columns of ``pairs``: ``before`` (missions the employee already has in the
    horizon) and ``previous`` (the pair was its mission's first suggestion last time).
    """
    s = settings.suggest
    t0 = time.perf_counter()
    full = pairs.reset_index(drop=True)
    # each mission's cheapest candidates only: keeps the model small when people abound
    rank = full.sort_values(["m", "cost", "km", "Matricule"], kind="stable").groupby("m").cumcount()
    kept = np.flatnonzero(rank.sort_index().to_numpy() < max(1, s.plan_candidates))
    result = _solve(full.iloc[kept].reset_index(drop=True), settings, time_limit_s, fair_share(full))
    chosen = np.zeros(len(full), dtype=bool)
    chosen[kept[result.chosen]] = True
    result.chosen = chosen
    result.filled = int(chosen.sum())
    result.seconds = time.perf_counter() - t0
    return result


def _constraints(pairs: pd.DataFrame, settings) -> tuple[_Rows, int, np.ndarray, int]:
    """The rows of every hard rule; returns (rows, number of variables, mission codes, missions)."""
    w = settings.worktime
    n = len(pairs)
    rows = _Rows()
    # each mission at most once
    m_codes = pd.factorize(pairs["m"])[0]
    n_missions = int(m_codes.max()) + 1
    rows.add_many(m_codes, np.arange(n), np.ones(n), np.ones(n_missions))
    # no overlap
    for clique in overlap_cliques(pairs):
        rows.add(clique, 1.0, 1.0)
    # rest across consecutive days
    rc = rest_conflicts(pairs, w.min_rest_hours, w.minor_rest_hours)
    if len(rc):
        k = np.arange(len(rc))
        rows.add_many(np.repeat(k, 2), np.column_stack([rc["a"], rc["b"]]).ravel(), np.ones(2 * len(rc)),
                      np.ones(len(rc)))
    # the daily span (first start to last end)
    for a, b in span_conflicts(pairs, w.max_span_hours):
        rows.add([a, b], 1.0, 1.0)
    hours = pairs["hours"].to_numpy(float)
    minor = pairs["minor"].to_numpy(bool) if "minor" in pairs else np.zeros(n, bool)
    # hours per day and per week (a minor's own limits), only where the cap can bind
    for keys, cap, minor_cap, before in ((["e", "date"], w.max_day_hours, w.minor_day_hours, "day_hours_before"),
                                         (["e", "year", "week"], w.max_week_hours, w.minor_week_hours,
                                          "week_hours_before")):
        g = pairs.groupby(keys, sort=False)
        gid = g.ngroup().to_numpy()
        total = np.bincount(gid, weights=hours)
        caps = np.where(np.bincount(gid, weights=minor.astype(float)) > 0, min(cap, minor_cap), cap)
        room = caps - g[before].first().to_numpy(float)
        binding = np.flatnonzero(total > room + EPS)
        if len(binding):
            sel = np.isin(gid, binding)
            local = pd.factorize(gid[sel])[0]
            order = pd.unique(gid[sel])
            rows.add_many(local, np.flatnonzero(sel), hours[sel], room[order])
    # the average over ``avg_weeks`` weeks: each window ending with a candidate week, where it can bind
    if "window_hours_before" in pairs:
        cap = w.avg_week_hours * w.avg_weeks
        monday = (pairs["date"] - pd.to_timedelta(pairs["date"].dt.weekday, unit="D")).to_numpy("datetime64[ns]")
        before = pairs["window_hours_before"].to_numpy(float)
        span = np.timedelta64(7 * w.avg_weeks, "D")
        for _e, idx in pairs.groupby("e", sort=False).indices.items():
            if hours[idx].sum() + before[idx].max() <= cap + EPS:
                continue  # even every candidate together stays within
            for week in np.unique(monday[idx]):
                sel = idx[(monday[idx] <= week) & (monday[idx] > week - span)]
                room = cap - before[idx][monday[idx] == week][0]
                if hours[sel].sum() > room + EPS:
                    rows.add(sel, hours[sel], room)
    # days worked per week: indicator y per new day, where the cap can bind
    n_vars = n
    new_day = ~pairs["day_worked_before"].to_numpy(bool)
    wk = pairs.groupby(["e", "year", "week"], sort=False)
    wid = wk.ngroup().to_numpy()
    room_days = w.max_week_days - wk["week_days_before"].first().to_numpy(int)
    day_keys = pairs.loc[new_day, ["e", "date"]]
    distinct = pd.DataFrame({"w": wid[new_day], "e": day_keys["e"].to_numpy(),
                             "d": day_keys["date"].to_numpy()}).drop_duplicates()
    n_new_days = np.bincount(distinct["w"].to_numpy(), minlength=len(room_days))
    binding_w = np.flatnonzero(n_new_days > room_days)
    if len(binding_w):
        sel = new_day & np.isin(wid, binding_w)
        keyed = pd.DataFrame({"e": pairs["e"].to_numpy()[sel], "d": pairs["date"].to_numpy()[sel],
                              "w": wid[sel], "p": np.flatnonzero(sel)})
        y_id = keyed.groupby(["e", "d"], sort=False).ngroup().to_numpy()
        n_y = int(y_id.max()) + 1
        # x[p] − y ≤ 0
        k = np.arange(len(keyed))
        rows.add_many(np.repeat(k, 2), np.column_stack([keyed["p"], n + y_id]).ravel(),
                      np.tile([1.0, -1.0], len(keyed)), np.zeros(len(keyed)))
        # Σ y ≤ room per week
        y_week = pd.Series(keyed["w"].to_numpy()).groupby(y_id).first()
        wloc = pd.factorize(y_week.to_numpy())[0]
        rows.add_many(wloc, n + y_week.index.to_numpy(), np.ones(n_y), room_days[pd.unique(y_week.to_numpy())])
        n_vars = n + n_y
    return rows, n_vars, m_codes, n_missions


def urgency(pairs: pd.DataFrame, weight: float) -> np.ndarray:
    """Each pair's bonus in the cost stage for its mission's nearness: ``weight`` for the
    horizon's first day, down to 0 for its last (among plans that fill as many missions, the
    soonest missions are filled first, unless that costs more than the bonus)."""
    if pairs.empty:
        return np.zeros(0)
    days = (pairs["date"] - pairs["date"].min()).dt.days.to_numpy(float)
    span = max(days.max(), 1.0)
    return weight * (span - days) / span


def fair_share(pairs: pd.DataFrame) -> float:
    """Missions per employee if they were shared out evenly: the open missions of the plan and
    those its employees already hold in the horizon, over those employees (rounded up)."""
    if pairs.empty:
        return 0.0
    held = pairs.groupby("e")["before"].first().sum() if "before" in pairs else 0.0
    return float(math.ceil((pairs["m"].nunique() + held) / pairs["e"].nunique()))


def _fairness_columns(pairs: pd.DataFrame, weight: float, first_col: int, share: float | None = None,
                      cap: int = 12):
    """The u[e, k] columns: their costs, and one row per employee Σ x − Σ u ≤ 0.

    An employee's missions up to the fair share (:func:`fair_share`, counting those already
    held in the horizon) cost nothing more: one column holds them all. Each one beyond costs
    ``weight`` times its rank above it (convex: the load spreads unless a clearly cheaper plan is
    worth it), one column each, the last without an upper bound so every plan stays feasible.
    Employees who cannot go beyond the share get neither columns nor a row."""
    e = pairs["e"].to_numpy()
    before = pairs.groupby("e")["before"].first() if "before" in pairs else pd.Series(0.0, index=np.unique(e))
    potential = pairs.groupby("e")["m"].nunique()
    share = fair_share(pairs) if share is None else share  # of all the candidates, not the model's only
    free = (share - before.reindex(potential.index).to_numpy(float)).clip(min=0)
    beyond = potential.to_numpy(float) - free
    coupled = potential.index.to_numpy()[beyond > 0]
    costs, upper, rows_r, rows_c, rows_v = [], [], [], [], []
    col = first_col
    for i, emp in enumerate(coupled):
        j = int(np.searchsorted(potential.index.to_numpy(), emp))
        ranks = int(min(beyond[j], cap))
        base = max(0.0, float(before.get(emp, 0.0)) - share)  # already beyond the share before the plan
        if free[j] > 0:
            costs.append(0.0)
            upper.append(float(free[j]))
            rows_r.append(i)
            rows_c.append(col)
            rows_v.append(-1.0)
            col += 1
        for k in range(ranks):
            costs.append(weight * (base + k + 1))
            upper.append(1.0 if k < ranks - 1 else np.inf)
            rows_r.append(i)
            rows_c.append(col)
            rows_v.append(-1.0)
            col += 1
    in_row = np.isin(e, coupled)
    x_rows = np.searchsorted(coupled, e[in_row])
    r = np.concatenate([x_rows, np.asarray(rows_r, dtype=np.int64)])
    c = np.concatenate([np.flatnonzero(in_row), np.asarray(rows_c, dtype=np.int64)])
    v = np.concatenate([np.ones(int(in_row.sum())), np.asarray(rows_v, dtype=float)])
    return np.asarray(costs, dtype=float), np.asarray(upper, dtype=float), (r, c, v, len(coupled))


def _milp(c, integrality, upper, a, lb_rows, ub_rows, limit: float):
    return milp(c, integrality=integrality, bounds=Bounds(0, upper),
                constraints=[LinearConstraint(a, lb_rows, ub_rows)],
                options={"time_limit": max(float(limit), 0.5), "mip_rel_gap": 1e-7, "presolve": True})


def _solve(pairs: pd.DataFrame, settings, time_limit_s: float | None, share: float | None = None) -> PlanResult:
    s = settings.suggest
    t0 = time.perf_counter()
    n = len(pairs)
    if n == 0:
        return PlanResult(np.zeros(0, bool), "vide", 0.0, objective=0.0, bound=0.0, gap=0.0)
    rows, n_vars, m_codes, n_missions = _constraints(pairs, settings)
    a, ub = rows.matrix(n_vars)
    cost = pairs["cost"].to_numpy(float) - urgency(pairs, s.weight_urgency)
    if "previous" in pairs:  # the previous run's first choices: kept unless clearly beaten
        cost = cost - s.stability_bonus * pairs["previous"].to_numpy(bool)
    limit = s.plan_time_limit_s if time_limit_s is None else time_limit_s

    # stage 1, the fill: pairs that no binding row touches are fixed first (always optimal)
    fixed, keep_c, keep_r = _fix_dominant(a, ub, n, n_missions, m_codes, cost)
    stage1 = fixed.copy()
    proven = True
    cols, rws = np.flatnonzero(keep_c), np.flatnonzero(keep_r)
    if len(cols) and len(rws):
        res = _milp(-(cols < n).astype(float), np.ones(len(cols)), 1.0, a[rws][:, cols], -np.inf, ub[rws],
                    0.4 * limit)
        if res.x is None:  # no integer solution in time: the greedy plan is always feasible
            chosen = greedy_plan(pairs, settings).chosen
            return PlanResult(chosen, "greedy", time.perf_counter() - t0, n_vars, a.shape[0], filled=int(chosen.sum()))
        proven = res.status == 0
        stage1[cols[(res.x > 0.5) & (cols < n)]] = True
    most = int(stage1.sum())

    # stage 2, the cost at that fill. Without fairness the fixed pairs stay fixed (every plan of
    # that fill has them); fairness couples an employee's pairs, so the whole model is solved.
    fairness = s.weight_fairness
    if fairness > 0:
        fixed = np.zeros(n, dtype=bool)
        cols = np.arange(n_vars)
        rws = np.arange(a.shape[0])
    sub = a[rws][:, cols] if len(cols) else None
    c2 = np.where(cols < n, cost[np.minimum(cols, n - 1)], 0.0)
    integrality, upper = np.ones(len(cols)), np.ones(len(cols))
    extra_rows, extra_ub = [], []
    if fairness > 0:
        f_cost, f_upper, (fr, fc, fv, n_emp) = _fairness_columns(pairs, fairness, n_vars, share)
        width = n_vars + len(f_cost)
        sub = sparse.csr_matrix((sub.data, sub.indices, sub.indptr), shape=(sub.shape[0], width))
        extra_rows.append(sparse.csr_matrix((fv, (fr, fc)), shape=(n_emp, width)))
        extra_ub.append(np.zeros(n_emp))
        c2 = np.concatenate([c2, f_cost])
        integrality = np.concatenate([integrality, np.zeros(len(f_cost))])
        upper = np.concatenate([upper, f_upper])
    res, cap = None, None
    if sub is not None and sub.shape[0]:
        width = sub.shape[1]
        is_x = np.zeros(width)
        is_x[: len(cols)] = (cols < n)
        # the fill first: each filled mission is worth more than any cost can differ (the floor
        # Σ x ≥ the first stage's count, as a row, stalls HiGHS' heuristics on large regions)
        spread = float(np.ptp(cost)) + (fairness * n_missions if fairness > 0 else 0.0)
        worth = max(1000.0, 10.0 * (spread + 1.0))
        c2 = c2 - worth * np.concatenate([is_x[: len(cols)], np.zeros(width - len(cols))])

        def cost_stage(more_rows, more_ub):
            full = sparse.vstack([sub] + extra_rows + more_rows).tocsr() if extra_rows or more_rows else sub
            found = _milp(c2, integrality, upper, full, -np.inf, np.concatenate([ub[rws]] + extra_ub + more_ub),
                          limit - (time.perf_counter() - t0))
            if found.x is not None and int(((found.x[: len(cols)] > 0.5) & (cols < n)).sum()) + int(fixed.sum()) < most:
                found.x = None  # the time limit stopped it short of the fill found: keep the fill
            return found

        res = cost_stage([], [])
        if fairness > 0 and s.fairness_cap >= 0 and res.x is not None:
            # nobody beyond the fairest possible maximum + fairness_cap: checked against a cheap
            # lower bound first (the fill over the employees), the exact maximum only when needed
            x = res.x[:n] > 0.5
            busiest = int(np.bincount(pd.factorize(pairs["e"])[0][x]).max()) if x.any() else 0
            if busiest > math.ceil(most / max(1, pairs["e"].nunique())) + s.fairness_cap:
                cap = fairest_maximum(a, ub, pairs, n, n_vars, stage1,
                                      0.15 * (limit - (time.perf_counter() - t0))) + int(s.fairness_cap)
                if busiest > cap:
                    capped = employee_rows(pairs, width, cap)
                    again = cost_stage([capped], [np.full(capped.shape[0], float(cap))])
                    if again.x is not None:
                        res = again
    offset = float(cost[fixed].sum())
    chosen = fixed.copy()
    if res is None:  # everything was fixed
        chosen = stage1
        objective = bound = float(cost[chosen].sum())
        gap = 0.0
    elif res.x is None:  # nothing found in time: stage 1's plan fills as much
        chosen = stage1
        objective, bound, gap, proven = float(cost[chosen].sum()), math.nan, math.nan, False
    else:
        x = res.x[: len(cols)]
        chosen[cols[(x > 0.5) & (cols < n)]] = True
        credit = worth * (int(chosen.sum()) - int(fixed.sum()))  # the fill's worth, taken back out
        objective = float(res.fun) + credit + offset
        bound = float(getattr(res, "mip_dual_bound", math.nan)) + credit + offset
        gap = max(0.0, objective - bound) / max(abs(objective), 1.0) if res.status != 0 else 0.0
        proven = proven and res.status == 0
    status = "optimal" if proven else "limite de temps"
    return PlanResult(chosen, status, time.perf_counter() - t0, n_vars, a.shape[0],
                      {"fixed_before_solver": int(fixed.sum()), "solver_variables": len(c2),
                       "solver_rows": int(len(rws)), "cap": cap},
                      filled=int(chosen.sum()), bound=bound, gap=gap, objective=objective)


def employee_rows(pairs: pd.DataFrame, width: int, cap: int):
    """One row Σ x ≤ ``cap`` per employee who has more candidate missions than ``cap`` (the others
    cannot break it), ``width`` columns wide."""
    e = pairs["e"].to_numpy()
    potential = pairs.groupby("e")["m"].nunique()
    over = potential.index.to_numpy()[potential.to_numpy() > cap]
    sel = np.flatnonzero(np.isin(e, over))
    local = np.searchsorted(over, e[sel])
    return sparse.csr_matrix((np.ones(len(sel)), (local, sel)), shape=(len(over), width))


def fairest_maximum(a, ub, pairs: pd.DataFrame, n: int, n_vars: int, filled: np.ndarray, limit: float) -> int:
    """The fewest missions the busiest employee can get among the plans that fill as many
    missions as ``filled`` (a plan of the first stage): min z at the most filled, with
    Σ x[e] ≤ z for each employee. Without a proof in ``limit`` seconds, the best z found, and at
    worst ``filled``'s own busiest employee: the cap it gives is always feasible."""
    loads = np.bincount(pd.factorize(pairs["e"])[0][filled]) if filled.any() else np.zeros(1, int)
    fallback = int(loads.max()) if len(loads) else 0
    most = int(filled.sum())
    if most == 0 or limit <= 0:
        return fallback
    width = n_vars + 1
    rows = employee_rows(pairs, width, 0)
    z = sparse.csr_matrix((-np.ones(rows.shape[0]), (np.arange(rows.shape[0]), np.full(rows.shape[0], n_vars))),
                          shape=rows.shape)
    base = sparse.csr_matrix((a.data, a.indices, a.indptr), shape=(a.shape[0], width))
    full = sparse.vstack([base, rows + z]).tocsr()
    worth = float(n + 1)  # one more mission filled is worth more than any z
    c = np.concatenate([-worth * (np.arange(n_vars) < n), [1.0]])
    integrality = np.concatenate([np.ones(n_vars), [0.0]])
    upper = np.concatenate([np.ones(n_vars), [float(n)]])
    res = _milp(c, integrality, upper, full, -np.inf, np.concatenate([ub, np.zeros(rows.shape[0])]), limit)
    if res.x is None or int((res.x[:n] > 0.5).sum()) < most:
        return fallback
    return min(fallback, int(math.ceil(res.x[n_vars] - 1e-6)))


def _fix_dominant(a, ub, n_x: int, n_missions: int, m_codes: np.ndarray, cost: np.ndarray):
    """Fix the missions whose cheapest candidate is "free" before calling the solver.

    A pair is free when it appears in no row but its mission's (rows that can never bind
    are ignored). Giving the mission that pair is then optimal: any plan can switch to it
    without breaking a row and without raising the cost. Repeated until nothing changes;
    the solver gets the rest (HiGHS' presolve finds the same, but much more slowly).
    Returns (x fixed to 1, columns kept, rows kept).
    """
    a = a.tocsr()
    n_rows, n_cols = a.shape
    keep_c = np.ones(n_cols, bool)
    keep_r = np.ones(n_rows, bool)
    fixed = np.zeros(n_x, bool)
    row_ids, col_ids = np.arange(n_rows), np.arange(n_cols)
    while True:
        r_idx, c_idx = row_ids[keep_r], col_ids[keep_c]
        if not len(r_idx) or not len(c_idx):
            break
        sub = a[r_idx][:, c_idx]
        nonneg = np.asarray(sub.min(axis=1).todense()).ravel() >= 0
        max_activity = np.asarray(sub.sum(axis=1)).ravel()
        redundant = (r_idx >= n_missions) & nonneg & (max_activity <= ub[r_idx] + EPS)
        keep_r[r_idx[redundant]] = False
        binding = sub[np.flatnonzero(~redundant & (r_idx >= n_missions))]
        occurs = np.diff(binding.tocsc().indptr)
        is_x = c_idx < n_x
        xs = c_idx[is_x]
        cand = pd.DataFrame({"col": xs, "m": m_codes[xs], "cost": cost[xs], "free": occurs[is_x] == 0})
        best = cand.sort_values(["m", "cost", "col"], kind="stable").drop_duplicates("m")
        win = best[best["free"]]
        if win.empty:
            break
        fixed[win["col"].to_numpy()] = True
        done = np.isin(m_codes[xs], win["m"].to_numpy())
        keep_c[xs[done]] = False
        keep_r[win["m"].to_numpy()] = False  # mission rows come first, row id = mission code
    return fixed, keep_c, keep_r


class _Load:
    """An employee's working time in a plan (assigned before + chosen), for greedy and checks."""

    def __init__(self) -> None:
        self.intervals: dict[tuple, list] = {}
        self.day: dict[tuple, float] = {}
        self.week: dict[tuple, float] = {}
        self.days: dict[tuple, set] = {}


def _fits(load: _Load, row, w) -> str:
    e, date = row.e, row.date
    minor = bool(getattr(row, "minor", False))
    today = load.intervals.get((e, date), ())
    for (st, en) in today:
        if st < row.end and en > row.start:
            return "chevauchement"
    firsts = [row.start] + [st for st, _en in today]
    lasts = [row.end] + [en for _st, en in today]
    if pd.notna(getattr(row, "day_first", pd.NaT)):
        firsts.append(row.day_first)
        lasts.append(row.day_last)
    if (max(lasts) - min(firsts)).total_seconds() / 3600.0 > w.max_span_hours + EPS:
        return "amplitude"
    rest = max(w.min_rest_hours, w.minor_rest_hours) if minor else w.min_rest_hours
    for other in (date - pd.Timedelta(days=1), date + pd.Timedelta(days=1)):
        for (st, en) in load.intervals.get((e, other), ()):
            gap = (st - row.end) if st >= row.end else (row.start - en)
            if gap.total_seconds() / 3600.0 < rest - EPS:
                return "repos"
    day_cap = min(w.max_day_hours, w.minor_day_hours) if minor else w.max_day_hours
    if row.day_hours_before + load.day.get((e, date), 0.0) + row.hours > day_cap + EPS:
        return "heures jour"
    wk = (e, row.year, row.week)
    week_cap = min(w.max_week_hours, w.minor_week_hours) if minor else w.max_week_hours
    if row.week_hours_before + load.week.get(wk, 0.0) + row.hours > week_cap + EPS:
        return "heures semaine"
    new_days = load.days.get(wk, set())
    if not row.day_worked_before and date not in new_days and row.week_days_before + len(new_days) + 1 > w.max_week_days:
        return "jours semaine"
    return ""


def _take(load: _Load, row) -> None:
    e, date = row.e, row.date
    load.intervals.setdefault((e, date), []).append((row.start, row.end))
    load.day[(e, date)] = load.day.get((e, date), 0.0) + row.hours
    wk = (e, row.year, row.week)
    load.week[wk] = load.week.get(wk, 0.0) + row.hours
    if not row.day_worked_before:
        load.days.setdefault(wk, set()).add(date)


def greedy_plan(pairs: pd.DataFrame, settings) -> PlanResult:
    """Baseline: missions by date and start, each takes its cheapest candidate still free."""
    t0 = time.perf_counter()
    w = settings.worktime
    pairs = pairs.reset_index(drop=True)
    chosen = np.zeros(len(pairs), dtype=bool)
    load = _Load()
    order = pairs.sort_values(["start", "m", "cost", "Matricule"], kind="stable")
    done: set[int] = set()
    for row in order.itertuples():
        if row.m in done:
            continue
        if not _fits(load, row, w):
            _take(load, row)
            chosen[row.Index] = True
            done.add(row.m)
    return PlanResult(chosen, "greedy", time.perf_counter() - t0, len(pairs))


def plan_violations(pairs: pd.DataFrame, chosen: np.ndarray, settings) -> list[str]:
    """Every broken constraint of a plan (empty when it is conflict-free)."""
    w = settings.worktime
    pairs = pairs.reset_index(drop=True)
    picked = pairs[chosen]
    out = [f"mission {m} donnée {k} fois" for m, k in picked["m"].value_counts().items() if k > 1]
    load = _Load()
    for row in picked.sort_values(["start"]).itertuples():
        why = _fits(load, row, w)
        if why:
            out.append(f"{row.Matricule} {row.mission} : {why}")
        _take(load, row)
    return out
