"""The .xlsx backend: values read, cells patched in place, everything else kept, safe saves."""
import datetime as dt
import hashlib
import os
import subprocess
import zipfile

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from sheets_sync import COLOR_ERROR, COLOR_MISSING, ChangeSet, Highlight, Workbook, WorkbookError
from sheets_sync.backend import CellWrite, WritePlan
from sheets_sync.xlsx_backend import XlsxBackend
from tests.factories import header, make_tabs, write_xlsx

CALC = len(header("Missions")) + 1  # the people's « Calcul » column, after the contract's

NOW = dt.datetime(2026, 11, 29, 9, 30)
YELLOW = "FFFF00"
JOURNAL_HEADER = ["Horodatage", "Tâche", "Onglet", "Clé", "Colonne", "Cellule", "Ancienne valeur",
                  "Nouvelle valeur"]


def solid(rgb: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color="FF" + rgb, end_color="FF" + rgb)


@pytest.fixture
def decorated(tmp_path):
    """A workbook as people keep it: real date/time cells, colours, a validation, a frozen
    header, formulas, a comment, widths, an autofilter and an extra tab."""
    tabs = make_tabs(
        employees=[{"Matricule": "S0001", "Code postal": 1000, "Visite médicale": dt.datetime(2026, 3, 15)},
                   {"Matricule": "S0002", "Nom": "Durand", "Téléphone": "0612345679", "Latitude": 45.75}],
        missions=[{"N° mission": "M1", "Date": dt.datetime(2026, 11, 29), "Début": dt.time(9, 0),
                   "Fin": dt.time(17, 30), "Commentaire": "client exigeant"},
                  {"N° mission": "M2", "Date": dt.datetime(2026, 11, 30), "Début": dt.time(10, 0),
                   "Fin": dt.time(18, 0)},
                  {"N° mission": "M3", "Date": "01/12/2026"}],
    )
    tabs["Missions"][0].append("Calcul")  # a people's column the contract does not know
    for i, row in enumerate(tabs["Missions"][1:], start=2):
        row.append(f"=LEN(A{i})")
    path = tmp_path / "region.xlsx"
    write_xlsx(path, tabs)
    wb = openpyxl.load_workbook(path)
    ws = wb["Missions"]
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = solid("DDEBF7")
    ws["L2"].fill = solid(YELLOW)  # a person's colour on Statut
    ws["G3"].fill = solid(COLOR_ERROR)  # the check job's colour
    ws["G2"].number_format = "DD/MM/YYYY"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = "A1:Y4"
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["O"].width = 42
    ws["X2"].comment = Comment("à rappeler", "Léa")
    dv = DataValidation(type="list", formula1='"À pourvoir,Proposée,Confirmée,Réalisée,Annulée"')
    dv.add("L2:L500")
    ws.add_data_validation(dv)
    extra = wb.create_sheet("Synthèse")
    extra["A1"] = "Missions"
    extra["B1"] = "=COUNTA(Missions!A:A)-1"
    extra["A2"] = "note"
    wb.save(path)
    return path


def load(path):
    wb = Workbook(XlsxBackend(path))
    return wb, wb.load()


def grid(path, data_only=False):
    wb = openpyxl.load_workbook(path, data_only=data_only)
    return {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
            for ws in wb.worksheets}


def test_reads_values_types_and_fills(decorated):
    _, data = load(decorated)
    missions, employees = data["Missions"], data["Salariés"]
    assert missions.df.at["M1", "Date"] == dt.datetime(2026, 11, 29)
    assert missions.df.at["M3", "Date"] == dt.datetime(2026, 12, 1)
    assert str(missions.df.at["M1", "Fin"]) == "0 days 17:30:00"
    assert employees.df.at["S0001", "Code postal"] == "01000"
    assert employees.df.at["S0002", "Latitude"] == 45.75
    assert employees.df.at["S0001", "Visite médicale"] == dt.datetime(2026, 3, 15)
    assert missions.fill_of("M1", "Statut") == YELLOW
    assert missions.fill_of("M2", "Date") == COLOR_ERROR
    assert data.findings == []


