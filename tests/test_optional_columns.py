"""Optional means optional: a workbook with only the required and job columns runs every job."""
import openpyxl
import pytest
from click.testing import CliRunner

from backoffice.cli import cli
from sheets_sync import schema
from tests.factories import make_tabs, set_agency_env, write_xlsx


def required_only(tabs: dict) -> dict:
    """The tabs without any optional column of the contract (its people left them out)."""
    out = {}
    for name, rows in tabs.items():
        spec = schema.SPECS[name]
        keep = [i for i, h in enumerate(rows[0]) if spec.column(h).required or spec.column(h).job]
        out[name] = [[r[i] if i < len(r) else None for i in keep] for r in rows]
    return out


@pytest.fixture
def bare(tmp_path):
    employees = [{"Matricule": "S0001"}, {"Matricule": "S0002", "Téléphone": "06 12 34 56 79", "Latitude": 48.86}]
    missions = [{"N° mission": "M1", "Salarié": "S0001", "Statut": "Confirmée", "Date": "30/11/2026"},
                {"N° mission": "M2", "Date": "01/12/2026"},
                {"N° mission": "M3", "Salarié": "S0002", "Statut": "Annulée", "Date": "28/11/2026"}]
    return write_xlsx(tmp_path / "IDF.xlsx", required_only(make_tabs(employees=employees, missions=missions)))


@pytest.mark.parametrize("command", [["run", "--pdf"], ["check"], ["suggest"], ["mandates"], ["kits", "order"],
                                     ["presence"], ["dossier", "S0001"], ["report"], ["archive"]])
def test_every_job_runs_without_the_optional_columns(bare, tmp_path, monkeypatch, command, request):
    if "--pdf" in command:
        request.getfixturevalue("libreoffice")  # skips on a machine without it, naming the package
    set_agency_env(monkeypatch)
    monkeypatch.chdir(tmp_path)
    log = tmp_path / "svi.csv"
    log.write_text("date_appel;numero_appelant;code_saisi;resultat\n27/11/2026 07:50;0612345678;;OK\n", "utf-8")
    if command[0] in ("run", "presence"):
        command = [*command, "--ivr-log", str(log)]
    for dry in ([], ["--dry-run"]):
        result = CliRunner().invoke(cli, ["--workbook", bare, "--now", "2026-11-27 08:00", *dry, *command])
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output


def test_the_missing_optional_columns_read_as_blank(bare):
    from sheets_sync import Workbook
    from sheets_sync.xlsx_backend import XlsxBackend

    data = Workbook(XlsxBackend(bare)).load()
    stores, missions = data["Magasins"], data["Missions"]
    assert "Code postal" not in stores.columns and stores.df.at["C001", "Code postal"] == ""
    assert missions.df["Pause"].isna().all() and missions.df["Kit"].eq("").all()
    assert "Adresse" not in openpyxl.load_workbook(bare)["Magasins"][1]  # nothing was added to the sheet


def test_a_mandate_shows_a_missing_field_as_to_complete(bare, tmp_path, monkeypatch):
    from tests.mandates_helpers import docx_text

    set_agency_env(monkeypatch)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--workbook", bare, "--now", "2026-11-27 08:00", "mandates"])
    assert result.exit_code in (0, 1), result.output
    [doc] = (tmp_path / "output" / "IDF" / "mandats").glob("*.docx")
    text = docx_text(doc)
    assert "La société à compléter, titulaire de la marque Lindt" in text
    assert "La société ," not in text
