"""Staffing rules: is the employee assigned to a mission allowed to do it?

They look at staffed missions that are not ``Annulée`` (``rules.worktime.intervals``) dated
today or later: a past mission is history the CDBO can no longer change (a week that has
started still counts its past days). Thresholds are ``[check]`` settings.
"""
from __future__ import annotations

import pandas as pd

from sheets_sync.findings import ALERTE, ERREUR
from sheets_sync.parsing import format_time

from .rule_support import (assigned_intervals, cached, day, employee_label, hours_text, live_missions,
                           medical_expiries, missions_text)
from .registry import RuleContext, rule
from .training import trained_mask
from .worktime import day_hours, iso_mondays, overlapping_pairs, short_rests, week_load


def _upcoming_staffed(ctx: RuleContext) -> pd.DataFrame:
    def compute():
        m = live_missions(ctx)
        return m[(m["Salarié"] != "") & m["Date"].notna() & (m["Date"] >= ctx.today)]

    return cached(ctx, "upcoming_staffed", compute)


def _heavy_weeks(ctx: RuleContext) -> pd.DataFrame:
    """``week_load`` of the employee-weeks over the hour or day limit (the others are skipped
    before the costly per-week lists are built)."""
    def compute():
        w = ctx.settings.worktime
        iv = assigned_intervals(ctx)
        groups = iv.groupby(["Matricule", "year", "week"])
        heavy = ((groups["hours"].transform("sum") > w.max_week_hours + 1e-9)
                 | (groups["date"].transform("nunique") > w.max_week_days))
        return week_load(iv[heavy])

    return cached(ctx, "heavy_weeks", compute)


@rule("planning.non_forme", "Missions", ERREUR)
def not_trained(ctx: RuleContext):
    """Le salarié affecté n'est pas formé pour la marque de la mission à sa date : aucune
    ligne de Formations pour ce Matricule et cette Marque avec Date ≤ date de mission ≤
    Valide jusqu'au (vide = sans fin)."""
    m = _upcoming_staffed(ctx)
    m = m[m["Salarié"].isin(ctx.data["Salariés"].df.index)]
    trained = trained_mask(ctx.data["Formations"].df, m["Salarié"], m["Marque"], m["Date"])
    bad = m[~trained.values]
    return ctx.findings_on(bad.index, "Salarié", (
        f"{employee_label(ctx, s)} n'est pas formé(e) pour la marque « {b} » au {day(d)}. "
        "Ajoutez sa formation dans Formations ou affectez un salarié formé."
        for s, b, d in zip(bad["Salarié"], bad["Marque"], bad["Date"])))


@rule("planning.visite_medicale", "Missions", ERREUR)
def medical_check(ctx: RuleContext):
    """La visite médicale du salarié affecté a plus de 24 mois (réglage
    check.medical_months) à la date de la mission, ou n'est pas renseignée : l'accord de
    branche exige une aptitude de moins de 24 mois."""
    months = ctx.settings.check.medical_months
    employees = ctx.data["Salariés"].df
    m = _upcoming_staffed(ctx)
    m = m[m["Salarié"].isin(employees.index)]
    visit = employees["Visite médicale"]
    expiry = medical_expiries(ctx)
    m_visit = m["Salarié"].map(visit)
    m_expiry = m["Salarié"].map(expiry)
    mask = m_expiry.isna() | (m["Date"] > m_expiry)
    bad = m[mask]
    messages = (
        f"aucune visite médicale enregistrée pour {employee_label(ctx, s)}. Renseignez la Visite "
        "médicale dans Salariés ou affectez un autre salarié."
        if pd.isna(v) else
        f"la visite médicale de {employee_label(ctx, s)} du {day(v)} n'est plus valable le "
        f"{day(d)} (expirée le {day(x)}, {months} mois). Programmez une visite avant la mission "
        "ou affectez un autre salarié."
        for s, d, v, x in zip(bad["Salarié"], bad["Date"], m_visit[mask], m_expiry[mask]))
    return ctx.findings_on(bad.index, "Salarié",
                       messages)


@rule("planning.chevauchement", "Missions", ERREUR)
def overlap(ctx: RuleContext):
    """Deux missions du même salarié se chevauchent dans le temps. Signalé sur la mission qui
    commence le plus tard, en nommant l'autre."""
    iv = assigned_intervals(ctx)
    # missions end the day they start: only an employee's days with two missions or more can overlap
    iv = iv[(iv["date"] >= ctx.today) & iv.duplicated(["Matricule", "date"], keep=False)]
    pairs = overlapping_pairs(iv)
    if pairs.empty:
        return []
    by_id = iv.set_index("mission")
    missions = ctx.data["Missions"]
    out = []
    for matricule, a, b in pairs.itertuples(index=False):
        if by_id.at[b, "date"] < ctx.today:
            continue
        other = by_id.loc[a]
        out.append(ctx.finding(
            b, "Salarié",
            f"{employee_label(ctx, matricule)} est aussi affecté(e) à la mission {a} "
            f"({missions.cell_of(a, 'Salarié')}) le {day(other['date'])} de "
            f"{other['start']:%H:%M} à {other['end']:%H:%M}, qui chevauche celle-ci. "
            "Affectez un autre salarié à l'une des deux."))
    return out


