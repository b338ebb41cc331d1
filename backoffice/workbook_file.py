"""Write a regional workbook as a new ``.xlsx`` file with the contract's tabs and headers.

Used to start a region (``backoffice init``) and by the demo; never on a people's workbook,
which only the backend's cell patches touch.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Mapping

from openpyxl import Workbook as XlsxWorkbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from sheets_sync import schema

FORMATS = {schema.DATE: "DD/MM/YYYY", schema.TIME: "HH:MM", schema.POSTAL: "@", schema.AMOUNT: "#,##0.00"}
VALIDATED_ROWS = 5000  # the drop-down lists cover rows 2 to 5000
# Columns whose list suggests rather than forbids: people type other words there (« Excusée »).
SUGGESTED = {("Missions", "Présence"): schema.PRESENCE_STATUSES}
_HEADER_FILL = PatternFill(fill_type="solid", start_color="FFD9E2F3", end_color="FFD9E2F3")


def write_workbook(path: Path, tabs: Mapping[str, list[dict[str, Any]]], *, owned_tabs: bool = False,
                   titles: Mapping[str, str] | None = None) -> None:
    """The people's tabs (rows as dicts of column -> value), headers bold, frozen and filtered,
    column widths that fit, drop-down lists on the status columns; ``owned_tabs`` adds the
    tool's ``Anomalies``, ``Journal``, ``État``, ``Envois`` (hidden) and ``Synthèse`` with their headers."""
    wb = XlsxWorkbook()
    wb.remove(wb.active)
    specs = schema.PEOPLE_TABS + (schema.OWNED_TABS + schema.REPORT_TABS + schema.QUEUE_TABS if owned_tabs else ())
    for spec in specs:
        ws = wb.create_sheet((titles or {}).get(spec.name, spec.name))
        _fill_tab(ws, spec, tabs.get(spec.name, []))
        if spec.hidden:
            ws.sheet_state = "hidden"  # the tool's memory and outbox
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _fill_tab(ws, spec: schema.TabSpec, records: list[dict[str, Any]]) -> None:
    ws.append(list(spec.names))
    widths = [len(n) for n in spec.names]
    for record in records:
        values = [record.get(n, "") for n in spec.names]
        ws.append([None if v == "" else v for v in values])
        for i, v in enumerate(values):
            widths[i] = max(widths[i], 10 if isinstance(v, (dt.date, dt.time)) else len(str(v)))
    for i, col in enumerate(spec.columns, 1):
        letter = get_column_letter(i)
        least = 12 if col.type in (schema.DATE, schema.TIME) else 9  # JJ/MM/AAAA never shows « ### »
        ws.column_dimensions[letter].width = col.width or min(max(widths[i - 1] + 3, least), 45)
        fmt = FORMATS.get(col.type)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                if not isinstance(cell.value, str):
                    cell.number_format = fmt
        choices = col.choices or SUGGESTED.get((spec.name, col.name), ())
        if choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
            if not col.choices:  # a suggestion: any other text is accepted
                dv.errorStyle, dv.showErrorMessage = "information", False
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(spec.columns))}{max(1, len(records) + 1)}"
