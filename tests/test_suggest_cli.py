"""``backoffice suggest`` on an .xlsx workbook: exit codes, the written cell, --explain."""
import openpyxl
from click.testing import CliRunner

from backoffice.cli import cli
from tests.factories import make_tabs, write_xlsx, xlsx_row

NOW = "2026-11-28 09:00"


def cell(path, tab, key, column):
    return xlsx_row(path, tab, key)[column]


def invoke(path, *args):
    return CliRunner().invoke(cli, ["--workbook", str(path), "--now", NOW, "suggest", *args],
                              catch_exceptions=False)


def tabs_two_people():
    return make_tabs(employees=[{"Matricule": "S0001"},
                                {"Matricule": "S0002", "Prénom": "Paul", "Nom": "Durand", "Latitude": 49.5}],
                     trainings=[{"Matricule": "S0001"}], time_off=[], expenses=[])


def test_suggest_writes_the_cell_and_exits_0(tmp_path):
    path = tmp_path / "IDF.xlsx"
    write_xlsx(path, tabs_two_people())
    result = invoke(path)
    assert result.exit_code == 0, result.output
    assert "missions ouvertes 1 · avec candidat 1 · sans candidat 0" in result.output
    assert cell(path, "Missions", "M0001", "Suggestions") == (
        "1. S0001 Léa Martin — 1 km, formation Lindt, aucune mission cette semaine")
    assert invoke(path).exit_code == 0
    assert len(list(openpyxl.load_workbook(path)["Journal"].iter_rows())) == 2  # header + one write


def test_suggest_exits_1_when_a_close_mission_has_no_candidate(tmp_path):
    path = tmp_path / "IDF.xlsx"
    write_xlsx(path, make_tabs(trainings=[], time_off=[], expenses=[]))
    result = invoke(path)
    assert result.exit_code == 1
    assert cell(path, "Missions", "M0001", "Suggestions") == "Aucun candidat : 1 non formé"


def test_explain_prints_each_active_employee_and_writes_nothing(tmp_path):
    path = tmp_path / "IDF.xlsx"
    write_xlsx(path, tabs_two_people())
    result = invoke(path, "--explain", "M0001")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Mission M0001 — Lindt, magasin C001, 29/11/2026 09:00–17:00" in out
    lines = [line for line in out.splitlines() if "S000" in line]
    assert "S0001" in lines[0] and "choix du plan" in lines[0] and "-8,5" in lines[0]
    assert "S0002" in lines[1] and "exclu : non formé" in lines[1]
    assert cell(path, "Missions", "M0001", "Suggestions") is None


def test_explain_of_an_unknown_mission_exits_2(tmp_path):
    path = tmp_path / "IDF.xlsx"
    write_xlsx(path, tabs_two_people())
    result = CliRunner().invoke(cli, ["--workbook", str(path), "--now", NOW, "suggest", "--explain", "M404"])
    assert result.exit_code == 2
    assert "Mission « M404 » introuvable dans l'onglet Missions." in result.output
