"""What the check's rule modules share: a per-run cache, the live missions, and the French
texts of dates, hours and employees in their messages."""
from __future__ import annotations

import pandas as pd

from sheets_sync.parsing import format_date, norm

from .registry import RuleContext


def cached(ctx: RuleContext, name: str, compute):
    """A value computed once per check run and shared by the rules (kept in ``ctx.cache``)."""
    cache = ctx.cache
    if name not in cache:
        cache[name] = compute()
    return cache[name]


def norm_series(values: pd.Series) -> pd.Series:
    """:func:`norm` of each value, computed once per distinct value."""
    return values.map({v: norm(v) for v in values.unique()})


def live_missions(ctx: RuleContext) -> pd.DataFrame:
    """Missions that are not ``Annulée`` (filtered once per check run: a dozen rules start from
    them, and none changes the frame)."""
    def compute():
        missions = ctx.data["Missions"].df
        return missions[missions["Statut"] != "Annulée"]

    return cached(ctx, "live_missions", compute)


def _labels(ctx: RuleContext) -> dict:
    e = ctx.data["Salariés"].df
    return dict(zip(e.index, e.index.astype(str) + " (" + e["Prénom"] + " " + e["Nom"] + ")"))


def employee_label(ctx: RuleContext, matricule: str) -> str:
    """``S0001 (Léa Martin)``, or the matricule alone when it is unknown."""
    labels = ctx.cache.get("labels")  # asked once per finding: no closure, one lookup
    if labels is None:
        labels = ctx.cache["labels"] = _labels(ctx)
    return labels.get(matricule, str(matricule))


def day(value) -> str:
    """``JJ/MM/AAAA``, ``?`` when there is no date."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return "?"
    return format_date(value)


def in_days(n: int) -> str:
    """« aujourd'hui », « demain », « dans 3 jours »: when something is, from today."""
    n = int(n)
    return {0: "aujourd'hui", 1: "demain"}.get(n, f"dans {n} jours")


def days_text(n: int) -> str:
    """« 1 jour », « 7 jours »."""
    n = int(n)
    return f"{n} jour{'s' if abs(n) > 1 else ''}"


def hours_text(hours: float) -> str:
    """``10 h 30`` from 10.5."""
    minutes = int(round(hours * 60))
    h, m = divmod(minutes, 60)
    return f"{h} h {m:02d}" if m else f"{h} h"


def assigned_intervals(ctx: RuleContext) -> pd.DataFrame:
    """The staffed, non-cancelled missions as work intervals (``rules.worktime.intervals``: real
    instants, breaks, preparation and the travel between two stores of a day), computed once per
    check run."""
    from .worktime import intervals

    return cached(ctx, "intervals", lambda: intervals(
        ctx.data["Missions"].df, ctx.settings.worktime, ctx.data["Magasins"].df, ctx.settings.suggest.road_factor))


def assigned_day_spans(ctx: RuleContext) -> pd.DataFrame:
    """Each employee's working days (``rules.worktime.day_spans`` of the assigned intervals),
    computed once per check run: the span and the short-day rules read the same table."""
    from .worktime import day_spans

    return cached(ctx, "day_spans", lambda: day_spans(assigned_intervals(ctx)))


def missions_text(ids) -> str:
    """``M1, M2``: the N° mission of a day's or a week's work."""
    return ", ".join(map(str, ids))


def medical_expiries(ctx: RuleContext) -> pd.Series:
    """Each employee's medical check expiry (``check.medical_months`` after the visit; NaT
    without one), by Matricule, computed once per check run."""
    from .training import medical_expiry

    def compute():
        employees = ctx.data["Salariés"].df
        expiry = medical_expiry(employees["Visite médicale"], ctx.settings.check.medical_months)
        expiry.index = employees.index
        return expiry

    return cached(ctx, "medical_expiries", compute)
