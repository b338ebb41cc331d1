"""The CDBO's call list: missions still « Manquante », most urgent first, and its CSV file."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from rules.mandates import store_label as shop_label
from sheets_sync.errors import InputError
from sheets_sync.parsing import display_phone, format_time

from .files import atomic_write, csv_bytes

CALL_LIST_HEADERS = ["N° mission", "Magasin", "Salarié", "Téléphone", "Début", "Retard (min)", "Appel SVI"]


def store_label(stores: pd.DataFrame, code: str) -> str:
    """``Carrefour République`` from Enseigne + Nom (the chain once), else the code."""
    if code not in stores.index:
        return code
    return shop_label(str(stores.at[code, "Enseigne"]).strip(), str(stores.at[code, "Nom"]).strip()) or code


def employee_label(employees: pd.DataFrame, matricule: str) -> str:
    """``S0042 Léa Martin``, or the bare Matricule when the employee row is unknown."""
    if matricule not in employees.index:
        return matricule
    first, last = employees.at[matricule, "Prénom"], employees.at[matricule, "Nom"]
    return " ".join(p for p in (matricule, str(first).strip(), str(last).strip()) if p)


def employee_phone(employees: pd.DataFrame, matricule: str) -> str:
    """The employee's phone as people dial it, ``""`` when unknown."""
    if matricule not in employees.index:
        return ""
    return display_phone(employees.at[matricule, "Téléphone"])


def call_list_rows(missing: pd.DataFrame, employees: pd.DataFrame, stores: pd.DataFrame, now,
                   attempts: dict | None = None) -> list[list]:
    """One row per mission to call about, the longest overdue first.

    ``missing``: index N° mission, columns ``employee``, ``store``, ``start`` (datetime64).
    ``attempts``: by N° mission, the time of the employee's first call that did not go through
    (``ABANDON``, ``ERREUR``): the CDBO sees that they tried.
    Rows: N° mission, Magasin, Salarié, Téléphone, Début (HH:MM), Retard (min, int), Appel SVI.
    """
    attempts = attempts or {}
    now = pd.Timestamp(now)
    rows = []
    for mission, item in missing.iterrows():
        late = max(0, int((now - item["start"]).total_seconds() // 60))
        start = item["start"] - item["start"].normalize()
        tried = attempts.get(mission)
        rows.append([str(mission), store_label(stores, item["store"]),
                     employee_label(employees, item["employee"]),
                     employee_phone(employees, item["employee"]), format_time(start), late,
                     f"a tenté d'appeler à {tried:%H:%M}" if tried is not None and pd.notna(tried) else ""])
    rows.sort(key=lambda r: (-r[5], r[0]))
    return rows


def write_call_list(path: str | Path, rows: list[list]) -> Path:
    """The call list as CSV for a spreadsheet: ``;`` separated, UTF-8 with BOM (Excel reads it),
    no cell that a spreadsheet would run as a formula."""
    return write_rows(path, CALL_LIST_HEADERS, rows, "Liste d'appels")


def write_rows(path: str | Path, headers: list[str], rows: list[list], what: str) -> Path:
    """A list for the CDBO as CSV (see :func:`write_call_list`); ``what`` names it in an error."""
    path = Path(path)
    try:
        atomic_write(path, csv_bytes(headers, rows))
    except OSError as err:
        raise InputError(f"{what} : impossible d'écrire {path} ({err.strerror or err}).") from None
    return path
