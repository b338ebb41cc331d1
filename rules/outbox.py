"""The outbox's decisions: for one outside effect (an e-mail, a kit order line…), whether this
run sends it, leaves it to the run that planned it, or takes it over; and which of two rows of
one effect written at once counts. Pure: the runs, the clock and the rows are given.

Exactly once, as far as the world allows: an effect is planned as a row (``à faire``) in the
same write as the cell it explains, performed by the run whose write created (or claimed) that
row, then marked ``fait`` in that run's follow-up write. A run that dies leaves its rows
``à faire``; the next run takes them over once their run is known to be over (a process of this
machine that is gone) or, from another machine, once ``outbox.lease_minutes`` have passed since
the row was planned. A kill between the effect and the follow-up write can make that effect
happen once more (an e-mail keeps its Message-ID, so a mail server can still drop the repeat);
nothing is ever lost.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Sequence

TODO, DONE, FAILED, DUPLICATE, DROPPED = "à faire", "fait", "échec", "doublon", "abandonné"
PENDING = (TODO, FAILED)
SETTLED = (DUPLICATE, DROPPED)  # rows that no longer count

NEW, MINE, BUSY, CLAIM, ALREADY = "nouveau", "à moi", "pris", "à reprendre", "déjà fait"


@dataclass(frozen=True)
class Decision:
    """What a run does about one effect: ``nouveau`` (plan a row), ``à reprendre`` (claim the
    row ``row_id``), ``pris`` (another live run has it), ``déjà fait``."""

    verdict: str
    row_id: str = ""
    why: str = ""


def stamp(moment: dt.datetime) -> str:
    """How the outbox writes a time (Paris wall clock, to the second)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _moment(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return None


def decide(rows: Sequence, me: str, now: dt.datetime, lease_minutes: float,
           is_over: Callable[[str], bool]) -> Decision:
    """The decision for one effect from its rows (in sheet order; :class:`sheets_sync.state.OutboxRow`).

    ``is_over(run)`` says whether a run is known to be over (its process gone, or finished in
    this process). A row of a run that is over, or planned more than ``lease_minutes`` ago, is
    taken over; a row in ``échec`` (a send that failed) is taken over by the next run."""
    live = [r for r in rows if r.state not in SETTLED]
    if any(r.state == DONE for r in live):
        return Decision(ALREADY, next(r.id for r in live if r.state == DONE))
    pending = [r for r in live if r.state in PENDING]
    if not pending:
        return Decision(NEW)
    first = pending[0]
    if first.run == me:
        return Decision(MINE, first.id)
    if first.state == FAILED:
        return Decision(CLAIM, first.id, "envoi échoué à reprendre")
    if is_over(first.run):
        return Decision(CLAIM, first.id, f"exécution {first.run} terminée sans l'avoir fait")
    planned = _moment(first.created)
    if planned is not None and now - planned >= dt.timedelta(minutes=lease_minutes):
        return Decision(CLAIM, first.id, f"prévu le {first.created}, jamais fait (délai de {lease_minutes:g} min passé)")
    return Decision(BUSY, first.id, f"en cours par l'exécution {first.run}")


def winner(rows: Sequence) -> str:
    """Of the rows of one effect (in sheet order), the id of the one that counts: the first that
    is not settled aside. Two runs that added a row each at once agree on it."""
    live = [r for r in rows if r.state not in SETTLED]
    return live[0].id if live else ""


__all__ = ["ALREADY", "BUSY", "CLAIM", "DONE", "DROPPED", "DUPLICATE", "Decision", "FAILED", "MINE", "NEW",
           "PENDING", "SETTLED", "TODO", "decide", "stamp", "winner"]
