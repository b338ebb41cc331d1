"""Contract rules: the sector's intervention CDD (accord of 13/02/2006, IDCC 2098).

One contract per mission, offered 10 calendar days ahead (best effort) and handed over at the
latest 2 working days after the start (Code du travail L1242-13; a missing written contract
makes it a permanent one, L1242-12). Only staffed missions that are not ``Annulée`` count.
"""
from __future__ import annotations

import pandas as pd

from sheets_sync.findings import ALERTE, ERREUR
from sheets_sync.parsing import format_time

from .calendar import add_working_days
from .rule_support import day, employee_label, hours_text, live_missions
from .registry import RuleContext, rule
from .status_seen import seen_since


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


@rule("contrat.non_signe_au_depart", "Missions", ERREUR)
def not_signed_at_start(ctx: RuleContext):
    """La mission a commencé (Date et Début passés) et son Contrat n'est pas « Signé » :
    erreur dès le début, sans attendre les 2 jours ouvrés de la remise (L1242-13) ; après eux,
    c'est contrat.non_signe qui le dit."""
    n = ctx.settings.check.contract_working_days
    m = _staffed(ctx)
    now = pd.Timestamp(ctx.now)
    m = m[(m["Contrat"] != "Signé") & m["Début"].notna() & (m["Date"] + m["Début"] <= now)]
    m = m[add_working_days(m["Date"], n).values >= ctx.today]  # still within the delay
    state = m["Contrat"].map(lambda c: f"« {c} »" if c else "vide")
    messages = [f"la mission de {employee_label(ctx, s)} a commencé le {day(d)} à {format_time(b)} et son "
                f"contrat est {c}, pas signé. Faites-le signer aujourd'hui et passez Contrat à « Signé »."
                for c, s, d, b in zip(state, m["Salarié"], m["Date"], m["Début"])]
    return ctx.findings_on(m.index, "Contrat", messages)


def hours_of_last_year(missions: pd.DataFrame, today: pd.Timestamp) -> pd.Series:
    """Hours worked by each Salarié in the 12 months before ``today``: missions dated in that
    year, with both times, not « Annulée » (the CDI intermittent's 500 h)."""
    m = missions[(missions["Statut"] != "Annulée") & (missions["Salarié"] != "") & missions["Date"].notna()]
    m = m[(m["Date"] < today) & (m["Date"] >= today - pd.DateOffset(years=1)) & m["Début"].notna() & m["Fin"].notna()]
    return ((m["Fin"] - m["Début"]).dt.total_seconds() / 3600).groupby(m["Salarié"]).sum()


@rule("contrat.cdi_intermittent", "Salariés", ALERTE)
def intermittent_due(ctx: RuleContext):
    """Un salarié a travaillé 500 h ou plus sur les 12 derniers mois (missions passées non
    annulées ; réglage check.intermittent_hours) : la branche impose de lui proposer un CDI
    intermittent."""
    limit = ctx.settings.check.intermittent_hours
    hours = hours_of_last_year(_staffed(ctx), ctx.today)
    employees = ctx.data["Salariés"].df
    bad = hours[(hours >= limit - 1e-9) & hours.index.isin(employees.index)]
    return ctx.findings_on(bad.index, "Matricule", (
        f"{employee_label(ctx, s)} a travaillé {h:.0f} h sur les 12 derniers mois (au moins {limit:.0f} h) : "
        "proposez-lui un CDI intermittent."
        for s, h in bad.items()))


