"""Reading the logistics partner's tracking file (``shared/workbook.md``, « Kit tracking »).

CSV, ``;``-separated (a ``,`` file is accepted too), UTF-8 (with or without BOM) or Latin-1,
columns N° commande, Statut (Expédié / Livré / Retourné), N° suivi, Date. Headers are matched
ignoring case, accents and spaces; extra columns are ignored. A line that cannot be read is
reported with its line number and left out; the others are returned.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from rules.kits import TRACKING_STATUSES
from sheets_sync.errors import InputError

from .csv_input import csv_rows
from sheets_sync.parsing import CellError, norm, parse_date

COLUMNS = ("N° commande", "Statut", "N° suivi", "Date")
_STATUS = {norm(s): s for s in TRACKING_STATUSES}
_FIX = "Faites corriger la ligne par le logisticien, puis réimportez le fichier"


@dataclass(frozen=True)
class TrackingLine:
    """One line of the logistics partner's tracking file, parsed."""
    line: int  # line number in the file (the header is line 1)
    number: str  # N° commande
    status: str  # Expédié / Livré / Retourné
    tracking: str  # N° suivi, may be empty
    date: dt.date | None


@dataclass(frozen=True)
class Rejected:
    """A line not used, and why (French, without the line number)."""

    line: int
    number: str
    reason: str  # says what is wrong and what to do


def decode(content: bytes) -> str:
    """UTF-8 (BOM or not), else Windows-1252 / Latin-1."""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")


def _date(text: str) -> dt.date | None:
    """``JJ/MM/AAAA``, ``AAAA-MM-JJ``, optionally followed by a time; ``None`` when empty."""
    text = text.strip()
    if not text:
        return None
    day = text.replace("T", " ").split(" ")[0]
    return parse_date(day).date()


def read_tracking(path: str | Path) -> tuple[list[TrackingLine], list[Rejected]]:
    """The readable lines of the tracking file, and the lines rejected while reading."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as err:
        raise InputError(f"Fichier de suivi des kits illisible : {path} ({err.strerror}).") from None
    text = decode(content)
    first = text.splitlines()[0] if text.strip() else ""
    if not first:
        raise InputError(f"{path.name} : fichier de suivi vide (attendu l'en-tête {' ; '.join(COLUMNS)}).")
    delimiter = ";" if ";" in first or "," not in first else ","
    rows = list(csv_rows(io.StringIO(text, newline=""), path.name, delimiter))
    header = [norm(h) for h in rows[0]]
    index = {}
    for column in COLUMNS:
        if norm(column) not in header:
            raise InputError(
                f"{path.name} : colonne « {column} » introuvable. En-têtes trouvés : "
                f"{', '.join(h.strip() for h in rows[0] if h.strip()) or '(aucun)'}. "
                f"Attendu : {' ; '.join(COLUMNS)}."
            )
        index[column] = header.index(norm(column))

    lines: list[TrackingLine] = []
    rejected: list[Rejected] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in index.items()}
        order = cells["N° commande"]
        if not order:
            rejected.append(Rejected(number, "", f"N° commande vide. {_FIX}"))
            continue
        status = _STATUS.get(norm(cells["Statut"]))
        if status is None:
            rejected.append(Rejected(
                number, order,
                f"statut « {cells['Statut']} » illisible (attendu {', '.join(TRACKING_STATUSES[:-1])} "
                f"ou {TRACKING_STATUSES[-1]}). {_FIX}"))
            continue
        try:
            when = _date(cells["Date"])
        except CellError:
            rejected.append(Rejected(
                number, order, f"date « {cells['Date']} » illisible (attendu JJ/MM/AAAA). {_FIX}"))
            continue
        lines.append(TrackingLine(number, order, status, cells["N° suivi"], when))
    return lines, rejected
