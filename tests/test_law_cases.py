"""The law, case by case: each threshold with a case on each side, built from the texts (not from
the code), with its source. Every case names its own clock; run by one registered rule."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from backoffice.settings import load_settings
from rules.eligibility import REST, evaluate, open_missions
from rules.planning import plan_violations, solve_plan
from sheets_sync import MemoryBackend, Workbook
from tests.factories import make_tabs
from tests.rules_support import run_rule, staffed

SETTINGS = load_settings(environ={})
MINOR = {"Date de naissance": "01/06/2010"}  # 16 in 2026, 17 in 2027


def at(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%d/%m/%Y %H:%M")


def mission(key, date, start, end, **cells):
    return staffed(**{"N° mission": key, "Date": date, "Début": start, "Fin": end, **cells})


def note(**cells):
    return {"Justificatif": "oui", **cells}


CASES = [
    # (source, rule, clock, tabs, keys of the missions / notes / employees found)
    # --- L1242-13: the contract within two jours ouvrables (Monday–Saturday) of the start
    ("L1242-13, Thursday 19/11 + 2 jours ouvrables = Saturday 21/11", "contrat.non_signe", "23/11/2026 08:00",
     {"missions": [mission("M1", "19/11/2026", "09:00", "17:00", Contrat="Envoyé")]}, ["M1"]),
    ("L1242-13, still Saturday the deadline", "contrat.non_signe", "21/11/2026 18:00",
     {"missions": [mission("M1", "19/11/2026", "09:00", "17:00", Contrat="Envoyé")]}, []),
    # --- L3131-1, real time: the spring change takes an hour, the autumn change gives one
    ("L3131-1, 28/03/2026 21:00 → 29/03 08:00 is 10 h of real rest", "planning.repos_insuffisant", "20/03/2026 08:00",
     {"missions": [mission("M1", "28/03/2026", "12:00", "21:00"), mission("M2", "29/03/2026", "08:00", "15:00")]},
     ["M2"]),
    ("L3131-1, 24/10/2026 21:30 → 25/10 08:00 is 11 h 30 of real rest", "planning.repos_insuffisant",
     "20/10/2026 08:00",
     {"missions": [mission("M1", "24/10/2026", "13:00", "21:30"), mission("M2", "25/10/2026", "08:00", "15:00")]},
     []),
    # --- a night mission: 21:00–01:00 ends the next day
    ("a night mission is not « fin avant début »", "donnees.fin_avant_debut", "20/11/2026 08:00",
     {"missions": [mission("M1", "27/11/2026", "21:00", "01:00")]}, []),
    ("L3131-1, 01:00 → 08:00 after a night mission: 7 h", "planning.repos_insuffisant", "20/11/2026 08:00",
     {"missions": [mission("M1", "27/11/2026", "21:00", "01:00"), mission("M2", "28/11/2026", "08:00", "15:00")]},
     ["M2"]),
    ("a Fin before Début that would last 16 h is a typo", "donnees.fin_avant_debut", "20/11/2026 08:00",
     {"missions": [mission("M1", "27/11/2026", "17:00", "09:00")]}, ["M1"]),
    # --- L3121-18: 10 h a day, breaks deducted, preparation counted
    ("L3121-18, 09:00–19:30 with an hour's lunch: 9 h 30 + 30 min of preparation", "planning.journee_trop_longue",
     "20/11/2026 08:00", {"missions": [mission("M1", "27/11/2026", "09:00", "19:30", Pause=60)]}, []),
    ("L3121-18, 09:00–19:30 with the default 20 min: 10 h 40", "planning.journee_trop_longue", "20/11/2026 08:00",
     {"missions": [mission("M1", "27/11/2026", "09:00", "19:30")]}, ["M1"]),
    ("L3121-18, two contracts of 4 h 30 + 30 min in one store: 10 h", "planning.journee_trop_longue",
     "20/11/2026 08:00", {"missions": [mission("M1", "27/11/2026", "08:00", "12:30"),
                                       mission("M2", "27/11/2026", "13:30", "18:00")]}, []),
    ("L3121-18, the same in two stores 50 km apart: travel between sites is working time",
     "planning.journee_trop_longue", "20/11/2026 08:00",
     {"stores": [{}, {"Code magasin": "C002", "Latitude": 48.867 + 50 / 111.2}],
      "missions": [mission("M1", "27/11/2026", "08:00", "12:30"),
                   mission("M2", "27/11/2026", "13:30", "18:00", **{"Code magasin": "C002"})]}, ["M2"]),
    # --- L3121-20: 48 h in an ISO week, across two months
    ("L3121-20, Monday 30/11 to Saturday 05/12: 6 × 8 h 30 = 51 h", "planning.semaine_trop_longue",
     "20/11/2026 08:00", {"missions": [mission(f"M{d:%d%m}", f"{d:%d/%m/%Y}", "08:00", "16:20")
                                       for d in pd.date_range("2026-11-30", "2026-12-05")]}, ["M0512"]),
    ("L3121-20, 6 × 8 h = 48 h", "planning.semaine_trop_longue", "20/11/2026 08:00",
     {"missions": [mission(f"M{d:%d%m}", f"{d:%d/%m/%Y}", "07:30", "15:20")
                   for d in pd.date_range("2026-11-30", "2026-12-05")]}, []),
    # --- CCN art. 30: the 13 h span, a mission past midnight counting for its day
    ("CCN art. 30, 10:00 to 00:30 the next day: 14 h 30", "planning.amplitude", "20/11/2026 08:00",
     {"missions": [mission("M1", "27/11/2026", "10:00", "14:00"), mission("M2", "27/11/2026", "20:00", "00:30")]},
     ["M2"]),
    ("CCN art. 30, 12:00 to 01:00: 13 h", "planning.amplitude", "20/11/2026 08:00",
     {"missions": [mission("M1", "27/11/2026", "12:00", "14:00"), mission("M2", "27/11/2026", "20:00", "01:00")]},
     []),
    # --- L3163-2: a minor's night, up to the eve of the 18th birthday
    ("L3163-2, the eve of the 18th birthday", "planning.mineur", "20/11/2026 08:00",
     {"employees": [{"Date de naissance": "28/11/2008"}], "missions": [mission("M1", "27/11/2026", "15:00", "22:30")]},
     ["M1"]),
    ("L3163-2, the 18th birthday", "planning.mineur", "20/11/2026 08:00",
     {"employees": [{"Date de naissance": "28/11/2008"}], "missions": [mission("M1", "28/11/2026", "15:00", "22:30")]},
     []),
    ("L3163-2, a minor's mission past midnight", "planning.mineur", "20/11/2026 08:00",
     {"employees": [MINOR], "missions": [mission("M1", "27/11/2026", "18:00", "00:30")]}, ["M1"]),
    # --- L3121-16: 20 minutes of break from 6 h of work
    ("L3121-16, 6 h 10 of work and 10 min of break", "planning.pause", "20/11/2026 08:00",
     {"missions": [mission("M1", "27/11/2026", "09:00", "15:20", Pause=10)]}, ["M1"]),
    ("L3121-16, 20 min of break", "planning.pause", "20/11/2026 08:00",
     {"missions": [mission("M1", "27/11/2026", "09:00", "15:20", Pause=20)]}, []),
    ("L3121-16, 5 h 59 of work needs none", "planning.pause", "20/11/2026 08:00",
     {"missions": [mission("M1", "27/11/2026", "09:00", "14:59", Pause=0)]}, []),
    ("L3121-16, two missions back to back: 6 h 30 without a break", "planning.pause", "20/11/2026 08:00",
     {"missions": [mission("M1", "27/11/2026", "08:00", "11:00"), mission("M2", "27/11/2026", "11:00", "14:30")]},
     ["M2"]),
    ("L3121-16, 20 min between them", "planning.pause", "20/11/2026 08:00",
     {"missions": [mission("M1", "27/11/2026", "08:00", "11:00"), mission("M2", "27/11/2026", "11:20", "14:50")]},
     []),
    # --- accord 13/02/2006 art. 4.1: 7 h per contract, preparation included
    ("accord 2006 art. 4.1, 09:00–15:50 less 20 min + 30 min = 7 h", "planning.journee_courte", "20/11/2026 08:00",
     {"missions": [mission("M1", "27/11/2026", "09:00", "15:50", Pause=20)]}, []),
    ("accord 2006 art. 4.1, two animations of 3 h 30 one day: two contracts of 4 h", "planning.journee_courte",
     "20/11/2026 08:00", {"missions": [mission("M1", "27/11/2026", "09:00", "12:30", Marque="Lindt"),
                                       mission("M2", "27/11/2026", "14:00", "17:30", Marque="Nestlé")]},
     ["M1", "M2"]),
    # --- minors: Sunday (L3164-5), public holiday (L3164-6), two consecutive days off (L3164-2)
    ("L3164-5, a minor on Sunday 29/11/2026", "planning.mineur", "20/11/2026 08:00",
     {"employees": [MINOR], "missions": [mission("M1", "29/11/2026", "09:00", "13:00")]}, ["M1"]),
    ("L3164-5, with a derogation", "planning.mineur", "20/11/2026 08:00",
     {"employees": [MINOR], "missions": [mission("M1", "29/11/2026", "09:00", "13:00", Dérogation="oui")]}, []),
    ("L3164-6, a minor on 14 July", "planning.mineur", "01/07/2027 08:00",
     {"employees": [MINOR], "missions": [mission("M1", "14/07/2027", "09:00", "13:00")]}, ["M1"]),
    ("L3164-6, the day after", "planning.mineur", "01/07/2027 08:00",
     {"employees": [MINOR], "missions": [mission("M1", "15/07/2027", "09:00", "13:00")]}, []),
    ("L3164-2, a minor's sixth day: Monday to Saturday", "planning.mineur", "20/11/2026 08:00",
     {"employees": [MINOR], "missions": [mission(f"M{d}", f"{d:02d}/12/2026", "09:00", "13:00")
                                         for d in range(1, 6)] + [mission("M30", "30/11/2026", "09:00", "13:00")]},
     ["M5"]),
    ("L3164-2, five days: Saturday and Sunday free", "planning.mineur", "20/11/2026 08:00",
     {"employees": [MINOR], "missions": [mission(f"M{d}", f"{d:02d}/12/2026", "09:00", "13:00") for d in range(1, 5)]
      + [mission("M30", "30/11/2026", "09:00", "13:00")]}, []),
    ("L3162-3, a minor's 4 h 45 with a break of 15 min", "planning.mineur", "20/11/2026 08:00",
     {"employees": [MINOR], "missions": [mission("M1", "27/11/2026", "09:00", "14:00", Pause=15)]}, ["M1"]),
    ("L3162-3, with 30 min", "planning.mineur", "20/11/2026 08:00",
     {"employees": [MINOR], "missions": [mission("M1", "27/11/2026", "09:00", "14:00", Pause=30)]}, []),
    # --- L3133-4: 1 May for everyone
    ("L3133-4, an adult on 1 May", "planning.premier_mai", "20/04/2027 08:00",
     {"missions": [mission("M1", "01/05/2027", "09:00", "17:00")]}, ["M1"]),
    ("L3133-6, a store that cannot stop", "planning.premier_mai", "20/04/2027 08:00",
     {"missions": [mission("M1", "01/05/2027", "09:00", "17:00", Dérogation="oui")]}, []),
    ("L3133-4, 2 May", "planning.premier_mai", "20/04/2027 08:00",
     {"missions": [mission("M1", "02/05/2027", "09:00", "17:00")]}, []),
    ("L3133-4, an adult on Christmas Day: not 1 May", "planning.premier_mai", "20/11/2026 08:00",
     {"missions": [mission("M1", "25/12/2026", "09:00", "17:00")]}, []),
    # --- R1221-5: the DPAE of each contract, at most 8 days before
    ("R1221-5, a 2025 DPAE for a 2026 mission", "contrat.dpae", "27/11/2026 08:00",
     {"employees": [{"DPAE": "22/02/2025"}], "missions": [mission("M1", "28/11/2026", "09:00", "17:00")]}, ["M1"]),
    ("R1221-5, a DPAE of the week before", "contrat.dpae", "27/11/2026 08:00",
     {"employees": [{"DPAE": "22/11/2026"}], "missions": [mission("M1", "28/11/2026", "09:00", "17:00")]}, []),
    # --- the sector's km minimum (avenant 6/11/2024) and URSSAF's scale
    ("avenant 6/11/2024, 20 km at 0,28 €/km in 2026", "frais.km_montant", "27/11/2026 08:00",
     {"expenses": [note(Catégorie="km", Km=20, Montant="5,60", Date="20/11/2026")]}, ["N0001"]),
    ("avenant 6/11/2024, 20 km at 0,35 €/km", "frais.km_montant", "27/11/2026 08:00",
     {"expenses": [note(Catégorie="km", Km=20, Montant="7,00", Date="20/11/2026")]}, []),
    ("URSSAF, 0,35 €/km is under any car's scale", "frais.km_bareme", "27/11/2026 08:00",
     {"expenses": [note(Catégorie="km", Km=20, Montant="7,00", Date="20/11/2026")]}, []),
    # --- URSSAF: ceilings for flat allowances, receipts for costs
    ("URSSAF, a 25 € meal at cost with its receipt: no ceiling", "frais.repas_plafond", "27/11/2026 08:00",
     {"expenses": [note(Montant="25,00", Mode="réel")]}, []),
    ("URSSAF, a 25 € meal at cost with its receipt", "frais.justificatif_manquant", "27/11/2026 08:00",
     {"expenses": [note(Montant="25,00", Mode="réel")]}, []),
    ("URSSAF, a 7,50 € flat allowance without receipt", "frais.justificatif_manquant", "27/11/2026 08:00",
     {"expenses": [note(Montant="7,50", Mode="forfait", Justificatif="non", **{"Type repas": "sur place"})]}, []),
    ("URSSAF, a 7,50 € flat allowance within its ceiling", "frais.repas_plafond", "27/11/2026 08:00",
     {"expenses": [note(Montant="7,50", Mode="forfait", **{"Type repas": "sur place"})]}, []),
]


@pytest.mark.parametrize("source, rule_id, clock, tabs, found", CASES, ids=[c[0] for c in CASES])
def test_the_law_on_both_sides_of_each_threshold(source, rule_id, clock, tabs, found):
    findings = run_rule(rule_id, at(clock), **tabs)
    assert sorted(f.key for f in findings) == sorted(found)


def test_a_cancellation_five_days_ahead_is_paid_half():
    memory = {"M1": {"statut": "Annulée", "salarie": "S0001", "depuis": "2026-11-22 09:00"}}
    [f] = run_rule("contrat.annulation_payee", at("23/11/2026 08:00"), status_seen=memory,
                   missions=[mission("M1", "27/11/2026", "09:00", "17:00", Statut="Annulée")])
    assert "moins de 7 jours avant son début" in f.message and "payé 50 % des heures prévues (8 h 10)" in f.message


def test_the_thursday_contract_names_saturday():
    [f] = run_rule("contrat.non_signe", at("23/11/2026 08:00"),
                   missions=[mission("M1", "19/11/2026", "09:00", "17:00", Contrat="Envoyé")])
    assert f.severity == "erreur" and "au plus tard le 21/11/2026" in f.message


def _open_pair(first: str, second: str, slot_a, slot_b):
    tabs = make_tabs(missions=[{"N° mission": "A", "Date": first, "Début": slot_a[0], "Fin": slot_a[1]},
                               {"N° mission": "B", "Date": second, "Début": slot_b[0], "Fin": slot_b[1]}],
                     trainings=[{"Date": "01/01/2026"}], time_off=[], expenses=[])
    return Workbook(MemoryBackend(tabs)).load()


@pytest.mark.parametrize("first, second, slot_a, slot_b, both", [
    ("28/03/2026", "29/03/2026", ("12:00", "21:00"), ("08:00", "15:00"), False),  # 10 h of real rest
    ("24/10/2026", "25/10/2026", ("13:00", "21:30"), ("08:00", "15:00"), True),  # 11 h 30
])
def test_suggest_never_gives_one_employee_the_march_pair(first, second, slot_a, slot_b, both):
    data = _open_pair(first, second, slot_a, slot_b)
    today = pd.Timestamp(dt.datetime.strptime(first, "%d/%m/%Y"))
    open_df = open_missions(data["Missions"].df, today, 14)
    elig = evaluate(data, SETTINGS, today, open_df)
    pairs = elig.pairs.assign(cost=elig.pairs["km"])
    plan = solve_plan(pairs, SETTINGS)
    assert plan.filled == (2 if both else 1)
    assert plan_violations(pairs, plan.chosen, SETTINGS) == []


def test_suggest_excludes_the_second_day_of_the_march_pair_once_the_first_is_given():
    tabs = make_tabs(missions=[mission("A", "28/03/2026", "12:00", "21:00"),
                               {"N° mission": "B", "Date": "29/03/2026", "Début": "08:00", "Fin": "15:00"}],
                     trainings=[{"Date": "01/01/2026"}], time_off=[], expenses=[])
    data = Workbook(MemoryBackend(tabs)).load()
    today = pd.Timestamp("2026-03-20")
    elig = evaluate(data, SETTINGS, today, open_missions(data["Missions"].df, today, 14))
    assert elig.pairs.empty and elig.codes[0, 0] == np.int8(REST)


@pytest.mark.parametrize("date, derogation, eligible", [
    ("28/11/2026", "", True),  # Saturday
    ("29/11/2026", "", False),  # Sunday (L3164-5)
    ("29/11/2026", "oui", True),  # with a derogation
    ("25/12/2026", "", False),  # a public holiday (L3164-6)
])
def test_suggest_keeps_a_minor_off_sundays_and_public_holidays(date, derogation, eligible):
    from rules.eligibility import MINOR as MINOR_RULE

    tabs = make_tabs(employees=[MINOR], trainings=[{"Date": "01/01/2026"}], time_off=[], expenses=[],
                     missions=[{"N° mission": "A", "Date": date, "Début": "09:00", "Fin": "13:00",
                                "Dérogation": derogation}])
    data = Workbook(MemoryBackend(tabs)).load()
    today = pd.Timestamp("2026-11-27")
    elig = evaluate(data, SETTINGS, today, open_missions(data["Missions"].df, today, 30))
    assert (len(elig.pairs) == 1) == eligible
    assert eligible or elig.codes[0, 0] == np.int8(MINOR_RULE)
