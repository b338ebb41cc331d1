"""Hard rules of the suggestions: each rule excludes exactly the right people."""
import datetime as dt

import pandas as pd
import pytest

from backoffice.settings import load_settings
from rules.eligibility import evaluate, hard_rules, no_candidate_message, open_missions
from sheets_sync import MemoryBackend, Workbook
from tests.factories import make_tabs

NOW = dt.datetime(2026, 11, 28, 9, 0)  # mission M0001 is on Sunday 29/11/2026, 09:00–17:00
SETTINGS = load_settings(environ={})
IDS = {r.code: r.id for r in hard_rules(SETTINGS)}


def staff(mat, date, start, end, status="Confirmée", n=[0]):
    n[0] += 1
    return {"N° mission": f"A{n[0]:04d}", "Salarié": mat, "Statut": status, "Date": date,
            "Début": start, "Fin": end}


def verdicts(employees, trainings=None, time_off=(), assigned=(), mission=None):
    """{Matricule: first failing rule id, "" when eligible} for mission M0001."""
    employees = [{"Matricule": e} if isinstance(e, str) else e for e in employees]
    if trainings is None:
        trainings = [{"Matricule": e["Matricule"]} for e in employees]
    tabs = make_tabs(employees=employees, trainings=trainings, time_off=list(time_off),
                     missions=[{"N° mission": "M0001", **(mission or {})}, *assigned], expenses=[])
    data = Workbook(MemoryBackend(tabs)).load()
    assert data.findings == []
    today = pd.Timestamp(NOW.date())
    open_df = open_missions(data["Missions"].df, today, 14)
    elig = evaluate(data, SETTINGS, today, open_df)
    col = list(open_df.index).index("M0001")
    return {mat: IDS.get(int(code), "") for mat, code in zip(elig.employees.index, elig.codes[:, col])}


FAR = {"Latitude": 49.5, "Longitude": 2.363}  # ~70 km north of store C001
AT_45_KM = {"Latitude": 48.867 + 45 / 111.2, "Longitude": 2.363}
AT_55_KM = {"Latitude": 48.867 + 55 / 111.2, "Longitude": 2.363}

CASES = [
    ("statut", dict(employees=["S1", {"Matricule": "S2", "Statut": "Inactif"}]),
     {"S1": "", "S2": "inactif"}),
    ("coordonnees", dict(employees=["S1", {"Matricule": "S2", "Latitude": ""},
                                    {"Matricule": "S3", "Longitude": ""}]),
     {"S1": "", "S2": "coordonnees", "S3": "coordonnees"}),
    ("competences", dict(employees=["S1", {"Matricule": "S2", "Compétences": "animation"},
                                    {"Matricule": "S3", "Compétences": "DEGUSTATION ; anglais"}]),
     {"S1": "", "S2": "competences", "S3": ""}),
    ("competences_plusieurs", dict(employees=["S1", {"Matricule": "S2", "Compétences": "dégustation, anglais"}],
                                   mission={"Compétences requises": "dégustation, anglais"}),
     {"S1": "competences", "S2": ""}),
    ("formation", dict(employees=["S1", "S2", "S3", "S4", "S5", "S6"],
                       trainings=[{"Matricule": "S1"},
                                  {"Matricule": "S3", "Valide jusqu'au": "28/11/2026"},
                                  {"Matricule": "S4", "Date": "30/11/2026"},
                                  {"Matricule": "S5", "Marque": "LINDT"},
                                  {"Matricule": "S6", "Valide jusqu'au": "29/11/2026"},
                                  {"Matricule": "S2", "Marque": "Milka"}]),
     {"S1": "", "S2": "formation", "S3": "formation", "S4": "formation", "S5": "", "S6": ""}),
    ("visite_medicale", dict(employees=["S1", {"Matricule": "S2", "Visite médicale": "28/11/2024"},
                                        {"Matricule": "S3", "Visite médicale": "29/11/2024"},
                                        {"Matricule": "S4", "Visite médicale": ""}]),
     {"S1": "", "S2": "visite_medicale", "S3": "", "S4": "visite_medicale"}),
    ("distance", dict(employees=["S1", {"Matricule": "S2", **FAR},
                                 {"Matricule": "S3", **FAR, "Rayon km": 100},
                                 {"Matricule": "S4", **AT_45_KM, "Rayon km": ""},
                                 {"Matricule": "S5", **AT_55_KM, "Rayon km": ""}]),
     {"S1": "", "S2": "distance", "S3": "", "S4": "", "S5": "distance"}),
    ("indisponible", dict(employees=["S1", "S2", "S3", "S4"],
                          time_off=[{"Matricule": "S2", "Du": "29/11/2026", "Au": "29/11/2026"},
                                    {"Matricule": "S3", "Du": "20/11/2026", "Au": "28/11/2026"},
                                    {"Matricule": "S4", "Du": "25/11/2026", "Au": "05/12/2026"}]),
     {"S1": "", "S2": "indisponible", "S3": "", "S4": "indisponible"}),
    ("conflit", dict(employees=["S1", "S2", "S3", "S4"],
                     assigned=[staff("S2", "29/11/2026", "16:00", "20:00"),
                               staff("S3", "29/11/2026", "17:00", "18:20"),
                               staff("S4", "29/11/2026", "10:00", "12:00", status="Annulée")]),
     {"S1": "", "S2": "conflit", "S3": "", "S4": ""}),
    ("repos", dict(employees=["S1", "S2", "S3", "S4"],
                   assigned=[staff("S2", "28/11/2026", "14:00", "23:00"),
                             staff("S3", "28/11/2026", "12:00", "22:00"),
                             staff("S4", "30/11/2026", "03:00", "08:00")]),
     {"S1": "", "S2": "repos", "S3": "", "S4": "repos"}),
    ("heures_jour", dict(employees=["S1", "S2", "S3"],
                         assigned=[staff("S2", "29/11/2026", "06:00", "08:30"),  # 3 h + 8 h 10
                                   staff("S3", "29/11/2026", "07:00", "08:20")]),  # 1 h 50 + 8 h 10: 10 h
     {"S1": "", "S2": "heures_jour", "S3": ""}),
    ("heures_semaine", dict(employees=["S1", "S2", "S3"],
                            assigned=[staff("S2", f"{d}/11/2026", "08:00", "17:00") for d in range(23, 28)]
                            + [staff("S3", f"{d}/11/2026", "08:00", "17:00") for d in range(23, 27)]),
     {"S1": "", "S2": "heures_semaine", "S3": ""}),
    ("jours_semaine", dict(employees=["S1", "S2", "S3"],
                           assigned=[staff("S2", f"{d}/11/2026", "09:00", "13:00") for d in range(23, 29)]
                           + [staff("S3", f"{d}/11/2026", "09:00", "13:00") for d in range(23, 28)]),
     {"S1": "", "S2": "jours_semaine", "S3": ""}),
    ("premiere_regle_en_echec", dict(employees=[{"Matricule": "S1", "Statut": "Inactif", **FAR},
                                                {"Matricule": "S2", "Visite médicale": "", **FAR},
                                                {"Matricule": "S3", **FAR}],
                                     trainings=[{"Matricule": "S2"}, {"Matricule": "S3"}],
                                     time_off=[{"Matricule": "S3", "Du": "29/11/2026", "Au": "29/11/2026"}]),
     {"S1": "inactif", "S2": "visite_medicale", "S3": "distance"}),
]