def test_raw_cells_are_python_values(decorated):
    raw = XlsxBackend(decorated).read(["Missions", "Absent"], header_only=())
    assert set(raw) == {"Missions"}
    tab = raw["Missions"]
    assert tab.value(2, 7) == dt.date(2026, 11, 29)  # a date cell shown as a date: a date
    assert tab.value(2, 8) == dt.time(9, 0)
    assert tab.value(2, CALC) is None  # a formula without a cached value: values only, never "=LEN(A2)"
    assert len(tab.rows) == 4
    header = XlsxBackend(decorated).read(["Missions"], header_only=("Missions",))["Missions"]
    assert len(header.rows) == 1 and header.rows[0][0] == "N° mission"


def test_job_changes_only_its_cells_and_everything_else_survives(decorated):
    before = grid(decorated)
    wb, data = load(decorated)
    missions = data["Missions"]
    changes = ChangeSet()
    changes.add("suggest", missions.change("M1", "Suggestions", "1. S0001 (3 km)"))
    changes.add("presence", missions.change("M2", "Présence", "Manquante"))
    changes.highlight("presence", Highlight("Missions", "M2", "Présence", COLOR_MISSING, COLOR_MISSING))
    report = wb.apply(changes, NOW)
    assert (report.written, report.highlights, report.skipped) == (2, 1, [])

    after = grid(decorated)
    expected = {k: dict(v) for k, v in before.items()}
    expected["Missions"]["O2"] = "1. S0001 (3 km)"
    expected["Missions"]["V3"] = "Manquante"
    expected["Journal"] = {
        "A1": "Horodatage", "B1": "Tâche", "C1": "Onglet", "D1": "Clé", "E1": "Colonne", "F1": "Cellule",
        "G1": "Ancienne valeur", "H1": "Nouvelle valeur",
        "A2": "2026-11-29 09:30:00", "B2": "suggest", "C2": "Missions", "D2": "M1", "E2": "Suggestions",
        "F2": "Missions!O2", "H2": "1. S0001 (3 km)",
        "A3": "2026-11-29 09:30:00", "B3": "presence", "C3": "Missions", "D3": "M2", "E3": "Présence",
        "F3": "Missions!V3", "H3": "Manquante",
        "A4": "2026-11-29 09:30:00", "B4": "presence", "C4": "Missions", "D4": "M2", "E4": "Présence",
        "F4": "Missions!V3", "H4": "fond EA9999",
    }
    for tab in ("Anomalies", "État", "Envois"):  # the tool's tabs the workbook lacked: created, with their header
        assert after.pop(tab) and tab not in expected
    ids = {ref: after["Journal"].pop(ref) for ref in [r for r in after["Journal"] if r[0] == "I"]}
    assert ids.pop("I1") == "Écriture" and len(set(ids.values())) == 1 and len(ids) == 3  # one write's id
    assert after == expected  # formulas included: Missions!AA2 "=LEN(A2)", Synthèse!B1

    book = openpyxl.load_workbook(decorated)
    ws = book["Missions"]
    assert book.sheetnames[:8] == ["Salariés", "Missions", "Magasins", "Marques", "Formations",
                                   "Indisponibilités", "Notes de frais", "Synthèse"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:Y4"
    assert ws.column_dimensions["A"].width == 14 and ws.column_dimensions["O"].width == 42
    assert ws["X2"].comment.text == "à rappeler"
    assert [(str(dv.sqref), dv.formula1) for dv in ws.data_validations.dataValidation] == [
        ("L2:L500", '"À pourvoir,Proposée,Confirmée,Réalisée,Annulée"')]
    assert ws["A1"].font.b and ws["A1"].fill.fgColor.rgb == "FFDDEBF7"
    assert ws["L2"].fill.fgColor.rgb == "FF" + YELLOW
    assert ws["G3"].fill.fgColor.rgb == "FF" + COLOR_ERROR
    assert ws["V3"].fill.fill_type == "solid" and ws["V3"].fill.fgColor.rgb == "FF" + COLOR_MISSING
    assert ws["G2"].number_format == "DD/MM/YYYY"
    assert ws["G2"].value == dt.datetime(2026, 11, 29)
    journal = book["Journal"]
    assert journal["A1"].font.b and journal.freeze_panes == "A2"


def test_journal_rows_are_appended_after_the_last_filled_row(decorated):
    wb, data = load(decorated)
    changes = ChangeSet()
    changes.add("suggest", data["Missions"].change("M1", "Suggestions", "A"))
    wb.apply(changes, NOW)
    book = openpyxl.load_workbook(decorated)
    book["Journal"]["C10"].fill = solid(YELLOW)  # formatted empty rows below do not count
    book.save(decorated)
    wb, data = load(decorated)
    changes = ChangeSet()
    changes.add("suggest", data["Missions"].change("M1", "Suggestions", "B"))
    wb.apply(changes, NOW)
    journal = openpyxl.load_workbook(decorated)["Journal"]
    assert [[c.value for c in row][6:8] for row in journal.iter_rows(min_row=2, max_row=3)] == [
        [None, "A"], ["A", "B"]]
    assert journal["A4"].value is None


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x.example\",\"clic\")", "+33612345678", "-5", "@x",
                                   "=1+1", "#N/A"])
