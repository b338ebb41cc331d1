"""The ``mandates`` step: generate the mandates due, redo the changed ones, send them.

Which missions: a Salarié, Statut ``Proposée``/``Confirmée``, Date from today to today + N
days, and Mandat empty, ``À générer`` or ``À refaire``. Any future mission whose mandate was
generated (``Généré``/``Envoyé``/``Accusé``/``Refusé``) is compared with the fingerprint kept in
the workbook's memory (``État``, ``mandat:<N° mission>``): when what the mandate prints changed
(employee, store, date, hours, ...), the mandate is made again in the same run (Mandat
``Généré``, ``Mandat envoyé le`` emptied) or, when the mission left the window, set to
``À refaire``. An unchanged mission is never regenerated.

With ``send``, every ``Généré`` mandate is planned as a row of the outbox (``Envois``) in the
same write as its status, guarded by the mission's cells it was made from (a person who changes
the Salarié meanwhile stops it), e-mailed by the run whose write took the row, then Mandat =
``Envoyé``, ``Mandat envoyé le`` and the row ``fait`` in the follow-up write.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from generators.mandates import MandateTemplate
from rules.mandates import MandateData, MissingReference, changed_fields, mandate_data, reference, store_label
from rules.mandate_plan import (ADOPT, GENERATED, REDO, REDO_LATER, REGENERATE, SENT_TO_STORE, TO_GENERATE, Facts,
                                considered, decide)
from rules.outbox import ALREADY, BUSY, DONE
from sheets_sync.findings import ALERTE, ERREUR
from sheets_sync.parsing import format_date
from sheets_sync.workbook import WorkbookData
from rules.job_findings import MANDATE_MISSING_REF, MANDATE_NO_EMAIL, MANDATE_NO_FILE, MANDATE_PDF_FAILED, MANDATE_RESEND, MANDATE_SEND_FAILED

from .base import ActResult, JobContext, JobResult, Table
from .memory import MANDATE, records
from .mandate_files import Documents, exists as _exists, file_name, mandate_effect, mandates_dir
from .findings import cell_finding
from .outbox import Outbox, guard_inputs, memory, outbox

TASK = "mandates"
STAFFED_STATUSES = ("Proposée", "Confirmée")
SENT = "Envoyé"

RULE_MISSING_REF = MANDATE_MISSING_REF
RULE_NO_EMAIL = MANDATE_NO_EMAIL
RULE_SEND_FAILED = MANDATE_SEND_FAILED
RULE_PDF_FAILED = MANDATE_PDF_FAILED
RULE_RESEND = MANDATE_RESEND
RULE_NO_FILE = MANDATE_NO_FILE


EMAIL = "e-mail mandat"  # its outbox rows' Type
# the mission's cells a mandate is made from: a change meanwhile stops its e-mail (re-checked at the write)
INPUTS = ("Salarié", "Marque", "Code magasin", "Date", "Début", "Fin", "Opération", "Type", "Statut", "Mandat")


def inputs_guard(changes, missions, key: str) -> tuple[str, str, str]:
    """Guard the mandate of ``key`` by the mission's cells it was made from; the guard's slot."""
    return guard_inputs(changes, TASK, missions, key, INPUTS, "données du mandat")


@dataclass
class Item:
    """One mission the step acts on."""

    key: str
    mandate: MandateData
    action: str  # generate | regenerate | reuse | pdf | (none: only send / set status)
    why: list[str] = field(default_factory=list)
    was_sent: bool = False
    docx: Path | None = None
    old_pdf: str = ""  # the PDF of the version it replaces (stale once the new one is made)


class _Findings:
    def __init__(self, data: WorkbookData):
        self.data, self.items = data, []

    def add(self, rule, severity, tab, key, column, message):
        self.items.append(cell_finding(self.data, rule, severity, tab, key, column, message))


@dataclass(frozen=True)
class MandatesOptions:
    """``mandates`` (and the mandates step of ``run``): horizon, PDF, sending."""

    days: int | None = None  # --days (default: mandates.days)
    pdf: bool = False  # --pdf
    send: bool = False  # --send


@dataclass
class _Selection:
    """What the step decided, mission by mission (``rules.mandate_plan.decide``)."""

    items: list[Item] = field(default_factory=list)
    redo_later: list[tuple[str, list[str]]] = field(default_factory=list)
    datas: dict[str, MandateData] = field(default_factory=dict)
    final: dict[str, str] = field(default_factory=dict)  # Mandat once the plan is written
    rows: dict[str, list] = field(default_factory=dict)  # the table « Mandats »
    records: dict[str, dict] = field(default_factory=dict)  # the memory's records as read


def mandates_step(data: WorkbookData, ctx: JobContext, options: MandatesOptions = MandatesOptions()) -> JobResult:
    """Plan the mandates of the region: which to generate, regenerate, convert and send, the
    sheet changes that say so, the memory and the outbox rows. The files and the mails are the
    act phase, run once the sheet write committed (never by --dry-run)."""
    ctx.settings.require_agency()  # never a placeholder agency on a document for a real store
    if options.pdf:
        from generators.pdf import find_soffice

        find_soffice(ctx.settings.mandates.libreoffice)  # fail before planning anything
    result, findings = JobResult(TASK), _Findings(data)
    chosen = _select(data, ctx, options, findings)
    items = chosen.items
    generated = [i for i in items if i.action in ("generate", "regenerate")]
    template = MandateTemplate(ctx.settings.template_path()) if generated else None  # tags checked, also in --dry-run
    _remember(data, ctx, chosen)
    _plan_sheet(data, ctx, chosen, result, options.pdf)
    table = Table("Mandats", ["N° mission", "Date", "Magasin", "Salarié", "Action", "Fichier"],
                  list(chosen.rows.values()))
    result.tables.append(table)
    box = outbox(data, ctx, TASK)
    to_send, send_rows = _plan_sends(data, ctx, chosen, box, result, findings, options) if options.send else ([], [])
    table.rows.extend(send_rows)
    if not options.send:  # with --send, the act phase says it for those it could not send
        for item in items:
            if item.was_sent:
                findings.add(*_resend(item))
    result.summary = [("à générer", sum(i.action == "generate" for i in items)),
                      ("à régénérer", sum(i.action == "regenerate" for i in items))]
    if chosen.redo_later:
        result.summary.append(("à refaire", len(chosen.redo_later)))
    if options.pdf:
        result.summary.append(("PDF", sum(i.action in ("generate", "regenerate", "pdf") for i in items)))
    if options.send:
        result.summary.append(("à envoyer", len(send_rows)))
    result.findings = findings.items
    plan = _Plan(data, ctx, box, items, chosen.datas, to_send, template, options.pdf, table, chosen.rows, send_rows)
    result.act = plan.act
    return result


def _select(data: WorkbookData, ctx: JobContext, options: MandatesOptions, findings: "_Findings") -> _Selection:
    """Each future mission's decision (``rules.mandate_plan``), from the sheet, the memory and the
    files; an adopted mandate's record is put in the memory at once."""
    settings, df = ctx.settings, data["Missions"].df
    today = pd.Timestamp(ctx.now.date())
    horizon = today + pd.Timedelta(days=settings.mandates.days if options.days is None else int(options.days))
    recs = records(data, ctx, MANDATE)
    future = df[df["Date"].notna() & (df["Date"] >= today)]
    staffed = (future["Salarié"] != "") & future["Statut"].isin(STAFFED_STATUSES)
    in_window = staffed & (future["Date"] <= horizon)
    chosen = _Selection(final={k: str(df.at[k, "Mandat"]).strip() for k in future.index}, records=recs)
    for key in future.index:
        status, eligible, record = chosen.final[key], bool(in_window.at[key]), recs.get(key) or {}
        if future.at[key, "Statut"] == "Annulée" or not considered(status, eligible, bool(record), options.send):
            continue  # a cancelled mission's mandate is never redone: its store is told (mandates-suivi)
        try:
            md = mandate_data(data, key, settings.agency)
        except MissingReference as err:
            if eligible and status in TO_GENERATE + (REDO,):
                findings.add(RULE_MISSING_REF, ERREUR, "Missions", key, err.column,
                             f"« {err.value} » introuvable dans l'onglet {data[err.tab].title} : mandat de la "
                             f"mission {key} non généré ; corrigez la valeur ou ajoutez la ligne manquante.")
            continue
        chosen.datas[key] = md
        shown = str(future.at[key, "Mandat fichier"]).strip()
        action = decide(Facts(status, eligible, record.get("empreinte", ""), md.fingerprint,
                              _exists(record.get("fichier")), bool(shown) and settings.path(shown).exists(),
                              options.pdf, _exists(record.get("pdf"))))
        why = changed_fields(record.get("donnees", {}), md.fields) if record else []
        if action == ADOPT:  # made elsewhere (or sent by a person): its data now is the reference
            memory(data).put(MANDATE, key, {"empreinte": md.fingerprint, "donnees": md.fields,
                                            "fichier": str(settings.path(shown)) if shown else "", "pdf": "",
                                            "genere_le": "", "envoye_le": "", "envoye_a": "", "adopte": True})
        elif action == REDO_LATER:
            chosen.redo_later.append((key, why or ["données du mandat"]))
        elif action == REGENERATE:
            why = why or (["demandé (Mandat « À refaire »)"] if status == REDO else ["données du mandat"])
            chosen.items.append(Item(key, md, action, why, was_sent=status in SENT_TO_STORE))
        elif action:
            chosen.items.append(Item(key, md, action))
    return chosen


