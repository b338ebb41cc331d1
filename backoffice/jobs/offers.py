"""The ``offers`` step: offer each open mission to its candidates by SMS (or e-mail), one after
the other, and staff it from their answers.

With ``send``: the answers received are read first (Twilio, or the ``[imap]`` mailbox), then each
open mission within ``offers.days`` is decided (:func:`rules.offers.decide`): offered to the
plan's next candidate, accepted (``Salarié``, ``Statut`` = ``Confirmée``, a confirmation),
passed on after a « NON » or a silence, withdrawn when a person staffed or cancelled it, or put
on the CDBO's call list. Every message is a row of the outbox (``Envois``), planned in the same
write as the ``Offre`` cell (or the ``Salarié``) it explains, sent by the run whose write took
it; each mission's offers are a record of ``État`` (``offre:<N° mission>``). Missions whose
employee is ``Manquante`` get their possible replacements on the call list (and, with
``offers.urgent``, an offer). Without ``send``: what would be offered, written nowhere.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from generators.call_list import write_rows
from rules import offers as rules
from rules.job_findings import (OFFER_CALL, OFFER_REPLACEMENT, OFFER_SEND_FAILED, OFFER_STOP, OFFER_TO_READ,
                                OFFER_UNREACHABLE, OFFER_UNREADABLE)
from rules.mandates import store_label
from sheets_sync.findings import ALERTE, ERREUR, Finding
from sheets_sync.parsing import display_phone, format_date
from sheets_sync.workbook import WorkbookData

from ..offer_channels import ChannelError, channel as open_channel
from .base import ActResult, JobContext, JobResult, Table, fault_point
from .findings import cell_finding
from .outbox import Outbox, memory, outbox
from .ranking import ranking

TASK = "offers"
OFFER, STOP = rules.KIND, "stop"  # the memory's kinds: a mission's offers; an employee's opt-out
KINDS = ("offre", "confirmation", "retrait", "déjà pourvue")  # the outbox's types, after « SMS » / « e-mail »
OPEN = ("", "À pourvoir")
CALL_HEADERS = ["N° mission", "Date", "Horaires", "Magasin", "Marque", "Situation", "À appeler"]


@dataclass(frozen=True)
class OffersOptions:
    """``offers`` (and the offers step of ``run``)."""

    days: int | None = None  # --days (default: offers.days)
    send: bool = False  # --send: read the answers, send the offers
    optional: bool = False  # a step of run: with neither [sms] nor [imap], nothing to do (not an error)


@dataclass
class _Run:
    """What the step knows and decides, mission by mission."""

    data: WorkbookData
    ctx: JobContext
    via: str
    column: str  # Téléphone or Email
    reach: dict[str, str]  # matricule -> address
    stopped: dict[str, bool]  # address -> opted out
    missions: dict[str, rules.Mission] = field(default_factory=dict)
    outcomes: dict[str, rules.Outcome] = field(default_factory=dict)
    calls: list[list] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    messages: list[tuple] = field(default_factory=list)  # (effect, type, mission, to, text, subject, follows)
    table: list[list] = field(default_factory=list)

    def finding(self, rule: str, severity: str, tab: str, key: str, column: str, message: str) -> None:
        self.findings.append(cell_finding(self.data, rule, severity, tab, key, column, message))


def offers_step(data: WorkbookData, ctx: JobContext, options: OffersOptions = OffersOptions()) -> JobResult:
    """Plan the offers of the region: read the answers, decide each open mission, the sheet
    changes, the records and the outbox rows; the messages are the act phase."""
    s = ctx.settings.offers
    days = s.days if options.days is None else int(options.days)
    result = JobResult(TASK)
    if options.optional and not (ctx.settings.sms.account_sid or ctx.settings.imap.host):
        result.summary = [("offres", "ni [sms] ni [imap] : rien n'est proposé")]
        return result
    chan = open_channel(ctx.settings, ctx.region) if options.send else None
    run = _Run(data, ctx, chan.via if chan else _via(ctx), "", {}, {})
    run.column = chan.column if chan else ("Téléphone" if ctx.settings.sms.account_sid else "Email")
    run.reach, run.stopped = _reach(data, run.column), _stopped(data)
    records = memory(data).kind(OFFER)
    run.missions = _missions(data, ctx, days, records, ranking(data, ctx, days), run)
    if chan is None:
        _preview(run, records, result)
        return result
    replies, readable = _read(run, chan, records)
    _stop_findings(run)
    answers, unmatched = rules.assign_replies(replies, records)
    _decide(run, records, answers if readable else None)
    box = outbox(data, ctx, TASK)
    _plan(run, records, result)
    _late(run, answers, records)
    _unmatched(run, unmatched)
    _messages(run, box, result, records)
    _summary(run, result, len(replies), len(unmatched), readable)
    result.findings = run.findings
    result.tables.append(Table("Offres", ["N° mission", "Date", "Candidat", "Décision", "Offre"], run.table))
    result.act = _Act(run, box, chan).act
    return result


def _via(ctx: JobContext) -> str:
    return "SMS" if ctx.settings.sms.account_sid else "e-mail"


def _reach(data: WorkbookData, column: str) -> dict[str, str]:
    """Each active employee's address for offers (E.164 mobile, or e-mail)."""
    emp = data["Salariés"].df
    if column not in emp.columns:
        return {}
    active = emp[emp["Statut"].astype(str).str.strip().isin(("Actif", ""))]
    out = {}
    for matricule, value in zip(active.index, active[column]):
        text = str(value).strip() if not pd.isna(value) else ""
        if column == "Téléphone" and not is_mobile(text):
            continue  # an SMS goes to a mobile
        if text:
            out[str(matricule)] = text if column == "Téléphone" else text.lower()
    return out


