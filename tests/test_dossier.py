"""``backoffice dossier MATRICULE``: the employee's file, read-only, exit codes."""
from functools import partial
import datetime as dt

import pytest
from click.testing import CliRunner

from backoffice.cli import cli
from backoffice.jobs.dossier import dossier_step
from backoffice.jobs.runner import run_region
from backoffice.settings import Region, load_settings
from sheets_sync import MemoryBackend, Workbook
from tests.factories import make_tabs
from tests.test_check import OTHERS_OFF
from tests.test_check_cli import make_workbook

NOW = dt.datetime(2026, 11, 27, 8, 0)
SETTINGS = load_settings(environ={}, overrides={"check": {"rules": OTHERS_OFF}})


def file_of(matricule="S0001", **tabs):
    backend = MemoryBackend(make_tabs(**tabs))
    outcome = run_region(SETTINGS, Region("T"), [("dossier", partial(dossier_step, matricule=matricule))], NOW,
                         dry_run=True, workbook=Workbook(backend))
    return outcome, backend


def tables(result):
    return {t.title: t.rows for t in result.tables}


BUSY = dict(
    missions=[
        {"N° mission": "M1", "Salarié": "S0001", "Statut": "Réalisée", "Date": "10/11/2026", "Contrat": "Envoyé"},
        {"N° mission": "M2", "Salarié": "S0001", "Statut": "Confirmée", "Contrat": "Signé",
         "CR reçu": ""},
        {"N° mission": "M3", "Salarié": "S0001", "Statut": "Confirmée", "Date": "05/12/2026", "Contrat": ""},
        {"N° mission": "M4", "Salarié": "S0002", "Statut": "Confirmée"},
    ],
    employees=[{}, {"Matricule": "S0002", "Téléphone": "06 12 34 56 79"}],
    expenses=[{"N° note": "N1", "N° mission": "M2"},
              {"N° note": "N2", "N° mission": "M2", "Montant": "30", "Justificatif": "non"},
              {"N° note": "N3", "N° mission": "M1", "Statut": "Validée", "Montant": "12,5"},
              {"N° note": "N4", "Matricule": "S0002", "N° mission": "M4"}],
    trainings=[{}, {"Marque": "Milka", "Module": "Merch", "Date": "01/01/2025", "Valide jusqu'au": "31/12/2025"}],
)


def test_the_file_shows_everything_and_needs_action():
    outcome, backend = file_of(**BUSY)
    assert not outcome.error, outcome.trace
    [result] = outcome.results
    t = tables(result)
    assert ["Téléphone", "06 12 34 56 78"] in t["Identité"]
    assert ["Visite médicale", "15/03/2026 — valable jusqu'au 15/03/2028"] in t["Identité"]
    assert [r[0] for r in t["Missions du mois (11/2026)"]] == ["M1", "M2"]
    assert t["Missions du mois (11/2026)"][0][1:7] == ["10/11/2026", "09:00–17:00", "Lindt", "C001", "Réalisée", "Envoyé"]
    assert t["Contrats non signés"] == [["M1", "10/11/2026", "Envoyé", "Missions!M2"],
                                        ["M3", "05/12/2026", "(vide)", "Missions!M4"]]
    assert t["Notes de frais par statut"] == [["Soumise", 2, "45,00 €"], ["Validée", 1, "12,50 €"]]
    notes = {r[0]: r for r in t["Notes de frais"]}
    assert set(notes) == {"N1", "N2", "N3"}
    assert notes["N1"][6] == "—"
    assert notes["N2"][6] == (
        "alerte : Notes de frais!H3 : dépense « repas » de 30,00 € sans justificatif. Demandez le "
        "justificatif au salarié puis mettez « oui ». | alerte : Notes de frais!F3 : repas de 30,00 €, "
        "au-dessus du plafond URSSAF de 21,40 €. Remboursez au plus le plafond ou justifiez le dépassement.")
    assert t["Comptes rendus manquants"] == [["M1", "10/11/2026", "Missions!N2"]]
    assert t["Formations"] == [["Lindt", "Dégustation", "01/01/2026", "sans fin", "valide"],
                               ["Milka", "Merch", "01/01/2025", "31/12/2025", "expirée"]]
    assert sorted((f.rule, f.cell) for f in result.findings) == [
        ("contrat.a_envoyer", "Missions!M4"),
        ("contrat.non_signe", "Missions!M2"),
        ("frais.justificatif_manquant", "Notes de frais!H3"),
        ("frais.repas_plafond", "Notes de frais!F3"),
        ("rapport.cr_manquant", "Missions!N2"),
    ]
    assert result.needs_attention
    assert backend.writes == 0


def test_a_clean_file_needs_nothing():
    outcome, _ = file_of(missions=[{"Salarié": "S0001", "Statut": "Confirmée", "Contrat": "Signé"}])
    [result] = outcome.results
    assert result.findings == [] and not result.needs_attention


