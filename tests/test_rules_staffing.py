"""Staffing rules: training, medical check, overlaps, daily/weekly load, rest, unstaffed."""
import pytest

from tests.rules_support import run_rule, staffed, where

E, A = "erreur", "alerte"


def week(days, start="07:00", end="17:00", first=23):
    """Staffed missions M1.. on consecutive days from ``first``/11/2026 (Monday 23)."""
    return [staffed(**{"N° mission": f"M{i + 1}", "Date": f"{first + i}/11/2026", "Début": start, "Fin": end})
            for i in range(days)]


@pytest.mark.parametrize("rule_id, tabs, expected", [
    ("planning.non_forme", {"missions": [staffed()]}, []),
    ("planning.non_forme", {"missions": [staffed()], "trainings": [{"Marque": "Nestlé"}]}, [(E, "Missions!K2")]),
    ("planning.non_forme", {"missions": [staffed()], "trainings": [{"Valide jusqu'au": "28/11/2026"}]},
     [(E, "Missions!K2")]),
    ("planning.non_forme", {"missions": [staffed()], "trainings": [{"Date": "30/11/2026"}]}, [(E, "Missions!K2")]),
    ("planning.non_forme", {"missions": [staffed()], "trainings": [{"Marque": "LINDT", "Valide jusqu'au": "29/11/2026"}]}, []),
    ("planning.non_forme", {"missions": [staffed(Date="20/11/2026")], "trainings": []}, []),  # past
    ("planning.non_forme", {"missions": [staffed(Statut="Annulée")], "trainings": []}, []),
    ("planning.non_forme", {"missions": [{"Salarié": ""}], "trainings": []}, []),
    ("planning.visite_medicale", {"missions": [staffed()]}, []),
    ("planning.visite_medicale", {"missions": [staffed()], "employees": [{"Visite médicale": "01/11/2024"}]},
     [(E, "Missions!K2")]),
    ("planning.visite_medicale", {"missions": [staffed()], "employees": [{"Visite médicale": "29/11/2024"}]}, []),
    ("planning.visite_medicale", {"missions": [staffed()], "employees": [{"Visite médicale": ""}]},
     [(E, "Missions!K2")]),
    ("planning.visite_medicale", {"missions": [staffed(Statut="Annulée")], "employees": [{"Visite médicale": ""}]}, []),
    ("planning.chevauchement", {"missions": [staffed(**{"N° mission": "M1"}),
                                             staffed(**{"N° mission": "M2", "Début": "16:00", "Fin": "20:00"})]},
     [(E, "Missions!K3")]),
    ("planning.chevauchement", {"missions": [staffed(**{"N° mission": "M1"}),
                                             staffed(**{"N° mission": "M2", "Début": "17:00", "Fin": "20:00"})]}, []),
    ("planning.chevauchement", {"missions": [staffed(**{"N° mission": "M1"}),
                                             staffed(**{"N° mission": "M2", "Début": "16:00", "Statut": "Annulée"})]}, []),
    ("planning.chevauchement", {"missions": [staffed(**{"N° mission": "M1"}),
                                             staffed(**{"N° mission": "M2", "Salarié": "S0002"})],
                                "employees": [{}, {"Matricule": "S0002", "Téléphone": "06 12 34 56 79"}]}, []),
    ("planning.journee_trop_longue", {"missions": [
        staffed(**{"N° mission": "M1", "Début": "08:00", "Fin": "13:00"}),
        staffed(**{"N° mission": "M2", "Début": "14:00", "Fin": "19:30"})]}, [(E, "Missions!K3")]),
    # two contracts of 4 h 30, each with its 30 min of preparation: 10 h, allowed
    ("planning.journee_trop_longue", {"missions": [
        staffed(**{"N° mission": "M1", "Début": "08:00", "Fin": "12:30"}),
        staffed(**{"N° mission": "M2", "Début": "13:30", "Fin": "18:00"})]}, []),
    ("planning.journee_trop_longue", {"missions": [
        staffed(**{"N° mission": "M1", "Début": "08:00", "Fin": "12:30"}),
        staffed(**{"N° mission": "M2", "Début": "13:30", "Fin": "18:01"})]}, [(E, "Missions!K3")]),
    # 07:00–17:00 less 20 min of break plus 30 min of preparation: 10 h 10 a day, 50 h 50 in five
    ("planning.semaine_trop_longue", {"missions": week(5)}, [(E, "Missions!K6")]),
    ("planning.semaine_trop_longue", {"missions": week(4, "07:00", "16:40") + [staffed(**{
        "N° mission": "M5", "Date": "27/11/2026", "Début": "09:00", "Fin": "17:00"})]}, []),  # 4 × 9 h 50 + 8 h 10
    ("planning.semaine_trop_longue", {"missions": week(5, first=16)}, []),  # a past week
    ("planning.trop_de_jours", {"missions": week(7, "09:00", "13:00")}, [(E, "Missions!K8")]),
    ("planning.trop_de_jours", {"missions": week(6, "09:00", "13:00")}, []),
    ("planning.repos_insuffisant", {"missions": [
        staffed(**{"N° mission": "M1", "Date": "28/11/2026", "Début": "14:00", "Fin": "22:00"}),
        staffed(**{"N° mission": "M2", "Date": "29/11/2026", "Début": "07:00", "Fin": "12:00"})]},
     [(E, "Missions!K3")]),
    ("planning.repos_insuffisant", {"missions": [
        staffed(**{"N° mission": "M1", "Date": "28/11/2026", "Début": "14:00", "Fin": "22:00"}),
        staffed(**{"N° mission": "M2", "Date": "29/11/2026", "Début": "09:00", "Fin": "12:00"})]}, []),
    ("planning.sans_salarie", {"missions": [{"Date": "27/11/2026"}]}, [(E, "Missions!K2")]),
    ("planning.sans_salarie", {"missions": [{"Date": "28/11/2026"}]}, [(E, "Missions!K2")]),
    ("planning.sans_salarie", {"missions": [{"Date": "29/11/2026"}]}, [(A, "Missions!K2")]),
    ("planning.sans_salarie", {"missions": [{"Date": "30/11/2026"}]}, [(A, "Missions!K2")]),
    ("planning.sans_salarie", {"missions": [{"Date": "01/12/2026"}]}, []),
    ("planning.sans_salarie", {"missions": [{"Date": "26/11/2026"}]}, []),
    ("planning.sans_salarie", {"missions": [{"Date": "28/11/2026", "Statut": "Annulée"}]}, []),
    ("planning.sans_salarie", {"missions": [staffed(Date="28/11/2026")]}, []),
])
def test_staffing_rules(rule_id, tabs, expected):
    findings = run_rule(rule_id, **tabs)
    assert where(findings) == expected
    assert all(f.rule == rule_id and f.column == "Salarié" for f in findings)


