"""Expense rules: amounts, meal ceiling, mileage, receipts, mission, duplicates, delay."""
import pytest

from tests.rules_support import run_rule, staffed, where

E, A = "erreur", "alerte"
WORKED = [staffed()]  # M0001 on 29/11/2026, worked by S0001
HOME = {"Latitude": 48.0, "Longitude": 2.0}
STORE = {"Latitude": 48.1, "Longitude": 2.0}  # 11.1 km away: round trip 22.2 km, x1.3 = 28.9 km


def km(amount, kms, **cells):
    return {"Catégorie": "km", "Montant": amount, "Km": kms, "Justificatif": "non", **cells}


@pytest.mark.parametrize("rule_id, tabs, expected", [
    ("frais.montant_invalide", {"expenses": [{"Montant": "0"}]}, [(E, "Notes de frais!F2")]),
    ("frais.montant_invalide", {"expenses": [{"Montant": "-5,00"}]}, [(E, "Notes de frais!F2")]),
    ("frais.montant_invalide", {"expenses": [{"Montant": "0", "Statut": "Refusée"}]}, []),
    ("frais.montant_invalide", {"expenses": [{}]}, []),
    ("frais.repas_plafond", {"expenses": [{"Montant": "21,41"}]}, [(A, "Notes de frais!F2")]),
    ("frais.repas_plafond", {"expenses": [{"Montant": "21,40 €"}]}, []),
    ("frais.repas_plafond", {"expenses": [{"Catégorie": "Repas", "Montant": "30"}]}, [(A, "Notes de frais!F2")]),
    ("frais.repas_plafond", {"expenses": [{"Catégorie": "transport", "Montant": "30"}]}, []),
    # the sector's minimum: 0,29 €/km from 1 March 2025, 0,28 € before (the note's Date, 29/11/2026 by default)
    ("frais.km_montant", {"expenses": [km("29,00", 100)]}, []),
    ("frais.km_montant", {"expenses": [km("28,99", 100)]}, [(E, "Notes de frais!F2")]),
    ("frais.km_montant", {"expenses": [km("5,60", 20)]}, [(E, "Notes de frais!F2")]),  # 0,28 €/km in 2026
    ("frais.km_montant", {"expenses": [km("7,00", 20)]}, []),  # 0,35 €/km: above the minimum
    ("frais.km_montant", {"expenses": [km("28,00", 100, Date="28/02/2025")]}, []),  # 0,28 € before 1/3/2025
    ("frais.km_montant", {"expenses": [km("28,00", 100, Date="01/03/2025")]}, [(E, "Notes de frais!F2")]),
    ("frais.km_montant", {"expenses": [km("10", "")]}, [(E, "Notes de frais!F2")]),
    ("frais.km_montant", {"expenses": [km("10", 100)]}, [(E, "Notes de frais!F2")]),
    # URSSAF's scale of the employee's car: above it, the excess is taxable (alerte)
    ("frais.km_bareme", {"expenses": [km("69,70", 100)]}, []),  # unknown power: the highest rate, 0,697
    ("frais.km_bareme", {"expenses": [km("69,71", 100)]}, [(A, "Notes de frais!F2")]),
    ("frais.km_bareme", {"employees": [{"Puissance fiscale": 4}], "expenses": [km("60,60", 100)]}, []),
    ("frais.km_bareme", {"employees": [{"Puissance fiscale": 4}], "expenses": [km("60,61", 100)]},
     [(A, "Notes de frais!F2")]),
    ("frais.km_bareme", {"employees": [{"Puissance fiscale": 9}], "expenses": [km("69,70", 100)]}, []),  # 7 CV+
    ("frais.km_bareme", {"employees": [{"Puissance fiscale": 2}], "expenses": [km("52,91", 100)]},
     [(A, "Notes de frais!F2")]),  # below the table: 3 CV
    # meals: a flat allowance (forfait) has the ceiling and no receipt; a meal at cost (réel) the receipt, no ceiling
    ("frais.repas_plafond", {"expenses": [{"Montant": "25,00", "Mode": "réel"}]}, []),
    ("frais.repas_plafond", {"expenses": [{"Montant": "25,00", "Mode": "forfait"}]}, [(A, "Notes de frais!F2")]),
    ("frais.justificatif_manquant", {"expenses": [{"Montant": "7,50", "Mode": "forfait", "Justificatif": "non"}]}, []),
    ("frais.justificatif_manquant", {"expenses": [{"Montant": "25,00", "Mode": "Réel", "Justificatif": "non"}]},
     [(A, "Notes de frais!H2")]),
    ("frais.km_distance", {"missions": WORKED, "employees": [HOME], "stores": [STORE],
                           "expenses": [km("8", 28)]}, []),
    ("frais.km_distance", {"missions": WORKED, "employees": [HOME], "stores": [STORE],
                           "expenses": [km("8", 30)]}, [(A, "Notes de frais!G2")]),
    ("frais.km_distance", {"missions": WORKED, "employees": [HOME], "stores": [{"Latitude": ""}],
                           "expenses": [km("8", 300)]}, []),  # unknown store position: skipped
    ("frais.km_distance", {"missions": WORKED, "employees": [HOME], "stores": [STORE],
                           "expenses": [km("8", 300, **{"N° mission": "M9"})]}, []),
    ("frais.justificatif_manquant", {"expenses": [{"Justificatif": "non"}]}, [(A, "Notes de frais!H2")]),
    ("frais.justificatif_manquant", {"expenses": [{"Justificatif": ""}]}, [(A, "Notes de frais!H2")]),
    ("frais.justificatif_manquant", {"expenses": [{"Catégorie": "transport", "Justificatif": "non"}]},
     [(A, "Notes de frais!H2")]),
    ("frais.justificatif_manquant", {"expenses": [{"Catégorie": "Hébergement", "Justificatif": "non"}]},
     [(A, "Notes de frais!H2")]),
    ("frais.justificatif_manquant", {"expenses": [{"Catégorie": "autre", "Justificatif": "non"}]}, []),
    ("frais.justificatif_manquant", {"expenses": [km("2,90", 10)]}, []),
    ("frais.justificatif_manquant", {"expenses": [{"Justificatif": "oui"}]}, []),
    ("frais.mission_non_travaillee", {"missions": WORKED}, []),
    ("frais.mission_non_travaillee", {"missions": WORKED, "expenses": [{"N° mission": ""}]},
     [(E, "Notes de frais!C2")]),
    ("frais.mission_non_travaillee", {"missions": WORKED, "expenses": [{"N° mission": "M9"}]},
     [(E, "Notes de frais!C2")]),
    ("frais.mission_non_travaillee", {"missions": [staffed(Salarié="")]}, [(E, "Notes de frais!C2")]),
    ("frais.mission_non_travaillee", {"missions": [staffed(Statut="Annulée")]}, [(E, "Notes de frais!C2")]),
    ("frais.mission_non_travaillee", {"missions": [staffed(Date="31/02/2026")]}, []),  # unreadable row
    ("frais.doublon", {"expenses": [{"N° note": "N1"}, {"N° note": "N2"}]},
     [(A, "Notes de frais!F2"), (A, "Notes de frais!F3")]),
    ("frais.doublon", {"expenses": [{"N° note": "N1"}, {"N° note": "N2", "Montant": "15,01"}]}, []),
    ("frais.doublon", {"expenses": [{"N° note": "N1"}, {"N° note": "N2", "Catégorie": "transport"}]}, []),
    ("frais.doublon", {"expenses": [{"N° note": "N1"}, {"N° note": "N2", "Date": "30/11/2026"}]}, []),
    ("frais.recu_tardif", {"missions": WORKED, "expenses": [{"Reçue le": "29/12/2026"}]}, []),
    ("frais.recu_tardif", {"missions": WORKED, "expenses": [{"Reçue le": "30/12/2026"}]},
     [(A, "Notes de frais!J2")]),
    ("frais.recu_tardif", {"missions": [], "expenses": [{"Date": "01/11/2026", "Reçue le": "05/12/2026"}]},
     [(A, "Notes de frais!J2")]),
    ("frais.recu_tardif", {"missions": WORKED, "expenses": [{"Reçue le": ""}]}, []),
])
def test_expense_rules(rule_id, tabs, expected):
    findings = run_rule(rule_id, **tabs)
    assert where(findings) == expected
    assert all(f.rule == rule_id for f in findings)


