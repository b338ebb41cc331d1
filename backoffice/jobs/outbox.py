"""The run's outbox and memory, as the steps and their acts use them.

:func:`memory` is the run's :class:`~sheets_sync.state.StateStore` (the ``État`` tab), shared by
the steps of one run. :class:`Outbox` plans each outside effect as a row of ``Envois``
(:func:`rules.outbox.decide`), tells an act which rows are its own once the write is done
(:meth:`Outbox.mine`), and records what the act did (:meth:`Outbox.done`, :meth:`Outbox.failed`).
A run is ``<random>@<machine>:<process>``: a row of a process of this machine that is gone is
taken over at once, one of another machine after ``outbox.lease_minutes``.
"""
from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from typing import Any

from rules.outbox import ALREADY, BUSY, CLAIM, DONE, DUPLICATE, FAILED, MINE, NEW, TODO, decide, stamp, winner
from sheets_sync.changes import ApplyReport, ChangeSet
from sheets_sync.schema import OUTBOX
from sheets_sync.state import OutboxRow, StateStore, by_effect, outbox_line, outbox_rows, set_row
from sheets_sync.workbook import WorkbookData

HOST = socket.gethostname()
FINISHED: set[str] = set()  # runs of this process that are over (their rows may be taken over)


def new_run_id() -> str:
    """A new run's id: ``<8 hex>@<machine>:<process>``."""
    return f"{uuid.uuid4().hex[:8]}@{HOST}:{os.getpid()}"


def run_is_over(run: str) -> bool:
    """Whether a run is known to be over: finished in this process, or its process on this
    machine is gone. A run of another machine is never known to be over (its lease decides)."""
    if run in FINISHED:
        return True
    _rand, _at, where = run.partition("@")
    host, _colon, pid = where.rpartition(":")
    if host != HOST or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False  # this process, a run not finished yet
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        return False
    return False


def memory(data: WorkbookData) -> StateStore:
    """The run's records (``État``), one store per run shared by its steps and acts."""
    store = data.extras.get("state")
    if store is None:
        store = data.extras["state"] = StateStore(data.tables.get("État"))
    return store


def _rows(data: WorkbookData) -> list[OutboxRow]:
    rows = data.extras.get("outbox")
    if rows is None:
        rows = data.extras["outbox"] = outbox_rows(data.tables.get("Envois"))
    return rows


@dataclass
class Planned:
    """An effect this run will perform if its write takes the row."""

    row: OutboxRow
    claimed: bool = False  # a row of another run taken over (else: a row this run added)


