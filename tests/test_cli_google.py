"""`backoffice --spreadsheet ID run` end to end: the CLI, the jobs and gspread's real HTTP code
against the in-process Sheets API stand-in (BACKOFFICE_SHEETS_API)."""
import datetime as dt

import pytest
from click.testing import CliRunner

from backoffice.cli import cli
from backoffice.demo.build import PLANTED, build_region, ivr_file_name, write_ivr
from sheets_sync.schema import ANOMALIES, IVR_QUEUE, JOURNAL, PEOPLE_TABS, OUTBOX, STATE
from tests.factories import AGENCY, make_tabs, rows_for, set_agency_env
from tests.sheets_standin import SheetsStandIn

SID = "1DemoIdfAbCdEfGhIjKlMnOpQrStUvWxYz012345"
DAY = dt.date(2026, 3, 10)


@pytest.fixture
def standin(monkeypatch):
    for name in list(__import__("os").environ):
        if name.startswith("BACKOFFICE_"):
            monkeypatch.delenv(name)
    with SheetsStandIn() as server:
        monkeypatch.setenv("BACKOFFICE_SHEETS_API", server.url)
        set_agency_env(monkeypatch)
        yield server


def run(*args):
    return CliRunner().invoke(cli, ["--spreadsheet", SID, *map(str, args)])


def test_the_day_on_a_google_sheet_costs_three_requests_and_finds_the_planted_anomalies(standin, tmp_path):
    records, calls = build_region("IDF", DAY)
    tabs = {spec.name: rows_for(spec.name, records[spec.name]) for spec in PEOPLE_TABS}
    tabs["Anomalies"] = [list(ANOMALIES.names)]
    tabs["Journal"] = [list(JOURNAL.names)]
    tabs["État"], tabs["Envois"] = [list(STATE.names)], [list(OUTBOX.names)]  # as init makes them
    tabs["Appels SVI"] = [list(IVR_QUEUE.names)]
    standin.add_spreadsheet(SID, tabs)
    log = tmp_path / "ivr" / ivr_file_name(DAY)
    write_ivr(log, calls)

    result = run("--now", f"{DAY} 10:30", "run", "--ivr-log", log.parent, "--out", tmp_path / "out")
    assert result.exit_code == 1, result.output  # the planted errors need a person
    # read, re-read, one atomic :batchUpdate; the kit orders' partner file is then recorded in the
    # outbox by the follow-up write (re-read, :batchUpdate), which the write's answer made safe
    # against a concurrent run without a read of its own
    assert standin.requests == 5
    assert [m for m, _p in standin.log].count("POST") == 2
    found = {(row[1], row[3]) for row in standin.rows(SID, "Anomalies")[1:]}
    planted = {(p.rule, p.cell) for p in PLANTED if p.region == "IDF" and "!" in p.cell}
    assert planted <= found
    assert {rule for rule, _cell in found - planted} <= {"presence.appel_non_rattache"}
    assert len(standin.rows(SID, "Journal")) > 100
    # the Anomalies tab at a glance: widths that fit, each Cellule a link to its cell (never a formula)
    book = standin.spreadsheets[SID]
    anomalies = book.sheet("Anomalies")
    missions_gid = book.sheet("Missions").sheet_id
    header = [anomalies.get(0, c).value for c in range(8)]
    col = header.index("Cellule")
    linked = [(anomalies.get(r, col).value, anomalies.get(r, col).link) for r in range(1, 10)
              if str(anomalies.get(r, col).value or "").startswith("Missions!")]
    assert linked and all(link == f"#gid={missions_gid}&range={ref.split('!')[1]}" for ref, link in linked)
    assert all(anomalies.get(r, col).formula is None for r in range(1, 10))
    assert anomalies.widths[header.index("Message")] >= 400
    first = anomalies.get(1, header.index("Détectée le"))  # a real date, shown JJ/MM/AAAA
    assert (first.kind, first.pattern, first.value) == ("DATE", "dd/mm/yyyy", 46091)  # 10/03/2026

    before = standin.requests
    again = run("--now", f"{DAY} 10:30", "run", "--ivr-log", log.parent, "--out", tmp_path / "out")
    assert again.exit_code == 1
    assert "Écriture : 0 cellule(s) écrite(s)" in again.output
    assert standin.requests - before == 1  # nothing to change: the read only


def test_a_cell_a_person_types_meanwhile_is_kept_and_reported(standin, tmp_path):
    tabs = make_tabs(missions=[{"N° mission": "M0001", "Date": "02/12/2026"}])
    tabs["Anomalies"] = [list(ANOMALIES.names)]
    tabs["Journal"] = [list(JOURNAL.names)]
    tabs["État"], tabs["Envois"] = [list(STATE.names)], [list(OUTBOX.names)]  # as init makes them
    standin.add_spreadsheet(SID, tabs)
    column = tabs["Missions"][0].index("Suggestions")
    ref = f"{chr(65 + column)}2"
    standin.before_request(2, lambda s: s.edit(SID, "Missions", ref, "Proposée à Léa par téléphone"))

    result = run("--now", "2026-11-29 09:30", "suggest")
    assert standin.value(SID, "Missions", ref) == "Proposée à Léa par téléphone"
    assert f"Missions!{ref}" in result.output and "modifiée entre-temps" in result.output
    assert standin.requests == 2  # read, re-read; the only change was skipped: nothing to write


