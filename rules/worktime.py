"""Working-time facts of the missions: intervals, overlaps, daily and weekly load, rest.

Pure pandas over the typed ``Missions`` frame. A mission counts for an employee when it has
a ``Salarié`` and is not ``Annulée``. Figures (10 h, 48 h, 6 days, 11 h) are settings.
"""
from __future__ import annotations

import pandas as pd

from sheets_sync.table import ROW


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
    """Pairs (``mission_a``, ``mission_b``) of one employee whose times overlap."""
    pairs = []
    for matricule, group in iv.groupby("Matricule", sort=False):
        if len(group) < 2:
            continue
        starts, ends, ids = group["start"].values, group["end"].values, group["mission"].values
        for i in range(len(group)):
            j = i + 1
            while j < len(group) and starts[j] < ends[i]:
                pairs.append((matricule, ids[i], ids[j]))
                j += 1
    return pd.DataFrame(pairs, columns=["Matricule", "mission_a", "mission_b"])


def day_hours(iv: pd.DataFrame) -> pd.DataFrame:
    """Hours worked per employee and date: columns Matricule, date, hours, missions (list)."""
    return (iv.groupby(["Matricule", "date"], sort=True)
              .agg(hours=("hours", "sum"), missions=("mission", list)).reset_index())


def week_load(iv: pd.DataFrame) -> pd.DataFrame:
    """Per employee and ISO week: hours, days worked, missions (list)."""
    return (iv.groupby(["Matricule", "year", "week"], sort=True)
              .agg(hours=("hours", "sum"), days=("date", "nunique"), missions=("mission", list))
              .reset_index())


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
