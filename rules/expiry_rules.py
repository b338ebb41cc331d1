"""Expiry warnings: a medical check or a training that a planned mission needs runs out soon.

A warning comes ``check.expiry_warning_days`` (30) days ahead, while it is still valid, so that
the CDBO books the visit or the training before the missions are blocked
(``planning.visite_medicale``, ``planning.non_forme`` say it once they are).
"""
from __future__ import annotations

import pandas as pd

from sheets_sync.findings import ALERTE
from sheets_sync.parsing import norm

from .registry import RuleContext, rule
from .rule_support import day, employee_label, in_days, live_missions, medical_expiries, missions_text

PLANNED = ("Proposée", "Confirmée")
LISTED = 5  # missions named in a message


def _planned(ctx: RuleContext) -> pd.DataFrame:
    m = live_missions(ctx)
    return m[(m["Salarié"] != "") & m["Statut"].isin(PLANNED) & m["Date"].notna() & (m["Date"] >= ctx.today)]


def _listed(missions: pd.DataFrame) -> str:
    missions = missions.sort_values(["Date"])
    ids = [f"{k} ({day(d)})" for k, d in zip(missions.index[:LISTED], missions["Date"][:LISTED])]
    more = len(missions) - LISTED
    return missions_text(ids) + (f" et {more} autre(s)" if more > 0 else "")


@rule("dossier.visite_a_renouveler", "Salariés", ALERTE)
def medical_expiring(ctx: RuleContext):
    """La visite médicale d'un salarié qui a des missions prévues (« Proposée » ou « Confirmée »)
    expire dans les 30 jours (réglage check.expiry_warning_days ; aptitude valable 24 mois,
    réglage check.medical_months) : programmez la visite avant, sinon ses missions seront
    bloquées."""
    check = ctx.settings.check
    expiry = medical_expiries(ctx)
    soon = expiry[(expiry >= ctx.today) & (expiry <= ctx.today + pd.Timedelta(days=check.expiry_warning_days))]
    planned = _planned(ctx)
    planned = planned[planned["Salarié"].isin(soon.index)]
    out = []
    for matricule, theirs in planned.groupby("Salarié", sort=True):
        until = soon[matricule]
        out.append(ctx.finding(matricule, "Visite médicale", (
            f"la visite médicale de {employee_label(ctx, matricule)} expire le {day(until)} "
            f"({in_days((until - ctx.today).days)}) et des missions sont prévues : {_listed(theirs)}. "
            f"Programmez une visite avant le {day(until)}.")))
    return out


@rule("dossier.formation_a_renouveler", "Formations", ALERTE)
def training_expiring(ctx: RuleContext):
    """Une formation expire (« Valide jusqu'au ») dans les 30 jours (réglage
    check.expiry_warning_days), le salarié a des missions prévues pour cette marque, et aucune
    autre formation de la marque ne prend le relais : faites-la renouveler, sinon les missions
    d'après l'expiration seront bloquées."""
    days = ctx.settings.check.expiry_warning_days
    book = ctx.data["Formations"].df
    if book.empty:
        return []
    brand = book["Marque"].map(norm)
    until = book["Valide jusqu'au"]
    soon = book[until.notna() & (until >= ctx.today) & (until <= ctx.today + pd.Timedelta(days=days))]
    planned = _planned(ctx)
    planned = planned[planned["Salarié"].isin(set(soon["Matricule"]))]
    planned_brand = planned["Marque"].map(norm)
    out = []
    for index in soon.index:
        matricule, ends = book.at[index, "Matricule"], until[index]
        same = (book["Matricule"] == matricule) & (brand == brand[index])
        if (same & (until.isna() | (until > ends)) & (book["Date"] <= ends + pd.Timedelta(days=1))).any():
            continue  # another row of the same brand takes over
        theirs = planned[(planned["Salarié"] == matricule) & (planned_brand == brand[index])]
        if theirs.empty:
            continue
        out.append(ctx.row_finding(book.at[index, "_row"], "Valide jusqu'au", (
            f"la formation « {book.at[index, 'Marque']} » de {employee_label(ctx, matricule)} expire le "
            f"{day(ends)} ({in_days((ends - ctx.today).days)}) et des missions de la marque sont prévues : "
            f"{_listed(theirs)}. Faites-la renouveler, puis ajoutez la ligne dans Formations."), key=matricule))
    return out
