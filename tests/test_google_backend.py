"""The Google Sheets backend through gspread's real HTTP code, against the in-process stand-in."""
import datetime as dt
import threading

import pytest

from sheets_sync import COLOR_ERROR, COLOR_MISSING, ChangeSet, Workbook
from sheets_sync.errors import ConfigError, WorkbookError
from sheets_sync.google_backend import GoogleSheetsBackend
from sheets_sync.limiter import RateLimiter
from sheets_sync.schema import ANOMALIES, JOURNAL, OUTBOX, STATE
from tests.factories import make_tabs
from tests.sheets_standin import SheetsStandIn

SID = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
NOW = dt.datetime(2026, 11, 29, 9, 30)
ANOMALIES_HEADER = list(ANOMALIES.names)
JOURNAL_HEADER = list(JOURNAL.names)


@pytest.fixture
def standin():
    with SheetsStandIn() as server:
        yield server


def connect(standin, **overrides) -> GoogleSheetsBackend:
    """A backend on the stand-in; its sleeps are recorded, not slept."""
    sleeps: list[float] = []
    params = dict(endpoint=standin.url, timeout_s=5.0, max_retries=3, backoff_s=0.001,
                  max_backoff_s=0.01, sleep=sleeps.append)
    params.update(overrides)
    backend = GoogleSheetsBackend.from_settings(SID, **params)
    backend.sleeps = sleeps
    return backend


def region(standin, missions=10, owned=True, fills=None):
    tabs = make_tabs(missions=[{"N° mission": f"M{i:05d}"} for i in range(1, missions + 1)])
    if owned:
        tabs["Anomalies"] = [ANOMALIES_HEADER]
        tabs["Journal"] = [JOURNAL_HEADER, ["2026-11-28 08:00:00", "check", "Missions", "M00001", "",
                                            "Missions!A2", "", ""]]
        tabs["État"], tabs["Envois"] = [list(STATE.names)], [list(OUTBOX.names)]
    standin.add_spreadsheet(SID, tabs, fills=fills)
    return tabs


def job(data) -> ChangeSet:
    """A job touching every row: a suggestion per mission, a highlight on every other date,
    and the Anomalies tab rewritten."""
    changes = ChangeSet()
    missions = data["Missions"]
    for key in missions.df.index:
        changes.add("suggest", missions.change(key, "Suggestions", f"1. S0001 ({key})"))
    wanted = {(key, "Date") for i, key in enumerate(missions.df.index) if i % 2 == 0}
    for hl in missions.highlights(COLOR_ERROR, wanted):
        changes.highlight("check", hl)
    changes.rewrite("check", "Anomalies", [["erreur", "missions.date", "Missions", "Missions!G2",
                                             "M00001", "Missions!G2 : date à vérifier.", "29/11/2026"]])
    return changes


def col(tab: str, name: str) -> str:
    from sheets_sync.a1 import col_letter

    return col_letter(make_tabs()[tab][0].index(name) + 1)


# -- reading ---------------------------------------------------------------------------------
def test_load_is_one_request_with_ranges_grid_data_and_a_fields_mask(standin):
    region(standin)
    backend = connect(standin)
    Workbook(backend).load()
    assert backend.requests == standin.requests == 1
    method, path = standin.log[0]
    assert method == "GET" and path.startswith(f"/v4/spreadsheets/{SID}?")
    assert "ranges=%27Notes+de+frais%27" in path  # quoted tab names
    assert "ranges=%27Journal%27%211%3A1" in path  # the Journal: header only
    assert "includeGridData=true" in path and "fields=sheets%28properties" in path


def test_read_converts_cells_to_raw_python_values_and_fills(standin):
    standin.add_spreadsheet(SID, {"T": [
        ["texte", "29/11/2026", "09:30", "12,5", "42", "VRAI", "=1/0", "=1+1", "0612"],
    ]}, fills={"T": {"B1": "EA9999", "C1": "FFFFFF"}})
    standin.edit(SID, "T", "J1", "'=pas une formule")
    tab = connect(standin).read(["T"])["T"]
    assert tab.rows == [["texte", dt.date(2026, 11, 29), dt.time(9, 30), 12.5, 42, True, "#DIV/0!", 2,
                         612, "=pas une formule"]]
    assert tab.fills == {(1, 2): "EA9999"}  # white is no fill


