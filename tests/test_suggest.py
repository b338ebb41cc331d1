"""The suggest job: what it writes in Suggestions, what it reports."""
import datetime as dt

import pytest

from backoffice.jobs.base import JobContext
from backoffice.jobs.suggest import SuggestOptions, suggest_step
from backoffice.settings import Region, load_settings
from sheets_sync import InputError, MemoryBackend, Workbook
from tests.factories import make_tabs

NOW = dt.datetime(2026, 11, 28, 9, 0)  # missions on Sunday 29/11/2026
SETTINGS = load_settings(environ={})


def run(tabs, **options):
    data = Workbook(MemoryBackend(tabs)).load()
    assert data.findings == []
    ctx = JobContext(SETTINGS, Region("T"), NOW)
    result = suggest_step(data, ctx, SuggestOptions(**options))
    written = {c.key: c.new for _t, c in result.changes.cells.values()}
    assert all(c.column == "Suggestions" for _t, c in result.changes.cells.values())
    return result, written


def people(*specs):
    return [{"Matricule": s} if isinstance(s, str) else s for s in specs]


def trained(*mats):
    return [{"Matricule": m} for m in mats]


def test_ranking_order_and_reasons():
    employees = people(
        {"Matricule": "S0001", "Prénom": "Léa", "Nom": "Martin"},  # 1.5 km, no history
        {"Matricule": "S0002", "Prénom": "Marie", "Nom": "Dupont", "Latitude": 48.912, "Longitude": 2.363},
        {"Matricule": "S0003", "Prénom": "Paul", "Nom": "Durand", "Latitude": 48.894, "Longitude": 2.363},
    )
    missions = [
        {"N° mission": "M0001"},
        # S0002 worked for Lindt in this store, present; S0003 has two missions this week
        {"N° mission": "P1", "Salarié": "S0002", "Statut": "Réalisée", "Date": "10/11/2026",
         "Présence": "Confirmée"},
        {"N° mission": "W1", "Salarié": "S0003", "Statut": "Confirmée", "Date": "24/11/2026",
         "Code magasin": "C002", "Marque": "Milka"},
        {"N° mission": "W2", "Salarié": "S0003", "Statut": "Confirmée", "Date": "25/11/2026",
         "Code magasin": "C002", "Marque": "Milka"},
    ]
    stores = [{"Code magasin": "C001"}, {"Code magasin": "C002"}]
    result, written = run(make_tabs(employees=employees, missions=missions, stores=stores,
                                    trainings=trained("S0001", "S0002", "S0003"), time_off=[], expenses=[]))
    assert written == {"M0001": (
        "1. S0002 Marie Dupont — 5 km, formation et expérience Lindt, connaît le magasin, "
        "aucune mission cette semaine, présence 100 % ; "
        "2. S0001 Léa Martin — 1 km, formation Lindt, aucune mission cette semaine ; "
        "3. S0003 Paul Durand — 3 km, formation Lindt, 2 missions cette semaine")}
    assert result.summary == [("missions ouvertes", 1), ("avec candidat", 1), ("sans candidat", 0),
                              ("plan", "1 pourvue(s), 5 km au total, meilleur plan"),
                              ("par salarié", "0 à 1 missions (médiane 0), 0 à 8,2 h (médiane 0)")]  # the three eligible
    assert result.figures["plan"] == {"filled": 1, "km": 5.0, "cost": result.figures["plan"]["cost"],
                                      "objective": result.figures["plan"]["objective"],
                                      "bound": result.figures["plan"]["bound"], "gap": 0.0, "optimal": True,
                                      "status": "optimal", "seconds": result.figures["plan"]["seconds"]}
    assert not result.needs_attention


def test_top_limits_the_candidates():
    _result, written = run(make_tabs(employees=people("S0001", "S0002", "S0003"),
                                     trainings=trained("S0001", "S0002", "S0003"), time_off=[], expenses=[]),
                           top=1)
    assert written["M0001"].count(" ; ") == 0 and written["M0001"].startswith("1. S000")


