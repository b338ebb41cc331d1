"""The figures of a region at a glance, for the manager's page and the ``Synthèse`` tab.

Pure functions over the typed tables, the check's findings and the Journal; no I/O. Where a
rule of ``check`` says the same thing (activity reports missing), the figure is the count of
that rule's findings, so the page, ``Synthèse`` and ``Anomalies`` never disagree.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from sheets_sync.findings import ALERTE, ERREUR, Finding
from sheets_sync.schema import PRESENCE_STATUSES

from .mandate_rules import upcoming
from .registry import RuleContext

CONFIRMED, LATE, MISSING = PRESENCE_STATUSES
TODAY, STAFFING, MANDATES, KITS, FILES, ANOMALIES = (
    "Aujourd'hui", "À pourvoir", "Mandats", "Kits", "Dossiers", "Anomalies")
SECTIONS = (TODAY, STAFFING, MANDATES, KITS, FILES, ANOMALIES)
DEADLINE_NEAR_DAYS = 2  # a mandate « Envoyé » not acknowledged when the store's deadline is this close
_ROWS = re.compile(r"^(\d+) lignes$")
TREND = "Tendance"  # the Synthèse rows that keep the trend beyond the Journal's archiving
_TREND_LABEL = re.compile(r"^Anomalies, semaine du (\d{2})/(\d{2})/(\d{4})$")
HISTORY_WEEKS = 104  # weeks of trend kept in Synthèse


@dataclass(frozen=True)
class Figure:
    """One number of the page: its section, its French label, and the cell where it can be
    seen (the first row it counts, or the column's header when it counts none)."""

    section: str
    label: str
    value: int
    cell: str = ""


@dataclass(frozen=True)
class DayStaffing:
    """One day of the horizon: missions (not cancelled), staffed, and those still to staff
    with or without a suggested candidate."""

    day: dt.date
    missions: int
    staffed: int
    with_candidate: int
    without_candidate: int

    @property
    def rate(self) -> float:
        """Share of the day's missions that have an employee (1.0 when there are none)."""
        return self.staffed / self.missions if self.missions else 1.0


@dataclass
class RegionFigures:
    """Everything the page and the ``Synthèse`` tab show for one region."""

    code: str
    name: str
    at: dt.datetime
    figures: list[Figure] = field(default_factory=list)
    days: list[DayStaffing] = field(default_factory=list)
    anomalies: list[tuple[str, str, int]] = field(default_factory=list)  # (rule, severity, count)
    trend: list[tuple[dt.date, int]] = field(default_factory=list)  # (week's Monday, Anomalies rows)
    last_call: str = ""  # HH:MM of the day's latest confirming IVR call

    def value(self, section: str, label: str) -> int:
        """The figure ``label`` of ``section`` (KeyError when there is none)."""
        for f in self.figures:
            if f.section == section and f.label == label:
                return f.value
        raise KeyError((section, label))


def no_candidate(suggestions: pd.Series) -> pd.Series:
    """Missions to staff that have no candidate: their Suggestions say « Aucun candidat … »
    (``suggest`` found nobody), or are empty (``suggest`` has not run on them)."""
    return suggestions.eq("") | suggestions.str.startswith("Aucun candidat")


def region_figures(ctx: RuleContext, code: str, name: str, findings: list[Finding],
                   journal: pd.DataFrame, days: int = 7, weeks: int = 8,
                   history: dict[dt.date, int] | None = None) -> RegionFigures:
    """The region's figures at ``ctx.now``: today's presence, the next ``days`` days' staffing,
    mandates, kits, the employees' files, the anomalies and their trend over ``weeks`` weeks."""
    out = RegionFigures(code, name, ctx.now)
    missions = ctx.data["Missions"]
    df = missions.df
    live = df[df["Statut"] != "Annulée"]
    today = ctx.today

    def add(section: str, label: str, rows: pd.DataFrame, column: str) -> None:
        cell = missions.cell_of(rows.index[0], column) if len(rows) else \
            f"{missions.title}!{missions.letter(column)}1"
        out.figures.append(Figure(section, label, int(len(rows)), cell))

    # today: presence
    day = live[live["Date"] == today]
    now_time = pd.Timedelta(hours=ctx.now.hour, minutes=ctx.now.minute)
    started = day[(day["Salarié"] != "") & (day["Début"] <= now_time)]
    add(TODAY, "Missions du jour", day, "Date")
    add(TODAY, "Commencées", started, "Début")
    add(TODAY, "Présence confirmée", started[started["Présence"] == CONFIRMED], "Présence")
    add(TODAY, "En retard", started[started["Présence"] == LATE], "Présence")
    add(TODAY, "Manquantes, à appeler", started[started["Présence"] == MISSING], "Présence")
    add(TODAY, "Sans nouvelles", started[started["Présence"] == ""], "Présence")
    calls = day["Heure appel"].dropna()
    if len(calls):
        latest = calls.max()
        out.last_call = f"{int(latest.total_seconds() // 3600):02d}:{int(latest.total_seconds() % 3600 // 60):02d}"

    # the next days: staffing
    horizon_end = today + pd.Timedelta(days=days)
    horizon = live[(live["Date"] >= today) & (live["Date"] < horizon_end)]
    to_staff = horizon[horizon["Salarié"] == ""]
    nobody = no_candidate(to_staff["Suggestions"])
    add(STAFFING, f"Missions sur {days} jours", horizon, "Date")
    add(STAFFING, "À pourvoir avec candidat", to_staff[~nobody], "Suggestions")
    add(STAFFING, "À pourvoir sans candidat", to_staff[nobody], "Suggestions")
    for offset in range(days):
        date = today + pd.Timedelta(days=offset)
        those = horizon[horizon["Date"] == date]
        empty = those[those["Salarié"] == ""]
        none = int(no_candidate(empty["Suggestions"]).sum())
        out.days.append(DayStaffing(date.date(), len(those), len(those) - len(empty), len(empty) - none, none))

    # mandates
    coming = upcoming(ctx)
    add(MANDATES, "À envoyer", coming[~coming["Mandat"].isin(("Envoyé", "Accusé", "Refusé"))], "Mandat")
    near = coming[(coming["Mandat"] == "Envoyé") & (coming["jours"] - coming["delai"] <= DEADLINE_NEAR_DAYS)]
    add(MANDATES, "Envoyés non accusés, échéance proche", near, "Mandat")
    add(MANDATES, "Refusés", coming[coming["Mandat"] == "Refusé"], "Mandat")
    add(MANDATES, "Magasins à appeler (escalade)",
        coming[(coming["Mandat"] == "Envoyé") & coming["Mandat suivi"].str.startswith("À appeler")], "Mandat suivi")

    # kits
    kits = live[live["Kit"] != ""]
    tomorrow = today + pd.Timedelta(days=1)
    add(KITS, "À commander", kits[(kits["Date"] >= today) & kits["Kit statut"].isin(("", "À commander"))
                                  & (kits["Salarié"] != "")], "Kit statut")
    add(KITS, "Non livrés pour demain", kits[(kits["Date"] == tomorrow)
                                             & ~kits["Kit statut"].isin(("Livré", "Retourné"))], "Kit statut")
    add(KITS, "Non retournés", kits[(kits["Date"] < today)
                                    & kits["Kit statut"].isin(("Commandé", "Expédié", "Livré"))], "Kit statut")

    # the employees' files
    staffed = live[(live["Salarié"] != "") & (live["Statut"] != "À pourvoir") & (live["Date"] < horizon_end)]
    add(FILES, "Contrats non signés", staffed[staffed["Contrat"] != "Signé"], "Contrat")
    reports = [f for f in findings if f.rule == "rapport.cr_manquant"]
    out.figures.append(Figure(FILES, "Comptes rendus manquants", len(reports), reports[0].cell if reports else ""))
    notes = ctx.data["Notes de frais"]
    waiting = notes.df[notes.df["Statut"] == "Soumise"]
    out.figures.append(Figure(FILES, "Notes de frais en attente", len(waiting),
                              notes.cell_of(waiting.index[0], "Statut") if len(waiting) else ""))

    # anomalies: now, by rule, and their trend
    severities = Counter(f.severity for f in findings)
    out.figures.append(Figure(ANOMALIES, "Erreurs", severities[ERREUR], ""))
    out.figures.append(Figure(ANOMALIES, "Alertes", severities[ALERTE], ""))
    by_rule = Counter((f.rule, f.severity) for f in findings)
    out.anomalies = sorted(((r, s, n) for (r, s), n in by_rule.items()), key=lambda t: (t[1] != ERREUR, -t[2], t[0]))
    out.trend = anomaly_trend(journal, ctx.now, len(findings), weeks, history)
    return out


def anomaly_trend(journal: pd.DataFrame, now: dt.datetime, current: int, weeks: int,
                  history: dict[dt.date, int] | None = None) -> list[tuple[dt.date, int]]:
    """Rows of ``Anomalies`` at the end of each of the last ``weeks`` weeks (Mondays), from the
    ``Synthèse`` history (``history``, what earlier reports saw) and the Journal lines of its
    rewrites (« 12 lignes » → « 9 lignes »), which win where both know a week; this week ends
    with ``current``. A week with neither carries the week before's count (none before the
    first: left out)."""
    monday = (now - dt.timedelta(days=now.weekday())).date()
    starts = [monday - dt.timedelta(weeks=w) for w in range(weeks - 1, -1, -1)]
    counts: dict[dt.date, int] = dict(history or {})
    if len(journal):
        rows = journal[journal["Onglet"] == "Anomalies"]
        stamps = pd.to_datetime(rows["Horodatage"], errors="coerce", format="mixed")
        for stamp, new in sorted(zip(stamps, rows["Nouvelle valeur"]), key=lambda t: (pd.isna(t[0]), t[0])):
            m = _ROWS.match(str(new))
            if pd.isna(stamp) or not m:
                continue
            week = (stamp - pd.Timedelta(days=stamp.weekday())).date()
            counts[week] = int(m.group(1))  # the last rewrite of the week wins
    out: list[tuple[dt.date, int]] = []
    last = None
    for start in starts:
        earlier = [n for w, n in sorted(counts.items()) if w <= start]
        if start in counts:
            last = counts[start]
        elif earlier:
            last = earlier[-1]
        if start == monday:
            last = current
        if last is not None:
            out.append((start, last))
    return out


def trend_history(rows: list[list[str]]) -> dict[dt.date, int]:
    """The weeks' anomaly counts the ``Synthèse`` rows keep (« Tendance »), by week's Monday."""
    out: dict[dt.date, int] = {}
    for row in rows:
        if len(row) < 3 or row[0] != TREND or not (m := _TREND_LABEL.match(row[1])) or not row[2].isdigit():
            continue
        try:
            out[dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))] = int(row[2])
        except ValueError:
            continue
    return out


