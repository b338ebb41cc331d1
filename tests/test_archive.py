"""`backoffice archive`: a year of Journal out of the sheet, every row kept exactly once."""
from functools import partial
import csv
import datetime as dt
import io

import pytest

from backoffice.jobs.archive import archive_step
from backoffice.jobs.runner import run_region
from backoffice.settings import Region, load_settings
from sheets_sync import MemoryBackend, Workbook
from sheets_sync.errors import WorkbookError
from sheets_sync.schema import ANOMALIES, IVR_QUEUE, JOURNAL, OUTBOX, STATE
from tests.factories import make_tabs

NOW = dt.datetime(2027, 1, 10, 8, 0)


def year_of_journal(per_day: int = 20) -> list[list]:
    rows = [list(JOURNAL.names)]
    day = dt.datetime(2026, 1, 10, 9, 0)
    for d in range(365):
        for i in range(per_day):
            when = day + dt.timedelta(days=d, minutes=i)
            rows.append([when.strftime("%Y-%m-%d %H:%M:%S"), "presence", "Missions", f"M{d:03d}{i:02d}",
                         "Présence", f"Missions!V{i + 2}", "", "=Confirmée" if i == 3 else "Confirmée"])
    return rows


def region(journal=None, missions=None, queue=True):
    tabs = make_tabs(missions=missions or [{"N° mission": "M1", "Date": "02/01/2027"}])
    tabs["Anomalies"] = [list(ANOMALIES.names)]
    tabs["Journal"] = journal if journal is not None else year_of_journal()
    if queue:  # as `backoffice init` makes it
        tabs["Appels SVI"] = [list(IVR_QUEUE.names)]
        tabs["État"], tabs["Envois"] = [list(STATE.names)], [list(OUTBOX.names)]
    return tabs


def archive(workbook, tmp_path, now=NOW, **options):
    settings = load_settings(environ={}, overrides={"archive": {"folder": str(tmp_path / "archives")}})
    return run_region(settings, Region("IDF"), [("archive", partial(archive_step, **options))], now,
                      workbook=workbook, whole_journal=True)


def archived_rows(tmp_path, tab="Journal"):
    out = []
    for path in sorted((tmp_path / "archives" / "IDF").glob(f"{tab}-*.csv")):
        rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))
        assert rows[0] == (list(JOURNAL.names) if tab == "Journal" else rows[0])
        out += rows[1:]
    return out


def test_a_year_of_journal_keeps_every_row_in_the_sheet_or_the_archive(tmp_path):
    journal = year_of_journal()
    backend = MemoryBackend(region(journal))
    outcome = archive(Workbook(backend), tmp_path)
    assert outcome.error == "", outcome.trace
    kept = backend.tabs["Journal"][1:]
    moved = archived_rows(tmp_path)
    cutoff = (NOW - dt.timedelta(days=90)).strftime("%Y-%m-%d %H:%M:%S")
    assert all(r[0] < cutoff for r in moved) and len(moved) == sum(1 for r in journal[1:] if r[0] < cutoff)
    summary = kept[-1]
    assert summary[1] == "archive" and summary[6] == f"{len(moved)} lignes"
    originals = sorted(tuple(r) for r in journal[1:])
    # the archive escapes formula leads ('=Confirmée): read back, it is the same row
    back = [tuple(v[1:] if v.startswith("'=") else v for v in r) for r in moved]
    assert sorted(back + [tuple(r) for r in kept[:-1]]) == originals  # every row once, none lost
    assert len(list((tmp_path / "archives" / "IDF").glob("Journal-*.csv"))) == 10  # one file a month
    again = archive(Workbook(backend), tmp_path)
    assert again.report.removed_rows == {} and archived_rows(tmp_path) == moved


def test_a_crash_between_the_files_and_the_deletion_loses_nothing_and_a_rerun_finishes(tmp_path):
    journal = year_of_journal(per_day=2)
    backend = MemoryBackend(region(journal))

    def crash(_b):
        raise WorkbookError("coupure")

    wb = Workbook(backend)
    original_apply = wb.apply
    calls = []

    def apply(changes, now):
        calls.append(1)
        if changes.removals:
            crash(backend)
        return original_apply(changes, now)

    wb.apply = apply
    outcome = archive(wb, tmp_path)
    assert outcome.error == "coupure"
    assert backend.tabs["Journal"] == journal  # nothing deleted
    first = archived_rows(tmp_path)
    assert first  # but the copies are made
    outcome = archive(Workbook(backend), tmp_path)
    assert outcome.error == ""
    assert archived_rows(tmp_path) == first  # no row twice in the archive
    assert len(backend.tabs["Journal"]) == len(journal) - len(first) + 1


def test_a_row_a_person_changed_meanwhile_stays_in_the_sheet(tmp_path):
    journal = year_of_journal(per_day=1)
    backend = MemoryBackend(region(journal))

    def person_edits(b):
        b.tabs["Journal"][1][7] = "Excusée"

    backend.on_reread = person_edits
    outcome = archive(Workbook(backend), tmp_path)
    assert outcome.report.kept_rows == 1
    assert backend.tabs["Journal"][1][7] == "Excusée"