def test_an_expired_medical_check_needs_action_even_without_missions():
    outcome, _ = file_of(employees=[{"Visite médicale": "01/01/2024"}], missions=[], expenses=[])
    [result] = outcome.results
    [f] = result.findings
    assert (f.rule, f.severity, f.cell) == ("dossier.visite_medicale", "erreur", "Salariés!M2")
    assert f.message == ("Salariés!M2 : visite médicale expirée. Programmez une visite médicale et "
                         "notez sa date.")
    assert ["Visite médicale", "01/01/2024 — expirée depuis le 01/01/2026"] in tables(result)["Identité"]


def test_unknown_matricule_is_an_input_error():
    outcome, _ = file_of("S0999")
    assert outcome.error == "Matricule « S0999 » introuvable dans l'onglet Salariés."


def test_an_unreadable_phone_is_reported_and_the_file_still_shown():
    outcome, _ = file_of(employees=[{"Téléphone": "12"}])
    [result] = outcome.results
    phone = [f for f in result.findings if f.cell == "Salariés!D2"]
    assert len(phone) == 1 and "elle est lue comme vide en attendant" in phone[0].message
    assert result.needs_attention


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "only_check.toml"
    path.write_text("[check.rules]\n" + "".join(f'"{k}" = "off"\n' for k in OTHERS_OFF), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("missions, matricule, code", [
    ([{"Salarié": "S0001", "Statut": "Confirmée", "Contrat": "Signé"}], "S0001", 0),
    ([{"Salarié": "S0001", "Statut": "Confirmée", "Contrat": "Envoyé", "Date": "20/11/2026"}], "S0001", 1),
    ([{}], "S0999", 2),
])
def test_cli_exit_codes_and_nothing_written(tmp_path, config, missions, matricule, code):
    pytest.importorskip("sheets_sync.xlsx_backend")
    book = make_workbook(tmp_path / "IDF.xlsx", missions=missions)
    before = (tmp_path / "IDF.xlsx").read_bytes()
    result = CliRunner().invoke(cli, ["--config", config, "--workbook", book, "--now", "2026-11-27 08:00",
                                      "dossier", matricule])
    assert result.exit_code == code, result.output
    assert (tmp_path / "IDF.xlsx").read_bytes() == before
    if code != 2:
        assert "Salarié S0001 Léa Martin" in result.output
        assert "Identité" in result.output and "Formations" in result.output


def test_the_file_shows_the_sectors_rules_and_the_follow_up(tmp_path):
    import json

    memory = tmp_path / "T" / "statuts.json"
    memory.parent.mkdir(parents=True)
    memory.write_text(json.dumps({"version": 1, "missions": {
        "M2": {"statut": "Proposée", "salarie": "S0001", "depuis": "2026-11-20 10:00"}}}), "utf-8")
    backend = MemoryBackend(make_tabs(
        employees=[{"Visite médicale": "10/12/2024", "DPAE": ""}],
        missions=[{"N° mission": "M1", "Salarié": "S0001", "Statut": "Réalisée", "Date": "10/11/2026",
                   "Contrat": "Signé", "CR reçu": "11/11/2026"},
                  {"N° mission": "M2", "Salarié": "S0001", "Statut": "Proposée", "Date": "28/11/2026",
                   "Mandat": "Envoyé", "Mandat suivi": "Relancé le 25/11/2026", "Kit": "KIT-1",
                   "Kit statut": "Commandé"}],
        trainings=[{"Valide jusqu'au": "20/12/2026"}], expenses=[]))
    settings = load_settings(environ={}, overrides={"check": {"rules": {
        k: v for k, v in OTHERS_OFF.items() if not k.startswith("dossier.")}}})
    outcome = run_region(settings, Region("T"), [("dossier", partial(dossier_step, matricule="S0001"))], NOW,
                         dry_run=True, out=str(tmp_path), workbook=Workbook(backend))
    [result] = outcome.results
    t = tables(result)
    assert t["Règles de la branche"] == [
        ["Heures sur 12 mois", "8 h : CDI intermittent à proposer au-delà de 500 h"],
        ["DPAE", "non renseignée"],
        ["Visite médicale", "expire le 10/12/2026, dans 13 jours"],
        ["Formation Lindt", "expire le 20/12/2026, dans 23 jours"]]
    assert t["Missions à venir : suivi"] == [
        ["M2", "28/11/2026", "Proposée", "proposée le 20/11/2026", "Envoyé", "Relancé le 25/11/2026", "Commandé"]]
    assert {"contrat.delai_acceptation", "contrat.dpae", "dossier.visite_a_renouveler",
            "dossier.formation_a_renouveler"} <= {f.rule for f in result.findings}