@rule("planning.journee_trop_longue", "Missions", ERREUR)
def long_day(ctx: RuleContext):
    """Plus de 10 h de travail dans la journée pour un salarié (Code du travail L3121-18 ;
    réglage worktime.max_day_hours) : le temps réel de chaque mission, pause déduite
    (colonne Pause), plus sa préparation (worktime.preparation_minutes) et les trajets entre
    deux magasins du jour. Signalé sur la dernière mission du jour."""
    limit = ctx.settings.worktime.max_day_hours
    iv = assigned_intervals(ctx)
    iv = iv[iv["date"] >= ctx.today]
    iv = iv[iv.groupby(["Matricule", "date"])["hours"].transform("sum") > limit + 1e-9]
    bad = day_hours(iv)
    return ctx.findings_on([ids[-1] for ids in bad["missions"]], "Salarié", (
        f"{employee_label(ctx, s)} travaillerait {hours_text(h)} le {day(d)} (missions "
        f"{missions_text(ids)} ; pauses déduites, préparation comprise), plus que les {hours_text(limit)} autorisées "
        "par jour. "
        "Retirez-lui une mission ou raccourcissez les horaires."
        for s, d, h, ids in zip(bad["Matricule"], bad["date"], bad["hours"], bad["missions"])))


def _week_end(year, week) -> pd.Series:
    return iso_mondays(year, week) + pd.Timedelta(days=6)


@rule("planning.semaine_trop_longue", "Missions", ERREUR)
def long_week(ctx: RuleContext):
    """Plus de 48 h de travail dans une semaine ISO pour un salarié (L3121-20 ; réglage
    worktime.max_week_hours ; heures comptées comme pour la journée : pauses déduites,
    préparation et trajets compris). Signalé sur la dernière mission de la semaine."""
    limit = ctx.settings.worktime.max_week_hours
    weeks = _heavy_weeks(ctx)
    bad = weeks[weeks["hours"] > limit + 1e-9]
    bad = bad[_week_end(bad["year"], bad["week"]) >= ctx.today] if len(bad) else bad
    return ctx.findings_on([ids[-1] for ids in bad["missions"]], "Salarié", (
        f"{employee_label(ctx, s)} travaillerait {hours_text(h)} la semaine {w} de {y} "
        f"(missions {missions_text(ids)}), plus que les {hours_text(limit)} autorisées. "
        "Retirez-lui une mission cette semaine."
        for s, y, w, h, ids in zip(bad["Matricule"], bad["year"], bad["week"], bad["hours"],
                                   bad["missions"])))


@rule("planning.trop_de_jours", "Missions", ERREUR)
def too_many_days(ctx: RuleContext):
    """Plus de 6 jours travaillés dans une semaine ISO pour un salarié (L3132-1 : un jour de
    repos par semaine ; réglage worktime.max_week_days)."""
    limit = ctx.settings.worktime.max_week_days
    weeks = _heavy_weeks(ctx)
    bad = weeks[weeks["days"] > limit]
    bad = bad[_week_end(bad["year"], bad["week"]) >= ctx.today] if len(bad) else bad
    return ctx.findings_on([ids[-1] for ids in bad["missions"]], "Salarié", (
        f"{employee_label(ctx, s)} travaillerait {n} jours la semaine {w} de {y} (missions "
        f"{missions_text(ids)}), plus que les {limit} autorisés. Libérez-lui un jour de repos."
        for s, y, w, n, ids in zip(bad["Matricule"], bad["year"], bad["week"], bad["days"],
                                   bad["missions"])))


@rule("planning.repos_insuffisant", "Missions", ERREUR)
def short_rest(ctx: RuleContext):
    """Moins de 11 h de repos entre la fin d'une mission et le début de la suivante, un
    autre jour, pour un même salarié (L3131-1 ; réglage worktime.min_rest_hours)."""
    limit = ctx.settings.worktime.min_rest_hours
    iv = assigned_intervals(ctx)
    rests = short_rests(iv, limit)
    by_id = iv.set_index("mission")
    rests = rests[rests["mission_b"].map(by_id["date"]) >= ctx.today]
    return ctx.findings_on(rests["mission_b"],
                       "Salarié", (
        f"{employee_label(ctx, s)} n'aurait que {hours_text(r)} de repos entre la mission {a} "
        f"(fin le {day(by_id.at[a, 'end'])} à {by_id.at[a, 'end']:%H:%M}) et celle-ci (début le "
        f"{day(by_id.at[b, 'start'])} à {by_id.at[b, 'start']:%H:%M}) ; il faut "
        f"{hours_text(limit)}. Décalez les horaires ou affectez un autre salarié."
        for s, a, b, r in zip(rests["Matricule"], rests["mission_a"], rests["mission_b"],
                              rests["rest_hours"])))


@rule("planning.sans_salarie", "Missions", ALERTE)
def unstaffed(ctx: RuleContext):
    """Une mission non annulée dans les 3 prochains jours (réglage check.unstaffed_days)
    n'a pas de Salarié : alerte, puis erreur la veille et le jour même."""
    m = live_missions(ctx)
    horizon = ctx.today + pd.Timedelta(days=ctx.settings.check.unstaffed_days)
    bad = m[(m["Salarié"] == "") & (m["Date"] >= ctx.today) & (m["Date"] <= horizon)]
    out = []
    for key, row in bad.iterrows():
        days = (row["Date"] - ctx.today).days
        when = {0: "aujourd'hui", 1: "demain"}.get(days, f"dans {days} jours")
        severity = ERREUR if days <= 1 else ALERTE
        out.append(ctx.finding(
            key, "Salarié",
            f"mission du {day(row['Date'])} ({when}, {row['Marque']}, magasin "
            f"{row['Code magasin']}, {format_time(row['Début'])}–{format_time(row['Fin'])}) sans "
            "salarié. Affectez un salarié (voir la colonne Suggestions).",
            severity=severity, reason="imminente" if severity == ERREUR else ""))
    return out