def test_missing_tabs_cost_one_more_read_of_every_tab_and_are_absent(standin):
    region(standin, owned=False)
    backend = connect(standin)
    raw = backend.read(["Missions", "Anomalies", "Journal"], header_only=("Journal",))
    assert sorted(raw) == ["Missions"]
    assert [m for m, _ in standin.log] == ["GET", "GET"]
    assert "ranges=" not in standin.log[1][1] and "includeGridData=true" in standin.log[1][1]
    backend.reread(["Missions", "Anomalies"])  # known missing: not asked again
    assert standin.requests == 3


def test_unknown_spreadsheet_is_a_french_error_without_retry(standin):
    backend = connect(standin)
    with pytest.raises(WorkbookError) as err:
        backend.read(["Missions"])
    assert str(err.value) == (
        f"Classeur Google Sheets {SID} introuvable (HTTP 404) : vérifiez son identifiant "
        "(« spreadsheet » de la région) et qu'il est partagé avec le compte."
    )
    assert standin.requests == 1


def test_forbidden_says_to_share_with_the_service_account(standin):
    region(standin)
    standin.fail(1, status=403)
    backend = connect(standin)
    backend.account = "backoffice@projet.iam.gserviceaccount.com"
    with pytest.raises(WorkbookError) as err:
        backend.read(["Missions"])
    assert str(err.value) == (
        f"Accès refusé au classeur Google Sheets {SID} (HTTP 403) : partagez-le avec le compte de "
        "service backoffice@projet.iam.gserviceaccount.com (droit Éditeur) et vérifiez que l'API "
        "Google Sheets est activée."
    )
    assert standin.requests == 1


# -- writing ---------------------------------------------------------------------------------
@pytest.mark.parametrize("rows", [10, 2000])
def test_a_job_costs_three_requests_whatever_the_number_of_rows(standin, rows):
    region(standin, missions=rows)
    backend = connect(standin)
    wb = Workbook(backend)
    data = wb.load()
    report = wb.apply(job(data), NOW)
    assert report.written == rows
    assert report.highlights == (rows + 1) // 2
    assert [(m, p.split("?")[0]) for m, p in standin.log] == [
        ("GET", f"/v4/spreadsheets/{SID}"), ("GET", f"/v4/spreadsheets/{SID}"),
        ("POST", f"/v4/spreadsheets/{SID}:batchUpdate"),
    ]
    assert backend.requests == 3
    last = rows + 1
    assert standin.value(SID, "Missions", f"{col('Missions', 'Suggestions')}{last}") == f"1. S0001 (M{rows:05d})"
    assert standin.fill(SID, "Missions", f"{col('Missions', 'Date')}2") == COLOR_ERROR
    assert standin.fill(SID, "Missions", f"{col('Missions', 'Date')}3") is None
    journal = standin.rows(SID, "Journal")
    assert len(journal) == 2 + rows + (rows + 1) // 2 + 1  # header, old row, changes, highlights, rewrite
    assert journal[2][:5] == ["2026-11-29 09:30:00", "suggest", "Missions", "M00001", "Suggestions"]
    assert standin.rows(SID, "Anomalies")[1][:2] == ["erreur", "missions.date"]


def test_second_identical_run_sends_no_write(standin):
    region(standin, missions=20)
    wb = Workbook(connect(standin))
    wb.apply(job(wb.load()), NOW)
    before = standin.requests
    wb2 = Workbook(connect(standin))
    report = wb2.apply(job(wb2.load()), NOW)
    assert report.written == report.highlights == report.journal_rows == 0
    assert [m for m, _ in standin.log[before:]] == ["GET", "GET"]  # read, re-read (Anomalies compared)


