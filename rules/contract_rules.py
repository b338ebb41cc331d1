"""Contract rules: the sector's intervention CDD (accord of 13/02/2006, IDCC 2098).

One contract per mission, offered 10 calendar days ahead (best effort) and handed over at the
latest 2 jours ouvrables (Monday–Saturday) after the start (Code du travail L1242-13; a missing
written contract makes it a permanent one, L1242-12). A contract's hours are those of the time
model (``rules.worktime``: real time, less the break, preparation included). Only staffed
missions that are not ``Annulée`` count.
"""
from __future__ import annotations

import pandas as pd

from sheets_sync.findings import ALERTE, ERREUR
from sheets_sync.parsing import format_time

from .calendar import OUVRABLES, add_working_days
from .rule_support import assigned_intervals, cached, day, employee_label, hours_text, live_missions
from .registry import RuleContext, rule
from .status_seen import seen_since


def _staffed(ctx: RuleContext) -> pd.DataFrame:
    def compute():
        m = live_missions(ctx)
        return m[(m["Salarié"] != "") & m["Date"].notna()]

    return cached(ctx, "staffed", compute)


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
        f"{employee_label(ctx, s)}. Envoyez-le au salarié : backoffice contracts --send (Contrat passe alors à « Envoyé »)."
        for c, d, s in zip(bad["Contrat"], bad["Date"], bad["Salarié"])))


@rule("contrat.non_signe", "Missions", ERREUR)
def contract_not_signed(ctx: RuleContext):
    """La mission a commencé il y a plus de 2 jours ouvrables (réglage
    check.contract_working_days ; lundi–samedi hors jours fériés : Code du travail L1242-13,
    « au plus tard dans les deux jours ouvrables suivant l'embauche ») et son Contrat n'est pas
    « Signé » : le délai légal de remise du contrat est dépassé ; le message nomme ce jour."""
    n = ctx.settings.check.contract_working_days
    m = _staffed(ctx)
    m = m[(m["Contrat"] != "Signé") & (m["Date"] < ctx.today)]
    deadline = add_working_days(m["Date"], n, OUVRABLES)
    bad = m[deadline.values < ctx.today]
    late = deadline[deadline.values < ctx.today]
    return ctx.findings_on(bad.index, "Contrat", (
        f"contrat {'« ' + c + ' »' if c else 'vide'} alors que la mission de "
        f"{employee_label(ctx, s)} a commencé le {day(d)} ; il devait être signé au plus tard le "
        f"{day(dl)} ({n} jours ouvrables, L1242-13). Faites signer le contrat et passez Contrat à « Signé »."
        for c, s, d, dl in zip(bad["Contrat"], bad["Salarié"], bad["Date"], late)))


@rule("contrat.non_signe_au_depart", "Missions", ERREUR)
def not_signed_at_start(ctx: RuleContext):
    """La mission a commencé (Date et Début passés) et son Contrat n'est pas « Signé » :
    erreur dès le début, sans attendre les 2 jours ouvrables de la remise (L1242-13) ; après
    eux, c'est contrat.non_signe qui le dit."""
    n = ctx.settings.check.contract_working_days
    m = _staffed(ctx)
    now = pd.Timestamp(ctx.now)
    m = m[(m["Contrat"] != "Signé") & m["Début"].notna() & (m["Date"] + m["Début"] <= now)]
    m = m[add_working_days(m["Date"], n, OUVRABLES).values >= ctx.today]  # still within the delay
    state = m["Contrat"].map(lambda c: f"« {c} »" if c else "vide")
    messages = [f"la mission de {employee_label(ctx, s)} a commencé le {day(d)} à {format_time(b)} et son "
                f"contrat est {c}, pas signé. Faites-le signer aujourd'hui et passez Contrat à « Signé »."
                for c, s, d, b in zip(state, m["Salarié"], m["Date"], m["Début"])]
    return ctx.findings_on(m.index, "Contrat", messages)


def hours_of_last_year(iv: pd.DataFrame, today: pd.Timestamp) -> pd.Series:
    """Hours worked by each Salarié in the 12 months before ``today``, from the work intervals
    (``rules.worktime.intervals``: real time, less the breaks, preparation included) dated in
    that year (the CDI intermittent's 500 h)."""
    iv = iv[(iv["date"] < today) & (iv["date"] >= today - pd.DateOffset(years=1))]
    return iv["hours"].groupby(iv["Matricule"]).sum()


@rule("contrat.cdi_intermittent", "Salariés", ALERTE)
def intermittent_due(ctx: RuleContext):
    """Un salarié a travaillé plus de 500 h sur les 12 derniers mois (missions passées non
    annulées, temps de préparation compris ; accord du 13/02/2006 : « supérieur à 500 heures » ;
    réglage check.intermittent_hours) : la branche impose de lui proposer un CDI intermittent."""
    limit = ctx.settings.check.intermittent_hours
    hours = hours_of_last_year(assigned_intervals(ctx), ctx.today)
    employees = ctx.data["Salariés"].df
    bad = hours[(hours > limit + 1e-9) & hours.index.isin(employees.index)]
    return ctx.findings_on(bad.index, "Matricule", (
        f"{employee_label(ctx, s)} a travaillé {hours_text(h)} sur les 12 derniers mois (plus de {limit:.0f} h) : "
        "proposez-lui un CDI intermittent."
        for s, h in bad.items()))


