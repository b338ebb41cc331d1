"""Workbooks made by other programs keep every part of their package through our jobs.

Two packages: one written by LibreOffice Calc (its own XML style), and one holding what real
agency workbooks hold: a structured table over ``Missions``, a chart on a tab of its own,
conditional formats and validations with their Excel 2010 extensions, a comment, an image, a
pivot table and its cache, a slicer, threaded comments, custom XML and, as an ``.xlsm``, a macro
project. ``presence``, ``check`` and ``run`` go through the CLI; afterwards every part is still
there, every part the jobs had no reason to touch is byte for byte the same, and LibreOffice
Calc, a second client, reads back the values the jobs wrote.
"""
import csv
import datetime as dt
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from backoffice.cli import cli
from sheets_sync.a1 import col_letter
from tests.factories import make_tabs, set_agency_env, write_xlsx
from tests.programs import LIBREOFFICE, require

TODAY = dt.date(2026, 11, 29)
NOW = ["--now", "2026-11-29 10:30"]
HEADER = "date_appel;numero_appelant;code_saisi;resultat\n"
LO = LIBREOFFICE
EXT_DATABAR = (
    '<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:conditionalFormattings>'
    '<x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:cfRule type="dataBar" id="{00000000-0000-0000-0000-000000000001}"><x14:dataBar minLength="0" '
    'maxLength="100"><x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/></x14:dataBar></x14:cfRule>'
    '<xm:sqref>C2:C10</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>')
EXTRA_PARTS = {
    "xl/media/image1.png": b"\x89PNG\r\n\x1a\n a logo",
    "xl/pivotTables/pivotTable1.xml": b'<?xml version="1.0"?><pivotTableDefinition name="TCD1"/>',
    "xl/pivotCache/pivotCacheDefinition1.xml": b'<?xml version="1.0"?><pivotCacheDefinition/>',
    "xl/slicers/slicer1.xml": b'<?xml version="1.0"?><slicers/>',
    "xl/threadedComments/threadedComment1.xml": b'<?xml version="1.0"?><ThreadedComments/>',
    "customXml/item1.xml": b'<?xml version="1.0"?><agence>Promo Terrain Ouest</agence>',
    "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 a macro project",
}


def region_tabs():
    employees = [{"Matricule": f"S000{i}", "Prénom": f"P{i}", "Nom": f"N{i}", "Téléphone": f"06 00 00 00 0{i}"}
                 for i in (1, 2, 3)]
    missions = [{"N° mission": f"M{i}", "Salarié": f"S000{i}", "Statut": "Confirmée", "Date": "29/11/2026",
                 "Contrat": "Signé"} for i in (1, 2, 3)]
    missions.append({"N° mission": "M9", "Date": "03/12/2026", "Statut": "À pourvoir"})
    return make_tabs(employees=employees, missions=missions)


def ivr_log(folder: Path) -> Path:
    path = folder / "svi.csv"
    path.write_text(HEADER + "29/11/2026 08:55;06 00 00 00 01;;OK\n29/11/2026 09:20;06 00 00 00 02;;OK\n",
                    encoding="utf-8")
    return path


def rich_workbook(path: Path) -> Path:
    """An .xlsm with what real agency workbooks hold (see the module's docstring)."""
    plain = path.with_suffix(".xlsx")
    write_xlsx(plain, region_tabs())
    book = openpyxl.load_workbook(plain)
    missions = book["Missions"]
    width, height = missions.max_column, missions.max_row
    table = Table(displayName="TableMissions", ref=f"A1:{col_letter(width)}{height}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium9", showRowStripes=True)
    missions.add_table(table)
    missions.conditional_formatting.add("H2:H10", CellIsRule(operator="lessThan", formula=["0"]))
    validation = DataValidation(type="list", formula1='"Oui,Non"', allow_blank=True)
    missions.add_data_validation(validation)
    validation.add("X2:X10")
    missions["X2"].comment = Comment("à rappeler", "CDBO")
    board = book.create_sheet("Tableau de bord")
    board["A1"], board["A2"], board["B2"] = "Missions du mois", "Semaine 48", 12
    chart = BarChart()
    chart.add_data(Reference(board, min_col=2, min_row=1, max_row=2))
    board.add_chart(chart, "D2")
    book.save(plain)
    with zipfile.ZipFile(plain) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    sheet = "xl/worksheets/sheet2.xml"  # Missions
    parts[sheet] = parts[sheet].replace(b"</worksheet>", EXT_DATABAR.encode() + b"</worksheet>")
    parts.update(EXTRA_PARTS)
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    plain.unlink()
    return path


