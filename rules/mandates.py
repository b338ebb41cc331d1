"""What a mandate (*mandat fournisseur*) says, as data: its fields, fingerprint and reference.

The data of a mandate is a flat dict of French tag names (:data:`TAGS`), built from the mission
row, its brand, store and employee, and the agency's identity from the settings. Its fingerprint
(:func:`fingerprint`) covers exactly what is printed except the issue date and the reference
(which is derived from the fingerprint), so a changed employee, store, date or hours means a new
fingerprint and a new mandate. Pure: the rendering is :mod:`generators.mandates`.
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

from sheets_sync.parsing import format_date, format_time

FINGERPRINT_LENGTH = 12

# Every tag the template may use, with the French label used to say what changed.
TAGS: dict[str, str] = {
    "marque_nom": "marque",
    "marque_raison_sociale": "raison sociale de la marque",
    "marque_adresse": "adresse de la marque",
    "marque_signataire": "signataire",
    "marque_fonction_signataire": "fonction du signataire",
    "agence_nom": "nom de l'agence",
    "agence_forme": "forme juridique de l'agence",
    "agence_siret": "SIRET de l'agence",
    "agence_adresse": "adresse de l'agence",
    "agence_code_postal": "code postal de l'agence",
    "agence_ville": "ville de l'agence",
    "agence_telephone": "téléphone de l'agence",
    "agence_email": "e-mail de l'agence",
    "salarie_matricule": "salarié",
    "salarie_prenom": "prénom du salarié",
    "salarie_nom": "nom du salarié",
    "mission_numero": "N° mission",
    "mission_type": "type",
    "mission_operation": "opération",
    "mission_date": "date",
    "mission_date_longue": "date",
    "mission_debut": "début",
    "mission_fin": "fin",
    "magasin_code": "magasin",
    "magasin_enseigne": "enseigne",
    "magasin_nom": "nom du magasin",
    "magasin_adresse": "adresse du magasin",
    "magasin_code_postal": "code postal du magasin",
    "magasin_ville": "ville du magasin",
    "reference": "référence",
    "fait_a": "lieu d'émission",
    "fait_le": "date d'émission",
}
# Printed but not fingerprinted: the issue date changes with every generation, the reference
# is derived from the fingerprint itself.
NOT_FINGERPRINTED = ("reference", "fait_a", "fait_le", "mission_date_longue")

_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre")


def long_date(value) -> str:
    """``dimanche 29 novembre 2026`` (no locale needed)."""
    ts = pd.Timestamp(value)
    day = "1er" if ts.day == 1 else str(ts.day)
    return f"{_DAYS[ts.weekday()]} {day} {_MONTHS[ts.month - 1]} {ts.year}"


def _text(value) -> str:
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, tuple):
        return ", ".join(value)
    return str(value).strip()


def _row(table, key) -> Mapping[str, Any] | None:
    if table is None or key not in table.df.index:
        return None
    return table.df.loc[key]


@dataclass(frozen=True)
class MandateData:
    """What one mandate prints (``fields``), minus the per-generation tags, and its fingerprint."""

    mission: str
    fields: dict[str, str]
    fingerprint: str
    store_email: str
    delay_days: float  # the store's « Délai mandat » (NaN when empty)

    def context(self, region: str, issued_on, place: str) -> dict[str, str]:
        """Every tag of :data:`TAGS`, ready for the template."""
        return {
            **self.fields,
            "mission_date_longue": long_date(pd.Timestamp(_from_fr(self.fields["mission_date"]))),
            "reference": reference(region, self.mission, self.fingerprint),
            "fait_a": place,
            "fait_le": format_date(issued_on),
        }


def store_label(enseigne: str, name: str) -> str:
    """``Carrefour République`` rather than ``Carrefour Carrefour République``, and
    ``E.Leclerc Saint-Grégoire`` rather than ``Leclerc E.Leclerc Saint-Grégoire``: the chain is
    left out when the store's name already holds it (punctuation and case aside)."""
    import re

    from sheets_sync.parsing import norm

    def key(text: str) -> str:
        return re.sub(r"[^0-9a-z]", "", norm(text))

    first = key(name.split()[0]) if name.split() else ""
    if not enseigne or (key(enseigne) and key(enseigne) in key(name)) or (first and first in key(enseigne)):
        return name or enseigne
    return f"{enseigne} {name}".strip()


