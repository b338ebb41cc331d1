"""The ``mandates`` follow-up: replies read, reminders, escalations and cancellations.

Runs after the mandates step, on the same read and the same write. For each mandate the store
has not acknowledged, ``rules.mandate_followup`` says which step is due; this step plans it and
its act does it, with ``--send`` only:

- **reply** (``[imap]`` set): a store's reply whose subject holds the mandate's current reference
  sets Mandat to ``Accusé`` (or ``Refusé`` when it speaks of a refusal) — a sheet change, so
  re-checked and journalled like any other; a reply to a replaced reference changes nothing;
- **reminder**: the mandate e-mailed again to the store;
- **escalation**: the store goes on the stores' call list (``mandats/appels-magasins-*.csv``)
  and one e-mail tells the CDBO (``officer_email``) which stores to phone;
- **cancellation**: a mission ``Annulée`` whose mandate was sent: one e-mail tells the store.

Every e-mail is a row of the outbox (``Envois``), planned in the step's write and performed by
the run whose write took it; what was done goes in the follow-up write: the row ``fait``, the
memory's ``relance_le`` / ``escalade_le`` / ``annulation_le`` (``État``, ``mandat:<N° mission>``)
and ``Mandat suivi``. A run that finds a row ``fait`` whose memory was lost only catches the
sheet up. A mandate a person marked ``Envoyé`` (before the tool, or from elsewhere) counts as
sent: it is followed up, and its mission's cancellation told to its store, once.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from generators.files import one_line
from rules.mandate_followup import (ESCALATION, IGNORED, REMINDER, UNCLEAR, due_step, find_reference, judge,
                                    message_token, own_text, store_deadline, thread_tokens)
from rules.mandates import MandateData, MissingReference, mandate_data, reference, store_label
from rules.outbox import ALREADY, BUSY, DONE
from sheets_sync.findings import ALERTE, ERREUR, Finding
from sheets_sync.parsing import display_phone, format_date
from sheets_sync.workbook import WorkbookData
from rules.job_findings import MANDATE_FOLLOWUP_FAILED, MANDATE_MAILBOX, MANDATE_NO_FILE, MANDATE_UNCLEAR_REPLY

from ..mail_replies import MailboxError, read_replies
from .base import ActResult, JobContext, JobResult, Table
from .mandate_files import Documents, mandate_effect, mandates_dir
from .memory import MANDATE, records as memory_records
from .outbox import Outbox, memory, outbox

TASK = "mandates"
RULE_MAILBOX = MANDATE_MAILBOX
RULE_FOLLOWUP_FAILED = MANDATE_FOLLOWUP_FAILED
RULE_NO_FILE = MANDATE_NO_FILE
RULE_UNCLEAR = MANDATE_UNCLEAR_REPLY
STORE_CALLS_HEADERS = ["N° mission", "Magasin", "Téléphone", "Date mission", "Référence", "Envoyé le", "Relancé le"]
CANCELLED = "Annulée"
CANCELLATION = "annulation"


@dataclass(frozen=True)
class FollowupOptions:
    """The follow-up of ``mandates`` (and of ``run``): e-mails only with ``send``."""

    send: bool = False


@dataclass
class _Due:
    key: str
    step: str  # relance | escalade | annulation
    record: dict
    store: str
    email: str
    phone: str
    deadline: dt.date  # the day by which the store wants the mandate


def followup_text(record: dict) -> str:
    """What ``Mandat suivi`` says of a mandate, from its log (the latest step)."""
    for stamp, label in (("annulation_le", "Annulation envoyée le"), ("reponse_le", ""), ("a_lire_le", ""),
                         ("escalade_le", "À appeler : escalade du"), ("relance_le", "Relancé le")):
        if record.get(stamp):
            if stamp in ("reponse_le", "a_lire_le"):
                return record.get("reponse", "")
            return f"{label} {format_date(dt.datetime.fromisoformat(record[stamp]))}"
    return ""


def _current(record: dict | None, df: pd.DataFrame, key: str) -> bool:
    """Whether the record is of the mandate the sheet now shows as sent (not regenerated)."""
    return bool(record) and str(df.at[key, "Mandat"]).strip() in ("Envoyé", "Accusé", "Refusé")


def mandates_followup_step(data: WorkbookData, ctx: JobContext,
                           options: FollowupOptions = FollowupOptions()) -> JobResult:
    """Plan the follow-up of the sent mandates (see the module's text)."""
    result = JobResult("follow-up")  # its Journal rows say « mandates », the task of its changes
    missions, df = data["Missions"], data["Missions"].df
    records = {k: r for k, r in memory_records(data, ctx, MANDATE).items() if k in df.index}
    records.update(_sent_by_hand(data, ctx, records))
    rows: list[list] = []
    answered = _replies(data, ctx, records, result, rows) if ctx.settings.imap.host else {}

    # Mandat suivi from the log: a write lost after an e-mail, a mandate regenerated (emptied)
    for key, record in records.items():
        if key not in answered:
            current = _current(record, df, key) or df.at[key, "Statut"] == CANCELLED
            result.changes.add(TASK, missions.change(key, "Mandat suivi", followup_text(record) if current else ""))

    due = [item for item in (_due(data, ctx, key, record) for key, record in records.items() if key not in answered)
           if item is not None]
    box = outbox(data, ctx, TASK)
    if options.send:
        due = _plan_mails(data, ctx, box, due, result)
    labels = {REMINDER: "relance à envoyer", ESCALATION: "à appeler (escalade)", CANCELLATION: "annulation à envoyer"}
    for item in due:
        rows.append([item.key, df.at[item.key, "Date"], item.store,
                     labels[item.step] + ("" if options.send else " (avec --send)")])
    counts = {s: sum(i.step == s for i in due) for s in labels}
    result.summary = [("réponses lues", len(answered))] if ctx.settings.imap.host else []
    result.summary += [(label, counts[step]) for step, label in
                       ((REMINDER, "relances"), (ESCALATION, "escalades"), (CANCELLATION, "annulations"))
                       if counts[step]]
    if not result.summary:
        result.summary = [("mandats envoyés à suivre aujourd'hui", 0)]
    table = Table("Suivi des mandats", ["N° mission", "Date", "Magasin", "Suivi"], rows)
    if rows:
        result.tables.append(table)
    if options.send or answered:
        result.act = _Act(data, ctx, box, due if options.send else [], answered, table, options.send).act
    return result


KINDS = {REMINDER: "e-mail relance", ESCALATION: "e-mail escalade", CANCELLATION: "e-mail annulation"}
STAMPS = {REMINDER: "relance_le", ESCALATION: "escalade_le", CANCELLATION: "annulation_le"}


def _plan_mails(data: WorkbookData, ctx: JobContext, box: Outbox, due: list["_Due"], result: JobResult) -> list["_Due"]:
    """One outbox row per e-mail due; an e-mail done by a run whose follow-up write was lost
    only catches the memory and ``Mandat suivi`` up; one another live run has is left to it."""
    missions, store = data["Missions"], memory(data)
    planned = []
    for item in due:
        effect = mandate_effect(ctx.region.code, item.key, item.record["empreinte"], item.step)
        state = box.state_of(effect)
        if state == ALREADY:
            row = next(r for r in box.rows(KINDS[item.step]) if r.effect == effect and r.state == DONE)
            record = store.update(MANDATE, item.key, **{STAMPS[item.step]: row.done or ctx.now.isoformat(sep=" ")})
            result.changes.add(TASK, missions.change(item.key, "Mandat suivi", followup_text(record)))
            continue
        if state == BUSY:
            continue
        to = ctx.region.officer_email if item.step == ESCALATION else item.email
        if box.plan(result.changes, effect, KINDS[item.step], item.key, to or "") is not None:
            planned.append(item)
    return planned


def _sent_by_hand(data: WorkbookData, ctx: JobContext, records: dict[str, dict]) -> dict[str, dict]:
    """Mandates a person marked ``Envoyé`` (or ``Accusé``) that the memory does not know as sent:
    they count as sent (on « Mandat envoyé le », else today), so they are followed up and their
    mission's cancellation is told to the store. Their record is made from the sheet's data."""
    df, store = data["Missions"].df, memory(data)
    out = {}
    marked = df[df["Mandat"].isin(("Envoyé", "Accusé")) & df["Date"].notna()
                & (df["Date"] >= pd.Timestamp(ctx.now.date()))]
    for key in marked.index:
        record = records.get(key) or {}
        if record.get("envoye_le") and record.get("empreinte"):
            continue
        try:
            md = mandate_data(data, key, ctx.settings.agency)
        except MissingReference:
            continue
        day = df.at[key, "Mandat envoyé le"]
        sent = (pd.Timestamp(day).to_pydatetime() if not pd.isna(day) else ctx.now).isoformat(sep=" ")
        fields = {"empreinte": record.get("empreinte") or md.fingerprint, "donnees": record.get("donnees") or md.fields,
                  "envoye_le": sent, "envoye_a": record.get("envoye_a") or md.store_email, "marque_a_la_main": True}
        out[key] = store.update(MANDATE, key, **fields)
    return out


def _replies(data: WorkbookData, ctx: JobContext, records: dict[str, dict], result: JobResult,
             rows: list[list]) -> dict[str, tuple[str, str]]:
    """Plan ``Mandat`` (and ``Mandat suivi``) from the stores' replies; by mission, the verdict
    and the text of the replies taken. A reply counts only as an answer to our message (our
    Message-ID in its In-Reply-To/References, or the mandate's reference in its subject) and only
    from the store (:func:`rules.mandate_followup.judge`); an unclear one puts the store on the
    call list. A mailbox that cannot be read is a finding."""
    missions, df, stores = data["Missions"], data["Missions"].df, data["Magasins"].df
    code, today = ctx.region.code, ctx.now.date()
    current, replaced, tokens = {}, {}, {}
    for key, record in records.items():
        if record.get("envoye_le") and record.get("empreinte"):
            ref = reference(code, key, record["empreinte"]).upper()
            current[ref] = key
            tokens[message_token(ref)] = (ref, True)
        for old in record.get("historique", []):
            if old.get("empreinte"):
                ref = reference(code, key, old["empreinte"]).upper()
                replaced[ref] = key
                tokens.setdefault(message_token(ref), (ref, False))
    try:
        replies = read_replies(ctx.settings.imap, today - dt.timedelta(days=ctx.settings.imap.days))
    except MailboxError as err:
        result.findings.append(Finding(RULE_MAILBOX, ALERTE, missions.title, "", "",
                                       f"{err} Les réponses des magasins n'ont pas été lues ; Mandat se met à jour "
                                       "à la main en attendant.", ""))
        return {}
    answered: dict[str, tuple[str, str]] = {}
    for reply in replies:  # oldest first: the latest reply of a store wins
        named = [tokens[t] for t in thread_tokens(reply.thread) if t in tokens]
        ref = next((r for r, live in named if live), None) or find_reference(reply.subject, current)
        if ref is None:
            old = next((r for r, live in named if not live), None) or find_reference(reply.subject, replaced)
            if old is not None:
                rows.append([replaced[old], "", "", f"réponse à l'ancien mandat {old} ignorée ({reply.address})"])
            continue
        key = current[ref]
        store = df.at[key, "Code magasin"]
        addresses = [str(stores.at[store, "Email"]) if store in stores.index else "",
                     records[key].get("envoye_a", "")]
        said, why = judge(reply.facts(), addresses, ctx.settings.imap.accept_store_domain)
        if said == IGNORED:
            rows.append([key, df.at[key, "Date"], _store(stores, store), f"réponse ignorée : {why}"])
            continue
        if str(df.at[key, "Mandat"]).strip() != "Envoyé":
            continue  # already acknowledged or refused (by a person, or an earlier reply)
        day = format_date(_reply_day(reply.date) or today)
        if said == UNCLEAR:
            excerpt = one_line(own_text(reply.text))[:80]
            text = f"À appeler : réponse à lire du {day} ({reply.address}){' : « ' + excerpt + ' »' if excerpt else ''}"
        else:
            text = f"{said} par e-mail le {day} ({reply.address})"
        answered[key] = (said, text[:200])
    for key, (said, text) in answered.items():
        if said == UNCLEAR:
            result.changes.add(TASK, missions.change(key, "Mandat suivi", text))
            result.findings.append(Finding(RULE_UNCLEAR, ALERTE, missions.title, missions.cell_of(key, "Mandat suivi"),
                                           key, f"{missions.cell_of(key, 'Mandat suivi')} : le magasin a répondu "
                                           "sans accuser réception clairement ; lisez sa réponse et appelez-le, "
                                           "puis mettez Mandat à « Accusé » ou « Refusé ».", "Mandat suivi"))
        else:
            result.changes.add(TASK, missions.change(key, "Mandat", said))
            result.changes.add(TASK, missions.change(key, "Mandat suivi", text), follows="Mandat")
        rows.append([key, df.at[key, "Date"], _store(stores, df.at[key, "Code magasin"]), text])
    return answered


def _due(data: WorkbookData, ctx: JobContext, key: str, record: dict) -> "_Due | None":
    """The follow-up step due today for one mission's mandate, with the store's contacts."""
    df, stores = data["Missions"].df, data["Magasins"].df
    status, mission_status, date = str(df.at[key, "Mandat"]).strip(), df.at[key, "Statut"], df.at[key, "Date"]
    if pd.isna(date):
        return None
    today = ctx.now.date()
    store = df.at[key, "Code magasin"]
    known = store in stores.index
    delay = float(stores.at[store, "Délai mandat"]) if known else float("nan")
    step = due_step(record, status, mission_status, date.date(), delay, today, ctx.settings)
    if step is None and mission_status == CANCELLED and record.get("envoye_le") and not record.get("annulation_le") \
            and date.date() >= today and status in ("Envoyé", "Accusé"):
        step = CANCELLATION
    if step is None:
        return None
    email = str(stores.at[store, "Email"]).strip() if known else ""
    phone = display_phone(stores.at[store, "Téléphone"]) if known else ""
    deadline = store_deadline(date.date(), delay, ctx.settings.mandates.default_delay_days)
    return _Due(key, step, record, _store(stores, store), email or record.get("envoye_a", ""), phone, deadline)


def _reply_day(text: str) -> dt.date | None:
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(text).date() if text else None
    except (TypeError, ValueError):
        return None


def _store(stores: pd.DataFrame, code: str) -> str:
    if code not in stores.index:
        return str(code)
    return f"{store_label(str(stores.at[code, 'Enseigne']).strip(), str(stores.at[code, 'Nom']).strip())} ({code})"


@dataclass
class _Act:
    data: WorkbookData
    ctx: JobContext
    box: Outbox
    due: list[_Due]
    answered: dict[str, tuple[str, str]]
    table: Table
    send: bool = False
    done: ActResult = field(default_factory=ActResult)

    def act(self, report) -> ActResult:
        """Send the e-mails whose outbox rows this run's write took; record them and the
        replies in the follow-up write."""
        from generators.mail import MandateMailer

        ctx, done, store = self.ctx, self.done, memory(self.data)
        for key, (said, text) in self.answered.items():
            stamp = ctx.now.isoformat(sep=" ")
            if said == UNCLEAR and report.changed("Missions", key, "Mandat suivi"):
                store.update(MANDATE, key, a_lire_le=stamp, reponse=text)
            elif said != UNCLEAR and report.changed("Missions", key, "Mandat"):
                store.update(MANDATE, key, reponse_le=stamp, reponse=text)
        sent = {REMINDER: 0, ESCALATION: 0, CANCELLATION: 0}
        self.table.rows[:] = [r for r in self.table.rows if not str(r[-1]).startswith(
            ("relance à", "à appeler", "annulation à"))]
        mine = [(i, self.box.mine(report, mandate_effect(ctx.region.code, i.key, i.record["empreinte"], i.step)))
                for i in self.due]
        mine = [(i, row) for i, row in mine if row is not None]
        if mine:
            with MandateMailer(ctx.settings.smtp) as mailer:
                mails = [(i, row) for i, row in mine if i.step != ESCALATION]
                for n, (item, row) in enumerate(ctx.progress(mails, "Relances et annulations", len(mails))):
                    if self._send_one(item, row, mailer):
                        sent[item.step] += 1
                    elif mailer.conn is None and mailer.failed:  # the server is unreachable: not one try each
                        for other, other_row in mails[n + 1:]:
                            self._finding(other.key, "relance ou annulation non envoyée (serveur SMTP "
                                                     "indisponible) ; elle repartira au prochain envoi.")
                            self.box.failed(done.changes, other_row, "serveur SMTP indisponible")
                        break
                sent[ESCALATION] = self._escalate([(i, row) for i, row in mine if i.step == ESCALATION], mailer)
        if self.send or any(said == UNCLEAR for said, _text in self.answered.values()):
            self._store_calls()  # every store still to phone, escalated today or before
        done.renamed = {"relances": ("relances envoyées", sent[REMINDER]),
                        "escalades": ("escalades", sent[ESCALATION]),
                        "annulations": ("annulations envoyées", sent[CANCELLATION])}
        return done

    def _log(self, key: str, stamp: str, row, detail: str) -> None:
        """Record the step in the memory and the outbox row ``fait``, then plan ``Mandat suivi``
        (all in the follow-up write)."""
        record = memory(self.data).update(MANDATE, key, **{stamp: self.ctx.now.isoformat(sep=" ")})
        self.box.done(self.done.changes, row, detail)
        self.done.changes.add(TASK, self.data["Missions"].change(key, "Mandat suivi", followup_text(record)))

    def _context(self, item: _Due) -> dict:
        record, settings = item.record, self.ctx.settings
        md = MandateData(item.key, dict(record.get("donnees", {})), record["empreinte"], item.email, float("nan"))
        return md.context(self.ctx.region.code, self.ctx.now, settings.agency.city)

    def _send_one(self, item: _Due, row, mailer) -> bool:
        from generators.mail import SendError, cancellation_message, reminder_message

        ctx, settings = self.ctx, self.ctx.settings
        record = memory(self.data).get(MANDATE, item.key) or item.record
        what = "relance" if item.step == REMINDER else "annulation"
        sender = settings.smtp.sender or settings.agency.email
        reply_to = ctx.region.officer_email or settings.agency.email
        context = self._context(item)
        missions = self.data["Missions"]
        if not item.email:
            self._finding(item.key, f"magasin sans e-mail : {what} non envoyée ; prévenez le magasin par téléphone.")
            self.box.failed(self.done.changes, row, "magasin sans e-mail")
            return False
        if item.step == REMINDER:
            attachment = Documents(self.data, ctx).of(item.key, record)
            if attachment is None:
                self._finding(item.key, "fichier du mandat introuvable : relance non envoyée ; mettez Mandat à "
                                        "« À refaire » pour le régénérer.", rule=RULE_NO_FILE, severity=ALERTE)
                self.box.failed(self.done.changes, row, "fichier du mandat introuvable")
                return False
            message = reminder_message(context, sender, item.email, attachment,
                                       format_date(dt.datetime.fromisoformat(record["envoye_le"])),
                                       format_date(item.deadline), reply_to)
        else:
            message = cancellation_message(context, sender, item.email, reply_to)
        try:
            mailer.send(message)
        except SendError as err:
            self._finding(item.key, f"{what} non envoyée à {item.email} : {err} Elle repartira au prochain envoi.")
            self.box.failed(self.done.changes, row, str(err))
            return False
        self._log(item.key, STAMPS[item.step], row, item.email)
        self.table.rows.append([item.key, missions.df.at[item.key, "Date"], item.store, f"{what} envoyée à {item.email}"])
        return True

    def _escalate(self, mine: list, mailer) -> int:
        """One e-mail to the CDBO for the stores to phone; each row ``fait`` once it left."""
        from generators.mail import SendError, escalation_message

        if not mine:
            return 0
        ctx, settings = self.ctx, self.ctx.settings
        missions = self.data["Missions"]
        rows = [self._call_row(i.key, i.record, i.store, i.phone) for i, _row in mine]
        officer = ctx.region.officer_email
        if officer:
            try:
                mailer.send(escalation_message(rows, ctx.region.code, settings.smtp.sender or settings.agency.email,
                                               officer, effects=[row.effect for _item, row in mine]))
            except SendError as err:
                for item, row in mine:
                    self._finding(item.key, f"escalade non envoyée à {officer} : {err} Appelez le magasin "
                                            f"{item.store} ({item.phone or 'téléphone inconnu'}).")
                    self.box.failed(self.done.changes, row, str(err))
                return 0
        for item, row in mine:
            self._log(item.key, "escalade_le", row, officer or "liste d'appels")
            self.table.rows.append([item.key, missions.df.at[item.key, "Date"], item.store,
                                    f"à appeler : {item.phone or 'téléphone inconnu'}"
                                    + (f" (prévenu : {officer})" if officer else "")])
        return len(mine)

    def _call_row(self, key: str, record: dict, store: str, phone: str) -> list[str]:
        df = self.data["Missions"].df
        return [key, store, phone, format_date(df.at[key, "Date"]),
                reference(self.ctx.region.code, key, record["empreinte"]),
                format_date(dt.datetime.fromisoformat(record["envoye_le"])),
                format_date(dt.datetime.fromisoformat(record["relance_le"])) if record.get("relance_le") else ""]

    def _store_calls(self) -> None:
        """The stores' call list of the day: every escalated mandate still not acknowledged."""
        from generators.call_list import write_rows

        df, stores = self.data["Missions"].df, self.data["Magasins"].df
        today = pd.Timestamp(self.ctx.now.date())
        rows = []
        for key, record in sorted(memory(self.data).kind(MANDATE).items()):
            if (key in df.index and (record.get("escalade_le") or record.get("a_lire_le"))
                    and str(df.at[key, "Mandat"]).strip() == "Envoyé"
                    and df.at[key, "Statut"] != CANCELLED and df.at[key, "Date"] >= today):
                code = df.at[key, "Code magasin"]
                phone = display_phone(stores.at[code, "Téléphone"]) if code in stores.index else ""
                rows.append(self._call_row(key, record, _store(stores, code), phone))
        if rows:
            path = mandates_dir(self.ctx) / f"appels-magasins-{self.ctx.now:%Y%m%d}.csv"
            self.done.files.append(write_rows(path, STORE_CALLS_HEADERS, rows, "Liste des magasins à appeler"))

    def _finding(self, key: str, message: str, rule: str = RULE_FOLLOWUP_FAILED, severity=ERREUR) -> None:
        missions = self.data["Missions"]
        ref = missions.cell_of(key, "Mandat") if key in missions.df.index else ""
        self.done.findings.append(Finding(rule, severity, missions.title, ref, key,
                                          f"{ref} : {message}" if ref else message, "Mandat"))
