"""What a CIDD says, as data, and what to do with each mission's contract (pure; no I/O).

The sector's contract is one written *contrat d'intervention à durée déterminée d'animation
commerciale* (CIDD) per animation (accord du 13/02/2006 relatif aux salariés employés en CIDD,
IDCC 2098), with the mentions of Code du travail L1242-12: the precise description of the
animation, the term, the position and qualification, the collective agreement, the trial period
if any, the remuneration and its parts, the pension fund and the provident body. The working
duration counts the preparation time (accord 2006 art. 4.1; ``worktime.preparation_minutes``).
After the contract: 10 % end-of-contract allowance (L1243-8; accord 2006 art. 9) and 10 %
paid-leave allowance on the total gross pay, that allowance included (L3141-24). The hourly rate
is never under the SMIC (L3231-2; 12,02 € from 1 January 2026, décret 2025-1228: a setting).
It is offered ``contracts.offer_days_before`` (10) calendar days before the start (the
agreement's best effort) and handed over at the latest two *jours ouvrables* after the hiring
(L1242-13).

The data is a flat dict of French tag names (:data:`TAGS`); its fingerprint covers what is
printed except the issue date and the reference, so a contract is made again only when what it
says changed.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import pandas as pd

from sheets_sync.parsing import format_date, format_time

from .mandates import agency_fields, fingerprint, long_date, store_label

KIND = "contrat"  # the memory's records (``État``, ``contrat:<N° mission>``)
STAFFED = ("Proposée", "Confirmée")
TO_SEND, SENT, SIGNED, REFUSED = "À envoyer", "Envoyé", "Signé", "Refusé"

TAGS: dict[str, str] = {
    "agence_nom": "nom de l'agence", "agence_forme": "forme juridique de l'agence",
    "agence_siret": "SIRET de l'agence", "agence_adresse": "adresse de l'agence",
    "agence_code_postal": "code postal de l'agence", "agence_ville": "ville de l'agence",
    "agence_telephone": "téléphone de l'agence", "agence_email": "e-mail de l'agence",
    "agence_urssaf": "URSSAF",
    "salarie_matricule": "salarié", "salarie_prenom": "prénom du salarié", "salarie_nom": "nom du salarié",
    "salarie_adresse": "adresse du salarié", "salarie_naissance": "date de naissance",
    "salarie_secu": "n° de sécurité sociale",
    "mission_numero": "N° mission", "marque_nom": "marque", "mission_operation": "opération",
    "mission_type": "type", "magasin_code": "magasin", "magasin_enseigne": "enseigne", "magasin_nom": "nom du magasin",
    "magasin_adresse": "adresse du magasin", "magasin_code_postal": "code postal du magasin",
    "magasin_ville": "ville du magasin", "mission_jours": "date et horaires", "mission_terme": "terme",
    "duree_presence": "temps de présence", "duree_pause": "pause", "duree_preparation": "préparation",
    "duree_travail": "durée du travail", "poste": "emploi", "qualification": "qualification",
    "taux_horaire": "taux horaire", "remuneration_brute": "rémunération", "indemnite_fin_contrat": "indemnité de fin de contrat",
    "indemnite_conges": "indemnité de congés payés", "annulation": "conditions d'annulation",
    "periode_essai": "période d'essai", "caisse_retraite": "caisse de retraite", "organisme_prevoyance": "prévoyance",
    "seuil_cdi_intermittent": "seuil du CDI intermittent",
    "reference": "référence", "fait_a": "lieu", "fait_le": "date d'émission",
}
NOT_FINGERPRINTED = ("reference", "fait_a", "fait_le")


@dataclass(frozen=True)
class Terms:
    """The settings a contract prints (``[contracts]`` and the working-time model)."""

    position: str
    level: str
    hourly_rate: float
    minimum_hourly_rate: float
    urssaf: str
    pension: str
    provident: str
    trial: str
    cancellation_hours: float
    cancellation_half_hours: float
    intermittent_hours: float
    preparation_minutes: float
    default_break_minutes: float
    break_from_hours: float


def euros(value: float) -> str:
    """``96,16 €`` (two decimals, French)."""
    return f"{value:,.2f} €".replace(",", " ").replace(".", ",")


def hours_minutes(hours: float) -> str:
    """``7 h 30`` from 7.5."""
    minutes = int(round(hours * 60))
    h, m = divmod(minutes, 60)
    return f"{h} h" if not m else f"{h} h {m:02d}"


def pay(hours: float, rate: float) -> tuple[float, float, float]:
    """Gross pay for ``hours`` at ``rate``; the end-of-contract allowance (10 %, L1243-8); the
    paid-leave allowance (10 % of the total gross pay, that allowance included, L3141-24)."""
    gross = round(hours * rate, 2)
    end = round(gross * 0.10, 2)
    leave = round((gross + end) * 0.10, 2)
    return gross, end, leave


def _text(value) -> str:
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, tuple):
        return ", ".join(value)
    return " ".join(str(value).split())


class Unusable(ValueError):
    """The mission cannot have a contract yet: ``column`` of ``tab`` says why (``message``)."""

    def __init__(self, tab: str, column: str, message: str):
        super().__init__(message)
        self.tab, self.column, self.message = tab, column, message


@dataclass(frozen=True)
class Day:
    """One day of a contract: the mission, its date, start, end and pause (minutes)."""

    key: str
    date: pd.Timestamp
    start: pd.Timedelta
    end: pd.Timedelta
    pause: float | None  # the mission's Pause cell, None when empty


@dataclass(frozen=True)
class ContractData:
    """What one contract prints (``fields``), its fingerprint, and how to reach the employee."""

    key: str  # the first mission's N° (the contract's own key)
    missions: tuple[str, ...]
    fields: dict[str, str]
    fingerprint: str
    employee: str
    email: str
    phone: str
    first_name: str
    last_name: str
    hours: float

    def context(self, region: str, issued_on, place: str) -> dict[str, str]:
        return {**self.fields, "reference": reference(region, self.key, self.fingerprint), "fait_a": place,
                "fait_le": format_date(issued_on)}


def reference(region: str, key: str, fp: str) -> str:
    """``CIDD-IDF-M0001-3F2A9C``: the contract's reference (also Yousign's ``external_id``)."""
    return f"CIDD-{region}-{key}-{fp[:6].upper()}"


def day_hours(day: Day, terms: Terms) -> tuple[float, float, float]:
    """Presence (hours), pause (minutes) and working duration (hours, preparation included) of one
    day (the worktime model's rule: the cell's pause, else the default break from 6 h)."""
    end = day.end if day.end > day.start else day.end + pd.Timedelta(days=1)
    presence = (end - day.start).total_seconds() / 3600
    pause = day.pause if day.pause is not None and not math.isnan(day.pause) else (
        terms.default_break_minutes if presence >= terms.break_from_hours - 1e-9 else 0.0)
    worked = max(presence - pause / 60, 0) + terms.preparation_minutes / 60
    return presence, pause, worked


def cancellation_text(terms: Terms) -> str:
    return (f"En cas d'annulation de l'animation par l'Agence moins de {terms.cancellation_hours:g} heures avant "
            f"son début, le salarié est payé 100 % des heures prévues ; entre {terms.cancellation_hours:g} heures et "
            f"{terms.cancellation_half_hours / 24:g} jours avant, 50 % (accord du 13 février 2006).")


def contract_data(data, keys: Sequence[str], agency, terms: Terms) -> ContractData:
    """The contract of the missions ``keys`` (one, or consecutive days of one operation for one
    employee). Raises :class:`Unusable` when a referenced row is missing or the rate is under
    the minimum."""
    missions = data["Missions"].df
    first = missions.loc[keys[0]]
    emp_key, store_key = _text(first["Salarié"]), _text(first["Code magasin"])
    employees, stores = data["Salariés"].df, data["Magasins"].df
    if emp_key not in employees.index:
        raise Unusable("Missions", "Salarié", f"salarié « {emp_key} » absent de l'onglet Salariés")
    if store_key not in stores.index:
        raise Unusable("Missions", "Code magasin", f"magasin « {store_key} » absent de l'onglet Magasins")
    employee, store = employees.loc[emp_key], stores.loc[store_key]
    rate = terms.hourly_rate
    if "Taux horaire" in employees.columns and not pd.isna(employee.get("Taux horaire")):
        rate = float(employee["Taux horaire"])
    if rate < terms.minimum_hourly_rate - 1e-9:
        raise Unusable("Salariés", "Taux horaire", f"taux horaire {euros(rate)} sous le SMIC ({euros(terms.minimum_hourly_rate)}, "
                                                    "L3231-2) : contrat non généré")
    days = [Day(k, missions.at[k, "Date"], missions.at[k, "Début"], missions.at[k, "Fin"],
                float(missions.at[k, "Pause"]) if "Pause" in missions.columns and not pd.isna(missions.at[k, "Pause"])
                else None) for k in keys]
    if any(pd.isna(d.date) or pd.isna(d.start) or pd.isna(d.end) for d in days):
        raise Unusable("Missions", "Date", "date ou horaires illisibles : contrat non généré")
    per_day = [day_hours(d, terms) for d in days]
    presence, pauses, worked = (sum(x[0] for x in per_day), sum(x[1] for x in per_day), sum(x[2] for x in per_day))
    gross, end, leave = pay(worked, rate)
    address = ", ".join(x for x in (_text(employee.get("Adresse")),
                                    " ".join(y for y in (_text(employee.get("Code postal")), _text(employee.get("Ville"))) if y))
                        if x) or "(adresse à compléter)"
    birth = employee.get("Date de naissance")
    secu = _text(employee.get("N° sécurité sociale")) if "N° sécurité sociale" in employees.columns else ""
    fields = {
        **agency_fields(agency), "agence_urssaf": terms.urssaf,
        "salarie_matricule": emp_key, "salarie_prenom": _text(employee["Prénom"]), "salarie_nom": _text(employee["Nom"]),
        "salarie_adresse": address,
        "salarie_naissance": f", né(e) le {format_date(birth)}" if birth is not None and not pd.isna(birth) else "",
        "salarie_secu": f", n° de sécurité sociale {secu}" if secu else "",
        "mission_numero": ", ".join(keys), "marque_nom": _text(first["Marque"]),
        "mission_operation": _text(first.get("Opération")) or "—", "mission_type": _text(first.get("Type")) or "animation",
        "magasin_code": store_key, "magasin_enseigne": _text(store.get("Enseigne")),
        "magasin_nom": store_label(_text(store.get("Enseigne")), _text(store.get("Nom"))).replace(_text(store.get("Enseigne")), "", 1).strip()
        or _text(store.get("Nom")),
        "magasin_adresse": _text(store.get("Adresse")), "magasin_code_postal": _text(store.get("Code postal")),
        "magasin_ville": _text(store.get("Ville")),
        "mission_jours": " ; ".join(f"{long_date(d.date)} de {format_time(d.start)} à {format_time(d.end)}" for d in days),
        "mission_terme": f"fin de l'animation, le {long_date(days[-1].date)} à {format_time(days[-1].end)}",
        "duree_presence": hours_minutes(presence), "duree_pause": f"{int(round(pauses))} min",
        "duree_preparation": f"{int(round(terms.preparation_minutes * len(days)))} min",
        "duree_travail": hours_minutes(worked), "poste": terms.position, "qualification": terms.level,
        "taux_horaire": euros(rate), "remuneration_brute": euros(gross), "indemnite_fin_contrat": euros(end),
        "indemnite_conges": euros(leave), "annulation": cancellation_text(terms), "periode_essai": terms.trial,
        "caisse_retraite": terms.pension, "organisme_prevoyance": terms.provident,
        "seuil_cdi_intermittent": f"{terms.intermittent_hours:g}",
    }
    return ContractData(str(keys[0]), tuple(str(k) for k in keys), fields, fingerprint(
        {k: v for k, v in fields.items() if k not in NOT_FINGERPRINTED}), emp_key, _text(employee.get("Email")),
        _text(employee.get("Téléphone")), fields["salarie_prenom"], fields["salarie_nom"], worked)


# --- which missions, and what to do ------------------------------------------------------------

GENERATE, REGENERATE, AMEND, NOTHING = "générer", "régénérer", "avenant", ""


def decide(status: str, staffed: bool, in_window: bool, record: Mapping, fp: str) -> str:
    """What to do with one mission's contract:

    - ``générer``: staffed, within the window, ``Contrat`` empty or ``À envoyer``, none made;
    - ``régénérer``: one was made (or sent) from data that changed, and it is not signed;
    - ``avenant``: what a signed contract says changed: a person must make an amendment;
    - ``""``: nothing (not staffed, out of the window, unchanged, or a person's own word)."""
    made = bool(record.get("empreinte"))
    if status == SIGNED or record.get("signe_le"):
        return AMEND if made and record.get("empreinte") != fp and staffed else NOTHING
    if not staffed or status == REFUSED:
        return NOTHING
    if made:
        return REGENERATE if record.get("empreinte") != fp and status in ("", TO_SEND, SENT) else NOTHING
    return GENERATE if in_window and status in ("", TO_SEND) else NOTHING


def groups(missions: pd.DataFrame, keys: Sequence[str], together: bool) -> list[tuple[str, ...]]:
    """The contracts to make: one per mission, or (``together``) the consecutive days of one
    operation, brand and store for one employee in one contract."""
    if not together:
        return [(k,) for k in keys]
    rows = missions.loc[list(keys)]
    order = rows.sort_values(["Salarié", "Opération", "Marque", "Code magasin", "Date", "Début"], kind="stable")
    out: list[list[str]] = []
    last = None
    for key, row in order.iterrows():
        ident = (row["Salarié"], row["Opération"], row["Marque"], row["Code magasin"])
        if out and last is not None and ident == last[0] and row["Date"] - last[1] == pd.Timedelta(days=1) and ident[1]:
            out[-1].append(key)
        else:
            out.append([key])
        last = (ident, row["Date"])
    return [tuple(g) for g in out]


def handover_deadline(start: dt.date, working_days: int = 2) -> dt.date:
    """The last day the contract may be handed over: ``working_days`` jours ouvrables after the
    hiring (L1242-13: every day but Sunday and public holidays)."""
    from .calendar import OUVRABLES, add_working_days

    return pd.Timestamp(add_working_days(pd.Series([pd.Timestamp(start)]), working_days, OUVRABLES).iloc[0]).date()


def offer_day(start: dt.date, days_before: int) -> dt.date:
    """The day the contract should be offered: ``days_before`` calendar days before the start."""
    return start - dt.timedelta(days=days_before)


# --- Yousign's statuses, as the sheet says them ------------------------------------------------

def signature_outcome(status: str) -> str:
    """A signature request's status (Yousign v3) -> ``Signé``, ``Refusé``, ``expirée``, ``annulée``,
    or ``""`` while it runs (``draft``, ``ongoing``, ``approval``…)."""
    return {"done": SIGNED, "declined": REFUSED, "expired": "expirée", "canceled": "annulée",
            "deleted": "annulée"}.get(status, "")
