"""Kit orders: the partner file's exact bytes, eligibility, stable numbers, never twice."""
from functools import partial
import datetime as dt
import json

import openpyxl
import pytest

from backoffice.jobs.kits import KitOrderOptions, kits_order_step
from backoffice.jobs.runner import run_region
from backoffice.settings import Region, load_settings
from rules.calendar import subtract_working_days
from rules.kits import order_number
from sheets_sync import MemoryBackend, Workbook
from tests.factories import make_tabs, outbox_rows, state_record

NOW = dt.datetime(2026, 11, 5, 9, 30)  # a Thursday
SETTINGS = load_settings(environ={})
IDF = Region("IDF", "Île-de-France")

KIT = {"Kit": "KIT-LINDT", "Salarié": "S0001", "Statut": "Confirmée"}
EMPLOYEES = [
    {"Matricule": "S0001"},
    {"Matricule": "S0002", "Nom": "N'Diaye", "Prénom": "Aïcha", "Téléphone": "+33 7 81 22 33 44",
     "Adresse": "5, allée des Chênes; bât. B", "Code postal": 1000, "Ville": "Bourg-en-Bresse"},
]


def mission(key, date, **cells):
    return {"N° mission": key, "Date": date, **KIT, **cells}


def run(tabs_or_backend, tmp_path, dry_run=False, now=NOW, **options):
    backend = tabs_or_backend
    if not isinstance(backend, MemoryBackend):
        backend = MemoryBackend(tabs_or_backend)
    step = partial(kits_order_step, options=KitOrderOptions(**options))
    outcome = run_region(SETTINGS, IDF, [("kits", step)], now, dry_run=dry_run,
                         out=str(tmp_path), workbook=Workbook(backend))
    assert outcome.error == "", outcome.trace
    return backend, outcome, outcome.results[0]


def cell(backend, key, column):
    rows = backend.tabs["Missions"]
    return next(r for r in rows[1:] if r[0] == key)[rows[0].index(column)]


def test_order_file_exact_bytes_and_cells_written(tmp_path):
    tabs = make_tabs(employees=EMPLOYEES, missions=[
        mission("M0042", "12/11/2026"),  # Thursday after the 11 November holiday
        mission("M0043", "09/11/2026", Salarié="S0002", Kit="KIT-=STAND"),  # a Monday
    ])
    backend, outcome, result = run(tabs, tmp_path)
    path = tmp_path / "IDF" / "kits" / "commande_kits_20261105-0930.csv"
    assert result.files == [path]
    assert path.read_bytes() == (
        "\ufeffN° commande;N° mission;Kit;Destinataire;Adresse;Code postal;Ville;Téléphone;Livrer avant;Urgence\r\n"
        "K-IDF-M0043;M0043;KIT-=STAND;Aïcha N'Diaye;\"5, allée des Chênes; bât. B\";01000;"
        "Bourg-en-Bresse;07 81 22 33 44;06/11/2026;\r\n"
        "K-IDF-M0042;M0042;KIT-LINDT;Léa Martin;3 rue des Lilas;75011;Paris;06 12 34 56 78;10/11/2026;\r\n"
    ).encode("utf-8")
    assert cell(backend, "M0042", "Kit statut") == "Commandé"
    assert cell(backend, "M0042", "N° commande kit") == "K-IDF-M0042"
    assert cell(backend, "M0043", "N° commande kit") == "K-IDF-M0043"
    assert outcome.report.written == 4
    assert ("commandes de kits", 2) in result.summary
    assert state_record(backend, "kit", "K-IDF-M0042") == {
        "mission": "M0042", "employee": "S0001", "date": "2026-11-12", "kit": "KIT-LINDT",
        "ordered_at": "2026-11-05 09:30",
    }


def test_a_value_that_looks_like_a_formula_is_kept_as_text(tmp_path):
    tabs = make_tabs(employees=[{"Matricule": "S0001", "Adresse": "=HYPERLINK(\"x\")"}],
                     missions=[mission("M1", "12/11/2026")])
    _, _, result = run(tabs, tmp_path)
    line = result.files[0].read_bytes().decode("utf-8-sig").splitlines()[1]
    assert line.split(";")[4] == "\"'=HYPERLINK(\"\"x\"\")\""


def test_a_rerun_orders_nothing_more_and_writes_no_file(tmp_path):
    tabs = make_tabs(missions=[mission("M0042", "12/11/2026")])
    backend, _, first = run(tabs, tmp_path)
    backend, outcome, second = run(backend, tmp_path)
    assert second.files == [] and ("commandes de kits", 0) in second.summary
    assert outcome.report.written == 0
    assert list((tmp_path / "IDF" / "kits").glob("*.csv")) == first.files