@rule("contrat.delai_acceptation", "Missions", ALERTE)
def acceptance_overdue(ctx: RuleContext):
    """Une mission à venir est « Proposée » au même salarié depuis plus de 3 jours (réglage
    check.acceptance_days ; accord de branche du 13/02/2006 : le salarié a 3 jours pour
    accepter) sans réponse. La date est celle de la première vérification qui a vu la mission
    proposée à ce salarié (mémoire statuts.json)."""
    days = ctx.settings.check.acceptance_days
    m = ctx.data["Missions"].df
    m = m[(m["Statut"] == "Proposée") & (m["Salarié"] != "") & m["Date"].notna() & (m["Date"] >= ctx.today)]
    limit = pd.Timestamp(ctx.now) - pd.Timedelta(days=days)
    out = []
    for key, employee, date in zip(m.index, m["Salarié"], m["Date"]):
        since = seen_since(ctx.status_seen, key, "Proposée", employee)
        if since is None or since > limit:
            continue
        out.append(ctx.finding(key, "Statut", (
            f"mission du {day(date)} proposée à {employee_label(ctx, employee)} le {day(since)}, sans réponse "
            f"après {days} jours (le délai d'acceptation) : appelez le salarié, ou proposez la mission à un "
            "autre (backoffice suggest).")))
    return out


@rule("contrat.annulation_payee", "Missions", ALERTE)
def late_cancellation(ctx: RuleContext):
    """Une mission affectée a été annulée moins de 72 h avant son début (réglage
    check.cancellation_hours ; accord de branche du 13/02/2006) : le salarié est payé 100 % des
    heures prévues. La date d'annulation est celle de la première vérification qui a vu la
    mission « Annulée » (mémoire statuts.json) ; l'alerte reste 31 jours après la mission
    (réglage check.cancellation_days_shown), le temps de la paie."""
    hours = ctx.settings.check.cancellation_hours
    shown = ctx.settings.check.cancellation_days_shown
    m = ctx.data["Missions"].df
    m = m[(m["Statut"] == "Annulée") & (m["Salarié"] != "") & m["Date"].notna() & m["Début"].notna()
          & m["Fin"].notna() & (m["Date"] >= ctx.today - pd.Timedelta(days=shown))]
    out = []
    for key, employee, date, start, end in zip(m.index, m["Salarié"], m["Date"], m["Début"], m["Fin"]):
        since = seen_since(ctx.status_seen, key, "Annulée", employee)
        begins = date + start
        if since is None or since >= begins or begins - since >= pd.Timedelta(hours=hours):
            continue
        paid = hours_text((end - start).total_seconds() / 3600)
        out.append(ctx.finding(key, "Statut", (
            f"mission de {employee_label(ctx, employee)} annulée le {day(since)} à {since:%H:%M}, moins de "
            f"{hours:g} h avant son début ({day(date)} à {format_time(start)}) : le salarié est payé 100 % des "
            f"heures prévues ({paid}) ; reportez-les en paie.")))
    return out


@rule("contrat.dpae", "Salariés", ERREUR)
def dpae_missing(ctx: RuleContext):
    """La DPAE (colonne facultative « DPAE » de Salariés : la date de la déclaration préalable à
    l'embauche) est vide, ou postérieure au début, pour un salarié dont une mission affectée
    commence dans les 2 jours (réglage check.dpae_days) ou a commencé aujourd'hui : la DPAE
    précède l'embauche (Code du travail L1221-10). Sans la colonne, la règle ne s'applique pas."""
    employees = ctx.data["Salariés"]
    if "DPAE" not in employees.columns:
        return []
    m = _staffed(ctx)
    m = m[(m["Date"] >= ctx.today) & (m["Date"] <= ctx.today + pd.Timedelta(days=ctx.settings.check.dpae_days))
          & m["Salarié"].isin(employees.df.index)]
    first = m.sort_values(["Date", "Début"]).groupby("Salarié", sort=True).head(1)
    declared = first["Salarié"].map(employees.df["DPAE"])
    bad = first[declared.isna() | (declared > first["Date"])]
    return ctx.findings_on(bad["Salarié"], "DPAE", (
        f"DPAE {'non renseignée' if pd.isna(d) else 'du ' + day(d) + ', après le début'} pour "
        f"{employee_label(ctx, s)}, dont la mission {k} commence le {day(date)} : déclarez l'embauche à "
        "l'URSSAF avant le début (DPAE), puis notez sa date."
        for k, s, date, d in zip(bad.index, bad["Salarié"], bad["Date"], declared[bad.index])))