@pytest.mark.parametrize("name, kwargs, expected", CASES, ids=[c[0] for c in CASES])
def test_each_hard_rule_excludes_exactly_the_right_people(name, kwargs, expected):
    assert verdicts(**kwargs) == expected


def test_open_missions_are_unstaffed_to_fill_and_in_the_horizon():
    tabs = make_tabs(missions=[
        {"N° mission": "OK1"},
        {"N° mission": "OK2", "Statut": ""},
        {"N° mission": "OK3", "Date": "28/11/2026"},
        {"N° mission": "OK4", "Date": "12/12/2026"},  # today + 14
        {"N° mission": "LOIN", "Date": "13/12/2026"},
        {"N° mission": "PASSE", "Date": "27/11/2026"},
        {"N° mission": "PRISE", "Salarié": "S0001"},
        {"N° mission": "PROPOSEE", "Statut": "Proposée"},
        {"N° mission": "ANNULEE", "Statut": "Annulée"},
    ], expenses=[])
    data = Workbook(MemoryBackend(tabs)).load()
    got = open_missions(data["Missions"].df, pd.Timestamp(NOW.date()), 14)
    assert sorted(got.index) == ["OK1", "OK2", "OK3", "OK4"]


def test_no_candidate_message_counts_in_rule_order_without_zeros():
    rules = hard_rules(SETTINGS)
    codes = {r.id: r.code for r in rules}
    counts = {codes["indisponible"]: 1, codes["formation"]: 3, codes["distance"]: 2}
    assert no_candidate_message(counts, rules) == "Aucun candidat : 3 non formés, 2 trop loin, 1 indisponible"
    assert no_candidate_message({codes["formation"]: 1}, rules) == "Aucun candidat : 1 non formé"
    assert no_candidate_message({codes["heures_semaine"]: 2}, rules) == \
        "Aucun candidat : 2 au-delà de 48 h la semaine"


@pytest.mark.parametrize("column, cell", [("Visite médicale", ""), ("Compétences", "animation")])
def test_a_column_the_sheet_lacks_turns_its_rule_off_and_says_so(column, cell):
    from rules.eligibility import unchecked_columns

    def load(drop: bool):
        tabs = make_tabs(employees=[{"Matricule": "S0001", column: cell}],
                         missions=[{"N° mission": "M1", "Date": "30/11/2026"}])  # asks for « dégustation »
        if drop:
            head = tabs["Salariés"][0]
            i = head.index(column)
            tabs["Salariés"] = [row[:i] + row[i + 1:] for row in tabs["Salariés"]]
        data = Workbook(MemoryBackend(tabs)).load()
        today = pd.Timestamp("2026-11-28")
        open_df = open_missions(data["Missions"].df, today, 7)
        return evaluate(data, SETTINGS, today, open_df), unchecked_columns(data, open_df)

    kept, said = load(drop=False)  # the column is there, the cell says no: excluded, nothing to say
    assert kept.pairs.empty and said == []
    gone, said = load(drop=True)  # the sheet does not track it: the rule is off, once said
    assert list(gone.pairs["e"]) == [0]
    assert [(f.rule, f.column) for f in said] == [("suggest.colonne_absente", column)]
    assert f"pas de colonne « {column} »" in said[0].message
