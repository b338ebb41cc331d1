"""The presence job on a workbook in memory: what it writes, protects, paints and lists."""
from functools import partial
import datetime as dt

import pytest

from backoffice.jobs.presence import PresenceOptions, presence_step
from backoffice.jobs.runner import run_region
from backoffice.settings import Region, load_settings
from sheets_sync import COLOR_MISSING, MemoryBackend, Workbook
from tests.factories import make_tabs

NOW = dt.datetime(2026, 11, 29, 9, 30)  # the factories' missions are on 29/11/2026, 09:00-17:00
HEADER = "date_appel;numero_appelant;code_saisi;resultat\n"
PRESENCE, HEURE = "V", "W"  # columns of Présence and Heure appel in the factories' Missions tab


def employees(n=3):
    return [{"Matricule": f"S000{i}", "Prénom": f"P{i}", "Nom": f"N{i}", "Téléphone": f"06 00 00 00 0{i}"}
            for i in range(1, n + 1)]


def mission(number, matricule, **cells):
    return {"N° mission": number, "Salarié": matricule, "Statut": "Confirmée", **cells}


def write_log(tmp_path, *lines, name="svi.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


def run(backend, log, now=NOW, workbook=None, **options):
    step = partial(presence_step, options=PresenceOptions(ivr_log=log, **options))
    outcome = run_region(load_settings(environ={}), Region("T"), [("presence", step)], now,
                         workbook=workbook or Workbook(backend))
    assert outcome.error == ""
    return outcome


def cell(backend, ref):
    return backend.cell("Missions", ref)


def test_marks_presence_and_call_time(tmp_path):
    backend = MemoryBackend(make_tabs(employees=employees(), missions=[
        mission("M1", "S0001"), mission("M2", "S0002"), mission("M3", "S0003")]))
    log = write_log(tmp_path, "29/11/2026 08:55:12;06 00 00 00 01;;OK",
                    "29/11/2026 09:20;masqué;0002;OK",
                    "29/11/2026 09:21;06 00 00 00 03;;ABANDON")
    outcome = run(backend, log)
    assert [(cell(backend, f"{PRESENCE}{r}"), cell(backend, f"{HEURE}{r}")) for r in (2, 3, 4)] == [
        ("Confirmée", "08:55"), ("En retard", "09:20"), ("Manquante", None)]
    result = outcome.results[0]
    assert result.summary == [("confirmées", 1), ("en retard", 1), ("manquantes", 1),
                              ("appels non rattachés", 0), ("journal SVI", "svi.csv")]
    assert result.needs_attention
    assert result.tables[0].title == "À appeler"
    assert result.tables[0].rows == [["M3", "Carrefour République", "S0003 P3 N3", "06 00 00 00 03", "09:00", 30,
                                      "a tenté d'appeler à 09:21"]]  # its ABANDON call
    assert [r[:8] for r in backend.tabs["Journal"][1:]] == [
        ["2026-11-29 09:30:00", "presence", "Missions", "M1", "Présence", "Missions!V2", "", "Confirmée"],
        ["2026-11-29 09:30:00", "presence", "Missions", "M1", "Heure appel", "Missions!W2", "", "08:55"],
        ["2026-11-29 09:30:00", "presence", "Missions", "M2", "Présence", "Missions!V3", "", "En retard"],
        ["2026-11-29 09:30:00", "presence", "Missions", "M2", "Heure appel", "Missions!W3", "", "09:20"],
        ["2026-11-29 09:30:00", "presence", "Missions", "M3", "Présence", "Missions!V4", "", "Manquante"],
        ["2026-11-29 09:30:00", "presence", "Missions", "M3", "Présence", "Missions!V4", "", "fond EA9999"],
        ["2026-11-29 09:30:00", "presence", "Appels SVI", "", "", "Appels SVI!A2:J2", "", "1 ligne(s) ajoutée(s)"],
    ]
    assert backend.tabs["Appels SVI"] == [  # the employee still missing tried: the CDBO sees it
        ["Appel", "Heure", "Numéro", "Code saisi", "Résultat", "Salarié", "Raison", "N° mission", "Motif rejet",
         "État"],
        ["A-20261129-092100-0003", "29/11/2026 09:21:00", "06 00 00 00 03", None, "ABANDON", "S0003",
         "appel non abouti", None, None, "à traiter"]]


@pytest.mark.parametrize("sheet_phone", ["06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678", "612345678"])
@pytest.mark.parametrize("caller", ["06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678", "612345678",
                                    "+33612345678", "06.12.34.56.78"])
def test_every_phone_format_of_the_contract(tmp_path, sheet_phone, caller):
    backend = MemoryBackend(make_tabs(employees=[{"Téléphone": sheet_phone}],
                                      missions=[mission("M1", "S0001")]))
    run(backend, write_log(tmp_path, f"29/11/2026 09:00;{caller};;OK"))
    assert cell(backend, "V2") == "Confirmée"


@pytest.mark.parametrize("cells, calls, now, presence, heure", [
    # what the mission row holds, the log, the clock -> Présence and Heure appel after the run
    ({}, [], dt.datetime(2026, 11, 29, 9, 15), None, None),            # not due yet: left alone
    ({"Statut": "Annulée"}, [], NOW, None, None),                      # cancelled
    ({"Salarié": ""}, [], NOW, None, None),                            # nobody staffed
    ({"Date": "30/11/2026"}, [], NOW, None, None),                     # another day
    ({"Présence": "Manquante"}, ["09:40"], dt.datetime(2026, 11, 29, 10), "En retard", "09:40"),
    ({"Présence": "manquante"}, ["09:05"], NOW, "Confirmée", "09:05"),
    ({"Présence": "En retard", "Heure appel": "09:40"}, [], NOW, "En retard", "09:40"),  # never back
    ({"Présence": "Confirmée", "Heure appel": "08:50"}, [], NOW, "Confirmée", "08:50"),
    ({"Présence": "Excusée"}, [], NOW, "Excusée", None),               # a person's word
    ({"Présence": "Confirmée tél."}, ["09:40"], NOW, "Confirmée tél.", None),
    ({"Présence": "absent, prévenu"}, ["08:30"], NOW, "absent, prévenu", None),
])
def test_what_the_job_may_write(tmp_path, cells, calls, now, presence, heure):
    backend = MemoryBackend(make_tabs(missions=[mission("M1", "S0001", **cells)]))
    run(backend, write_log(tmp_path, *[f"29/11/2026 {c};06 12 34 56 78;;OK" for c in calls]
                           or ["29/11/2026 06:00;07 99 99 99 99;;OK"]), now=now)
    assert (cell(backend, "V2"), cell(backend, "W2")) == (presence, heure)
    assert backend.fills["Missions"] == {}


def test_a_second_run_with_the_same_log_changes_nothing(tmp_path):
    backend = MemoryBackend(make_tabs(employees=employees(), missions=[
        mission("M1", "S0001"), mission("M2", "S0002"), mission("M3", "S0003")]))
    log = write_log(tmp_path, "29/11/2026 08:55;06 00 00 00 01;;OK", "29/11/2026 09:20;masqué;0002;OK")
    run(backend, log)
    journal, fills = list(backend.tabs["Journal"]), dict(backend.fills["Missions"])
    writes = backend.writes
    outcome = run(backend, log)
    assert outcome.report.written == 0 and outcome.report.highlights == 0
    assert backend.writes == writes
    assert backend.tabs["Journal"] == journal and backend.fills["Missions"] == fills


def test_a_real_time_cell_in_heure_appel_is_not_rewritten(tmp_path):
    backend = MemoryBackend(make_tabs(missions=[
        mission("M1", "S0001", **{"Présence": "Confirmée", "Heure appel": dt.time(8, 55)})]))
    outcome = run(backend, write_log(tmp_path, "29/11/2026 08:55:40;06 12 34 56 78;;OK"))
    assert outcome.report.written == 0


def test_missing_is_red_and_the_red_goes_when_the_value_leaves_missing(tmp_path):
    backend = MemoryBackend(make_tabs(employees=employees(2), missions=[
        mission("M1", "S0001"), mission("M2", "S0002")]))
    run(backend, write_log(tmp_path, "29/11/2026 06:00;07 99 99 99 99;;OK"))
    assert backend.fills["Missions"] == {(2, 22): COLOR_MISSING, (3, 22): COLOR_MISSING}
    # M1 calls late; a person writes « Excusée » over M2's Manquante
    backend.tabs["Missions"][2][21] = "Excusée"
    run(backend, write_log(tmp_path, "29/11/2026 09:45;06 00 00 00 01;;OK"),
        now=dt.datetime(2026, 11, 29, 10))
    assert (cell(backend, "V2"), cell(backend, "V3")) == ("En retard", "Excusée")
    assert backend.fills["Missions"] == {}


def test_a_persons_fill_is_kept(tmp_path):
    tabs = make_tabs(missions=[mission("M1", "S0001", **{"Présence": "Confirmée"})])
    backend = MemoryBackend(tabs)
    backend.fills["Missions"][(2, 22)] = "FFFF00"
    run(backend, write_log(tmp_path, "29/11/2026 08:55;06 12 34 56 78;;OK"))
    assert backend.fills["Missions"] == {(2, 22): "FFFF00"}


def test_unmatched_calls_are_listed_and_become_alerts(tmp_path):
    backend = MemoryBackend(make_tabs(employees=employees(2), missions=[mission("M1", "S0001")]))
    log = write_log(tmp_path, "29/11/2026 08:55;06 00 00 00 01;;OK",
                    "29/11/2026 08:57;masqué;999;OK",
                    "29/11/2026 09:02;+33 6 00 00 00 02;;OK",
                    "29/11/2026 18:30;06 00 00 00 01;;OK",
                    "30/11/2026 08:00;06 00 00 00 01;;OK")
    result = run(backend, log).results[0]
    table = result.tables[1]
    assert table.title == "Appels non rattachés"
    assert table.rows == [
        ["08:57", "masqué", "999", "", "salarié inconnu (numéro et code non reconnus)"],
        ["09:02", "06 00 00 00 02", "", "S0002", "aucune mission ce jour pour ce salarié"],
        ["18:30", "06 00 00 00 01", "", "S0001", "hors des horaires de ses missions du jour"],
    ]
    assert [(f.rule, f.severity, f.tab, f.cell, f.key) for f in result.findings] == [
        ("presence.appel_non_rattache", "alerte", "Missions", "", ""),
        ("presence.appel_non_rattache", "alerte", "Missions", "", "S0002"),
        ("presence.appel_non_rattache", "alerte", "Missions", "", "S0001"),
    ]
    assert result.findings[0].message == (
        "Appel SVI non rattaché de 08:57 (numéro masqué, code « 999 ») : salarié inconnu (numéro "
        "et code non reconnus) (svi.csv, ligne 3). Rattachez-le dans l'onglet Appels SVI "
        "(ligne A-20261129-085700-999 : N° mission) ou rejetez-le (Motif rejet).")
    assert [row[0] for row in backend.tabs["Appels SVI"][1:]] == [
        "A-20261129-085700-999", "A-20261129-090200-0002", "A-20261129-183000-0001"]
    assert ("appels d'un autre jour ignorés", 1) in result.summary
    assert not result.needs_attention
    assert cell(backend, "V2") == "Confirmée"


def test_bad_lines_become_alerts_and_the_good_ones_count(tmp_path):
    backend = MemoryBackend(make_tabs(missions=[mission("M1", "S0001")]))
    log = write_log(tmp_path, "29/11/2026 25:00;06 12 34 56 78;;OK", "29/11/2026 09:00;06 12 34 56 78;;OK")
    result = run(backend, log).results[0]
    assert cell(backend, "V2") == "Confirmée"
    assert [(f.rule, f.severity, f.tab, f.key, f.message) for f in result.findings] == [(
        "presence.ligne_illisible", "alerte", "svi.csv", "ligne 2",
        "svi.csv, ligne 2, colonne date_appel : date « 29/11/2026 25:00 » illisible (attendu "
        "JJ/MM/AAAA HH:MM ou AAAA-MM-JJ HH:MM) — ligne ignorée ; corrigez l'export du SVI ou notez "
        "la présence à la main.")]
    assert ("lignes illisibles", 1) in result.summary


def test_call_list_most_urgent_first_and_its_csv(tmp_path):
    backend = MemoryBackend(make_tabs(
        employees=employees(3),
        missions=[mission("M1", "S0001", **{"Début": "09:15"}), mission("M2", "S0002", **{"Début": "08:00"}),
                  mission("M3", "S0003", **{"Début": "08:30", "Code magasin": "C999"})],
        stores=[{"Code magasin": "C001", "Enseigne": "Monoprix", "Nom": "Bastille"}]))
    out = tmp_path / "appels" / "{region}.csv"
    result = run(backend, write_log(tmp_path, "29/11/2026 06:00;masqué;;OK"),
                 now=dt.datetime(2026, 11, 29, 10), out=str(out)).results[0]
    assert [r[0] for r in result.tables[0].rows] == ["M2", "M3", "M1"]
    written = tmp_path / "appels" / "T.csv"
    assert result.files == [written]
    assert written.read_bytes().decode("utf-8-sig").splitlines() == [
        "N° mission;Magasin;Salarié;Téléphone;Début;Retard (min);Appel SVI",
        "M2;Monoprix Bastille;S0002 P2 N2;06 00 00 00 02;08:00;120;",
        "M3;C999;S0003 P3 N3;06 00 00 00 03;08:30;90;",
        "M1;Monoprix Bastille;S0001 P1 N1;06 00 00 00 01;09:15;45;",
    ]
    assert written.read_bytes().startswith(b"\xef\xbb\xbf")


def test_dry_run_writes_no_csv(tmp_path):
    backend = MemoryBackend(make_tabs(missions=[mission("M1", "S0001")]))
    out = tmp_path / "appels.csv"
    step = partial(presence_step, options=PresenceOptions(write_log(tmp_path, "29/11/2026 06:00;x;;OK"), out=str(out)))
    outcome = run_region(load_settings(environ={}), Region("T"), [("presence", step)], NOW,
                         dry_run=True, workbook=Workbook(backend))
    assert not out.exists()
    assert [row[3:] for row in outcome.preview] == [["Présence", "", "Manquante"],
                                                    ["Présence", "", "fond EA9999"],
                                                    ["", "", "1 ligne(s) à ajouter"]]  # the call « x »


def test_settings_early_and_grace(tmp_path):
    backend = MemoryBackend(make_tabs(missions=[mission("M1", "S0001")]))
    settings = load_settings(environ={}, overrides={"presence": {"grace_minutes": 5}})
    step = partial(presence_step, options=PresenceOptions(write_log(tmp_path, "29/11/2026 09:10;06 12 34 56 78;;OK")))
    outcome = run_region(settings, Region("T"), [("presence", step)], NOW,
                         workbook=Workbook(backend))
    assert outcome.error == ""
    assert cell(backend, "V2") == "En retard"


def test_an_unusable_log_is_a_region_error(tmp_path):
    backend = MemoryBackend(make_tabs(missions=[mission("M1", "S0001")]))
    path = tmp_path / "svi.csv"
    path.write_text("bonjour\n")
    step = partial(presence_step, options=PresenceOptions(str(path)))
    outcome = run_region(load_settings(environ={}), Region("T"), [("presence", step)], NOW,
                         workbook=Workbook(backend))
    assert outcome.error.startswith("svi.csv : colonne(s) obligatoire(s) date_appel, numero_appelant, "
                                    "code_saisi, resultat introuvable(s)")
    assert backend.writes == 0


def test_a_fill_is_not_applied_where_a_persons_edit_kept_the_value(tmp_path):
    backend = MemoryBackend(make_tabs(employees=employees(1), missions=[mission("M1", "S0001")]))

    def person_types_excusee(b):
        b.tabs["Missions"][1][21] = "Excusée"

    backend.on_reread = person_types_excusee
    outcome = run(backend, write_log(tmp_path, "29/11/2026 06:00;07 99 99 99 99;;OK"))
    assert cell(backend, "V2") == "Excusée"
    assert backend.fills["Missions"] == {}  # no red on the person's word
    assert outcome.report.highlights == 0
    assert [s.cell for s in outcome.report.skipped] == ["Missions!V2"]
    assert [r[2] for r in backend.tabs["Journal"][1:]] == ["Appels SVI"]  # only the unknown call, queued


def test_a_night_mission_is_watched_until_its_end_the_next_day(tmp_path):
    # 21:00–01:00: a call at 23:10 falls inside it (late), not after an end « before » its start
    backend = MemoryBackend(make_tabs(employees=employees(1), missions=[
        mission("M1", "S0001", **{"Début": "21:00", "Fin": "01:00"})]))
    log = write_log(tmp_path, "29/11/2026 23:10;06 00 00 00 01;;OK")
    run(backend, log, now=dt.datetime(2026, 11, 29, 23, 15))
    assert (cell(backend, f"{PRESENCE}2"), cell(backend, f"{HEURE}2")) == ("En retard", "23:10")
