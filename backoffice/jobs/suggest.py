"""The suggest job: best candidates of each open mission, written in ``Suggestions``.

Reads Salariés, Missions, Magasins, Formations, Indisponibilités; writes only the
``Suggestions`` cell of the open missions. Candidate 1 is the plan's choice (a conflict-free
plan over the whole horizon, rules/planning.py); 2..K the next best eligible people.
A mission that is no longer open keeps its last Suggestions (history of what was proposed).
With ``explain`` (a N° mission) the job prints why each active employee is or is not a
candidate and writes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rules.eligibility import (evaluate, hard_rules, missing_coordinates, no_candidate_message, open_missions,
                               unchecked_columns)
from rules.planning import solve_plan
from rules.rule_support import hours_text
from rules.scoring import score_pairs
from sheets_sync.errors import InputError
from sheets_sync.parsing import format_date, format_time

from ..road_table import read_road_table
from .base import JobContext, JobResult, Table
from .ranking import best_first as _best_first, keep_ranking, with_plan_inputs

TASK = "suggest"


@dataclass(frozen=True)
class SuggestOptions:
    """``suggest`` (and the suggest step of ``run``): horizon, candidates kept, one explanation."""

    days: int | None = None  # --days (default: suggest.days)
    top: int | None = None  # --top (default: suggest.top)
    explain: str | None = None  # --explain N°MISSION: why each employee is or is not a candidate


def suggest_step(data, ctx: JobContext, options: SuggestOptions = SuggestOptions()) -> JobResult:
    """Rank the candidates of each open mission, plan the week, write the Suggestions column."""
    settings = ctx.settings
    s = settings.suggest
    days = s.days if options.days is None else int(options.days)
    top = max(1, int(s.top if options.top is None else options.top))
    explain = options.explain
    today = pd.Timestamp(ctx.now.date())
    result = JobResult(TASK)
    missions = data["Missions"]

    open_df = open_missions(missions.df, today, days)
    if explain is not None:
        _check_explainable(missions, open_df, str(explain), days)
    road = read_road_table(settings.path(s.road_table)) if s.road_table else None
    elig = evaluate(data, settings, today, open_df, road)
    pairs = score_pairs(elig.pairs, open_df, missions.df, today, settings)
    pairs = with_plan_inputs(pairs, open_df, missions.df, today, days)
    for _ in ctx.progress([pairs], "Plan des suggestions", 1):  # up to suggest.plan_time_limit_s: say so
        plan = solve_plan(pairs, settings)
    pairs = pairs.reset_index(drop=True)
    pairs["planned"] = plan.chosen
    if explain is None:
        keep_ranking(data, open_df, pairs)  # the offers step of this run asks these candidates
    rules = hard_rules(settings)
    emp = elig.employees
    names = (emp["Prénom"].astype(str) + " " + emp["Nom"].astype(str)).str.strip().to_numpy()
    plan_of = pairs[pairs["planned"]].groupby("e")["mission"].agg(list).to_dict() if len(pairs) else {}
    texts, counts, urgent = _texts(data, settings, today, open_df, elig, pairs, top, names, plan_of, rules)
    if explain is not None:
        result.tables.append(_explain_table(str(explain), elig, pairs, names, rules, plan_of, data, settings, road))
    else:
        for key, text in texts.items():
            result.changes.add(TASK, missions.change(key, "Suggestions", text))
    result.findings.extend(missing_coordinates(data, open_df) + unchecked_columns(data, open_df))
    _summarize(result, settings, open_df, counts, urgent, plan, pairs)
    return result


def _texts(data, settings, today, open_df: pd.DataFrame, elig, pairs: pd.DataFrame, top: int, names, plan_of,
           rules) -> tuple[dict[str, str], tuple[int, int, int], list[str]]:
    """Each open mission's Suggestions text; how many have a planned candidate, none, or only
    candidates the plan took elsewhere; the missions without one within check.unstaffed_days."""
    best = _best_first(pairs, top)
    planned_missions = set(pairs.loc[pairs["planned"], "m"]) if len(pairs) else set()
    texts: dict[str, str] = {}
    with_candidate = without = uncovered = 0
    urgent: list[str] = []
    horizon = today + pd.Timedelta(days=settings.check.unstaffed_days)
    for m, key in enumerate(open_df.index):
        rows = best.get(m)
        if rows is None:
            texts[key] = _nobody(elig, m, key, data, rules)
            without += 1
        else:
            texts[key] = _candidates_text(rows, m in planned_missions, names, plan_of, open_df.at[key, "Marque"])
            if m in planned_missions:
                with_candidate += 1
            else:
                uncovered += 1
        if m not in planned_missions and open_df.at[key, "Date"] <= horizon:
            urgent.append(str(key))
    return texts, (with_candidate, without, uncovered), urgent


def _summarize(result: JobResult, settings, open_df, counts, urgent: list[str], plan, pairs) -> None:
    with_candidate, without, uncovered = counts
    result.summary = [("missions ouvertes", len(open_df)), ("avec candidat", with_candidate),
                      ("sans candidat", without)]
    if uncovered:
        result.summary.append(("candidats tous pris par le plan", uncovered))
    if len(pairs):
        result.summary.append(("plan", plan_text(plan, pairs)))
        result.figures = plan_figures(plan, pairs)
        spread = plan_spread(pairs)
        if spread:
            result.summary.append(("par salarié", spread))
    result.needs_attention = bool(urgent)
    if urgent:
        result.summary.append((f"sans candidat à moins de {settings.check.unstaffed_days} j", ", ".join(urgent[:10])
                               + (" …" if len(urgent) > 10 else "")))


def _per_employee(pairs: pd.DataFrame) -> pd.DataFrame:
    """Missions and hours the plan gives each employee eligible for at least one open mission
    (those it gives none count, with 0)."""
    planned = pairs["planned"].to_numpy(bool)
    return pd.DataFrame({"Matricule": pairs["Matricule"], "missions": planned.astype(int),
                         "hours": np.where(planned, pairs["hours"].to_numpy(float), 0.0)}) \
        .groupby("Matricule").agg(missions=("missions", "sum"), hours=("hours", "sum"))


def plan_figures(plan, pairs: pd.DataFrame) -> dict:
    """The plan's quality for ``--json``: missions filled, km, cost, the solver's bound and gap."""
    picked = pairs[pairs["planned"]]
    per = _per_employee(pairs)
    return {"plan": {"filled": plan.filled, "km": round(float(picked["km"].sum()), 1),
                     "cost": round(plan.total_cost(pairs), 2), "objective": round(plan.objective, 2),
                     "bound": round(plan.bound, 2), "gap": plan.gap, "optimal": plan.status == "optimal",
                     "status": plan.status, "seconds": round(plan.seconds, 2)},
            "spread": {"employees": len(per),
                       "missions": [int(per["missions"].min()), float(per["missions"].median()),
                                    int(per["missions"].max())] if len(per) else [],
                       "hours": [float(per["hours"].min()), float(per["hours"].median()),
                                 float(per["hours"].max())] if len(per) else []}}


def plan_text(plan, pairs: pd.DataFrame) -> str:
    """« 12 pourvue(s), 84 km au total, meilleur plan » or « …, à 3,1 % au plus du meilleur plan
    (temps de calcul écoulé) », as a CDBO reads it; the cost, the solver's bound and gap are in
    ``--json`` (:func:`plan_figures`)."""
    km = float(pairs.loc[pairs["planned"], "km"].sum())
    text = f"{plan.filled} pourvue(s), {km:.0f} km au total"
    if plan.status == "optimal":
        return text + ", meilleur plan"
    if plan.status == "greedy":
        return text + " (plan simple : le calcul complet n'a pas abouti à temps)"
    gap = "?" if pd.isna(plan.gap) else f"{100 * plan.gap:.1f}".replace(".", ",")
    return text + f", à {gap} % au plus du meilleur plan (temps de calcul écoulé)"


def plan_spread(pairs: pd.DataFrame) -> str:
    """Missions and hours the plan gives each eligible employee (none counts), from the least to
    the most served, and the median: « 0 à 2 missions (médiane 1), 0 à 16 h (médiane 8) »."""
    per = _per_employee(pairs)
    if per.empty:
        return ""

    def figure(v) -> str:
        return f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}".replace(".", ",")

    def span(values, unit):
        return f"{figure(values.min())} à {figure(values.max())}{unit} (médiane {figure(values.median())})"

    return f"{span(per['missions'], ' missions')}, {span(per['hours'], ' h')}"


def _check_explainable(missions, open_df: pd.DataFrame, key: str, days: int) -> None:
    if key in open_df.index:
        return
    if key not in missions.df.index:
        raise InputError(f"Mission « {key} » introuvable dans l'onglet {missions.title}.")
    raise InputError(
        f"Mission « {key} » : pas une mission ouverte des {days} prochains jours "
        "(Salarié vide, Statut vide ou « À pourvoir »). Élargissez avec --days si besoin.")


def _km(value: float) -> str:
    return f"{int(round(value))} km"


def _reasons(row: dict, brand: str) -> str:
    parts = [_km(row["km"]), f"formation et expérience {brand}" if row["brand_history"] else f"formation {brand}"]
    if row["store_history"]:
        parts.append("connaît le magasin")
    n = int(row["week_missions"])
    parts.append("aucune mission cette semaine" if n == 0 else
                 f"{n} mission{'s' if n > 1 else ''} cette semaine")
    if row["presence_known"]:
        parts.append(f"présence {int(round(100 * row['presence_share']))} %")
    return ", ".join(parts)


def _candidates_text(rows: list[dict], planned: bool, names, plan_of, brand: str) -> str:
    """« 1. S0042 Marie Dupont — 12 km, … ; 2. … »: the plan's choice first, then the next best."""
    items = []
    for i, row in enumerate(rows, start=1):
        text = f"{i}. {row['Matricule']} {names[row['e']]} — {_reasons(row, brand)}"
        if not row["planned"] and row["e"] in plan_of:
            text += f" (choix du plan pour {', '.join(plan_of[row['e']])})"
        items.append(text)
    prefix = "" if planned else "Pas de candidat libre dans le plan : "
    return prefix + " ; ".join(items)