def test_old_finished_missions_go_to_their_month(tmp_path):
    missions = [{"N° mission": "OLD1", "Date": "15/10/2025", "Statut": "Réalisée"},
                {"N° mission": "OLD2", "Date": "20/10/2025", "Statut": "Annulée"},
                {"N° mission": "OPEN", "Date": "20/10/2025", "Statut": "Confirmée"},  # not finished
                {"N° mission": "NEW", "Date": "20/12/2026", "Statut": "Réalisée"}]
    backend = MemoryBackend(region(journal=[list(JOURNAL.names)], missions=missions))
    outcome = archive(Workbook(backend), tmp_path)
    assert outcome.report.removed_rows == {"Missions": 2}
    assert [r[0] for r in backend.tabs["Missions"][1:]] == ["OPEN", "NEW"]
    assert [r[0] for r in archived_rows(tmp_path, "Missions")] == ["OLD1", "OLD2"]


def test_archive_on_google_deletes_the_rows_in_the_same_atomic_write(tmp_path):
    from tests.sheets_standin import SheetsStandIn
    from tests.test_google_backend import SID, connect

    journal = year_of_journal(per_day=3)
    with SheetsStandIn() as standin:
        standin.add_spreadsheet(SID, region(journal), typed=False)
        outcome = archive(Workbook(connect(standin)), tmp_path)
        assert outcome.error == "", outcome.trace
        rows = standin.rows(SID, "Journal")
        moved = archived_rows(tmp_path)
        assert len(rows) - 2 + len(moved) == len(journal) - 1
        assert rows[-1][1] == "archive"
        assert standin.requests == 3  # read, then the follow-up re-read and one atomic write


@pytest.mark.parametrize("before, expected", [("2026-03-01", 50 * 20)])
def test_before_sets_the_journal_cutoff(tmp_path, before, expected):
    backend = MemoryBackend(region())
    outcome = archive(Workbook(backend), tmp_path, before=dt.date.fromisoformat(before))
    assert outcome.report.removed_rows == {"Journal": expected}


def test_check_warns_past_60_percent_of_googles_cells():
    from rules.registry import RuleContext
    from rules.size_rules import google_size

    data = Workbook(MemoryBackend(region(journal=[list(JOURNAL.names)]))).load()
    settings = load_settings(environ={})
    assert google_size(RuleContext(data, settings, NOW)) == []  # an .xlsx: no limit
    data.grid_cells = 6_500_000
    [finding] = google_size(RuleContext(data, settings, NOW))
    assert (finding.rule, finding.severity, finding.tab) == ("classeur.taille_google", "alerte", "Journal")
    assert finding.message.startswith("le classeur compte 6 500 000 cellules, 65 % des 10 millions")
    data.grid_cells = 5_900_000
    assert google_size(RuleContext(data, settings, NOW)) == []


def test_google_counts_the_grid_cells_it_read():
    from tests.sheets_standin import SheetsStandIn
    from tests.test_google_backend import SID, connect

    with SheetsStandIn() as standin:
        standin.add_spreadsheet(SID, region(journal=[list(JOURNAL.names)]))
        data = Workbook(connect(standin)).load()
        widths = [max(26, len(rows[0])) for tab, rows in region(journal=[list(JOURNAL.names)]).items()
                  if tab != "Appels SVI"]  # nine tabs read (the queue is the presence job's)
        assert data.grid_cells == 1000 * sum(widths)  # the stand-in's grids: 1000 rows, 26 columns or the header's


def test_settled_calls_of_the_queue_are_archived_the_open_ones_stay(tmp_path):
    tabs = region(journal=[list(JOURNAL.names)])
    tabs["Appels SVI"] = [list(IVR_QUEUE.names),
                          ["A-20260901-085700-3344", "01/09/2026 08:57:00", "07 81 22 33 44", "", "OK", "", "x", "M1", "",
                           "rattaché à M1 (Confirmée) le 01/09/2026 09:40"],
                          ["A-20260902-085700-3344", "02/09/2026 08:57:00", "07 81 22 33 44", "", "OK", "", "x", "", "",
                           "à traiter"],
                          ["A-20270109-085700-3344", "09/01/2027 08:57:00", "07 81 22 33 44", "", "OK", "", "x", "",
                           "faux numéro", "rejeté le 09/01/2027 : faux numéro"]]
    backend = MemoryBackend(tabs)
    outcome = archive(Workbook(backend), tmp_path)
    assert not outcome.error, outcome.trace
    assert outcome.report.removed_rows == {"Appels SVI": 1}
    assert [r[0] for r in backend.tabs["Appels SVI"][1:]] == ["A-20260902-085700-3344", "A-20270109-085700-3344"]
    assert [r[0] for r in archived_rows(tmp_path, "Appels SVI")] == ["A-20260901-085700-3344"]


