"""The presence job: read the IVR log, mark the day's missions, list whom to call.

Writes ``Présence`` and ``Heure appel`` of the day's missions (never a value a person typed),
paints ``Manquante`` cells red (and removes the red when the value left ``Manquante``),
returns the call list, the calls it could not attach, and the log's unreadable lines.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from generators.call_list import CALL_LIST_HEADERS, call_list_rows, write_call_list
from rules.call_queue import ABANDONED as ABANDON_REASON, TO_FIX
from rules.presence import (CONFIRMED, LATE, MISSING, identify_callers, job_word, log_freshness, match_presence,
                            next_presence)
from rules.worktime import wall_times
from sheets_sync.backend import COLOR_MISSING
from sheets_sync.errors import InputError
from sheets_sync.findings import ALERTE, ERREUR, Finding
from sheets_sync.parsing import display_phone, format_time, norm
from sheets_sync.workbook import WorkbookData
from rules.job_findings import PRESENCE_BAD_LINE, PRESENCE_STALE, PRESENCE_UNMATCHED

from ..ivr_log import IvrLog, newest_log, read_ivr_log
from .base import ActResult, JobContext, JobResult, Table
from .ivr_queue import assign_ids, link_state, queue_calls, read_queue

PARIS = ZoneInfo("Europe/Paris")
TASK = "presence"
RULE_UNMATCHED = PRESENCE_UNMATCHED
RULE_BAD_LINE = PRESENCE_BAD_LINE
RULE_STALE = PRESENCE_STALE
UNMATCHED_HEADERS = ["Heure", "Numéro", "Code saisi", "Salarié", "Raison"]


def shown_phone(e164: str) -> str:
    """``+33612345678`` -> ``06 12 34 56 78`` (French numbers directly, others by display_phone)."""
    if len(e164) == 12 and e164.startswith("+33") and e164[1:].isdigit():
        d = "0" + e164[3:]
        return " ".join(d[i:i + 2] for i in range(0, 10, 2))
    return display_phone(e164)


def _day_missions(data: WorkbookData, ctx: JobContext) -> pd.DataFrame:
    """The missions to watch: dated today, with a Salarié, not « Annulée », with hours."""
    df = data["Missions"].df
    today = pd.Timestamp(ctx.now.date())
    keep = ((df["Date"] == today) & (df["Salarié"].str.strip() != "")
            & (df["Statut"].map(lambda s: norm(s) if s else "") != norm("Annulée")) & df["Début"].notna() & df["Fin"].notna())
    day = df[keep]
    employees = _matricule_lookup(data)
    start, end = wall_times(day["Date"], day["Début"], day["Fin"])  # a night mission ends the next day
    return pd.DataFrame({
        "employee": day["Salarié"].str.strip().map(lambda m: employees.get(m.casefold(), m)),
        "store": day["Code magasin"],
        "start": start,
        "end": end,
        "presence": day["Présence"],
        "call_time": day["Heure appel"],
    }, index=day.index)


def _matricule_lookup(data: WorkbookData) -> dict[str, str]:
    return {str(k).casefold(): str(k) for k in data["Salariés"].all_keys}


@dataclass(frozen=True)
class PresenceOptions:
    """``presence`` (and the presence step of ``run``): which export, whether it may be missing,
    where the call list goes."""

    ivr_log: str | None = None  # --ivr-log FILE|DIR, ``{region}`` replaced
    optional: bool = False  # run: a region without an export is skipped, not an error
    out: str | None = None  # --out FILE.csv: the call list


def ivr_log_path(ctx: JobContext, options: PresenceOptions) -> str | None:
    """The IVR export to read: ``--ivr-log`` (``{region}`` replaced by the region code), else
    the region's ``ivr_log`` from the config (relative to the config file), else ``None``."""
    option = options.ivr_log
    if option:
        return str(option).replace("{region}", ctx.region.code)
    if ctx.region.ivr_log:
        return str(ctx.settings.path(ctx.region.ivr_log))
    return None


