"""The catalogue of anomalies planted in the demo regions, and the cell each one lands on.

Planted rows are appended after the clean rows of their tab and the clean row counts are
fixed, so a planted cell is the same for any demo day (:data:`PLANTED`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter

from sheets_sync import schema

CLEAN_EMPLOYEES_TOTAL = 150  # employees per region, planted ones included
CLEAN_MISSIONS = 392  # clean mission rows per region; planted rows come after them
CLEAN_NOTES = 120  # clean expense lines per region
REGION_DIGIT = {"IDF": "1", "BRE": "2", "ARA": "3"}
MISSING_BRAND = {"IDF": "Chocolaterie Marsseau", "BRE": "Cidrerie Kervallan", "ARA": "Jus Verdelunne"}
UNKNOWN_CALLER = {"IDF": "+33781234590", "BRE": "+33699001122", "ARA": "+33744556677"}


@dataclass(frozen=True)
class Recipe:
    """One kind of planted anomaly: which rows it appends and which cell carries it."""

    rule: str | None  # the rule id of the finding; None: no finding (shown in a job's summary)
    tab: str  # canonical tab, or "IVR" for the call log
    column: str
    rows: tuple[int, ...]  # indexes, among the rows this recipe appends to ``tab``, of the planted rows
    value: Any  # what the planted cell holds ("" = empty)
    description: str
    missions: int = 1  # mission rows appended
    notes: int = 0  # expense rows appended
    employee: bool = True  # a dedicated employee is appended


RECIPES = {
    "date_illisible": Recipe("donnees.cellule_illisible", "Missions", "Date", (0,), "31/11/26",
                             "a mission date that does not exist (31 November)"),
    "cle_en_double": Recipe("donnees.cle_en_double", "Missions", "N° mission", (0, 1), None,
                            "the same N° mission on two consecutive rows (both cells are named)",
                            missions=2),
    "marque_inconnue": Recipe("donnees.marque_inconnue", "Missions", "Marque", (0,), None,
                              "a Marque misspelt, absent from Marques (mission to staff, D+12)",
                              employee=False),
    "magasin_inconnu": Recipe("donnees.magasin_inconnu", "Missions", "Code magasin", (0,), None,
                              "a Code magasin absent from Magasins (mission to staff, D+12)",
                              employee=False),
    "salarie_inactif": Recipe("donnees.salarie_inactif", "Missions", "Salarié", (0,), None,
                              "a mission (D+6) given to an employee whose Statut is Inactif"),
    "non_forme": Recipe("planning.non_forme", "Missions", "Salarié", (0,), None,
                        "the employee has no training for the mission's brand (D+5)"),
    "chevauchement": Recipe("planning.chevauchement", "Missions", "Salarié", (1,), None,
                            "two missions of one employee overlap on D+3 (09:00–13:00 and 12:00–17:00)",
                            missions=2),
    "repos_insuffisant": Recipe("planning.repos_insuffisant", "Missions", "Salarié", (1,), None,
                                "10 h of rest only: D+4 until 21:00, then D+5 from 07:00", missions=2),
    "visite_perimee": Recipe("planning.visite_medicale", "Missions", "Salarié", (0,), None,
                             "the employee's medical check is 800 days old on the mission date (D+2)"),
    "contrat_non_signe": Recipe("contrat.non_signe", "Missions", "Contrat", (0,), "Envoyé",
                                "a mission done 6 days ago whose contract is still « Envoyé »"),
    "cr_manquant": Recipe("rapport.cr_manquant", "Missions", "CR reçu", (0,), "",
                          "a mission « Réalisée » 6 days ago without activity report"),
    "non_pourvue": Recipe("planning.sans_salarie", "Missions", "Salarié", (0,), "",
                          "a mission of tomorrow still without Salarié", employee=False),
    "repas_plafond": Recipe("frais.repas_plafond", "Notes de frais", "Montant", (0,), 27.8,
                            "a meal of 27,80 € (ceiling 21,40 €) for a mission of D−4", notes=1),
    "sans_justificatif": Recipe("frais.justificatif_manquant", "Notes de frais", "Justificatif", (0,), "non",
                                "a meal without receipt for a mission of D−4", notes=1),
    "km_excessif": Recipe("frais.km_distance", "Notes de frais", "Km", (0,), 240,
                          "240 km declared for a store a few km from home (mission of D−3)", notes=1),
    "telephone_illisible": Recipe("donnees.cellule_illisible", "Salariés", "Téléphone", (0,), "06 45 12 78",
                                  "an employee's phone with 8 digits (new hire, no mission yet)",
                                  missions=0),
    "presence_manquante": Recipe("presence.manquante", "Missions", "Présence", (0,), "",
                                 "today 09:00, no call in the IVR log: the presence job writes "
                                 "« Manquante », then the check reports it"),
    "presence_retard": Recipe(None, "Missions", "Présence", (0,), "",
                              "today 08:30, the employee called at 08:58: « En retard »"),
    "appel_inconnu": Recipe("presence.appel_non_rattache", "IVR", "numero_appelant", (0,), None,
                            "an OK call at 09:12 from a number no employee has", missions=0, employee=False),
}

REGION_RECIPES = {
    "IDF": ("date_illisible", "marque_inconnue", "salarie_inactif", "non_forme", "repas_plafond",
            "contrat_non_signe", "telephone_illisible", "presence_manquante", "presence_retard",
            "appel_inconnu"),
    "BRE": ("cle_en_double", "chevauchement", "sans_justificatif", "cr_manquant", "visite_perimee",
            "non_pourvue", "presence_manquante", "presence_retard", "appel_inconnu"),
    "ARA": ("repos_insuffisant", "km_excessif", "magasin_inconnu", "non_forme", "contrat_non_signe",
            "cr_manquant", "presence_manquante", "appel_inconnu"),
}


@dataclass(frozen=True)
class Planted:
    """One anomaly planted in a demo region, with the cell that carries it."""

    region: str
    rule: str
    tab: str
    cell: str  # "Missions!G395"; for the IVR log, the file
    key: str  # the row key (N° mission, N° note, Matricule) or the caller number
    column: str
    value: Any  # what the cell holds (None: see ``key``)
    description: str


def _col(tab: str, column: str) -> str:
    return get_column_letter(schema.SPECS[tab].names.index(column) + 1)


def _dedicated_employees(region: str) -> int:
    return sum(RECIPES[name].employee for name in REGION_RECIPES[region])


def clean_employees(region: str) -> int:
    """How many clean employees the region has (the planted ones come after)."""
    return CLEAN_EMPLOYEES_TOTAL - _dedicated_employees(region)


def mission_key(region: str, n: int) -> str:
    """The N° mission of the region's ``n``-th mission (``M10042``)."""
    return f"M{REGION_DIGIT[region]}{n:04d}"


