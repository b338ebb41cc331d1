"""The rest of the working-time law: span, weekly rest, 12-week average, minimum day, minors.

NOW is Friday 27/11/2026; the week of Monday 23/11/2026 is still running."""
import datetime as dt

import pytest

from tests.rules_support import NOW, run_rule, staffed

E, A = "erreur", "alerte"


def m(key, date, start, end, who="S0001"):
    return staffed(**{"N° mission": key, "Date": date, "Début": start, "Fin": end, "Salarié": who})


MINOR = [{"Date de naissance": "01/06/2009"}]  # 17 on the missions' dates
ADULT = [{"Date de naissance": "01/06/2008"}]  # 18


@pytest.mark.parametrize("rule_id, tabs, expected", [
    # the 13 h span (CCN art. 30): 07:00–12:00 and 16:00–21:00 is 14 h
    ("planning.amplitude", {"missions": [m("M1", "28/11/2026", "07:00", "12:00"),
                                         m("M2", "28/11/2026", "16:00", "21:00")]},
     [("Missions!K3", "S0001 (Léa Martin) aurait une amplitude de 14 h le 28/11/2026 (07:00–21:00, missions "
                      "M1, M2), plus que les 13 h permises. Retirez-lui une mission ce jour-là.")]),
    ("planning.amplitude", {"missions": [m("M1", "28/11/2026", "08:00", "12:00"),
                                         m("M2", "28/11/2026", "16:00", "21:00")]}, []),  # 13 h: allowed
    ("planning.amplitude", {"missions": [m("M1", "20/11/2026", "07:00", "12:00"),
                                         m("M2", "20/11/2026", "16:00", "21:00")]}, []),  # past
    # 35 h of weekly rest (L3132-2): Sunday 22 worked, then Monday to Saturday (ending 22:00), Monday 30
    # from 06:00: the free Sunday gives 32 h
    ("planning.repos_hebdomadaire", {"missions": [m("M22", "22/11/2026", "10:00", "18:00")]
                                     + [m(f"M{d}", f"{d}/11/2026", "09:00", "17:00") for d in range(23, 28)]
                                     + [m("M28", "28/11/2026", "14:00", "22:00"), m("M30", "30/11/2026", "06:00", "13:00")]},
     [("Missions!K8", "S0001 (Léa Martin) n'aurait au plus que 32 h de repos d'affilée la semaine 48 de 2026 "
                      "(missions M23, M24, M25, M26, M27, M28) ; il faut 35 h. Libérez-lui une journée et demie.")]),
    ("planning.repos_hebdomadaire", {"missions": [m("M22", "22/11/2026", "10:00", "18:00")]
                                     + [m(f"M{d}", f"{d}/11/2026", "09:00", "17:00") for d in range(23, 29)]
                                     + [m("M30", "30/11/2026", "09:00", "17:00")]}, []),  # Saturday 17:00 → Monday 09:00
    # the 12-week average (L3121-22): 12 weeks of 5 × 9 h = 45 h
    ("planning.moyenne_12_semaines",
     {"missions": [m(f"W{w}D{d}", f"{dt.date(2026, 9, 7) + dt.timedelta(weeks=w, days=d):%d/%m/%Y}", "08:00", "17:00")
                   for w in range(12) for d in range(5)]},
     [("Missions!K61", "S0001 (Léa Martin) travaillerait en moyenne 45 h par semaine sur les 12 semaines "
                       "finissant la semaine 48 de 2026, plus que les 44 h permises. Allégez ses semaines à venir.")]),
    ("planning.moyenne_12_semaines", {"missions": [m(f"M{d}", f"{d}/11/2026", "08:00", "17:00")
                                                   for d in range(23, 28)]}, []),  # one heavy week only
    # the sector's minimum day: 7 h
    ("planning.journee_courte", {"missions": [m("M1", "28/11/2026", "09:00", "13:00")]},
     [("Missions!K2", "journée de 4 h pour S0001 (Léa Martin) le 28/11/2026 (missions M1) : la convention "
                      "garantit 7 h par jour (4 h hors magasin avec son accord écrit). Complétez la journée ou "
                      "gardez l'accord du salarié.")]),
    ("planning.journee_courte", {"missions": [m("M1", "28/11/2026", "09:00", "13:00"),
                                              m("M2", "28/11/2026", "14:00", "17:00")]}, []),  # 7 h in two
    # minors (16–17)
    ("planning.mineur", {"employees": MINOR, "missions": [m("M1", "28/11/2026", "08:00", "17:00")]},
     [("Missions!K2", "S0001 (Léa Martin) a moins de 18 ans : 9 h ce jour (au plus 8 h). Changez les horaires "
                      "ou affectez un salarié majeur.")]),
    ("planning.mineur", {"employees": MINOR, "missions": [m("M1", "28/11/2026", "15:00", "23:00")]},
     [("Missions!K2", "S0001 (Léa Martin) a moins de 18 ans : travail de nuit (15:00–23:00 ; interdit de 22 h "
                      "à 6 h). Changez les horaires ou affectez un salarié majeur.")]),
    ("planning.mineur", {"employees": MINOR, "missions": [m("M1", "27/11/2026", "13:00", "21:00"),
                                                          m("M2", "28/11/2026", "07:00", "14:00")]},
     [("Missions!K3", "S0001 (Léa Martin) a moins de 18 ans : 10 h de repos avant (au moins 12 h). Changez "
                      "les horaires ou affectez un salarié majeur.")]),
    ("planning.mineur", {"employees": MINOR, "missions": [m(f"M{d}", f"{d}/11/2026", "09:00", "16:30")
                                                          for d in range(23, 28)]},
     [("Missions!K6", "S0001 (Léa Martin) a moins de 18 ans : 37 h 30 cette semaine (au plus 35 h). Changez "
                      "les horaires ou affectez un salarié majeur.")]),
    ("planning.mineur", {"employees": ADULT, "missions": [m("M1", "28/11/2026", "08:00", "23:00")]}, []),
    ("planning.mineur", {"missions": [m("M1", "28/11/2026", "08:00", "23:00")]}, []),  # no birth date
])
def test_working_time_rules(rule_id, tabs, expected):
    found = run_rule(rule_id, NOW, **tabs)
    assert [(f.cell, f.message.split(" : ", 1)[1]) for f in found] == expected
    assert all(f.severity == (A if rule_id == "planning.journee_courte" else E) for f in found)
