"""The .xlsx backend's fast paths give what its general ones give: sheets read by two threads,
the cells' tags restyled in place, the zip's structure checked on read-back, one standard-error
redirection shared by the reader threads."""
import datetime as dt
import os
import re
import struct
import threading
import zipfile

import openpyxl
import pytest
from openpyxl.styles import PatternFill

import sheets_sync.xlsx_backend as xlsx_backend
import sheets_sync.xlsx_patch as xlsx_patch
from sheets_sync import COLOR_ERROR, ChangeSet, Highlight, Workbook
from sheets_sync.xlsx_backend import XlsxBackend, _rust_panics_silenced, _sound_archive
from sheets_sync.xlsx_patch import SheetEdits, Styles, _CellEdit, patch_sheet
from tests.factories import make_tabs, write_xlsx

YELLOW = "FFFF00"


@pytest.fixture
def region(tmp_path):
    """A workbook with a few hundred rows in its big tabs, colours and a merged range."""
    employees = [{"Matricule": f"S{i:04d}", "Nom": f"Nom{i}"} for i in range(1, 121)]
    missions = [{"N° mission": f"M{i:04d}", "Salarié": f"S{i % 120 + 1:04d}", "Date": "01/12/2026",
                 "Statut": "Confirmée"} for i in range(1, 401)]
    path = tmp_path / "region.xlsx"
    write_xlsx(path, make_tabs(employees=employees, missions=missions))
    book = openpyxl.load_workbook(path)
    book["Missions"]["L7"].fill = PatternFill(fill_type="solid", start_color="FF" + YELLOW, end_color="FF" + YELLOW)
    book["Salariés"].merge_cells("X2:Y3")
    book.save(path)
    return path


def _read(path, readers: int, monkeypatch) -> dict:
    monkeypatch.setattr(xlsx_backend, "READERS", readers)
    tabs = XlsxBackend(path).read(["Salariés", "Missions", "Magasins", "Absent"], ("Magasins",))
    return {title: (tab.rows, tab.fills, tab.merged) for title, tab in tabs.items()}


def test_two_reader_threads_read_exactly_what_one_reads(region, monkeypatch):
    alone = _read(region, 1, monkeypatch)
    together = _read(region, 2, monkeypatch)
    assert together == alone
    assert list(together) == ["Salariés", "Missions", "Magasins"]  # the order asked, the absent left out
    assert alone["Missions"][1][(7, 12)] == YELLOW and alone["Salariés"][2] == [(2, 24, 3, 25)]
    assert len(alone["Missions"][0]) == 401 and len(alone["Magasins"][0]) == 1  # a header-only tab: row 1


def test_each_tab_is_given_once_as_soon_as_it_is_read(region):
    got = [title for title, _tab in XlsxBackend(region).read_each(["Salariés", "Missions", "Magasins"])]
    assert sorted(got) == ["Magasins", "Missions", "Salariés"]


def test_the_reader_threads_share_one_redirection_of_standard_error_undone_by_the_last(capfd):
    before = os.fstat(2)
    null = os.stat(os.devnull)
    inside, leave = threading.Barrier(3), threading.Barrier(3)
    seen = []

    def reader():
        with _rust_panics_silenced():
            inside.wait()
            seen.append(os.fstat(2).st_rdev == null.st_rdev)
            leave.wait()

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait()
    leave.wait()
    for t in threads:
        t.join()
    after = os.fstat(2)
    assert seen == [True, True]
    assert (after.st_ino, after.st_dev) == (before.st_ino, before.st_dev)
    os.write(2, b"visible")
    assert "visible" in capfd.readouterr().err


# --- the check's highlights: only the cells' opening tags are rewritten ----------------------------

STYLES = (b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          b'<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
          b'</fill></fills><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
          b'<xf numFmtId="14" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/></cellXfs></styleSheet>')
SHEET = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         b'<row r="1"><c r="A1" t="inlineStr"><is><t>Cl\xc3\xa9</t></is></c><c r="B1" t="inlineStr"><is><t>Date</t></is>'
         b'</c></row>'
         b'<row r="2" spans="1:3"><c r="A2" t="inlineStr"><is><t>K1</t></is></c><c r="B2" s="1"><v>46000</v></c></row>'
         b'<row r="3"><c r="A3" t="inlineStr"><is><t>K2</t></is></c><c r="C3"/></row>'
         b'<row r="4"><c r="B4"><v>1</v></c><c r="A4" t="inlineStr"><is><t>K3</t></is></c></row>'
         b'</sheetData></worksheet>')


