"""``backoffice presence`` end to end on an .xlsx workbook: cells, red fill, exit codes."""
from functools import partial
import openpyxl
import pytest
from click.testing import CliRunner

from backoffice.cli import cli
from tests.factories import make_tabs, write_xlsx

pytest.importorskip("sheets_sync.xlsx_backend")

HEADER = "date_appel;numero_appelant;code_saisi;resultat\n"


def make_workbook(path, missions):
    employees = [{"Matricule": f"S000{i}", "Prénom": f"P{i}", "Nom": f"N{i}",
                  "Téléphone": f"06 00 00 00 0{i}"} for i in (1, 2)]
    return write_xlsx(path, make_tabs(employees=employees, missions=missions))


def presence(workbook, log, now="2026-11-29 09:30", *extra):
    return CliRunner().invoke(cli, ["--workbook", workbook, "--now", now, "presence", "--ivr-log", log,
                                    *extra])


@pytest.fixture
def two_missions(tmp_path):
    return make_workbook(tmp_path / "IDF.xlsx", [
        {"N° mission": "M1", "Salarié": "S0001", "Statut": "Confirmée"},
        {"N° mission": "M2", "Salarié": "S0002", "Statut": "Confirmée"}])


def cells(path):
    ws = openpyxl.load_workbook(path)["Missions"]
    return [(ws[f"V{r}"].value, ws[f"W{r}"].value, ws[f"V{r}"].fill.fgColor.rgb if ws[f"V{r}"].fill.fill_type else None)
            for r in (2, 3)]


def test_someone_missing_exits_1_and_is_red_in_the_xlsx(tmp_path, two_missions):
    logs = tmp_path / "exports"
    logs.mkdir()
    (logs / "svi.csv").write_text(HEADER + "29/11/2026 08:55;06 00 00 00 01;;OK\n", encoding="latin-1")
    out = tmp_path / "appels.csv"
    result = presence(two_missions, str(logs), "2026-11-29 09:30", "--out", str(out))
    assert result.exit_code == 1, result.output
    assert "confirmées 1 · en retard 0 · manquantes 1 · appels non rattachés 0" in result.output
    assert "À appeler" in result.output and "S0002 P2 N2" in result.output
    assert cells(two_missions) == [("Confirmée", "08:55", None), ("Manquante", None, "FFEA9999")]
    assert out.read_text(encoding="utf-8-sig").splitlines()[1] == \
        "M2;Carrefour République;S0002 P2 N2;06 00 00 00 02;09:00;30;"

    again = presence(two_missions, str(logs))
    assert again.exit_code == 1
    assert "Écriture : 0 cellule(s) écrite(s), Journal +0" in again.output

    (logs / "svi.csv").write_text(HEADER + "29/11/2026 08:55;06 00 00 00 01;;OK\n"
                                  "29/11/2026 09:40;06 00 00 00 02;;OK\n")
    later = presence(two_missions, str(logs), "2026-11-29 10:00")
    assert later.exit_code == 0, later.output
    assert cells(two_missions) == [("Confirmée", "08:55", None), ("En retard", "09:40", None)]


def test_everyone_confirmed_exits_0(tmp_path, two_missions):
    log = tmp_path / "svi.csv"
    log.write_text(HEADER + "29/11/2026 08:55;06 00 00 00 01;;OK\n29/11/2026 09:05;masqué;S0002;OK\n")
    result = presence(two_missions, str(log))
    assert result.exit_code == 0, result.output
    assert cells(two_missions) == [("Confirmée", "08:55", None), ("Confirmée", "09:05", None)]


def test_an_unusable_log_exits_2_and_writes_nothing(tmp_path, two_missions):
    log = tmp_path / "svi.csv"
    log.write_text(HEADER + "hier;0612345678;1;OK\n")
    result = presence(two_missions, str(log))
    assert result.exit_code == 2
    assert "svi.csv : aucune ligne d'appel utilisable" in result.output
    assert cells(two_missions) == [(None, None, None), (None, None, None)]