@dataclass
class Outbox:
    """One step's view of the run's outbox."""

    data: WorkbookData
    run: str
    now: Any  # datetime, Paris wall clock
    lease_minutes: float
    task: str
    planned: dict[str, Planned] = field(default_factory=dict)  # by effect

    def rows(self, kind: str | None = None) -> list[OutboxRow]:
        """The outbox rows (of one type), in sheet order."""
        return [r for r in _rows(self.data) if kind is None or r.kind == kind]

    def state_of(self, effect: str) -> str:
        """``déjà fait``, ``pris``, or ``""`` (nothing yet, or to be taken over)."""
        decision = decide(by_effect(_rows(self.data)).get(effect, []), self.run, self.now, self.lease_minutes,
                          run_is_over)
        return decision.verdict if decision.verdict in (ALREADY, BUSY) else ""

    def plan(self, changes: ChangeSet, effect: str, kind: str, mission: str, to: str,
             payload: dict | None = None, follows: tuple[str, str, str] | None = None) -> Planned | None:
        """Plan one effect: a new row, or the claim of a row left by a run that is over.
        ``None`` when it is done already or another live run has it. With ``follows`` (a cell or
        a guard), the row is written only if that one is."""
        rows = by_effect(_rows(self.data)).get(effect, [])
        decision = decide(rows, self.run, self.now, self.lease_minutes, run_is_over)
        if decision.verdict in (ALREADY, BUSY):
            return None
        if decision.verdict in (CLAIM, MINE):
            row = next(r for r in rows if r.id == decision.row_id)
            if payload:
                row.data = {**row.data, **payload}
            set_row(changes, self.task, row, follows=follows, run=self.run, state=TODO,
                    detail=f"repris : {decision.why}" if decision.why else row.detail)
            self.planned[effect] = Planned(row, claimed=True)
            return self.planned[effect]
        assert decision.verdict == NEW
        row = OutboxRow(f"{effect}#{self.run.partition('@')[0]}", effect, kind, mission, to, TODO, self.run,
                        stamp(self.now), "", "", dict(payload or {}))
        changes.append(self.task, OUTBOX.name, [outbox_line(row)], follows=follows)
        _rows(self.data).append(row)
        self.planned[effect] = Planned(row)
        return self.planned[effect]

    def mine(self, report: ApplyReport, effect: str) -> OutboxRow | None:
        """The row of ``effect`` this run must perform, if its write took it: a row it added
        (and that won, when two runs added one at once), or a row it claimed."""
        planned = self.planned.get(effect)
        if planned is None:
            return None
        row = planned.row
        if (OUTBOX.name, row.id) in report.lost:
            return None
        if planned.claimed:
            return row if report.changed(OUTBOX.name, row.id, "Exécution") else None
        return row if (OUTBOX.name, row.id) in report.appended_keys else None

    def done(self, changes: ChangeSet, row: OutboxRow, detail: str = "") -> None:
        """The effect happened: ``fait``, when, and what (the file, the address…)."""
        set_row(changes, self.task, row, state=DONE, done=stamp(self.now), detail=detail or row.detail)

    def failed(self, changes: ChangeSet, row: OutboxRow, detail: str) -> None:
        """The effect could not happen: ``échec`` and why; the next run tries again."""
        set_row(changes, self.task, row, state=FAILED, detail=detail[:300])

    def drop_stale(self, changes: ChangeSet, kind: str, wanted: set[str]) -> int:
        """Rows of ``kind`` still to do whose effect this step no longer wants (the mandate was
        redone, the mission cancelled) and whose run is over: ``abandonné``. Their count."""
        from rules.outbox import DROPPED, PENDING

        count = 0
        for row in self.rows(kind):
            if row.state in PENDING and row.effect not in wanted and row.effect not in self.planned \
                    and (row.state == FAILED or run_is_over(row.run)):
                set_row(changes, self.task, row, state=DROPPED, detail="plus nécessaire")
                count += 1
        return count


def outbox(data: WorkbookData, ctx, task: str) -> Outbox:
    """A step's view of the run's outbox."""
    return Outbox(data, ctx.run_id, ctx.now, ctx.settings.outbox.lease_minutes, task)


def guard_inputs(changes: ChangeSet, task: str, table, key: str, columns, what: str) -> tuple[str, str, str]:
    """Guard what follows by the cells of row ``key`` it was made from (``columns`` that the tab
    has): a person who changes one between the read and the write stops it. The guard's slot."""
    slot = (table.name, key, what)
    changes.guard(task, slot, [(table.name, key, c, table.raw_value(key, c)) for c in columns if c in table.columns])
    return slot


def races_lost(fresh_rows: list[OutboxRow], report: ApplyReport) -> set[str]:
    """The ids of the rows this write added whose effect another run's row (earlier in the
    sheet) won: two runs that planned the same effect at once (on a backend whose writes are not
    exclusive). Those rows are set aside as ``doublon`` and not performed."""
    mine = {key for tab, key in report.appended_keys if tab == OUTBOX.name}
    if not mine:
        return set()
    lost = set()
    for effect, rows in by_effect(fresh_rows).items():
        first = winner(rows)
        lost |= {r.id for r in rows if r.id in mine and r.id != first}
    return lost


def set_aside(changes: ChangeSet, task: str, ids: set[str]) -> None:
    """Mark the rows this run lost to another as ``doublon``."""
    from sheets_sync.table import CellChange

    for row_id in sorted(ids):
        changes.add(task, CellChange(OUTBOX.name, row_id, "État", TODO, DUPLICATE))


__all__ = ["FAILED", "FINISHED", "HOST", "Outbox", "Planned", "guard_inputs", "memory", "new_run_id", "outbox", "races_lost",
           "run_is_over", "set_aside"]
