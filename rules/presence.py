"""Presence matching: IVR calls x the day's missions -> a status per mission, unmatched calls.

Pure pandas, no I/O. The whole day is matched with a few merges and group-bys, never a loop
over calls x missions.

Who called (first rule that answers wins):

1. ``code_saisi`` equal to a Matricule (``S0042``), ignoring case;
2. ``code_saisi`` equal to a N° mission of the day: that mission's employee, and the call
   only counts for that mission;
3. the digits of ``code_saisi`` equal the digits of one Matricule, leading zeros ignored
   (``0042``, ``42`` and ``S0042`` all give ``S0042``); when two Matricules share their
   digits (``S0042`` and ``T042``) the digits alone identify nobody;
4. the same with the digits of one N° mission of the day (``0007`` for ``M0007``);
5. the caller number equal (E.164) to the phone of exactly one employee.

Which mission a call counts for: among the caller's missions whose window
``[Début - early, Fin]`` holds the call, the one whose start is nearest (the earlier one on a
tie). A mission's *first call* is the earliest call counted for it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sheets_sync.parsing import norm
from sheets_sync.schema import PRESENCE_STATUSES

CONFIRMED, LATE, MISSING = PRESENCE_STATUSES


JOB_WORDS = {norm(w): w for w in (CONFIRMED, LATE, MISSING)}  # the job's own words


def job_word(value) -> str | None:
    """The job's word a Présence cell holds (any case), ``""`` if empty, ``None`` if a person's."""
    text = "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()
    if not text:
        return ""
    return JOB_WORDS.get(norm(text))


def next_presence(current: str, earned: str) -> str:
    """What the job writes over its own ``current`` word given the ``earned`` status.

    A call that came (Confirmée, En retard) always wins; ``Manquante`` only fills an empty
    cell or stays: it never replaces a status a call earned (the newest export may lack it).
    """
    if not earned:
        return current
    if earned == MISSING and current in (CONFIRMED, LATE):
        return current
    return earned



NO_EMPLOYEE = "salarié inconnu (numéro et code non reconnus)"
NO_MISSION = "aucune mission ce jour pour ce salarié"
OUT_OF_HOURS = "hors des horaires de ses missions du jour"


@dataclass
class PresenceMatch:
    """What the calls say about the day's missions.

    ``first_call``: by N° mission, the time of the first call counted for it (NaT if none).
    ``status``: by N° mission, ``Confirmée`` / ``En retard`` / ``Manquante``, or ``""`` while
    it is too early to say. ``unmatched``: the calls counted for no mission, with the
    columns of the calls plus ``employee`` (``""`` when unknown) and ``reason`` (French).
    """

    first_call: pd.Series
    status: pd.Series
    unmatched: pd.DataFrame


def digits_key(values: pd.Series) -> pd.Series:
    """The digits of each value without leading zeros (``S0042`` -> ``42``); ``""`` when none."""
    digits = values.astype(str).str.replace(r"\D", "", regex=True)
    stripped = digits.str.lstrip("0")
    return stripped.where(stripped != "", digits.str[:1])  # "000" -> "0", "" stays ""


def _unique_map(keys: pd.Series, values: pd.Series) -> dict[str, str]:
    """key -> value for keys held by exactly one distinct value; empty keys dropped."""
    frame = pd.DataFrame({"k": keys.to_numpy(), "v": values.to_numpy()})
    frame = frame[frame["k"] != ""].drop_duplicates()
    frame = frame[~frame["k"].duplicated(keep=False)]
    return dict(zip(frame["k"], frame["v"]))


def identify_callers(calls: pd.DataFrame, matricules: pd.Series, phones: pd.Series,
                     missions: pd.DataFrame) -> pd.DataFrame:
    """Columns ``employee`` and ``code_mission`` (``""`` when none) for each call.

    ``matricules``: every known Matricule; ``phones``: E.164 phone by Matricule;
    ``missions``: the day's missions (index N° mission, column ``employee``).
    """
    code = calls["code"].fillna("").astype(str).str.strip()
    folded = code.str.casefold()
    mission_ids = pd.Series(missions.index.astype(str), index=missions.index)
    employee_of_mission = missions["employee"].astype(str)

    exact_mat = _unique_map(matricules.str.casefold(), matricules)
    exact_mis = _unique_map(mission_ids.str.casefold(), mission_ids)
    digits_mat = _unique_map(digits_key(matricules), matricules)
    digits_mis = _unique_map(digits_key(mission_ids), mission_ids)
    by_phone = _unique_map(phones.astype(str), pd.Series(phones.index, index=phones.index))

    key = digits_key(code)
    employee = folded.map(exact_mat)
    mission = pd.Series(np.nan, index=calls.index, dtype=object)
    step = employee.isna() & folded.isin(exact_mis)
    mission[step] = folded[step].map(exact_mis)
    step = employee.isna() & mission.isna()
    employee[step] = key[step].map(digits_mat)
    step = employee.isna() & mission.isna()
    mission[step] = key[step].map(digits_mis)
    has_mission = mission.notna()
    employee[has_mission] = mission[has_mission].map(employee_of_mission)
    step = employee.isna()
    employee[step] = calls.loc[step, "phone"].fillna("").map(by_phone)
    return pd.DataFrame({"employee": employee.fillna(""), "code_mission": mission.fillna("")},
                        index=calls.index)


def assign_calls(calls: pd.DataFrame, missions: pd.DataFrame, early_minutes: int) -> pd.Series:
    """For each call (with ``employee``, ``code_mission``, ``time``), the mission it counts for.

    ``missions``: index N° mission, columns ``employee``, ``start``, ``end`` (datetime64).
    Returns a Series by call index, ``""`` for calls that fit no window.
    """
    out = pd.Series("", index=calls.index, dtype=object)
    if calls.empty or missions.empty:
        return out
    early = pd.Timedelta(minutes=early_minutes)
    left = calls.loc[calls["employee"] != "", ["employee", "code_mission", "time"]]
    left = left.rename_axis("call").reset_index()
    right = missions[["employee", "start", "end"]].rename_axis("mission").reset_index()
    pairs = left.merge(right, on="employee", how="inner")
    inside = (pairs["time"] >= pairs["start"] - early) & (pairs["time"] <= pairs["end"])
    inside &= (pairs["code_mission"] == "") | (pairs["code_mission"] == pairs["mission"])
    pairs["distance"] = (pairs["time"] - pairs["start"]).abs()
    pairs = pairs[inside]
    best = pairs.sort_values(["call", "distance", "start", "mission"]).drop_duplicates("call")
    if not best.empty:
        out.loc[best["call"].to_numpy()] = best["mission"].to_numpy()
    return out


def presence_status(first_call: pd.Series, start: pd.Series, end: pd.Series, now,
                    grace_minutes: int) -> pd.Series:
    """The status each mission earns from its first call (all Series by N° mission)."""
    limit = start + pd.Timedelta(minutes=grace_minutes)
    status = pd.Series("", index=start.index, dtype=object)
    status[first_call.notna() & (first_call <= end)] = LATE
    status[first_call.notna() & (first_call <= limit)] = CONFIRMED
    status[first_call.isna() & (pd.Timestamp(now) > limit)] = MISSING
    return status


def match_presence(calls: pd.DataFrame, matricules: pd.Series, phones: pd.Series,
                   missions: pd.DataFrame, now, early_minutes: int, grace_minutes: int
                   ) -> PresenceMatch:
    """Match the day's counted calls to the day's missions.

    ``calls``: the counted (OK) calls of the day: ``time``, ``phone``, ``code`` (+ anything
    else, kept in ``unmatched``). ``missions``: the day's missions to watch, index
    N° mission, columns ``employee``, ``start``, ``end``.
    """
    calls = calls.reset_index(drop=True)
    missions = missions.assign(end=missions[["start", "end"]].max(axis=1))
    who = identify_callers(calls, matricules, phones, missions)
    calls = calls.assign(employee=who["employee"], code_mission=who["code_mission"])
    calls["mission"] = assign_calls(calls, missions, early_minutes)
    counted = calls[calls["mission"] != ""]
    first = counted.groupby("mission")["time"].min().reindex(missions.index)
    status = presence_status(first, missions["start"], missions["end"], now, grace_minutes)

    unmatched = calls[calls["mission"] == ""].copy()
    has_mission = unmatched["employee"].isin(set(missions["employee"]))
    unmatched["reason"] = np.where(unmatched["employee"] == "", NO_EMPLOYEE,
                                   np.where(has_mission, OUT_OF_HOURS, NO_MISSION))
    unmatched = unmatched.drop(columns=["code_mission", "mission"]).sort_values(["time", "employee"])
    return PresenceMatch(first, status, unmatched.reset_index(drop=True))


@dataclass(frozen=True)
class LogFreshness:
    """Whether an IVR export can be trusted to say who did *not* call."""

    stale: bool
    last_call: pd.Timestamp | None  # the newest call of the whole export, any result, any day
    calls_today: int


def log_freshness(call_times: pd.Series, file_time: pd.Timestamp | None, now, stale_minutes: int
                  ) -> LogFreshness:
    """A log is stale when it has no call of ``now``'s day, or when both its newest call and
    its file time are more than ``stale_minutes`` older than ``now``: a failed or late export
    must not turn every mission of the day « Manquante »."""
    now = pd.Timestamp(now)
    times = call_times.dropna()
    last = times.max() if len(times) else None
    today = int((times.dt.normalize() == now.normalize()).sum()) if len(times) else 0
    limit = now - pd.Timedelta(minutes=stale_minutes)
    newest = max([t for t in (last, file_time) if t is not None], default=None)
    stale = today == 0 or newest is None or newest < limit
    return LogFreshness(stale, last, today)
