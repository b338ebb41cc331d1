"""Change sets: what a job wants written, and their safe application by key.

A job never writes. It returns a :class:`ChangeSet`; :func:`plan_changes` re-reads the
target rows right before writing, finds rows that moved, skips every cell a person changed
since the job read it, and turns the rest, plus one ``Journal`` row per change, into one
:class:`~sheets_sync.backend.WritePlan`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Iterable, NamedTuple

from .a1 import cell_ref, col_letter
from .backend import TOOL_COLORS, CellWrite, FillWrite, RawTab, WritePlan
from .parsing import cell_text, is_empty, norm, parse_text
from .reading import match_headers
from .schema import ANOMALIES, JOURNAL, LINKED, SPECS
from .table import CellChange, Highlight

JOURNAL_HEADER = list(JOURNAL.names)
ANOMALIES_HEADER = list(ANOMALIES.names)
FOLLOWS = "__follows__"  # in an appended row: the slot it follows
CELL_MAX = 32767  # characters in one cell: Excel's limit (a longer text is cut there on opening), below Google's 50,000
_CUT = " […]"


def capped(value):
    """A value we write, cut to what a cell holds (a hostile 50,000-character cell quoted in a
    message or the Journal must not fail the write)."""
    if isinstance(value, str) and len(value) > CELL_MAX:
        return value[: CELL_MAX - len(_CUT)] + _CUT
    return value


class CellEntry(NamedTuple):
    """A planned cell change and the task that made it (the Journal's ``Tâche``)."""

    task: str
    change: CellChange


class FillEntry(NamedTuple):
    """A planned fill and the task that made it."""

    task: str
    highlight: Highlight


@dataclass
class ChangeSet:
    """Cell changes, highlights and owned-tab rewrites of one job (or one ``run``).

    Each entry remembers the task that made it (the Journal's ``Tâche``). Adding a change to
    a cell already changed keeps the first ``old`` and the last ``new``.
    """

    cells: dict[tuple[str, str, str], CellEntry] = field(default_factory=dict)
    highlights: dict[tuple[str, str, str], FillEntry] = field(default_factory=dict)
    owned: dict[str, tuple[str, list[list[str]]]] = field(default_factory=dict)
    # follower slot -> leader slot: a follower is written only if its leader's change is
    follows: dict[tuple[str, str, str], tuple[str, str, str]] = field(default_factory=dict)
    # canonical tab -> (task, where the rows went, the rows as read): rows to delete (archiving)
    removals: dict[str, tuple[str, str, list[list]]] = field(default_factory=dict)
    # canonical keyed tab -> (task, rows as {column: value}): rows added at the end, each once
    appends: dict[str, tuple[str, list[dict]]] = field(default_factory=dict)
    # a guard: a slot that holds only if these cells still hold what the job read; what follows
    # it (a document's status, its e-mail) is left out otherwise
    guards: dict[tuple[str, str, str], tuple[str, list[tuple[str, str, str, object]]]] = field(default_factory=dict)

    def remove(self, task: str, tab: str, rows: list[list], destination: str) -> None:
        """Delete these rows (their whole content as read) from ``tab``: a row is deleted only if
        the re-read finds it unchanged; ``destination`` (the archive) is named in the Journal."""
        if rows:
            self.removals[tab] = (task, destination, [list(r) for r in rows])

    def append(self, task: str, tab: str, rows: list[dict], follows: tuple[str, str, str] | None = None) -> None:
        """Add rows (``{column: value}``, the key column included) at the end of a keyed tab the
        tool owns the rows of; a row whose key the re-read finds already there is not added
        again (a rerun, or a concurrent run, never duplicates it). With ``follows`` (a cell or a
        guard), not if that one is left out."""
        task0, old = self.appends.get(tab, (task, []))
        rows = [dict(r, **({FOLLOWS: follows} if follows else {})) for r in rows]
        self.appends[tab] = (task0, old + rows)  # none: the tab is created when missing

    def guard(self, task: str, slot: tuple[str, str, str], cells: list[tuple[str, str, str, object]]) -> None:
        """A slot (``(tab, key, name)``, not a real cell) that holds only if each of ``cells``
        (``(tab, key, column, value read)``) still holds the value read when the write re-reads
        it; changes and rows that follow the slot are left out otherwise (a document made from
        data a person changed meanwhile is neither marked nor sent)."""
        self.guards[slot] = (task, list(cells))

    def add(self, task: str, change: CellChange | None, follows: str | tuple[str, str, str] | None = None) -> None:
        """Plan ``change``; with ``follows`` (a column of the same row, or a ``(tab, key, column)``
        cell elsewhere), not if the change planned for that cell is left out (a mandate's file
        name follows its status; a call's « rattaché » follows the mission's presence)."""
        if change is None:
            return
        slot = (change.tab, change.key, change.column)
        if follows is not None:
            self.follows[slot] = (change.tab, change.key, follows) if isinstance(follows, str) else \
                (follows[0], str(follows[1]), follows[2])
        if slot in self.cells:
            first = self.cells[slot][1]
            change = CellChange(change.tab, change.key, change.column, first.old, change.new)
            if cell_text(change.old) == cell_text(change.new):
                del self.cells[slot]
                return
        self.cells[slot] = CellEntry(task, change)

    def planned(self, tab: str, key, column: str) -> CellChange | None:
        """The change planned for (tab, key, column), ``None`` when there is none."""
        entry = self.cells.get((tab, str(key), column))
        return entry.change if entry is not None else None

    def discard(self, tab: str, key, column: str) -> None:
        """Drop the change planned for (tab, key, column), if any (and what follows it)."""
        slot = (tab, str(key), column)
        self.cells.pop(slot, None)
        self.follows.pop(slot, None)

    def add_all(self, task: str, changes: Iterable[CellChange | None]) -> None:
        """Add each of ``changes`` for ``task``."""
        for change in changes:
            self.add(task, change)

    def highlight(self, task: str, highlight: Highlight) -> None:
        """Set (or clear) a cell's fill for ``task``."""
        self.highlights[(highlight.tab, highlight.key, highlight.column)] = FillEntry(task, highlight)

    def rewrite(self, task: str, tab: str, rows: list[list[str]]) -> None:
        """Replace the whole content (below the header) of an owned tab."""
        self.owned[tab] = (task, rows)

    def merge(self, other: "ChangeSet") -> None:
        """Take in another change set (a later step's change to a cell wins)."""
        self.follows.update(other.follows)
        self.guards.update(other.guards)
        for task, change in other.cells.values():
            self.add(task, change)
        for task, hl in other.highlights.values():
            self.highlight(task, hl)
        self.owned.update(other.owned)
        self.removals.update(other.removals)
        for tab, (task, rows) in other.appends.items():
            self.append(task, tab, rows)

    def __len__(self) -> int:
        return (len(self.cells) + len(self.highlights) + len(self.owned) + len(self.removals)
                + sum(max(1, len(rows)) for _task, rows in self.appends.values()))

    def is_empty(self) -> bool:
        """Whether there is nothing to write."""
        return len(self) == 0


@dataclass(frozen=True)
class Skipped:
    """A change not written, and why (French)."""

    task: str
    tab: str
    key: str
    column: str
    cell: str
    reason: str


@dataclass
class ApplyReport:
    """What a write did: cells written, skipped (a person changed them), fills, rows, Journal."""
    written: int = 0  # cells written in people's tabs
    highlights: int = 0
    owned_rows: dict[str, int] = field(default_factory=dict)
    journal_rows: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    requests: int = 0  # backend requests, when the backend counts them
    # (canonical tab, key, column) of every cell this write changed. What follows the sheet
    # (files, mails, partner orders) is decided on it: a cell a person changed meanwhile, or
    # that a concurrent run had already written, produces nothing here.
    wrote: set[tuple[str, str, str]] = field(default_factory=set)
    # (canonical tab, key, column) of every cell left out because a person changed it meanwhile
    # (or its row went away).
    kept: set[tuple[str, str, str]] = field(default_factory=set)
    removed_rows: dict[str, int] = field(default_factory=dict)  # archiving: canonical tab -> rows deleted
    kept_rows: int = 0  # rows to archive left in the sheet: changed since they were read
    appended_rows: dict[str, int] = field(default_factory=dict)  # canonical tab -> rows added at its end
    appended_keys: set[tuple[str, str]] = field(default_factory=set)  # (canonical tab, key) of the rows added
    lost: set[tuple[str, str]] = field(default_factory=set)  # rows added, but another run's row of the same effect won

    def changed(self, tab: str, key, column: str) -> bool:
        """Whether this write put the job's value in this cell."""
        return (tab, str(key), column) in self.wrote

    def refused(self, tab: str, key, column: str) -> bool:
        """Whether the job's value for this cell was left out (a person's edit kept)."""
        return (tab, str(key), column) in self.kept

    def merge(self, other: "ApplyReport") -> None:
        """Add a follow-up write's report to this one."""
        self.written += other.written
        self.highlights += other.highlights
        for tab, n in other.owned_rows.items():
            self.owned_rows[tab] = n
        self.journal_rows += other.journal_rows
        self.skipped += other.skipped
        self.wrote |= other.wrote
        self.kept |= other.kept
        for tab, n in other.removed_rows.items():
            self.removed_rows[tab] = self.removed_rows.get(tab, 0) + n
        self.kept_rows += other.kept_rows
        for tab, n in other.appended_rows.items():
            self.appended_rows[tab] = self.appended_rows.get(tab, 0) + n
        self.appended_keys |= other.appended_keys
        self.lost |= other.lost


def _quoted(value) -> str:
    text = parse_text(value)
    return f"« {text} »" if text else "vide"


def _row_text(line) -> tuple:
    """A row's content as text, trailing blanks dropped: how a row to archive is found again."""
    texts = [cell_text(v) for v in line]
    while texts and texts[-1] == "":
        texts.pop()
    return tuple(texts)


def _merged_reason(title: str, merged: tuple[int, int, int, int]) -> str:
    r1, c1, r2, c2 = merged
    span = f"{title}!{col_letter(c1)}{r1}:{col_letter(c2)}{r2}"
    return f"cellule fusionnée ({span}) : défusionnez ces cellules pour que la tâche puisse écrire"


def plan_changes(
    changes: ChangeSet,
    fresh: dict[str, RawTab],
    titles: dict[str, str],
    headers: dict[str, dict[str, str]],
    now: dt.datetime,
) -> tuple[WritePlan, ApplyReport]:
    """Compare every change with the freshly re-read tabs and build the write plan.

    ``fresh`` maps actual tab titles to what was just re-read; ``titles`` maps canonical tab
    names to actual ones; ``headers`` holds the header overrides per canonical tab.
    """
    return WritePlanner(fresh, titles, headers, now).plan(changes)


class WritePlanner:
    """Compares one change set with the re-read tabs: what to write, what to skip and why, and
    the Journal rows of what is written. One planner per write."""

    def __init__(self, fresh: dict[str, RawTab], titles: dict[str, str],
                 headers: dict[str, dict[str, str]], now: dt.datetime) -> None:
        self.fresh, self.titles, self.headers = fresh, titles, headers
        self.stamp = now.strftime("%Y-%m-%d %H:%M:%S")
        self.out = WritePlan(journal_tab=titles.get("Journal", "Journal"))
        self.report = ApplyReport()
        self.skipped_slots: set[tuple[str, str, str]] = set()  # a fill follows its cell: skipped together
        self._layouts: dict[str, tuple[dict[str, int], dict[str, list[int]]]] = {}
        self._header_writes: set[tuple[str, int]] = set()
        self._header_texts: dict[str, set[str]] = {}
        self._usable: dict[tuple[str, str], int] = {}  # (tab, column) -> its sheet column, header checked

    def plan(self, changes: ChangeSet) -> tuple[WritePlan, ApplyReport]:
        """The write plan and the report of the whole change set."""
        self._guards(changes)
        self._cells(changes)
        self._fills(changes)
        for canonical, (task, rows) in changes.owned.items():
            self._owned(task, canonical, rows)
        for canonical, (task, destination, rows) in changes.removals.items():
            self._removal(task, canonical, destination, rows)
        for canonical, (task, rows) in changes.appends.items():
            self._append(task, canonical, rows)
        self.report.kept = self.skipped_slots
        journal = self.titles.get("Journal", "Journal")
        if self.out.journal and journal not in self.fresh:
            self.out.new_tabs[journal] = JOURNAL_HEADER
        if self.out.journal:
            self._stamp_write_id(journal)
        self.report.journal_rows = len(self.out.journal)
        return self.out, self.report

    def _stamp_write_id(self, journal: str) -> None:
        """Give the write its id (a digest of what it writes: the same plan sent again keeps it)
        in the Journal's « Écriture » column of each of its rows; a Journal made before that
        column existed gets its header."""
        digest = hashlib.sha256()
        for line in self.out.journal:
            digest.update(repr([cell_text(v) for v in line]).encode("utf-8"))
        for w in self.out.cells:
            digest.update(repr((w.tab, w.row, w.col, cell_text(w.value))).encode("utf-8"))
        write_id = "W" + digest.hexdigest()[:11].upper()
        col = len(JOURNAL_HEADER)
        for line in self.out.journal:
            line[len(line):] = [""] * (col - 1 - len(line)) + [write_id]
        self.out.write_id, self.out.journal_id_col = write_id, col
        raw = self.fresh.get(journal)
        if raw is not None and norm(cell_text(raw.value(1, col))) != norm(JOURNAL_HEADER[-1]) \
                and is_empty(raw.value(1, col)):
            self.out.cells.append(CellWrite(journal, 1, col, JOURNAL_HEADER[-1], raw.value(1, col)))

    def _title(self, canonical: str) -> str:
        return self.titles.get(canonical, canonical)

    def _layout(self, canonical: str) -> tuple[dict[str, int], dict[str, list[int]]]:
        """The tab's column map and the rows of each key, as re-read (computed once)."""
        if canonical not in self._layouts:
            title = self._title(canonical)
            raw = self.fresh.get(title)
            if raw is None:
                self._layouts[canonical] = ({}, {})
            else:
                spec = SPECS[canonical]
                columns, _ = match_headers(spec, title, raw.rows[0] if raw.rows else [], self.headers.get(canonical))
                self._layouts[canonical] = (columns, raw.key_rows(columns[spec.key]) if spec.key else {})
        return self._layouts[canonical]

    def _locate(self, task: str, canonical: str, key: str, column: str) -> tuple[int, int] | Skipped:
        """The (row, col) of a cell found by key, or why it cannot be written; a job column the
        sheet lacks gets its header written (when that header cell is free)."""
        title = self._title(canonical)
        columns, keys = self._layout(canonical)
        rows = keys.get(key)
        if not rows:
            return Skipped(task, title, key, column, f"{title}!{key}",
                           "ligne introuvable (supprimée, ou clé modifiée entre-temps)")
        if len(rows) > 1 and SPECS[canonical].hidden:
            rows = rows[-1:]  # the tool's memory: a key written twice reads (and is updated) as its last row
        elif len(rows) > 1:
            return Skipped(task, title, key, column, f"{title}!{key}", "clé présente sur plusieurs lignes")
        col = self._usable.get((title, column))
        if col is not None:  # its header is there, or is being written: asked once per column
            return rows[0], col
        raw = self.fresh[title]
        if title not in self._header_texts:
            self._header_texts[title] = {norm(v) for v in (raw.rows[0] if raw.rows else []) if not is_empty(v)}
        col = columns[column]
        header = self.headers.get(canonical, {}).get(column, column)
        if norm(header) not in self._header_texts[title] and (title, col) not in self._header_writes:
            if not is_empty(raw.value(1, col)):
                return Skipped(task, title, key, column, cell_ref(title, rows[0], col),
                               f"colonne « {column} » absente et case d'en-tête occupée")
            self._header_writes.add((title, col))
            self.out.cells.append(CellWrite(title, 1, col, header, raw.value(1, col)))
        self._usable[(title, column)] = col
        return rows[0], col

    def _skip(self, slot, skipped: Skipped) -> None:
        self.report.skipped.append(skipped)
        self.skipped_slots.add(slot)

    def _cells(self, changes: ChangeSet) -> None:
        ordered = sorted(changes.cells.items(), key=lambda item: item[0] in changes.follows)  # leaders first
        for slot, (task, change) in ordered:
            title = self._title(change.tab)
            leader = changes.follows.get(slot)
            if leader in self.skipped_slots:
                self._skip(slot, Skipped(task, title, change.key, change.column, f"{title}!{change.key}",
                                         f"non écrite : « {leader[2]} » modifiée entre-temps"))
                continue
            where = self._locate(task, change.tab, change.key, change.column)
            if isinstance(where, Skipped):
                self._skip(slot, where)
                continue
            row, col = where
            current = self.fresh[title].value(row, col)
            ref = cell_ref(title, row, col)
            merged = self.fresh[title].merged_over(row, col)
            if merged is not None:
                self._skip(slot, Skipped(task, title, change.key, change.column, ref, _merged_reason(title, merged)))
                continue
            if cell_text(current) == cell_text(change.new):
                continue  # already there (a person or an earlier run wrote it)
            if cell_text(current) != cell_text(change.old):
                self._skip(slot, Skipped(task, title, change.key, change.column, ref,
                                         f"modifiée entre-temps ({_quoted(change.old)} → {_quoted(current)})"))
                continue
            self.out.cells.append(CellWrite(title, row, col, capped(change.new), current))
            self.report.wrote.add(slot)
            self.out.journal.append([self.stamp, task, title, capped(change.key), change.column, ref,
                                     capped(parse_text(current)), capped(parse_text(change.new))])
            if not SPECS[change.tab].hidden:  # the tool's memory and outbox are not « cells written »
                self.report.written += 1

    def _guards(self, changes: ChangeSet) -> None:
        """Each guard's cells compared with the re-read: one that changed fails the guard."""
        for slot, (task, cells) in changes.guards.items():
            for tab, key, column, read in cells:
                title = self._title(tab)
                if title not in self.fresh:
                    continue
                columns, keys = self._layout(tab)
                rows = keys.get(str(key), [])
                if len(rows) != 1 or column not in columns:
                    self._skip(slot, Skipped(task, title, str(key), column, f"{title}!{key}",
                                             "ligne introuvable ou clé modifiée entre-temps : rien n'est envoyé"))
                    break
                current = self.fresh[title].value(rows[0], columns[column])
                if cell_text(current) != cell_text(read):
                    self._skip(slot, Skipped(task, title, str(key), column, cell_ref(title, rows[0], columns[column]),
                                             f"« {column} » modifiée entre-temps ({_quoted(read)} → {_quoted(current)}) : "
                                             "le document n'est ni marqué ni envoyé ; il sera refait"))
                    break

    def _fills(self, changes: ChangeSet) -> None:
        for slot, (task, hl) in changes.highlights.items():
            if slot in self.skipped_slots:
                continue  # its value was not written (a person's edit): neither is its colour
            where = self._locate(task, hl.tab, hl.key, hl.column)
            if isinstance(where, Skipped):
                continue  # a highlight on a row that went away is simply dropped
            row, col = where
            title = self._title(hl.tab)
            if self.fresh[title].merged_over(row, col) is not None:
                continue  # no fill on a merged cell either
            current = self.fresh[title].fills.get((row, col))
            if (hl.color is not None and current in TOOL_COLORS) or (hl.color is None and current != hl.owner):
                continue
            self.out.fills.append(FillWrite(title, row, col, hl.color, current))
            self.out.journal.append([self.stamp, task, title, hl.key, hl.column, cell_ref(title, row, col),
                                     f"fond {current}" if current else "", f"fond {hl.color}" if hl.color else ""])
            self.report.highlights += 1

    def _owned(self, task: str, canonical: str, rows: list[list]) -> None:
        """An owned tab rewritten: only the rows that differ from what it holds."""
        title = self._title(canonical)
        header = list(SPECS[canonical].names)
        raw = self.fresh.get(title)
        width = len(header)

        def padded(texts: list[str]) -> list[str]:
            return texts[:width] + [""] * (width - len(texts[:width]))

        old_texts = [padded([cell_text(v) for v in line]) for line in (raw.rows[1:] if raw else [])]
        old_rows = [r for r in old_texts if any(r)]
        values = [[capped(v) if v.__class__ is str and len(v) > CELL_MAX else v for v in line] for line in rows]
        blank = [""] * width
        # rows past the old ones are new whatever they hold: their texts are not needed
        new_texts = [padded([cell_text(v) for v in line]) if i < len(old_texts) else None
                     for i, line in enumerate(values)]
        if raw is not None and len(old_rows) == len(values) and old_rows == new_texts:
            return
        if raw is None:
            self.out.new_tabs[title] = header
        height = max(len(rows), len(old_texts))
        planned = self.out.rows.setdefault(title, {})
        for i in range(len(old_texts)):  # the rows the tab has: only those that differ
            new_line = new_texts[i] if i < len(new_texts) else blank
            if new_line is not None and new_line == old_texts[i]:
                continue  # the row is already there: not a cell of it is rewritten
            line = values[i] if i < len(values) else []
            before = list(raw.rows[i + 1]) if raw and i + 1 < len(raw.rows) else []
            planned[i + 2] = (line[:width] + [""] * (width - len(line)), before)
        for i in range(len(old_texts), len(values)):  # the rows past them: new (tens of thousands at most)
            line = values[i]
            planned[i + 2] = (line if len(line) == width else line[:width] + [""] * (width - len(line)), [])
        if not planned:
            del self.out.rows[title]
        spec = SPECS[canonical]
        link = header.index(LINKED[canonical]) + 1 if canonical in LINKED else 0
        self.out.layouts[title] = ([c.width or max(12, min(40, len(c.name) + 4)) for c in spec.columns], link,
                                   [str(line[link - 1]) if link and len(line) >= link else "" for line in values])
        last = cell_ref(title, max(height + 1, 2), width)
        self.out.journal.append([self.stamp, task, title, "", "", f"{title}!A2:{last.split('!')[1]}",
                                 f"{len(old_rows)} lignes", f"{len(rows)} lignes"])
        self.report.owned_rows[canonical] = len(rows)

    def _append(self, task: str, canonical: str, rows: list[dict]) -> None:
        """Rows added after the last row of the re-read tab (the tab created when missing), each
        cell in its column as the sheet's header places it; rows whose key is there are left out."""
        spec, title = SPECS[canonical], self._title(canonical)
        raw = self.fresh.get(title)
        if raw is None:
            header = [self.headers.get(canonical, {}).get(c, c) for c in spec.names]
            self.out.new_tabs[title] = header
            columns, present, first = {c: i for i, c in enumerate(spec.names, start=1)}, {}, 2
        else:
            columns, present = self._layout(canonical)
            first = len(raw.rows) + 1
            width = len(raw.rows[0]) if raw.rows else 0
            for name, col in columns.items():  # a column the sheet lacks gets its header
                if col > width and (title, col) not in self._header_writes:
                    self._header_writes.add((title, col))
                    self.out.cells.append(CellWrite(title, 1, col, self.headers.get(canonical, {}).get(name, name), None))
        seen = {str(k).upper() for k in present}
        taken = self._taken(spec, raw, columns)
        added = []
        for row in rows:
            row = dict(row)
            leader = row.pop(FOLLOWS, None)
            if leader is not None and leader in self.skipped_slots:
                continue  # what it explains was not written (a person's edit, a changed input)
            key = str(row[spec.key]).strip()
            if not key or key.upper() in seen:
                continue
            if taken is not None:
                group = cell_text(row.get(spec.unique_by[0]))
                if group in taken:
                    continue  # another run's row for the same effect is there already
                taken.add(group)
            seen.add(key.upper())
            self.report.appended_keys.add((canonical, key))
            line = [""] * max(columns.values())
            for name, value in row.items():
                if name in columns:
                    line[columns[name] - 1] = capped(value)
            added.append(line)
        if not added:
            if raw is None:  # the tab is created, empty: later runs read it in the first request
                self.out.journal.append([self.stamp, task, title, "", "", f"{title}!A1", "", "onglet créé"])
            return
        if raw is None:  # a new tab: written with it
            target = self.out.rows.setdefault(title, {})
            for i, line in enumerate(added):
                target[first + i] = (line, [])
        else:
            self.out.appended.setdefault(title, []).extend(added)
        if spec.hidden and raw is None:
            self.out.hidden.add(title)
        last = cell_ref(title, first + len(added) - 1, max(columns.values()))
        self.out.journal.append([self.stamp, task, title, "", "", f"{title}!A{first}:{last.split('!')[1]}",
                                 "", f"{len(added)} ligne(s) ajoutée(s)"])
        self.report.appended_rows[canonical] = self.report.appended_rows.get(canonical, 0) + len(added)

    @staticmethod
    def _taken(spec, raw, columns: dict[str, int]) -> set[str] | None:
        """For a tab with ``unique_by``: the values of that column its counting rows hold."""
        if spec.unique_by is None:
            return None
        column, state, settled = spec.unique_by
        if raw is None or column not in columns:
            return set()
        col, state_col = columns[column], columns.get(state)
        return {cell_text(raw.value(r, col)) for r in range(2, len(raw.rows) + 1)
                if cell_text(raw.value(r, col)) and (state_col is None or cell_text(raw.value(r, state_col)) not in settled)}

    def _removal(self, task: str, canonical: str, destination: str, rows: list[list]) -> None:
        """Rows to archive, deleted only where the re-read finds them unchanged."""
        title = self._title(canonical)
        raw = self.fresh.get(title)
        if raw is None:
            return
        where: dict[tuple, list[int]] = {}
        for number, line in enumerate(raw.rows[1:], start=2):
            where.setdefault(_row_text(line), []).append(number)
        gone = []
        for line in rows:
            numbers = where.get(_row_text(line))
            if numbers:
                gone.append(numbers.pop(0))
            else:
                self.report.kept_rows += 1  # changed (or gone) since it was read: left in the sheet
        if not gone:
            return
        self.out.deleted_rows[title] = gone
        self.out.row_counts[title] = len(raw.rows)
        self.out.journal.append([self.stamp, task, title, "", "", f"{title}!A{min(gone)}:A{max(gone)}",
                                 f"{len(gone)} lignes", f"archivées dans {destination}"])
        self.report.removed_rows[canonical] = len(gone)


def preview_rows(changes: ChangeSet, titles: dict[str, str]) -> list[list[str]]:
    """The change set as table rows for ``--dry-run``: tâche, onglet, clé, colonne, avant, après."""
    out = []
    for task, change in changes.cells.values():
        out.append([task, titles.get(change.tab, change.tab), change.key, change.column,
                    parse_text(change.old), parse_text(change.new)])
    for task, hl in changes.highlights.values():
        out.append([task, titles.get(hl.tab, hl.tab), hl.key, hl.column, "",
                    f"fond {hl.color}" if hl.color else "fond retiré"])
    for canonical, (task, rows) in changes.owned.items():
        out.append([task, titles.get(canonical, canonical), "", "", "", f"{len(rows)} lignes"])
    for canonical, (task, rows) in changes.appends.items():
        out.append([task, titles.get(canonical, canonical), "", "", "",
                    f"{len(rows)} ligne(s) à ajouter" if rows else "onglet à créer"])
    return out


__all__ = ["ChangeSet", "ApplyReport", "Skipped", "plan_changes", "preview_rows", "col_letter"]