def _from_fr(text: str) -> pd.Timestamp:
    return pd.to_datetime(text, format="%d/%m/%Y")


def reference(region: str, mission: str, fp: str) -> str:
    """``MF-IDF-M0001-3F2A9C``: region, mission and the first digits of the fingerprint."""
    return f"MF-{region}-{mission}-{fp[:6].upper()}"


def fingerprint(fields: Mapping[str, str]) -> str:
    """Short sha256 of the fingerprinted fields (stable key order, UTF-8 JSON)."""
    payload = {k: fields[k] for k in sorted(fields) if k not in NOT_FINGERPRINTED}
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


def agency_fields(agency) -> dict[str, str]:
    """The agency's fields printed on a mandate, from ``[agency]``."""
    return {
        "agence_nom": agency.name, "agence_forme": agency.legal_form, "agence_siret": agency.siret,
        "agence_adresse": agency.address, "agence_code_postal": agency.postal_code,
        "agence_ville": agency.city, "agence_telephone": agency.phone, "agence_email": agency.email,
    }


class MissingReference(ValueError):
    """The mission names a brand, store or employee that is not in its tab (``column``)."""

    def __init__(self, column: str, value: str, tab: str):
        super().__init__(column)
        self.column, self.value, self.tab = column, value, tab


# the tags read as they are from a column of the brand's, the employee's and the store's row
BRAND_TAGS = {"marque_raison_sociale": "Raison sociale", "marque_adresse": "Adresse",
              "marque_signataire": "Signataire", "marque_fonction_signataire": "Fonction signataire"}
EMPLOYEE_TAGS = {"salarie_prenom": "Prénom", "salarie_nom": "Nom"}
STORE_TAGS = {"magasin_enseigne": "Enseigne", "magasin_nom": "Nom", "magasin_adresse": "Adresse",
              "magasin_code_postal": "Code postal", "magasin_ville": "Ville"}


def _columns(row: Mapping[str, Any], tags: Mapping[str, str]) -> dict[str, str]:
    return {tag: _text(row[column]) for tag, column in tags.items()}


def mandate_data(data, mission_key: str, agency) -> MandateData:
    """The mandate's data for one mission of ``data["Missions"]``.

    Raises :class:`MissingReference` when its brand, store or employee is not found.
    """
    mission = data["Missions"].df.loc[mission_key]
    brand_key, store_key, emp_key = (_text(mission["Marque"]), _text(mission["Code magasin"]),
                                     _text(mission["Salarié"]))
    brand = _row(data["Marques"], brand_key)
    if brand is None:
        raise MissingReference("Marque", brand_key, "Marques")
    store = _row(data["Magasins"], store_key)
    if store is None:
        raise MissingReference("Code magasin", store_key, "Magasins")
    employee = _row(data["Salariés"], emp_key)
    if employee is None:
        raise MissingReference("Salarié", emp_key, "Salariés")
    fields = {
        "marque_nom": brand_key, **_columns(brand, BRAND_TAGS), **agency_fields(agency),
        "salarie_matricule": emp_key, **_columns(employee, EMPLOYEE_TAGS),
        "mission_numero": str(mission_key), "mission_type": _text(mission["Type"]),
        "mission_operation": _text(mission["Opération"]), "mission_date": format_date(mission["Date"]),
        "mission_debut": format_time(mission["Début"]), "mission_fin": format_time(mission["Fin"]),
        "magasin_code": store_key, **_columns(store, STORE_TAGS),
    }
    delay = store["Délai mandat"]
    return MandateData(str(mission_key), fields, fingerprint(fields), _text(store["Email"]),
                       float(delay) if delay is not None and not pd.isna(delay) else math.nan)


def changed_fields(old: Mapping[str, str], new: Mapping[str, str]) -> list[str]:
    """French phrases for what changed between two mandates' data: ``date 29/11/2026 → 30/11/2026``."""
    out, seen = [], set()
    for key, label in TAGS.items():
        if key in NOT_FINGERPRINTED or old.get(key, "") == new.get(key, ""):
            continue
        if label in seen:
            continue
        seen.add(label)
        out.append(f"{label} « {old.get(key, '')} » → « {new.get(key, '')} »")
    return out
