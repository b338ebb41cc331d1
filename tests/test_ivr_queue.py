"""The queue of calls (the ``Appels SVI`` tab): a call linked by a CDBO marks the right mission on
the next run, a rejected one stays rejected, an abandoned one is listed; on every backend."""
import datetime as dt

from sheets_sync import MemoryBackend, Workbook
from sheets_sync.xlsx_backend import XlsxBackend
from tests.factories import make_tabs, write_xlsx
from tests.test_presence_job import NOW, cell, employees, mission, run, write_log

QUEUE_HEADER = ["Appel", "Heure", "Numéro", "Code saisi", "Résultat", "Salarié", "Raison", "N° mission",
                "Motif rejet", "État"]


def queue(backend):
    return [[v if v is not None else "" for v in row] for row in backend.tabs["Appels SVI"]]


def type_in(backend, call, column, value):
    rows = backend.tabs["Appels SVI"]
    line = next(r for r in rows[1:] if r[0] == call)
    line += [None] * (len(rows[0]) - len(line))
    line[rows[0].index(column)] = value


def journal(backend, tab):
    return [r[3:8] for r in backend.tabs["Journal"][1:] if r[2] == tab]


def test_a_linked_call_marks_the_mission_and_says_why(tmp_path):
    # S0001 calls from a phone nobody knows, without a code: the call cannot be matched
    backend = MemoryBackend(make_tabs(employees=employees(1), missions=[mission("M1", "S0001")]))
    log = write_log(tmp_path, "29/11/2026 08:57;07 11 22 33 44;;OK")
    run(backend, log)
    assert cell(backend, "V2") == "Manquante"
    assert queue(backend)[1] == ["A-20261129-085700-3344", "29/11/2026 08:57:00", "07 11 22 33 44", "", "OK", "",
                                 "salarié inconnu (numéro et code non reconnus)", "", "", "à traiter"]
    type_in(backend, "A-20261129-085700-3344", "N° mission", " m1")  # the CDBO phoned S0001: it was them
    outcome = run(backend, log, now=NOW + dt.timedelta(minutes=10))
    assert (cell(backend, "V2"), cell(backend, "W2")) == ("Confirmée", "08:57")
    assert queue(backend)[1][-1] == "rattaché à M1 (Confirmée) le 29/11/2026 09:40"
    assert journal(backend, "Missions")[-3:-1] == [
        ["M1", "Présence", "Missions!V2", "Manquante", "Confirmée"],
        ["M1", "Heure appel", "Missions!W2", "", "08:57"]]
    assert journal(backend, "Appels SVI")[-1] == [
        "A-20261129-085700-3344", "État", "Appels SVI!J2", "à traiter", "rattaché à M1 (Confirmée) le 29/11/2026 09:40"]
    assert outcome.results[0].tables[1].rows == []  # no longer « non rattaché »
    assert not [f for f in outcome.results[0].findings if f.rule == "presence.appel_non_rattache"]
    before = len(backend.tabs["Journal"])
    run(backend, log, now=NOW + dt.timedelta(minutes=20))  # applied once: nothing more
    assert len(backend.tabs["Journal"]) == before


def test_a_rejected_call_stays_rejected(tmp_path):
    backend = MemoryBackend(make_tabs(employees=employees(1), missions=[mission("M1", "S0001")]))
    log = write_log(tmp_path, "29/11/2026 08:55;06 00 00 00 01;;OK", "29/11/2026 09:05;masqué;12;OK")
    run(backend, log)
    type_in(backend, "A-20261129-090500-12", "Motif rejet", "erreur de numérotation")
    outcome = run(backend, log, now=NOW + dt.timedelta(minutes=5))
    assert queue(backend)[1][-1] == "rejeté le 29/11/2026 : erreur de numérotation"
    assert outcome.results[0].tables[1].rows == []
    for minutes in (10, 60):
        outcome = run(backend, log, now=NOW + dt.timedelta(minutes=minutes))
        assert queue(backend)[1][-1] == "rejeté le 29/11/2026 : erreur de numérotation"
        assert len(queue(backend)) == 2 and outcome.results[0].tables[1].rows == []


def test_an_abandoned_call_is_queued_only_while_its_employee_is_missing(tmp_path):
    backend = MemoryBackend(make_tabs(employees=employees(2), missions=[mission("M1", "S0001"), mission("M2", "S0002")]))
    log = write_log(tmp_path, "29/11/2026 08:50;06 00 00 00 01;;ABANDON", "29/11/2026 08:52;06 00 00 00 01;;OK",
                    "29/11/2026 08:50;06 00 00 00 02;;ERREUR")
    outcome = run(backend, log)
    assert [r[0] for r in queue(backend)[1:]] == ["A-20261129-085000-0002"]  # S0001 got through afterwards
    assert queue(backend)[1][4:7] == ["ERREUR", "S0002", "appel non abouti"]
    assert outcome.results[0].tables[0].rows[0][-1] == "a tenté d'appeler à 08:50"


