"""``backoffice check`` on the command line: --rules, an .xlsx end to end, exit codes."""
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from backoffice.cli import cli
from rules.registry import all_rules
from tests.factories import make_tabs, write_xlsx
from tests.test_check import OTHERS_OFF

pytest.importorskip("sheets_sync.xlsx_backend")


def test_rules_lists_every_rule_without_a_workbook():
    result = CliRunner().invoke(cli, ["check", "--rules"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["Règle", "Gravité", "Onglet", "Explication"]
    for r in all_rules():
        assert any(line.startswith(r.id + " ") and r.severity in line for line in lines), r.id
    assert any(line.startswith("frais.repas_plafond ") and "Notes de frais" in line
               and "plafond URSSAF" in line for line in lines)


def test_rules_shows_the_configured_severity(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[check.rules]\n"frais.repas_plafond" = "off"\n"frais.doublon" = "erreur"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "check", "--rules"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert next(l for l in lines if l.startswith("frais.repas_plafond ")).split()[1] == "off"
    assert next(l for l in lines if l.startswith("frais.doublon ")).split()[1] == "erreur"


def make_workbook(path, **tabs):
    return write_xlsx(path, make_tabs(**tabs))


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "only_check.toml"
    path.write_text("[check.rules]\n" + "".join(f'"{k}" = "off"\n' for k in OTHERS_OFF), encoding="utf-8")
    return str(path)


def check(workbook, config, now="2026-11-27 08:00"):
    return CliRunner().invoke(cli, ["--config", config, "--workbook", workbook, "--now", now, "check"])


def test_errors_exit_1_write_anomalies_and_fill_the_cell(tmp_path, config):
    book = make_workbook(tmp_path / "IDF.xlsx", missions=[{"Marque": "Nestlé"}])
    result = check(book, config)
    assert result.exit_code == 1, result.output
    assert "Erreurs 2 · Alertes 1" in result.output
    assert "donnees.marque_inconnue" in result.output
    wb = openpyxl.load_workbook(book)
    rows = [[c.value for c in r] for r in wb["Anomalies"].iter_rows(min_row=2)]
    assert [(r[0], r[1], r[3]) for r in rows] == [
        ("erreur", "donnees.marque_inconnue", "Missions!C2"),
        ("erreur", "frais.mission_non_travaillee", "Notes de frais!C2"),
        ("alerte", "planning.sans_salarie", "Missions!K2"),
    ]
    assert wb["Missions"]["C2"].fill.fgColor.rgb.endswith("FFC7CE")
    assert wb["Notes de frais"]["C2"].fill.fgColor.rgb.endswith("FFC7CE")
    detected = wb["Anomalies"]["G2"]  # « Détectée le »: a real date, shown JJ/MM/AAAA
    assert (detected.value, detected.number_format) == (dt.datetime(2026, 11, 27), "dd/mm/yyyy")
    content = Path(book).read_bytes()
    assert check(book, config).exit_code == 1  # a second run writes nothing
    assert Path(book).read_bytes() == content
    assert check(book, config, now="2026-11-28 08:00").exit_code == 1  # nor the day after
    assert openpyxl.load_workbook(book)["Anomalies"]["G2"].value == dt.datetime(2026, 11, 27)


def test_a_clean_workbook_exits_0(tmp_path, config):
    book = make_workbook(tmp_path / "IDF.xlsx", missions=[{"Salarié": "S0001", "Statut": "Confirmée",
                                                            "Contrat": "Signé"}])
    result = check(book, config)
    assert result.exit_code == 0, result.output
    assert "Erreurs 0 · Alertes 0" in result.output
