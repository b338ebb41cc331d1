"""The rest of the working-time law in the check: daily span, weekly rest, the 12-week
average, the sector's minimum day, minors. The limits are ``[worktime]``, the same the
suggestions obey (``rules.worktime.WorkTime``). Only days from today on are reported.
"""
from __future__ import annotations

import pandas as pd

from sheets_sync.findings import ALERTE, ERREUR

from .registry import RuleContext, rule
from .rule_support import assigned_day_spans, assigned_intervals, day, employee_label, hours_text, missions_text
from .worktime import iso_mondays, longest_weekly_rest, rolling_week_hours


@rule("planning.amplitude", "Missions", ERREUR)
def long_span(ctx: RuleContext):
    """Plus de 13 h entre le début de la première mission et la fin de la dernière d'une même
    journée pour un salarié (amplitude, CCN animation commerciale art. 30 ; réglage
    worktime.max_span_hours). Signalé sur la dernière mission du jour."""
    limit = ctx.settings.worktime.max_span_hours
    spans = assigned_day_spans(ctx)
    bad = spans[(spans["span"] > limit + 1e-9) & (spans["date"] >= ctx.today)]
    return ctx.findings_on([ids[-1] for ids in bad["missions"]], "Salarié", (
        f"{employee_label(ctx, s)} aurait une amplitude de {hours_text(a)} le {day(d)} ({f:%H:%M}–{la:%H:%M}, "
        f"missions {missions_text(ids)}), plus que les {hours_text(limit)} permises. Retirez-lui une mission ce jour-là."
        for s, d, f, la, a, ids in zip(bad["Matricule"], bad["date"], bad["first"], bad["last"], bad["span"],
                                       bad["missions"])))


@rule("planning.repos_hebdomadaire", "Missions", ERREUR)
def short_weekly_rest(ctx: RuleContext):
    """Aucun repos de 35 h d'affilée dans une semaine ISO pour un salarié (24 h de repos
    hebdomadaire plus les 11 h de repos quotidien, L3132-2 ; réglage worktime.weekly_rest_hours).
    Signalé sur la dernière mission de la semaine."""
    limit = ctx.settings.worktime.weekly_rest_hours
    rests = longest_weekly_rest(assigned_intervals(ctx))
    if rests.empty:
        return []
    ends = iso_mondays(rests["year"], rests["week"]) + pd.Timedelta(days=6)
    bad = rests[(rests["rest"] < limit - 1e-9) & (ends >= ctx.today)]
    return ctx.findings_on([ids[-1] for ids in bad["missions"]], "Salarié", (
        f"{employee_label(ctx, s)} n'aurait au plus que {hours_text(r)} de repos d'affilée la semaine {w} de {y} "
        f"(missions {missions_text(ids)}) ; il faut {hours_text(limit)}. Libérez-lui une journée et demie."
        for s, y, w, r, ids in zip(bad["Matricule"], bad["year"], bad["week"], bad["rest"], bad["missions"])))


@rule("planning.moyenne_12_semaines", "Missions", ERREUR)
def long_average(ctx: RuleContext):
    """Plus de 44 h de travail par semaine en moyenne sur 12 semaines consécutives pour un
    salarié (L3121-22 ; la CCN permet 46 h ; réglages worktime.avg_week_hours et
    worktime.avg_weeks). Signalé sur la dernière mission de la semaine qui fait passer au-delà."""
    w = ctx.settings.worktime
    load = rolling_week_hours(assigned_intervals(ctx), w.avg_weeks)
    if load.empty:
        return []
    bad = load[(load["average"] > w.avg_week_hours + 1e-9)
               & (load["monday"] + pd.Timedelta(days=6) >= ctx.today)]
    return ctx.findings_on([ids[-1] for ids in bad["missions"]], "Salarié", (
        f"{employee_label(ctx, s)} travaillerait en moyenne {hours_text(a)} par semaine sur les {w.avg_weeks} "
        f"semaines finissant la semaine {wk} de {y}, plus que les {hours_text(w.avg_week_hours)} permises. "
        "Allégez ses semaines à venir."
        for s, y, wk, a in zip(bad["Matricule"], bad["year"], bad["week"], bad["average"])))


