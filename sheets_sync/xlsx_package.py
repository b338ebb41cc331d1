"""Looking inside an ``.xlsx`` package without parsing its cells: limits, sheet parts.

A workbook is a zip of XML parts. Before anything parses it, :func:`check_package` refuses a
package that would unpack beyond a limit (a zip bomb: a few hundred KB that inflate to GB) or
that holds a text longer than Excel's own cell limit, with a message that says so.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from xml.etree import ElementTree

from .errors import WorkbookError

EXCEL_CELL_MAX = 32767  # characters in one cell (Excel's limit)
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
_LONG_TEXT = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>[^<]{%d}" % (EXCEL_CELL_MAX + 1))


def check_package(content: bytes, label: str, max_unpacked: int) -> None:
    """Refuse, before parsing, a package too large once unpacked or holding an over-long text."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        return  # not a zip: the reader says so in its own words
    with archive:
        infos = archive.infolist()
        total = sum(i.file_size for i in infos)
        if total > max_unpacked:
            raise WorkbookError(
                f"{label} : classeur refusé, il occuperait {_mb(total)} Mo une fois décompressé "
                f"(limite {_mb(max_unpacked)} Mo, réglage limits.xlsx_unpacked_mb). Rien n'a été lu. "
                "Vérifiez le fichier (une cellule démesurée, des milliers de lignes vides mises en forme) "
                "ou augmentez la limite."
            )
        for info in infos:
            name = info.filename
            # Texts live in the shared strings (Excel, LibreOffice and openpyxl write them there);
            # a sheet may hold them inline: its part is scanned when it unpacks suspiciously (a
            # ratio no real sheet has) or is very large, in bounded memory
            if name == "xl/sharedStrings.xml":
                with archive.open(info) as part:
                    long = bool(_LONG_TEXT.search(part.read()))
            elif name.startswith("xl/worksheets/") and (
                    info.file_size > SCAN_SIZE or info.file_size > SCAN_RATIO * max(info.compress_size, 1)):
                long = _has_long_run(archive, info)
            else:
                continue
            if long:
                raise WorkbookError(
                    f"{label} : une cellule contient un texte de plus de "
                    f"{EXCEL_CELL_MAX:,}".replace(",", " ") + " caractères (la limite d'Excel). "
                    "Rien n'a été lu : raccourcissez-la, puis relancez."
                )


SCAN_RATIO = 30  # a sheet part unpacking more than 30 times its packed size is scanned for long texts
SCAN_SIZE = 50_000_000  # and any sheet part over 50 MB unpacked
_CHUNK = 1 << 20


def _has_long_run(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether a part holds a run of text (no ``<``) longer than Excel's cell limit, in
    characters; read in 1 MB chunks (a 120 MB inline string is never held whole)."""
    run = bytearray()  # the current run, kept only up to what decides
    limit_bytes = 4 * (EXCEL_CELL_MAX + 1)  # so many bytes are surely too many characters
    with archive.open(info) as part:
        while True:
            chunk = part.read(_CHUNK)
            if not chunk:
                break
            pieces = chunk.split(b"<")
            for i, piece in enumerate(pieces):
                if i:  # a « < » ended the run before this piece
                    if _too_long(run):
                        return True
                    run = bytearray()
                if len(run) <= limit_bytes:
                    run += piece[: limit_bytes + 1 - len(run)]
                if len(run) > limit_bytes:
                    return True
    return _too_long(run)


def _too_long(run: bytes) -> bool:
    if len(run) <= EXCEL_CELL_MAX:
        return False
    return len(bytes(run).decode("utf-8", "ignore")) > EXCEL_CELL_MAX


def _mb(size: float) -> str:
    return f"{size / 1e6:,.0f}".replace(",", " ")


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> its part name (``xl/worksheets/sheet1.xml``)."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", _NS)}
    out = {}
    for sheet in book.findall("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        if target.startswith("/"):
            part = target.lstrip("/")
        else:
            part = posixpath.normpath(posixpath.join("xl", target))
        out[sheet.get("name")] = part
    return out
