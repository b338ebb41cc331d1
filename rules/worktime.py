"""Working-time facts of the missions: intervals, overlaps, daily and weekly load, rest.

Pure pandas over the typed ``Missions`` frame. A mission counts for an employee when it has
a ``Salarié`` and is not ``Annulée``. The limits are :class:`WorkTime` (the ``[worktime]``
settings), one definition for the suggestions and the check.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sheets_sync.table import ROW


@dataclass(frozen=True)
class WorkTime:
    """The working-time law (``[worktime]``): hard rules of ``suggest``, findings of ``check``."""

    max_day_hours: float = 10.0  # Code du travail L3121-18
    max_week_hours: float = 48.0  # L3121-20
    max_week_days: int = 6  # L3132-1: one day of rest a week
    min_rest_hours: float = 11.0  # L3131-1: daily rest between two days' work
    max_span_hours: float = 13.0  # CCN animation commerciale art. 30: first start to last end of a day
    weekly_rest_hours: float = 35.0  # L3132-2: 24 h + the 11 h daily rest, in one piece each week
    avg_week_hours: float = 44.0  # L3121-22 (the CCN allows 46): average over ``avg_weeks`` weeks
    avg_weeks: int = 12
    min_day_hours: float = 7.0  # CCN (accord of 13/02/2006): at least 7 h a day (4 h off-store, with consent)
    minor_day_hours: float = 8.0  # minors of 16–17 (L3162-1)
    minor_week_hours: float = 35.0  # L3162-1
    minor_rest_hours: float = 12.0  # L3164-1
    minor_night: tuple[int, int] = (22, 6)  # L3163-2: no work from 22:00 to 06:00


def iso_mondays(year: pd.Series, week: pd.Series) -> pd.Series:
    """The Monday of each ISO (year, week), aligned on ``year``'s index."""
    return pd.Series([pd.Timestamp.fromisocalendar(int(y), int(w), 1) for y, w in zip(year, week)],
                     index=year.index, dtype="datetime64[ns]")


def intervals(missions: pd.DataFrame) -> pd.DataFrame:
    """One row per staffed, non-cancelled mission with complete times.

    Columns: ``mission`` (key), ``Matricule``, ``date``, ``start``, ``end`` (datetimes),
    ``hours``, ``year``/``week`` (ISO), ``_row``. Missions whose Fin is not after Début are left out.
    """
    m = missions[(missions["Salarié"] != "") & (missions["Statut"] != "Annulée")]
    m = m[m["Date"].notna() & m["Début"].notna() & m["Fin"].notna() & (m["Fin"] > m["Début"])]
    iso = m["Date"].dt.isocalendar()
    out = pd.DataFrame({
        "mission": m.index.astype(str),
        "Matricule": m["Salarié"].values,
        "date": m["Date"].values,
        "start": (m["Date"] + m["Début"]).values,
        "end": (m["Date"] + m["Fin"]).values,
        "year": iso["year"].astype(int).values,
        "week": iso["week"].astype(int).values,
        ROW: m[ROW].values,
    })
    out["hours"] = (out["end"] - out["start"]).dt.total_seconds() / 3600.0
    return out.sort_values(["Matricule", "start", "mission"]).reset_index(drop=True)


def overlapping_pairs(iv: pd.DataFrame) -> pd.DataFrame:
    """For each mission that starts before an earlier mission of the same employee has ended,
    the pair (``mission_a`` the earlier one still running, ``mission_b`` this one).

    ``iv`` is sorted by employee and start (as :func:`intervals` gives it). Linear in the number
    of missions, whatever the number of overlaps: a day of a hundred stacked missions gives a
    hundred pairs, not five thousand.
    """
    if iv.empty:
        return pd.DataFrame(columns=["Matricule", "mission_a", "mission_b"])
    who = iv["Matricule"].to_numpy()
    ends = iv["end"]
    running = ends.groupby(who, sort=False).cummax()  # the latest end so far, this row included
    position = pd.Series(np.arange(len(iv)), index=iv.index, dtype=float)
    holder = position.where(ends.to_numpy() == running.to_numpy()).groupby(who, sort=False).ffill()
    before_end = running.groupby(who, sort=False).shift(1)
    before_holder = holder.groupby(who, sort=False).shift(1)
    mask = (before_end.notna() & (iv["start"] < before_end)).to_numpy()
    missions = iv["mission"].to_numpy()
    return pd.DataFrame({
        "Matricule": who[mask],
        "mission_a": missions[before_holder.to_numpy()[mask].astype(int)],
        "mission_b": missions[mask],
    })


def grouped_lists(groups, column: str) -> list[list]:
    """``groups[column]`` as one list per group, in the groups' (sorted) order: the same as
    ``agg(list)``, without a Python call per group (the day's and the week's missions of a
    large region are tens of thousands of groups)."""
    codes = groups.ngroup().to_numpy()
    values = groups.obj[column].to_numpy()[np.argsort(codes, kind="stable")]
    bounds = np.cumsum(np.bincount(codes, minlength=groups.ngroups))[:-1]
    return [list(part) for part in np.split(values, bounds)]


