"""A stale IVR export (yesterday's, or one that stopped coming) marks nobody « Manquante »."""
import datetime as dt
import os

import pandas as pd
import pytest

from backoffice.ivr_log import read_ivr_log
from rules.presence import log_freshness
from sheets_sync import MemoryBackend
from tests.factories import make_tabs
from tests.test_presence_cli import make_workbook, presence
from tests.test_presence_job import HEADER, cell, employees, mission, run, write_log

NOW = dt.datetime(2026, 11, 29, 10, 30)
T = pd.Timestamp


@pytest.mark.parametrize("calls, file_time, stale", [
    ([], None, True),                                          # nothing at all
    ([T("2026-11-28 09:00")], T("2026-11-29 10:25"), True),    # yesterday's calls only
    ([T("2026-11-29 08:55")], T("2026-11-29 09:00"), True),    # the export stopped at 09:00
    ([T("2026-11-29 08:55")], T("2026-11-29 10:25"), False),   # re-exported 5 min ago
    ([T("2026-11-29 10:10")], T("2026-11-29 09:00"), False),   # a call 20 min ago
    ([T("2026-11-29 10:00")], None, False),                    # exactly 30 min: still fresh
    ([T("2026-11-29 09:59")], None, True),
])
def test_freshness_table(calls, file_time, stale):
    assert log_freshness(pd.Series(calls, dtype="datetime64[ns]"), file_time, NOW, 30).stale is stale


def _age(path, when: dt.datetime) -> None:
    stamp = when.replace(tzinfo=__import__("zoneinfo").ZoneInfo("Europe/Paris")).timestamp()
    os.utime(path, (stamp, stamp))


def test_yesterdays_export_writes_no_manquante_and_says_so(tmp_path):
    backend = MemoryBackend(make_tabs(employees=employees(2), missions=[
        mission("M1", "S0001"), mission("M2", "S0002")]))
    log = write_log(tmp_path, "28/11/2026 08:55;06 00 00 00 01;;OK")
    _age(log, dt.datetime(2026, 11, 28, 18, 0))
    outcome = run(backend, log, now=NOW)
    result = outcome.results[0]
    assert (cell(backend, "V2"), cell(backend, "V3")) == (None, None)
    assert backend.fills["Missions"] == {}
    assert result.tables[0].rows == []  # nobody on the call list from a stale log
    [stale] = [f for f in result.findings if f.rule == "presence.journal_perime"]
    assert stale.severity == "erreur"
    assert stale.message.startswith(
        "journal SVI du 29/11 absent ou périmé (dernier appel le 28/11 à 08:55, fichier svi.csv) : "
        "aucune mission n'est marquée « Manquante ».")
    assert result.attention()


def test_an_export_that_stopped_still_confirms_the_calls_it_has(tmp_path):
    backend = MemoryBackend(make_tabs(employees=employees(2), missions=[
        mission("M1", "S0001"), mission("M2", "S0002")]))
    log = write_log(tmp_path, "29/11/2026 08:55;06 00 00 00 01;;OK")
    _age(log, dt.datetime(2026, 11, 29, 9, 0))
    result = run(backend, log, now=NOW).results[0]
    assert (cell(backend, "V2"), cell(backend, "W2")) == ("Confirmée", "08:55")
    assert cell(backend, "V3") is None
    assert "dernier appel à 08:55" in next(f.message for f in result.findings if f.rule == "presence.journal_perime")


def test_before_any_mission_started_an_old_log_is_no_finding(tmp_path):
    backend = MemoryBackend(make_tabs(employees=employees(1), missions=[mission("M1", "S0001")]))
    log = write_log(tmp_path, "28/11/2026 08:55;06 00 00 00 01;;OK")
    _age(log, dt.datetime(2026, 11, 28, 18, 0))
    result = run(backend, log, now=dt.datetime(2026, 11, 29, 7, 0)).results[0]
    assert not [f for f in result.findings if f.rule == "presence.journal_perime"]


def test_cli_with_yesterdays_export_exits_1_and_with_todays_marks_as_before(tmp_path):
    book = make_workbook(tmp_path / "IDF.xlsx", [
        {"N° mission": "M1", "Salarié": "S0001", "Statut": "Confirmée"},
        {"N° mission": "M2", "Salarié": "S0002", "Statut": "Confirmée"}])
    log = tmp_path / "svi.csv"
    log.write_text(HEADER + "28/11/2026 08:55;06 00 00 00 01;;OK\n", encoding="utf-8")
    _age(log, dt.datetime(2026, 11, 28, 18, 0))
    stale = presence(book, str(log), "2026-11-29 10:30")
    assert stale.exit_code == 1, stale.output
    assert "journal SVI du 29/11 absent ou périmé" in stale.output
    import openpyxl
    sheet = openpyxl.load_workbook(book)["Missions"]
    assert (sheet["V2"].value, sheet["V3"].value) == (None, None)

    log.write_text(HEADER + "29/11/2026 08:55;06 00 00 00 01;;OK\n", encoding="utf-8")
    fresh = presence(book, str(log), "2026-11-29 09:30")
    assert fresh.exit_code == 1
    assert "périmé" not in fresh.output
    sheet = openpyxl.load_workbook(book)["Missions"]
    assert (sheet["V2"].value, sheet["V3"].value) == ("Confirmée", "Manquante")


@pytest.mark.parametrize("codec, bom", [("utf-16", b""), ("utf-16-le", b""), ("utf-16-be", b"")])
def test_a_utf16_export_is_read(tmp_path, codec, bom):
    path = tmp_path / "svi.csv"
    path.write_bytes(bom + (HEADER + "29/11/2026 08:55;06 00 00 00 01;0001;OK\n").encode(codec))
    log = read_ivr_log(path)
    assert list(log.calls["code"]) == ["0001"]
    assert list(log.calls["phone"]) == ["+33600000001"]
