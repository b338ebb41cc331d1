"""Working-time facts of the missions: one time model, intervals, overlaps, daily and weekly
load, rest.

**The time model** (one for ``check``, ``suggest`` and ``dossier``): a mission is two instants
in Europe/Paris, its Date + Début and its Date + Fin, an end at or before the start meaning the
next day (night merchandising, 21:00–01:00). Durations and rests are real elapsed time, across
both daylight-saving changes (French law counts real time: on the night of the spring change a
wall-clock rest of 11 h is 10 h, on the autumn night 12 h). A mission's **hours** are its
elapsed time less its break (the optional ``Pause`` column, in minutes; empty: the legal
20 minutes on a mission of 6 h or more, L3121-16), plus the paid preparation and reporting time
counted in each contract's duration (accord of 13/02/2006 art. 4.1, avenant of 15/12/2012:
``worktime.preparation_minutes``), plus the travel from the employee's previous site of the
day (travel between sites is working time, estimated from the distance:
``worktime.travel_kmh``).

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

PARIS = "Europe/Paris"


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
    min_day_hours: float = 7.0  # CCN (accord of 13/02/2006): at least 7 h per contract, preparation included
    consent_min_hours: float = 4.0  # …4 h off-store with the employee's written consent (« Accord 4 h »)
    preparation_minutes: float = 30.0  # accord 2006 art. 4.1 (avenant 15/12/2012): paid, in the contract
    default_break_minutes: float = 20.0  # L3121-16: 20 consecutive minutes once the day reaches 6 h of work
    break_from_hours: float = 6.0
    travel_kmh: float = 40.0  # travel between two sites of a day is working time: km (× suggest.road_factor) / this
    minor_day_hours: float = 8.0  # minors of 16–17 (L3162-1)
    minor_week_hours: float = 35.0  # L3162-1
    minor_rest_hours: float = 12.0  # L3164-1
    minor_night: tuple[int, int] = (22, 6)  # L3163-2: no work from 22:00 to 06:00
    minor_break_minutes: float = 30.0  # L3162-3: 30 consecutive minutes once the day exceeds 4 h 30
    minor_break_after_hours: float = 4.5
    minor_days_off: int = 2  # L3164-2: two consecutive days of rest a week


def paris_instants(wall: pd.Series) -> pd.Series:
    """Wall-clock datetimes of Paris as real instants (tz-aware): a time the spring change skips
    moves forward, a time the autumn change repeats is its first (summer) occurrence."""
    wall = pd.Series(wall)
    if getattr(wall.dt, "tz", None) is not None:
        return wall
    return wall.dt.tz_localize(PARIS, ambiguous=np.ones(len(wall), dtype=bool), nonexistent="shift_forward")


def wall_times(date: pd.Series, start: pd.Series, end: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A mission's start and end as wall-clock datetimes: an end at or before the start is on
    the next day (21:00–01:00 ends at 01:00 the day after). NaT where a cell is missing."""
    date = pd.Series(date)
    start = pd.Series(start, index=date.index)
    end = pd.Series(end, index=date.index)
    next_day = (end <= start).to_numpy(bool)
    return date + start, date + end + pd.to_timedelta(next_day.astype(np.int64), unit="D")