def test_an_old_sheet_without_the_queue_gets_it_in_the_archives_write(tmp_path):
    from tests.sheets_standin import SheetsStandIn
    from tests.test_google_backend import SID, connect

    with SheetsStandIn() as standin:
        standin.add_spreadsheet(SID, region(year_of_journal(per_day=1), queue=False), typed=False)
        assert archive(Workbook(connect(standin)), tmp_path).error == ""
        assert standin.requests == 4  # the queue missing: the first read reads every tab
        assert standin.rows(SID, "Appels SVI")[0][0] == "Appel"
        before = standin.requests
        archive(Workbook(connect(standin)), tmp_path, now=NOW + dt.timedelta(days=1))
        assert standin.requests - before == 3


def _xlsx_region(tmp_path, decorate):
    """An .xlsx region with two old finished missions in rows 2-3 and a newer one in row 4;
    ``decorate(book)`` adds what a person put there."""
    import openpyxl

    from tests.factories import write_xlsx

    missions = [{"N° mission": "OLD1", "Date": "15/10/2025", "Statut": "Réalisée"},
                {"N° mission": "OLD2", "Date": "20/10/2025", "Statut": "Annulée"},
                {"N° mission": "NEW", "Date": "20/12/2026", "Statut": "Réalisée"}]
    path = write_xlsx(tmp_path / "IDF.xlsx", region(journal=[list(JOURNAL.names)], missions=missions))
    book = openpyxl.load_workbook(path)
    decorate(book)
    book.save(path)
    return path


def _archive_xlsx(path, tmp_path):
    from backoffice.jobs.backends import open_workbook

    settings = load_settings(environ={}, overrides={"archive": {"folder": str(tmp_path / "archives")}})
    region_ = Region("IDF", workbook=str(path))
    return run_region(settings, region_, [("archive", partial(archive_step))], NOW,
                      workbook=open_workbook(settings, region_), whole_journal=True)


@pytest.mark.parametrize("what, decorate, said", [
    ("same-row formula", lambda b: b["Missions"].__setitem__("AF4", "=(I4-H4)*24"), "Missions!AF4 (=(I4-H4)*24)"),
    ("formula above naming a row below", lambda b: b["Missions"].__setitem__("AF1", "=COUNTA(A2:A4)"),
     "Missions!AF1 (=COUNTA(A2:A4))"),
    ("merged range below", lambda b: b["Missions"].merge_cells("AF4:AG4"), "Missions!AF4:AG4"),
    ("another tab's formula", lambda b: b["Magasins"].__setitem__("Z2", "=Missions!A4"), "Magasins!Z2 (=Missions!A4)"),
])
def test_archive_on_xlsx_refuses_when_a_formula_or_a_merge_would_point_at_the_wrong_row(
        tmp_path, what, decorate, said):
    import openpyxl

    path = _xlsx_region(tmp_path, decorate)
    outcome = _archive_xlsx(path, tmp_path)
    assert "Archivage refusé" in outcome.error and said in outcome.error, outcome.error
    book = openpyxl.load_workbook(path)
    assert [book["Missions"].cell(r, 1).value for r in (2, 3, 4)] == ["OLD1", "OLD2", "NEW"]  # nothing deleted
    # the rows are in the archive file too: never in neither, and a rerun once fixed finishes
    assert [r[0] for r in archived_rows(tmp_path, "Missions")] == ["OLD1", "OLD2"]


def test_archive_on_xlsx_with_formulas_only_above_deletes(tmp_path):
    import openpyxl

    path = _xlsx_region(tmp_path, lambda b: b["Magasins"].__setitem__("Z2", "=1+1"))
    outcome = _archive_xlsx(path, tmp_path)
    assert not outcome.error, outcome.error
    book = openpyxl.load_workbook(path)
    assert book["Missions"].cell(2, 1).value == "NEW"


def test_the_outbox_rows_done_long_ago_are_archived_the_pending_ones_stay(tmp_path):
    tabs = region(journal=[list(JOURNAL.names)])
    tabs["Envois"] = [list(OUTBOX.names),
                      ["kit:K1#a", "kit:K1", "commande kit", "M1", "p", "fait", "a@h:1", "2026-09-01 09:00:00",
                       "2026-09-01 09:00:05", "f.csv", "{}"],
                      ["kit:K2#a", "kit:K2", "commande kit", "M2", "p", "à faire", "a@h:1", "2026-09-01 09:00:00",
                       "", "", "{}"],
                      ["kit:K3#b", "kit:K3", "commande kit", "M3", "p", "fait", "b@h:1", "2027-01-09 09:00:00",
                       "2027-01-09 09:00:05", "g.csv", "{}"]]
    backend = MemoryBackend(tabs)
    outcome = archive(Workbook(backend), tmp_path)
    assert outcome.report.removed_rows.get("Envois") == 1
    assert [r[0] for r in backend.tabs["Envois"][1:]] == ["kit:K2#a", "kit:K3#b"]
    assert [r[0] for r in archived_rows(tmp_path, "Envois")] == ["kit:K1#a"]