def _nobody(elig, m: int, key: str, data, rules) -> str:
    if not elig.store_known[m]:
        code = elig.missions.at[key, "Code magasin"]
        if code not in data["Magasins"].df.index:
            return f"Aucun candidat : magasin {code} absent de l'onglet {data['Magasins'].title}"
        return f"Aucun candidat : coordonnées du magasin {code} inconnues"
    return no_candidate_message(elig.counts(m), rules)


def _explain_table(key: str, elig, pairs: pd.DataFrame, names, rules, plan_of, data, settings, road=None) -> Table:
    m = int(np.flatnonzero(elig.missions.index == key)[0])
    mission = elig.missions.loc[key]
    labels = {r.code: r.one for r in rules}
    mine = pairs[pairs["m"] == m].sort_values(["planned", "cost", "km", "Matricule"],
                                               ascending=[False, True, True, True])
    rows = []
    for r in mine.itertuples():
        verdict = "choix du plan" if r.planned else (
            f"candidat (plan : {', '.join(plan_of[r.e])})" if r.e in plan_of else "candidat")
        rows.append([r.Matricule, names[r.e], verdict, _num(r.km), _num(r.cost_distance),
                     _num(r.cost_brand), _num(r.cost_store), _num(r.cost_week), _num(r.cost_presence),
                     _num(r.cost)])
    codes = elig.codes[:, m]
    excluded = [(int(codes[e]), e) for e in np.flatnonzero(elig.active) if codes[e] > 0]
    emp = elig.employees
    mats = emp.index.astype(str).to_numpy()
    km = _km_from_store(emp, data["Magasins"].df, mission["Code magasin"], settings.suggest.road_factor)
    for i, who in enumerate(emp.index.astype(str)):
        if road and (who, mission["Code magasin"]) in road:
            km[i] = road[(who, mission["Code magasin"])]
    for code, e in sorted(excluded, key=lambda t: (t[0], mats[t[1]])):
        why = _why(code, emp.iloc[e], mission, km[e], data, settings)
        rows.append([mats[e], names[e], f"exclu : {labels[code]}" + (f" ({why})" if why else ""),
                     "" if np.isnan(km[e]) else _num(km[e]), "", "", "", "", "", ""])
    title = (f"Mission {key} — {mission['Marque']}, magasin {mission['Code magasin']}, "
             f"{format_date(mission['Date'])} {format_time(mission['Début'])}–{format_time(mission['Fin'])}")
    factor = settings.suggest.road_factor
    known = sum(1 for (_who, code) in (road or {}) if code == mission["Code magasin"])
    if known:
        title += f" (km : table routière pour {known} salarié(s), sinon à vol d'oiseau × {factor:g})".replace(".", ",")
    elif factor != 1.0:
        title += f" (km : à vol d'oiseau × {factor:g})".replace(".", ",")
    return Table(title, ["Matricule", "Nom", "Résultat", "Km", "Distance", "Marque", "Magasin", "Semaine",
                         "Présence", "Coût"], rows)


