"""Contract rules: the sector's intervention CDD (accord of 13/02/2006, IDCC 2098).

One contract per mission, offered 10 calendar days ahead (best effort) and handed over at the
latest 2 working days after the start (Code du travail L1242-13; a missing written contract
makes it a permanent one, L1242-12). Only staffed missions that are not ``Annulée`` count.
"""
from __future__ import annotations

import pandas as pd

from sheets_sync.findings import ALERTE, ERREUR

from .calendar import add_working_days
from .rule_support import day, employee_label, live_missions
from .registry import RuleContext, rule


def _staffed(ctx: RuleContext) -> pd.DataFrame:
    m = live_missions(ctx)
    return m[(m["Salarié"] != "") & m["Date"].notna()]


@rule("contrat.a_envoyer", "Missions", ALERTE)
def contract_to_send(ctx: RuleContext):
    """Une mission affectée commence dans les 10 jours (réglage check.contract_offer_days)
    et son Contrat est vide ou « À envoyer » : le contrat doit être proposé au salarié."""
    days = ctx.settings.check.contract_offer_days
    m = _staffed(ctx)
    bad = m[(m["Date"] >= ctx.today) & (m["Date"] <= ctx.today + pd.Timedelta(days=days))
            & m["Contrat"].isin(["", "À envoyer"])]
    return ctx.findings_on(bad.index, "Contrat", (
        f"contrat {'non préparé' if c == '' else '« À envoyer »'} pour la mission du {day(d)} de "
        f"{employee_label(ctx, s)}. Envoyez le contrat au salarié et passez Contrat à « Envoyé »."
        for c, d, s in zip(bad["Contrat"], bad["Date"], bad["Salarié"])))


@rule("contrat.non_signe", "Missions", ERREUR)
def contract_not_signed(ctx: RuleContext):
    """La mission a commencé il y a plus de 2 jours ouvrés (réglage
    check.contract_working_days ; lundi–vendredi hors jours fériés) et son Contrat n'est pas
    « Signé » : le délai légal de remise du contrat est dépassé."""
    n = ctx.settings.check.contract_working_days
    m = _staffed(ctx)
    m = m[(m["Contrat"] != "Signé") & (m["Date"] < ctx.today)]
    deadline = add_working_days(m["Date"], n)
    bad = m[deadline.values < ctx.today]
    late = deadline[deadline.values < ctx.today]
    return ctx.findings_on(bad.index, "Contrat", (
        f"contrat {'« ' + c + ' »' if c else 'vide'} alors que la mission de "
        f"{employee_label(ctx, s)} a commencé le {day(d)} ; il devait être signé au plus tard le "
        f"{day(dl)} ({n} jours ouvrés). Faites signer le contrat et passez Contrat à « Signé »."
        for c, s, d, dl in zip(bad["Contrat"], bad["Salarié"], bad["Date"], late)))