def test_regions_run_side_by_side_under_one_shared_limiter(standin, tmp_path):
    """Three Google regions in one run: their requests all go through one limiter, which holds
    the run within the per-user quota (here 5 a minute, on a fake clock)."""
    import threading

    from backoffice.commands.run import day_steps
    from backoffice.jobs.runner import run_regions
    from backoffice.settings import load_settings
    from sheets_sync.limiter import RateLimiter

    ids = {"IDF": SID, "BRE": SID[:-1] + "B", "ARA": SID[:-1] + "C"}
    config = tmp_path / "c.toml"
    config.write_text("".join(f'[[regions]]\ncode = "{code}"\nspreadsheet = "{sid}"\n' for code, sid in ids.items()),
                      encoding="utf-8")
    for sid in ids.values():
        tabs = make_tabs(missions=[{"N° mission": "M0001", "Date": "02/12/2026"}])
        standin.add_spreadsheet(sid, {**tabs, "Anomalies": [list(ANOMALIES.names)], "Journal": [list(JOURNAL.names)],
                                      "État": [list(STATE.names)], "Envois": [list(OUTBOX.names)]})

    clock = {"t": 0.0}
    waits = []
    lock = threading.Lock()

    def sleep(seconds):
        with lock:
            waits.append(seconds)
            clock["t"] += seconds

    limiter = RateLimiter(5, clock=lambda: clock["t"], sleep=sleep)
    settings = load_settings(config, environ={}, overrides={"agency": AGENCY})
    outcomes = run_regions(settings, settings.regions, day_steps(False), dt.datetime(2026, 11, 29, 9, 30),
                           out=str(tmp_path / "out"), limiter=limiter)
    assert [o.error for o in outcomes] == ["", "", ""]
    assert [o.region.code for o in outcomes] == ["IDF", "BRE", "ARA"]
    assert standin.requests == limiter.granted == 9  # 3 a region
    assert waits, "the fourth to twelfth requests had to wait for the quota window"
    assert all(o.report.written > 0 for o in outcomes)


def test_report_on_a_google_sheet_creates_synthese_once_then_only_reads(standin, tmp_path):
    tabs = make_tabs(missions=[{"N° mission": "M0001", "Date": "10/03/2026"}])
    tabs["Anomalies"] = [list(ANOMALIES.names)]
    tabs["Journal"] = [list(JOURNAL.names)]
    tabs["État"], tabs["Envois"] = [list(STATE.names)], [list(OUTBOX.names)]  # as init makes them
    standin.add_spreadsheet(SID, tabs)
    first = run("--now", f"{DAY} 10:30", "report", "--out", tmp_path)
    assert first.exit_code in (0, 1), first.output
    assert standin.requests == 4  # read (Synthèse missing: read every tab), re-read, one :batchUpdate
    rows = standin.rows(SID, "Synthèse")
    assert rows[1][:3] == ["Synthèse", "Mise à jour", "10/03/2026 10:30"]
    assert rows[2][:2] == ["Aujourd'hui", "Missions du jour"]
    before = standin.requests
    again = run("--now", f"{DAY} 10:30", "report", "--out", tmp_path)
    assert "Écriture : 0 cellule(s) écrite(s), Journal +0" in again.output
    assert standin.requests - before == 1  # the read only
    page = (tmp_path / "rapport-2026-03-10.html").read_text(encoding="utf-8")
    assert f"https://docs.google.com/spreadsheets/d/{SID}/edit#gid=" in page


def test_the_queue_of_calls_is_created_on_google_with_its_rows_in_one_batch(standin, tmp_path):
    tabs = make_tabs(missions=[{"N° mission": "M0001", "Date": "29/11/2026", "Salarié": "S0001",
                                "Statut": "Confirmée"}])
    tabs["Anomalies"] = [list(ANOMALIES.names)]
    tabs["Journal"] = [list(JOURNAL.names)]
    tabs["État"], tabs["Envois"] = [list(STATE.names)], [list(OUTBOX.names)]  # as init makes them
    standin.add_spreadsheet(SID, tabs)
    log = tmp_path / "svi.csv"
    log.write_text("date_appel;numero_appelant;code_saisi;resultat\n29/11/2026 08:57;07 11 22 33 44;;OK\n", "utf-8")
    result = run("--now", "2026-11-29 09:30", "presence", "--ivr-log", log)
    assert result.exit_code == 1, result.output
    assert standin.requests == 4  # read (the queue missing: every tab read), re-read, one :batchUpdate
    rows = standin.rows(SID, "Appels SVI")
    assert rows[0] == list(IVR_QUEUE.names)
    assert rows[1][0] == "A-20261129-085700-3344" and rows[1][-1] == "à traiter"
    before = standin.requests
    run("--now", "2026-11-29 09:40", "presence", "--ivr-log", log)
    assert standin.requests - before == 1 and len(standin.rows(SID, "Appels SVI")) == 2
    standin.edit(SID, "Appels SVI", "H2", "M0001")  # the CDBO links the call
    before = standin.requests
    run("--now", "2026-11-29 09:50", "presence", "--ivr-log", log)
    assert standin.requests - before == 3  # the mission's presence and the row's État in one write
    assert standin.value(SID, "Appels SVI", "J2") == "rattaché à M0001 (Confirmée) le 29/11/2026 09:50"
    assert standin.value(SID, "Missions", "V2") == "Confirmée"
