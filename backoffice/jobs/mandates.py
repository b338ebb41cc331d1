"""The ``mandates`` step: generate the mandates due, redo the changed ones, send them.

Which missions: a Salarié, Statut ``Proposée``/``Confirmée``, Date from today to today + N
days, and Mandat empty, ``À générer`` or ``À refaire``. Any future mission whose mandate was
generated (``Généré``/``Envoyé``/``Accusé``/``Refusé``) is compared with the fingerprint kept in
the sidecar ``<out>/<region>/mandats/empreintes.json``: when what the mandate prints changed
(employee, store, date, hours, ...), the mandate is made again in the same run (Mandat
``Généré``, ``Mandat envoyé le`` emptied) or, when the mission left the window, set to
``À refaire``. An unchanged mission is never regenerated.

With ``send``, every ``Généré`` mandate is e-mailed to its store, then Mandat = ``Envoyé`` and
``Mandat envoyé le``; the sidecar's sent log is written right after each message, so a message
is never sent twice even if the sheet write is lost.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from generators.mandates import (
    SIDECAR_NAME, MandateData, MandateTemplate, MissingReference, Sidecar, changed_fields, mandate_data,
    store_label,
)
from sheets_sync.errors import BackofficeError
from sheets_sync.findings import ALERTE, ERREUR, Finding
from sheets_sync.parsing import format_date
from sheets_sync.workbook import WorkbookData

from .base import JobContext, JobResult, Table

TASK = "mandates"
STAFFED_STATUSES = ("Proposée", "Confirmée")
TO_GENERATE = ("", "À générer")
REDO = "À refaire"
TRACKED = ("Généré", "Envoyé", "Accusé", "Refusé")
GENERATED, SENT = "Généré", "Envoyé"

RULE_MISSING_REF = "mandat.reference_introuvable"
RULE_NO_EMAIL = "mandat.magasin_sans_email"
RULE_SEND_FAILED = "mandat.envoi_echoue"
RULE_PDF_FAILED = "mandat.pdf_echoue"
RULE_RESEND = "mandat.a_renvoyer"
RULE_NO_FILE = "mandat.fichier_introuvable"


def mandates_dir(ctx: JobContext) -> Path:
    """``<out>/<region>/mandats``, absolute."""
    return (ctx.out_dir() / "mandats").resolve()


def check_extra(ctx: JobContext) -> dict:
    """What the ``check`` job passes in ``RuleContext.extra`` for rule ``mandat.a_refaire``."""
    try:
        return {"mandate_records": Sidecar(mandates_dir(ctx) / SIDECAR_NAME).missions}
    except BackofficeError:
        return {}  # an unreadable sidecar is reported by the mandates job itself


def _file_name(mission: str) -> str:
    return re.sub(r"[^\w.-]+", "_", mission).strip("._") or "mission"


@dataclass
class Item:
    """One mission the step acts on."""

    key: str
    mandate: MandateData
    action: str  # generate | regenerate | reuse | pdf | (none: only send / set status)
    why: list[str] = field(default_factory=list)
    was_sent: bool = False
    docx: Path | None = None


class _Findings:
    def __init__(self, data: WorkbookData):
        self.data, self.items = data, []

    def add(self, rule, severity, tab, key, column, message):
        table = self.data[tab]
        ref = table.cell_of(key, column) if key in table.df.index and column in table.columns else ""
        self.items.append(Finding(rule, severity, table.title, ref, str(key),
                                  f"{ref} : {message}" if ref else message, column))


def mandates_step(data: WorkbookData, ctx: JobContext) -> JobResult:
    """Generate, regenerate and (with ``send``) e-mail the mandates of the region."""
    settings = ctx.settings
    settings.require_agency()  # never a placeholder agency on a document for a real store
    result = JobResult(TASK)
    findings = _Findings(data)
    missions = data["Missions"]
    df = missions.df
    today = pd.Timestamp(ctx.now.date())
    days = int(ctx.option("days", settings.mandates.days))
    horizon = today + pd.Timedelta(days=days)
    folder = mandates_dir(ctx)
    sidecar = Sidecar(folder / SIDECAR_NAME)
    want_pdf, want_send = bool(ctx.option("pdf", False)), bool(ctx.option("send", False))
    if want_pdf and not ctx.dry_run:
        from generators.pdf import find_soffice

        find_soffice(settings.mandates.libreoffice)  # fail before generating anything

    future = df[df["Date"].notna() & (df["Date"] >= today)]
    staffed = (future["Salarié"] != "") & future["Statut"].isin(STAFFED_STATUSES)
    in_window = staffed & (future["Date"] <= horizon)
    items: list[Item] = []
    to_redo_later: list[tuple[str, list[str]]] = []
    datas: dict[str, MandateData] = {}
    adopted = 0

    for key in future.index:
        status = str(future.at[key, "Mandat"]).strip()
        eligible = bool(in_window.at[key])
        record = sidecar.get(key)
        if not eligible and not (record and status in TRACKED) and not (status == GENERATED and want_send):
            continue
        try:
            md = mandate_data(data, key, settings.agency)
        except MissingReference as err:
            if eligible and status in TO_GENERATE + (REDO,):
                findings.add(RULE_MISSING_REF, ERREUR, "Missions", key, err.column,
                             f"« {err.value} » introuvable dans l'onglet {data[err.tab].title} : mandat de la "
                             f"mission {key} non généré ; corrigez la valeur ou ajoutez la ligne manquante.")
            continue
        datas[key] = md
        if status in TO_GENERATE:
            if not eligible:
                continue
            if record and record.get("empreinte") == md.fingerprint and Path(record.get("fichier", "")).exists():
                items.append(Item(key, md, "reuse"))  # made by an earlier run whose sheet write was lost
            else:
                items.append(Item(key, md, "generate"))
        elif status == REDO:
            if eligible:
                why = changed_fields(record.get("donnees", {}), md.fields) if record else []
                items.append(Item(key, md, "regenerate", why or ["demandé (Mandat « À refaire »)"]))
        elif status in TRACKED:
            if record is None:
                if not ctx.dry_run:  # generated elsewhere: its data now is the reference
                    sidecar.missions[key] = {"empreinte": md.fingerprint, "donnees": md.fields,
                                             "fichier": str(settings.path(str(future.at[key, "Mandat fichier"])))
                                             if future.at[key, "Mandat fichier"] else "", "pdf": "",
                                             "genere_le": "", "envoye_le": "", "envoye_a": "", "adopte": True}
                    adopted += 1
                continue
            if record.get("empreinte") != md.fingerprint:
                why = changed_fields(record.get("donnees", {}), md.fields) or ["données du mandat"]
                if eligible:
                    items.append(Item(key, md, "regenerate", why, was_sent=status in ("Envoyé", "Accusé")))
                else:
                    to_redo_later.append((key, why))
            elif status == GENERATED and want_pdf and eligible and not _exists(record.get("pdf")):
                items.append(Item(key, md, "pdf"))

    generated = [i for i in items if i.action in ("generate", "regenerate")]
    rows: list[list] = []
    if generated:
        template = MandateTemplate(settings.template_path())  # checks the tags, also in --dry-run
        place = settings.agency.city
        for item in ctx.progress(generated, "Mandats", len(generated)):
            item.docx = folder / f"{_file_name(item.key)}.docx"
            if ctx.dry_run:
                continue
            template.render(item.mandate.context(ctx.region.code, ctx.now, place), item.docx)
            old = sidecar.get(item.key) or {}
            if old.get("pdf") and Path(old["pdf"]).exists():
                Path(old["pdf"]).unlink()  # the PDF of the previous version is stale
            history = list(old.get("historique", []))
            if old.get("genere_le") or old.get("envoye_le"):
                history.append({k: old.get(k, "") for k in ("empreinte", "genere_le", "envoye_le", "envoye_a")})
            sidecar.missions[item.key] = {
                "empreinte": item.mandate.fingerprint, "donnees": item.mandate.fields,
                "fichier": str(item.docx), "pdf": "", "genere_le": ctx.now.isoformat(sep=" "),
                "envoye_le": "", "envoye_a": "", "historique": history,
            }
            result.files.append(item.docx)
    for item in items:
        if item.action == "reuse":
            item.docx = Path(sidecar.get(item.key)["fichier"])
        elif item.action == "pdf":
            item.docx = Path(sidecar.get(item.key)["fichier"])

    pdf_count = 0
    if want_pdf:
        batch = [i for i in items if i.action in ("generate", "regenerate", "pdf")]
        if batch and not ctx.dry_run:
            from generators.pdf import convert_to_pdf

            converted = convert_to_pdf([i.docx for i in batch], folder, settings.mandates.libreoffice,
                                       settings.mandates.pdf_timeout_s, progress=ctx.progress)
            for item in batch:
                pdf = converted.get(item.docx.resolve())
                if pdf is None:
                    findings.add(RULE_PDF_FAILED, ALERTE, "Missions", item.key, "Mandat fichier",
                                 f"LibreOffice n'a pas converti {item.docx.name} en PDF ; le mandat reste en Word. "
                                 "Relancez avec --pdf ou convertissez-le à la main.")
                    continue
                sidecar.missions[item.key]["pdf"] = str(pdf)
                result.files.append(pdf)
                pdf_count += 1
        elif batch:
            pdf_count = len(batch)
    if not ctx.dry_run and (generated or pdf_count or adopted):
        sidecar.save()

    # --- the sheet: Mandat, Mandat fichier, Mandat envoyé le ---------------------------------------
    final_status: dict[str, str] = {k: str(df.at[k, "Mandat"]).strip() for k in future.index}
    for item in items:
        record = sidecar.get(item.key) or {}
        shown = record.get("pdf") or (str(item.docx) if item.docx else record.get("fichier", ""))
        if ctx.dry_run and want_pdf and item.docx is not None:
            shown = str(item.docx.with_suffix(".pdf"))
        status = GENERATED
        if item.action == "reuse" and record.get("envoye_le"):
            status = SENT
        final_status[item.key] = status
        result.changes.add(TASK, missions.change(item.key, "Mandat", status))
        result.changes.add(TASK, missions.change(item.key, "Mandat fichier", settings.shown_path(shown)))
        if status == SENT:
            _set_sent_date(result, missions, item.key, record["envoye_le"])
        elif not pd.isna(df.at[item.key, "Mandat envoyé le"]):
            result.changes.add(TASK, missions.change(item.key, "Mandat envoyé le", ""))
        label = {"generate": "généré", "regenerate": "régénéré : " + "; ".join(item.why),
                 "reuse": "déjà généré (fichier repris)", "pdf": "PDF ajouté"}[item.action]
        if ctx.dry_run:
            label = {"generate": "à générer", "regenerate": "à régénérer : " + "; ".join(item.why),
                     "reuse": "fichier existant repris", "pdf": "PDF à produire"}[item.action]
        rows.append([item.key, df.at[item.key, "Date"], _store(item.mandate), _person(item.mandate), label, shown])
    for key, why in to_redo_later:
        final_status[key] = REDO
        result.changes.add(TASK, missions.change(key, "Mandat", REDO))
        rows.append([key, df.at[key, "Date"], _store(datas[key]), _person(datas[key]),
                     "à refaire : " + "; ".join(why), ""])

    sent = 0
    if want_send:
        planned = {i.key: i.docx for i in generated if ctx.dry_run}
        sent = _send(data, ctx, sidecar, datas, final_status, findings, result, rows, planned)
    for item in items:
        if item.was_sent and final_status.get(item.key) != SENT:
            findings.add(RULE_RESEND, ALERTE, "Missions", item.key, "Mandat",
                         f"le magasin a reçu un mandat devenu faux ({'; '.join(item.why)}) ; le nouveau est "
                         "généré : envoyez-le (backoffice mandates --send).")

    verb = "à " if ctx.dry_run else ""
    result.summary = [
        (f"{verb}générer" if ctx.dry_run else "générés", sum(i.action == "generate" for i in items)),
        (f"{verb}régénérer" if ctx.dry_run else "régénérés", sum(i.action == "regenerate" for i in items)),
    ]
    if want_pdf:
        result.summary.append(("PDF", pdf_count))
    if want_send:
        result.summary.append(("à envoyer" if ctx.dry_run else "envoyés", sent))
    if to_redo_later:
        result.summary.append(("à refaire", len(to_redo_later)))
    result.tables.append(Table("Mandats", ["N° mission", "Date", "Magasin", "Salarié", "Action", "Fichier"], rows))
    result.findings = findings.items
    return result


def _exists(path) -> bool:
    return bool(path) and Path(path).exists()


def _store(md: MandateData) -> str:
    f = md.fields
    return f"{store_label(f['magasin_enseigne'], f['magasin_nom'])} ({f['magasin_code']})"


def _person(md: MandateData) -> str:
    f = md.fields
    return f"{f['salarie_prenom']} {f['salarie_nom']} ({f['salarie_matricule']})"


def _put(result: JobResult, missions, key: str, column: str, value) -> None:
    """Plan ``value`` in the cell; when the cell already holds it, drop what was planned before
    (a mandate regenerated then sent in the same run goes back to « Envoyé »)."""
    change = missions.change(key, column, value)
    if change is None:
        result.changes.cells.pop((missions.name, str(key), column), None)
    else:
        result.changes.add(TASK, change)


def _set_sent_date(result: JobResult, missions, key: str, stamp: str) -> None:
    day = dt.datetime.fromisoformat(stamp).date()
    current = missions.df.at[key, "Mandat envoyé le"]
    if not pd.isna(current) and pd.Timestamp(current).date() == day:
        result.changes.cells.pop((missions.name, str(key), "Mandat envoyé le"), None)
        return  # already there (maybe as a real date cell)
    _put(result, missions, key, "Mandat envoyé le", format_date(day))


def _send(data, ctx: JobContext, sidecar: Sidecar, datas: dict[str, MandateData], final_status: dict[str, str],
          findings: _Findings, result: JobResult, rows: list[list], planned: dict[str, Path]) -> int:
    """E-mail every ``Généré`` mandate of a future mission; returns how many were (or would be) sent."""
    from generators.mail import MandateMailer, SendError, mandate_message

    settings = ctx.settings
    missions = data["Missions"]
    due = [k for k, s in final_status.items() if s == GENERATED and k in datas]
    no_email: dict[str, list[str]] = {}
    sent = 0
    sender = settings.smtp.sender or settings.agency.email
    with MandateMailer(settings.smtp) as mailer:
        for key in ctx.progress(due, "Envois", len(due)):
            md = datas[key]
            record = sidecar.get(key)
            if key in planned:  # --dry-run: the file it would have generated
                record = {"fichier": str(planned[key]), "pdf": "", "envoye_le": ""}
            elif record is None or not _exists(record.get("fichier")):
                findings.add(RULE_NO_FILE, ALERTE, "Missions", key, "Mandat fichier",
                             "fichier du mandat introuvable, rien n'est envoyé ; mettez Mandat à « À refaire » "
                             "pour le régénérer.")
                continue
            if record.get("envoye_le"):  # sent by an earlier run whose sheet write was lost
                final_status[key] = SENT
                _put(result, missions, key, "Mandat", SENT)
                _set_sent_date(result, missions, key, record["envoye_le"])
                continue
            if not md.store_email:
                no_email.setdefault(md.fields["magasin_code"], []).append(key)
                continue
            attachment = Path(record["pdf"]) if _exists(record.get("pdf")) else Path(record["fichier"])
            if key in planned and ctx.options.get("pdf"):
                attachment = attachment.with_suffix(".pdf")
            label = f"envoyé à {md.store_email} ({attachment.suffix[1:].upper()})"
            if ctx.dry_run:
                label = "à envoyer à " + label.removeprefix("envoyé à ")
            else:
                context = md.context(ctx.region.code, ctx.now, settings.agency.city)
                try:
                    mailer.send(mandate_message(context, sender, md.store_email, attachment,
                                                reply_to=ctx.region.officer_email or settings.agency.email))
                except SendError as err:
                    findings.add(RULE_SEND_FAILED, ERREUR, "Missions", key, "Mandat",
                                 f"mandat non envoyé à {md.store_email} : {err} Mandat reste « Généré » ; "
                                 "relancez --send une fois le problème réglé.")
                    if mailer.conn is None:  # the server is unreachable: do not try every mission
                        for other in due[due.index(key) + 1:]:
                            if final_status.get(other) == GENERATED:
                                findings.add(RULE_SEND_FAILED, ERREUR, "Missions", other, "Mandat",
                                             "mandat non envoyé (serveur SMTP indisponible) ; Mandat reste "
                                             "« Généré » ; relancez --send plus tard.")
                        break
                    continue
                record["envoye_le"] = ctx.now.isoformat(sep=" ")
                record["envoye_a"] = md.store_email
                sidecar.save()  # the sent log first: never send twice
            sent += 1
            final_status[key] = SENT
            _put(result, missions, key, "Mandat", SENT)
            _set_sent_date(result, missions, key, record.get("envoye_le") or ctx.now.isoformat(sep=" "))
            rows.append([key, missions.df.at[key, "Date"], _store(md), _person(md), label, str(attachment)])
    for code, keys in no_email.items():
        findings.add(RULE_NO_EMAIL, ALERTE, "Magasins", code, "Email",
                     f"magasin {code} sans e-mail : mandat(s) {', '.join(keys)} non envoyé(s) ; renseignez "
                     "l'e-mail du directeur du magasin, ou envoyez-les à la main.")
    return sent