@rule("planning.journee_courte", "Missions", ALERTE)
def short_day(ctx: RuleContext):
    """Moins de 7 h de travail dans la journée pour un salarié : la convention de l'animation
    commerciale garantit 7 h par jour (4 h hors magasin, avec l'accord du salarié ; réglage
    worktime.min_day_hours). Vérifiez l'accord ou complétez la journée."""
    limit = ctx.settings.worktime.min_day_hours
    spans = assigned_day_spans(ctx)
    bad = spans[(spans["hours"] < limit - 1e-9) & (spans["date"] >= ctx.today)]
    return ctx.findings_on([ids[-1] for ids in bad["missions"]], "Salarié", (
        f"journée de {hours_text(h)} pour {employee_label(ctx, s)} le {day(d)} (missions {missions_text(ids)}) : la "
        f"convention garantit {hours_text(limit)} par jour (4 h hors magasin avec son accord écrit). "
        "Complétez la journée ou gardez l'accord du salarié."
        for s, d, h, ids in zip(bad["Matricule"], bad["date"], bad["hours"], bad["missions"])))


def minors_breaches(iv: pd.DataFrame, employees: pd.DataFrame, w) -> dict[str, str]:
    """By N° mission, what a mission of an employee under 18 on its date breaks (French), from
    the optional ``Date de naissance`` of ``Salariés``: the day's and the week's hours, the rest
    before it, night work."""
    if "Date de naissance" not in employees or iv.empty:
        return {}
    born = iv["Matricule"].map(employees["Date de naissance"])
    adult_on = born + pd.DateOffset(years=18)
    minor = iv[born.notna() & (iv["date"] < adult_on)]
    if minor.empty:
        return {}
    out: dict[str, list[str]] = {}
    days = minor.groupby(["Matricule", "date"])["hours"].transform("sum")
    weeks = minor.groupby(["Matricule", "year", "week"])["hours"].transform("sum")
    night_start, night_end = w.minor_night
    for r, d_h, w_h in zip(minor.itertuples(), days, weeks):
        why = out.setdefault(r.mission, [])
        if d_h > w.minor_day_hours + 1e-9:
            why.append(f"{hours_text(d_h)} ce jour (au plus {hours_text(w.minor_day_hours)})")
        if w_h > w.minor_week_hours + 1e-9:
            why.append(f"{hours_text(w_h)} cette semaine (au plus {hours_text(w.minor_week_hours)})")
        if r.start.hour < night_end or r.end.hour > night_start or (r.end.hour == night_start and r.end.minute):
            why.append(f"travail de nuit ({r.start:%H:%M}–{r.end:%H:%M} ; interdit de {night_start} h à {night_end} h)")
    ordered = minor.sort_values(["Matricule", "start"])
    prev_end = ordered.groupby("Matricule")["end"].shift(1)
    rest = (ordered["start"] - prev_end).dt.total_seconds() / 3600
    for mission, start, hours, before in zip(ordered["mission"], ordered["start"], rest, prev_end):
        if pd.notna(hours) and before.date() != start.date() and hours < w.minor_rest_hours - 1e-9:
            out[mission].append(f"{hours_text(hours)} de repos avant (au moins {hours_text(w.minor_rest_hours)})")
    return {m: " ; ".join(v) for m, v in out.items() if v}


@rule("planning.mineur", "Missions", ERREUR)
def minor_limits(ctx: RuleContext):
    """Un salarié de moins de 18 ans (colonne facultative « Date de naissance » de Salariés)
    dépasse les limites des mineurs : 8 h par jour, 35 h par semaine (L3162-1), 12 h de repos
    quotidien (L3164-1), pas de travail de 22 h à 6 h (L3163-2) ; réglages worktime.minor_*."""
    iv = assigned_intervals(ctx)  # the whole week counts; only missions from today on are reported
    upcoming = set(iv.loc[iv["date"] >= ctx.today, "mission"])
    breaches = {k: v for k, v in minors_breaches(iv, ctx.data["Salariés"].df, ctx.settings.worktime).items()
                if k in upcoming}
    who = dict(zip(iv["mission"], iv["Matricule"]))
    return ctx.findings_on(list(breaches), "Salarié", (
        f"{employee_label(ctx, who[m])} a moins de 18 ans : {why}. Changez les horaires ou affectez un salarié majeur."
        for m, why in breaches.items()))

