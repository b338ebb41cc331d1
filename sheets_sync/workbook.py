"""The workbook interface the jobs use: one batched read, one safe batched write."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from .backend import Backend, RawTab
from .changes import ApplyReport, ChangeSet, plan_changes
from .errors import WorkbookError
from .findings import Finding
from .reading import guessed_mappings, mappings_block, read_table
from .schema import ALL_TABS, OWNED_TABS, PEOPLE_TABS, SPECS
from .table import Table


@dataclass
class WorkbookData:
    """The typed tables of one read, by canonical tab name, and what the reader found."""

    tables: dict[str, Table]
    findings: list[Finding] = field(default_factory=list)
    grid_cells: int | None = None  # cells of the spreadsheet's grids, where the backend counts them
    missing: set[str] = field(default_factory=set)  # owned tabs the workbook does not have yet
    extras: dict = field(default_factory=dict)  # run-scope views shared by the steps (the memory, the outbox)

    def __getitem__(self, name: str) -> Table:
        return self.tables[name]

    def __contains__(self, name: str) -> bool:
        return name in self.tables

    def apply_in_memory(self, changes: ChangeSet) -> None:
        """Let later steps of a run see earlier steps' changes (values and fills)."""
        for _task, change in changes.cells.values():
            table = self.tables[change.tab]
            if change.key in table.df.index:
                table.set(change.key, change.column, change.new)
        for _task, hl in changes.highlights.values():
            table = self.tables[hl.tab]
            if hl.key in table.df.index:
                table.set_fill(hl.key, hl.column, hl.color)


class Workbook:
    """One regional workbook behind a backend, with the region's tab and header names."""

    def __init__(
        self,
        backend: Backend,
        tab_names: Mapping[str, str] | None = None,
        headers: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.backend = backend
        self.titles = {spec.name: (tab_names or {}).get(spec.name, spec.name) for spec in ALL_TABS}
        self.headers = {k: dict(v) for k, v in (headers or {}).items()}
        self.missing: set[str] = set()  # owned tabs the last read did not find

    @property
    def label(self) -> str:
        """How the workbook is named in messages (its file or spreadsheet)."""
        return self.backend.label

    def load(self, tabs: Iterable[str] | None = None, whole_journal: bool = False,
             also: Iterable[str] = ()) -> WorkbookData:
        """Read the people's tabs a job needs, and the owned tabs, in one batch (of the Journal,
        which only grows, just its header unless ``whole_journal``); ``also``: more tabs
        (``Synthèse`` for the report)."""
        wanted = list(tabs) if tabs is not None else [s.name for s in PEOPLE_TABS]
        wanted += [s.name for s in OWNED_TABS if s.name not in wanted]
        wanted += [name for name in also if name not in wanted]
        titles = [self.titles[name] for name in wanted]
        header_only = () if whole_journal else (self.titles["Journal"],)
        names_of: dict[str, list[str]] = {}
        for name in wanted:
            names_of.setdefault(self.titles[name], []).append(name)
        # each tab typed as soon as the backend has it (the .xlsx one converts the next meanwhile)
        each = getattr(self.backend, "read_each", None)
        raw: dict[str, RawTab] = {}
        typed: dict[str, Table | WorkbookError] = {}
        for title, tab in (each(titles, header_only) if each else self.backend.read(titles, header_only).items()):
            raw[title] = tab
            for name in names_of.get(title, []):
                typed[name] = self._typed(name, tab)
        tables: dict[str, Table] = {}
        findings: list[Finding] = []
        missing: set[str] = set()
        problems: list[str] = []  # every tab's missing required columns, said in one go
        for name in wanted:
            title = self.titles[name]
            if title not in raw:
                if SPECS[name].owned:
                    typed[name] = self._typed(name, RawTab(title, [list(SPECS[name].names)]))
                    missing.add(name)
                else:
                    raise WorkbookError(
                        f"Onglet « {title} » introuvable dans {self.label}. "
                        f"Onglets présents : {', '.join(sorted(raw)) or '(aucun)'}. "
                        "Créez-le ou déclarez son nom dans la configuration (tabs) ; format des "
                        "onglets : docs/workbook.md."
                    )
            table = typed[name]
            if isinstance(table, WorkbookError):
                problems.append(str(table))
                continue
            tables[name] = table
            findings.extend(table.findings)
        if problems:
            headers = {name: (raw[self.titles[name]].rows or [[]])[0] for name in wanted
                       if not SPECS[name].owned and self.titles[name] in raw}
            block = mappings_block({name: guessed_mappings(SPECS[name], header, self.headers.get(name))
                                    for name, header in headers.items()})
            raise WorkbookError((" ".join(problems) if len(problems) == 1 else
                                 f"{len(problems)} onglets à corriger : " + " | ".join(problems))
                                + (" Les en-têtes probables de tous les onglets, à coller tels quels à la fin "
                                   "de la configuration :\n" + block if block else ""))
        self.missing = set(missing)
        return WorkbookData(tables, findings, self.backend.grid_cells(), missing)

    def _typed(self, name: str, tab: RawTab) -> Table | WorkbookError:
        """The tab read per its contract, or why it cannot be (a required column missing)."""
        try:
            return read_table(SPECS[name], tab, self.headers.get(name))
        except WorkbookError as err:
            return err

    def apply(self, changes: ChangeSet, now: dt.datetime) -> ApplyReport:
        """Re-read the target tabs, skip cells changed meanwhile, write the rest in one batch.

        The report says which cells this write changed (``wrote``); when the write fails,
        the error propagates and nothing may follow it."""
        if changes.is_empty():
            return ApplyReport()
        targets = {c.tab for _t, c in changes.cells.values()}
        targets |= {h.tab for _t, h in changes.highlights.values()}
        targets |= set(changes.owned) | set(changes.removals) | set(changes.appends)
        targets |= {tab for _task, cells in changes.guards.values() for tab, _k, _c, _v in cells}
        names = sorted(targets - {"Journal"}) + ["Journal"]
        whole_journal = "Journal" in changes.removals  # archiving the Journal: read it all
        fresh = self.backend.reread([self.titles[n] for n in names],
                                    header_only=() if whole_journal else (self.titles["Journal"],))
        plan, report = plan_changes(changes, fresh, self.titles, self.headers, now)
        if not plan.is_empty():
            self._create_missing(plan, fresh)
            outbox = self.titles.get("Envois", "Envois")
            if outbox in plan.appended or outbox in plan.rows:
                plan.echo.append(outbox)  # which of two runs' rows came first, without a read
            self.backend.write(plan)
        return report

    def _create_missing(self, plan, fresh) -> None:
        """A write creates the tool's tabs the workbook still lacks (empty, with their header;
        the memory and the outbox hidden), in the same batch: every later read finds them all
        (on Google, a read naming a missing tab costs one more request)."""
        for spec in OWNED_TABS:
            title = self.titles[spec.name]
            if spec.name in self.missing and title not in fresh and title not in plan.new_tabs:
                plan.new_tabs[title] = [self.headers.get(spec.name, {}).get(c, c) for c in spec.names]
                if spec.hidden:
                    plan.hidden.add(title)
        self.missing = set()
