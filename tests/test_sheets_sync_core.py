import datetime as dt
import re
import tomllib

import pandas as pd
import pytest

from sheets_sync import ChangeSet, MemoryBackend, Workbook, WorkbookError
from sheets_sync.reading import RULE_DUPLICATE, RULE_UNREADABLE
from tests.factories import make_tabs

NOW = dt.datetime(2026, 11, 29, 9, 30)


def test_load_types_and_findings():
    tabs = make_tabs(missions=[{"N° mission": "M1"}, {"N° mission": "M2", "Date": "31/02/2026"},
                               {"N° mission": "M3"}, {"N° mission": "M3"}])
    data = Workbook(MemoryBackend(tabs)).load()
    missions = data["Missions"]
    assert list(missions.df.index) == ["M1"]
    assert missions.df.at["M1", "Date"] == dt.datetime(2026, 11, 29)
    assert [(f.rule, f.cell) for f in data.findings] == [
        (RULE_UNREADABLE, "Missions!G3"),
        (RULE_DUPLICATE, "Missions!A4"),
        (RULE_DUPLICATE, "Missions!A5"),
    ]
    assert missions.all_keys == {"M1", "M2", "M3"}


def test_missing_required_column_names_tab_column_and_found_headers():
    tabs = make_tabs()
    tabs["Missions"] = [[h for h in tabs["Missions"][0] if h != "Date"]]
    with pytest.raises(WorkbookError) as err:
        Workbook(MemoryBackend(tabs)).load()
    assert "Onglet « Missions » : colonne obligatoire « Date » introuvable" in str(err.value)
    assert "N° mission, Opération" in str(err.value)


def test_apply_writes_by_key_journals_and_skips_a_cell_changed_meanwhile():
    tabs = make_tabs(missions=[{"N° mission": "M1"}, {"N° mission": "M2"}])
    backend = MemoryBackend(tabs)
    wb = Workbook(backend)
    data = wb.load()
    changes = ChangeSet()
    changes.add("suggest", data["Missions"].change("M1", "Suggestions", "1. S0001"))
    changes.add("suggest", data["Missions"].change("M2", "Suggestions", "1. S0002"))

    def person_edits(b):
        rows = b.tabs["Missions"]
        rows.insert(1, rows.pop(2))  # a person sorted the rows: M2 is now row 2
        col = rows[0].index("Suggestions")
        rows[2][col] = "déjà proposé à Léa"  # and typed in M1's cell

    backend.on_reread = person_edits
    report = wb.apply(changes, NOW)
    assert report.written == 1
    assert [(s.key, s.reason) for s in report.skipped] == [
        ("M1", "modifiée entre-temps (vide → « déjà proposé à Léa »)")
    ]
    col = backend.tabs["Missions"][0].index("Suggestions")
    assert backend.tabs["Missions"][1][col] == "1. S0002"
    assert backend.tabs["Journal"][0] == ["Horodatage", "Tâche", "Onglet", "Clé", "Colonne", "Cellule",
                                          "Ancienne valeur", "Nouvelle valeur", "Écriture"]
    [row] = backend.tabs["Journal"][1:]
    assert row[:8] == ["2026-11-29 09:30:00", "suggest", "Missions", "M2", "Suggestions", "Missions!O2", "", "1. S0002"]
    assert re.fullmatch(r"W[0-9A-F]{11}", row[8])  # the write's id
    # a second run changes nothing
    data = wb.load()
    again = ChangeSet()
    again.add("suggest", data["Missions"].change("M2", "Suggestions", "1. S0002"))
    assert again.is_empty()


def test_missing_job_column_is_added_with_its_header():
    tabs = make_tabs()
    tabs["Missions"] = [r[: tabs["Missions"][0].index("Suggestions")] for r in tabs["Missions"]]
    backend = MemoryBackend(tabs)
    wb = Workbook(backend)
    data = wb.load()
    changes = ChangeSet()
    changes.add("suggest", data["Missions"].change("M0001", "Suggestions", "Aucun candidat"))
    wb.apply(changes, NOW)
    head = backend.tabs["Missions"][0]
    assert head[-1] == "Suggestions"
    assert backend.tabs["Missions"][1][len(head) - 1] == "Aucun candidat"


