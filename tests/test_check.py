"""``check_step`` end to end on a memory workbook: Anomalies rows, idempotence, highlights, config."""
import datetime as dt

import pytest

from backoffice.jobs.base import JobContext
from backoffice.jobs.check import check_step
from backoffice.jobs.findings import configure
from backoffice.jobs.runner import run_region
from backoffice.settings import Region, load_settings
from rules.registry import all_rules
from sheets_sync import COLOR_ERROR, Finding, MemoryBackend, Workbook
from tests.factories import make_tabs

NOW = dt.datetime(2026, 11, 27, 8, 0)
MY_MODULES = {"rules.data_rules", "rules.staffing_rules", "rules.contract_rules", "rules.report_rules",
              "rules.expense_rules"}
OTHERS_OFF = {r.id: "off" for r in all_rules() if r.func.__module__ not in MY_MODULES}
HEADER = ["Gravité", "Règle", "Onglet", "Cellule", "Clé", "Message", "Détectée le"]

G3 = ("Missions!G3 : date « 31/02/2026 » illisible (attendu JJ/MM/AAAA). Corrigez la cellule ; "
      "la ligne est ignorée en attendant.")
C4 = ("Missions!C4 : marque « Nestlé » n'existe pas dans l'onglet Marques. Corrigez la cellule ou "
      "ajoutez la ligne manquante dans Marques.")
H3 = ("Notes de frais!H3 : dépense « repas » de 25,00 € sans justificatif. Demandez le justificatif "
      "au salarié puis mettez « oui ».")
F3 = ("Notes de frais!F3 : repas de 25,00 €, au-dessus du plafond URSSAF de 21,40 €. Remboursez au "
      "plus le plafond ou justifiez le dépassement.")


def settings(**levels):
    return load_settings(environ={}, overrides={"check": {"rules": {**OTHERS_OFF, **levels}}})


def tabs():
    return make_tabs(
        missions=[
            {"N° mission": "M1", "Salarié": "S0001", "Statut": "Confirmée", "Contrat": "Signé"},
            {"N° mission": "M2", "Date": "31/02/2026"},
            {"N° mission": "M3", "Marque": "Nestlé", "Date": "02/12/2026"},
        ],
        expenses=[
            {"N° note": "N1", "N° mission": "M1"},
            {"N° note": "N2", "N° mission": "M1", "Montant": "25,00", "Justificatif": "non"},
        ],
    )


def run(backend, now=NOW, config=None):
    outcome = run_region(config or settings(), Region("T"), [("check", check_step)], now,
                         workbook=Workbook(backend))
    assert not outcome.error, outcome.trace
    return outcome


def step_again(backend, now=NOW, config=None):
    data = Workbook(backend).load()
    return check_step(data, JobContext(config or settings(), Region("T"), now, carried=list(data.findings)))


def test_anomalies_rows_exact_and_error_cells_highlighted():
    backend = MemoryBackend(tabs())
    outcome = run(backend)
    assert backend.tabs["Anomalies"] == [
        HEADER,
        ["erreur", "donnees.cellule_illisible", "Missions", "Missions!G3", "M2", G3, dt.date(2026, 11, 27)],
        ["erreur", "donnees.marque_inconnue", "Missions", "Missions!C4", "M3", C4, dt.date(2026, 11, 27)],
        ["alerte", "frais.justificatif_manquant", "Notes de frais", "Notes de frais!H3", "N2", H3, dt.date(2026, 11, 27)],
        ["alerte", "frais.repas_plafond", "Notes de frais", "Notes de frais!F3", "N2", F3, dt.date(2026, 11, 27)],
    ]
    assert backend.fills["Missions"] == {(3, 7): COLOR_ERROR, (4, 3): COLOR_ERROR}
    assert backend.fills["Notes de frais"] == {}
    [result] = outcome.results
    assert result.summary == [("Erreurs", 2), ("Alertes", 2)]
    assert result.tables[0].rows == [
        ["donnees.cellule_illisible", "erreur", 1], ["donnees.marque_inconnue", "erreur", 1],
        ["frais.justificatif_manquant", "alerte", 1], ["frais.repas_plafond", "alerte", 1]]
    assert result.needs_attention and outcome.attention()


def test_a_second_run_changes_nothing():
    backend = MemoryBackend(tabs())
    run(backend)
    writes = backend.writes
    assert step_again(backend).changes.is_empty()
    run(backend, now=NOW + dt.timedelta(hours=3))
    assert backend.writes == writes