@pytest.mark.parametrize("rule_id, tabs, message", [
    ("frais.montant_invalide", {"expenses": [{"Montant": "-5,00"}]},
     "Notes de frais!F2 : montant -5,00 € : il doit être positif. Corrigez le montant ou supprimez la ligne."),
    ("frais.repas_plafond", {"expenses": [{"Montant": "21,41"}]},
     "Notes de frais!F2 : repas de 21,41 €, au-dessus du plafond URSSAF de 21,40 €. Remboursez au plus "
     "le plafond ou justifiez le dépassement."),
    ("frais.km_montant", {"expenses": [km("28,99", 100)]},
     "Notes de frais!F2 : indemnité km de 28,99 € pour 100 km : au moins 29,00 € dus au taux de la branche "
     "(0,29 €/km au 29/11/2026). Complétez le remboursement ou corrigez les Km."),
    ("frais.km_bareme", {"employees": [{"Puissance fiscale": 4}], "expenses": [km("70,00", 100)]},
     "Notes de frais!F2 : indemnité km de 70,00 € pour 100 km, au-dessus du barème URSSAF (0,606 €/km, 4 CV, soit "
     "60,60 €) : l'excédent est imposable. Vérifiez le montant ou déclarez l'excédent en paie."),
    ("frais.km_distance", {"missions": WORKED, "employees": [HOME], "stores": [STORE], "expenses": [km("8", 30)]},
     "Notes de frais!G2 : 30 km déclarés alors que l'aller-retour domicile → magasin C001 fait environ "
     "22 km (tolérance × 1,3). Vérifiez le trajet avec le salarié."),
    ("frais.justificatif_manquant", {"expenses": [{"Justificatif": "non"}]},
     "Notes de frais!H2 : dépense « repas » de 15,00 € sans justificatif. Demandez le justificatif au "
     "salarié puis mettez « oui »."),
    ("frais.mission_non_travaillee", {"missions": [staffed(Salarié="S0002")],
                                      "employees": [{}, {"Matricule": "S0002", "Prénom": "Marc", "Nom": "Petit",
                                                         "Téléphone": "06 12 34 56 79"}]},
     "Notes de frais!C2 : la mission M0001 est affectée à S0002 (Marc Petit), pas à S0001 (Léa Martin). "
     "Refusez la note ou corrigez le N° mission."),
    ("frais.recu_tardif", {"missions": WORKED, "expenses": [{"Reçue le": "30/12/2026"}]},
     "Notes de frais!J2 : note reçue le 30/12/2026, 31 jours après la mission du 29/11/2026 (délai : 30 "
     "jours). Vérifiez avec votre responsable avant de la rembourser."),
])
def test_expense_messages(rule_id, tabs, message):
    [finding] = run_rule(rule_id, **tabs)
    assert finding.message == message


