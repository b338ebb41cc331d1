"""``backoffice kits order`` and ``backoffice kits import`` on an .xlsx workbook, through click."""
import openpyxl
import pytest
from click.testing import CliRunner

from backoffice.cli import cli
from tests.factories import make_tabs, write_xlsx, xlsx_row

pytest.importorskip("sheets_sync.xlsx_backend")


@pytest.fixture
def workbook(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # default out dir: ./output
    for name in list(__import__("os").environ):
        if name.startswith("BACKOFFICE_"):
            monkeypatch.delenv(name)
    tabs = make_tabs(missions=[{"N° mission": "M0042", "Kit": "KIT-A", "Salarié": "S0001",
                                "Statut": "Confirmée", "Date": "12/11/2026"}])
    path = tmp_path / "IDF.xlsx"
    write_xlsx(path, tabs)
    return path


def missions_row(path, key):
    return xlsx_row(path, "Missions", key)


def test_order_then_import(workbook, tmp_path):
    runner = CliRunner()
    base = ["--workbook", str(workbook), "--now", "2026-11-05 09:30"]
    result = runner.invoke(cli, base + ["kits", "order"])
    assert result.exit_code == 0, result.output
    order_file = tmp_path / "output" / "IDF" / "kits" / "commande_kits_20261105-0930.csv"
    assert order_file.read_bytes().decode("utf-8-sig").splitlines()[1] == (
        "K-IDF-M0042;M0042;KIT-A;Léa Martin;3 rue des Lilas;75011;Paris;06 12 34 56 78;10/11/2026;")
    assert "commandes de kits 1" in result.output
    row = missions_row(workbook, "M0042")
    assert (row["Kit statut"], row["N° commande kit"]) == ("Commandé", "K-IDF-M0042")

    again = runner.invoke(cli, base + ["kits", "order"])
    assert again.exit_code == 0 and "commandes de kits 0" in again.output

    tracking = tmp_path / "suivi.csv"
    tracking.write_bytes("N° commande;Statut;N° suivi;Date\nK-IDF-M0042;Livré;1Z42;09/11/2026\n"
                         "K-IDF-M9;Livré;;09/11/2026\n".encode("latin-1"))
    result = runner.invoke(cli, base + ["kits", "import", str(tracking)])
    assert result.exit_code == 1, result.output  # one line needs a person
    assert "suivi.csv ligne 3 : N° commande « K-IDF-M9 » inconnu" in result.output
    row = missions_row(workbook, "M0042")
    assert (row["Kit statut"], row["N° suivi"]) == ("Livré", "1Z42")


def test_order_xlsx_to_a_given_file(workbook, tmp_path):
    out = tmp_path / "partenaire.xlsx"
    result = CliRunner().invoke(cli, ["--workbook", str(workbook), "--now", "2026-11-05 09:30",
                                      "kits", "order", "--xlsx", "--out", str(out), "--days", "7"])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out)["Commandes"]["A2"].value == "K-IDF-M0042"


def test_import_of_a_missing_file_is_a_usage_error(workbook):
    result = CliRunner().invoke(cli, ["--workbook", str(workbook), "kits", "import", "absent.csv"])
    assert result.exit_code == 2