def synthese_rows(figures: RegionFigures, previous: list[list[str]]) -> list[list[str]]:
    """The ``Synthèse`` tab's rows: one per figure (Rubrique, Indicateur, Valeur, Cellule), then
    the trend's history (« Tendance »: the anomalies at the end of each week, the last
    ``HISTORY_WEEKS`` weeks, so that the trend outlives the Journal's archiving), after a first
    row with the time the figures last changed; when they did not change since ``previous``
    (the rows read), that time is kept, so an unchanged region writes nothing."""
    body = [[f.section, f.label, str(f.value), f.cell] for f in figures.figures]
    body += [[STAFFING, f"Couverture du {d.day.strftime('%d/%m')}", f"{round(d.rate * 100)} %", ""]
             for d in figures.days]
    weeks = trend_history(previous) | dict(figures.trend)
    body += [[TREND, f"Anomalies, semaine du {monday:%d/%m/%Y}", str(count), ""]
             for monday, count in sorted(weeks.items())[-HISTORY_WEEKS:]]
    stamp = figures.at.strftime("%d/%m/%Y %H:%M")
    if previous[1:] == body and previous and previous[0][:2] == ["Synthèse", "Mise à jour"]:
        stamp = previous[0][2]
    return [["Synthèse", "Mise à jour", stamp, ""]] + body
