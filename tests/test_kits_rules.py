"""Kit check rules: one table per rule (fires / does not fire), exact cell and message."""
import datetime as dt

import pytest

from backoffice.settings import load_settings
from rules.kit_rules import kit_not_delivered, kit_not_returned, kit_order_to_correct
from rules.registry import RuleContext, all_rules
from sheets_sync import MemoryBackend, Workbook
from tests.factories import make_tabs

NOW = dt.datetime(2026, 11, 10, 8, 0)  # a Tuesday
SETTINGS = load_settings(environ={})
BASE = {"N° mission": "M1", "Kit": "KIT-A", "Salarié": "S0001", "Statut": "Confirmée",
        "Date": "12/11/2026", "Kit statut": "Commandé", "N° commande kit": "K-IDF-M1"}
ORDER = {"K-IDF-M1": {"mission": "M1", "employee": "S0001", "date": "2026-11-12", "kit": "KIT-A",
                      "ordered_at": "2026-11-02 09:00"}}


def context(cells, extra=None):
    data = Workbook(MemoryBackend(make_tabs(missions=[{**BASE, **cells}]))).load()
    assert data.findings == []
    return RuleContext(data, SETTINGS, NOW, kit_orders={} if extra is None else extra)


def test_rules_are_registered():
    ids = {r.id: r.severity for r in all_rules()}
    assert {k: ids[k] for k in ("kit.commande_a_corriger", "kit.non_livre", "kit.non_retourne")} == {
        "kit.commande_a_corriger": "alerte", "kit.non_livre": "erreur", "kit.non_retourne": "alerte"}


@pytest.mark.parametrize("cells, extra, expected", [
    ({}, ORDER, None),
    ({"Salarié": "S0002"}, ORDER,
     ("Missions!K2", "Missions!K2 : commande kit à corriger : la commande K-IDF-M1 a été passée pour "
      "S0001, mission du 12/11/2026 ; la mission est maintenant : S0002, 12/11/2026. Corrigez la "
      "commande auprès du logisticien (destinataire, adresse, date de livraison).")),
    ({"Date": "13/11/2026"}, ORDER,
     ("Missions!G2", "Missions!G2 : commande kit à corriger : la commande K-IDF-M1 a été passée pour "
      "S0001, mission du 12/11/2026 ; la mission est maintenant : S0001, 13/11/2026. Corrigez la "
      "commande auprès du logisticien (destinataire, adresse, date de livraison).")),
    ({"Kit": "KIT-B"}, ORDER,
     ("Missions!J2", "Missions!J2 : commande kit à corriger : la commande K-IDF-M1 a été passée pour "
      "S0001, mission du 12/11/2026, kit « KIT-A » ; la mission est maintenant : S0001, 12/11/2026, "
      "kit « KIT-B ». Corrigez la commande auprès du logisticien (destinataire, adresse, date de "
      "livraison).")),
    ({"Salarié": "S0002"}, {}, None),  # no order memory: the rule cannot tell
    ({"Salarié": "S0002", "Statut": "Annulée"}, ORDER, None),
    ({"Salarié": "S0002", "Kit statut": "Retourné"}, ORDER, None),
    ({"Salarié": "S0002", "N° commande kit": "K-IDF-M7"}, ORDER, None),
    ({"N° mission": "M2", "Salarié": "S0002"}, ORDER, None),  # order made for another mission
])
def test_order_to_correct(cells, extra, expected):
    found = kit_order_to_correct(context(cells, extra))
    assert [(f.cell, f.message) for f in found] == ([expected] if expected else [])
    assert all(f.rule == "kit.commande_a_corriger" and f.severity == "alerte" for f in found)


@pytest.mark.parametrize("cells, expected", [
    ({"Date": "10/11/2026", "Kit statut": "Expédié", "N° suivi": "1Z9"},
     "Missions!S2 : la mission M1 commence aujourd'hui (10/11/2026) et son kit « KIT-A » n'est pas "
     "livré (statut « Expédié », suivi 1Z9). Relancez le logisticien ou organisez une remise en main "
     "propre, puis passez le statut à « Livré »."),
    ({"Date": "11/11/2026", "Kit statut": ""},
     "Missions!S2 : la mission M1 commence demain (11/11/2026) et son kit « KIT-A » n'est pas "
     "livré (aucun Kit statut). Relancez le logisticien ou organisez une remise en main "
     "propre, puis passez le statut à « Livré »."),
    ({"Date": "11/11/2026", "Kit statut": "Livré"}, None),
    ({"Date": "12/11/2026"}, None),  # the day after tomorrow
    ({"Date": "09/11/2026"}, None),  # yesterday
    ({"Date": "11/11/2026", "Kit": ""}, None),
    ({"Date": "11/11/2026", "Statut": "Annulée"}, None),
])
def test_not_delivered(cells, expected):
    found = kit_not_delivered(context(cells))
    assert [f.message for f in found] == ([expected] if expected else [])
    assert all(f.severity == "erreur" and f.column == "Kit statut" for f in found)


@pytest.mark.parametrize("cells, expected", [
    ({"Statut": "Réalisée", "Date": "03/11/2026", "Kit statut": "Livré"},
     "Missions!S2 : le kit « KIT-A » de la mission du 03/11/2026 n'est pas retourné 7 jours après "
     "(statut « Livré »). Relancez S0001 pour le renvoi au logisticien."),
    ({"Statut": "Réalisée", "Date": "04/11/2026", "Kit statut": "Livré"}, None),  # 6 days
    ({"Statut": "Réalisée", "Date": "01/11/2026", "Kit statut": "Retourné"}, None),
    ({"Statut": "Réalisée", "Date": "01/11/2026", "Kit statut": ""}, None),  # never sent by the partner
    ({"Statut": "Confirmée", "Date": "01/11/2026", "Kit statut": "Livré"}, None),
    ({"Statut": "Réalisée", "Date": "01/11/2026", "Kit statut": "Expédié", "Kit": ""}, None),
])
def test_not_returned(cells, expected):
    found = kit_not_returned(context(cells))
    assert [f.message for f in found] == ([expected] if expected else [])
    assert all(f.severity == "alerte" for f in found)