@rule("contrat.delai_acceptation", "Missions", ALERTE)
def acceptance_overdue(ctx: RuleContext):
    """Une mission à venir est « Proposée » au même salarié depuis plus de 3 jours (réglage
    check.acceptance_days ; accord de branche du 13/02/2006 : le salarié a 3 jours pour
    accepter) sans réponse. La date est celle de l'offre envoyée à ce salarié (backoffice offers),
    sinon celle de la première vérification qui a vu la mission proposée à ce salarié (mémoire
    de l'onglet État)."""
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
    """Une mission affectée a été annulée moins de 7 jours avant son début : le salarié est payé
    100 % des heures prévues sous 72 h, 50 % entre 72 h et 7 jours (accord de branche du
    13/02/2006 ; réglages check.cancellation_hours et check.cancellation_half_hours ; les heures
    du contrat, préparation comprise). La date d'annulation est celle de la première
    vérification qui a vu la mission « Annulée » (mémoire statuts.json) ; l'alerte reste
    31 jours après la mission (réglage check.cancellation_days_shown), le temps de la paie."""
    from .worktime import timed_missions

    check = ctx.settings.check
    m = ctx.data["Missions"].df
    m = m[(m["Statut"] == "Annulée") & (m["Salarié"] != "") & m["Date"].notna() & m["Début"].notna()
          & m["Fin"].notna() & (m["Date"] >= ctx.today - pd.Timedelta(days=check.cancellation_days_shown))]
    timed = timed_missions(m, ctx.settings.worktime)
    out = []
    for key, employee, date, start, begins, paid in zip(m.index, m["Salarié"], m["Date"], m["Début"], timed["start"],
                                                        timed["hours"]):
        since = seen_since(ctx.status_seen, key, "Annulée", employee)
        if since is None:
            continue
        ahead = begins - since.tz_localize(begins.tz, ambiguous=True, nonexistent="shift_forward")
        if ahead <= pd.Timedelta(0) or ahead >= pd.Timedelta(hours=check.cancellation_half_hours):
            continue
        full = ahead < pd.Timedelta(hours=check.cancellation_hours)
        share, below = ("100 %", f"moins de {check.cancellation_hours:g} h") if full else (
            "50 %", f"moins de {check.cancellation_half_hours / 24:g} jours")
        out.append(ctx.finding(key, "Statut", (
            f"mission de {employee_label(ctx, employee)} annulée le {day(since)} à {since:%H:%M}, {below} avant son "
            f"début ({day(date)} à {format_time(start)}) : le salarié est payé {share} des heures prévues "
            f"({hours_text(paid)}) ; reportez-les en paie.")))
    return out


@rule("contrat.dpae", "Missions", ERREUR)
def dpae_missing(ctx: RuleContext):
    """La DPAE d'un contrat (déclaration préalable à l'embauche : avant chaque embauche,
    L1221-10, au plus tôt 8 jours avant, R1221-5 ; réglage check.dpae_max_days_before) manque,
    est postérieure au début ou trop ancienne, pour une mission affectée qui commence dans les
    2 jours (réglage check.dpae_days) ou a commencé aujourd'hui. La date est la colonne
    facultative « DPAE » de Missions ; à défaut, la « DPAE » de Salariés, qui ne vaut que pour
    une mission qui commence dans les 8 jours suivant cette date. Sans aucune des deux colonnes,
    la règle ne s'applique pas."""
    employees = ctx.data["Salariés"]
    missions = ctx.data["Missions"]
    if "DPAE" not in employees.columns and "DPAE" not in missions.columns:
        return []
    check = ctx.settings.check
    m = _staffed(ctx)
    m = m[(m["Date"] >= ctx.today) & (m["Date"] <= ctx.today + pd.Timedelta(days=check.dpae_days))
          & m["Salarié"].isin(employees.df.index)]
    own = m["DPAE"] if "DPAE" in missions.columns else pd.Series(pd.NaT, index=m.index, dtype="datetime64[ns]")
    person = (m["Salarié"].map(employees.df["DPAE"]) if "DPAE" in employees.columns
              else pd.Series(pd.NaT, index=m.index, dtype="datetime64[ns]"))
    window = pd.Timedelta(days=check.dpae_max_days_before)
    person = person.where((person <= m["Date"]) & (person >= m["Date"] - window))  # only that contract's
    declared = own.where(own.notna(), person)
    column = "DPAE" if "DPAE" in missions.columns else "Salarié"
    bad = m[declared.isna() | (declared > m["Date"]) | (declared < m["Date"] - window)]
    out = []
    for key, who, date, d in zip(bad.index, bad["Salarié"], bad["Date"], declared[bad.index]):
        if pd.isna(d):
            fallback = employees.df.at[who, "DPAE"] if "DPAE" in employees.columns else pd.NaT
            state = "non renseignée" + (f" (celle de Salariés, du {day(fallback)}, ne couvre pas ce contrat)"
                                        if pd.notna(fallback) else "")
        elif d > date:
            state = f"du {day(d)}, après le début"
        else:
            state = f"du {day(d)}, plus de {window.days} jours avant le début"
        out.append(ctx.finding(key, column, (
            f"DPAE {state} pour la mission {key} de {employee_label(ctx, who)}, qui commence le {day(date)} : "
            f"déclarez l'embauche à l'URSSAF dans les {window.days} jours qui précèdent le début, puis notez sa "
            "date dans la colonne DPAE de Missions.")))
    return out
