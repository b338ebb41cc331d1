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

Every e-mail is logged in the mandates' sidecar (``relance_le``, ``escalade_le``,
``annulation_le``) right after it left and before any sheet write, so it is sent at most once
per step, also when the write after it is lost; the next run then only writes the sheet's
``Mandat suivi`` from the log.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from generators.mandates import SIDECAR_NAME, Sidecar
from generators.files import one_line
from rules.mandate_followup import (ESCALATION, IGNORED, REMINDER, UNCLEAR, due_step, find_reference, judge,
                                    message_token, own_text, store_deadline, thread_tokens)
from rules.mandates import MandateData, reference, store_label
from sheets_sync.findings import ALERTE, ERREUR, Finding
from sheets_sync.parsing import display_phone, format_date
from sheets_sync.workbook import WorkbookData
from rules.job_findings import MANDATE_FOLLOWUP_FAILED, MANDATE_MAILBOX, MANDATE_NO_FILE, MANDATE_UNCLEAR_REPLY

from ..mail_replies import MailboxError, read_replies
from .base import ActResult, JobContext, JobResult, Table
from .mandates import mandates_dir

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
    sidecar = Sidecar(mandates_dir(ctx) / SIDECAR_NAME)
    records = {k: r for k, r in sidecar.missions.items() if k in df.index}
    rows: list[list] = []
    answered = _replies(data, ctx, records, result, rows) if ctx.settings.imap.host else {}

    # Mandat suivi from the log: a write lost after an e-mail, a mandate regenerated (emptied)
    for key, record in records.items():
        if key not in answered:
            current = _current(record, df, key) or df.at[key, "Statut"] == CANCELLED
            result.changes.add(TASK, missions.change(key, "Mandat suivi", followup_text(record) if current else ""))

    due = [item for item in (_due(data, ctx, key, record) for key, record in records.items() if key not in answered)
           if item is not None]
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
        result.act = _Act(data, ctx, due if options.send else [], answered, table, options.send).act
    return result


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
    due: list[_Due]
    answered: dict[str, tuple[str, str]]
    table: Table
    send: bool = False
    done: ActResult = field(default_factory=ActResult)

    def act(self, report) -> ActResult:
        """Send what is due, log each e-mail before the sheet, and record the replies taken."""
        from generators.mail import MandateMailer

        ctx, done = self.ctx, self.done
        sidecar = Sidecar(mandates_dir(ctx) / SIDECAR_NAME)  # fresh: the mandates' act saved it
        for key, (said, text) in self.answered.items():
            record = sidecar.get(key)
            if record is None:
                continue
            if said == UNCLEAR and report.changed("Missions", key, "Mandat suivi"):
                record["a_lire_le"], record["reponse"] = ctx.now.isoformat(sep=" "), text
            elif said != UNCLEAR and report.changed("Missions", key, "Mandat"):
                record["reponse_le"], record["reponse"] = ctx.now.isoformat(sep=" "), text
        if self.answered:
            sidecar.save()
        sent = {REMINDER: 0, ESCALATION: 0, CANCELLATION: 0}
        self.table.rows[:] = [r for r in self.table.rows if not str(r[-1]).startswith(
            ("relance à", "à appeler", "annulation à"))]
        if self.due:
            with MandateMailer(ctx.settings.smtp) as mailer:
                mails = [i for i in self.due if i.step != ESCALATION]
                for n, item in enumerate(ctx.progress(mails, "Relances et annulations", len(mails))):
                    if self._send_one(item, sidecar, mailer):
                        sent[item.step] += 1
                    elif mailer.conn is None and mailer.failed:  # the server is unreachable: not one try each
                        for other in mails[n + 1:]:
                            self._finding(other.key, "relance ou annulation non envoyée (serveur SMTP "
                                                     "indisponible) ; elle repartira au prochain envoi.")
                        break
                sent[ESCALATION] = self._escalate([i for i in self.due if i.step == ESCALATION], sidecar, mailer)
        if any(sent.values()):
            sidecar.save()  # the notes of the e-mails folded into the file
        if self.send or any(said == UNCLEAR for said, _text in self.answered.values()):
            self._store_calls(sidecar)  # every store still to phone, escalated today or before
        done.renamed = {"relances": ("relances envoyées", sent[REMINDER]),
                        "escalades": ("escalades", sent[ESCALATION]),
                        "annulations": ("annulations envoyées", sent[CANCELLATION])}
        return done

    def _log(self, sidecar: Sidecar, key: str, stamp: str) -> None:
        """Log the step in the sidecar (saved at once), then plan ``Mandat suivi``."""
        sidecar.note(key, **{stamp: self.ctx.now.isoformat(sep=" ")})  # on disk first: never twice
        self.done.changes.add(TASK, self.data["Missions"].change(key, "Mandat suivi", followup_text(sidecar.get(key))))

    def _context(self, item: _Due) -> dict:
        record, settings = item.record, self.ctx.settings
        md = MandateData(item.key, dict(record.get("donnees", {})), record["empreinte"], item.email, float("nan"))
        return md.context(self.ctx.region.code, self.ctx.now, settings.agency.city)

    def _send_one(self, item: _Due, sidecar: Sidecar, mailer) -> bool:
        from generators.mail import SendError, cancellation_message, reminder_message

        ctx, settings = self.ctx, self.ctx.settings
        record = sidecar.get(item.key)
        stamp = "relance_le" if item.step == REMINDER else "annulation_le"
        if record is None or record.get("empreinte") != item.record.get("empreinte") or record.get(stamp):
            return False  # regenerated meanwhile, or already done
        sender = settings.smtp.sender or settings.agency.email
        reply_to = ctx.region.officer_email or settings.agency.email
        context = self._context(item)
        missions = self.data["Missions"]
        if not item.email:
            self._finding(item.key, f"magasin sans e-mail : {'relance' if stamp == 'relance_le' else 'annulation'} "
                                    "non envoyée ; prévenez le magasin par téléphone.")
            return False
        if item.step == REMINDER:
            attachment = next((Path(p) for p in (record.get("pdf"), record.get("fichier")) if p and Path(p).exists()),
                              None)
            if attachment is None:
                self._finding(item.key, "fichier du mandat introuvable : relance non envoyée ; mettez Mandat à "
                                        "« À refaire » pour le régénérer.", rule=RULE_NO_FILE, severity=ALERTE)
                return False
            message = reminder_message(context, sender, item.email, attachment,
                                       format_date(dt.datetime.fromisoformat(record["envoye_le"])),
                                       format_date(item.deadline), reply_to)
        else:
            message = cancellation_message(context, sender, item.email, reply_to)
        try:
            mailer.send(message)
        except SendError as err:
            self._finding(item.key, f"{'relance' if item.step == REMINDER else 'annulation'} non envoyée à "
                                    f"{item.email} : {err} Elle repartira au prochain envoi.")
            return False
        self._log(sidecar, item.key, stamp)
        self.table.rows.append([item.key, missions.df.at[item.key, "Date"], item.store,
                                f"{'relance' if item.step == REMINDER else 'annulation'} envoyée à {item.email}"])
        return True

    def _escalate(self, items: list[_Due], sidecar: Sidecar, mailer) -> int:
        """One e-mail to the CDBO for the stores to phone; each is logged once it left."""
        from generators.mail import SendError, escalation_message

        items = [i for i in items if (sidecar.get(i.key) or {}).get("empreinte") == i.record.get("empreinte")
                 and not sidecar.get(i.key).get("escalade_le")]
        if not items:
            return 0
        ctx, settings = self.ctx, self.ctx.settings
        missions = self.data["Missions"]
        rows = [self._call_row(i.key, sidecar.get(i.key), i.store, i.phone) for i in items]
        officer = ctx.region.officer_email
        if officer:
            try:
                mailer.send(escalation_message(rows, ctx.region.code, settings.smtp.sender or settings.agency.email,
                                               officer))
            except SendError as err:
                for item in items:
                    self._finding(item.key, f"escalade non envoyée à {officer} : {err} Appelez le magasin "
                                            f"{item.store} ({item.phone or 'téléphone inconnu'}).")
                return 0
        for item in items:
            self._log(sidecar, item.key, "escalade_le")
            self.table.rows.append([item.key, missions.df.at[item.key, "Date"], item.store,
                                    f"à appeler : {item.phone or 'téléphone inconnu'}"
                                    + (f" (prévenu : {officer})" if officer else "")])
        return len(items)

    def _call_row(self, key: str, record: dict, store: str, phone: str) -> list[str]:
        df = self.data["Missions"].df
        return [key, store, phone, format_date(df.at[key, "Date"]),
                reference(self.ctx.region.code, key, record["empreinte"]),
                format_date(dt.datetime.fromisoformat(record["envoye_le"])),
                format_date(dt.datetime.fromisoformat(record["relance_le"])) if record.get("relance_le") else ""]

    def _store_calls(self, sidecar: Sidecar) -> None:
        """The stores' call list of the day: every escalated mandate still not acknowledged."""
        from generators.call_list import write_rows

        df, stores = self.data["Missions"].df, self.data["Magasins"].df
        today = pd.Timestamp(self.ctx.now.date())
        rows = []
        for key, record in sorted(sidecar.missions.items()):
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
