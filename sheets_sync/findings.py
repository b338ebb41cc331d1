"""Findings are data: what a rule or a reader found, pointing at one cell."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Severity(str, Enum):
    """How urgent a finding is; its value is the word people see (``erreur``, ``alerte``).
    A member equals, hashes and prints as that word, so configuration strings compare to it."""

    ERREUR = "erreur"  # something is wrong: exit 1, the cell turns red
    ALERTE = "alerte"  # something to look at soon

    __hash__ = str.__hash__

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


ERREUR = Severity.ERREUR
ALERTE = Severity.ALERTE
SEVERITIES = (ERREUR, ALERTE)


@dataclass(frozen=True)
class Finding:
    """One anomaly: a stable rule id, its severity, where it is and a French message.

    ``cell`` is the full A1 reference shown to people (``Missions!F12``), empty when the
    finding is about a whole tab. ``column`` is the contract's (canonical) column name, used
    to highlight the cell by row key; it is empty when there is no single cell.
    """

    rule: str
    severity: Severity
    tab: str
    cell: str
    key: str
    message: str
    column: str = ""
    value: Any = None  # the offending cell's value as read, when there is one cell
    reason: str = ""  # machine-readable cause within the rule (``ceiling``, ``unknown``…), "" when one

    def __post_init__(self) -> None:
        if self.severity.__class__ is Severity:  # the usual case: no conversion
            return
        try:
            object.__setattr__(self, "severity", Severity(self.severity))
        except ValueError:
            raise ValueError(f"unknown severity {self.severity!r}") from None

    def with_severity(self, severity: str) -> "Finding":
        """The same finding at another severity (``[check.rules]``)."""
        return Finding(self.rule, severity, self.tab, self.cell, self.key, self.message, self.column,
                       self.value, self.reason)


_DIGITS = "0123456789"


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Errors first, then by tab, row and rule: the order of the Anomalies tab."""
    rank = {severity: i for i, severity in enumerate(SEVERITIES)}

    def order(f: Finding):
        cell = f.cell  # « Missions!F12 »: its row is its last digits (tens of thousands are sorted)
        return (rank[f.severity], f.tab, int(cell[len(cell.rstrip(_DIGITS)):] or 0), f.rule, cell, f.message)

    return sorted(findings, key=order)