def test_a_link_to_a_wrong_mission_is_to_fix_with_a_finding(tmp_path):
    backend = MemoryBackend(make_tabs(employees=employees(1), missions=[
        mission("M1", "S0001"), mission("M9", "S0001", Date="30/11/2026")]))
    log = write_log(tmp_path, "29/11/2026 08:57;07 11 22 33 44;;OK")
    run(backend, log)
    type_in(backend, "A-20261129-085700-3344", "N° mission", "M9")
    outcome = run(backend, log, now=NOW + dt.timedelta(minutes=10))
    assert queue(backend)[1][-1] == "à corriger : la mission M9 est du 30/11/2026, l'appel du 29/11/2026"
    [finding] = [f for f in outcome.results[0].findings if f.rule == "presence.appel_a_corriger"]
    assert finding.cell == "Appels SVI!H2"
    assert cell(backend, "V2") == "Manquante"


def test_a_persons_word_is_kept_when_a_call_is_linked(tmp_path):
    backend = MemoryBackend(make_tabs(employees=employees(1), missions=[mission("M1", "S0001")]))
    log = write_log(tmp_path, "29/11/2026 08:57;07 11 22 33 44;;OK")
    run(backend, log)
    backend.tabs["Missions"][1][21] = "Excusée"
    type_in(backend, "A-20261129-085700-3344", "N° mission", "M1")
    run(backend, log, now=NOW + dt.timedelta(minutes=10))
    assert cell(backend, "V2") == "Excusée"
    assert queue(backend)[1][-1] == "à corriger : Présence « Excusée » tapée à la main, laissée telle quelle"


def test_the_queue_on_a_real_xlsx_file(tmp_path):
    path = tmp_path / "region.xlsx"
    write_xlsx(path, make_tabs(employees=employees(1), missions=[mission("M1", "S0001")]))
    log = write_log(tmp_path, "29/11/2026 08:57;07 11 22 33 44;;OK")
    run(None, log, workbook=Workbook(XlsxBackend(path)))
    import openpyxl

    rows = [list(r) for r in openpyxl.load_workbook(path)["Appels SVI"].iter_rows(values_only=True)]
    assert rows[0] == QUEUE_HEADER
    assert rows[1][0] == "A-20261129-085700-3344" and rows[1][-1] == "à traiter"
    run(None, log, workbook=Workbook(XlsxBackend(path)))  # never twice
    assert len(list(openpyxl.load_workbook(path)["Appels SVI"].iter_rows())) == 2


def test_a_flood_of_calls_fills_the_queue_up_to_its_limit_only(tmp_path):
    from functools import partial

    from backoffice.jobs.presence import PresenceOptions, presence_step
    from backoffice.jobs.runner import run_region
    from backoffice.settings import Region, load_settings

    backend = MemoryBackend(make_tabs(employees=employees(1), missions=[mission("M1", "S0001")]))
    log = write_log(tmp_path, *[f"29/11/2026 08:{m:02d};07 11 22 33 {m:02d};;OK" for m in range(10)])
    settings = load_settings(environ={}, overrides={"presence": {"queue_max_open": 4}})
    step = partial(presence_step, options=PresenceOptions(ivr_log=log))
    outcome = run_region(settings, Region("T"), [("presence", step)], NOW, workbook=Workbook(backend))
    assert len(queue(backend)) == 5
    [full] = [f for f in outcome.results[0].findings if f.rule == "presence.file_appels_pleine"]
    assert full.message.startswith("l'onglet Appels SVI est limité à 4 appels « à traiter » (réglage "
                                   "presence.queue_max_open) : 6 appel(s) non ajouté(s)")


def test_rows_the_day_settles_by_itself_say_so(tmp_path):
    backend = MemoryBackend(make_tabs(employees=employees(2), missions=[mission("M1", "S0001"), mission("M2", "S0002")]))
    first = ["29/11/2026 08:50;06 00 00 00 01;;ABANDON", "29/11/2026 08:55;07 11 22 33 44;0002;OK"]
    run(backend, write_log(tmp_path, *first), now=NOW.replace(hour=8, minute=56))
    # S0002 confirmed by the code of their Matricule; S0001's abandoned call waits
    assert [(r[0], r[-1]) for r in queue(backend)[1:]] == [("A-20261129-085000-0001", "à traiter")]
    later = first + ["29/11/2026 08:58;06 00 00 00 01;;OK"]  # S0001 got through
    run(backend, write_log(tmp_path, *later), now=NOW)
    assert queue(backend)[1][-1] == "sans objet : S0001 a confirmé sa présence par un autre appel"


def test_an_unmatched_call_that_counts_once_the_file_is_fixed_is_settled(tmp_path):
    backend = MemoryBackend(make_tabs(employees=employees(1), missions=[mission("M1", "S0001")]))
    log = write_log(tmp_path, "29/11/2026 08:57;07 81 22 33 44;;OK")  # the employee's new phone
    run(backend, log)
    rows = backend.tabs["Salariés"]
    rows[1][rows[0].index("Téléphone")] = "07 81 22 33 44"  # the CDBO fixes the employee's file
    run(backend, log, now=NOW + dt.timedelta(minutes=5))
    assert cell(backend, "V2") == "Confirmée"
    assert queue(backend)[1][-1] == "sans objet : l'appel compte désormais pour une mission (fiche ou mission corrigée)"
