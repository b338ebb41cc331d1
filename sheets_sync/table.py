"""A tab read per the contract: typed rows in a DataFrame, located by key, and its cells.

The DataFrame has the contract's canonical column names (plus unknown columns under their
own header, as text) and a ``_row`` column with the sheet row number. Keyed tabs are indexed
by key; the others by sheet row. Rows that could not be read are left out of ``df`` (their
findings say why) but their keys stay in ``all_keys`` so references to them still resolve.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .a1 import cell_ref, col_letter
from .backend import TOOL_COLORS, RawTab
from .findings import Finding
from .parsing import PARSERS, CellError, cell_text, is_empty
from .schema import AMOUNT, DATE, NUMBER, TIME, TabSpec

ROW = "_row"


@dataclass(frozen=True)
class CellChange:
    """Write ``new`` in ``column`` of the row whose key is ``key``; ``old`` is what the job read."""

    tab: str  # canonical tab name
    key: str
    column: str  # canonical column name
    old: object
    new: object  # str, int or float


@dataclass(frozen=True)
class Highlight:
    """Set (``color``) or remove (``color=None``) the tool's fill on one cell, by row key."""

    tab: str
    key: str
    column: str
    color: str | None
    owner: str  # the colour this job owns (the one it may remove)


@dataclass
class Table:
    """A tab read and typed: the raw tab, the column map, the DataFrame by key, the reader's findings."""
    spec: TabSpec
    title: str  # the actual tab name in the workbook
    raw: RawTab
    columns: dict[str, int]  # canonical (or unknown header) name -> 1-based column index
    df: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    all_keys: set[str] = field(default_factory=set)
    added_columns: list[str] = field(default_factory=list)  # job columns missing in the sheet

    # --- addresses ---------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The canonical tab name."""
        return self.spec.name

    def letter(self, column: str) -> str:
        """The column letter of ``column`` in this sheet."""
        return col_letter(self.columns[column])

    def cell(self, row: int, column: str) -> str:
        """``Missions!F12`` for sheet row ``row`` and a canonical column; for an optional column
        the sheet does not have, the row's key cell (``Missions!A12``)."""
        index = self.columns.get(column) or self.columns.get(self.spec.key or "", 1)
        return cell_ref(self.title, int(row), index)

    def cell_of(self, key: str, column: str) -> str:
        """``Missions!F12`` for the row of ``key`` and a canonical column."""
        return self.cell(self.row_of(key), column)

    def row_index(self) -> dict:
        """Each key's sheet row, as a dict built once (rules ask thousands of times); a key of
        the table is in it exactly when it is in ``df.index``."""
        index = self.__dict__.get("_row_index")
        if index is None:
            index = self.__dict__["_row_index"] = dict(zip(self.df.index, self.df[ROW].tolist()))
        return index

    def row_of(self, key) -> int:
        """The sheet row of ``key`` (looked up in a dict built once: rules ask it thousands of times)."""
        index = self.row_index()
        try:
            return int(index[key])
        except (KeyError, TypeError):
            return int(self.df.at[key, ROW])

    def raw_value(self, key, column: str):
        """The raw cell of (key, column), as read."""
        return self.raw.value(self.row_of(key), self.columns[column])

    def fill_of(self, key, column: str) -> str | None:
        """The fill of (key, column), ``None`` when it has none."""
        return self.raw.fills.get((self.row_of(key), self.columns[column]))

    # --- changes -------------------------------------------------------------------------

    def change(self, key, column: str, new) -> CellChange | None:
        """A change to write ``new`` at (key, column), or ``None`` when the cell already holds it."""
        if self.spec.key is None:
            raise ValueError(f"tab {self.name} has no key: jobs do not write to it")
        old = self.raw_value(key, column)
        if cell_text(old) == cell_text(new) or self._same_typed(column, old, new):
            return None
        return CellChange(self.name, str(key), column, old, new)

    def _same_typed(self, column: str, old, new) -> bool:
        """A real date/time/number cell already holding what the text ``new`` says (``29/11/2026``)."""
        if column not in self.spec.names:
            return False
        kind = self.spec.column(column).type
        if kind not in (DATE, TIME, NUMBER, AMOUNT) or is_empty(old) or is_empty(new):
            return False
        try:
            return bool(PARSERS[kind](old) == PARSERS[kind](new))
        except CellError:
            return False

    def highlights(self, owner: str, wanted: set[tuple[str, str]]) -> list[Highlight]:
        """Changes so that exactly ``wanted`` (key, column) cells carry a tool colour.

        A wanted cell that already has any tool colour is left alone; a cell with this job's
        colour that is no longer wanted loses it. Other fills (people's) are never removed.
        """
        out: list[Highlight] = []
        wanted_pos = {}
        rows = self.row_index()
        for key, column in wanted:
            if key in rows and column in self.columns:
                wanted_pos[(rows[key], self.columns[column])] = (key, column)
        for pos, (key, column) in sorted(wanted_pos.items()):
            if self.raw.fills.get(pos) not in TOOL_COLORS:
                out.append(Highlight(self.name, str(key), column, owner, owner))
        if self.spec.key is not None:
            by_row = {int(r): k for k, r in zip(self.df.index, self.df[ROW])}
            names = {i: n for n, i in self.columns.items()}
            for pos, color in sorted(self.raw.fills.items()):
                if color == owner and pos not in wanted_pos and pos[0] in by_row and pos[1] in names:
                    out.append(Highlight(self.name, str(by_row[pos[0]]), names[pos[1]], None, owner))
        return out

    def set(self, key, column: str, value) -> None:
        """Apply a change in memory (raw cell and typed value), so later steps of a run see it."""
        row, col = self.row_of(key), self.columns[column]
        self.raw.set_value(row, col, value)
        spec_col = self.spec.column(column) if column in self.spec.names else None
        parser = PARSERS[spec_col.type] if spec_col else PARSERS["text"]
        parsed = parser(value)
        if isinstance(parsed, tuple):  # a list cell: the column must hold objects first
            self.df[column] = self.df[column].astype(object)
        self.df.at[key, column] = parsed

    def set_fill(self, key, column: str, color: str | None) -> None:
        """Apply a fill change in memory, so later steps of a run see it."""
        pos = (self.row_of(key), self.columns[column])
        if color is None:
            self.raw.fills.pop(pos, None)
        else:
            self.raw.fills[pos] = color
