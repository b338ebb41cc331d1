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
    # the 12-week average (L3121-22): 12 weeks of 5 × (9 h − 20 min of break + 30 min of preparation)
    ("planning.moyenne_12_semaines",
     {"missions": [m(f"W{w}D{d}", f"{dt.date(2026, 9, 7) + dt.timedelta(weeks=w, days=d):%d/%m/%Y}", "08:00", "17:00")
                   for w in range(12) for d in range(5)]},
     [("Missions!K61", "S0001 (Léa Martin) travaillerait en moyenne 45 h 50 par semaine sur les 12 semaines "
                       "finissant la semaine 48 de 2026, plus que les 44 h permises. Allégez ses semaines à venir.")]),
    ("planning.moyenne_12_semaines",  # 5 × 8 h 40 = 43 h 20 a week
     {"missions": [m(f"W{w}D{d}", f"{dt.date(2026, 9, 7) + dt.timedelta(weeks=w, days=d):%d/%m/%Y}", "08:00", "16:30")
                   for w in range(12) for d in range(5)]}, []),
    ("planning.moyenne_12_semaines", {"missions": [m(f"M{d}", f"{d}/11/2026", "08:00", "17:00")
                                                   for d in range(23, 28)]}, []),  # one heavy week only
    # the sector's minimum: 7 h per contract, its 30 min of preparation included
    ("planning.journee_courte", {"missions": [m("M1", "28/11/2026", "09:00", "13:00")]},
     [("Missions!K2", "la convention garantit 7 h par contrat (4 h hors magasin avec son accord écrit : colonne "
                      "Accord 4 h). Allongez la mission ou regroupez-la avec une autre du même jour.")]),
    ("planning.journee_courte", {"missions": [m("M1", "28/11/2026", "09:00", "15:50")]}, []),  # 6 h 50 − 20 + 30 min
    ("planning.journee_courte", {"missions": [m("M1", "28/11/2026", "09:00", "15:49")]},
     [("Missions!K2", "la convention garantit 7 h par contrat (4 h hors magasin avec son accord écrit : colonne "
                      "Accord 4 h). Allongez la mission ou regroupez-la avec une autre du même jour.")]),
    ("planning.journee_courte", {"missions": [{**m("M1", "28/11/2026", "09:00", "12:30"), "Accord 4 h": "oui"}]},
     []),  # 3 h 30 + 30 min, with the employee's consent
    ("planning.journee_courte", {"missions": [{**m("M1", "28/11/2026", "09:00", "12:29"), "Accord 4 h": "oui"}]},
     [("Missions!K2", "la convention garantit 4 h par contrat. Allongez la mission ou regroupez-la avec une "
                      "autre du même jour.")]),
    # minors (16–17)
    ("planning.mineur", {"employees": MINOR, "missions": [m("M1", "28/11/2026", "08:00", "17:00")]},
     [("Missions!K2", "S0001 (Léa Martin) a moins de 18 ans : 9 h 10 ce jour (au plus 8 h). Changez les horaires "
                      "ou affectez un salarié majeur.")]),
    ("planning.mineur", {"employees": MINOR, "missions": [m("M1", "28/11/2026", "15:00", "22:30")]},
     [("Missions!K2", "S0001 (Léa Martin) a moins de 18 ans : travail de nuit (15:00–22:30 ; interdit de 22 h "
                      "à 6 h). Changez les horaires ou affectez un salarié majeur.")]),
    ("planning.mineur", {"employees": MINOR, "missions": [m("M1", "27/11/2026", "13:00", "21:00"),
                                                          m("M2", "28/11/2026", "07:00", "14:00")]},
     [("Missions!K2", "S0001 (Léa Martin) a moins de 18 ans : 8 h 10 ce jour (au plus 8 h). Changez les horaires "
                      "ou affectez un salarié majeur."),
      ("Missions!K3", "S0001 (Léa Martin) a moins de 18 ans : 10 h de repos avant (au moins 12 h). Changez "
                      "les horaires ou affectez un salarié majeur.")]),
    ("planning.mineur", {"employees": MINOR, "missions": [m(f"M{d}", f"{d}/11/2026", "09:00", "16:30")
                                                          for d in range(23, 28)]},
     [("Missions!K6", "S0001 (Léa Martin) a moins de 18 ans : 38 h 20 cette semaine (au plus 35 h). Changez "
                      "les horaires ou affectez un salarié majeur.")]),
    ("planning.mineur", {"employees": ADULT, "missions": [m("M1", "28/11/2026", "08:00", "23:00")]}, []),
    ("planning.mineur", {"missions": [m("M1", "28/11/2026", "08:00", "23:00")]}, []),  # no birth date
])
def test_working_time_rules(rule_id, tabs, expected):
    found = run_rule(rule_id, NOW, **tabs)
    assert [(f.cell, f.message.split(" : ", 2)[-1] if rule_id == "planning.journee_courte"
             else f.message.split(" : ", 1)[1]) for f in found] == expected
    assert all(f.severity == (A if rule_id == "planning.journee_courte" else E) for f in found)


def test_iso_mondays_agree_with_the_calendar_for_every_day_of_forty_years():
    import pandas as pd

    from rules.worktime import iso_mondays

    days = pd.date_range("1995-01-01", "2034-12-31")
    iso = days.isocalendar()
    got = iso_mondays(pd.Series(iso["year"].to_numpy()), pd.Series(iso["week"].to_numpy()))
    assert list(got) == [pd.Timestamp.fromisocalendar(int(y), int(w), 1) for y, w in zip(iso["year"], iso["week"])]
