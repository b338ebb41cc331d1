"""A small rule registry: each check rule is a function with an id, a tab and a severity.

The function's French docstring is the rule's explanation (``backoffice check --rules``).
A rule takes a :class:`RuleContext` and returns findings; every rule runs, always.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from sheets_sync.findings import SEVERITIES, Finding
from sheets_sync.workbook import WorkbookData



@dataclass(frozen=True)
class Rule:
    id: str
    tab: str
    severity: str
    func: Callable[["RuleContext"], Iterable[Finding]]

    @property
    def doc(self) -> str:
        return " ".join((self.func.__doc__ or "").split())


_RULES: dict[str, Rule] = {}


def rule(rule_id: str, tab: str, severity: str):
    """Register a check rule. A duplicate id is an error."""
    if severity not in SEVERITIES:
        raise ValueError(f"rule {rule_id}: unknown severity {severity!r}")

    def register(func):
        if rule_id in _RULES and _RULES[rule_id].func.__qualname__ != func.__qualname__:
            raise ValueError(f"duplicate rule id {rule_id!r}")
        _RULES[rule_id] = Rule(rule_id, tab, severity, func)
        return func

    return register


def all_rules() -> list[Rule]:
    """Every registered rule, in id order (importing the rule modules registers them)."""
    from . import (contract_rules, data_rules, expense_rules, kit_rules, mandate_rules,  # noqa: F401
                   presence_rules, report_rules, size_rules, staffing_rules)

    return sorted(_RULES.values(), key=lambda r: r.id)


@dataclass
class RuleContext:
    """What a rule sees: the typed tables, the settings, the clock of the run."""

    data: WorkbookData
    settings: Any  # backoffice.settings.Settings
    now: dt.datetime
    extra: dict = field(default_factory=dict)  # e.g. mandate fingerprints, carried findings

    @property
    def today(self):
        import pandas as pd

        return pd.Timestamp(self.now.date())

    def finding(self, rule_id: str, severity: str, tab: str, key, column: str, message: str) -> Finding:
        """A finding on the cell (key, column) of a keyed tab; the message gets the cell in front."""
        table = self.data[tab]
        ref = table.cell_of(key, column) if column in table.columns else ""
        text = f"{ref} : {message}" if ref else message
        return Finding(rule_id, severity, table.title, ref, str(key), text, column)

    def finding_at_row(self, rule_id: str, severity: str, tab: str, row: int, column: str,
                       message: str, key: str = "") -> Finding:
        """A finding on a row of a tab without key (Formations, Indisponibilités)."""
        table = self.data[tab]
        ref = table.cell(row, column)
        return Finding(rule_id, severity, table.title, ref, key, f"{ref} : {message}", column)