def test_numbers_are_stable_across_runs_and_machines(tmp_path):
    tabs = make_tabs(missions=[mission("M0042", "12/11/2026"), mission("M0043", "13/11/2026")])
    _, _, one = run(tabs, tmp_path / "a")
    _, _, two = run(tabs, tmp_path / "b")
    assert one.tables[0].rows == two.tables[0].rows
    assert [r[0] for r in one.tables[0].rows] == ["K-IDF-M0042", "K-IDF-M0043"]


def test_a_mission_with_an_order_number_is_never_reordered(tmp_path):
    tabs = make_tabs(missions=[mission("M1", "12/11/2026", **{"Kit statut": "À commander",
                                                               "N° commande kit": "K-IDF-M1"})])
    _, _, result = run(tabs, tmp_path)
    assert result.files == [] and result.changes.is_empty()


def test_another_machine_with_an_empty_output_folder_orders_nothing_again(tmp_path):
    """The workbook is the only state: the order, its memory and its partner line were written
    with the sheet; a run elsewhere, in an empty folder, finds it all there."""
    backend, _, first = run(make_tabs(missions=[mission("M1", "12/11/2026")]), tmp_path / "here")
    assert len(first.files) == 1
    backend, outcome, result = run(backend, tmp_path / "elsewhere")
    assert result.files == [] and outcome.report.written == 0 and outcome.report.journal_rows == 0
    assert not (tmp_path / "elsewhere").exists()


@pytest.mark.parametrize("cells, ordered", [
    ({}, True),
    ({"Statut": "Proposée"}, True),
    ({"Kit statut": "À commander"}, True),
    ({"Date": "15/11/2026"}, True),  # today + 10
    ({"Date": "06/11/2026"}, True),  # tomorrow
    ({"Date": "16/11/2026"}, False),  # today + 11
    ({"Date": "05/11/2026"}, False),  # today: too late for a delivery
    ({"Date": "01/11/2026"}, False),
    ({"Kit": ""}, False),
    ({"Salarié": ""}, False),
    ({"Statut": "À pourvoir"}, False),
    ({"Statut": "Réalisée"}, False),
    ({"Statut": "Annulée"}, False),
    ({"Kit statut": "Commandé"}, False),
    ({"Kit statut": "Livré"}, False),
])
def test_which_missions_are_ordered(tmp_path, cells, ordered):
    tabs = make_tabs(missions=[{**mission("M1", "12/11/2026"), **cells}])
    _, _, result = run(tabs, tmp_path)
    assert ("commandes de kits", 1 if ordered else 0) in result.summary


def test_days_option(tmp_path):
    tabs = make_tabs(missions=[mission("M1", "12/11/2026")])
    _, _, result = run(tabs, tmp_path, days=3)
    assert ("commandes de kits", 0) in result.summary


def test_unknown_employee_or_incomplete_address_is_reported_not_ordered(tmp_path):
    tabs = make_tabs(employees=[{"Matricule": "S0001", "Ville": ""}],
                     missions=[mission("M1", "12/11/2026"), mission("M2", "12/11/2026", Salarié="S0404")])
    _, outcome, result = run(tabs, tmp_path)
    assert result.files == []
    assert [(f.rule, f.severity, f.cell, f.message) for f in result.findings] == [
        ("kit.commande_impossible", "alerte", "Salariés!F2",
         "Salariés!F2 : adresse de Léa Martin incomplète (Adresse, Code postal, Ville) : kit "
         "« KIT-LINDT » de la mission M1 non commandé. Complétez l'adresse."),
        ("kit.commande_impossible", "alerte", "Missions!K3",
         "Missions!K3 : salarié « S0404 » introuvable dans Salariés (ou sa ligne est illisible) : "
         "kit « KIT-LINDT » non commandé. Corrigez le matricule ou la fiche."),
    ]


def test_dry_run_writes_no_file_and_no_memory(tmp_path):
    tabs = make_tabs(missions=[mission("M1", "12/11/2026")])
    backend, outcome, result = run(tabs, tmp_path, dry_run=True)
    assert result.files == [] and not (tmp_path / "IDF").exists()
    assert result.act is not None  # the order file is the act phase, which --dry-run skips
    assert [label for label, _ in result.summary] == ["commandes de kits"]
    assert [r[2:] for r in outcome.preview if r[1] == "Missions"] == [["M1", "Kit statut", "", "Commandé"],
                                                                    ["M1", "N° commande kit", "", "K-IDF-M1"]]
    assert sorted(r[1] for r in outcome.preview if r[1] != "Missions") == ["Envois", "État"]
    assert cell(backend, "M1", "Kit statut") is None


