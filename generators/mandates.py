"""Mandates (*mandats fournisseur*): the data printed on one, its fingerprint, its rendering.

The data of a mandate is a flat dict of French tag names (:data:`TAGS`), built from the mission
row, its brand, store and employee, and the agency's identity from the settings. Its fingerprint
(:func:`fingerprint`) covers exactly what is printed except the issue date and the reference
(which is derived from the fingerprint), so a changed employee, store, date or hours means a new
fingerprint and a new mandate.

Rendering uses docxtpl in a **sandboxed** Jinja environment with autoescape: values are data,
never template code (a name holding ``{{ 7*7 }}`` is printed as is), and ``&``/``<`` are escaped
for Word's XML. A template tag the data lacks is a :class:`BackofficeError` listing it and the
tags available.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd

from sheets_sync.errors import BackofficeError
from sheets_sync.parsing import format_date, format_time

from .files import atomic_write

FINGERPRINT_LENGTH = 12
SIDECAR_NAME = "empreintes.json"

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
    """``Carrefour République`` rather than ``Carrefour Carrefour République``."""
    from sheets_sync.parsing import norm

    if not enseigne or norm(name).startswith(norm(enseigne)):
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
        "marque_nom": brand_key,
        "marque_raison_sociale": _text(brand["Raison sociale"]),
        "marque_adresse": _text(brand["Adresse"]),
        "marque_signataire": _text(brand["Signataire"]),
        "marque_fonction_signataire": _text(brand["Fonction signataire"]),
        **agency_fields(agency),
        "salarie_matricule": emp_key,
        "salarie_prenom": _text(employee["Prénom"]),
        "salarie_nom": _text(employee["Nom"]),
        "mission_numero": str(mission_key),
        "mission_type": _text(mission["Type"]),
        "mission_operation": _text(mission["Opération"]),
        "mission_date": format_date(mission["Date"]),
        "mission_debut": format_time(mission["Début"]),
        "mission_fin": format_time(mission["Fin"]),
        "magasin_code": store_key,
        "magasin_enseigne": _text(store["Enseigne"]),
        "magasin_nom": _text(store["Nom"]),
        "magasin_adresse": _text(store["Adresse"]),
        "magasin_code_postal": _text(store["Code postal"]),
        "magasin_ville": _text(store["Ville"]),
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


# --- rendering -------------------------------------------------------------------------------

def _environment():
    """A sandboxed, autoescaping Jinja environment that compiles each template source once.

    docxtpl calls ``from_string`` on the document XML for every mandate; the XML is the same for
    every mandate of a batch, so caching the compiled template saves about a third of the time.
    """
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    class CachingSandbox(SandboxedEnvironment):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._compiled: dict[str, Any] = {}

        def from_string(self, source, globals=None, template_class=None):
            if globals or template_class or not isinstance(source, str):
                return super().from_string(source, globals, template_class)
            key = (self.autoescape, source)
            if key not in self._compiled:
                self._compiled[key] = super().from_string(source)
            return self._compiled[key]

    return CachingSandbox(autoescape=True, undefined=StrictUndefined)


class MandateTemplate:
    """The Word template, read once per batch, checked against the tags the data offers."""

    def __init__(self, path: Path, available: Iterable[str] = TAGS):
        from docxtpl import DocxTemplate
        from jinja2 import TemplateSyntaxError

        self.path = Path(path)
        if not self.path.is_file():
            raise BackofficeError(
                f"Modèle de mandat introuvable : {self.path}. Indiquez-le dans la configuration "
                "([mandates] template) ou reconstruisez-le : python -m generators.make_template."
            )
        self.blob = self.path.read_bytes()
        self.env = _environment()
        try:
            used = DocxTemplate(io.BytesIO(self.blob)).get_undeclared_template_variables(self.env)
        except TemplateSyntaxError as err:
            raise BackofficeError(
                f"Modèle de mandat {self.path} : balise mal formée ({err.message}, ligne XML {err.lineno}). "
                "Ouvrez-le dans Word et corrigez la balise {{ … }}."
            ) from None
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:  # not a .docx at all
            raise BackofficeError(f"Modèle de mandat {self.path} illisible : {err}.") from None
        self.tags = set(used)
        missing = sorted(self.tags - set(available))
        if missing:
            shown = ", ".join(f"« {m} »" for m in missing)
            raise BackofficeError(
                f"Le modèle de mandat {self.path} utilise {'la balise' if len(missing) == 1 else 'les balises'} "
                f"{shown} que les données n'ont pas. Balises disponibles : {', '.join(sorted(available))}."
            )

    def render(self, context: Mapping[str, str], out: Path) -> None:
        """Write the mandate for ``context`` at ``out`` (atomically: temp file, then rename)."""
        from docxtpl import DocxTemplate
        from jinja2 import UndefinedError

        doc = DocxTemplate(io.BytesIO(self.blob))
        try:
            doc.render(dict(context), jinja_env=self.env, autoescape=True)
        except UndefinedError as err:
            raise BackofficeError(
                f"Le modèle de mandat {self.path} demande une donnée absente ({err.message}). "
                f"Balises disponibles : {', '.join(sorted(context))}."
            ) from None
        buffer = io.BytesIO()
        doc.save(buffer)
        atomic_write(out, buffer.getvalue())


# --- the sidecar: fingerprints and the sent log ----------------------------------------------

class Sidecar:
    """``<out>/<region>/mandats/empreintes.json``: per mission, what was generated and sent.

    ``{"missions": {"M0001": {"empreinte", "donnees", "fichier", "pdf", "genere_le",
    "envoye_le", "envoye_a", "historique": [...]}}}``. It is the memory of the fingerprints (the
    workbook only has Mandat, Mandat fichier, Mandat envoyé le) and the sent log that makes sure
    one generated file is never e-mailed twice, even when the sheet write after sending is lost.
    Saved atomically after every change.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.missions: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            try:
                self.missions = json.loads(self.path.read_text("utf-8")).get("missions", {})
            except (ValueError, AttributeError) as err:
                raise BackofficeError(
                    f"{self.path} illisible ({err}). Ce fichier garde les empreintes et les envois des "
                    "mandats : restaurez-le, ou supprimez-le pour repartir de zéro (les mandats déjà "
                    "envoyés pourraient alors être renvoyés)."
                ) from None

    def get(self, mission: str) -> dict[str, Any] | None:
        return self.missions.get(mission)

    def save(self) -> None:
        atomic_write(self.path, json.dumps({"version": 1, "missions": self.missions}, ensure_ascii=False,
                                           indent=1, sort_keys=True).encode("utf-8"))

    def fingerprints(self) -> dict[str, str]:
        return {m: r.get("empreinte", "") for m, r in self.missions.items()}
