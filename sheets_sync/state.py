"""The tool's own state, in the workbook: the ``État`` tab (one JSON record per key) and the
``Envois`` tab (the outbox). Read from the run's snapshot, changed in memory by the steps and
their acts, and turned into change sets for the run's writes: the workbook is the only state.

A record of ``État`` is found by its key ``kind:key`` (``mandat:M0001``). A key written twice
(two runs creating it at once on Google) reads as its last row, and is updated there.

A row of ``Envois`` is one outside effect (an e-mail, a kit order line…): its ``Effet`` is the
effect's stable id, its ``Id`` is ``Effet`` plus the run that planned it, so two runs that plan
the same effect at once add two rows and the first one in the sheet wins
(:func:`rules.outbox.winner`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from .changes import CELL_MAX, ChangeSet
from .parsing import cell_text
from .schema import OUTBOX, STATE
from .table import CellChange, Table

RECORD_MAX = CELL_MAX - 100  # a record's JSON fits one cell


def dumps(record: dict) -> str:
    """A record as the compact JSON of its cell (keys sorted: the same record, the same text)."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def loads(text: Any) -> dict:
    """A cell's JSON record; ``{}`` for a blank or unreadable cell (a person's edit)."""
    try:
        value = json.loads(cell_text(text) or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _rows(table: Table | None) -> list[dict[str, Any]]:
    """The tab's rows, in sheet order, as ``{column: value}`` (duplicates kept)."""
    if table is None or not table.raw.rows:
        return []
    out = []
    for number, line in enumerate(table.raw.rows[1:], start=2):
        row = {name: (line[i - 1] if i - 1 < len(line) else None) for name, i in table.columns.items()}
        if any(cell_text(v) for v in row.values()):
            row["_row"] = number
            out.append(row)
    return out


class StateStore:
    """The ``État`` records of a run: ``get``/``put`` by kind and key; :meth:`flush` turns the
    records changed since the last flush into changes (a new key appended, an existing one's
    ``Données`` updated, compared before write like any cell)."""

    def __init__(self, table: Table | None) -> None:
        self.records: dict[str, dict] = {}
        self.sheet_text: dict[str, str] = {}  # what the sheet holds (or will, once the planned write lands)
        self.sheet_stamp: dict[str, str] = {}
        for row in _rows(table):
            key = cell_text(row.get("Clé"))
            if key:
                self.records[key] = loads(row.get("Données"))
                self.sheet_text[key] = cell_text(row.get("Données"))
                self.sheet_stamp[key] = cell_text(row.get("Mis à jour"))
        self.dirty: dict[str, tuple | None] = {}  # key -> the slot its change follows (or None)

    @staticmethod
    def _key(kind: str, key: str) -> str:
        return f"{kind}:{key}"

    def kind(self, kind: str) -> dict[str, dict]:
        """Every record of ``kind``, by its own key."""
        prefix = kind + ":"
        return {k[len(prefix):]: r for k, r in self.records.items() if k.startswith(prefix)}

    def get(self, kind: str, key: str) -> dict | None:
        """The record of ``kind:key``, ``None`` when there is none."""
        return self.records.get(self._key(kind, key))

    def has_kind(self, kind: str) -> bool:
        """Whether any record of ``kind`` exists."""
        prefix = kind + ":"
        return any(k.startswith(prefix) for k in self.records)

    def put(self, kind: str, key: str, record: dict, follows: tuple | None = None) -> None:
        """Set the record of ``kind:key`` (written at the next :meth:`flush`; with ``follows``, a
        cell or guard slot: only if that one is written)."""
        full = self._key(kind, key)
        self.records[full] = dict(record)
        self.dirty[full] = follows or self.dirty.get(full)

    def update(self, kind: str, key: str, follows: tuple | None = None, **fields: Any) -> dict:
        """Set ``fields`` on the record of ``kind:key`` (created when missing); the record."""
        full = self._key(kind, key)
        record = dict(self.records.get(full) or {})
        record.update(fields)
        self.records[full] = record
        self.dirty[full] = follows or self.dirty.get(full)
        return record

    def flush(self, changes: ChangeSet, task: str, now: str) -> None:
        """Add the changes that write the records changed since the last flush."""
        appended: dict[tuple | None, list[dict]] = {}
        for full, follows in self.dirty.items():
            text = _fit(self.records[full])
            old = self.sheet_text.get(full)
            if old == text:
                continue
            if old is None:
                appended.setdefault(follows, []).append({"Clé": full, "Données": text, "Mis à jour": now})
            else:
                changes.add(task, CellChange(STATE.name, full, "Données", old, text), follows=follows)
                changes.add(task, CellChange(STATE.name, full, "Mis à jour", self.sheet_stamp.get(full, ""), now),
                            follows="Données")
            self.sheet_text[full], self.sheet_stamp[full] = text, now
        for follows, rows in appended.items():
            changes.append(task, STATE.name, rows, follows=follows)
        self.dirty = {}


def _fit(record: dict) -> str:
    """The record's JSON, its oldest history dropped until it fits one cell."""
    text = dumps(record)
    record = dict(record)
    while len(text) > RECORD_MAX and record.get("historique"):
        record["historique"] = list(record["historique"])[1:]
        text = dumps(record)
    return text


@dataclass
class OutboxRow:
    """One row of ``Envois``."""

    id: str
    effect: str
    kind: str
    mission: str
    to: str
    state: str
    run: str
    created: str
    done: str
    detail: str
    data: dict = field(default_factory=dict)
    row: int = 0  # its sheet row (0: planned by this run, not in the sheet yet)


def outbox_rows(table: Table | None) -> list[OutboxRow]:
    """The rows of ``Envois``, in sheet order."""
    return [OutboxRow(cell_text(r.get("Id")), cell_text(r.get("Effet")), cell_text(r.get("Type")),
                      cell_text(r.get("N° mission")), cell_text(r.get("Destinataire")), cell_text(r.get("État")),
                      cell_text(r.get("Exécution")), cell_text(r.get("Créé le")), cell_text(r.get("Fait le")),
                      cell_text(r.get("Détail")), loads(r.get("Données")), int(r["_row"]))
            for r in _rows(table) if cell_text(r.get("Id"))]


def outbox_line(row: OutboxRow) -> dict[str, Any]:
    """The row as ``{column: value}`` for :meth:`ChangeSet.append`."""
    return {"Id": row.id, "Effet": row.effect, "Type": row.kind, "N° mission": row.mission,
            "Destinataire": row.to, "État": row.state, "Exécution": row.run, "Créé le": row.created,
            "Fait le": row.done, "Détail": row.detail, "Données": dumps(row.data)}


def set_row(changes: ChangeSet, task: str, row: OutboxRow, follows: tuple | None = None, **values: Any) -> None:
    """Plan changes to an outbox row's cells (``state``, ``run``, ``done``, ``detail``), compared
    with what the row holds now, and keep the row in memory up to date. With ``follows``, the
    ``Exécution`` cell (the claim) follows that slot and the others follow the claim."""
    columns = {"state": "État", "run": "Exécution", "done": "Fait le", "detail": "Détail", "created": "Créé le"}
    for attr in sorted(values, key=lambda a: a != "run"):  # the claim first: the others follow it
        value, old = values[attr], getattr(row, attr)
        if cell_text(old) != cell_text(value):
            lead = follows if attr == "run" else ("Exécution" if follows and "run" in values else None)
            changes.add(task, CellChange(OUTBOX.name, row.id, columns[attr], old, value), follows=lead)
            setattr(row, attr, value)


def by_effect(rows: Iterable[OutboxRow]) -> dict[str, list[OutboxRow]]:
    """The rows of each effect, in sheet order."""
    out: dict[str, list[OutboxRow]] = {}
    for row in rows:
        out.setdefault(row.effect, []).append(row)
    return out


__all__ = ["OutboxRow", "StateStore", "by_effect", "dumps", "loads", "outbox_line", "outbox_rows", "set_row"]