def test_written_values_never_become_formulas(decorated, value):
    wb, data = load(decorated)
    changes = ChangeSet()
    changes.add("suggest", data["Missions"].change("M1", "Suggestions", value))
    assert wb.apply(changes, NOW).written == 1
    cell = openpyxl.load_workbook(decorated)["Missions"]["O2"]
    assert (cell.value, cell.data_type) == (value, "s")
    assert openpyxl.load_workbook(decorated, data_only=True)["Missions"]["O2"].value == value
    journal = openpyxl.load_workbook(decorated)["Journal"]
    assert (journal["H2"].value, journal["H2"].data_type) == (value, "s")
    with zipfile.ZipFile(decorated) as z:  # stored as a string cell, no <f> element
        sheet = z.read("xl/worksheets/sheet2.xml").decode()
    assert '<c r="O2"' in sheet and "<f>" not in sheet.split('<c r="O2"')[1].split("</c>")[0]
    # and the next read gives the same text back, so a second run is idempotent
    wb, data = load(decorated)
    assert data["Missions"].change("M1", "Suggestions", value) is None


def test_libreoffice_shows_injected_values_as_text(decorated, tmp_path, libreoffice):
    wb, data = load(decorated)
    changes = ChangeSet()
    changes.add("suggest", data["Missions"].change("M1", "Suggestions", "=1+1"))
    changes.add("suggest", data["Missions"].change("M2", "Suggestions", "+33612345678"))
    wb.apply(changes, NOW)
    out = tmp_path / "csv"
    profile = tmp_path / "lo-profile"
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
         "--outdir", str(out), str(decorated)],
        capture_output=True, timeout=180,
    )
    csv = out / "region-Missions.csv"
    assert csv.exists(), f"LibreOffice Calc cannot convert (libreoffice-calc-nogui?): {done.stderr.decode(errors='replace')[-200:]}"
    rows = list(__import__("csv").reader(csv.read_text(encoding="utf-8").splitlines()))
    assert rows[1][14] == "=1+1"  # our value: shown as typed, not evaluated
    assert rows[2][14] == "+33612345678"
    assert rows[1][CALC - 1] == "2"  # a real formula (=LEN(A2)) is evaluated by the same LibreOffice


@pytest.mark.parametrize("lock, suite", [(".~lock.region.xlsx#", "LibreOffice"), ("~$region.xlsx", "Excel")])
def test_workbook_open_in_an_office_suite_is_read_but_not_written(decorated, lock, suite):
    (decorated.parent / lock).write_text("x")
    wb, data = load(decorated)  # reading what is saved on disk is fine
    assert "M1" in data["Missions"].df.index
    assert wb.backend.read_only_note() == (
        f"Classeur ouvert dans {suite} : lu tel qu'enregistré sur le disque, rien n'y est écrit.")
    assert wb.apply(ChangeSet(), NOW).written == 0  # nothing to write: no refusal
    changes = ChangeSet()
    changes.add("suggest", data["Missions"].change("M1", "Suggestions", "x"))
    with pytest.raises(WorkbookError) as err:
        wb.apply(changes, NOW)
    assert str(err.value) == (
        f"Le classeur {decorated} est ouvert dans {suite} (fichier de verrou « {lock} ») : "
        "fermez-le puis relancez. Si personne ne l'a ouvert, supprimez ce fichier de verrou."
    )