def _prefixed(xml: bytes) -> bytes:
    """The same sheet with its elements in a prefixed namespace (``x:row``), as some writers do."""
    xml = xml.replace(b'<worksheet xmlns=', b'<x:worksheet xmlns:x=')
    return re.sub(rb"<(/?)(?!x:)(\w+)", rb"<\1x:\2", xml)


def _edits() -> SheetEdits:
    fill = _CellEdit(fill=COLOR_ERROR)
    return SheetEdits(cells={(2, 2): fill, (2, 1): _CellEdit(fill=COLOR_ERROR), (3, 3): _CellEdit(fill=COLOR_ERROR),
                             (3, 2): _CellEdit(fill=COLOR_ERROR),  # a cell the row lacks: rebuilt
                             (4, 1): _CellEdit(fill=COLOR_ERROR), (4, 2): _CellEdit(fill=None),  # out of order
                             (5, 1): _CellEdit(fill=COLOR_ERROR)})  # a row the sheet lacks


@pytest.mark.parametrize("sheet", [SHEET, _prefixed(SHEET)], ids=["plain", "prefixed"])
def test_restyling_cells_in_place_gives_the_bytes_the_general_path_gives(sheet, monkeypatch):
    fast = patch_sheet(sheet, _edits(), Styles(STYLES), {}, "Missions")
    monkeypatch.setattr(xlsx_patch, "_restyled", lambda *args: None)
    general = patch_sheet(sheet, _edits(), Styles(STYLES), {}, "Missions")
    assert fast == general
    assert b'spans="1:3"' in fast  # a row restyled in place keeps its attributes
    assert fast.count(b'r="C3" s="') == 1 and fast.count(b'r="B3" s="') == 1 and fast.count(b'r="A5" s="') == 1


def test_highlights_written_in_place_read_back_with_their_colour(region):
    wb = Workbook(XlsxBackend(region))
    data = wb.load()
    changes = ChangeSet()
    for key in list(data["Missions"].df.index[:300]):
        changes.highlight("check", Highlight("Missions", key, "Salarié", COLOR_ERROR, COLOR_ERROR))
    changes.highlight("check", Highlight("Missions", "M0009", "Contrat", COLOR_ERROR, COLOR_ERROR))  # an empty cell
    report = wb.apply(changes, dt.datetime(2026, 11, 29, 9, 30))
    assert report.highlights == 301
    sheet = openpyxl.load_workbook(region)["Missions"]
    coloured = {c.coordinate for row in sheet.iter_rows() for c in row
                if c.fill.fill_type == "solid" and c.fill.start_color.rgb.endswith(COLOR_ERROR)}
    assert len(coloured) == 301 and "K2" in coloured and "M10" in coloured
    assert sheet["L7"].fill.start_color.rgb.endswith(YELLOW)  # a person's colour stays


# --- the read-back check of a saved file ------------------------------------------------------------

def _zip(path, members: dict[str, bytes]) -> bytes:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path.read_bytes()


def test_the_saved_archive_is_checked_for_a_sound_structure(tmp_path, region):
    assert _sound_archive(region)
    path = tmp_path / "a.zip"
    content = _zip(path, {"a.xml": b"A" * 100, "b.xml": b"B" * 100})
    assert _sound_archive(path)

    path.write_bytes(content[:-30])  # cut short
    assert not _sound_archive(path)

    broken = bytearray(content)
    second = content.index(b"PK\x03\x04", 4)
    broken[second:second + 4] = b"PK\x00\x00"  # a member's local header gone
    path.write_bytes(bytes(broken))
    assert not _sound_archive(path)

    long = bytearray(content)
    entry = content.index(b"PK\x01\x02")  # the first member's central entry says it runs into the next
    struct.pack_into("<L", long, entry + 20, 150)
    path.write_bytes(bytes(long))
    assert not _sound_archive(path)
