"""Helpers for the check's rule tests: run one registered rule on a workbook built in code."""
from __future__ import annotations

import datetime as dt

from backoffice.settings import load_settings
from rules.registry import RuleContext, all_rules
from sheets_sync import MemoryBackend, Workbook
from tests.factories import make_tabs

NOW = dt.datetime(2026, 11, 27, 8, 0)  # a Friday; the default mission is on Sunday 29/11/2026
SETTINGS = load_settings(environ={})


def rule_by_id(rule_id: str):
    for r in all_rules():
        if r.id == rule_id:
            return r
    raise KeyError(rule_id)


def run_rule(rule_id: str, now: dt.datetime = NOW, settings=SETTINGS, status_seen=None, **tabs):
    """The findings of one rule on ``make_tabs(**tabs)`` (``status_seen``: the check's memory)."""
    data = Workbook(MemoryBackend(make_tabs(**tabs))).load()
    return list(rule_by_id(rule_id).func(RuleContext(data, settings, now, status_seen=status_seen or {})))


def where(findings) -> list[tuple[str, str]]:
    """(severity, cell) of each finding, sorted."""
    return sorted((f.severity, f.cell) for f in findings)


def staffed(**cells) -> dict:
    """A mission staffed with S0001, Confirmée, contract signed (override any cell)."""
    return {"Salarié": "S0001", "Statut": "Confirmée", "Contrat": "Signé", **cells}