def _remember(data: WorkbookData, ctx: JobContext, chosen: _Selection) -> None:
    """Each item's document path, and for a new document its record in the memory, written with
    its status (only if the sheet takes it)."""
    recs, store, folder = chosen.records, memory(data), mandates_dir(ctx)
    for item in chosen.items:
        record = recs.get(item.key) or {}
        if item.action not in ("generate", "regenerate"):
            item.docx = Path(record["fichier"]) if record.get("fichier") else None
            continue
        item.docx = folder / f"{file_name(item.key)}.docx"
        item.old_pdf = record.get("pdf", "")
        history = list(record.get("historique", []))
        if record.get("genere_le") or record.get("envoye_le"):
            history.append({k: record.get(k, "") for k in ("empreinte", "genere_le", "envoye_le", "envoye_a")})
        store.put(MANDATE, item.key, {
            "empreinte": item.mandate.fingerprint, "donnees": item.mandate.fields, "fichier": str(item.docx),
            "pdf": "", "genere_le": ctx.now.isoformat(sep=" "), "envoye_le": "", "envoye_a": "",
            "historique": history}, follows=(data["Missions"].name, item.key, "Mandat"))


def _plan_sheet(data: WorkbookData, ctx: JobContext, chosen: _Selection, result: JobResult, want_pdf: bool) -> None:
    """``Mandat``, ``Mandat fichier`` and ``Mandat envoyé le`` of each item, and the table's rows."""
    missions, settings = data["Missions"], ctx.settings
    df, recs = missions.df, chosen.records
    for item in chosen.items:
        record = recs.get(item.key) or {}
        shown = record.get("pdf") if item.action == "reuse" else ""
        if not shown and item.docx is not None:
            shown = str(item.docx.with_suffix(".pdf") if want_pdf else item.docx)
        status = SENT if item.action == "reuse" and record.get("envoye_le") else GENERATED
        chosen.final[item.key] = status
        result.changes.add(TASK, missions.change(item.key, "Mandat", status))
        result.changes.add(TASK, missions.change(item.key, "Mandat fichier", settings.shown_path(shown)),
                           follows="Mandat")
        if status == SENT:
            _set_sent_date(result.changes, missions, item.key, record["envoye_le"])
        elif not pd.isna(df.at[item.key, "Mandat envoyé le"]):
            result.changes.add(TASK, missions.change(item.key, "Mandat envoyé le", ""), follows="Mandat")
        chosen.rows[item.key] = [item.key, df.at[item.key, "Date"], _store(item.mandate), _person(item.mandate),
                                 _label(item, PLANNED), shown]
    for key, why in chosen.redo_later:
        chosen.final[key] = REDO
        result.changes.add(TASK, missions.change(key, "Mandat", REDO))
        chosen.rows[key] = [key, df.at[key, "Date"], _store(chosen.datas[key]), _person(chosen.datas[key]),
                            "à refaire : " + "; ".join(why), ""]


