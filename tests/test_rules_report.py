"""Activity report rule: a worked mission without CR reçu after 3 days."""
import pytest

from tests.rules_support import run_rule, staffed, where

A = "alerte"


@pytest.mark.parametrize("mission, expected", [
    (staffed(Statut="Réalisée", Date="24/11/2026"), [(A, "Missions!N2")]),
    (staffed(Statut="Réalisée", Date="25/11/2026"), []),  # 2 days: not yet
    (staffed(Statut="Réalisée", Date="24/11/2026", **{"CR reçu": "25/11/2026"}), []),
    (staffed(Date="20/11/2026", Présence="Confirmée"), [(A, "Missions!N2")]),
    (staffed(Date="20/11/2026", Présence="En retard"), [(A, "Missions!N2")]),
    (staffed(Date="20/11/2026", Présence="Manquante"), []),
    (staffed(Date="20/11/2026", Présence=""), []),
    (staffed(Date="20/11/2026", Présence="Confirmée", Statut="Annulée"), []),
])
def test_report_rule(mission, expected):
    findings = run_rule("rapport.cr_manquant", missions=[mission])
    assert where(findings) == expected
    assert all(f.rule == "rapport.cr_manquant" and f.column == "CR reçu" for f in findings)


def test_report_message():
    [f] = run_rule("rapport.cr_manquant", missions=[staffed(Statut="Réalisée", Date="24/11/2026")])
    assert f.message == ("Missions!N2 : aucun compte rendu reçu pour la mission du 24/11/2026 de S0001 "
                         "(Léa Martin) (3 jours après). Relancez le salarié puis notez la date de "
                         "réception dans CR reçu.")