def test_headers_match_ignoring_case_accents_spaces_and_with_overrides():
    tabs = make_tabs()
    head = tabs["Missions"][0]
    head[head.index("Début")] = " DEBUT "
    head[head.index("Date")] = "Date mission"
    head[head.index("N° mission")] = "n° MISSION"
    tabs["Missions 2026"] = tabs.pop("Missions")
    wb = Workbook(MemoryBackend(tabs), tab_names={"Missions": "Missions 2026"},
                  headers={"Missions": {"Date": "Date mission"}})
    missions = wb.load()["Missions"]
    assert missions.df.at["M0001", "Début"] == dt.timedelta(hours=9)
    assert missions.df.at["M0001", "Date"] == dt.datetime(2026, 11, 29)
    assert missions.cell_of("M0001", "Date") == "Missions 2026!G2"


def test_unknown_columns_are_kept_and_never_written():
    tabs = make_tabs()
    tabs["Missions"][0].append("Note interne")
    tabs["Missions"][1].append("=SOMME(A1:A2)")
    backend = MemoryBackend(tabs)
    data = Workbook(backend).load()
    assert data["Missions"].df.at["M0001", "Note interne"] == "=SOMME(A1:A2)"


@pytest.mark.parametrize("raw, expected", [
    ("06 12 34 56 78", "+33612345678"), ("+33 6 12 34 56 78", "+33612345678"),
    ("0033612345678", "+33612345678"), ("612345678", "+33612345678"), (612345678, "+33612345678"),
    # overseas, written the French way: Réunion, Martinique, Guadeloupe, Guyane, Mayotte
    ("06 92 12 34 56", "+262692123456"), ("0262 12 34 56", "+262262123456"), ("+262 692 12 34 56", "+262692123456"),
    ("06 96 12 34 56", "+596696123456"), ("0596 61 23 45", "+596596612345"), ("06 90 12 34 56", "+590690123456"),
    ("0590 12 34 56", "+590590123456"), ("0594 30 12 34", "+594594301234"), ("06 39 40 12 34", "+262639401234"),
])
def test_phones_are_compared_in_e164(raw, expected):
    from sheets_sync.parsing import display_phone, parse_phone

    assert parse_phone(raw) == expected
    assert parse_phone(display_phone(expected)) == expected  # shown the French way, read back the same


@pytest.mark.parametrize("raw, expected", [
    (1000, "01000"), ("01000", "01000"), (75011.0, "75011"),
])
def test_postal_codes_keep_their_leading_zero(raw, expected):
    from sheets_sync.parsing import parse_postal

    assert parse_postal(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("29/11/2026", dt.datetime(2026, 11, 29)), ("29/11/26", dt.datetime(2026, 11, 29)),
    ("2026-11-29", dt.datetime(2026, 11, 29)), (dt.date(2026, 11, 29), dt.datetime(2026, 11, 29)),
    (dt.datetime(2026, 11, 29, 0, 0), dt.datetime(2026, 11, 29)),
])
def test_dates(raw, expected):
    from sheets_sync.parsing import parse_date

    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw, minutes", [
    ("09:30", 570), ("9h30", 570), ("9h", 540), ("09H", 540), (dt.time(9, 30), 570), (0.5, 720),
])
def test_times(raw, minutes):
    from sheets_sync.parsing import parse_time

    assert parse_time(raw).total_seconds() / 60 == minutes


@pytest.mark.parametrize("raw, amount", [("12,50", 12.5), ("12.50", 12.5), ("12,50 €", 12.5), (12.5, 12.5),
                                         ("1.234,50", 1234.5)])
def test_amounts(raw, amount):
    from sheets_sync.parsing import parse_amount

    assert parse_amount(raw) == amount


@pytest.mark.parametrize("raw, value", [("oui", True), ("O", True), ("x", True), ("true", True),
                                        ("non", False), ("n", False), ("false", False), ("", None)])
def test_booleans(raw, value):
    from sheets_sync.parsing import parse_bool

    assert parse_bool(raw) is value


def test_lists_split_on_commas_and_semicolons():
    from sheets_sync.parsing import parse_list

    assert parse_list("animation, dégustation;anglais ; ") == ("animation", "dégustation", "anglais")


@pytest.mark.parametrize("column, cell, new", [
    ("Heure appel", dt.time(8, 57), "08:57"),
    ("Mandat envoyé le", dt.datetime(2026, 11, 29), "29/11/2026"),
    ("Mandat envoyé le", "2026-11-29", "29/11/2026"),
])
def test_a_real_date_or_time_cell_already_holding_the_value_is_not_rewritten(column, cell, new):
    tabs = make_tabs()
    tabs["Missions"][1][tabs["Missions"][0].index(column)] = cell
    missions = Workbook(MemoryBackend(tabs)).load()["Missions"]
    assert missions.change("M0001", column, new) is None
    assert missions.change("M0001", column, "30/11/2026" if "le" in column else "08:58") is not None


