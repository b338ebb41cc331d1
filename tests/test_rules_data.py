"""Data rules: reader findings documented as rules, bad references, Fin after Début."""
import pytest

from tests.rules_support import run_rule, where

E = "erreur"


@pytest.mark.parametrize("rule_id, tabs, expected", [
    # the reader's findings come back under their rule
    ("donnees.cellule_illisible", {"missions": [{"Date": "31/02/2026"}]}, [(E, "Missions!G2")]),
    ("donnees.cellule_illisible", {"employees": [{"Téléphone": "12"}]}, [(E, "Salariés!D2")]),
    ("donnees.cellule_illisible", {"expenses": [{"Montant": "douze"}]}, [(E, "Notes de frais!F2")]),
    ("donnees.cellule_illisible", {"stores": [{"Code postal": "750"}]}, [(E, "Magasins!E2")]),
    ("donnees.cellule_illisible", {"employees": [{"Email": "lea@"}]}, [(E, "Salariés!E2")]),
    ("donnees.cellule_illisible", {"missions": [{"Début": "9h75"}]}, [(E, "Missions!H2")]),
    ("donnees.cellule_illisible", {}, []),
    ("donnees.champ_obligatoire", {"missions": [{"Code magasin": ""}]}, [(E, "Missions!D2")]),
    ("donnees.champ_obligatoire", {}, []),
    ("donnees.cle_en_double", {"missions": [{"N° mission": "M1"}, {"N° mission": "M1"}]},
     [(E, "Missions!A2"), (E, "Missions!A3")]),
    ("donnees.cle_en_double", {"missions": [{"N° mission": "M1"}, {"N° mission": "M2"}]}, []),
    # Fin after Début
    ("donnees.fin_avant_debut", {"missions": [{"Début": "17:00", "Fin": "09:00"}]}, [(E, "Missions!I2")]),
    ("donnees.fin_avant_debut", {"missions": [{"Début": "09:00", "Fin": "09:00"}]}, [(E, "Missions!I2")]),
    ("donnees.fin_avant_debut", {"missions": [{"Début": "09:00", "Fin": "09:01"}]}, []),
    # references
    ("donnees.marque_inconnue", {"missions": [{"Marque": "Nestlé"}]}, [(E, "Missions!C2")]),
    ("donnees.marque_inconnue", {"missions": [{"Marque": "lindt"}]}, [(E, "Missions!C2")]),
    ("donnees.marque_inconnue", {}, []),
    ("donnees.magasin_inconnu", {"missions": [{"Code magasin": "C999"}]}, [(E, "Missions!D2")]),
    ("donnees.magasin_inconnu", {}, []),
    ("donnees.salarie_inconnu", {"missions": [{"Salarié": "S0999"}]}, [(E, "Missions!K2")]),
    ("donnees.salarie_inconnu", {"missions": [{"Salarié": ""}]}, []),
    ("donnees.salarie_inconnu", {"missions": [{"Salarié": "S0001"}]}, []),
    # a Salarié whose row is unreadable still exists (its own finding says what is wrong)
    ("donnees.salarie_inconnu", {"missions": [{"Salarié": "S0001"}], "employees": [{"Téléphone": "12"}]}, []),
    ("donnees.salarie_inactif", {"missions": [{"Salarié": "S0001"}], "employees": [{"Statut": "Inactif"}]},
     [(E, "Missions!K2")]),
    ("donnees.salarie_inactif", {"missions": [{"Salarié": "S0001", "Statut": "Annulée"}],
                                 "employees": [{"Statut": "Inactif"}]}, []),
    ("donnees.salarie_inactif", {"missions": [{"Salarié": "S0001", "Date": "20/11/2026"}],
                                 "employees": [{"Statut": "Inactif"}]}, []),  # past: history
    ("donnees.salarie_inactif", {"missions": [{"Salarié": "S0001"}]}, []),
])
def test_data_rules(rule_id, tabs, expected):
    findings = run_rule(rule_id, **tabs)
    assert where(findings) == expected
    assert all(f.rule == rule_id for f in findings)


def test_messages_name_the_cell_and_what_to_do():
    [f] = run_rule("donnees.fin_avant_debut", missions=[{"Début": "17:00", "Fin": "09:00"}])
    assert (f.tab, f.key, f.column) == ("Missions", "M0001", "Fin")
    assert f.message == ("Missions!I2 : fin 09:00 avant le début 17:00 : lue comme le lendemain, la mission durerait "
                         "16 h. Corrigez Début ou Fin (une mission de nuit, 21:00–01:00, est acceptée).")
    [f] = run_rule("donnees.marque_inconnue", missions=[{"Marque": "lindt"}])
    assert f.message == ("Missions!C2 : marque « lindt » n'existe pas dans l'onglet Marques "
                         "(vouliez-vous « Lindt » ?). Corrigez la cellule ou ajoutez la ligne "
                         "manquante dans Marques.")
    [f] = run_rule("donnees.salarie_inactif", missions=[{"Salarié": "S0001"}],
                   employees=[{"Statut": "Inactif"}])
    assert f.message == ("Missions!K2 : S0001 (Léa Martin) est « Inactif » dans Salariés mais "
                         "affecté(e) à cette mission du 29/11/2026. Affectez un salarié actif ou "
                         "réactivez la fiche.")
    [f] = run_rule("donnees.salarie_inconnu", missions=[{"Salarié": "S0999"}])
    assert f.message.startswith("Missions!K2 : matricule « S0999 » n'existe pas dans l'onglet Salariés.")


def test_duplicate_key_names_both_cells():
    findings = run_rule("donnees.cle_en_double", missions=[{"N° mission": "M1"}, {"N° mission": "M1"}])
    assert all("(Missions!A2, Missions!A3)" in f.message for f in findings)
