"""Running the check's rules: shared by the check, the dossier and the report (no job module
imports another)."""
from __future__ import annotations

from typing import Iterable

from rules.registry import Rule, RuleContext, all_rules
from sheets_sync.findings import ALERTE, ERREUR, Finding, sort_findings
from sheets_sync.workbook import WorkbookData

from .base import JobContext
from .memory import KIT, MANDATE, records
from .status_memory import load_status_seen


def cell_finding(data: WorkbookData, rule: str, severity: str, tab: str, key: str, column: str,
                 message: str) -> Finding:
    """A job's finding on the cell (``key``, ``column``) of ``tab``, its message led by the cell's
    reference (« Missions!F12 : … »); without such a cell (a key not in the tab, an optional
    column absent), the message alone."""
    table = data[tab]
    ref = table.cell_of(key, column) if key in table.df.index and column in table.columns else ""
    return Finding(rule, severity, table.title, ref, str(key), f"{ref} : {message}" if ref else message, column)


def rule_context(data: WorkbookData, ctx: JobContext, status_seen: dict | None = None) -> RuleContext:
    """What the rules see: the workbook, the settings, the clock, and what the jobs remember
    (the kit orders made so far, the mandates' records, since when each status)."""
    return RuleContext(data, ctx.settings, ctx.now, kit_orders=records(data, ctx, KIT),
                       mandate_records=records(data, ctx, MANDATE),
                       status_seen=load_status_seen(data, ctx) if status_seen is None else status_seen)


def run_rules(data: WorkbookData, ctx: JobContext, rules: Iterable[Rule] | None = None,
              rule_ctx: RuleContext | None = None) -> list[Finding]:
    """Every rule's findings (before configuration), in rule order."""
    rule_ctx = rule_ctx if rule_ctx is not None else rule_context(data, ctx)
    findings: list[Finding] = []
    for r in rules if rules is not None else all_rules():
        findings.extend(r.func(rule_ctx))
    return findings


def configure(findings: Iterable[Finding], levels: dict[str, str]) -> list[Finding]:
    """Apply ``[check.rules]``: drop rules set to ``off``, give others their configured severity."""
    out = []
    for f in findings:
        level = levels.get(f.rule)
        if level == "off":
            continue
        out.append(f.with_severity(level) if level in (ERREUR, ALERTE) and level != f.severity else f)
    return out


def unique(findings: Iterable[Finding]) -> list[Finding]:
    """The findings without repeats (same rule, cell and message), in their order."""
    seen: set = set()
    out = []
    for f in findings:
        token = (f.rule, f.cell, f.key, f.message)
        if token not in seen:
            seen.add(token)
            out.append(f)
    return out


def collect_findings(data: WorkbookData, ctx: JobContext, status_seen: dict | None = None) -> list[Finding]:
    """The check's findings, configured, de-duplicated and sorted (errors first)."""
    found = run_rules(data, ctx, rule_ctx=rule_context(data, ctx, status_seen)) + list(data.findings) + list(ctx.carried)
    return sort_findings(unique(configure(found, dict(ctx.settings.check.rules))))


__all__ = ["collect_findings", "configure", "rule_context", "run_rules", "unique"]