def test_duplicate_names_the_other_cells():
    f1, f2 = run_rule("frais.doublon", expenses=[{"N° note": "N1"}, {"N° note": "N2"}])
    assert f1.message == ("Notes de frais!F2 : même salarié (S0001), même date (29/11/2026), même "
                          "catégorie (repas) et même montant (15,00 €) que N2 (Notes de frais!F3). "
                          "Vérifiez qu'il ne s'agit pas d'un doublon et supprimez-le le cas échéant.")
    assert "que N1 (Notes de frais!F2)" in f2.message


@pytest.mark.parametrize("line, message", [
    ({"Montant": "21,41"}, "repas de 21,41 €, au-dessus du plafond URSSAF de 21,40 €."),
    ({"Montant": "21,20", "Date": "15/06/2025"}, "repas de 21,20 €, au-dessus du plafond URSSAF de 21,10 €."),
    ({"Montant": "21,20"}, None),  # 2026: within 21,40 €
    ({"Montant": "8,00", "Type repas": "sur place"}, "repas (sur place) de 8,00 €, au-dessus du plafond URSSAF de 7,50 €."),
    ({"Montant": "10,35", "Type repas": "Extérieur", "Date": "15/06/2025"},
     "repas (Extérieur) de 10,35 €, au-dessus du plafond URSSAF de 10,30 €."),
    ({"Montant": "10,35", "Type repas": "extérieur"}, None),  # 2026: 10,40 €
    ({"Montant": "20,00", "Date": "15/06/2024"}, None),  # before the table: its first year (21,10 €)
])
def test_the_meal_ceiling_of_the_year_and_the_type(line, message):
    found = run_rule("frais.repas_plafond", expenses=[line])
    assert [f.message.split(" : ", 1)[1].split(" Remboursez")[0] for f in found] == ([message] if message else [])
    assert all(f.cell == "Notes de frais!F2" for f in found)
