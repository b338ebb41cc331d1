"""The employee's file against the sector's rules: acceptance deadline, cancellation pay, DPAE,
expiry warnings; each on its planted row, with its cell and French message, and on no clean row."""
import datetime as dt

import pytest

from backoffice.settings import load_settings
from rules.status_seen import next_records
from sheets_sync import MemoryBackend, Workbook
from tests.factories import make_tabs, state_record
from tests.rules_support import run_rule, staffed

NOW = dt.datetime(2026, 11, 27, 10, 0)  # Friday 10:00; the default mission is on Sunday 29/11 09:00


def seen(status, since, employee="S0001", key="M0001"):
    return {key: {"statut": status, "salarie": employee, "depuis": since}}


def messages(found):
    return [(f.cell, f.message.split(" : ", 1)[1]) for f in found]


@pytest.mark.parametrize("mission, memory, expected", [
    ({"Statut": "Proposée"}, seen("Proposée", "2026-11-23 09:00"),
     [("Missions!L2", "mission du 29/11/2026 proposée à S0001 (Léa Martin) le 23/11/2026, sans réponse après 3 "
                      "jours (le délai d'acceptation) : appelez le salarié, ou proposez la mission à un autre "
                      "(backoffice suggest).")]),
    ({"Statut": "Proposée"}, seen("Proposée", "2026-11-24 11:00"), []),  # 2 days 23 h
    ({"Statut": "Proposée"}, seen("Proposée", ""), []),  # already Proposée when the memory began
    ({"Statut": "Proposée"}, seen("Proposée", "2026-11-20 09:00", employee="S0002"), []),  # proposed to another
    ({"Statut": "Confirmée"}, seen("Proposée", "2026-11-20 09:00"), []),  # accepted
    ({"Statut": "Proposée", "Date": "26/11/2026"}, seen("Proposée", "2026-11-20 09:00"), []),  # past
])
def test_the_employee_has_three_days_to_accept(mission, memory, expected):
    found = run_rule("contrat.delai_acceptation", NOW, status_seen=memory, missions=[staffed(**mission)])
    assert messages(found) == expected and all(f.severity == "alerte" for f in found)


def cancelled(share: str, when: str, below: str) -> list:
    return [("Missions!L2", f"mission de S0001 (Léa Martin) annulée le {when}, {below} avant son début (29/11/2026 à "
                            f"09:00) : le salarié est payé {share} des heures prévues (8 h 10) ; reportez-les en paie.")]


@pytest.mark.parametrize("mission, memory, expected", [
    # 09:00–17:00: 8 h less the 20 min break plus 30 min of preparation
    ({"Statut": "Annulée"}, seen("Annulée", "2026-11-27 10:00"), cancelled("100 %", "27/11/2026 à 10:00", "moins de 72 h")),
    ({"Statut": "Annulée"}, seen("Annulée", "2026-11-26 09:01"), cancelled("100 %", "26/11/2026 à 09:01", "moins de 72 h")),
    # exactly 72 h before: half
    ({"Statut": "Annulée"}, seen("Annulée", "2026-11-26 09:00"), cancelled("50 %", "26/11/2026 à 09:00",
                                                                           "moins de 7 jours")),
    ({"Statut": "Annulée"}, seen("Annulée", "2026-11-24 10:00"), cancelled("50 %", "24/11/2026 à 10:00",
                                                                           "moins de 7 jours")),  # 5 days ahead
    ({"Statut": "Annulée"}, seen("Annulée", "2026-11-22 09:01"), cancelled("50 %", "22/11/2026 à 09:01",
                                                                           "moins de 7 jours")),
    ({"Statut": "Annulée"}, seen("Annulée", "2026-11-22 09:00"), []),  # exactly 7 days before
    ({"Statut": "Annulée"}, seen("Annulée", ""), []),  # unknown date
    ({"Statut": "Annulée", "Salarié": ""}, seen("Annulée", "2026-11-27 10:00", employee=""), []),  # nobody
    ({"Statut": "Annulée", "Date": "20/11/2026"}, seen("Annulée", "2026-11-21 10:00"), []),  # after its start
    ({"Statut": "Confirmée"}, seen("Annulée", "2026-11-27 10:00"), []),  # un-cancelled
])
def test_a_late_cancellation_is_paid_in_full(mission, memory, expected):
    found = run_rule("contrat.annulation_payee", NOW, status_seen=memory, missions=[staffed(**mission)])
    assert messages(found) == expected


def test_a_late_cancellation_stays_for_the_pay_period_only():
    memory = seen("Annulée", "2026-11-28 10:00")
    later = dt.datetime(2026, 12, 30, 9, 0)
    assert len(run_rule("contrat.annulation_payee", later, status_seen=memory,
                        missions=[staffed(Statut="Annulée")])) == 1
    assert run_rule("contrat.annulation_payee", later + dt.timedelta(days=2), status_seen=memory,
                    missions=[staffed(Statut="Annulée")]) == []


