"""The demo workspace: contract tabs, sizes, determinism, invented data, planted anomalies."""
from __future__ import annotations

import datetime as dt
import importlib.util
import re

import openpyxl
import pytest
from click.testing import CliRunner

from backoffice.demo import PLANTED, build_demo
from backoffice.demo.data import EMAIL_DOMAINS, TOWNS
from sheets_sync import MemoryBackend, schema
from sheets_sync.workbook import Workbook

DAY = dt.date(2026, 3, 10)
CODES = ("IDF", "BRE", "ARA")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    paths = build_demo(root, DAY)
    books = {code: openpyxl.load_workbook(paths[code]) for code in CODES}
    return root, paths, books


def values(book) -> dict[str, list[tuple]]:
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book}


def test_files_written(demo):
    root, paths, _ = demo
    assert sorted(p.relative_to(root).as_posix() for p in paths.values()) == [
        "backoffice.toml", "ivr/ARA/appels_20260310.csv", "ivr/BRE/appels_20260310.csv",
        "ivr/IDF/appels_20260310.csv", "templates/mandat_fournisseur.docx", "workbooks/ARA.xlsx",
        "workbooks/BRE.xlsx", "workbooks/IDF.xlsx"]


def test_the_workspace_has_its_own_template_and_ivr_folders(demo):
    from backoffice.settings import load_settings

    root, paths, _ = demo
    settings = load_settings(paths["config"], environ={})
    assert settings.template_path() == paths["template"]
    assert [settings.path(r.ivr_log) for r in settings.regions] == [root / "ivr" / c for c in ("IDF", "BRE", "ARA")]


def test_a_folder_with_other_files_is_refused(tmp_path):
    from sheets_sync.errors import BackofficeError

    (tmp_path / "mes_classeurs").mkdir()
    (tmp_path / "mes_classeurs" / "IDF.xlsx").write_bytes(b"real data")
    with pytest.raises(BackofficeError, match="ni vide ni un espace de démonstration"):
        build_demo(tmp_path / "mes_classeurs", dt.date(2026, 3, 10))
    assert (tmp_path / "mes_classeurs" / "IDF.xlsx").read_bytes() == b"real data"


def test_config_loads_with_three_regions(demo):
    from backoffice.settings import load_settings

    settings = load_settings(demo[1]["config"])
    assert [(r.code, r.name, r.workbook) for r in settings.regions] == [
        ("IDF", "Île-de-France", "workbooks/IDF.xlsx"), ("BRE", "Bretagne", "workbooks/BRE.xlsx"),
        ("ARA", "Auvergne-Rhône-Alpes", "workbooks/ARA.xlsx")]
    assert settings.mandates.out_dir == "output" and settings.smtp.host == "localhost"
    assert settings.template_path().exists()


@pytest.mark.parametrize("code", CODES)
def test_tabs_and_headers_follow_the_contract(demo, code):
    book = demo[2][code]
    assert book.sheetnames == [spec.name for spec in schema.PEOPLE_TABS]
    for spec in schema.PEOPLE_TABS:
        ws = book[spec.name]
        assert [c.value for c in ws[1]] == list(spec.names)
        assert all(c.font.bold for c in ws[1])
        assert ws.freeze_panes == "A2"
    status_col = openpyxl.utils.get_column_letter(schema.MISSIONS.names.index("Statut") + 1)
    lists = [dv for dv in book["Missions"].data_validations.dataValidation if dv.type == "list"]
    assert any(f"{status_col}2" in str(dv.sqref) and "À pourvoir" in dv.formula1 for dv in lists)


@pytest.mark.parametrize("code", CODES)
def test_sizes(demo, code):
    book = demo[2][code]
    assert book["Salariés"].max_row - 1 == 150
    assert 395 <= book["Missions"].max_row - 1 <= 405
    assert book["Magasins"].max_row - 1 == 40
    assert book["Notes de frais"].max_row - 1 > 100 and book["Formations"].max_row - 1 > 300


@pytest.mark.parametrize("code", CODES)
def test_cell_types(demo, code):
    ws = demo[2][code]["Missions"]
    row = [c.value for c in ws[2]]
    names = schema.MISSIONS.names
    assert isinstance(row[names.index("Date")], dt.datetime)
    assert isinstance(row[names.index("Début")], dt.time)
    for ws_name in ("Salariés", "Magasins"):
        col = schema.SPECS[ws_name].names.index("Code postal")
        codes = [r[col] for r in demo[2][code][ws_name].iter_rows(min_row=2, values_only=True)]
        assert all(isinstance(v, str) and re.fullmatch(r"\d{5}", v) for v in codes)
    towns = {(t.name, t.postal_code) for t in TOWNS[code]}
    stores = demo[2][code]["Magasins"].iter_rows(min_row=2, values_only=True)
    assert all((r[5], r[4]) in towns for r in stores)