def test_simultaneous_missions_go_to_different_people():
    great = {"Matricule": "S0001", "Prénom": "Léa", "Nom": "Martin"}
    fair = {"Matricule": "S0002", "Prénom": "Paul", "Nom": "Durand", "Latitude": 48.95}
    missions = [{"N° mission": "M1"}, {"N° mission": "M2", "Début": "10:00", "Fin": "18:00"}]
    result, written = run(make_tabs(employees=people(great, fair), missions=missions,
                                    trainings=trained("S0001", "S0002"), time_off=[], expenses=[]))
    firsts = {key: text.split(" — ")[0] for key, text in written.items()}
    assert sorted(firsts.values()) == ["1. S0001 Léa Martin", "1. S0002 Paul Durand"]
    other = "M2" if firsts["M1"].startswith("1. S0001") else "M1"
    # the great one is still shown second for the other mission, with the plan's choice
    assert written[other].endswith(f"(choix du plan pour {'M1' if other == 'M2' else 'M2'})")
    assert result.summary[:3] == [("missions ouvertes", 2), ("avec candidat", 2), ("sans candidat", 0)]


def test_mission_nobody_can_take_gets_the_counts():
    employees = people("S1", "S2", "S3", "S4", "S5", "S6", {"Matricule": "S7", "Statut": "Inactif"},
                       {"Matricule": "S8", "Latitude": 49.5}, {"Matricule": "S9", "Latitude": 49.6})
    time_off = [{"Matricule": "S4", "Du": "29/11/2026", "Au": "29/11/2026"}]
    result, written = run(make_tabs(employees=employees, trainings=trained("S4", "S7", "S8", "S9"),
                                    time_off=time_off, expenses=[]))
    assert written == {"M0001": "Aucun candidat : 5 non formés, 2 trop loin, 1 indisponible"}
    assert result.summary == [("missions ouvertes", 1), ("avec candidat", 0), ("sans candidat", 1),
                              ("sans candidat à moins de 3 j", "M0001")]
    assert result.needs_attention


def test_no_attention_when_the_mission_without_candidate_is_far_ahead():
    result, written = run(make_tabs(missions=[{"Date": "10/12/2026"}], trainings=[], time_off=[], expenses=[]))
    assert written == {"M0001": "Aucun candidat : 1 non formé"}
    assert not result.needs_attention


def test_unknown_coordinates_are_reported_on_the_latitude_cell():
    employees = people("S0001", {"Matricule": "S0002", "Latitude": "", "Longitude": ""})
    stores = [{"Code magasin": "C001"}, {"Code magasin": "C002", "Latitude": ""}]
    missions = [{"N° mission": "M1"}, {"N° mission": "M2", "Code magasin": "C002"},
                {"N° mission": "M3", "Code magasin": "C999"}]
    result, written = run(make_tabs(employees=employees, stores=stores, missions=missions,
                                    trainings=trained("S0001", "S0002"), time_off=[], expenses=[]))
    assert written["M2"] == "Aucun candidat : coordonnées du magasin C002 inconnues"
    assert written["M3"] == "Aucun candidat : magasin C999 absent de l'onglet Magasins"
    assert [(f.rule, f.severity, f.cell) for f in result.findings] == [
        ("suggest.coordonnees_manquantes", "alerte", "Salariés!I3"),
        ("suggest.coordonnees_manquantes", "alerte", "Magasins!G3"),
    ]
    assert result.findings[0].message.startswith("Salariés!I3 : coordonnées du domicile inconnues")


def test_stale_suggestions_of_missions_no_longer_open_are_left_alone():
    missions = [{"N° mission": "M1"},
                {"N° mission": "M2", "Salarié": "S0001", "Statut": "Confirmée", "Date": "01/12/2026",
                 "Suggestions": "1. S0001 Léa Martin — ancien texte"},
                {"N° mission": "M3", "Statut": "Annulée", "Suggestions": "vieux"}]
    _result, written = run(make_tabs(missions=missions, time_off=[], expenses=[]))
    assert list(written) == ["M1"]