def test_lock_taken_between_read_and_write_is_refused_and_file_untouched(decorated):
    wb, data = load(decorated)
    digest = hashlib.sha256(decorated.read_bytes()).hexdigest()
    changes = ChangeSet()
    changes.add("suggest", data["Missions"].change("M1", "Suggestions", "x"))
    (decorated.parent / "~$region.xlsx").write_text("x")
    with pytest.raises(WorkbookError, match="ouvert dans Excel"):
        wb.apply(changes, NOW)
    assert hashlib.sha256(decorated.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in decorated.parent.iterdir()) == ["region.xlsx", "~$region.xlsx"]


def test_a_person_edit_between_read_and_write_is_skipped_and_reported(decorated):
    wb, data = load(decorated)
    changes = ChangeSet()
    changes.add("suggest", data["Missions"].change("M1", "Suggestions", "1. S0001"))
    changes.add("suggest", data["Missions"].change("M2", "Suggestions", "1. S0002"))
    book = openpyxl.load_workbook(decorated)  # a person types in M1's cell meanwhile
    book["Missions"]["O2"] = "déjà proposé à Léa"
    book.save(decorated)
    report = wb.apply(changes, NOW)
    assert report.written == 1
    assert [(s.key, s.cell, s.reason) for s in report.skipped] == [
        ("M1", "Missions!O2", "modifiée entre-temps (vide → « déjà proposé à Léa »)")]
    ws = openpyxl.load_workbook(decorated)["Missions"]
    assert (ws["O2"].value, ws["O3"].value) == ("déjà proposé à Léa", "1. S0002")


def test_file_saved_by_someone_between_reread_and_write_is_refused(decorated):
    backend = XlsxBackend(decorated)
    backend.read(["Missions"])
    book = openpyxl.load_workbook(decorated)
    book["Missions"]["X3"] = "saisi à l'instant"
    book.save(decorated)
    with pytest.raises(WorkbookError) as err:
        backend.write(WritePlan(cells=[CellWrite("Missions", 2, 15, "x")]))
    assert str(err.value) == f"Le classeur {decorated} a été modifié pendant le traitement ; relancez."
    assert openpyxl.load_workbook(decorated)["Missions"]["X3"].value == "saisi à l'instant"


def test_reread_is_cheap_when_unchanged_and_sees_edits_otherwise(decorated):
    backend = XlsxBackend(decorated)
    first = backend.read(["Missions", "Journal"], header_only=("Journal",))
    again = backend.reread(["Missions", "Journal"], header_only=("Journal",))
    assert backend.loads == 1 and again["Missions"].rows == first["Missions"].rows
    assert "Journal" not in again
    book = openpyxl.load_workbook(decorated)
    book["Missions"]["O2"] = "vu"
    book.save(decorated)
    fresh = backend.reread(["Missions"])
    assert backend.loads == 2 and fresh["Missions"].value(2, 15) == "vu"


def test_second_identical_apply_writes_nothing(decorated):
    def run():
        wb, data = load(decorated)
        changes = ChangeSet()
        changes.add("presence", data["Missions"].change("M1", "Présence", "Confirmée"))
        changes.add("presence", data["Missions"].change("M1", "Heure appel", "08:52"))
        table = data["Missions"]
        for hl in table.highlights(COLOR_MISSING, {("M2", "Présence")}):
            changes.highlight("presence", hl)
        return wb, wb.apply(changes, NOW)

    _, report = run()
    assert (report.written, report.highlights) == (2, 1)
    stat, content = os.stat(decorated), decorated.read_bytes()
    backend_wb, report = run()
    assert (report.written, report.highlights, report.journal_rows) == (0, 0, 0)
    assert backend_wb.backend.writes == 0
    assert os.stat(decorated).st_mtime_ns == stat.st_mtime_ns and decorated.read_bytes() == content