def presence_step(data: WorkbookData, ctx: JobContext, options: PresenceOptions = PresenceOptions()) -> JobResult:
    """Match the newest IVR export to today's missions and mark ``Présence`` / ``Heure appel``."""
    result = JobResult(TASK)
    option = ivr_log_path(ctx, options)
    if option is None:
        if options.optional:
            result.summary.append(("pas de journal SVI pour cette région", ""))
            return result
        raise InputError("Journal SVI manquant : donnez --ivr-log FICHIER.csv ou un dossier d'exports, "
                         "ou « ivr_log » dans la région de la configuration.")
    newest = newest_log(option)
    log = IvrLog.empty(Path(option)) if newest is None else read_ivr_log(
        newest, int(ctx.settings.limits.ivr_log_mb * 1_000_000))
    freshness = log_freshness(log.calls["time"], None if newest is None else _file_time(newest), ctx.now,
                              ctx.settings.presence.stale_minutes)
    settings, employees_tab = ctx.settings.presence, data["Salariés"]
    day = _day_missions(data, ctx)
    today = pd.Timestamp(ctx.now.date())
    other_days = int((log.ok_calls["time"].dt.normalize() != today).sum())
    calls = log.ok_calls[log.ok_calls["time"].dt.normalize() == today]
    matricules = pd.Series(sorted(str(k) for k in employees_tab.all_keys), dtype=object)
    phones = employees_tab.df["Téléphone"]
    match = match_presence(calls, matricules, phones, day, ctx.now, settings.early_minutes, settings.grace_minutes)
    queue = read_queue(data, ctx, result, TASK)
    started = day["start"] + pd.Timedelta(minutes=settings.grace_minutes) <= pd.Timestamp(ctx.now)
    distrust = freshness.stale and bool(started.any())
    final, counts = _mark(data, ctx, day, match, queue, distrust, result)
    rows = _call_list(data, ctx, day, final, log, matricules, phones, result)
    unmatched = _unmatched_calls(data, ctx, log, calls, match, matricules, phones, day, final, queue, result)
    if options.out:
        path = str(options.out).replace("{region}", ctx.region.code)
        result.act = lambda _report: ActResult(files=[write_call_list(path, rows)])
    result.findings += [
        Finding(RULE_BAD_LINE, ALERTE, log.path.name, "", f"ligne {p.line}",
                f"{log.path.name}, {p.message} — ligne ignorée ; corrigez l'export du SVI "
                "ou notez la présence à la main.", "")
        for p in log.problems]
    if distrust:
        source = f"fichier {log.path.name}" if newest is not None else f"aucun export dans {log.path}"
        result.findings.append(_stale_finding(freshness, ctx, source))
    result.summary = [("confirmées", counts[CONFIRMED]), ("en retard", counts[LATE]),
                      ("manquantes", counts[MISSING]), ("appels non rattachés", unmatched)]
    if log.problems:
        result.summary.append(("lignes illisibles", len(log.problems)))
    if other_days:
        result.summary.append(("appels d'un autre jour ignorés", other_days))
    result.summary.append(("journal SVI", log.path.name if newest is not None else "aucun export"))
    if distrust:
        result.summary.append(("journal périmé : aucune « Manquante »", ""))
    result.needs_attention = counts[MISSING] > 0
    return result


def _mark(data: WorkbookData, ctx: JobContext, day: pd.DataFrame, match, queue, distrust: bool,
          result: JobResult) -> tuple[dict, dict]:
    """``Présence`` and ``Heure appel`` of today's missions (and of the missions a CDBO linked a
    call to), by the presence state machine (``rules.presence.next_presence``); the queue rows'
    « État »; the missing ones' colour. The final word of each mission, and the counts."""
    missions_tab = data["Missions"]
    links = queue.links
    final = {key: job_word(v) for key, v in missions_tab.df["Présence"].items()}
    counts = {CONFIRMED: 0, LATE: 0, MISSING: 0}
    rows = zip(day.index, day["presence"], day["call_time"], match.status.reindex(day.index),
               match.first_call.reindex(day.index))
    others = missions_tab.df.loc[[k for k in links if k not in day.index]]  # links to another day's mission
    rows = list(rows) + list(zip(others.index, others["Présence"], others["Heure appel"], [""] * len(others),
                                 [pd.NaT] * len(others)))
    for key, presence, call_time, earned, first in rows:
        if key in links:
            earned, first = links[key].presence, links[key].time  # a CDBO linked a call to it
        if distrust and earned == MISSING:
            earned = ""  # a stale log cannot tell who did not call
        current = job_word(presence)
        if current is None:
            if key in links:
                queue.unapplied[key] = f"Présence « {presence} » tapée à la main, laissée telle quelle"
            continue  # a person's word (« Excusée », « Confirmée tél. »): never touched
        new = next_presence(current, earned)
        final[key] = new
        if new and key in day.index:
            counts[new] += 1
        if new != current:
            result.changes.add(TASK, missions_tab.change(key, "Présence", new))
        if new in (CONFIRMED, LATE) and pd.notna(first) and new == earned:
            hhmm = first.strftime("%H:%M")
            if pd.isna(call_time) or format_time(call_time) != hhmm:
                result.changes.add(TASK, missions_tab.change(key, "Heure appel", hhmm))
    for mission, link in links.items():  # the queue row says it once the mission's presence is written
        reason = queue.unapplied.get(mission)
        result.changes.add(TASK, data["Appels SVI"].change(
            queue.link_rows[mission], "État", f"{TO_FIX} : {reason}" if reason else link_state(link, ctx.now)),
            follows=None if reason else ("Missions", mission, "Présence"))
    wanted = {(key, "Présence") for key, word in final.items() if word == MISSING}
    for hl in missions_tab.highlights(COLOR_MISSING, wanted):
        result.changes.highlight(TASK, hl)
    return final, counts


def _failed_calls(log, today) -> pd.DataFrame:
    """Today's calls that did not go through (ABANDON, ERREUR)."""
    return log.calls[~log.calls["ok"] & (log.calls["time"].dt.normalize() == today)]


