"""The small backend protocol: read tabs in one batch, write one plan in one batch.

Two implementations: :mod:`sheets_sync.xlsx_backend` (the embedded default) and
:mod:`sheets_sync.google_backend` (gspread + google-auth); :mod:`sheets_sync.memory_backend`
keeps grids in memory for tests of the jobs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from .parsing import is_empty, parse_text

# Fill colours the tool sets (RRGGBB). Each job owns one; a cell already carrying any of
# them is left as it is, and a job only clears its own colour.
COLOR_MISSING = "EA9999"  # presence: Manquante
COLOR_ERROR = "FFC7CE"  # check: a cell with an « erreur »
TOOL_COLORS = (COLOR_MISSING, COLOR_ERROR)


@dataclass
class RawTab:
    """One tab as read: its rows of raw cells (row 0 is sheet row 1) and the fills.

    Raw cells are ``None``, ``str``, ``int``, ``float``, ``bool``, ``datetime.date``,
    ``datetime.time`` or ``datetime.datetime``: values, never formulas. ``fills`` maps
    ``(row, col)`` (1-based) to an ``RRGGBB`` fill colour, for cells that have one.
    """

    title: str
    rows: list[list[Any]]
    fills: dict[tuple[int, int], str] = field(default_factory=dict)
    sheet_id: int | None = None
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row1, col1, row2, col2)

    def merged_over(self, row: int, col: int) -> tuple[int, int, int, int] | None:
        """The merged range that covers (row, col) without starting there: a cell no one can write."""
        for r1, c1, r2, c2 in self.merged:
            if r1 <= row <= r2 and c1 <= col <= c2 and (row, col) != (r1, c1):
                return r1, c1, r2, c2
        return None

    def key_rows(self, col: int) -> dict[str, list[int]]:
        """The sheet rows (2, 3, …) of each text of column ``col`` (1-based), blanks left out:
        how rows are found by key."""
        out: dict[str, list[int]] = {}
        index = col - 1
        for number, line in enumerate(self.rows[1:], start=2):
            value = line[index] if index < len(line) else None
            if value.__class__ is str:
                value = value.strip()
                if value:
                    out.setdefault(value, []).append(number)
            elif value is not None and not is_empty(value):
                out.setdefault(parse_text(value), []).append(number)
        return out

    def value(self, row: int, col: int):
        """The raw cell at 1-based (row, col), ``None`` beyond the data."""
        if row - 1 < len(self.rows):
            line = self.rows[row - 1]
            if col - 1 < len(line):
                return line[col - 1]
        return None

    def set_value(self, row: int, col: int, value) -> None:
        """Set the raw cell at 1-based (row, col), growing the rows as needed."""
        while len(self.rows) < row:
            self.rows.append([])
        line = self.rows[row - 1]
        while len(line) < col:
            line.append(None)
        line[col - 1] = value


@dataclass(frozen=True)
class CellWrite:
    """One cell to write, with the value it held when re-read (to check it did not move)."""
    tab: str  # actual tab title
    row: int
    col: int
    value: Any  # str, int or float; "" clears the cell
    expected: Any = None  # what the cell held at the re-read (tells a landed write after a failure)


@dataclass(frozen=True)
class FillWrite:
    """One fill to set (or clear, ``None``), with the fill it had when re-read."""
    tab: str
    row: int
    col: int
    color: str | None  # RRGGBB, or None to remove the fill
    before: str | None = None  # the fill at the re-read


@dataclass
class WritePlan:
    """Everything one job run writes to one workbook, sent as one batch.

    ``new_tabs`` are created first with their header row; ``cells`` and ``fills`` patch
    cells in place; ``journal`` rows are appended after the last row of the Journal tab.
    """

    cells: list[CellWrite] = field(default_factory=list)
    fills: list[FillWrite] = field(default_factory=list)
    new_tabs: dict[str, list[str]] = field(default_factory=dict)  # title -> header row
    journal_tab: str = "Journal"
    journal: list[list[Any]] = field(default_factory=list)
    # title -> row numbers (as re-read) to delete, after the cells and fills, before the Journal
    # rows are appended (archiving)
    deleted_rows: dict[str, list[int]] = field(default_factory=dict)
    row_counts: dict[str, int] = field(default_factory=dict)  # title -> rows at the re-read
    # whole rows of the tabs the tool owns (Anomalies): title -> row number -> (values, as it was);
    # a row is replaced entirely, its values padded with "" to the tab's width
    rows: dict[str, dict[int, tuple[list[Any], list[Any]]]] = field(default_factory=dict)
    # how an owned tab rewritten is laid out: title -> (column widths, column of links or 0, the cell
    # each row from 2 links to); a backend that cannot lay out a tab ignores it
    layouts: dict[str, tuple[list[int], int, list[str]]] = field(default_factory=dict)
    # the write's id, in the last column of each of its Journal rows: after an answer that leaves
    # it open, a backend finds out whether the write landed by looking for it
    write_id: str = ""
    # rows added after the last row with data of existing tabs, in one atomic append (Google's
    # appendCells): two concurrent writers never overwrite each other's rows
    appended: dict[str, list[list[Any]]] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)  # new tabs created hidden (the tool's memory)
    # tabs the write's answer should return as the write left them (Google: the outbox, to see
    # which of two runs' rows came first without one more read); a backend may ignore it
    echo: list[str] = field(default_factory=list)
    journal_id_col: int = 0  # the Journal's column that holds it (1-based)

    def is_empty(self) -> bool:
        """Whether there is nothing to write."""
        return not (self.cells or self.fills or self.new_tabs or self.journal or self.deleted_rows or self.rows
                    or self.appended)


def row_runs(rows: list[int]) -> list[tuple[int, int]]:
    """Row numbers as (first, count) runs, the lowest rows last: deleting in this order keeps
    the numbers of the rows still to delete right."""
    runs: list[tuple[int, int]] = []
    for row in sorted(set(rows), reverse=True):
        if runs and runs[-1][0] == row + 1:
            runs[-1] = (row, runs[-1][1] + 1)
        else:
            runs.append((row, 1))
    return runs


class Backend(Protocol):
    """What the workbook layer needs from a storage backend."""

    label: str  # shown in messages: a file path or a spreadsheet id

    def read(self, tabs: list[str], header_only: tuple[str, ...] = ()) -> dict[str, RawTab]:
        """Read these tabs (actual titles) in one batch; a missing tab is absent from the answer.

        Of the tabs in ``header_only`` (the Journal, which only grows) just row 1 is read.
        """

    def reread(self, tabs: list[str], header_only: tuple[str, ...] = ()) -> dict[str, RawTab]:
        """Read again, right before writing, to compare cells with what the job read."""

    def write(self, plan: WritePlan) -> None:
        """Apply the plan in one batch (plus tab creation when needed)."""

    def read_only_note(self) -> str:
        """A line to show when the workbook can be read but not written now (else ``""``)."""

    def grid_cells(self) -> int | None:
        """Cells of the spreadsheet's grids (Google's limit is on them), ``None`` if unbounded."""