def test_second_run_writes_nothing():
    tabs = make_tabs(time_off=[], expenses=[])
    backend = MemoryBackend(tabs)
    wb = Workbook(backend)
    ctx = JobContext(SETTINGS, Region("T"), NOW)
    first = suggest_step(wb.load(), ctx)
    assert wb.apply(first.changes, NOW).written == 1
    again = suggest_step(wb.load(), ctx)
    assert again.changes.is_empty()


def test_explain_lists_every_active_employee_and_writes_nothing():
    employees = people({"Matricule": "S0001", "Prénom": "Léa", "Nom": "Martin"},
                       {"Matricule": "S0002", "Prénom": "Paul", "Nom": "Durand"},
                       {"Matricule": "S0003", "Prénom": "Zoé", "Nom": "Petit", "Latitude": 49.5},
                       {"Matricule": "S0004", "Prénom": "Tom", "Nom": "Blanc", "Statut": "Inactif"})
    result, written = run(make_tabs(employees=employees, trainings=trained("S0001", "S0003"), time_off=[],
                                    expenses=[]), explain="M0001")
    assert written == {}
    (table,) = result.tables
    assert table.title == "Mission M0001 — Lindt, magasin C001, 29/11/2026 09:00–17:00"
    assert table.headers[:3] == ["Matricule", "Nom", "Résultat"]
    assert [row[:3] for row in table.rows] == [
        ["S0001", "Léa Martin", "choix du plan"],
        ["S0002", "Paul Durand", "exclu : non formé (aucune formation Lindt valide le 29/11/2026)"],
        ["S0003", "Zoé Petit", "exclu : trop loin (70 km > 30 km)"],
    ]
    assert table.rows[2][3] == "70,4"
    assert table.rows[0][3:] == ["1,5", "1,5", "0,0", "0,0", "0,0", "-10,0", "-8,5"]


@pytest.mark.parametrize("key, message", [
    ("M9999", "Mission « M9999 » introuvable dans l'onglet Missions."),
    ("M2", "Mission « M2 » : pas une mission ouverte des 14 prochains jours"),
])
def test_explain_of_a_mission_that_is_not_open(key, message):
    tabs = make_tabs(missions=[{"N° mission": "M1"}, {"N° mission": "M2", "Salarié": "S0001"}],
                     time_off=[], expenses=[])
    with pytest.raises(InputError) as err:
        run(tabs, explain=key)
    assert str(err.value).startswith(message)


def test_explain_says_which_skill_check_or_time_off_excludes():
    employees = people({"Matricule": "S0001", "Prénom": "Léa", "Nom": "Martin", "Compétences": "animation"},
                       {"Matricule": "S0002", "Prénom": "Paul", "Nom": "Durand", "Visite médicale": "01/10/2024",
                        "Compétences": "dégustation, anglais"},
                       {"Matricule": "S0003", "Prénom": "Zoé", "Nom": "Petit", "Compétences": "Anglais; Dégustation"})
    time_off = [{"Matricule": "S0003", "Du": "27/11/2026", "Au": "30/11/2026", "Motif": "Congés"}]
    result, _written = run(make_tabs(employees=employees, trainings=trained("S0001", "S0002", "S0003"),
                                     missions=[{"Compétences requises": "dégustation, anglais"}],
                                     time_off=time_off, expenses=[]), explain="M0001")
    assert [row[2] for row in result.tables[0].rows] == [
        "exclu : sans la compétence (dégustation, anglais)",
        "exclu : sans visite médicale valide (visite du 01/10/2024)",
        "exclu : indisponible (Congés du 27/11/2026 au 30/11/2026)",
    ]


