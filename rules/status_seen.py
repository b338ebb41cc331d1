"""Since when a mission has its status, from the check's memory (pure: the file is the job's)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

TRACKED_STATUSES = ("Proposée", "Annulée")


def next_records(missions: pd.DataFrame, records: dict[str, dict], now: dt.datetime,
                 fresh: bool) -> dict[str, dict]:
    """The memory after seeing ``missions`` at ``now``: a mission in a tracked status keeps its
    record while its status and employee stay, else gets ``now`` (``""`` on a ``fresh`` memory:
    unknown); a mission that left those statuses, or the sheet, is forgotten."""
    out: dict[str, dict] = {}
    stamp = "" if fresh else now.isoformat(sep=" ", timespec="minutes")
    tracked = missions[missions["Statut"].isin(TRACKED_STATUSES)]
    for key, status, employee in zip(tracked.index, tracked["Statut"], tracked["Salarié"]):
        old = records.get(str(key))
        if old and old.get("statut") == status and old.get("salarie") == employee:
            out[str(key)] = old
        else:
            out[str(key)] = {"statut": status, "salarie": employee, "depuis": stamp}
    return out


def seen_since(records: dict[str, dict], key, status: str, employee: str) -> pd.Timestamp | None:
    """When the check first saw mission ``key`` in ``status`` with ``employee``; ``None`` unknown."""
    record = records.get(str(key))
    if not record or record.get("statut") != status or record.get("salarie") != employee or not record.get("depuis"):
        return None
    return pd.Timestamp(record["depuis"])