def test_raw_writes_keep_formulas_as_text(standin):
    region(standin, missions=2)
    wb = Workbook(connect(standin))
    data = wb.load()
    changes = ChangeSet()
    changes.add("suggest", data["Missions"].change("M00001", "Commentaire", "=1+1"))
    changes.add("suggest", data["Missions"].change("M00002", "Commentaire", "+33 6 12 34 56 78"))
    wb.apply(changes, NOW)
    cell = standin.cell(SID, "Missions", f"{col('Missions', 'Commentaire')}2")
    assert (cell.value, cell.formula) == ("=1+1", None)
    assert standin.value(SID, "Missions", f"{col('Missions', 'Commentaire')}3") == "+33 6 12 34 56 78"
    journal = standin.spreadsheets[SID].sheet("Journal")
    assert all(c.formula is None for c in journal.cells.values())


def test_fills_are_set_and_only_the_jobs_own_colour_is_removed(standin):
    d = col("Missions", "Date")
    region(standin, missions=3, fills={"Missions": {f"{d}2": COLOR_MISSING, f"{d}3": COLOR_ERROR,
                                                    f"{d}4": "00FF00"}})
    wb = Workbook(connect(standin))
    data = wb.load()
    changes = ChangeSet()
    for hl in data["Missions"].highlights(COLOR_ERROR, {("M00001", "Commentaire")}):
        changes.highlight("check", hl)
    report = wb.apply(changes, NOW)
    assert report.highlights == 2
    c = col("Missions", "Commentaire")
    assert [standin.fill(SID, "Missions", ref) for ref in (f"{c}2", f"{d}2", f"{d}3", f"{d}4")] == [
        COLOR_ERROR, COLOR_MISSING, None, "00FF00"]


def test_missing_owned_tabs_are_created_with_their_rows_and_the_journal(standin):
    region(standin, missions=3, owned=False)
    backend = connect(standin)
    wb = Workbook(backend)
    report = wb.apply(job(wb.load()), NOW)
    assert report.journal_rows == 3 + 2 + 1
    assert standin.requests == 4  # read, read of every tab, re-read, one write
    assert standin.titles(SID)[-4:] == ["Anomalies", "Journal", "État", "Envois"]  # the tool's tabs, all at once
    assert standin.rows(SID, "Anomalies") == [
        ANOMALIES_HEADER,
        ["erreur", "missions.date", "Missions", "Missions!G2", "M00001", "Missions!G2 : date à vérifier.",
         "29/11/2026"],
    ]
    journal = standin.rows(SID, "Journal")
    assert journal[0] == JOURNAL_HEADER and len(journal) == 7
    assert standin.spreadsheets[SID].sheet("Journal").frozen == 1
    batch = [p for m, p in standin.log if p.endswith(":batchUpdate") and "values" not in p]
    assert len(batch) == 1
    # once created, the next job is back to 3 requests
    before = standin.requests
    wb2 = Workbook(connect(standin))
    data = wb2.load()
    changes = ChangeSet()
    changes.add("suggest", data["Missions"].change("M00001", "Suggestions", "2. S0002"))
    changes.highlight("check", data["Missions"].highlights(COLOR_MISSING, {("M00002", "Date")})[0])
    wb2.apply(changes, NOW)
    assert standin.requests - before == 3


def test_a_persons_edit_between_read_and_write_is_kept_and_reported(standin):
    region(standin, missions=3)
    wb = Workbook(connect(standin))
    data = wb.load()
    s = col("Missions", "Suggestions")
    standin.before_request(2, lambda server: server.edit(SID, "Missions", f"{s}3", "vu avec Léa"))
    report = wb.apply(job(data), NOW)
    assert report.written == 2
    assert [(k.key, k.cell, k.reason) for k in report.skipped] == [
        ("M00002", f"Missions!{s}3", "modifiée entre-temps (vide → « vu avec Léa »)")]
    assert standin.value(SID, "Missions", f"{s}3") == "vu avec Léa"
    assert standin.value(SID, "Missions", f"{s}2") == "1. S0001 (M00001)"


# -- retries, timeouts, limiter ------------------------------------------------------------------
def test_429_is_retried_and_retry_after_is_honoured(standin):
    region(standin)
    standin.fail(2, status=429, retry_after=7)
    backend = connect(standin, max_backoff_s=30.0)
    Workbook(backend).load()
    assert backend.sleeps == [7.0, 7.0]
    assert standin.requests == backend.requests == 3


