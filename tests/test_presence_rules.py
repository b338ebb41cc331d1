"""Check rule presence.manquante: a mission of today still « Manquante »."""
import datetime as dt

import pytest

from tests.rules_support import rule_by_id, run_rule

TODAY = dt.datetime(2026, 11, 29, 10, 0)  # the factories' missions are on 29/11/2026


@pytest.mark.parametrize("cells, now, cells_found", [
    ({"Présence": "Manquante"}, TODAY, ["Missions!V2"]),
    ({"Présence": "manquante "}, TODAY, ["Missions!V2"]),
    ({"Présence": "Manquante"}, dt.datetime(2026, 11, 30, 10), []),  # not today any more
    ({"Présence": "En retard"}, TODAY, []),
    ({"Présence": "Excusée"}, TODAY, []),
    ({"Présence": ""}, TODAY, []),
])
def test_missing_today(cells, now, cells_found):
    findings = run_rule("presence.manquante", now=now,
                        missions=[{"Salarié": "S0001", "Statut": "Confirmée", **cells}])
    assert [f.cell for f in findings] == cells_found
    assert all(f.severity == "erreur" and f.column == "Présence" for f in findings)


def test_message_says_who_and_what_to_do():
    [finding] = run_rule("presence.manquante", now=TODAY, missions=[
        {"N° mission": "M7", "Salarié": "S0001", "Statut": "Confirmée", "Présence": "Manquante"}])
    assert finding.message == (
        "Missions!V2 : mission M7 du jour (début 09:00) : S0001 Léa Martin n'a pas confirmé sa "
        "présence. Appelez le salarié au 06 12 34 56 78 puis notez le résultat dans « Présence ».")
    assert finding.key == "M7" and finding.tab == "Missions"


def test_the_rule_is_registered_with_a_french_explanation():
    rule = rule_by_id("presence.manquante")
    assert (rule.tab, rule.severity) == ("Missions", "erreur")
    assert rule.doc.startswith("Une mission du jour a la présence « Manquante »")