@pytest.mark.parametrize("rule_id, tabs, message", [
    ("planning.non_forme", {"missions": [staffed()], "trainings": [{"Marque": "Nestlé"}]},
     "Missions!K2 : S0001 (Léa Martin) n'est pas formé(e) pour la marque « Lindt » au 29/11/2026. "
     "Ajoutez sa formation dans Formations ou affectez un salarié formé."),
    ("planning.visite_medicale", {"missions": [staffed()], "employees": [{"Visite médicale": "01/11/2024"}]},
     "Missions!K2 : la visite médicale de S0001 (Léa Martin) du 01/11/2024 n'est plus valable le "
     "29/11/2026 (expirée le 01/11/2026, 24 mois). Programmez une visite avant la mission ou affectez "
     "un autre salarié."),
    ("planning.visite_medicale", {"missions": [staffed()], "employees": [{"Visite médicale": ""}]},
     "Missions!K2 : aucune visite médicale enregistrée pour S0001 (Léa Martin). Renseignez la Visite "
     "médicale dans Salariés ou affectez un autre salarié."),
    ("planning.chevauchement", {"missions": [staffed(**{"N° mission": "M1"}),
                                             staffed(**{"N° mission": "M2", "Début": "16:00", "Fin": "20:00"})]},
     "Missions!K3 : S0001 (Léa Martin) est aussi affecté(e) à la mission M1 (Missions!K2) le 29/11/2026 "
     "de 09:00 à 17:00, qui chevauche celle-ci. Affectez un autre salarié à l'une des deux."),
    ("planning.journee_trop_longue", {"missions": [
        staffed(**{"N° mission": "M1", "Début": "08:00", "Fin": "13:00"}),
        staffed(**{"N° mission": "M2", "Début": "14:00", "Fin": "19:30"})]},
     "Missions!K3 : S0001 (Léa Martin) travaillerait 11 h 30 le 29/11/2026 (missions M1, M2 ; pauses déduites, "
     "préparation comprise), plus que les 10 h autorisées par jour. Retirez-lui une mission ou raccourcissez les horaires."),
    ("planning.semaine_trop_longue", {"missions": week(5)},
     "Missions!K6 : S0001 (Léa Martin) travaillerait 50 h 50 la semaine 48 de 2026 (missions M1, M2, M3, "
     "M4, M5), plus que les 48 h autorisées. Retirez-lui une mission cette semaine."),
    ("planning.trop_de_jours", {"missions": week(7, "09:00", "13:00")},
     "Missions!K8 : S0001 (Léa Martin) travaillerait 7 jours la semaine 48 de 2026 (missions M1, M2, "
     "M3, M4, M5, M6, M7), plus que les 6 autorisés. Libérez-lui un jour de repos."),
    ("planning.repos_insuffisant", {"missions": [
        staffed(**{"N° mission": "M1", "Date": "28/11/2026", "Début": "14:00", "Fin": "22:00"}),
        staffed(**{"N° mission": "M2", "Date": "29/11/2026", "Début": "07:00", "Fin": "12:00"})]},
     "Missions!K3 : S0001 (Léa Martin) n'aurait que 9 h de repos entre la mission M1 (fin le "
     "28/11/2026 à 22:00) et celle-ci (début le 29/11/2026 à 07:00) ; il faut 11 h. Décalez les "
     "horaires ou affectez un autre salarié."),
    ("planning.sans_salarie", {"missions": [{"Date": "28/11/2026"}]},
     "Missions!K2 : mission du 28/11/2026 (demain, Lindt, magasin C001, 09:00–17:00) sans salarié. "
     "Affectez un salarié (voir la colonne Suggestions)."),
])
def test_staffing_messages(rule_id, tabs, message):
    [finding] = run_rule(rule_id, **tabs)
    assert finding.message == message


def test_thresholds_are_settings():
    from dataclasses import replace

    from tests.rules_support import SETTINGS

    relaxed = replace(SETTINGS, worktime=replace(SETTINGS.worktime, max_day_hours=11.5),
                      check=replace(SETTINGS.check, unstaffed_days=1))
    two = [staffed(**{"N° mission": "M1", "Début": "08:00", "Fin": "13:00"}),
           staffed(**{"N° mission": "M2", "Début": "14:00", "Fin": "19:30"})]
    assert run_rule("planning.journee_trop_longue", settings=relaxed, missions=two) == []
    assert run_rule("planning.sans_salarie", settings=relaxed, missions=[{"Date": "29/11/2026"}]) == []
