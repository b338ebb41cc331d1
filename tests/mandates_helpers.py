"""Shared helpers of the mandate tests: a staffed mission, one run of the step, reading a .docx."""
from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

import docx

from backoffice.jobs.mandates import MandatesOptions, mandates_step
from backoffice.jobs.runner import run_region
from backoffice.settings import Region, load_settings
from sheets_sync import MemoryBackend, Workbook
from tests.factories import AGENCY

NOW = dt.datetime(2026, 11, 20, 9, 0)  # missions of the factories are on 29/11/2026: 9 days ahead


def staffed(**cells) -> dict:
    return {"Salarié": "S0001", "Statut": "Confirmée", **cells}


def settings(**sections):
    return load_settings(environ={}, overrides={"agency": AGENCY, **sections})


def run(backend: MemoryBackend, out: Path, *, now=NOW, dry_run=False, cfg=None, region="IDF", **options):
    step = partial(mandates_step, options=MandatesOptions(**options))
    outcome = run_region(cfg or settings(), Region(region), [("mandates", step)], now,
                         dry_run=dry_run, out=str(out), workbook=Workbook(backend))
    return outcome


def ok(outcome):
    assert not outcome.error, outcome.trace
    assert not outcome.incidents, outcome.incidents[0].trace if outcome.incidents else ""
    return outcome.results[0]


def cell(backend: MemoryBackend, key: str, column: str, tab: str = "Missions"):
    rows = backend.tabs[tab]
    head = rows[0]
    for line in rows[1:]:
        if line[0] == key:
            return line[head.index(column)]
    raise KeyError(key)


def set_cell(backend: MemoryBackend, key: str, column: str, value, tab: str = "Missions") -> None:
    rows = backend.tabs[tab]
    head = rows[0]
    for line in rows[1:]:
        if line[0] == key:
            line[head.index(column)] = value
            return
    raise KeyError(key)


def docx_text(path: Path) -> str:
    """Every text of a .docx: paragraphs, table cells, headers and footers."""
    doc = docx.Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    for section in doc.sections:
        parts.extend(p.text for p in section.header.paragraphs)
        parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(parts)
