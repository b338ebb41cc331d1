"""The follow-up of a sent mandate, as dates: reminder, escalation, and the replies' verdicts.

A mandate ``Envoyé`` and not acknowledged goes through two more steps before its store's
deadline (the mission's date minus the store's « Délai mandat »):

- **reminder** (``relance``): an e-mail to the store that repeats the mandate, from
  ``mandates.reminder_days_before`` (3) days before the deadline, at the earliest the day after
  the mandate was sent;
- **escalation** (``escalade``): the CDBO phones the store (the stores' call list), from
  ``mandates.escalation_days_before`` (0) days before the deadline, at the earliest the day
  after the reminder.

``Accusé`` or ``Refusé`` (typed by people, or read from the store's reply) ends it. Pure: the
job sends, logs and writes.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from sheets_sync.parsing import norm

REMINDER, ESCALATION = "relance", "escalade"
STAFFED = ("Proposée", "Confirmée")


def _day(stamp: str) -> dt.date | None:
    return dt.datetime.fromisoformat(stamp).date() if stamp else None


def store_deadline(mission_date: dt.date, delay_days: float, default_delay: int) -> dt.date:
    """The day by which the store wants its mandate."""
    delay = default_delay if delay_days is None or math.isnan(delay_days) else int(delay_days)
    return mission_date - dt.timedelta(days=delay)


@dataclass(frozen=True)
class Schedule:
    """When the reminder and the escalation of one sent mandate are due."""

    deadline: dt.date
    reminder_on: dt.date
    escalation_on: dt.date | None  # None until the reminder went


def schedule(record: dict, mission_date: dt.date, delay_days: float, settings) -> Schedule | None:
    """The schedule of a mandate whose record says it was sent; ``None`` when it was not."""
    sent = _day(record.get("envoye_le", ""))
    if sent is None:
        return None
    m = settings.mandates
    deadline = store_deadline(mission_date, delay_days, m.default_delay_days)
    reminder_on = max(deadline - dt.timedelta(days=m.reminder_days_before), sent + dt.timedelta(days=1))
    reminded = _day(record.get("relance_le", ""))
    escalation_on = None
    if reminded is not None:
        escalation_on = max(deadline - dt.timedelta(days=m.escalation_days_before), reminded + dt.timedelta(days=1))
    return Schedule(deadline, reminder_on, escalation_on)


def due_step(record: dict, status: str, mission_status: str, mission_date: dt.date, delay_days: float,
             today: dt.date, settings) -> str | None:
    """``relance``, ``escalade`` or ``None``: the follow-up step due today for one mission."""
    if status != "Envoyé" or mission_status not in STAFFED or mission_date < today:
        return None
    plan = schedule(record, mission_date, delay_days, settings)
    if plan is None:
        return None
    if not record.get("relance_le"):
        return REMINDER if today >= plan.reminder_on else None
    if not record.get("escalade_le") and plan.escalation_on is not None and today >= plan.escalation_on:
        return ESCALATION
    return None


# --- the stores' replies ---------------------------------------------------------------------------

ACCEPTED, REFUSED = "Accusé", "Refusé"
_QUOTE_START = re.compile(r"^(>|le .* a écrit|on .* wrote|-----\s*(message|original))", re.IGNORECASE)
_REFUSAL = re.compile(r"\brefus")


def own_text(body: str, limit: int = 40) -> str:
    """The reply's own lines: before the quoted message (``>`` lines, « Le … a écrit : »)."""
    lines = []
    for line in body.splitlines()[:200]:
        if _QUOTE_START.match(line.strip()):
            break
        lines.append(line)
        if len(lines) >= limit:
            break
    return "\n".join(lines)


def verdict(subject: str, body: str) -> str:
    """``Refusé`` when the reply's subject or own text speaks of a refusal, else ``Accusé``."""
    return REFUSED if _REFUSAL.search(norm(subject + "\n" + own_text(body))) else ACCEPTED


def find_reference(text: str, references: dict[str, str]) -> str | None:
    """The reference of ``references`` (upper case) found in ``text``, the longest first."""
    upper = text.upper()
    for ref in sorted(references, key=len, reverse=True):
        if ref in upper:
            return ref
    return None