def test_an_unreadable_phone_keeps_its_employee_an_unreadable_key_or_date_drops_its_row():
    tabs = make_tabs(employees=[{"Matricule": "S0001", "Téléphone": "06 45 12 78"},
                                {"Matricule": "S0002", "Téléphone": "06 12 34 56 79", "Visite médicale": "31/02/2026"}],
                     missions=[{"N° mission": "M1", "Date": "31/11/2026"}, {"N° mission": "M2"}])
    data = Workbook(MemoryBackend(tabs)).load()
    employees = data["Salariés"].df
    assert list(employees.index) == ["S0001", "S0002"]  # still in every job that does not need the phone
    assert employees.at["S0001", "Téléphone"] == "" and pd.isna(employees.at["S0002", "Visite médicale"])
    assert list(data["Missions"].df.index) == ["M2"]  # a mission without a readable date cannot be used
    cells = {f.cell: f.message for f in data.findings}
    assert cells["Salariés!D2"].endswith("elle est lue comme vide en attendant.")
    assert cells["Missions!G2"].endswith("la ligne est ignorée en attendant.")


def test_headers_are_mapped_in_one_go_with_the_lines_to_paste():
    from sheets_sync.errors import WorkbookError

    tabs = make_tabs()
    for tab, ours, theirs in (("Missions", "Date", "Date mission"), ("Salariés", "Téléphone", "Tél"),
                              ("Magasins", "Code postal", "CP"), ("Salariés", "Rayon km", "Rayon (km)")):
        tabs[tab][0][tabs[tab][0].index(ours)] = theirs
    with pytest.raises(WorkbookError) as err:
        Workbook(MemoryBackend(tabs)).load()
    message = str(err.value)
    assert message.startswith("2 onglets à corriger")  # every tab at once, not one per run
    assert '« Date mission » → « Date » ? (lignes à coller ci-dessous)' in message
    assert 'colonne obligatoire « Téléphone » introuvable' in message
    # every guess of every tab, required or optional, as config lines to paste as they are
    block = message.split("à coller tels quels à la fin de la configuration :\n", 1)[1]
    pasted = tomllib.loads(block)["headers"]
    assert pasted == {"Salariés": {"Téléphone": "Tél", "Rayon km": "Rayon (km)"}, "Missions": {"Date": "Date mission"},
                      "Magasins": {"Code postal": "CP"}}
    data = Workbook(MemoryBackend(tabs), headers=pasted).load()
    assert not [f for f in data.findings if f.rule == "donnees.entete_a_declarer"]
    tabs["Missions"][0][tabs["Missions"][0].index("Date mission")] = "Date"
    tabs["Salariés"][0][tabs["Salariés"][0].index("Tél")] = "Téléphone"
    data = Workbook(MemoryBackend(tabs)).load()
    hints = {f.cell: f.message for f in data.findings if f.rule == "donnees.entete_a_declarer"}
    assert hints == {
        "Magasins!E1": 'Magasins!E1 : l\'en-tête « CP » n\'est pas du format et la colonne « Code postal » manque : si '
                       'c\'est elle, ajoutez à la configuration [headers."Magasins"] puis "Code postal" = "CP" ; en '
                       'attendant elle est lue vide.',
        "Salariés!L1": 'Salariés!L1 : l\'en-tête « Rayon (km) » n\'est pas du format et la colonne « Rayon km » '
                       'manque : si c\'est elle, ajoutez à la configuration [headers."Salariés"] puis "Rayon km" = '
                       '"Rayon (km)" ; en attendant elle est lue vide.'}


@pytest.mark.parametrize("column, headers, guess", [
    ("Code postal", ["CP", "Ville2"], "CP"), ("Date", ["Date mission"], "Date mission"),
    ("Téléphone", ["Telephone portable"], "Telephone portable"), ("Email", ["E-mail"], "E-mail"),
    ("Code postal", ["Commentaire libre"], None), ("Kit", ["Remarques"], None),
    ("Téléphone", ["Tél."], "Tél."), ("Téléphone", ["Te"], None), ("Compétences", ["Compét."], "Compét."),
])
def test_the_closest_header(column, headers, guess):
    from sheets_sync.reading import closest_header

    assert closest_header(column, headers) == guess