def is_mobile(e164: str) -> bool:
    """Whether a number (E.164) can receive an SMS: a mobile, by phonenumbers' numbering plans."""
    import phonenumbers

    try:
        kind = phonenumbers.number_type(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return False
    return kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _stopped(data: WorkbookData) -> dict[str, bool]:
    return {who: bool(r.get("stop")) for who, r in memory(data).kind(STOP).items()}


def _moment(date, time) -> dt.datetime | None:
    if pd.isna(date) or pd.isna(time):
        return None
    return (pd.Timestamp(date) + pd.Timedelta(time)).to_pydatetime()


def _span(row) -> tuple[dt.datetime, dt.datetime] | None:
    start, end = _moment(row["Date"], row["Début"]), _moment(row["Date"], row["Fin"])
    if start is None or end is None:
        return None
    return start, end if end > start else end + dt.timedelta(days=1)


def _missions(data: WorkbookData, ctx: JobContext, days: int, records: dict, ranked: dict, run: _Run
              ) -> dict[str, rules.Mission]:
    """The missions to decide: the open ones within ``days``, the ones with an offer waiting,
    and today's whose employee is « Manquante »."""
    df = data["Missions"].df
    today = pd.Timestamp(ctx.now.date())
    last = today + pd.Timedelta(days=days)
    status = df["Statut"].astype(str).str.strip()
    open_mask = (df["Salarié"] == "") & status.isin(OPEN) & df["Date"].notna() & (df["Date"] >= today) \
        & (df["Date"] <= last)
    current = set(df.index[df["Date"].notna() & (df["Date"] >= today)])
    keys = set(df.index[open_mask]) | {k for k, r in records.items()
                                       if r.get("etat") in (rules.ONGOING, rules.CALL) and k in current}
    missing = _missing(df, ctx) if "Présence" in df.columns else set()
    replacements = _replacements(data, ctx, missing) if missing else {}
    out = {}
    for key in sorted(k for k in keys | missing if k in df.index):
        span = _span(df.loc[key])
        if span is None:
            continue
        absent = str(df.at[key, "Salarié"]) if key in missing else str(records.get(key, {}).get("absent", ""))
        if absent:  # a replacement: open while the absent employee is still the one on it, and it is not over
            is_open = key in missing and ctx.settings.offers.urgent
            pool = replacements.get(key, [])
        else:
            is_open = bool(open_mask.get(key, False)) and span[0] > ctx.now
            pool = ranked.get(str(key), [])
        reachable = tuple(m for m in pool if m in run.reach and not run.stopped.get(run.reach[m]))
        if is_open and pool and pool[0] not in run.reach:
            run.finding(OFFER_UNREACHABLE, ALERTE, "Salariés", pool[0], run.column,
                        f"{pool[0]}, premier candidat de la mission {key}, n'a pas de "
                        f"{'portable' if run.column == 'Téléphone' else 'e-mail'} utilisable : l'offre va au suivant.")
        out[key] = rules.Mission(str(key), is_open, str(df.at[key, "Salarié"]), str(df.at[key, "Statut"]),
                                 span[0], span[1], reachable, absent)
    return out


def _missing(df: pd.DataFrame, ctx: JobContext) -> set[str]:
    """Today's missions whose employee is « Manquante » and that are not over."""
    today = pd.Timestamp(ctx.now.date())
    rows = df[(df["Date"] == today) & (df["Présence"].astype(str).str.strip() == "Manquante") & (df["Salarié"] != "")
              & (df["Statut"].astype(str).str.strip() != "Annulée")]
    return {k for k in rows.index if (_span(rows.loc[k]) or (None, ctx.now))[1] > ctx.now}


def _replacements(data: WorkbookData, ctx: JobContext, keys: set[str]) -> dict[str, list[str]]:
    """The employees who could replace a missing one: eligible for the mission as if it were
    open, free, and close enough to arrive within ``offers.replacement_minutes`` (km at
    ``worktime.travel_kmh``), nearest first."""
    from rules.eligibility import evaluate

    settings = ctx.settings
    df = data["Missions"].df
    open_df = df.loc[sorted(keys)].copy()
    open_df["Salarié"] = ""
    elig = evaluate(data, settings, pd.Timestamp(ctx.now.date()), open_df, None)
    pairs = elig.pairs
    if pairs.empty:
        return {}
    reach_km = settings.worktime.travel_kmh * settings.offers.replacement_minutes / 60
    near = pairs[pairs["km"] <= reach_km].sort_values(["m", "km", "Matricule"], kind="stable")
    out: dict[str, list[str]] = {}
    for m, matricule in zip(near["m"], near["Matricule"]):
        key = str(open_df.index[int(m)])
        if str(matricule) != str(df.at[key, "Salarié"]):
            out.setdefault(key, []).append(str(matricule))
    return out


def _read(run: _Run, chan, records: dict) -> tuple[list[rules.Reply], bool]:
    """The answers received since the oldest offer still waiting (at most ``offers.read_days``
    back), and the opt-outs they carry; ``False`` when they could not be read."""
    ctx = run.ctx
    since = ctx.now.date() - dt.timedelta(days=ctx.settings.offers.read_days)
    try:
        replies = chan.replies(since)
    except ChannelError as err:
        run.finding(OFFER_UNREADABLE, ERREUR, "Missions", "", "Offre",
                    f"réponses aux offres illisibles : {err} Les offres en cours attendent le prochain passage.")
        return [], False
    for who, (stop, at) in rules.stops(replies, run.stopped).items():
        run.stopped[who] = stop
        memory(run.data).put(STOP, who, {"stop": stop, "le": at.isoformat(sep=" ", timespec="minutes")})
    return replies, True


def _stop_findings(run: _Run) -> None:
    """Each employee who answered STOP: no more messages, the CDBO phones them."""
    stops = memory(run.data).kind(STOP)
    for matricule, address in run.reach.items():
        if run.stopped.get(address):
            day = str(stops.get(address, {}).get("le", ""))[:10]
            run.finding(OFFER_STOP, ALERTE, "Salariés", matricule, run.column,
                        f"{matricule} a répondu STOP{' le ' + day if day else ''} : plus aucune offre par "
                        f"{run.via} ; proposez-lui les missions par téléphone.")


def _busy(run: _Run, records: dict) -> dict[str, list[tuple]]:
    """Each employee's spans this run must not overlap with a new offer: their missions, and
    the offers waiting for their answer."""
    df = run.data["Missions"].df
    today = pd.Timestamp(run.ctx.now.date())
    held = df[(df["Salarié"] != "") & (df["Statut"] != "Annulée") & df["Date"].notna() & (df["Date"] >= today)]
    busy: dict[str, list[tuple]] = {}
    for key in held.index:
        span = _span(held.loc[key])
        if span is not None:
            busy.setdefault(str(held.at[key, "Salarié"]), []).append(span)
    for key, record in records.items():
        attempt = rules.pending(record)
        mission = run.missions.get(key)
        if attempt is not None and mission is not None:
            busy.setdefault(attempt["matricule"], []).append((mission.start, mission.end))
    return busy


def _decide(run: _Run, records: dict, answers: dict | None) -> None:
    """Each mission's outcome; without readable answers, the offers waiting are left as they are."""
    s = run.ctx.settings.offers
    limits = rules.Limits(s.reply_hours, s.near_hours, s.near_reply_hours, s.max_candidates, s.urgent_reply_minutes)
    taken = {a["code"] for r in records.values() if (a := rules.pending(r))}
    busy = _busy(run, records)
    for key, mission in run.missions.items():
        record = records.get(key, {})
        if answers is None and record.get("etat") == rules.ONGOING:
            continue
        if mission.absent and not s.urgent:  # the replacements go on the call list, no message
            run.outcomes[key] = rules.Outcome(dict(record), call=True)
            continue
        mine = {i: v for (k, i), v in (answers or {}).items() if k == key}
        outcome = rules.decide(mission, record, mine, run.ctx.now, limits, taken, run.ctx.region.code, busy)
        if outcome.offer is not None:
            outcome.offer["adresse"] = run.reach.get(outcome.offer["matricule"], "")
            busy.setdefault(outcome.offer["matricule"], []).append((mission.start, mission.end))
        if outcome.accepted:
            busy.setdefault(outcome.accepted, []).append((mission.start, mission.end))
        run.outcomes[key] = outcome


def _label(run: _Run, key: str) -> tuple[str, str]:
    """The brand and the store of a mission, as an offer says them."""
    data = run.data
    row = data["Missions"].df.loc[key]
    stores = data["Magasins"].df
    code = str(row["Code magasin"])
    store = store_label(str(stores.at[code, "Enseigne"]), str(stores.at[code, "Nom"])) if code in stores.index else code
    return str(row["Marque"]), store


def _paid_minutes(row, mission: rules.Mission) -> float:
    pause = row.get("Pause") if hasattr(row, "get") else None
    minutes = (mission.end - mission.start).total_seconds() / 60
    return minutes - (float(pause) if pause is not None and not pd.isna(pause) else 0.0)


def _plan(run: _Run, records: dict, result: JobResult) -> None:
    """The sheet changes and records of every outcome, and the messages they send."""
    missions, store = run.data["Missions"], memory(run.data)
    region = run.ctx.region.code
    for key, outcome in run.outcomes.items():
        mission, rec = run.missions[key], outcome.record
        before = records.get(key, {})
        text = rules.cell_text(rec, run.via)
        anchor = (missions.name, key, "Offre")
        brand, place = _label(run, key)
        if outcome.call and not text and not mission.absent:
            text = "aucun candidat joignable : à appeler"
        if outcome.accepted:
            result.changes.add(TASK, missions.change(key, "Salarié", outcome.accepted))
            if missions.df.at[key, "Statut"] != "Confirmée":
                result.changes.add(TASK, missions.change(key, "Statut", "Confirmée"), follows="Salarié")
            if mission.absent:  # the replacement's own presence is to be seen: the absent's is cleared
                for column in ("Présence", "Heure appel"):
                    if column in missions.columns and not pd.isna(missions.df.at[key, column]) \
                            and str(missions.df.at[key, column]) != "":
                        result.changes.add(TASK, missions.change(key, column, ""), follows="Salarié")
            anchor = (missions.name, key, "Salarié")
            run.messages.append((f"offre-confirmation:{region}:{key}:{rec.get('tour', 1)}:{outcome.accepted}",
                                 "confirmation", key, run.reach.get(outcome.accepted, ""),
                                 rules.confirmation_text(brand, place, mission.start, mission.end),
                                 f"Mission {brand} du {mission.start:%d/%m} confirmée", anchor))
        if text and text != str(missions.df.at[key, "Offre"] if "Offre" in missions.columns else ""):
            result.changes.add(TASK, missions.change(key, "Offre", text),
                               follows="Salarié" if outcome.accepted else None)
        if rec != before and (rec.get("essais") or before):
            store.put(OFFER, key, rec, follows=anchor)
        if outcome.offer is not None:
            offer, n = outcome.offer, len(rec["essais"])
            body = rules.offer_text(brand, place, mission.start, mission.end, offer["code"],
                                    _paid_minutes(missions.df.loc[key], mission))
            run.messages.append((f"offre:{region}:{key}:{rec.get('tour', 1)}:{n}:{offer['matricule']}", "offre", key,
                                 offer["adresse"], body, f"Offre de mission {offer['code']} : {brand}, "
                                 f"{mission.start:%d/%m}", anchor))
        if outcome.withdrawn is not None:
            gone = outcome.withdrawn
            n = rec["essais"].index(gone) + 1
            run.messages.append((f"offre-retrait:{region}:{key}:{rec.get('tour', 1)}:{n}", "retrait", key,
                                 gone.get("adresse", ""), rules.withdrawn_text(brand, mission.start, gone["code"]),
                                 f"Offre {gone['code']} retirée", anchor))
        if outcome.call:
            _call(run, key, mission, rec, brand, place)
        for event in outcome.events:
            run.table.append([key, format_date(mission.start.date()), _who(outcome, rec), event, text])


def _who(outcome: rules.Outcome, rec: dict) -> str:
    if outcome.accepted:
        return outcome.accepted
    attempt = outcome.offer or outcome.withdrawn or (rec.get("essais") or [{}])[-1]
    return attempt.get("matricule", "")


def _call(run: _Run, key: str, mission: rules.Mission, rec: dict, brand: str, place: str) -> None:
    """The mission on the CDBO's call list, with the candidates to phone."""
    emp = run.data["Salariés"].df
    tried = {a["matricule"] for a in rec.get("essais", [])}
    who = []
    for m in [c for c in mission.candidates if c not in tried][:5]:
        name = f"{emp.at[m, 'Prénom']} {emp.at[m, 'Nom']}".strip() if m in emp.index else ""
        phone = display_phone(str(emp.at[m, "Téléphone"])) if m in emp.index and emp.at[m, "Téléphone"] else ""
        who.append(" ".join(x for x in (m, name, phone) if x))
    situation = rules.cell_text(rec, run.via) or "aucun candidat joignable"
    if mission.absent:
        situation = f"{mission.absent} absent (Présence « Manquante ») ; " + (
            "remplaçants possibles" if who else "aucun remplaçant assez proche")
    run.calls.append([key, format_date(mission.start.date()), f"{mission.start:%H:%M}-{mission.end:%H:%M}", place,
                      brand, situation, " ; ".join(who)])
    if mission.absent:
        run.finding(OFFER_REPLACEMENT, ALERTE, "Missions", key, "Présence",
                    f"{mission.absent} absent : remplaçants possibles : {', '.join(w.split(' ')[0] for w in who) or 'aucun'} "
                    "(liste d'appels offres).")
    else:
        run.finding(OFFER_CALL, ALERTE, "Missions", key, "Offre",
                    f"mission du {mission.start:%d/%m} {situation} ; appelez : {' ; '.join(who) or 'personne de libre'}.")


def _late(run: _Run, answers: dict, records: dict) -> None:
    """A « OUI » for an offer no longer open to its sender: « déjà pourvue », once."""
    region = run.ctx.region.code
    for key, attempt, reply in rules.late_yeses(answers, records):
        run.messages.append((f"offre-deja-pourvue:{region}:{reply.sid}", "déjà pourvue", key, reply.sender,
                             rules.taken_text(attempt["code"]), f"Offre {attempt['code']}", None))
        run.table.append([key, "", attempt["matricule"], "oui arrivé trop tard : « déjà pourvue »", ""])


def _unmatched(run: _Run, replies: list[rules.Reply]) -> None:
    """Answers that fit no offer: listed for the CDBO (the sender's row when known)."""
    by_address = {v: k for k, v in run.reach.items()}
    for reply in replies:
        who = by_address.get(reply.sender.lower(), "")
        text = reply.body.replace("\n", " ")[:160]
        run.calls.append(["", format_date(reply.at.date()), f"{reply.at:%H:%M}", "", "",
                          f"réponse à lire de {who or reply.sender} : « {text} »",
                          display_phone(reply.sender) if reply.sender.startswith("+") else reply.sender])
        run.finding(OFFER_TO_READ, ALERTE, "Salariés", who, run.column,
                    f"réponse du {reply.at:%d/%m %H:%M} de {who or reply.sender} sans offre reconnue : « {text} » ; "
                    "lisez-la et mettez la mission à jour à la main.")


def _messages(run: _Run, box: Outbox, result: JobResult, records: dict) -> None:
    """One outbox row per message; the rows of a run that died are taken over when still wanted."""
    planned = set()
    for effect, kind, key, to, text, subject, follows in run.messages:
        if not to:
            continue
        planned.add(effect)
        box.plan(result.changes, effect, f"{run.via} {kind}", key, to, {"texte": text, "objet": subject},
                 follows=follows)
    wanted = _still_wanted(run, records, box)
    for row in box.rows():
        if row.kind.split(" ", 1)[-1] in KINDS and row.effect not in planned and row.effect in wanted:
            box.plan(result.changes, row.effect, row.kind, row.mission, row.to, row.data)
    box.drop_stale(result.changes, f"{run.via} offre", wanted | planned)


def _still_wanted(run: _Run, records: dict, box: Outbox) -> set[str]:
    """The effects of the outbox still to perform: an offer still waiting, a confirmation of an
    acceptance the sheet holds, any withdrawal or late answer."""
    region = run.ctx.region.code
    wanted = set()
    for key, rec in records.items():
        rec = run.outcomes[key].record if key in run.outcomes else rec
        for n, attempt in enumerate(rec.get("essais", []), start=1):
            if not attempt.get("issue"):
                wanted.add(f"offre:{region}:{key}:{rec.get('tour', 1)}:{n}:{attempt['matricule']}")
        if rec.get("etat") == rules.ACCEPTED:
            wanted.add(f"offre-confirmation:{region}:{key}:{rec.get('tour', 1)}:{rec.get('accepte_par')}")
    for row in box.rows():
        if row.effect.startswith(("offre-retrait:", "offre-deja-pourvue:")):
            wanted.add(row.effect)
    return wanted


def _summary(run: _Run, result: JobResult, read: int, unmatched: int, readable: bool) -> None:
    outcomes = run.outcomes.values()
    result.summary = [("canal", run.via), ("réponses lues", read if readable else "illisibles"),
                      ("offres à envoyer", sum(o.offer is not None for o in outcomes)),
                      ("acceptées", sum(bool(o.accepted) for o in outcomes)),
                      ("retirées", sum(o.withdrawn is not None for o in outcomes)),
                      ("à appeler", sum(o.call for o in outcomes))]
    if unmatched:
        result.summary.append(("réponses à lire", unmatched))
    result.needs_attention = any(o.call for o in outcomes) or bool(unmatched)


def _preview(run: _Run, records: dict, result: JobResult) -> None:
    """Without --send: each open mission and the candidate it would be offered to."""
    rows = []
    for key, mission in run.missions.items():
        record = records.get(key, {})
        if not mission.open or record.get("etat") in (rules.ONGOING, rules.CALL):
            continue
        first = mission.candidates[0] if mission.candidates else ""
        rows.append([key, format_date(mission.start.date()), first or "—",
                     "à proposer (--send)" if first else "aucun candidat joignable", ""])
    result.tables.append(Table("Offres", ["N° mission", "Date", "Candidat", "Décision", "Offre"], rows))
    result.summary = [("canal", run.via), ("missions à proposer", sum(1 for r in rows if r[2] != "—"))]


def _day(stamp: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(stamp)[:10])
    except ValueError:
        return dt.date.today()


def _message_id(effect: str) -> str:
    """An e-mail offer's Message-ID, from its effect (a message sent again keeps it)."""
    import hashlib

    return f"<offre.{hashlib.sha256(effect.encode()).hexdigest()[:24]}@backoffice>"


@dataclass
class _Act:
    """Send the messages whose outbox rows this run's write took; mark them done."""

    run: _Run
    box: Outbox
    chan: object

    def act(self, report) -> ActResult:
        done = ActResult()
        run = self.run
        mine = [row for effect in list(self.box.planned) if (row := self.box.mine(report, effect)) is not None]
        sent = 0
        with self.chan as chan:
            for row in run.ctx.progress(mine, "Offres", len(mine)):
                text = str(row.data.get("texte", ""))
                try:
                    if self.box.planned[row.effect].claimed and chan.already_sent(row.to, text, _day(row.created)):
                        self.box.done(done.changes, row, f"{row.to} (déjà parti)")  # a run died before recording it
                        continue
                    chan.send(row.to, text, str(row.data.get("objet", "")), _message_id(row.effect),
                              run.ctx.now.date())
                    fault_point("apres-envoi-sms")
                except ChannelError as err:
                    self.box.failed(done.changes, row, str(err))
                    if err.stopped:
                        memory(run.data).put(STOP, row.to.lower(), {"stop": True, "le": run.ctx.now.isoformat(
                            sep=" ", timespec="minutes")})
                    run.finding(OFFER_SEND_FAILED, ERREUR, "Missions", row.mission, "Offre",
                                f"{row.kind} à {row.to} non envoyé : {err}")
                    continue
                self.box.done(done.changes, row, row.to)
                sent += 1
        done.findings = [f for f in run.findings if f.rule == OFFER_SEND_FAILED]
        done.renamed = {"offres à envoyer": ("messages envoyés", sent)}
        if run.calls:
            path = run.ctx.out_dir() / "offres" / f"appels-offres-{run.ctx.now:%Y%m%d}.csv"
            done.files.append(write_rows(path, CALL_HEADERS, run.calls, "liste d'appels offres"))
        return done


__all__ = ["OffersOptions", "offers_step"]