def day_spans(iv: pd.DataFrame) -> pd.DataFrame:
    """Per employee and date: first start, last end, the span in hours and the missions."""
    groups = iv.groupby(["Matricule", "date"], sort=True)
    out = groups.agg(first=("start", "min"), last=("end", "max"), hours=("hours", "sum")).reset_index()
    out["missions"] = grouped_lists(groups, "mission") if len(out) else []
    out["span"] = (out["last"] - out["first"]).dt.total_seconds() / 3600
    return out


def longest_weekly_rest(iv: pd.DataFrame) -> pd.DataFrame:
    """Per employee and ISO week with work: the longest rest of that week, in hours, and the
    week's missions. A week's rests are the times without work before each of its missions
    (since the employee's previous work, whatever its week) and after its last one (until the
    next work); before the first known work and after the last, the rest is unbounded."""
    columns = ["Matricule", "year", "week", "rest", "missions"]
    if iv.empty:
        return pd.DataFrame(columns=columns)
    o = iv.sort_values(["Matricule", "start"]).reset_index(drop=True)
    who = o["Matricule"]
    gap = (o["start"] - o["end"].shift()).dt.total_seconds() / 3600
    before = gap.where(who.eq(who.shift()), math.inf)
    after = before.shift(-1).where(who.eq(who.shift(-1)), math.inf)
    weeks = o.assign(_before=before, _after=after).groupby(["Matricule", "year", "week"], sort=True)
    out = weeks.agg(_before=("_before", "max"), _after=("_after", "last")).reset_index()
    out["missions"] = grouped_lists(weeks, "mission")
    out["rest"] = out[["_before", "_after"]].max(axis=1)
    return out[columns]


def rolling_week_hours(iv: pd.DataFrame, weeks: int) -> pd.DataFrame:
    """Per employee and ISO week with work: the average hours a week over the ``weeks`` weeks
    ending with it (weeks without work count as 0), and the week's missions."""
    load = week_load(iv)
    if load.empty:
        return load.assign(average=[])
    load["monday"] = iso_mondays(load["year"], load["week"])
    # one sortable number per (employee, week), weeks counted from Monday 1/1/1900 (no date reads
    # before 1900); the offset keeps a window inside its employee's numbers
    week_no = (load["monday"] - pd.Timestamp("1900-01-01")).dt.days.to_numpy() // 7 + 10 * weeks
    key = pd.factorize(load["Matricule"], sort=True)[0].astype(np.int64) * 10_000_000 + week_no
    order = np.argsort(key, kind="stable")
    keys, hours = key[order], load["hours"].to_numpy()[order]
    summed = np.concatenate([[0.0], np.cumsum(hours)])
    first = np.searchsorted(keys, keys - (weeks - 1), side="left")  # the window's first week with work
    total = np.empty(len(load))
    total[order] = summed[np.arange(1, len(keys) + 1)] - summed[first]
    return load.assign(average=total / weeks)


def day_hours(iv: pd.DataFrame) -> pd.DataFrame:
    """Hours worked per employee and date: columns Matricule, date, hours, missions (list)."""
    groups = iv.groupby(["Matricule", "date"], sort=True)
    out = groups.agg(hours=("hours", "sum")).reset_index()
    out["missions"] = grouped_lists(groups, "mission") if len(out) else []
    return out


def week_load(iv: pd.DataFrame) -> pd.DataFrame:
    """Per employee and ISO week: hours, days worked, missions (list)."""
    groups = iv.groupby(["Matricule", "year", "week"], sort=True)
    out = groups.agg(hours=("hours", "sum"), days=("date", "nunique")).reset_index()
    out["missions"] = grouped_lists(groups, "mission") if len(out) else []
    return out


def short_rests(iv: pd.DataFrame, min_hours: float = 11.0) -> pd.DataFrame:
    """Consecutive missions of one employee on different days with less than ``min_hours`` between.

    Columns: Matricule, mission_a (earlier), mission_b (later), rest_hours.
    """
    iv = iv.sort_values(["Matricule", "start"])
    nxt = iv.groupby("Matricule")[["mission", "start", "date"]].shift(-1)
    gap = (nxt["start"] - iv["end"]).dt.total_seconds() / 3600.0
    mask = nxt["mission"].notna() & (nxt["date"] != iv["date"]) & (gap < min_hours) & (gap >= 0)
    return pd.DataFrame({
        "Matricule": iv.loc[mask, "Matricule"].values,
        "mission_a": iv.loc[mask, "mission"].values,
        "mission_b": nxt.loc[mask, "mission"].values,
        "rest_hours": gap[mask].values,
    })