def test_xlsx_and_out_file(tmp_path):
    tabs = make_tabs(employees=[{"Matricule": "S0001", "Code postal": "01000", "Adresse": "-1 rue"}],
                     missions=[mission("M1", "12/11/2026")])
    out = tmp_path / "envoi" / "kits.xlsx"
    backend, _, result = run(tabs, tmp_path, out=str(out), xlsx=True)
    assert result.files == [out]
    sheet = openpyxl.load_workbook(out)["Commandes"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows == [
        ["N° commande", "N° mission", "Kit", "Destinataire", "Adresse", "Code postal", "Ville",
         "Téléphone", "Livrer avant", "Urgence"],
        ["K-IDF-M1", "M1", "KIT-LINDT", "Léa Martin", "-1 rue", "01000", "Paris", "06 12 34 56 78",
         dt.datetime(2026, 11, 10), None],
    ]
    assert sheet["E2"].data_type == "s" and sheet["I2"].number_format == "DD/MM/YYYY"
    assert state_record(backend, "kit", "K-IDF-M1")["mission"] == "M1"
    assert [(r["Effet"], r["État"], r["Détail"]) for r in outbox_rows(backend)] == [("kit:K-IDF-M1", "fait", str(out))]


@pytest.mark.parametrize("day, lead, expected", [
    (dt.date(2026, 11, 12), 1, dt.date(2026, 11, 10)),  # Wed 11/11 Armistice skipped
    (dt.date(2026, 11, 9), 1, dt.date(2026, 11, 6)),  # Monday -> Friday
    (dt.date(2026, 11, 8), 1, dt.date(2026, 11, 6)),  # Sunday -> Friday
    (dt.date(2026, 11, 9), 2, dt.date(2026, 11, 5)),
    (dt.date(2026, 11, 9), 0, dt.date(2026, 11, 9)),
    (dt.date(2026, 5, 26), 1, dt.date(2026, 5, 22)),  # Pentecost Monday 25/05 skipped
    (dt.date(2027, 1, 4), 3, dt.date(2026, 12, 29)),  # across the year, 1 January skipped
])
def test_deliver_before_counts_french_working_days(day, lead, expected):
    assert subtract_working_days(day, lead) == expected


@pytest.mark.parametrize("region, mission_key, expected", [
    ("IDF", "M0042", "K-IDF-M0042"),
    ("idf", " m 42/é ", "K-IDF-M-42-E"),
    ("Sud-Est", "M1", "K-SUD-EST-M1"),
])
def test_order_number(region, mission_key, expected):
    assert order_number(region, mission_key) == expected


def test_an_old_order_memory_is_folded_once_and_a_corrupt_one_is_not_read(tmp_path):
    """An earlier version kept its orders in kits/commandes.json: folded into État at the first
    run (an order it made is restored in the sheet, never made again); a corrupt one is left
    alone: the sheet and the workbook's memory decide."""
    (tmp_path / "IDF" / "kits").mkdir(parents=True)
    (tmp_path / "IDF" / "kits" / "commandes.json").write_text(json.dumps({"version": 1, "orders": {
        "K-IDF-M1": {"mission": "M1", "employee": "S0001", "date": "2026-11-12", "kit": "KIT-LINDT",
                     "ordered_at": "2026-11-04 09:00"}}}), encoding="utf-8")
    backend, _outcome, result = run(make_tabs(missions=[mission("M1", "12/11/2026")]), tmp_path)
    assert result.files == [] and ("commandes rétablies dans le classeur", 1) in result.summary
    assert cell(backend, "M1", "N° commande kit") == "K-IDF-M1"
    assert state_record(backend, "kit", "K-IDF-M1")["ordered_at"] == "2026-11-04 09:00"
    other = tmp_path / "other"
    (other / "IDF" / "kits").mkdir(parents=True)
    (other / "IDF" / "kits" / "commandes.json").write_text("{oops", encoding="utf-8")
    backend, outcome, result = run(make_tabs(missions=[mission("M1", "12/11/2026")]), other)
    assert outcome.error == "" and ("commandes de kits", 1) in result.summary


def test_two_concurrent_runs_give_one_order_file_per_order(tmp_path):
    """Both runs plan the order; the second one's re-read finds it written by the first."""
    from backoffice.jobs.kits import kits_order_step
    from backoffice.jobs.runner import run_region
    from backoffice.settings import Region, load_settings
    from sheets_sync import MemoryBackend, Workbook

    backend = MemoryBackend(make_tabs(missions=[mission("M1", "12/11/2026")]))
    settings = load_settings(environ={})
    first_done = []

    def the_other_run_writes_first(b):
        if not first_done:
            first_done.append(True)
            b.on_reread = None
            run_region(settings, Region("IDF"), [("kits", kits_order_step)], NOW,
                       out=str(tmp_path / "a"), workbook=Workbook(b))

    backend.on_reread = the_other_run_writes_first
    outcome = run_region(settings, Region("IDF"), [("kits", kits_order_step)], NOW,
                         out=str(tmp_path / "b"), workbook=Workbook(backend))
    assert outcome.error == ""
    assert outcome.results[0].files == []  # the first run ordered it: no second file
    assert ("fichier", "aucun (rien de nouveau dans le classeur)") in outcome.results[0].summary
    assert len(list((tmp_path / "a" / "IDF" / "kits").glob("commande_kits_*.csv"))) == 1
    assert not (tmp_path / "b" / "IDF" / "kits").exists()


def test_a_refused_write_leaves_no_partner_file(tmp_path):
    from sheets_sync.errors import WorkbookError

    tabs = make_tabs(missions=[mission("M1", "12/11/2026")])

    def refused(_b):
        raise WorkbookError("Le classeur est ouvert dans Excel.")

    from sheets_sync import MemoryBackend

    backend = MemoryBackend(tabs)
    backend.on_reread = refused
    outcome = run_region(SETTINGS, IDF, [("kits", kits_order_step)], NOW,
                         out=str(tmp_path), workbook=Workbook(backend))
    assert outcome.error == "Le classeur est ouvert dans Excel."
    assert not (tmp_path / "IDF").exists()  # no order file, no memory


def test_a_cancelled_mission_gives_one_cancellation_line_for_the_partner(tmp_path):
    backend, _outcome, _result = run(make_tabs(employees=EMPLOYEES, missions=[mission("M0042", "12/11/2026")]),
                                     tmp_path)
    rows = backend.tabs["Missions"]
    rows[1][rows[0].index("Statut")] = "Annulée"
    _b, _o, result = run(backend, tmp_path)
    path = tmp_path / "IDF" / "kits" / "annulation_kits_20261105-0930.csv"
    assert path in result.files
    assert path.read_bytes() == (
        "\ufeffN° commande;N° mission;Kit;Destinataire;Statut du kit;Annulée le\r\n"
        "K-IDF-M0042;M0042;KIT-LINDT;Léa Martin;Commandé;05/11/2026\r\n").encode("utf-8")
    assert cell(backend, "M0042", "Kit annulé le") == "05/11/2026"
    assert state_record(backend, "kit", "K-IDF-M0042")["annule_le"] == "2026-11-05 09:30"
    _b, outcome, result = run(backend, tmp_path)  # never twice
    assert result.files == [] and outcome.report.written == 0
    assert len(list((tmp_path / "IDF" / "kits").glob("annulation_kits_*"))) == 1


def test_a_kit_already_returned_or_never_ordered_is_not_cancelled(tmp_path):
    backend, _o, _r = run(make_tabs(employees=EMPLOYEES, missions=[
        mission("M0042", "12/11/2026"), mission("M0043", "12/11/2026", Kit="")]), tmp_path)
    rows = backend.tabs["Missions"]
    for line in rows[1:]:
        line[rows[0].index("Statut")] = "Annulée"
    rows[1][rows[0].index("Kit statut")] = "Retourné"
    _b, _o, result = run(backend, tmp_path)
    assert result.files == []


def test_an_order_whose_delivery_date_is_past_is_urgent(tmp_path):
    # ordered on Sunday 08/11 for Monday 09/11: « Livrer avant » Friday 06/11 is past
    tabs = make_tabs(employees=EMPLOYEES, missions=[mission("M1", "09/11/2026"), mission("M2", "12/11/2026")])
    _, _, result = run(tabs, tmp_path, now=dt.datetime(2026, 11, 8, 18, 0))
    lines = result.files[0].read_bytes().decode("utf-8-sig").splitlines()
    assert lines[1].startswith("K-IDF-M1;M1;") and lines[1].endswith(";06/11/2026;URGENT")
    assert lines[2].startswith("K-IDF-M2;M2;") and lines[2].endswith(";10/11/2026;")
    assert ("dont urgentes (livraison due au plus tard aujourd'hui)", "1 : M1") in result.summary