def _km_from_store(emp: pd.DataFrame, stores: pd.DataFrame, code: str, factor: float = 1.0) -> np.ndarray:
    from rules.geo import haversine_km

    if code not in stores.index:
        return np.full(len(emp), np.nan)
    return factor * haversine_km(emp["Latitude"].to_numpy(float), emp["Longitude"].to_numpy(float),
                                 float(stores.at[code, "Latitude"]), float(stores.at[code, "Longitude"]))


def _why(code: int, person: pd.Series, mission: pd.Series, km: float, data, settings) -> str:
    """A short French detail of why one person is excluded (for --explain)."""
    from rules import eligibility as el
    from sheets_sync.parsing import norm

    if code == el.SKILLS:
        have = {norm(x) for x in person["Compétences"]}
        return ", ".join(x for x in mission["Compétences requises"] if norm(x) not in have)
    if code == el.TRAINING:
        return f"aucune formation {mission['Marque']} valide le {format_date(mission['Date'])}"
    if code == el.MEDICAL:
        visit = person["Visite médicale"]
        return "aucune visite" if pd.isna(visit) else f"visite du {format_date(visit)}"
    if code == el.DISTANCE:
        radius = person["Rayon km"]
        radius = settings.suggest.default_radius_km if pd.isna(radius) else radius
        return f"{int(round(km))} km > {int(round(radius))} km"
    if code == el.TIME_OFF:
        off = data["Indisponibilités"].df
        off = off[(off["Matricule"] == person.name) & (off["Du"] <= mission["Date"]) & (mission["Date"] <= off["Au"])]
        if len(off):
            row = off.iloc[0]
            reason = f"{row['Motif']} " if row["Motif"] else ""
            return f"{reason}du {format_date(row['Du'])} au {format_date(row['Au'])}"
    if code in (el.OVERLAP, el.REST, el.DAY_HOURS, el.WEEK_HOURS, el.WEEK_DAYS):
        return _conflicting(code, person.name, mission, data, settings)
    return ""