def test_fills_set_and_removed_only_the_tools_own(decorated):
    wb, data = load(decorated)
    changes = ChangeSet()
    table = data["Missions"]
    # the check job wants no error colour any more; the presence job colours M1's Présence
    for hl in table.highlights(COLOR_ERROR, set()):
        changes.highlight("check", hl)
    for hl in table.highlights(COLOR_MISSING, {("M1", "Présence")}):
        changes.highlight("presence", hl)
    report = wb.apply(changes, NOW)
    assert report.highlights == 2
    ws = openpyxl.load_workbook(decorated)["Missions"]
    assert ws["G3"].fill.fill_type is None and ws["G3"].value == dt.datetime(2026, 11, 30)
    assert ws["V2"].fill.fgColor.rgb == "FF" + COLOR_MISSING
    assert ws["L2"].fill.fgColor.rgb == "FF" + YELLOW  # a person's colour is never removed
    raw = XlsxBackend(decorated).read(["Missions"])["Missions"]
    assert raw.fills == {(1, c): "DDEBF7" for c in range(1, CALC + 1)} | {(2, 12): YELLOW, (2, 22): COLOR_MISSING}


def test_clearing_a_cell_and_writing_numbers(decorated):
    backend = XlsxBackend(decorated)
    backend.read(["Salariés"])
    backend.write(WritePlan(cells=[CellWrite("Salariés", 2, 9, 48.5), CellWrite("Salariés", 2, 10, 2),
                                   CellWrite("Salariés", 2, 5, "")]))
    ws = openpyxl.load_workbook(decorated)["Salariés"]
    assert (ws["I2"].value, ws["J2"].value, ws["E2"].value) == (48.5, 2, None)
    assert ws["I2"].data_type == "n"


def test_owned_tabs_are_created(tmp_path):
    path = tmp_path / "r.xlsx"
    write_xlsx(path, make_tabs())
    wb, data = load(path)
    changes = ChangeSet()
    changes.rewrite("check", "Anomalies", [["erreur", "missions.x", "Missions", "Missions!G2", "M0001",
                                            "Missions!G2 : date illisible", "29/11/2026"]])
    report = wb.apply(changes, NOW)
    assert report.owned_rows == {"Anomalies": 1}
    book = openpyxl.load_workbook(path)
    assert book["Anomalies"]["F2"].value == "Missions!G2 : date illisible"
    assert [c.value for c in book["Journal"][1]] == JOURNAL_HEADER + ["Écriture"]  # a new Journal has the write ids column
    assert book["Journal"]["F2"].value == "Anomalies!A2:G2"


def test_missing_file_and_not_an_xlsx(tmp_path):
    missing = tmp_path / "absent.xlsx"
    with pytest.raises(WorkbookError) as err:
        load(missing)
    assert str(err.value) == f"Classeur introuvable : {missing}. Vérifiez le chemin."
    bad = tmp_path / "faux.xlsx"
    bad.write_text("N° mission;Date\n")
    with pytest.raises(WorkbookError) as err:
        load(bad)
    assert str(err.value) == (f"{bad} n'est pas un classeur .xlsx lisible (BadZipFile) : "
                              "ouvrez-le et enregistrez-le au format Excel (.xlsx), puis relancez.")


def test_save_is_atomic_and_keeps_the_file_mode(decorated):
    os.chmod(decorated, 0o640)
    wb, data = load(decorated)
    changes = ChangeSet()
    changes.add("suggest", data["Missions"].change("M1", "Suggestions", "x"))
    wb.apply(changes, NOW)
    assert os.stat(decorated).st_mode & 0o777 == 0o640
    assert sorted(p.name for p in decorated.parent.iterdir()) == ["region.xlsx"]


def _add_part(path, name, data):
    with zipfile.ZipFile(path, "a") as z:
        z.writestr(name, data)


def test_a_chart_survives_a_write(tmp_path):
    from openpyxl.chart import BarChart, Reference

    path = tmp_path / "r.xlsx"
    write_xlsx(path, make_tabs())
    book = openpyxl.load_workbook(path)
    chart = BarChart()
    chart.add_data(Reference(book["Salariés"], min_col=12, min_row=1, max_row=2))
    book["Salariés"].add_chart(chart, "P2")
    book.save(path)
    wb, data = load(path)
    changes = ChangeSet()
    changes.add("suggest", data["Missions"].change("M0001", "Suggestions", "x"))
    assert wb.apply(changes, NOW).written == 1
    assert "xl/charts/chart1.xml" in zipfile.ZipFile(path).namelist()


