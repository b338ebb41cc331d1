"""Small workbooks built in code for the tests: contract headers, invented rows.

``make_tabs(employees=[...], missions=[...])`` returns ``{tab: rows}`` for
:class:`sheets_sync.MemoryBackend` (or for writing an ``.xlsx`` fixture); each row is a
dict of canonical column -> raw value, missing columns are empty.
"""
from __future__ import annotations

from sheets_sync import schema

DEFAULT_EMPLOYEE = {
    "Matricule": "S0001", "Nom": "Martin", "Prénom": "Léa", "Téléphone": "06 12 34 56 78",
    "Email": "lea.martin@example.org", "Adresse": "3 rue des Lilas", "Code postal": "75011",
    "Ville": "Paris", "Latitude": 48.859, "Longitude": 2.379,
    "Compétences": "animation, dégustation", "Rayon km": 30, "Visite médicale": "15/03/2026",
    "Statut": "Actif",
}
DEFAULT_MISSION = {
    "N° mission": "M0001", "Opération": "Noël chocolat", "Marque": "Lindt",
    "Code magasin": "C001", "Type": "dégustation", "Compétences requises": "dégustation",
    "Date": "29/11/2026", "Début": "09:00", "Fin": "17:00", "Salarié": "", "Statut": "À pourvoir",
}
DEFAULT_STORE = {
    "Code magasin": "C001", "Enseigne": "Carrefour", "Nom": "Carrefour République",
    "Adresse": "10 place de la République", "Code postal": "75003", "Ville": "Paris",
    "Latitude": 48.867, "Longitude": 2.363, "Email": "direction.c001@example.org",
    "Téléphone": "01 42 00 00 01", "Délai mandat": 7,
}
DEFAULT_BRAND = {
    "Marque": "Lindt", "Raison sociale": "Chocolats Exemple SAS", "Adresse": "1 rue du Cacao, 75008 Paris",
    "Signataire": "Anne Durand", "Fonction signataire": "Directrice commerciale",
    "Email": "trade@example.org",
}
DEFAULT_TRAINING = {"Matricule": "S0001", "Marque": "Lindt", "Module": "Dégustation", "Date": "01/01/2026",
                    "Valide jusqu'au": ""}
DEFAULT_TIME_OFF = {"Matricule": "S0001", "Du": "01/12/2026", "Au": "05/12/2026", "Motif": "Congés"}
DEFAULT_EXPENSE = {
    "N° note": "N0001", "Matricule": "S0001", "N° mission": "M0001", "Date": "29/11/2026",
    "Catégorie": "repas", "Montant": "15,00", "Km": "", "Justificatif": "oui", "Statut": "Soumise",
    "Reçue le": "30/11/2026",
}

DEFAULTS = {
    "Salariés": DEFAULT_EMPLOYEE, "Missions": DEFAULT_MISSION, "Magasins": DEFAULT_STORE,
    "Marques": DEFAULT_BRAND, "Formations": DEFAULT_TRAINING, "Indisponibilités": DEFAULT_TIME_OFF,
    "Notes de frais": DEFAULT_EXPENSE,
}


# Optional columns whose mere presence turns a rule on: in a test's tab only when a row names them.
OPT_IN = {"DPAE"}


def header(tab: str, with_job_columns: bool = True, opt_in=()) -> list[str]:
    return [c.name for c in schema.SPECS[tab].columns
            if (with_job_columns or not c.job) and (c.name not in OPT_IN or c.name in opt_in)]


def rows_for(tab: str, records: list[dict], with_job_columns: bool = True) -> list[list]:
    head = header(tab, with_job_columns, opt_in={name for r in records for name in r})
    out = [head]
    for record in records:
        unknown = set(record) - set(head)
        if unknown:
            raise KeyError(f"{tab}: unknown columns {unknown}")
        out.append([record.get(h, None) for h in head])
    return out


def make_tabs(
    employees=None, missions=None, stores=None, brands=None, trainings=None, time_off=None,
    expenses=None, defaults: bool = True,
) -> dict[str, list[list]]:
    """The seven people's tabs; ``None`` gives one default row (``[]`` gives none).

    With ``defaults`` each given record is completed from the tab's default row, so a test
    only names the cells it is about.
    """
    given = {
        "Salariés": employees, "Missions": missions, "Magasins": stores, "Marques": brands,
        "Formations": trainings, "Indisponibilités": time_off, "Notes de frais": expenses,
    }
    tabs = {}
    for tab, records in given.items():
        if records is None:
            records = [DEFAULTS[tab]]
        elif defaults:
            records = [{**DEFAULTS[tab], **r} for r in records]
        tabs[tab] = rows_for(tab, records)
    return tabs


def write_xlsx(path, tabs: dict[str, list[list]]):
    """Write ``{tab: rows}`` as an ``.xlsx`` workbook (one sheet per tab); returns ``str(path)``."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in tabs.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return str(path)


def xlsx_row(path, tab: str, key) -> dict:
    """The row of ``tab`` whose first cell is ``key``, as ``{header: value}``."""
    import openpyxl

    rows = [[c.value for c in r] for r in openpyxl.load_workbook(path)[tab].iter_rows()]
    return dict(zip(rows[0], next(r for r in rows[1:] if r[0] == key)))


# The agency of the tests: the demo's invented one (its SIRET is a placeholder, allowed by demo).
AGENCY = {"name": "Animatis Terrain", "legal_form": "SAS", "siret": "000 000 000 00000",
          "address": "12 rue de l'Exemple", "postal_code": "75010", "city": "Paris",
          "phone": "01 00 00 00 00", "email": "backoffice@example.org", "demo": True}


def set_agency_env(monkeypatch) -> None:
    """Give a CLI run without --config the tests' agency, through BACKOFFICE_AGENCY_* variables."""
    for key, value in AGENCY.items():
        monkeypatch.setenv(f"BACKOFFICE_AGENCY_{key.upper()}", str(value).lower() if value is True else str(value))


def state_record(source, kind: str, key: str):
    """The record ``kind:key`` of the workbook's memory (``État``), as the tool last wrote it;
    ``source``: a MemoryBackend, or an ``.xlsx`` path. ``None`` when there is none."""
    import json

    if hasattr(source, "tabs"):
        rows = source.tabs.get("État", [])
    else:
        import openpyxl

        book = openpyxl.load_workbook(source, read_only=True)
        rows = [list(r) for r in book["État"].iter_rows(values_only=True)] if "État" in book.sheetnames else []
    found = None
    for line in rows[1:]:
        if line and line[0] == f"{kind}:{key}":
            found = json.loads(line[1] or "{}")
    return found


def outbox_rows(source) -> list[dict]:
    """The rows of the outbox (``Envois``) as ``{column: value}``; ``source`` as :func:`state_record`."""
    if hasattr(source, "tabs"):
        rows = source.tabs.get("Envois", [])
    else:
        import openpyxl

        book = openpyxl.load_workbook(source, read_only=True)
        rows = [list(r) for r in book["Envois"].iter_rows(values_only=True)] if "Envois" in book.sheetnames else []
    if not rows:
        return []
    head = rows[0]
    return [dict(zip(head, line)) for line in rows[1:] if line and line[0]]
