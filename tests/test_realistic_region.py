"""Issue 22's "Done when" on a realistic region set up from the README as a new user would (25
employees, 10 stores, 48 missions, three headers renamed the way people do), and on a copy with
every optional column removed or renamed without a mapping."""
from __future__ import annotations

import datetime as dt
import json
import re

import openpyxl
import pandas as pd
from click.testing import CliRunner

from backoffice.cli import cli
from backoffice.settings import load_settings
from rules.eligibility import evaluate, open_missions
from sheets_sync import Workbook, schema
from sheets_sync.xlsx_backend import XlsxBackend
from tests.factories import set_agency_env, write_xlsx
from tests.mandates_helpers import docx_text
from tests.realistic_region import RENAMED, region, renamed

DAY = dt.date(2026, 12, 7)
OUR_AGENCY = {"name": "Promo Terrain Ouest", "legal_form": "SAS", "siret": "123 456 789 00012",
              "address": "4 rue de la Monnaie", "postal_code": "35000", "city": "Rennes",
              "email": "cdbo@promo-terrain-ouest.fr"}  # invented, but no placeholder
NOW = ["--now", "2026-12-07 08:00"]


def invoke(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def candidates(path, settings) -> set[str]:
    """The employees eligible for at least one open mission of the next 14 days."""
    data = Workbook(XlsxBackend(path), headers=settings.header_overrides(settings.regions[0] if settings.regions
                                                                         else None)).load()
    today = pd.Timestamp(DAY)
    found = evaluate(data, settings, today, open_missions(data["Missions"].df, today, 14))
    return set(found.employees.index[found.pairs["e"].unique()])


def active_with_coordinates(tabs) -> set[str]:
    head, *rows = tabs["Salariés"]
    at = {h: i for i, h in enumerate(head)}
    return {r[at["Matricule"]] for r in rows if r[at["Statut"]] == "Actif"
            and r[at.get("Latitude", 0)] not in (None, "") and r[at.get("Longitude", 0)] not in (None, "")}


def test_a_new_region_from_the_readme_with_three_renamed_headers(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke("init", "agence", "--region", "BRE", "--name", "Bretagne").exit_code == 0
    config = tmp_path / "agence" / "backoffice.toml"
    text = config.read_text(encoding="utf-8")
    for key, value in OUR_AGENCY.items():  # the CDBO fills the agency in
        text = text.replace(f'\n{key} = ""', f"\n{key} = {json.dumps(value, ensure_ascii=False)}", 1)
    config.write_text(text, encoding="utf-8")
    tabs = region(DAY)
    write_xlsx(tmp_path / "agence" / "workbooks" / "BRE.xlsx", renamed(tabs))  # their data, their headers

    first = invoke("--config", config, *NOW, "check", "--dry-run")
    assert first.exit_code == 2, first.output
    output = " ".join(first.output.split())
    assert "colonne obligatoire « Date » introuvable" in output and "« Date mission » → « Date » ?" in output
    # every renamed header of every tab in one go, as lines to paste at the end of the config
    block = re.split(r"à\s+coller\s+tels\s+quels\s+à\s+la\s+fin\s+de\s+la\s+configuration\s+:\n",
                     first.output)[1]
    lines = [line.strip() for line in block.splitlines() if line.strip()]
    for (tab, column), header in RENAMED.items():
        assert f'[headers."{tab}"]' in lines and f'"{column}" = "{header}"' in lines
    config.write_text(text + "\n" + "\n".join(lines) + "\n", encoding="utf-8")

    dry = invoke("--config", config, *NOW, "check", "--dry-run")
    assert dry.exit_code in (0, 1), dry.output
    assert "donnees.entete_a_declarer" not in dry.output and "Simulation (--dry-run)" in dry.output
    day = invoke("--config", config, *NOW, "run")
    assert day.exit_code in (0, 1), day.output
    assert "donnees.cellule_illisible" not in day.output  # every phone written the French way is read
    settings = load_settings(config)
    assert candidates(tmp_path / "agence" / "workbooks" / "BRE.xlsx", settings) == active_with_coordinates(tabs)
    mandates = sorted((tmp_path / "agence").rglob("*.docx"))
    assert len([m for m in mandates if "templates" not in m.parts]) >= 10


def without_optional_columns(tabs):
    """Every optional column of every people's tab removed (one in two) or renamed the way people
    do without a mapping (the other); the renamed ones, by tab."""
    out, renames = {}, {}
    for name, rows in tabs.items():
        spec = schema.SPECS[name]
        optional = [h for h in rows[0] if not spec.column(h).required and not spec.column(h).job]
        dropped = set(optional[0::2])
        renames[name] = {h: f"{h} (à jour)" for h in optional[1::2]}
        keep = [i for i, h in enumerate(rows[0]) if h not in dropped]
        out[name] = [[renames[name].get(rows[0][i], rows[0][i]) for i in keep]] + [
            [r[i] if i < len(r) else None for i in keep] for r in rows[1:]]
    return out, renames


def test_every_optional_column_removed_or_renamed(tmp_path, monkeypatch):
    set_agency_env(monkeypatch)
    monkeypatch.chdir(tmp_path)
    tabs, renames = without_optional_columns(region(DAY))
    book = write_xlsx(tmp_path / "BRE.xlsx", tabs)
    result = invoke("--workbook", book, *NOW, "run")
    assert result.exit_code in (0, 1), result.output
    anomalies = list(openpyxl.load_workbook(book)["Anomalies"].iter_rows(min_row=2, values_only=True))
    hints = [(tab, message) for _sev, rule, tab, _cell, _key, message, _day in anomalies
             if rule == "donnees.entete_a_declarer"]
    # one finding per unmapped column, naming it
    expected = sorted((tab, header) for tab, pairs in renames.items() for header in pairs.values())
    assert len(hints) == len(expected)
    for tab, header in expected:
        assert [m for t, m in hints if t == tab and f"« {header} »" in m], (tab, header)
    assert candidates(book, load_settings()) == active_with_coordinates(tabs)
    made = sorted(tmp_path.rglob("*.docx"))
    assert made, result.output
    for text in map(docx_text, made):
        assert "None" not in text and "nan" not in text.split()
        assert "à compléter" in text  # the brand's and the store's missing fields said so