def _plan_sends(data: WorkbookData, ctx: JobContext, chosen: _Selection, box: Outbox, result: JobResult,
                findings: "_Findings", options: MandatesOptions) -> tuple[list[str], list[list]]:
    """One outbox row per ``Généré`` mandate to e-mail, guarded by the mission's cells it was made
    from; an e-mail a run did whose follow-up write was lost only catches the sheet up. The keys
    to send and what the table says of them."""
    missions, df, store = data["Missions"], data["Missions"].df, memory(data)
    recs = chosen.records
    due = [k for k, st in chosen.final.items() if st == GENERATED and k in chosen.datas]
    send_rows, to_send, no_email = [], [], {}
    for key in due:  # what --send will do (the act phase replaces these rows by what it did)
        md = chosen.datas[key]
        if not md.store_email:
            no_email.setdefault(md.fields["magasin_code"], []).append(key)
            continue
        effect = mandate_effect(ctx.region.code, key, md.fingerprint)
        state = box.state_of(effect)
        if state == ALREADY:  # e-mailed by a run whose follow-up write was lost: the sheet catches up
            row = next(r for r in box.rows(EMAIL) if r.effect == effect and r.state == DONE)
            result.changes.add(TASK, missions.change(key, "Mandat", SENT))
            _set_sent_date(result.changes, missions, key, row.done or ctx.now.isoformat(sep=" "))
            store.update(MANDATE, key, envoye_le=row.done or ctx.now.isoformat(sep=" "), envoye_a=row.to)
            continue
        if state == BUSY:
            send_rows.append([key, df.at[key, "Date"], _store(md), _person(md), "envoi en cours par une autre exécution", ""])
            continue
        if box.plan(result.changes, effect, EMAIL, key, md.store_email,
                    follows=inputs_guard(result.changes, missions, key)) is None:
            continue
        to_send.append(key)
        item = next((i for i in chosen.items if i.key == key), None)
        record = recs.get(key) or {}
        path = item.docx if item is not None and item.docx else Path(record.get("fichier") or key)
        kind = "PDF" if options.pdf or _exists(record.get("pdf")) else "DOCX"
        send_rows.append([key, df.at[key, "Date"], _store(md), _person(md), f"à envoyer à {md.store_email} ({kind})",
                          str(path)])
    box.drop_stale(result.changes, EMAIL, {mandate_effect(ctx.region.code, k, chosen.datas[k].fingerprint) for k in due})
    for code, keys in no_email.items():
        findings.add(RULE_NO_EMAIL, ALERTE, "Magasins", code, "Email",
                     f"magasin {code} sans e-mail : mandat(s) {', '.join(keys)} non envoyé(s) ; renseignez "
                     "l'e-mail du directeur du magasin, ou envoyez-les à la main.")
    return to_send, send_rows