def _planted_table() -> tuple[Planted, ...]:
    """Where each recipe lands: appended rows follow fixed counts of clean rows."""
    out = []
    for region, names in REGION_RECIPES.items():
        d = REGION_DIGIT[region]
        mission_row, note_row = CLEAN_MISSIONS + 2, CLEAN_NOTES + 2
        employee_n, mission_n, note_n = 0, 0, 0
        for name in names:
            r = RECIPES[name]
            matricule = f"S{d}{901 + employee_n}" if r.employee else ""
            for i in r.rows if r.rule else ():
                value = r.value
                if r.tab == "Missions":
                    row = mission_row + i
                    key = mission_key(region, 9001 + mission_n + i)
                    if name == "cle_en_double":
                        key = value = mission_key(region, 9001 + mission_n)
                    elif name == "marque_inconnue":
                        value = MISSING_BRAND[region]
                    elif name == "magasin_inconnu":
                        value = f"{region}099"
                    elif value is None:
                        value = matricule
                elif r.tab == "Notes de frais":
                    row = note_row + i
                    key = f"N{d}{9001 + note_n + i}"
                elif r.tab == "Salariés":
                    row = CLEAN_EMPLOYEES_TOTAL - _dedicated_employees(region) + 2 + employee_n
                    key = matricule
                else:
                    key = UNKNOWN_CALLER[region]
                    out.append(Planted(region, r.rule, r.tab, f"ivr/{region}/appels_AAAAMMJJ.csv", key, r.column,
                                       key, r.description))
                    continue
                cell = f"{r.tab}!{_col(r.tab, r.column)}{row}"
                out.append(Planted(region, r.rule, r.tab, cell, key, r.column, value, r.description))
            mission_row += r.missions
            note_row += r.notes
            mission_n += r.missions
            note_n += r.notes
            employee_n += r.employee
    return tuple(out)


PLANTED: tuple[Planted, ...] = _planted_table()