@pytest.mark.parametrize("assigned, verdict", [
    ([{"N° mission": "A1", "Date": "29/11/2026", "Début": "12:00", "Fin": "14:00"}],
     "exclu : déjà en mission (A1 le 29/11/2026 12:00–14:00)"),
    ([{"N° mission": "A1", "Date": "28/11/2026", "Début": "16:00", "Fin": "23:00"}],
     "exclu : sans 11 h de repos (A1 le 28/11/2026 16:00–23:00)"),
    ([{"N° mission": "A1", "Date": "29/11/2026", "Début": "06:00", "Fin": "08:30"}],
     "exclu : au-delà de 10 h ce jour (déjà 3 h : A1 le 29/11/2026 06:00–08:30)"),  # 2 h 30 + 30 min
    ([{"N° mission": f"A{d}", "Date": f"{d}/11/2026", "Début": "08:00", "Fin": "16:30"} for d in range(23, 28)]
     + [{"N° mission": "A28", "Date": "28/11/2026", "Début": "08:00", "Fin": "11:00"}],  # 5 × 8 h 40 + 3 h 30
     "exclu : au-delà de 48 h la semaine (déjà 46 h 50 : A23 le 23/11/2026 08:00–16:30, A24 le 24/11/2026 "
     "08:00–16:30, A25 le 25/11/2026 08:00–16:30, A26 le 26/11/2026 08:00–16:30, A27 le 27/11/2026 08:00–16:30, "
     "A28 le 28/11/2026 08:00–11:00)"),
])
def test_explain_names_the_missions_that_exclude_for_working_time(assigned, verdict):
    employees = people({"Matricule": "S0001", "Prénom": "Léa", "Nom": "Martin"})
    missions = [{"N° mission": "M0001", "Date": "29/11/2026", "Début": "09:00", "Fin": "17:00"}]
    missions += [{"Salarié": "S0001", "Statut": "Confirmée", **m} for m in assigned]
    result, _written = run(make_tabs(employees=employees, trainings=trained("S0001"), missions=missions,
                                     time_off=[], expenses=[]), explain="M0001")
    assert [row[2] for row in result.tables[0].rows] == [verdict]


def test_the_road_factor_applies_before_the_radius_and_explain_says_so():
    # S0003 lives 26 km from the store as the crow flies, 34 km by road; its radius is 30 km
    employees = people({"Matricule": "S0003", "Prénom": "Zoé", "Nom": "Petit", "Latitude": 49.10})
    tabs = make_tabs(employees=employees, trainings=trained("S0003"), time_off=[], expenses=[])
    data = Workbook(MemoryBackend(tabs)).load()
    road = load_settings(environ={}, overrides={"suggest": {"road_factor": 1.3}})
    straight = suggest_step(data, JobContext(SETTINGS, Region("T"), NOW), SuggestOptions(explain="M0001"))
    by_road = suggest_step(data, JobContext(road, Region("T"), NOW), SuggestOptions(explain="M0001"))
    assert straight.tables[0].rows[0][2] == "choix du plan"
    assert by_road.tables[0].title.endswith("(km : à vol d'oiseau × 1,3)")
    assert by_road.tables[0].rows[0][2] == "exclu : trop loin (34 km > 30 km)"


@pytest.mark.parametrize("employee, hours, missions, text", [
    ({}, ("09:00", "12:00"), [{"N° mission": "A1", "Date": "29/11/2026", "Début": "20:00", "Fin": "23:00",
                               "Salarié": "S0001", "Statut": "Confirmée"}],
     "Aucun candidat : 1 au-delà de 13 h d'amplitude"),  # 09:00 to 23:00
    ({"Date de naissance": "01/06/2009"}, ("09:00", "18:00"), [],
     "Aucun candidat : 1 mineur (horaires interdits aux mineurs)"),  # 17, 9 h in a day
    ({"Date de naissance": "01/06/2008"}, ("09:00", "18:00"), [], None),  # 18: an adult
])
def test_the_span_and_the_minors_limits_are_hard_rules(employee, hours, missions, text):
    start, end = hours
    tabs = make_tabs(employees=people({"Matricule": "S0001", **employee}), trainings=trained("S0001"),
                     missions=[{"N° mission": "M0001", "Date": "29/11/2026", "Début": start, "Fin": end}] + missions,
                     time_off=[], expenses=[])
    _result, written = run(tabs)
    assert (written["M0001"] if text else written["M0001"].startswith("1. S0001")) == (text or True)