def dpae(cell: str, state: str) -> list:
    return [(cell, f"DPAE {state} pour la mission M0001 de S0001 (Léa Martin), qui commence le 29/11/2026 : déclarez "
                   "l'embauche à l'URSSAF dans les 8 jours qui précèdent le début, puis notez sa date dans la colonne "
                   "DPAE de Missions.")]


@pytest.mark.parametrize("employee, mission, expected", [
    # the employee's DPAE covers only a contract that starts within 8 days of it (R1221-5)
    ({"DPAE": ""}, {}, dpae("Missions!K2", "non renseignée")),
    ({"DPAE": "30/11/2026"}, {}, dpae("Missions!K2", "non renseignée (celle de Salariés, du 30/11/2026, ne couvre "
                                                     "pas ce contrat)")),
    ({"DPAE": "21/11/2026"}, {}, []),  # 8 days before
    ({"DPAE": "29/11/2026"}, {}, []),  # the day itself
    ({"DPAE": "20/11/2026"}, {}, dpae("Missions!K2", "non renseignée (celle de Salariés, du 20/11/2026, ne couvre "
                                                     "pas ce contrat)")),
    ({"DPAE": "22/02/2025"}, {}, dpae("Missions!K2", "non renseignée (celle de Salariés, du 22/02/2025, ne couvre "
                                                     "pas ce contrat)")),
    # the contract's own DPAE (Missions) wins
    ({"DPAE": "22/02/2025"}, {"DPAE": "25/11/2026"}, []),
    ({}, {"DPAE": "20/11/2026"}, dpae("Missions!AB2", "du 20/11/2026, plus de 8 jours avant le début")),
    ({}, {"DPAE": "30/11/2026"}, dpae("Missions!AB2", "du 30/11/2026, après le début")),
    ({}, {"DPAE": ""}, dpae("Missions!AB2", "non renseignée")),
    ({"DPAE": ""}, {"Date": "30/11/2026"}, []),  # 3 days ahead: not yet
    ({"DPAE": ""}, {"Statut": "Annulée"}, []),
])
def test_the_dpae_precedes_the_hiring(employee, mission, expected):
    found = run_rule("contrat.dpae", NOW, employees=[employee], missions=[staffed(**mission)])
    assert messages(found) == expected and all(f.severity == "erreur" for f in found)


def test_without_the_dpae_column_the_rule_is_off():
    assert run_rule("contrat.dpae", NOW, missions=[staffed()]) == []


@pytest.mark.parametrize("visit, mission, expected", [
    ("10/12/2024", {},
     [("Salariés!M2", "la visite médicale de S0001 (Léa Martin) expire le 10/12/2026 (dans 13 jours) et des "
                      "missions sont prévues : M0001 (29/11/2026). Programmez une visite avant le 10/12/2026.")]),
    ("10/01/2025", {}, []),  # expires in 44 days
    ("10/12/2024", {"Statut": "Réalisée", "Date": "26/11/2026"}, []),  # nothing planned
    ("10/12/2024", {"Statut": "À pourvoir", "Salarié": ""}, []),
    ("20/11/2024", {}, []),  # already expired: planning.visite_medicale says it
])
def test_a_medical_check_about_to_expire(visit, mission, expected):
    found = run_rule("dossier.visite_a_renouveler", NOW, employees=[{"Visite médicale": visit}],
                     missions=[staffed(**mission)])
    assert messages(found) == expected


@pytest.mark.parametrize("trainings, mission, expected", [
    ([{"Valide jusqu'au": "15/12/2026"}], {},
     [("Formations!E2", "la formation « Lindt » de S0001 (Léa Martin) expire le 15/12/2026 (dans 18 jours) et des "
                        "missions de la marque sont prévues : M0001 (29/11/2026). Faites-la renouveler, puis "
                        "ajoutez la ligne dans Formations.")]),
    ([{"Valide jusqu'au": "15/12/2026"}, {"Date": "10/12/2026", "Valide jusqu'au": "31/12/2027"}], {}, []),
    ([{"Valide jusqu'au": "15/12/2026"}], {"Marque": "Milka"}, []),  # no mission of that brand
    ([{"Valide jusqu'au": "15/01/2027"}], {}, []),  # 49 days ahead
    ([{"Valide jusqu'au": ""}], {}, []),  # no expiry
])
def test_a_training_about_to_expire(trainings, mission, expected):
    found = run_rule("dossier.formation_a_renouveler", NOW, trainings=trainings, missions=[staffed(**mission)])
    assert messages(found) == expected and all(f.key == "S0001" for f in found)


def test_the_warning_days_are_a_setting():
    settings = load_settings(environ={}, overrides={"check": {"expiry_warning_days": 60}})
    assert len(run_rule("dossier.visite_a_renouveler", NOW, settings, employees=[{"Visite médicale": "10/01/2025"}],
                        missions=[staffed()])) == 1