def _conflicting(code: int, matricule: str, mission: pd.Series, data, settings) -> str:
    """The employee's assigned missions that exclude this one (overlap, rest, day or week load)."""
    from rules import eligibility as el
    from rules.worktime import intervals, mission_instants

    iv = intervals(data["Missions"].df, settings.worktime, data["Magasins"].df, settings.suggest.road_factor)
    iv = iv[iv["Matricule"] == matricule]
    date = mission["Date"]
    first, last = mission_instants(pd.Series([date]), pd.Series([mission["Début"]]), pd.Series([mission["Fin"]]))
    start, end = first.iloc[0], last.iloc[0]
    if code == el.OVERLAP:
        hit = iv[(iv["date"] == date) & (iv["start"] < end) & (iv["end"] > start)]
    elif code == el.REST:
        rest = pd.Timedelta(hours=settings.worktime.min_rest_hours)
        near = iv[(iv["date"] - date).abs() == pd.Timedelta(days=1)]
        hit = near[((near["date"] < date) & (start - near["end"] < rest)) | ((near["date"] > date) & (near["start"] - end < rest))]
    elif code == el.DAY_HOURS:
        hit = iv[iv["date"] == date]
    else:
        iso = date.isocalendar()
        hit = iv[(iv["year"] == iso.year) & (iv["week"] == iso.week)]
    if hit.empty:
        return ""
    listed = ", ".join(f"{k} le {format_date(d)} {a:%H:%M}–{b:%H:%M}"
                       for k, d, a, b in zip(hit["mission"], hit["date"], hit["start"], hit["end"]))
    if code in (el.DAY_HOURS, el.WEEK_HOURS):
        return f"déjà {hours_text(hit['hours'].sum())} : {listed}"
    if code == el.WEEK_DAYS:
        return f"déjà {hit['date'].nunique()} jours : {listed}"
    return listed


def _num(value: float) -> str:
    text = f"{value:.1f}".replace(".", ",")
    return "0,0" if text == "-0,0" else text