def test_missions_span_three_weeks_around_the_day(demo):
    col = schema.MISSIONS.names.index("Date")
    dates = {r[col].date() for r in demo[2]["IDF"]["Missions"].iter_rows(min_row=2, values_only=True)
             if isinstance(r[col], dt.datetime)}
    assert min(dates) == DAY - dt.timedelta(days=7) and max(dates) == DAY + dt.timedelta(days=13)


def test_deterministic(demo, tmp_path):
    root, paths, books = demo
    again = build_demo(tmp_path, DAY)
    for code in CODES:
        assert again[f"ivr_{code}"].read_bytes() == paths[f"ivr_{code}"].read_bytes()
        assert values(openpyxl.load_workbook(again[code])) == values(books[code])
    assert again["config"].read_text() == paths["config"].read_text()


def test_other_day_other_data(tmp_path):
    paths = build_demo(tmp_path, DAY + dt.timedelta(days=1))
    assert paths["ivr_IDF"].name == "appels_20260311.csv"


@pytest.mark.parametrize("code", CODES)
def test_only_invented_contacts(demo, code):
    planted_phones = {p.value for p in PLANTED if p.column == "Téléphone"}
    for title, rows in values(demo[2][code]).items():
        for row in rows[1:]:
            for v in row:
                if isinstance(v, str) and "@" in v:
                    assert v.rsplit("@", 1)[1] in EMAIL_DOMAINS, v
    phone = schema.EMPLOYEES.names.index("Téléphone")
    for row in demo[2][code]["Salariés"].iter_rows(min_row=2, values_only=True):
        assert re.fullmatch(r"0[67]( \d\d){4}", row[phone]) or row[phone] in planted_phones


@pytest.mark.parametrize("code", CODES)
def test_ivr_log_format(demo, code):
    lines = demo[1][f"ivr_{code}"].read_text(encoding="utf-8").splitlines()
    assert lines[0] == "date_appel;numero_appelant;code_saisi;resultat"
    assert len(lines) > 10
    for line in lines[1:]:
        when, number, code_typed, result = line.split(";")
        assert dt.datetime.strptime(when, "%d/%m/%Y %H:%M:%S").date() == DAY
        assert result in ("OK", "ABANDON") and (number == "masqué" or re.fullmatch(r"\+?\d{10,11}", number))


def test_planted_list_matches_the_cells(demo):
    root, paths, books = demo
    assert {p.region for p in PLANTED} == set(CODES)
    for p in PLANTED:
        if p.tab == "IVR":
            assert f";{p.key};;OK" in paths[f"ivr_{p.region}"].read_text(encoding="utf-8")
            continue
        tab, ref = p.cell.split("!")
        assert tab == p.tab
        cell = books[p.region][tab][ref]
        assert books[p.region][tab].cell(1, cell.column).value == p.column
        assert (cell.value if cell.value is not None else "") == p.value, p


@pytest.mark.parametrize("code", CODES)
def test_reader_finds_only_the_planted_unreadable_cells(demo, code):
    tabs = {title: [list(r) for r in rows] for title, rows in values(demo[2][code]).items()}
    data = Workbook(MemoryBackend(tabs)).load()
    got = sorted((f.rule, f.cell) for f in data.findings)
    reader_rules = {f.rule for f in data.findings} | {"donnees.cellule_illisible", "donnees.cle_en_double"}
    want = sorted((p.rule, p.cell) for p in PLANTED if p.region == code and p.rule in reader_rules)
    assert got == want


JOBS = ("backoffice.jobs.check", "backoffice.jobs.presence", "backoffice.jobs.suggest",
        "backoffice.jobs.mandates", "backoffice.jobs.kits")


@pytest.mark.skipif(any(importlib.util.find_spec(m) is None for m in JOBS), reason="jobs not all present")
def test_demo_command_finds_exactly_the_planted_anomalies(tmp_path):
    from backoffice.cli import cli

    result = CliRunner().invoke(cli, ["--now", "2026-03-10 07:00", "demo", str(tmp_path / "demo")])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[0] == (
        f"Espace de démonstration écrit dans {tmp_path / 'demo'} (journée du 10/03/2026, 10:30).")
    for code in CODES:
        assert f"Région {code}" in result.output
        book = openpyxl.load_workbook(tmp_path / "demo" / "workbooks" / f"{code}.xlsx")
        got = sorted((r[1], r[3] or "") for r in book["Anomalies"].iter_rows(min_row=2, values_only=True))
        want = sorted((p.rule, "" if p.tab == "IVR" else p.cell) for p in PLANTED if p.region == code)
        assert got == want
