"""The presence job's queue of calls, the ``Appels SVI`` tab: links and rejects typed by a
CDBO applied, new calls to look at added.

- a row whose ``N° mission`` a person typed is a **link**: the mission's ``Présence`` gets what
  the call earns (``Confirmée``, or ``En retard`` after the grace time) and ``Heure appel`` the
  call's time, unless a person's word is there (« Excusée »); ``État`` then says « rattaché à
  M0001 … » once the sheet took it, so the Journal holds both the mission's change and why;
- a row whose ``Motif rejet`` a person typed is a **reject**: ``État`` « rejeté le … : motif »,
  and the call is never listed as unmatched again;
- every unmatched call of the day, and every call that did not go through (``ABANDON``,
  ``ERREUR``) of an employee not confirmed, is added once, ``État`` « à traiter ».
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from rules.call_queue import (LINKED, REJECTED, SETTLED, TO_DO, TO_FIX, Link, call_digits, is_settled,
                              linked_presence, parse_call_time)
from sheets_sync.findings import ALERTE, Finding
from sheets_sync.parsing import format_date
from sheets_sync.workbook import WorkbookData
from rules.job_findings import PRESENCE_QUEUE, PRESENCE_QUEUE_FULL

from .base import JobContext

TAB = "Appels SVI"
RULE_QUEUE = PRESENCE_QUEUE
RULE_QUEUE_FULL = PRESENCE_QUEUE_FULL


@dataclass
class QueuePlan:
    """What the queue asks of this run."""

    links: dict[str, Link] = field(default_factory=dict)  # N° mission -> the call linked to it
    link_rows: dict[str, str] = field(default_factory=dict)  # N° mission -> queue row (Appel)
    settled: set[str] = field(default_factory=set)  # call ids linked or rejected: not « unmatched »
    unapplied: dict[str, str] = field(default_factory=dict)  # N° mission -> why its link did not apply
    findings: list[Finding] = field(default_factory=list)


def read_queue(data: WorkbookData, ctx: JobContext, result, task: str) -> QueuePlan:
    """Read the rows people typed in; plan the rejects and the errors; return the links."""
    plan = QueuePlan()
    if TAB not in data:
        return plan
    queue, missions = data[TAB], data["Missions"].df
    grace = ctx.settings.presence.grace_minutes
    by_fold = {str(k).casefold(): str(k) for k in missions.index}  # « m0001 » typed for M0001
    for key, row in queue.df.iterrows():
        state = str(row["État"]).strip()
        if is_settled(state):
            plan.settled.add(str(key))
            continue
        mission, reason = str(row["N° mission"]).strip(), str(row["Motif rejet"]).strip()
        mission = by_fold.get(mission.casefold(), mission)
        if not mission and reason:
            result.changes.add(task, queue.change(key, "État", f"{REJECTED} le {format_date(ctx.now)} : {reason}"[:300]))
            plan.settled.add(str(key))
            continue
        if not mission:
            continue
        time = parse_call_time(row["Heure"])
        problem = ""
        if time is None:
            problem = f"Heure « {row['Heure']} » illisible : remettez JJ/MM/AAAA HH:MM"
        elif mission not in missions.index:
            problem = f"mission {mission} introuvable dans Missions"
        elif missions.at[mission, "Statut"] == "Annulée":
            problem = f"la mission {mission} est annulée"
        else:
            earned = linked_presence(time, missions.at[mission, "Date"], missions.at[mission, "Début"], grace)
            if earned is None:
                problem = (f"la mission {mission} est du {format_date(missions.at[mission, 'Date'])}, l'appel du "
                           f"{format_date(time)}")
            elif mission in plan.links:
                problem = f"un autre appel est déjà rattaché à {mission} dans cet onglet"
            else:
                plan.links[mission] = Link(mission, earned, time)
                plan.link_rows[mission] = str(key)
                plan.settled.add(str(key))
        if problem:
            text = f"{TO_FIX} : {problem}"
            result.changes.add(task, queue.change(key, "État", text))
            ref = queue.cell_of(key, "N° mission")
            plan.findings.append(Finding(RULE_QUEUE, ALERTE, queue.title, ref, str(key),
                                         f"{ref} : appel {key} non rattaché : {problem}. Corrigez le N° mission, "
                                         "ou videz-le et donnez un motif de rejet.", "N° mission"))
    return plan


def link_state(link: Link, now) -> str:
    """``État`` of a linked row."""
    return f"{LINKED} à {link.mission} ({link.presence}) le {format_date(now)} {now:%H:%M}"


def assign_ids(calls: pd.DataFrame) -> pd.Series:
    """The queue id of each call (``calls``: ``time``, ``phone``, ``number``, ``code``, ``line``),
    by the calls' index; two calls of one number in the same second get ``-2``, ``-3``… in time
    then line order, the same in every run."""
    if calls.empty:
        return pd.Series("", index=calls.index, dtype=object)
    ordered = calls.sort_values(["time", "line"])
    digits = [call_digits(p, n, c) for p, n, c in zip(ordered["phone"], ordered["number"], ordered["code"])]
    base = "A-" + ordered["time"].dt.strftime("%Y%m%d-%H%M%S") + "-" + pd.Series(digits, index=ordered.index)
    rank = base.groupby(base).cumcount()
    ids = base.where(rank == 0, base + "-" + (rank + 1).astype(str))
    return ids.reindex(calls.index)


def new_rows(data: WorkbookData, calls: pd.DataFrame) -> list[dict]:
    """The queue rows of the calls not in the tab yet. ``calls``: ``id``, ``time``, ``caller``
    (the number as people read it), ``code``, ``result``, ``employee``, ``reason``."""
    known = {str(k).upper() for k in data[TAB].all_keys} if TAB in data else set()
    calls = calls.sort_values(["time", "line"])
    calls = calls.assign(heure=calls["time"].dt.strftime("%d/%m/%Y %H:%M:%S"))
    rows = []
    for call in calls.itertuples(index=False):
        if call.id.upper() in known:
            continue
        rows.append({"Appel": call.id, "Heure": call.heure, "Numéro": call.caller,
                     "Code saisi": call.code, "Résultat": call.result, "Salarié": call.employee or "",
                     "Raison": call.reason, "État": TO_DO})
    return rows


def open_rows(data: WorkbookData) -> int:
    """Rows of the queue still « à traiter »."""
    if TAB not in data:
        return 0
    return int((data[TAB].df["État"].astype(str).str.strip() == TO_DO).sum())


def queue_calls(data: WorkbookData, ctx: JobContext, result, task: str, unmatched: pd.DataFrame,
                failed: pd.DataFrame, confirmed: set[str], counted: set[str]) -> None:
    """Plan the queue's new rows, and settle the rows the day settled by itself.

    ``unmatched``: the OK calls that confirmed nothing (``id``, ``caller``…); ``failed``: the calls
    that did not go through, with their ``employee``; ``confirmed``: employees whose presence is
    confirmed today; ``counted``: ids of today's OK calls that now confirm a mission.
    """
    failed = failed[~failed["employee"].isin(confirmed) | (failed["employee"] == "")]
    rows = new_rows(data, pd.concat([unmatched, failed], ignore_index=True))
    limit = ctx.settings.presence.queue_max_open
    room = max(0, limit - open_rows(data))
    if len(rows) > room:  # a flood of junk calls must not fill the sheet
        result.findings.append(Finding(RULE_QUEUE_FULL, ALERTE, TAB, "", "",
                                       f"l'onglet Appels SVI est limité à {limit} appels « à traiter » (réglage "
                                       f"presence.queue_max_open) : {len(rows) - room} appel(s) non ajouté(s) ; "
                                       "traitez ou rejetez les lignes en attente, ou vérifiez l'export du SVI.", ""))
        rows = rows[:room]
    if rows or TAB in data.missing:  # created on the first run: read in the first request after
        result.changes.append(task, TAB, rows)
    if TAB not in data:
        return
    queue = data[TAB]
    for key, row in queue.df.iterrows():
        if str(row["État"]).strip() != TO_DO or str(row["N° mission"]).strip() or str(row["Motif rejet"]).strip():
            continue
        if str(key) in counted:
            state = f"{SETTLED} : l'appel compte désormais pour une mission (fiche ou mission corrigée)"
        elif row["Résultat"] != "OK" and row["Salarié"] in confirmed and _of_today(row["Heure"], ctx):
            state = f"{SETTLED} : {row['Salarié']} a confirmé sa présence par un autre appel"
        else:
            continue
        result.changes.add(task, queue.change(key, "État", state))


def _of_today(text: str, ctx: JobContext) -> bool:
    time = parse_call_time(text)
    return time is not None and time.date() == ctx.now.date()
