"""A small rule registry: each check rule is a function with an id, a tab and a severity.

The function's French docstring is the rule's explanation (``backoffice check --rules``).
A rule takes a :class:`RuleContext` and returns findings; every rule runs, always.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable

from sheets_sync.a1 import col_letter
from sheets_sync.findings import SEVERITIES, Finding, Severity
from sheets_sync.workbook import WorkbookData



@dataclass(frozen=True)
class Rule:
    """A registered rule: its id, the tab its findings are on, its severity, its function."""

    id: str
    tab: str
    severity: Severity
    func: Callable[["RuleContext"], Iterable[Finding]]
    job: str = ""  # a finding a job produces as it works (not re-run by check): the job's name

    @property
    def doc(self) -> str:
        """The rule's French explanation (its docstring, on one line)."""
        return " ".join((self.func.__doc__ or "").split())


_RULES: dict[str, Rule] = {}


def rule(rule_id: str, tab: str, severity: Severity):
    """Register a check rule; the only place that says its id, tab and severity. The function
    receives a context bound to the rule, whose ``finding`` methods put them on each finding.
    A duplicate id is an error."""
    if severity not in SEVERITIES:
        raise ValueError(f"rule {rule_id}: unknown severity {severity!r}")

    def register(func):
        if rule_id in _RULES and _RULES[rule_id].func.__qualname__ != func.__qualname__:
            raise ValueError(f"duplicate rule id {rule_id!r}")

        @functools.wraps(func)
        def bound(ctx: RuleContext):
            return func(replace(ctx, rule=_RULES[rule_id]))

        _RULES[rule_id] = Rule(rule_id, tab, Severity(severity), bound)
        return bound

    return register


def job_finding(rule_id: str, tab: str, severity: Severity, job: str, doc: str) -> str:
    """Register the id of a finding a job produces while it works (a failed send, an unclear
    reply…): listed by ``check --rules`` with its French explanation ``doc``, configurable in
    ``[check.rules]``, never run by the check. Returns the id."""
    if rule_id in _RULES and _RULES[rule_id].job != job:
        raise ValueError(f"duplicate rule id {rule_id!r}")

    def produced_by_the_job(ctx):
        return []

    produced_by_the_job.__doc__ = doc
    _RULES[rule_id] = Rule(rule_id, tab, Severity(severity), produced_by_the_job, job)
    return rule_id


def all_rules() -> list[Rule]:
    """Every registered rule, in id order (importing the rule modules registers them)."""
    from . import (contract_rules, data_rules, expense_rules, expiry_rules, job_findings,  # noqa: F401
                   kit_rules, mandate_rules, presence_rules, report_rules, size_rules, staffing_rules,
                   worktime_rules)

    return sorted(_RULES.values(), key=lambda r: r.id)


@dataclass
class RuleContext:
    """What a rule sees: the typed tables, the settings, the clock of the run, what other jobs
    remember (kit orders, mandate records), and the rule being run."""

    data: WorkbookData
    settings: Any  # backoffice.settings.Settings
    now: dt.datetime
    kit_orders: dict = field(default_factory=dict)  # the kits job's memory: N° mission -> order
    mandate_records: dict = field(default_factory=dict)  # the mandates job's records by N° mission
    status_seen: dict = field(default_factory=dict)  # the check's memory: N° mission -> since when its Statut
    cache: dict = field(default_factory=dict)  # values computed once per run, shared by the rules
    rule: Rule | None = None  # set by the registry while the rule runs

    @property
    def today(self):
        """The day of ``now``, as a pandas Timestamp."""
        import pandas as pd

        return pd.Timestamp(self.now.date())

    def _bound(self) -> Rule:
        if self.rule is None:
            raise RuntimeError("a finding outside a registered rule: decorate the function with @rule")
        return self.rule

    def finding(self, key, column: str, message: str, *, severity: Severity | None = None,
                reason: str = "") -> Finding:
        """A finding of the running rule on the cell (key, column) of its keyed tab; the message
        gets the cell in front, the finding the cell's value. ``severity``: an escalation."""
        bound = self._bound()
        table = self.data[bound.tab]
        ref = table.cell_of(key, column) if column in table.columns else ""
        text = f"{ref} : {message}" if ref else message
        value = table.raw_value(key, column) if ref else None
        return Finding(bound.id, severity or bound.severity, table.title, ref, str(key), text, column,
                       value, reason)

    def findings_on(self, keys: Iterable, column: str, messages: Iterable[str]) -> list[Finding]:
        """One finding of the running rule per (key, message), on the cell ``column``: what
        :meth:`finding` makes, with the tab's lookups done once (rules make thousands)."""
        bound = self._bound()
        table = self.data[bound.tab]
        index = table.columns.get(column)
        if index is None:
            return [self.finding(key, column, message) for key, message in zip(keys, messages)]
        title, row_of, value, letter = table.title, table.row_of, table.raw.value, col_letter(index)
        rows, rule_id, severity = table.row_index(), bound.id, bound.severity
        out = []
        for key, message in zip(keys, messages):
            row = rows.get(key) if key.__class__ is str else None
            if row is None:  # not a plain key of the tab: the general lookup
                row = row_of(key)
            ref = f"{title}!{letter}{row}"
            out.append(Finding(rule_id, severity, title, ref, str(key), f"{ref} : {message}", column,
                               value(row, index)))
        return out

    def row_finding(self, row: int, column: str, message: str, key: str = "") -> Finding:
        """A finding of the running rule on the sheet row ``row`` of its tab (a tab without a
        key, such as Formations)."""
        bound = self._bound()
        table = self.data[bound.tab]
        ref = table.cell(row, column) if column in table.columns else ""
        return Finding(bound.id, bound.severity, table.title, ref, key, f"{ref} : {message}" if ref else message,
                       column)

    def tab_finding(self, message: str) -> Finding:
        """A finding of the running rule about its whole tab (no single cell)."""
        bound = self._bound()
        return Finding(bound.id, bound.severity, self.data[bound.tab].title, "", "", message, "")
