"""The daily check: every rule of the registry, written to the ``Anomalies`` tab.

``check_step`` runs every registered rule on the workbook, adds what the reader and the
earlier steps of a ``run`` found, applies ``[check.rules]`` (``off`` or a severity), rewrites
``Anomalies`` (only when its content changes) and highlights every cell with an ``erreur``
(the highlight goes when the cause is fixed). It never writes itself: it returns changes.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd

from rules.registry import all_rules
from sheets_sync.a1 import split_a1
from sheets_sync.backend import COLOR_ERROR, TOOL_COLORS
from sheets_sync.findings import ALERTE, ERREUR, Finding
from sheets_sync.parsing import CellError, cell_text, parse_date
from sheets_sync.schema import ANOMALIES, PEOPLE_TABS
from sheets_sync.table import Highlight, Table as SheetTable
from sheets_sync.workbook import WorkbookData

from .base import JobContext, JobResult, Table
from .findings import collect_findings
from .status_memory import planned_statuses, remember_statuses

TASK = "check"
MAX_LISTED = 30  # errors listed on the terminal; the Anomalies tab has them all


# --- the Anomalies tab -------------------------------------------------------------------------

def _first_seen(raw) -> dt.date | None:
    """A « Détectée le » read back (a date cell, or the text earlier versions wrote), as a date."""
    try:
        day = parse_date(raw)
    except CellError:
        return None
    return None if day is pd.NaT else day.date()


_WORD = {ERREUR: ERREUR.value, ALERTE: ALERTE.value}  # the severity as the plain text written


def anomaly_rows(findings: list[Finding], previous: SheetTable, today: dt.date) -> list[list]:
    """Rows of the Anomalies tab; a finding already listed keeps its « Détectée le » (a date)."""
    by_message: dict[tuple, dt.date] = {}
    by_key: dict[tuple, dt.date] = {}
    df = previous.df
    if not df.empty:
        for rule_id, cell, key, message, first in zip(df["Règle"], df["Cellule"], df["Clé"],
                                                      df["Message"], df["Détectée le"]):
            first = _first_seen(first)
            if first:
                by_message.setdefault((rule_id, cell, message), first)
                by_key.setdefault((rule_id, cell, key), first)
    rows = []
    for f in findings:
        first = by_message.get((f.rule, f.cell, f.message)) or by_key.get((f.rule, f.cell, f.key)) or today
        rows.append([_WORD[f.severity], f.rule, f.tab, f.cell, f.key, f.message, first])
    return rows


def _same_content(table: SheetTable, rows: list[list[str]]) -> bool:
    width = len(ANOMALIES.names)
    if sum(1 for line in table.raw.rows[1:] if line) != len(rows):
        return False  # not even as many rows: no need to compare them
    old = [[cell_text(v) for v in line[:width]] for line in table.raw.rows[1:]]
    old = [r + [""] * (width - len(r)) for r in old if any(r)]
    new = [[cell_text(v) for v in r] for r in rows]
    return old == new


# --- highlights ---------------------------------------------------------------------------------

def error_highlights(data: WorkbookData, findings: list[Finding]) -> list[Highlight]:
    """Highlights so that exactly the cells with an ``erreur`` carry the check's colour.

    Keyed tabs only (rows of Formations and Indisponibilités have no key to find them by).
    Rows left out by the reader (an unreadable cell) are handled by position.
    """
    out: list[Highlight] = []
    by_tab: dict[str, list[Finding]] = {}  # the errors on a cell, by tab (one pass over tens of thousands)
    for f in findings:
        if f.severity == ERREUR and f.cell:
            by_tab.setdefault(f.tab, []).append(f)
    for spec in PEOPLE_TABS:
        if spec.key is None or spec.name not in data:
            continue
        table = data[spec.name]
        errors = [f for f in by_tab.get(table.title, ()) if f.column in table.columns]
        keys = table.row_index()
        wanted = {(f.key, f.column) for f in errors if f.key in keys}
        out.extend(table.highlights(COLOR_ERROR, wanted))
        out.extend(_left_out_highlights(table, [f for f in errors if f.key not in keys]))
    return out


def _left_out_highlights(table: SheetTable, errors: list[Finding]) -> list[Highlight]:
    """Highlights on rows the reader left out, located by their (unique) key in the raw sheet."""
    kept = set(int(r) for r in table.df["_row"])
    stale = [(row, col) for (row, col), color in table.raw.fills.items() if color == COLOR_ERROR and row not in kept]
    if not errors and not stale:  # the usual case: nothing on a left-out row
        return []
    key_col = table.columns[table.spec.key]
    names = {i: n for n, i in table.columns.items()}
    rows_of = table.raw.key_rows(key_col)
    wanted: dict[tuple[int, int], Finding] = {}
    for f in errors:
        _tab, row, col = split_a1(f.cell)
        if len(rows_of.get(f.key, [])) == 1 and rows_of[f.key][0] == row:
            wanted[(row, col)] = f
    out = []
    for (row, col), f in sorted(wanted.items()):
        if table.raw.fills.get((row, col)) not in TOOL_COLORS:
            out.append(Highlight(table.name, f.key, names[col], COLOR_ERROR, COLOR_ERROR))
    unique_key_of_row = {rows[0]: k for k, rows in rows_of.items() if len(rows) == 1}
    for row, col in sorted(stale):
        if (row, col) not in wanted and row in unique_key_of_row and col in names:
            out.append(Highlight(table.name, unique_key_of_row[row], names[col], None, COLOR_ERROR))
    return out


# --- the step -------------------------------------------------------------------------------------

def check_step(data: WorkbookData, ctx: JobContext) -> JobResult:
    """Run every rule, rewrite Anomalies, highlight the cells with an error."""
    result = JobResult(TASK)
    seen, changed = planned_statuses(data, ctx)
    findings = collect_findings(data, ctx, seen)
    rows = anomaly_rows(findings, data["Anomalies"], ctx.now.date())
    if not _same_content(data["Anomalies"], rows):
        result.changes.rewrite(TASK, "Anomalies", rows)
    for hl in error_highlights(data, findings):
        result.changes.highlight(TASK, hl)
    result.findings = findings

    severities = Counter(f.severity for f in findings)
    per_rule = Counter((f.rule, f.severity) for f in findings)
    result.summary = [("Erreurs", severities[ERREUR]), ("Alertes", severities[ALERTE])]
    unknown = sorted(set(ctx.settings.check.rules) - {r.id for r in all_rules()})
    if unknown:
        result.summary.append(("Règles inconnues dans check.rules (ignorées) :", ", ".join(unknown)))
    result.tables.append(Table(
        "Anomalies par règle", ["Règle", "Gravité", "Nombre"],
        [[rule_id, severity, n] for (rule_id, severity), n in
         sorted(per_rule.items(), key=lambda item: (item[0][1] != ERREUR, item[0][0]))], limit=None))
    errors = [f for f in findings if f.severity == ERREUR]
    listed = [[f.cell, f.message.removeprefix(f"{f.cell} : ")] for f in errors[:MAX_LISTED]]
    if len(errors) > MAX_LISTED:
        listed.append(["…", f"et {len(errors) - MAX_LISTED} autre(s) : voir l'onglet Anomalies"])
    result.tables.append(Table("Erreurs à corriger", ["Cellule", "Message"], listed, limit=None))
    result.needs_attention = severities[ERREUR] > 0
    # since when each status (and what an earlier version's files held), in the same write as the
    # Anomalies it explains
    if changed:
        remember_statuses(data, ctx, seen)
    return result