@dataclass
class _Plan:
    """What the act phase of the mandates step does once the sheet holds the plan's statuses."""

    data: WorkbookData
    ctx: JobContext
    box: Outbox
    items: list[Item]
    datas: dict[str, MandateData]
    to_send: list[str]
    template: MandateTemplate | None
    want_pdf: bool
    table: Table
    rows: dict[str, list]
    send_rows: list[list]

    def act(self, report) -> ActResult:
        """Render, convert and send what the sheet now says; what was sent is recorded in the
        follow-up write (the outbox rows ``fait``, Mandat ``Envoyé``, the memory)."""
        done = ActResult()
        findings = _Findings(self.data)
        # A mission whose Mandat a person changed meanwhile gets nothing: the sheet did not take it.
        items = [i for i in self.items if not report.refused("Missions", i.key, "Mandat")]
        for item in items:
            self.rows[item.key][4] = _label(item, DONE_LABEL)
        for key in [k for k in self.rows if report.refused("Missions", k, "Mandat")]:
            self.rows[key][4] = "non fait : Mandat modifié entre-temps dans le classeur"
        self.table.rows[:] = [r for r in self.table.rows if not any(r is s for s in self.send_rows)]
        generated = [i for i in items if i.action in ("generate", "regenerate")]
        for item in self.ctx.progress(generated, "Mandats", len(generated)):
            self.template.render(item.mandate.context(self.ctx.region.code, self.ctx.now, self.ctx.settings.agency.city),
                                 item.docx)
            if item.old_pdf and Path(item.old_pdf).exists():
                Path(item.old_pdf).unlink()  # the PDF of the previous version is stale
            done.files.append(item.docx)
        pdf_count = self._pdf(items, findings, done)
        done.renamed = {"à générer": ("générés", sum(i.action == "generate" for i in items)),
                        "à régénérer": ("régénérés", sum(i.action == "regenerate" for i in items)),
                        "PDF": ("PDF", pdf_count)}
        if self.to_send:
            sent = self._send(report, findings, done)
            done.renamed["à envoyer"] = ("envoyés", sent)
            for item in items:
                if item.was_sent and done.changes.planned("Missions", item.key, "Mandat") is None:
                    findings.add(*_resend(item))
        done.findings = findings.items
        return done

    def _pdf(self, items: list[Item], findings: "_Findings", done: ActResult) -> int:
        if not self.want_pdf:
            return 0
        batch = [i for i in items if i.action in ("generate", "regenerate", "pdf") and i.docx is not None]
        if not batch:
            return 0
        from generators.pdf import convert_to_pdf

        settings = self.ctx.settings
        missions = self.data["Missions"]
        converted = convert_to_pdf([i.docx for i in batch], mandates_dir(self.ctx), settings.mandates.libreoffice,
                                   settings.mandates.pdf_timeout_s, progress=self.ctx.progress)
        count = 0
        for item in batch:
            pdf = converted.get(item.docx.resolve())
            if pdf is None:
                findings.add(RULE_PDF_FAILED, ALERTE, "Missions", item.key, "Mandat fichier",
                             f"conversion PDF du mandat {item.key} échouée (le .docx est prêt). "
                             "Relancez avec --pdf ou convertissez-le à la main.")
                # the sheet announced the PDF: point it at the .docx that exists
                done.changes.add(TASK, missions.change(item.key, "Mandat fichier", settings.shown_path(item.docx)))
                continue
            memory(self.data).update(MANDATE, item.key, pdf=str(pdf))
            done.files.append(pdf)
            count += 1
        return count

    def _send(self, report, findings: "_Findings", done: ActResult) -> int:
        """E-mail each mandate whose outbox row this run's write took; its « Envoyé » and the
        row's « fait » go in the follow-up write."""
        from generators.mail import MandateMailer, SendError, mandate_message

        ctx, settings, missions = self.ctx, self.ctx.settings, self.data["Missions"]
        store = memory(self.data)
        sent = 0
        sender = settings.smtp.sender or settings.agency.email
        documents = Documents(self.data, ctx, self.template)
        mine = []
        for key in self.to_send:
            md = self.datas[key]
            row = self.box.mine(report, mandate_effect(ctx.region.code, key, md.fingerprint))
            if row is not None and not report.refused("Missions", key, "Mandat"):
                mine.append((key, md, row))
            else:
                self.table.rows.append([key, missions.df.at[key, "Date"], _store(md), _person(md),
                                        "non envoyé : classeur modifié entre-temps, ou envoi pris par une autre exécution",
                                        ""])
        with MandateMailer(settings.smtp) as mailer:
            for n, (key, md, row) in enumerate(ctx.progress(mine, "Envois", len(mine))):
                record = store.get(MANDATE, key) or {}
                attachment = documents.of(key, record)
                if attachment is None:
                    findings.add(RULE_NO_FILE, ALERTE, "Missions", key, "Mandat fichier",
                                 "fichier du mandat introuvable, rien n'est envoyé ; mettez Mandat à « À refaire » "
                                 "pour le régénérer.")
                    self.box.failed(done.changes, row, "fichier du mandat introuvable")
                    continue
                context = md.context(ctx.region.code, ctx.now, settings.agency.city)
                try:
                    mailer.send(mandate_message(context, sender, md.store_email, attachment,
                                                reply_to=ctx.region.officer_email or settings.agency.email,
                                                replaces=replaced_reference(ctx.region.code, key, record)))
                except SendError as err:
                    findings.add(RULE_SEND_FAILED, ERREUR, "Missions", key, "Mandat",
                                 f"mandat non envoyé à {md.store_email} : {err} Mandat reste « Généré » ; "
                                 "relancez --send une fois le problème réglé.")
                    self.box.failed(done.changes, row, str(err))
                    if mailer.conn is None:  # the server is unreachable: do not try every mission
                        for other, _md, other_row in mine[n + 1:]:
                            findings.add(RULE_SEND_FAILED, ERREUR, "Missions", other, "Mandat",
                                         "mandat non envoyé (serveur SMTP indisponible) ; Mandat reste "
                                         "« Généré » ; relancez --send plus tard.")
                            self.box.failed(done.changes, other_row, "serveur SMTP indisponible")
                        break
                    continue
                sent += 1
                stamp = ctx.now.isoformat(sep=" ")
                self.box.done(done.changes, row, md.store_email)
                store.update(MANDATE, key, envoye_le=stamp, envoye_a=md.store_email)
                done.changes.add(TASK, missions.change(key, "Mandat", SENT))
                _set_sent_date(done.changes, missions, key, stamp)
                self.table.rows.append([key, missions.df.at[key, "Date"], _store(md), _person(md),
                                        f"envoyé à {md.store_email} ({attachment.suffix[1:].upper()})",
                                        str(attachment)])
        return sent