def test_a_road_table_gives_the_km_where_it_knows_them(tmp_path):
    table = tmp_path / "routes.csv"
    table.write_text("from;to;km;minutes\nS0003;C001;41,5;38\n", encoding="utf-8")
    employees = people({"Matricule": "S0001", "Prénom": "Léa", "Nom": "Martin"},
                       {"Matricule": "S0003", "Prénom": "Zoé", "Nom": "Petit", "Latitude": 48.87})
    tabs = make_tabs(employees=employees, trainings=trained("S0001", "S0003"), time_off=[], expenses=[])
    data = Workbook(MemoryBackend(tabs)).load()
    settings = load_settings(environ={}, overrides={"suggest": {"road_table": str(table)}})
    result = suggest_step(data, JobContext(settings, Region("T"), NOW), SuggestOptions(explain="M0001"))
    (explained,) = result.tables
    assert explained.title.endswith("(km : table routière pour 1 salarié(s), sinon à vol d'oiseau × 1)")
    assert [row[:3] for row in explained.rows] == [["S0001", "Léa Martin", "choix du plan"],
                                                   ["S0003", "Zoé Petit", "exclu : trop loin (42 km > 30 km)"]]


def test_a_bad_road_table_line_is_named(tmp_path):
    table = tmp_path / "routes.csv"
    table.write_text("from;to;km;minutes\nS0003;C001;loin;38\n", encoding="utf-8")
    settings = load_settings(environ={}, overrides={"suggest": {"road_table": str(table)}})
    data = Workbook(MemoryBackend(make_tabs(time_off=[], expenses=[]))).load()
    with pytest.raises(InputError) as err:
        suggest_step(data, JobContext(settings, Region("T"), NOW))
    assert str(err.value).startswith(f"{table} ligne 2 : nombre « loin » illisible")


def test_the_12_week_average_and_the_weekly_rest_are_hard_rules():
    # eleven weeks of 48 h already assigned: one more 8 h mission would pass 44 h on average
    import datetime as _dt

    heavy = [{"N° mission": f"A{w}-{d}", "Date": f"{_dt.date(2026, 9, 7) + _dt.timedelta(weeks=w, days=d):%d/%m/%Y}",
              "Début": "08:00", "Fin": "16:00", "Salarié": "S0001", "Statut": "Réalisée"}
             for w in range(11) for d in range(6)]
    tabs = make_tabs(employees=people("S0001"), trainings=trained("S0001"), time_off=[], expenses=[],
                     missions=[{"N° mission": "M0001", "Date": "29/11/2026", "Début": "09:00", "Fin": "17:00"}] + heavy)
    _result, written = run(tabs)
    assert written["M0001"] == "Aucun candidat : 1 au-delà de 44 h en moyenne sur 12 semaines"
    # Sunday 22 worked until 18:00, Monday to Friday, then Saturday 28 from 06:00: no 35 h rest
    week = [{"N° mission": f"B{d}", "Date": f"{d}/11/2026", "Début": "09:00", "Fin": "16:00", "Salarié": "S0001",
             "Statut": "Confirmée"} for d in range(23, 28)] + [
            {"N° mission": "B22", "Date": "22/11/2026", "Début": "10:00", "Fin": "18:00", "Salarié": "S0001",
             "Statut": "Réalisée"},
            {"N° mission": "B30", "Date": "30/11/2026", "Début": "06:00", "Fin": "13:00", "Salarié": "S0001",
             "Statut": "Confirmée"}]
    tabs = make_tabs(employees=people("S0001"), trainings=trained("S0001"), time_off=[], expenses=[],
                     missions=[{"N° mission": "M0001", "Date": "28/11/2026", "Début": "14:00", "Fin": "22:00"}] + week)
    _result, written = run(tabs)
    assert written["M0001"] == "Aucun candidat : 1 sans 35 h de repos dans la semaine"
