"""The queue of IVR calls a person must look at (the ``Appels SVI`` tab), as data.

A call that confirmed nothing (unmatched, or that did not go through) gets a row with a stable
id; a CDBO types a N° mission to link it, or a reason to reject it. Pure: what a typed row
asks for, and what it earns; the presence job writes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd


from .presence import CONFIRMED, LATE

TO_DO, LINKED, REJECTED, TO_FIX, SETTLED = "à traiter", "rattaché", "rejeté", "à corriger", "sans objet"
ABANDONED = "appel non abouti"


def call_digits(phone: str, number: str, code: str) -> str:
    """The caller's last 4 digits (the code's when the number is hidden), ``0`` when none: with
    the call's time to the second, the queue id ``A-20261127-091205-5678``, the same in every run
    that reads the same export."""
    digits = re.sub(r"\D", "", phone or number or "") or re.sub(r"\D", "", code or "") or "0"
    return digits[-4:]


def parse_call_time(text: str) -> pd.Timestamp | None:
    """The call time back from ``Heure``; ``None`` when a person changed it into something else."""
    for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"):
        try:
            return pd.Timestamp(pd.to_datetime(str(text).strip(), format=fmt))
        except (ValueError, TypeError):
            continue
    return None


def is_settled(state: str) -> bool:
    """Whether a row was linked, rejected or settled by a later call already (the tool never
    looks at it again)."""
    return str(state).startswith((LINKED, REJECTED, SETTLED))


@dataclass(frozen=True)
class Link:
    """What a call linked by a person earns: the mission, its presence and the call time."""

    mission: str
    presence: str
    time: pd.Timestamp


def linked_presence(time: pd.Timestamp, date: pd.Timestamp, start, grace_minutes: int) -> str | None:
    """``Confirmée`` or ``En retard`` for a call at ``time`` on a mission (``start``: a
    time-of-day Timedelta); ``None`` when the call is not of the mission's day. A person linked
    it: a call after the end is late, not refused."""
    if pd.isna(date) or time.normalize() != date.normalize():
        return None
    if pd.isna(start) or time <= date + start + pd.Timedelta(minutes=grace_minutes):
        return CONFIRMED
    return LATE
