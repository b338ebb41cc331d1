"""The rest of the working-time law in the check: daily span, weekly rest, the 12-week
average, the sector's minimum per contract, breaks, 1 May, minors. The limits are
``[worktime]``, the same the suggestions obey (``rules.worktime.WorkTime``), over the time
model of ``rules.worktime`` (real instants, breaks, preparation). Only days from today on are
reported.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sheets_sync.findings import ALERTE, ERREUR

from .registry import RuleContext, rule
from .calendar import is_public_holiday
from .rule_support import assigned_day_spans, assigned_intervals, day, employee_label, hours_text, missions_text
from .worktime import at_night, grouped_lists, iso_mondays, longest_weekly_rest, rolling_week_hours


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


def _mission_flags(ctx: RuleContext, column: str, iv: pd.DataFrame) -> np.ndarray:
    """The optional yes/no ``column`` of Missions for each interval (False without the column)."""
    missions = ctx.data["Missions"].df
    if column not in missions or iv.empty:
        return np.zeros(len(iv), bool)
    return iv["mission"].map(missions[column].eq(True)).eq(True).to_numpy(bool)


@rule("planning.journee_courte", "Missions", ALERTE)
def short_contract(ctx: RuleContext):
    """Un contrat (une mission) de moins de 7 h, préparation comprise : la convention de
    l'animation commerciale garantit 7 h par contrat (accord du 13/02/2006 art. 4.1 ; réglage
    worktime.min_day_hours), 4 h hors magasin avec l'accord écrit du salarié (colonne
    facultative « Accord 4 h » de Missions ; réglage worktime.consent_min_hours). Deux
    animations de 3 h 30 le même jour sont deux contrats trop courts."""
    w = ctx.settings.worktime
    iv = assigned_intervals(ctx)
    contract = (iv["hours"] - iv["travel"]).to_numpy(float)
    consent = _mission_flags(ctx, "Accord 4 h", iv)
    floor = np.where(consent, w.consent_min_hours, w.min_day_hours)
    bad = (contract < floor - 1e-9) & (iv["date"] >= ctx.today).to_numpy(bool)
    return ctx.findings_on(iv["mission"][bad], "Salarié", (
        f"contrat de {hours_text(h)} (préparation comprise) pour {employee_label(ctx, s)} le {day(d)} : la convention "
        f"garantit {hours_text(f)} par contrat"
        + ("." if c else f" ({hours_text(w.consent_min_hours)} hors magasin avec son accord écrit : colonne Accord 4 h).")
        + " Allongez la mission ou regroupez-la avec une autre du même jour."
        for s, d, h, f, c in zip(iv["Matricule"][bad], iv["date"][bad], contract[bad], floor[bad], consent[bad])))


def day_breaks(iv: pd.DataFrame) -> pd.DataFrame:
    """Per employee and date: the work of the day (hours less preparation and travel), the
    longest break (a mission's Pause, or the time between two missions) and the missions."""
    if iv.empty:
        return pd.DataFrame(columns=["Matricule", "date", "work", "longest", "missions"])
    o = iv.sort_values(["Matricule", "start"])
    same_day = o["Matricule"].eq(o["Matricule"].shift()) & o["date"].eq(o["date"].shift())
    gap = ((o["start"] - o["end"].shift()).dt.total_seconds() / 60).where(same_day, 0.0).clip(lower=0)
    work = o["elapsed"] - o["pause"] / 60
    groups = o.assign(_work=work, _break=np.maximum(o["pause"].to_numpy(float), gap.to_numpy(float))) \
        .groupby(["Matricule", "date"], sort=True)
    out = groups.agg(work=("_work", "sum"), longest=("_break", "max")).reset_index()
    out["missions"] = grouped_lists(groups, "mission")
    return out


@rule("planning.pause", "Missions", ERREUR)
def missing_break(ctx: RuleContext):
    """Une journée de 6 h de travail ou plus sans pause de 20 minutes d'affilée (Code du
    travail L3121-16 ; réglages worktime.default_break_minutes et worktime.break_from_hours).
    La pause est la colonne facultative « Pause » de Missions (en minutes ; vide : 20 min sur
    une mission de 6 h ou plus) ou le temps entre deux missions du jour. Signalé sur la
    dernière mission du jour."""
    w = ctx.settings.worktime
    days = day_breaks(assigned_intervals(ctx))
    bad = days[(days["work"] >= w.break_from_hours - 1e-9) & (days["longest"] < w.default_break_minutes - 1e-9)
               & (days["date"] >= ctx.today)] if len(days) else days
    return ctx.findings_on([ids[-1] for ids in bad["missions"]], "Salarié", (
        f"{employee_label(ctx, s)} travaillerait {hours_text(h)} le {day(d)} (missions {missions_text(ids)}) avec au "
        f"plus {b:.0f} min de pause d'affilée : il faut {w.default_break_minutes:.0f} min dès "
        f"{hours_text(w.break_from_hours)}. Notez la pause (en minutes) dans la colonne Pause."
        for s, d, h, b, ids in zip(bad["Matricule"], bad["date"], bad["work"], bad["longest"], bad["missions"])))


@rule("planning.premier_mai", "Missions", ALERTE)
def first_of_may(ctx: RuleContext):
    """Une mission affectée le 1er mai, jour férié chômé pour tous (Code du travail L3133-4) :
    seuls les établissements qui ne peuvent interrompre le travail y dérogent (L3133-6), et
    l'heure est payée double. Cochez « Dérogation » (colonne facultative de Missions) quand le
    magasin est dans ce cas."""
    iv = assigned_intervals(ctx)
    may = (iv["date"].dt.month == 5) & (iv["date"].dt.day == 1) & (iv["date"] >= ctx.today)
    bad = iv[may.to_numpy() & ~_mission_flags(ctx, "Dérogation", iv)]
    return ctx.findings_on(bad["mission"], "Salarié", (
        f"mission de {employee_label(ctx, s)} le 1er mai ({day(d)}), jour férié chômé (L3133-4) : annulez-la ou, "
        "si le magasin ne peut interrompre son activité (L3133-6), cochez Dérogation et payez le jour double."
        for s, d in zip(bad["Matricule"], bad["date"])))


def minors_breaches(iv: pd.DataFrame, employees: pd.DataFrame, w, derogation: np.ndarray | None = None) -> dict[str, str]:
    """By N° mission, what a mission of an employee under 18 on its date breaks (French), from
    the optional ``Date de naissance`` of ``Salariés``: the day's and the week's hours, the rest
    before it, night work, the break, the two consecutive days off of the week, Sundays and
    public holidays (unless ``derogation``, by interval)."""
    if "Date de naissance" not in employees or iv.empty:
        return {}
    born = iv["Matricule"].map(employees["Date de naissance"])
    adult_on = born + pd.DateOffset(years=18)
    is_minor = (born.notna() & (iv["date"] < adult_on)).to_numpy(bool)
    minor = iv[is_minor]
    if minor.empty:
        return {}
    exempt = derogation[is_minor] if derogation is not None else np.zeros(len(minor), bool)
    out: dict[str, list[str]] = {}
    days = minor.groupby(["Matricule", "date"])["hours"].transform("sum")
    weeks = minor.groupby(["Matricule", "year", "week"])["hours"].transform("sum")
    night = at_night(minor["start"], minor["end"], w.minor_night)
    sunday = (minor["date"].dt.weekday == 6).to_numpy(bool)
    holiday = is_public_holiday(minor["date"])
    night_start, night_end = w.minor_night
    for r, d_h, w_h, n, sun, hol, ok in zip(minor.itertuples(), days, weeks, night, sunday, holiday, exempt):
        why = out.setdefault(r.mission, [])
        if d_h > w.minor_day_hours + 1e-9:
            why.append(f"{hours_text(d_h)} ce jour (au plus {hours_text(w.minor_day_hours)})")
        if w_h > w.minor_week_hours + 1e-9:
            why.append(f"{hours_text(w_h)} cette semaine (au plus {hours_text(w.minor_week_hours)})")
        if n:
            why.append(f"travail de nuit ({r.start:%H:%M}–{r.end:%H:%M} ; interdit de {night_start} h à {night_end} h)")
        if sun and not ok:
            why.append("travail le dimanche (L3164-5)")
        if hol and not ok:
            why.append("travail un jour férié (L3164-6)")
    ordered = minor.sort_values(["Matricule", "start"])
    prev_end = ordered.groupby("Matricule")["end"].shift(1)
    prev_day = ordered.groupby("Matricule")["date"].shift(1)
    rest = (ordered["start"] - prev_end).dt.total_seconds() / 3600
    for mission, date, hours, before in zip(ordered["mission"], ordered["date"], rest, prev_day):
        if pd.notna(hours) and before != date and hours < w.minor_rest_hours - 1e-9:
            out[mission].append(f"{hours_text(hours)} de repos avant (au moins {hours_text(w.minor_rest_hours)})")
    # an empty Pause on a minor's mission of more than 4 h 30 is taken as their legal 30 minutes
    assumed = np.where(minor["elapsed"] > w.minor_break_after_hours + 1e-9, w.minor_break_minutes, 0.0)
    minor_pauses = minor.assign(pause=np.where(minor["pause_typed"], minor["pause"], assumed))
    for row in day_breaks(minor_pauses).itertuples():
        if row.work > w.minor_break_after_hours + 1e-9 and row.longest < w.minor_break_minutes - 1e-9:
            out[row.missions[-1]].append(f"{hours_text(row.work)} de travail avec au plus {row.longest:.0f} min de "
                                         f"pause (au moins {w.minor_break_minutes:.0f} min après "
                                         f"{hours_text(w.minor_break_after_hours)} : notez-la dans Pause)")
    for (who, _y, _w), group in minor.groupby(["Matricule", "year", "week"]):
        worked = set(group["date"].dt.weekday)
        free = [d not in worked for d in range(7)]
        run = best = 0
        for f in free:
            run = run + 1 if f else 0
            best = max(best, run)
        if best < w.minor_days_off:
            last = group.sort_values("start")["mission"].iloc[-1]
            out[last].append(f"pas {w.minor_days_off} jours de repos consécutifs cette semaine (L3164-2)")
    return {m: " ; ".join(v) for m, v in out.items() if v}


@rule("planning.mineur", "Missions", ERREUR)
def minor_limits(ctx: RuleContext):
    """Un salarié de moins de 18 ans (colonne facultative « Date de naissance » de Salariés)
    dépasse les limites des mineurs : 8 h par jour, 35 h par semaine (L3162-1), 12 h de repos
    quotidien (L3164-1), pas de travail de 22 h à 6 h (L3163-2), 30 min de pause au-delà de
    4 h 30 (L3162-3), deux jours de repos consécutifs par semaine (L3164-2), ni dimanche
    (L3164-5) ni jour férié (L3164-6) sauf « Dérogation » cochée sur la mission ; réglages
    worktime.minor_*."""
    iv = assigned_intervals(ctx)  # the whole week counts; only missions from today on are reported
    upcoming = set(iv.loc[iv["date"] >= ctx.today, "mission"])
    breaches = {k: v for k, v in minors_breaches(iv, ctx.data["Salariés"].df, ctx.settings.worktime,
                                                 _mission_flags(ctx, "Dérogation", iv)).items()
                if k in upcoming}
    who = dict(zip(iv["mission"], iv["Matricule"]))
    return ctx.findings_on(list(breaches), "Salarié", (
        f"{employee_label(ctx, who[m])} a moins de 18 ans : {why}. Changez les horaires ou affectez un salarié majeur."
        for m, why in breaches.items()))
