"""The candidates of the open missions, best first: what ``suggest`` writes and ``offers`` asks.

The suggest step ranks each open mission's eligible employees (the plan's choice first, then by
cost) and keeps that order in the run's data (``data.extras["classement"]``); the offers step
reads it there, or computes it the same way when it runs alone.
"""
from __future__ import annotations

import re

import pandas as pd

from rules.eligibility import evaluate, open_missions
from rules.planning import solve_plan
from rules.scoring import score_pairs

from ..road_table import read_road_table

CLASSEMENT = "classement"  # data.extras: {N° mission: [matricule, ...]} best first
KEPT = 12  # candidates kept per mission


FIRST_CHOICE = re.compile(r"^(?:Pas de candidat libre dans le plan : )?1\. (\S+)")

def with_plan_inputs(pairs: pd.DataFrame, open_df: pd.DataFrame, missions: pd.DataFrame,
                     today: pd.Timestamp, days: int) -> pd.DataFrame:
    """Add what the plan weighs beside the cost: ``before``, the missions each employee already
    has in the horizon (fairness), and ``previous``, whether the pair was its mission's first
    suggestion in the sheet (stability: a CDBO phoning that person is not contradicted)."""
    out = pairs.copy()
    end = today + pd.Timedelta(days=days)
    held = missions[(missions["Salarié"] != "") & (missions["Statut"] != "Annulée")
                    & (missions["Date"] >= today) & (missions["Date"] <= end)]["Salarié"].value_counts()
    out["before"] = out["Matricule"].map(held).fillna(0).to_numpy(float) if len(out) else 0.0
    first = {m: (FIRST_CHOICE.match(str(text)) or [None, None])[1]
             for m, text in enumerate(open_df["Suggestions"])}
    out["previous"] = [first.get(m) == mat for m, mat in zip(out["m"], out["Matricule"])] if len(out) else False
    return out


def best_first(pairs: pd.DataFrame, top: int) -> dict[int, list[dict]]:
    """The first ``top`` pairs of each mission: the plan's choice, then by cost."""
    if pairs.empty:
        return {}
    order = pairs.assign(_later=~pairs["planned"]).sort_values(
        ["m", "_later", "cost", "km", "Matricule"], kind="stable")
    head = order.groupby("m", sort=False).head(top)
    out: dict[int, list[dict]] = {}
    for rec in head.to_dict("records"):
        out.setdefault(rec["m"], []).append(rec)
    return out



def keep_ranking(data, open_df: pd.DataFrame, pairs: pd.DataFrame) -> dict[str, list[str]]:
    """Each open mission's candidates, best first, kept in the run's data for the offers."""
    best = best_first(pairs, KEPT)
    keys = list(open_df.index)
    ranking = {str(keys[m]): [str(r["Matricule"]) for r in rows] for m, rows in best.items()}
    for key in keys:
        ranking.setdefault(str(key), [])
    data.extras.setdefault(CLASSEMENT, {}).update(ranking)
    return ranking


def ranking(data, ctx, days: int) -> dict[str, list[str]]:
    """The open missions' candidates, best first: the suggest step's of this run when it ran,
    else computed the same way (eligibility, scores, the plan)."""
    settings = ctx.settings
    s = settings.suggest
    today = pd.Timestamp(ctx.now.date())
    known = data.extras.get(CLASSEMENT)
    wanted = open_missions(data["Missions"].df, today, days).index
    if known is not None and all(str(k) in known for k in wanted):
        return known  # the suggest step of this run ranked them all (its horizon covers this one)
    horizon = max(days, s.days)
    open_df = open_missions(data["Missions"].df, today, horizon)
    road = read_road_table(settings.path(s.road_table)) if s.road_table else None
    elig = evaluate(data, settings, today, open_df, road)
    pairs = score_pairs(elig.pairs, open_df, data["Missions"].df, today, settings)
    pairs = with_plan_inputs(pairs, open_df, data["Missions"].df, today, horizon)
    plan = solve_plan(pairs, settings)
    pairs = pairs.reset_index(drop=True)
    pairs["planned"] = plan.chosen
    return keep_ranking(data, open_df, pairs)
