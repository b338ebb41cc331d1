"""The optional road-distance table: ``from;to;km;minutes`` (an export of the agency's own OSRM
or Valhalla server), ``from`` a Matricule, ``to`` a Code magasin. Read by the suggest job; the
rules get a plain ``{(matricule, store): km}``."""
from __future__ import annotations

import io
from pathlib import Path

from sheets_sync.errors import InputError
from sheets_sync.parsing import CellError, parse_number

from .csv_input import csv_rows

MAX_BYTES = 50_000_000
HEADER = ("from", "to", "km", "minutes")


def read_road_table(path: str | Path) -> dict[tuple[str, str], float]:
    """The table's km by (Matricule, Code magasin); a bad line is an error naming it."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Table des distances routières introuvable : {path} (réglage suggest.road_table).")
    if path.stat().st_size > MAX_BYTES:
        raise InputError(f"{path} : table des distances de plus de {MAX_BYTES // 1_000_000} Mo, refusée.")
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    rows = list(csv_rows(io.StringIO(text, newline=""), str(path), ";"))
    if not rows or tuple(c.strip().lower() for c in rows[0][:4]) != HEADER:
        raise InputError(f"{path} ligne 1 : en-tête attendu « from;to;km;minutes ».")
    out: dict[tuple[str, str], float] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        try:
            km = parse_number(row[2]) if len(row) > 2 else float("nan")
        except CellError as err:
            raise InputError(f"{path} ligne {number} : {err}.") from None
        if len(row) < 3 or not row[0].strip() or not row[1].strip() or km != km or km < 0:
            raise InputError(f"{path} ligne {number} : attendu Matricule;Code magasin;km;minutes.")
        out[(row[0].strip(), row[1].strip())] = float(km)
    return out