def test_the_memory_keeps_the_first_sight_and_restarts_on_a_change():
    missions = Workbook(MemoryBackend(make_tabs(missions=[
        staffed(**{"N° mission": "M1", "Statut": "Proposée"}), staffed(**{"N° mission": "M2", "Statut": "Annulée"}),
        staffed(**{"N° mission": "M3"})]))).load()["Missions"].df
    first = next_records(missions, {}, NOW, fresh=True)
    assert first == {"M1": {"statut": "Proposée", "salarie": "S0001", "depuis": ""},
                     "M2": {"statut": "Annulée", "salarie": "S0001", "depuis": ""}}
    memory = {"M1": {"statut": "Proposée", "salarie": "S0002", "depuis": "2026-11-20 09:00"},
              "M2": {"statut": "Annulée", "salarie": "S0001", "depuis": "2026-11-21 09:00"},
              "M9": {"statut": "Proposée", "salarie": "S0001", "depuis": "2026-11-21 09:00"}}
    assert next_records(missions, memory, NOW, fresh=False) == {
        "M1": {"statut": "Proposée", "salarie": "S0001", "depuis": "2026-11-27 10:00"},  # another employee now
        "M2": {"statut": "Annulée", "salarie": "S0001", "depuis": "2026-11-21 09:00"}}


def test_the_check_remembers_statuses_and_counts_from_its_first_sight(tmp_path):
    from backoffice.jobs.check import check_step
    from backoffice.jobs.runner import run_region
    from backoffice.settings import Region
    from tests.mandates_helpers import set_cell

    backend = MemoryBackend(make_tabs(missions=[staffed(Statut="Confirmée")]))
    settings = load_settings(environ={})

    def check(now):
        outcome = run_region(settings, Region("IDF"), [("check", check_step)], now, out=str(tmp_path),
                             workbook=Workbook(backend))
        assert not outcome.error, outcome.trace
        return {f.rule: f.message for f in outcome.results[0].findings}

    check(dt.datetime(2026, 11, 20, 9, 0))  # the memory begins: nothing is tracked
    set_cell(backend, "M0001", "Statut", "Proposée")
    assert "contrat.delai_acceptation" not in check(dt.datetime(2026, 11, 21, 9, 0))
    assert "contrat.delai_acceptation" not in check(dt.datetime(2026, 11, 24, 8, 59))
    assert "contrat.delai_acceptation" in check(dt.datetime(2026, 11, 24, 9, 0))
    set_cell(backend, "M0001", "Statut", "Annulée")
    assert "payé 50 %" in check(dt.datetime(2026, 11, 25, 9, 0))["contrat.annulation_payee"]  # 4 days ahead
    assert "payé 50 %" in check(dt.datetime(2026, 11, 27, 9, 0))["contrat.annulation_payee"]  # 25/11 counts, not now
    assert state_record(backend, "statut", "M0001")["statut"] == "Annulée"  # in the workbook, not a file
    assert not (tmp_path / "IDF").exists()
    set_cell(backend, "M0001", "Statut", "Confirmée")
    check(dt.datetime(2026, 11, 26, 9, 0))
    set_cell(backend, "M0001", "Statut", "Annulée")
    assert "payé 100 %" in check(dt.datetime(2026, 11, 27, 9, 0))["contrat.annulation_payee"]


def test_an_old_status_file_is_folded_once_and_an_unreadable_one_ignored(tmp_path):
    """statuts.json of an earlier version: its records go into État at the first check (a
    Proposée seen on 20/11 keeps that date); an unreadable one is left alone, never overwritten."""
    import json

    from backoffice.jobs.check import check_step
    from backoffice.jobs.runner import run_region
    from backoffice.settings import Region

    (tmp_path / "IDF").mkdir()
    (tmp_path / "IDF" / "statuts.json").write_text(json.dumps({"version": 1, "missions": {
        "M0001": {"statut": "Proposée", "salarie": "S0001", "depuis": "2026-11-20 09:00"}}}), "utf-8")
    backend = MemoryBackend(make_tabs(missions=[staffed(Statut="Proposée")]))
    outcome = run_region(load_settings(environ={}), Region("IDF"), [("check", check_step)], NOW, out=str(tmp_path),
                         workbook=Workbook(backend))
    assert not outcome.error
    assert state_record(backend, "statut", "M0001")["depuis"] == "2026-11-20 09:00"
    other = tmp_path / "other"
    (other / "IDF").mkdir(parents=True)
    (other / "IDF" / "statuts.json").write_text("{not json", "utf-8")
    outcome = run_region(load_settings(environ={}), Region("IDF"), [("check", check_step)], NOW, out=str(other),
                         workbook=Workbook(MemoryBackend(make_tabs(missions=[staffed()]))))
    assert not outcome.error
    assert (other / "IDF" / "statuts.json").read_text("utf-8") == "{not json"  # never overwritten