def _call_list(data: WorkbookData, ctx: JobContext, day, final: dict, log, matricules, phones,
               result: JobResult) -> list[list]:
    """The employees to phone now, with who tried to call (a failed call matched as if it had
    gone through): the table « À appeler »; its rows."""
    settings = ctx.settings.presence
    to_call = day[[final.get(k) == MISSING for k in day.index]]
    failed = _failed_calls(log, pd.Timestamp(ctx.now.date()))
    tried = match_presence(failed, matricules, phones, day, ctx.now, settings.early_minutes,
                           settings.grace_minutes).first_call if len(failed) else pd.Series(dtype="datetime64[ns]")
    rows = call_list_rows(to_call, data["Salariés"].df, data["Magasins"].df, ctx.now, tried.dropna().to_dict())
    result.tables.append(Table("À appeler", CALL_LIST_HEADERS, rows, limit=None))
    return rows


def _unmatched_calls(data: WorkbookData, ctx: JobContext, log, calls, match, matricules, phones, day, final: dict,
                     queue, result: JobResult) -> int:
    """The calls no mission took: the table, their findings, and the queue (``Appels SVI``) with
    the failed calls; how many."""
    missions_tab = data["Missions"]
    ids = dict(zip(log.calls["line"], assign_ids(log.calls)))  # one numbering for every call of the export
    unmatched = _with_caller(match.unmatched)
    unmatched = unmatched.assign(id=unmatched["line"].map(ids))
    unmatched = unmatched[~unmatched["id"].isin(queue.settled)]  # linked or rejected by a CDBO
    result.tables.append(Table("Appels non rattachés", UNMATCHED_HEADERS,
                               [_unmatched_row(c) for c in unmatched.itertuples(index=False)], limit=None))
    result.findings += [_unmatched_finding(c, missions_tab.title, log.path.name)
                        for c in unmatched.itertuples(index=False)]
    result.findings += queue.findings
    confirmed = {str(missions_tab.df.at[k, "Salarié"]).strip() for k, w in final.items()
                 if w in (CONFIRMED, LATE) and k in day.index}
    failed = _failed_calls(log, pd.Timestamp(ctx.now.date()))
    failed = _with_caller(failed.assign(employee=identify_callers(failed, matricules, phones, day)["employee"]
                                        if len(failed) else pd.Series(dtype=object)))
    failed = failed.assign(id=failed["line"].map(ids), reason=ABANDON_REASON)
    counted = {ids[line] for line in calls["line"]} - set(unmatched["id"])  # today's OK calls that count now
    queue_calls(data, ctx, result, TASK, unmatched, failed, confirmed, counted)
    return len(unmatched)


presence_step.also_tabs = ("Appels SVI",)  # the queue of calls: read by this job only


def _with_caller(calls: pd.DataFrame) -> pd.DataFrame:
    """The calls with ``caller``: the number as people read it (``absent`` when hidden)."""
    calls = calls.assign(caller=calls["phone"].map(
        {p: shown_phone(p) for p in calls["phone"].unique() if p}).fillna(calls["number"]))
    calls.loc[calls["caller"] == "", "caller"] = "absent"
    return calls


def _file_time(path) -> pd.Timestamp | None:
    """The export file's modification time, Paris wall-clock."""
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return None
    return pd.Timestamp(dt.datetime.fromtimestamp(stamp, PARIS).replace(tzinfo=None))


def _stale_finding(freshness, ctx: JobContext, source: str) -> Finding:
    last = freshness.last_call
    if last is None:
        when = "aucun appel"
    elif last.date() == ctx.now.date():
        when = f"dernier appel à {last:%H:%M}"
    else:
        when = f"dernier appel le {last:%d/%m} à {last:%H:%M}"
    message = (f"journal SVI du {ctx.now:%d/%m} absent ou périmé ({when}, {source}) : "
               "aucune mission n'est marquée « Manquante ». Vérifiez l'export du SVI (dépôt du "
               "fichier du jour), puis relancez ; en attendant, appelez les salariés dont la "
               "mission a commencé.")
    return Finding(RULE_STALE, ERREUR, "SVI", "", "", message, "")


def _unmatched_row(call) -> list:
    return [call.time.strftime("%H:%M"), call.caller, call.code, call.employee, call.reason]


def _unmatched_finding(call, tab: str, log_name: str) -> Finding:
    code = f"code « {call.code} »" if call.code else "sans code"
    who = f", {call.employee}" if call.employee else ""
    message = (f"Appel SVI non rattaché de {call.time.strftime('%H:%M')} (numéro {call.caller}, {code}{who}) : "
               f"{call.reason} ({log_name}, ligne {call.line}). Rattachez-le dans l'onglet Appels SVI "
               f"(ligne {call.id} : N° mission) ou rejetez-le (Motif rejet).")
    return Finding(RULE_UNMATCHED, ALERTE, tab, "", call.employee, message, "")