def test_fixed_causes_lose_their_row_and_highlight_and_others_keep_their_date():
    backend = MemoryBackend(tabs())
    run(backend)
    missions = backend.tabs["Missions"]
    missions[2][6] = "30/11/2026"  # M2's date fixed
    missions[3][2] = "Lindt"  # M3's brand fixed
    missions[1][12] = ""  # M1's contract emptied: a new alert
    run(backend, now=NOW + dt.timedelta(days=1))
    assert backend.fills["Missions"] == {}
    rows = backend.tabs["Anomalies"]
    assert [(r[0], r[1], r[3], r[6].strftime("%d/%m/%Y")) for r in rows[1:]] == [
        ("alerte", "contrat.a_envoyer", "Missions!M2", "28/11/2026"),
        ("alerte", "planning.sans_salarie", "Missions!K3", "28/11/2026"),
        ("alerte", "frais.justificatif_manquant", "Notes de frais!H3", "27/11/2026"),
        ("alerte", "frais.repas_plafond", "Notes de frais!F3", "27/11/2026"),
    ]


def test_detected_on_written_as_text_by_earlier_versions_is_kept_as_a_date():
    backend = MemoryBackend(tabs())
    run(backend)
    for row in backend.tabs["Anomalies"][1:]:
        row[6] = "20/11/2026"  # what versions before the date cells wrote
    backend.tabs["Anomalies"][1][6] = "n'importe quoi"
    run(backend, now=NOW + dt.timedelta(days=1))
    firsts = [r[6] for r in backend.tabs["Anomalies"][1:]]
    assert firsts[0] == dt.date(2026, 11, 28)  # unreadable: seen today
    assert firsts[1:] == [dt.date(2026, 11, 20)] * (len(firsts) - 1)
    writes = backend.writes
    run(backend, now=NOW + dt.timedelta(days=1, hours=2))
    assert backend.writes == writes


def test_config_turns_a_rule_off_and_overrides_a_severity():
    backend = MemoryBackend(tabs())
    config = settings(**{"donnees.marque_inconnue": "off", "frais.repas_plafond": "erreur"})
    run(backend, config=config)
    assert [(r[0], r[1]) for r in backend.tabs["Anomalies"][1:]] == [
        ("erreur", "donnees.cellule_illisible"),
        ("erreur", "frais.repas_plafond"),
        ("alerte", "frais.justificatif_manquant"),
    ]
    assert backend.fills["Missions"] == {(3, 7): COLOR_ERROR}
    assert backend.fills["Notes de frais"] == {(3, 6): COLOR_ERROR}


def test_only_alerts_do_not_need_attention():
    backend = MemoryBackend(make_tabs(missions=[{"Salarié": "S0001", "Statut": "Confirmée",
                                                 "Contrat": ""}]))
    [result] = run(backend).results
    assert [(f.severity, f.rule) for f in result.findings] == [("alerte", "contrat.a_envoyer")]
    assert not result.needs_attention and not result.attention()


def test_carried_findings_are_included_once():
    backend = MemoryBackend(tabs())
    data = Workbook(backend).load()
    other = Finding("presence.appel_inconnu", "alerte", "Missions", "", "", "Appel du 06 12 34 56 78 non rattaché.")
    ctx = JobContext(settings(), Region("T"), NOW, carried=list(data.findings) + [other, other])
    result = check_step(data, ctx)
    assert [f.rule for f in result.findings].count("donnees.cellule_illisible") == 1
    assert [f.rule for f in result.findings].count("presence.appel_inconnu") == 1


def test_unknown_rule_in_config_is_reported_not_fatal():
    config = settings(**{"frais.inexistante": "off"})
    [result] = run(MemoryBackend(tabs()), config=config).results
    assert ("Règles inconnues dans check.rules (ignorées) :", "frais.inexistante") in result.summary


@pytest.mark.parametrize("levels, expected", [
    ({}, [("r.a", "erreur"), ("r.b", "alerte")]),
    ({"r.a": "off"}, [("r.b", "alerte")]),
    ({"r.a": "alerte", "r.b": "erreur"}, [("r.a", "alerte"), ("r.b", "erreur")]),
])
def test_configure(levels, expected):
    found = [Finding("r.a", "erreur", "Missions", "Missions!A2", "M1", "x"),
             Finding("r.b", "alerte", "Missions", "Missions!A3", "M2", "y")]
    assert [(f.rule, f.severity) for f in configure(found, levels)] == expected