def replaced_reference(region: str, key: str, record: dict) -> str:
    """The reference of the last version of this mandate that was sent, ``""`` when none was:
    the new one says it replaces it."""
    sent = [old for old in record.get("historique", []) if old.get("envoye_le") and old.get("empreinte")]
    if not sent or sent[-1]["empreinte"] == record.get("empreinte"):
        return ""
    return reference(region, key, sent[-1]["empreinte"])


PLANNED, DONE_LABEL = 0, 1
_LABELS = {"generate": ("à générer", "généré"), "regenerate": ("à régénérer : ", "régénéré : "),
           "reuse": ("fichier existant repris", "déjà généré (fichier repris)"), "pdf": ("PDF à produire", "PDF ajouté")}


def _label(item: Item, when: int) -> str:
    """What the table says of an item: planned (a dry run, or before the act), or done."""
    text = _LABELS[item.action][when]
    return text + "; ".join(item.why) if item.action == "regenerate" else text


def _store(md: MandateData) -> str:
    f = md.fields
    return f"{store_label(f['magasin_enseigne'], f['magasin_nom'])} ({f['magasin_code']})"


def _person(md: MandateData) -> str:
    f = md.fields
    return f"{f['salarie_prenom']} {f['salarie_nom']} ({f['salarie_matricule']})"


def _resend(item: Item) -> tuple:
    return (RULE_RESEND, ALERTE, "Missions", item.key, "Mandat",
            f"le magasin a reçu un mandat devenu faux ({'; '.join(item.why)}) ; le nouveau est "
            "généré : envoyez-le (backoffice mandates --send).")


def _set_sent_date(changes, missions, key: str, stamp: str) -> None:
    """Plan ``Mandat envoyé le`` (a date); nothing when the cell already holds that day."""
    day = dt.datetime.fromisoformat(stamp).date()
    current = missions.df.at[key, "Mandat envoyé le"]
    if not pd.isna(current) and pd.Timestamp(current).date() == day:
        changes.discard(missions.name, key, "Mandat envoyé le")
        return  # already there (maybe as a real date cell)
    changes.add(TASK, missions.change(key, "Mandat envoyé le", format_date(day)))