def libreoffice_workbook(path: Path) -> Path:
    """The region saved by LibreOffice Calc: a package in LibreOffice's own XML style."""
    source = path.parent / "source.xlsx"
    write_xlsx(source, region_tabs())
    convert(source, path.parent / "lo", "xlsx:Calc MS Excel 2007 XML")
    shutil.move(path.parent / "lo" / "source.xlsx", path)
    return path


def convert(path: Path, outdir: Path, target: str) -> subprocess.CompletedProcess:
    profile = outdir.parent / f"lo-profile-{outdir.name}"
    return subprocess.run([LO, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target,
                           "--outdir", str(outdir), str(path)], capture_output=True, timeout=240)


def parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def run_jobs(path: Path, log: Path, monkeypatch) -> list:
    for name in list(__import__("os").environ):
        if name.startswith("BACKOFFICE_"):
            monkeypatch.delenv(name)
    set_agency_env(monkeypatch)
    out = path.parent / "out"
    results = []
    for args in (["presence", "--ivr-log", str(log)], ["check"], ["run", "--ivr-log", str(log), "--out", str(out)]):
        result = CliRunner().invoke(cli, ["--workbook", str(path), *NOW, *args])
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output
        results.append(result)
    return results


# Parts a job may change: the sheets it writes (Missions, Notes de frais for highlights, its own
# Anomalies and Journal), the styles (new cell styles), and what a new tab needs.
MAY_CHANGE = ("xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml")


def written_sheets(path: Path) -> set[str]:
    from sheets_sync.xlsx_package import sheet_parts

    with zipfile.ZipFile(path) as archive:
        parts = sheet_parts(archive)
    return {parts[t] for t in ("Missions", "Notes de frais", "Anomalies", "Journal") if t in parts}


@pytest.mark.parametrize("make", [rich_workbook, libreoffice_workbook], ids=["rich-xlsm", "libreoffice"])
def test_every_part_survives_presence_check_and_run(tmp_path, monkeypatch, make):
    if make is libreoffice_workbook:
        require("soffice")
    path = make(tmp_path / ("region.xlsm" if make is rich_workbook else "region.xlsx"))
    before = parts_of(path)
    run_jobs(path, ivr_log(tmp_path), monkeypatch)
    after = parts_of(path)
    assert set(before) <= set(after)  # no part lost
    allowed = set(MAY_CHANGE) | written_sheets(path)
    changed = {n for n in before if before[n] != after[n]}
    assert changed <= allowed, changed - allowed
    for name in EXTRA_PARTS if make is rich_workbook else ():
        assert after[name] == EXTRA_PARTS[name], name
    if make is rich_workbook:
        missions = after["xl/worksheets/sheet2.xml"]
        assert EXT_DATABAR.encode() in missions and b"<tableParts" in missions
        assert after["xl/tables/table1.xml"] == before["xl/tables/table1.xml"]
        assert any(n.startswith("xl/charts/chart") for n in after)
    book = openpyxl.load_workbook(path)  # still a workbook an office suite can open
    sheet = book["Missions"]
    head = [c.value for c in sheet[1]]
    presence = {sheet.cell(r, 1).value: sheet.cell(r, head.index("Présence") + 1).value for r in range(2, 6)}
    assert presence == {"M1": "Confirmée", "M2": "En retard", "M3": "Manquante", "M9": None}
    assert "Anomalies" in book.sheetnames and "Journal" in book.sheetnames


@pytest.mark.parametrize("make", [rich_workbook, libreoffice_workbook], ids=["rich-xlsm", "libreoffice"])
def test_libreoffice_reads_back_what_the_jobs_wrote(tmp_path, monkeypatch, make, libreoffice):
    path = make(tmp_path / ("region.xlsm" if make is rich_workbook else "region.xlsx"))
    run_jobs(path, ivr_log(tmp_path), monkeypatch)
    out = tmp_path / "csv"
    done = convert(path, out, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1")
    exported = out / f"{path.stem}-Missions.csv"
    if not exported.exists():
        pytest.skip(f"LibreOffice Calc cannot convert: {done.stderr.decode(errors='replace')[-300:]}")
    rows = list(csv.reader(exported.read_text(encoding="utf-8").splitlines()))
    head = rows[0]
    by_key = {r[0]: dict(zip(head, r)) for r in rows[1:] if r and r[0]}
    assert (by_key["M1"]["Présence"], by_key["M1"]["Heure appel"]) == ("Confirmée", "08:55")
    assert by_key["M3"]["Présence"] == "Manquante"
    assert by_key["M9"]["Suggestions"].startswith("Aucun candidat")
    journal = list(csv.reader((out / f"{path.stem}-Journal.csv").read_text(encoding="utf-8").splitlines()))
    assert journal[0][:3] == ["Horodatage", "Tâche", "Onglet"] and len(journal) > 5
