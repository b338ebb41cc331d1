"""An in-memory backend: grids in dicts. Used by the jobs' tests and by dry runs of fixtures."""
from __future__ import annotations

import copy
from typing import Any, Callable

from .backend import RawTab, WritePlan, row_runs


class MemoryBackend:
    """Tabs as lists of rows. ``on_reread`` lets a test play a person editing meanwhile."""

    # whether a write is refused when the workbook changed since the read (so a row it adds is
    # certainly alone): True for a file, False for Google (concurrent writes both apply)
    exclusive_writes = True

    def __init__(self, tabs: dict[str, list[list[Any]]], label: str = "mémoire") -> None:
        self.label = label
        self.tabs = {title: [list(r) for r in rows] for title, rows in tabs.items()}
        self.fills: dict[str, dict[tuple[int, int], str]] = {t: {} for t in self.tabs}
        self.on_reread: Callable[["MemoryBackend"], None] | None = None
        self.reads = 0
        self.writes = 0

    def _snapshot(self, tabs: list[str], header_only: tuple[str, ...]) -> dict[str, RawTab]:
        return {
            t: RawTab(t, copy.deepcopy(self.tabs[t][:1] if t in header_only else self.tabs[t]),
                      dict(self.fills.get(t, {})))
            for t in tabs
            if t in self.tabs
        }

    def read(self, tabs: list[str], header_only: tuple[str, ...] = ()) -> dict[str, RawTab]:
        """Copies of the asked tabs (those that exist)."""
        self.reads += 1
        return self._snapshot(tabs, header_only)

    def reread(self, tabs: list[str], header_only: tuple[str, ...] = ()) -> dict[str, RawTab]:
        """The same as :meth:`read`: memory has no cache to bypass."""
        if self.on_reread is not None:
            hook, self.on_reread = self.on_reread, None
            hook(self)
        self.reads += 1
        return self._snapshot(tabs, header_only)

    def grid_cells(self) -> int | None:
        """A memory workbook has no cell limit."""
        return None

    def read_only_note(self) -> str:
        """Nothing keeps this backend from writing once the job asks."""
        return ""

    def write(self, plan: WritePlan) -> None:
        """Apply the plan to the grids, appending the Journal rows."""
        self.writes += 1
        for title, header in plan.new_tabs.items():
            self.tabs.setdefault(title, [list(header)])
            self.fills.setdefault(title, {})
        for w in plan.cells:
            tab = RawTab(w.tab, self.tabs[w.tab])
            tab.set_value(w.row, w.col, None if w.value == "" else w.value)
        for title, rows in plan.rows.items():
            tab = RawTab(title, self.tabs[title])
            for number, (values, _before) in rows.items():
                for col, value in enumerate(values, start=1):
                    if value not in (None, "") or tab.value(number, col) not in (None, ""):
                        tab.set_value(number, col, None if value == "" else value)
        for f in plan.fills:
            if f.color is None:
                self.fills[f.tab].pop((f.row, f.col), None)
            else:
                self.fills[f.tab][(f.row, f.col)] = f.color
        for title, rows in plan.deleted_rows.items():
            for first, count in row_runs(rows):
                del self.tabs[title][first - 1:first - 1 + count]
        for title, rows in plan.appended.items():
            tab = self.tabs[title]
            while tab and not any(v not in (None, "") for v in tab[-1]):
                tab.pop()
            tab.extend(list(r) for r in rows)
        journal = self.tabs.setdefault(plan.journal_tab, [])
        while journal and not any(v not in (None, "") for v in journal[-1]):
            journal.pop()
        journal.extend(list(r) for r in plan.journal)

    def cell(self, tab: str, ref: str):
        """The value at ``F12`` of ``tab`` (tests)."""
        from .a1 import split_a1

        _, row, col = split_a1(f"{tab}!{ref}")
        return RawTab(tab, self.tabs[tab]).value(row, col)