def test_retry_after_is_capped_at_max_backoff(standin):
    region(standin)
    standin.fail(1, status=429, retry_after=600)
    backend = connect(standin, max_backoff_s=45.0)
    Workbook(backend).load()
    assert backend.sleeps == [45.0]


def test_500_is_survived_with_jittered_exponential_backoff(standin):
    region(standin)
    standin.fail(3, status=500)
    backend = connect(standin, backoff_s=1.0, max_backoff_s=60.0, max_retries=3)
    wb = Workbook(backend)
    wb.apply(job(wb.load()), NOW)
    assert len(backend.sleeps) == 3
    assert all(0 <= s <= cap for s, cap in zip(backend.sleeps, (1, 2, 4)))
    assert standin.value(SID, "Missions", f"{col('Missions', 'Suggestions')}2") == "1. S0001 (M00001)"


def test_persistent_500_gives_up_after_max_retries(standin):
    region(standin)
    standin.fail(50, status=500)
    backend = connect(standin, max_retries=2)
    with pytest.raises(WorkbookError) as err:
        Workbook(backend).load()
    assert str(err.value) == (
        f"Google Sheets ne répond pas correctement pour le classeur {SID} (HTTP 500) après 3 "
        "tentatives. Réessayez dans quelques minutes."
    )
    assert standin.requests == 3


def test_a_timeout_is_retried(standin):
    region(standin)
    release = threading.Event()
    standin.before_request(1, lambda server: release.wait(4))
    backend = connect(standin, timeout_s=1.0)  # the retried request must not time out on a busy machine
    try:
        Workbook(backend).load()
    finally:
        release.set()
    assert backend.requests == 2 and len(backend.sleeps) == 1


def test_every_request_takes_a_slot_of_the_shared_limiter(standin):
    region(standin)
    clock = [0.0]
    waits: list[float] = []

    def sleep(seconds):
        waits.append(seconds)
        clock[0] += seconds

    limiter = RateLimiter(3, clock=lambda: clock[0], sleep=sleep)
    for _ in range(2):
        wb = Workbook(connect(standin, limiter=limiter))
        wb.apply(job(wb.load()), NOW)
    assert limiter.granted == standin.requests == 5  # 3 + 2 (second run writes nothing)
    assert waits == [60.0]


class RecordingLimiter(RateLimiter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.grants: list[float] = []

    def _grant(self, now):
        super()._grant(now)
        self.grants.append(now)


def test_limiter_keeps_threads_within_the_quota_on_a_fake_clock():
    lock = threading.Lock()
    clock = [0.0]

    def sleep(seconds):
        with lock:
            clock[0] += seconds

    limiter = RecordingLimiter(5, clock=lambda: clock[0], sleep=sleep)
    threads = [threading.Thread(target=lambda: [limiter.acquire() for _ in range(5)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    grants = sorted(limiter.grants)
    assert limiter.granted == len(grants) == 20
    assert all(sum(1 for g in grants if start <= g < start + 60) <= 5 for start in grants)
    assert grants[-1] >= 180.0


# -- credentials ------------------------------------------------------------------------------
def test_missing_key_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as err:
        GoogleSheetsBackend.from_settings(SID, credentials=str(tmp_path / "cle.json"))
    assert str(err.value).startswith(f"Clé de compte de service introuvable : {tmp_path / 'cle.json'}.")


def test_endpoint_sends_anonymous_requests_to_the_standin_only(standin):
    backend = connect(standin)
    assert backend.http.session.trust_env is False
    assert "Authorization" not in backend.http.session.headers


def test_an_unreachable_endpoint_gives_up_after_bounded_retries():
    backend = GoogleSheetsBackend.from_settings(SID, endpoint="http://127.0.0.1:9", timeout_s=1.0,
                                                max_retries=1, backoff_s=0.001, max_backoff_s=0.01,
                                                sleep=lambda s: None)
    with pytest.raises(WorkbookError) as err:
        backend.read(["Missions"])
    assert str(err.value) == (
        f"Google Sheets injoignable pour le classeur {SID} (connexion impossible) après 2 tentatives. "
        "Vérifiez la connexion, puis réessayez."
    )
    assert backend.requests == 2