@pytest.mark.parametrize("content", [None, HEADER])
def test_no_export_yet_or_no_call_yet_is_a_stale_log_and_marks_nobody(tmp_path, two_missions, content):
    folder = tmp_path / "ivr"
    folder.mkdir()
    if content is not None:
        (folder / "svi.csv").write_text(content)
    result = presence(two_missions, str(folder))
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    source = "fichier svi.csv" if content else f"aucun export dans {folder}"
    assert f"journal SVI du 29/11 absent ou périmé (aucun appel, {source})" in text
    assert cells(two_missions) == [(None, None, None), (None, None, None)]


def test_missing_is_red_on_google_sheets_and_the_red_goes(tmp_path):
    """The same job through the Google backend, against the in-process Sheets API stand-in."""
    pytest.importorskip("sheets_sync.google_backend")
    import datetime as dt

    from backoffice.jobs.presence import PresenceOptions, presence_step
    from backoffice.jobs.runner import run_region
    from backoffice.settings import Region, load_settings
    from sheets_sync import COLOR_MISSING, Workbook
    from sheets_sync.google_backend import GoogleSheetsBackend
    from tests.sheets_standin import SheetsStandIn

    sid = "1PresenceStandIn0123456789abcdefghijklmnop"
    log = tmp_path / "svi.csv"
    with SheetsStandIn() as standin:
        standin.add_spreadsheet(sid, make_tabs(missions=[
            {"N° mission": "M1", "Salarié": "S0001", "Statut": "Confirmée"}]))

        def run(now):
            backend = GoogleSheetsBackend.from_settings(sid, endpoint=standin.url, timeout_s=5.0,
                                                        max_retries=1, backoff_s=0.001)
            step = partial(presence_step, options=PresenceOptions(str(log)))
            outcome = run_region(load_settings(environ={}), Region("G"), [("presence", step)],
                                 now, workbook=Workbook(backend))
            assert outcome.error == ""
            return outcome

        log.write_text(HEADER + "29/11/2026 06:00;07 99 99 99 99;;OK\n")
        run(dt.datetime(2026, 11, 29, 9, 30))
        assert standin.value(sid, "Missions", "V2") == "Manquante"
        assert standin.fill(sid, "Missions", "V2") == COLOR_MISSING
        assert run(dt.datetime(2026, 11, 29, 9, 31)).report.written == 0

        log.write_text(HEADER + "29/11/2026 09:40;06 12 34 56 78;;OK\n")
        run(dt.datetime(2026, 11, 29, 10, 0))
        assert (standin.value(sid, "Missions", "V2"), standin.value(sid, "Missions", "W2")) == \
            ("En retard", "09:40")
        assert standin.fill(sid, "Missions", "V2") is None
        assert run(dt.datetime(2026, 11, 29, 10, 15)).report.written == 0


def test_out_over_several_regions_gives_one_list_per_region_and_prints_the_paths(tmp_path):
    for code in ("A", "B"):
        make_workbook(tmp_path / f"{code}.xlsx", [{"N° mission": f"M{code}", "Salarié": "S0001",
                                                    "Statut": "Confirmée"}])
    config = tmp_path / "c.toml"
    config.write_text('[[regions]]\ncode = "A"\nworkbook = "A.xlsx"\n[[regions]]\ncode = "B"\nworkbook = "B.xlsx"\n',
                      encoding="utf-8")
    log = tmp_path / "svi.csv"
    log.write_text(HEADER + "29/11/2026 06:00;07 99 99 99 99;;OK\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "--now", "2026-11-29 09:30", "presence",
                                      "--ivr-log", str(log), "--out", str(tmp_path / "appels.csv")])
    assert result.exit_code == 1, result.output
    for code in ("A", "B"):
        path = tmp_path / f"appels-{code}.csv"
        assert path.read_text(encoding="utf-8-sig").splitlines()[1].startswith(f"M{code};")
        assert f"fichier : {path}" in result.output
    assert not (tmp_path / "appels.csv").exists()
