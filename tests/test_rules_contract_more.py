"""The contract still unsigned when the mission starts; the CDI intermittent beyond 500 h."""
import datetime as dt

import pytest

from backoffice.settings import load_settings
from rules.mandates import store_label
from tests.rules_support import run_rule, staffed

NOW = dt.datetime(2026, 11, 27, 10, 0)  # Friday 10:00


@pytest.mark.parametrize("mission, expected", [
    ({"Date": "27/11/2026", "Début": "09:00", "Contrat": "Envoyé"},
     [("Missions!M2", "la mission de S0001 (Léa Martin) a commencé le 27/11/2026 à 09:00 et son contrat est "
                      "« Envoyé », pas signé. Faites-le signer aujourd'hui et passez Contrat à « Signé ».")]),
    ({"Date": "27/11/2026", "Début": "11:00", "Contrat": "Envoyé"}, []),  # not started yet
    ({"Date": "27/11/2026", "Début": "09:00", "Contrat": "Signé"}, []),
    ({"Date": "20/11/2026", "Début": "09:00", "Contrat": "Envoyé"}, []),  # past the delay: contrat.non_signe
    ({"Date": "27/11/2026", "Début": "09:00", "Contrat": "Envoyé", "Statut": "Annulée"}, []),
])
def test_a_contract_unsigned_when_the_mission_starts(mission, expected):
    found = run_rule("contrat.non_signe_au_depart", NOW, missions=[staffed(**mission)])
    assert [(f.cell, f.message.split(" : ", 1)[1]) for f in found] == expected
    assert all(f.severity == "erreur" for f in found)


def worked(days, start="08:00", end="18:00"):
    base = dt.date(2026, 11, 26)
    return [staffed(**{"N° mission": f"M{k}", "Date": f"{base - dt.timedelta(days=k):%d/%m/%Y}", "Début": start,
                       "Fin": end, "Statut": "Réalisée"}) for k in range(days)]


@pytest.mark.parametrize("missions, expected", [
    # 08:00–17:51 is 9 h 51 less 20 min of break plus 30 min of preparation: 10 h 01; 50 days: 500 h 50
    (worked(50, end="17:51"), [("Salariés!A2", "S0001 (Léa Martin) a travaillé 500 h 50 sur les 12 derniers mois "
                                               "(plus de 500 h) : proposez-lui un CDI intermittent.")]),
    (worked(50, end="17:50"), []),  # exactly 500 h: « supérieur à 500 heures » only
    (worked(50, end="17:51")[:49] + [staffed(**{"N° mission": "X", "Date": "01/11/2025", "Début": "08:00",
                                                "Fin": "18:00", "Statut": "Réalisée"})], []),  # last year's November
])
def test_a_cdi_intermittent_is_due_beyond_500_hours(missions, expected):
    found = run_rule("contrat.cdi_intermittent", NOW, missions=missions)
    assert [(f.cell, f.message.split(" : ", 1)[1]) for f in found] == expected


def test_the_threshold_is_a_setting():
    settings = load_settings(environ={}, overrides={"check": {"intermittent_hours": 100}})
    assert len(run_rule("contrat.cdi_intermittent", NOW, settings, missions=worked(10))) == 1


@pytest.mark.parametrize("chain, name, label", [
    ("Leclerc", "E.Leclerc Saint-Grégoire", "E.Leclerc Saint-Grégoire"),
    ("E.Leclerc", "Leclerc Saint-Grégoire", "Leclerc Saint-Grégoire"),
    ("Carrefour", "Carrefour République", "Carrefour République"),
    ("Carrefour", "Market Bastille", "Carrefour Market Bastille"),
    ("", "Épicerie du coin", "Épicerie du coin"),
])
def test_the_store_name_never_repeats_its_chain(chain, name, label):
    assert store_label(chain, name) == label
