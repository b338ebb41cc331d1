"""``report``: a region's figures, kept in its ``Synthèse`` tab, gathered for the manager's page.

The step reads what every job reads (one read, the whole Journal for the trend), runs the
check's rules without writing ``Anomalies``, and rewrites only the tool's ``Synthèse`` tab, and
only when a figure changed. The page across regions is written by the command once every
region's write is done (files follow the sheet).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rules.dashboard import RegionFigures, region_figures, synthese_rows, trend_history
from rules.registry import RuleContext, all_rules
from sheets_sync.findings import Finding
from sheets_sync.parsing import cell_text
from sheets_sync.reading import RULE_DUPLICATE, RULE_REQUIRED, RULE_UNREADABLE
from sheets_sync.schema import SYNTHESE
from sheets_sync.workbook import WorkbookData

from .base import JobContext, JobResult, Table
from .findings import collect_findings

TASK = "report"


def other_jobs_findings(data: WorkbookData) -> list[Finding]:
    """The ``Anomalies`` rows of rules the check cannot re-run (presence's unmatched calls, a
    mandate to re-send…), as the last run of their job left them."""
    checked = {r.id for r in all_rules() if not r.job} | {RULE_UNREADABLE, RULE_REQUIRED, RULE_DUPLICATE}
    df = data["Anomalies"].df
    return [Finding(rule, severity, tab, cell, key, message, "")
            for severity, rule, tab, cell, key, message in zip(
                df["Gravité"], df["Règle"], df["Onglet"], df["Cellule"], df["Clé"], df["Message"])
            if rule and rule not in checked]


@dataclass(frozen=True)
class ReportOptions:
    """What ``backoffice report`` asks: the days of the staffing horizon, the weeks of the trend."""

    days: int = 7
    weeks: int = 8


@dataclass
class ReportStep:
    """The step, remembering each region's figures (and where its sheet is) for the page."""

    options: ReportOptions = ReportOptions()
    figures: dict[str, RegionFigures] = field(default_factory=dict)
    sheet_ids: dict[str, dict[str, int | None]] = field(default_factory=dict)

    def __call__(self, data: WorkbookData, ctx: JobContext) -> JobResult:
        """Compute the region's figures and rewrite ``Synthèse`` when they changed."""
        findings = collect_findings(data, ctx) + other_jobs_findings(data)
        width = len(SYNTHESE.names)
        previous = [[cell_text(v) for v in line[:width]] + [""] * (width - len(line[:width]))
                    for line in data["Synthèse"].raw.rows[1:] if any(cell_text(v) for v in line)]
        figures = region_figures(RuleContext(data, ctx.settings, ctx.now), ctx.region.code,
                                 ctx.region.name or ctx.region.code, findings, data["Journal"].df,
                                 self.options.days, self.options.weeks, trend_history(previous))
        self.figures[ctx.region.code] = figures
        self.sheet_ids[ctx.region.code] = {t.title: t.raw.sheet_id for t in data.tables.values()}
        rows = synthese_rows(figures, previous)
        result = JobResult(TASK)
        if rows != previous:
            result.changes.rewrite(TASK, "Synthèse", rows)
        result.summary = [("indicateurs", len(figures.figures)),
                          ("Synthèse", "à jour" if rows == previous else "réécrite")]
        result.tables.append(Table("Synthèse", ["Rubrique", "Indicateur", "Valeur"],
                                   [[f.section, f.label, f.value] for f in figures.figures], limit=None))
        return result