def test_parts_openpyxl_would_drop_survive_byte_for_byte(decorated):
    _add_part(decorated, "xl/media/image1.png", b"\x89PNG fake image")  # openpyxl drops images without Pillow
    with zipfile.ZipFile(decorated) as z:
        before = {n: z.read(n) for n in z.namelist()}
    wb, data = load(decorated)
    changes = ChangeSet()
    changes.add("suggest", data["Missions"].change("M1", "Suggestions", "x"))
    assert wb.apply(changes, NOW).written == 1
    with zipfile.ZipFile(decorated) as z:
        after = {n: z.read(n) for n in z.namelist()}
    touched = {"xl/worksheets/sheet2.xml", "xl/workbook.xml", "xl/worksheets/sheet9.xml",  # Missions, Journal
               "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}
    assert set(before) <= set(after)
    assert {n for n in before if before[n] != after[n]} <= touched
    assert after["xl/media/image1.png"] == b"\x89PNG fake image"


def test_a_validation_extension_survives_a_write(decorated):
    # Excel 2010+ stores a list validation pointing at another tab in an x14 extension
    with zipfile.ZipFile(decorated) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    ext = ('<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
           'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
           '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
           '<x14:dataValidation type="list"><x14:formula1><xm:f>Synthèse!$A$1:$A$2</xm:f></x14:formula1>'
           '<xm:sqref>M2:M500</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>')
    sheet = parts["xl/worksheets/sheet2.xml"].decode()
    parts["xl/worksheets/sheet2.xml"] = sheet.replace("</worksheet>", ext + "</worksheet>").encode()
    with zipfile.ZipFile(decorated, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    wb, data = load(decorated)
    changes = ChangeSet()
    changes.add("suggest", data["Missions"].change("M1", "Suggestions", "x"))
    assert wb.apply(changes, NOW).written == 1
    with zipfile.ZipFile(decorated) as z:
        assert ext.encode() in z.read("xl/worksheets/sheet2.xml")


def test_formulas_are_recomputed_when_the_office_suite_opens_the_file(decorated):
    wb, data = load(decorated)
    changes = ChangeSet()
    changes.add("suggest", data["Missions"].change("M1", "Suggestions", "x"))
    wb.apply(changes, NOW)
    with zipfile.ZipFile(decorated) as z:
        assert 'fullCalcOnLoad="1"' in z.read("xl/workbook.xml").decode()


def test_a_temporary_file_left_by_a_killed_save_is_removed_by_the_next_write(decorated):
    import os
    import time

    stale = decorated.parent / f".{decorated.stem}.abc123.tmp"
    stale.write_bytes(b"half a workbook")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    fresh = decorated.parent / f".{decorated.stem}.def456.tmp"  # maybe another run's, right now
    fresh.write_bytes(b"x")
    wb, data = load(decorated)
    changes = ChangeSet()
    changes.add("suggest", data["Missions"].change("M1", "Suggestions", "1. S0001"))
    wb.apply(changes, NOW)
    assert not stale.exists() and fresh.exists()


def test_a_formula_replaced_in_a_job_column_is_journaled_as_its_text(tmp_path):
    import openpyxl

    path = tmp_path / "f.xlsx"
    tabs = make_tabs(missions=[{"N° mission": "M1"}])
    write_xlsx(path, tabs)
    book = openpyxl.load_workbook(path)
    sheet = book["Missions"]
    column = [c.value for c in sheet[1]].index("Suggestions") + 1
    sheet.cell(2, column).value = '=CONCAT("S", "0001")'
    book.save(path)
    wb, data = load(path)
    changes = ChangeSet()
    changes.add("suggest", data["Missions"].change("M1", "Suggestions", "1. S0002"))
    wb.apply(changes, NOW)
    journal = openpyxl.load_workbook(path)["Journal"]
    assert [c.value for c in journal[2]][6] == '=CONCAT("S", "0001")'


def test_the_anomalies_tab_is_laid_out_to_be_read_and_its_cells_link_to_the_cell(tmp_path):
    from click.testing import CliRunner

    from backoffice.cli import cli
    from sheets_sync.xlsx_patch import lay_out

    path = write_xlsx(tmp_path / "IDF.xlsx", make_tabs(missions=[{"N° mission": "M1", "Date": "26/11/2026"}]))
    result = CliRunner().invoke(cli, ["--workbook", path, "--now", "2026-11-27 08:00", "check"])
    assert result.exit_code == 1, result.output
    book = openpyxl.load_workbook(path)
    sheet = book["Anomalies"]
    widths = {c: sheet.column_dimensions[c].width for c in "ABCDEFG"}
    assert widths["F"] >= 100 and widths["B"] >= 25 and widths["D"] >= 18  # Message, Règle, Cellule readable
    for (cell,) in sheet.iter_rows(min_row=2, min_col=4, max_col=4):
        tab, ref = cell.value.split("!")
        assert cell.hyperlink is not None and cell.hyperlink.location == f"'{tab}'!{ref}"  # a link, not a formula
    again = CliRunner().invoke(cli, ["--workbook", path, "--now", "2026-11-27 08:00", "check"])
    assert "Anomalies" not in again.output.split("Écriture")[-1] or "0 cellule" in again.output
    # a tab name with a quote or a space is quoted in the link
    xml = lay_out(b'<worksheet><sheetData/></worksheet>', [9, 9], 1, ["Notes de frais!F3", "d'x!A1", "pas une cellule"])
    assert b'location="\'Notes de frais\'!F3"' in xml and b"location=\"'d''x'!A1\"" in xml
    assert xml.count(b"<hyperlink ") == 2 and xml.index(b"<cols>") < xml.index(b"<sheetData/>")


def test_init_date_columns_are_wide_enough_for_a_date(tmp_path):
    from backoffice.workbook_file import write_workbook

    path = tmp_path / "BRE.xlsx"
    write_workbook(path, {}, owned_tabs=True)
    sheet = openpyxl.load_workbook(path)["Missions"]
    assert sheet.column_dimensions["G"].width >= 12  # Date


def test_dates_the_tool_writes_are_date_cells_and_their_style_is_made_once(tmp_path):
    from sheets_sync.xlsx_patch import Styles

    bare = (b'<styleSheet xmlns="x"><fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
            b'<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellXfs></styleSheet>')
    styles = Styles(bare)
    index = styles.date()
    assert index == 1 and styles.date() == 1
    xml = styles.serialize()
    assert xml.index(b'<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>') < xml.index(
        b"<fonts")
    again = Styles(xml)  # the next write finds both the format and the style
    assert again.date() == 1 and not again.changed and again.serialize() == xml
    # a workbook with custom formats of its own: the next free id, its section kept
    theirs = bare.replace(b"<fonts", b'<numFmts count="1"><numFmt numFmtId="170" formatCode="0.0 %"/></numFmts><fonts')
    mixed = Styles(theirs)
    mixed.date()
    assert b'<numFmts count="2"><numFmt numFmtId="170" formatCode="0.0 %"/><numFmt numFmtId="171" ' in mixed.serialize()

    path = write_xlsx(tmp_path / "IDF.xlsx", make_tabs(missions=[{"N° mission": "M1", "Date": "26/11/2026"}]))
    for day in ("2026-11-27 08:00", "2026-11-28 08:00"):  # a new finding the day after: rewritten
        wb, data = load(path)
        changes = ChangeSet()
        changes.rewrite("check", "Anomalies", [["alerte", "r", "Missions", "Missions!A2", "M1", "m", dt.date(2026, 11, 27)],
                                               ["alerte", "r", "Missions", "Missions!A2", "M1", day, dt.date(2026, 11, 28)]])
        wb.apply(changes, NOW)
        with zipfile.ZipFile(path) as z:
            assert z.read("xl/styles.xml").count(b'formatCode="dd/mm/yyyy"') == 1
    cells = openpyxl.load_workbook(path)["Anomalies"]
    assert [(c.value, c.number_format) for c in cells["G"][1:]] == [
        (dt.datetime(2026, 11, 27), "dd/mm/yyyy"), (dt.datetime(2026, 11, 28), "dd/mm/yyyy")]
    wb, data = load(path)
    assert data["Anomalies"].raw.rows[1][6] in (dt.date(2026, 11, 27), dt.datetime(2026, 11, 27))  # calamine: a date