def mission_instants(date: pd.Series, start: pd.Series, end: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A mission's start and end as real instants in Europe/Paris (:func:`wall_times`, localised):
    21:00–01:00 lasts 4 h."""
    first, last = wall_times(date, start, end)
    return paris_instants(first), paris_instants(last)


def timed_missions(missions: pd.DataFrame, w: "WorkTime") -> pd.DataFrame:
    """Each mission of ``missions`` (Date, Début, Fin, the optional Pause) in the time model:
    ``start``, ``end`` (instants) and :func:`mission_hours`' columns, on the same index."""
    first, last = mission_instants(missions["Date"], missions["Début"], missions["Fin"])
    worked = mission_hours(first, last, missions["Pause"] if "Pause" in missions else None, w)
    return worked.assign(start=first, end=last)


def mission_hours(first: pd.Series, last: pd.Series, pause_minutes: pd.Series | None, w: "WorkTime") -> pd.DataFrame:
    """Per mission: ``elapsed`` (real hours from start to end), ``pause`` (minutes: the cell, else
    ``w.default_break_minutes`` on a mission of ``w.break_from_hours`` or more, else 0) and ``hours``, the
    working time of its contract: elapsed less the pause, plus ``w.preparation_minutes``."""
    elapsed = ((last - first).dt.total_seconds() / 3600.0).astype(float)
    default = np.where(elapsed.to_numpy(float) >= w.break_from_hours - 1e-9, w.default_break_minutes, 0.0)
    typed = (pd.to_numeric(pd.Series(pause_minutes, index=first.index), errors="coerce")
             if pause_minutes is not None else pd.Series(np.nan, index=first.index))
    pause = typed.where(typed.notna(), default).clip(lower=0).astype(float)
    hours = (elapsed - pause / 60.0).clip(lower=0) + w.preparation_minutes / 60.0
    return pd.DataFrame({"elapsed": elapsed, "pause": pause, "hours": hours, "pause_typed": typed.notna()},
                        index=first.index)


def at_night(start: pd.Series, end: pd.Series, night: tuple[int, int]) -> np.ndarray:
    """Whether each interval touches the night ``(from_hour, to_hour)`` (22 h to 6 h), in local
    time: it starts before ``to_hour``, ends after ``from_hour``, or runs past midnight."""
    night_start, night_end = night
    crosses = (end.dt.normalize() > start.dt.normalize()).to_numpy(bool)
    late = ((end.dt.hour > night_start) | ((end.dt.hour == night_start) & (end.dt.minute > 0))).to_numpy(bool)
    return (start.dt.hour < night_end).to_numpy(bool) | late | crosses


def iso_mondays(year: pd.Series, week: pd.Series) -> pd.Series:
    """The Monday of each ISO (year, week), aligned on ``year``'s index: the Monday of the week
    holding 4 January (ISO 8601's week 1), then ``week - 1`` weeks on, for all rows at once."""
    years = np.asarray(year, dtype=np.int64) - 1970
    jan4 = years.astype("datetime64[Y]").astype("datetime64[D]") + np.timedelta64(3, "D")
    weekday = (jan4.astype(np.int64) - 4) % 7  # 1970-01-05 was a Monday: day 4 of the epoch
    mondays = jan4 - weekday.astype("timedelta64[D]") + (np.asarray(week, dtype=np.int64) - 1) * np.timedelta64(7, "D")
    return pd.Series(mondays.astype("datetime64[ns]"), index=year.index)


def intervals(missions: pd.DataFrame, w: WorkTime = WorkTime(), stores: pd.DataFrame | None = None,
              road_factor: float = 1.0) -> pd.DataFrame:
    """One row per staffed, non-cancelled mission with complete times, in the time model above.

    Columns: ``mission`` (key), ``Matricule``, ``date`` (the Date, naive), ``start``, ``end``
    (instants in Europe/Paris), ``elapsed``, ``pause`` (minutes), ``pause_typed``, ``travel`` (hours
    from the previous site of the day), ``hours`` (the working time: see :func:`mission_hours`,
    travel included), ``store``, ``year``/``week`` (ISO), ``_row``. ``stores`` (the Magasins frame)
    gives the travel between two sites of a day; without it the travel is 0.
    """
    m = missions[(missions["Salarié"] != "") & (missions["Statut"] != "Annulée")]
    m = m[m["Date"].notna() & m["Début"].notna() & m["Fin"].notna()]
    iso = m["Date"].dt.isocalendar()
    worked = timed_missions(m, w)
    out = pd.DataFrame({
        "mission": m.index.astype(str),
        "Matricule": m["Salarié"].values,
        "date": m["Date"].values,
        "start": worked["start"].array,
        "end": worked["end"].array,
        "elapsed": worked["elapsed"].to_numpy(float),
        "pause": worked["pause"].to_numpy(float),
        "pause_typed": worked["pause_typed"].to_numpy(bool),
        "hours": worked["hours"].to_numpy(float),
        "store": m["Code magasin"].values if "Code magasin" in m else "",
        "year": iso["year"].astype(int).values,
        "week": iso["week"].astype(int).values,
        ROW: m[ROW].values,
    })
    out = out.sort_values(["Matricule", "start", "mission"]).reset_index(drop=True)
    out["travel"] = travel_hours(out, stores, road_factor, w.travel_kmh)
    out["hours"] = out["hours"] + out["travel"]
    return out


def travel_hours(iv: pd.DataFrame, stores: pd.DataFrame | None, road_factor: float, kmh: float) -> np.ndarray:
    """Hours of travel before each mission from the employee's previous mission of the same day
    when it is in another store: the straight line between the stores × ``road_factor`` at
    ``kmh``; 0 for a day's first mission, the same store, or an unknown position."""
    out = np.zeros(len(iv))
    if stores is None or iv.empty or kmh <= 0 or "Latitude" not in stores:
        return out
    from .geo import haversine_km

    who, day, store = iv["Matricule"].to_numpy(), iv["date"].to_numpy(), iv["store"].to_numpy()
    moved = np.flatnonzero((who[1:] == who[:-1]) & (day[1:] == day[:-1]) & (store[1:] != store[:-1])) + 1
    if not len(moved):
        return out
    lat = pd.Series(store).map(stores["Latitude"]).to_numpy(float)
    lon = pd.Series(store).map(stores["Longitude"]).to_numpy(float)
    km = haversine_km(lat[moved - 1], lon[moved - 1], lat[moved], lon[moved]) * road_factor
    out[moved] = np.nan_to_num(np.asarray(km, dtype=float) / kmh)
    return out


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
    holder = position.where(ends.to_numpy("datetime64[ns]") == running.to_numpy("datetime64[ns]")).groupby(who, sort=False).ffill()
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
