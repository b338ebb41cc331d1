"""Findings are data: what a rule or a reader found, pointing at one cell."""
from __future__ import annotations

from dataclasses import dataclass

ERREUR = "erreur"
ALERTE = "alerte"
SEVERITIES = (ERREUR, ALERTE)


@dataclass(frozen=True)
class Finding:
    """One anomaly: a stable rule id, its severity, where it is and a French message.

    ``cell`` is the full A1 reference shown to people (``Missions!F12``), empty when the
    finding is about a whole tab. ``column`` is the contract's (canonical) column name, used
    to highlight the cell by row key; it is empty when there is no single cell.
    """

    rule: str
    severity: str
    tab: str
    cell: str
    key: str
    message: str
    column: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    def with_severity(self, severity: str) -> "Finding":
        return Finding(self.rule, severity, self.tab, self.cell, self.key, self.message, self.column)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Errors first, then by tab, row and rule: the order of the Anomalies tab."""
    from .a1 import split_a1

    def order(f: Finding):
        row = split_a1(f.cell)[1] if f.cell else 0
        return (SEVERITIES.index(f.severity), f.tab, row, f.rule, f.cell, f.message)

    return sorted(findings, key=order)
