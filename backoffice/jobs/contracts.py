"""The ``contracts`` step: every staffed mission's CIDD made from the Word template, sent for
signature (Yousign) or by e-mail, and followed to « Signé ».

Which missions: a Salarié, Statut ``Proposée``/``Confirmée``, Date from today to today + N days
(``contracts.days``), and Contrat empty or ``À envoyer`` — and again any mission whose contract
was made from data that changed since, unless it is signed (then an alerte asks for an
amendment). A cancelled mission gets none. The contract (DOCX, and PDF with LibreOffice) goes to
``<out>/<region>/contrats/``; its record (``État``, ``contrat:<N° mission>``) holds what it was
made from, its reference and its signature request.

With ``send``, each contract ``À envoyer`` is an outbox row (``Envois``), guarded by the
mission's cells it was made from, performed by the run whose write took it: a Yousign signature
request (looked up by its ``external_id`` before it is made: never two), or without Yousign an
e-mail with the PDF. Then Contrat = ``Envoyé`` and ``Contrat envoyé le``. Each later run reads the
requests still running: ``done`` -> the signed PDF beside the contract, Contrat = ``Signé``;
``declined`` -> ``Refusé`` and the call list; ``expired``, or unsigned when the mission starts ->
an alerte and the call list. Nothing is ever written over a person's word: every cell is
compared before it is written.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from generators.call_list import write_rows
from generators.files import atomic_write, file_stem
from rules import contracts as rules
from rules.job_findings import (CONTRACT_AMEND, CONTRACT_LATE, CONTRACT_NO_EMAIL, CONTRACT_REFUSED,
                                CONTRACT_SEND_FAILED, CONTRACT_STALLED, CONTRACT_UNUSABLE)
from rules.outbox import ALREADY, BUSY
from sheets_sync.findings import ALERTE, ERREUR, Finding
from sheets_sync.parsing import format_date
from sheets_sync.workbook import WorkbookData

from .base import ActResult, JobContext, JobResult, Table, fault_point
from .findings import cell_finding
from .outbox import Outbox, guard_inputs, memory, outbox

TASK = "contracts"
KIND = rules.KIND
SIGNATURE, EMAIL = "signature Yousign", "e-mail contrat"  # the outbox's types
INPUTS = ("Salarié", "Marque", "Code magasin", "Date", "Début", "Fin", "Opération", "Type", "Statut", "Contrat")
OURS = ("", rules.TO_SEND, rules.SENT)  # the Contrat values the tool may move on; any other is a person's word
CALL_HEADERS = ["N° mission", "Date", "Salarié", "Téléphone", "Contrat", "Situation"]


@dataclass(frozen=True)
class ContractsOptions:
    """``contracts`` (and the contracts step of ``run``)."""

    days: int | None = None  # --days (default: contracts.days)
    pdf: bool = True  # convert to PDF (LibreOffice); Yousign always needs it
    send: bool = False  # --send: signature requests (or e-mails), and their statuses read


@dataclass
class Item:
    """One contract this run makes (or remakes)."""

    data: rules.ContractData
    action: str  # générer | régénérer
    docx: Path
    why: list[str] = field(default_factory=list)
    old_request: str = ""  # the signature request of the version it replaces (canceled)


@dataclass
class _Run:
    data: WorkbookData
    ctx: JobContext
    options: ContractsOptions
    findings: list[Finding] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    calls: list[list] = field(default_factory=list)
    final: dict[str, str] = field(default_factory=dict)  # Contrat once the plan is written
    datas: dict[str, rules.ContractData] = field(default_factory=dict)
    signed: dict[str, tuple[str, Path]] = field(default_factory=dict)  # key -> (request, signed PDF to download)

    def finding(self, rule: str, severity: str, tab: str, key: str, column: str, message: str) -> None:
        self.findings.append(cell_finding(self.data, rule, severity, tab, key, column, message))


def terms(settings) -> rules.Terms:
    c, w, k = settings.contracts, settings.worktime, settings.check
    return rules.Terms(c.position, c.level, c.hourly_rate, c.minimum_hourly_rate, c.urssaf, c.pension, c.provident,
                       c.trial, k.cancellation_hours, k.cancellation_half_hours, k.intermittent_hours,
                       w.preparation_minutes, w.default_break_minutes, w.break_from_hours)


def contracts_dir(ctx: JobContext) -> Path:
    return (ctx.out_dir() / "contrats").resolve()


def contracts_step(data: WorkbookData, ctx: JobContext, options: ContractsOptions = ContractsOptions()) -> JobResult:
    """Plan the contracts of the region: which to make or remake, the sheet changes, the
    records, the signatures' statuses and the outbox rows; the documents, the conversions and
    the sending are the act phase."""
    ctx.settings.require_agency()
    result, run = JobResult(TASK), _Run(data, ctx, options)
    days = ctx.settings.contracts.days if options.days is None else int(options.days)
    records = memory(data).kind(KIND)
    _select(run, days, records)
    template = None
    if run.items:
        from generators.mandates import MandateTemplate

        template = MandateTemplate(ctx.settings.template_path("contract"), rules.TAGS, "contrat", ())
    _plan_sheet(run, records, result)
    signer = _signer(ctx) if options.send else None
    if signer is not None:
        _statuses(run, records, signer, result)
    box = outbox(data, ctx, TASK)
    sends = _plan_sends(run, records, box, result, signer) if options.send else []
    _deadlines(run, days)
    result.tables.append(Table("Contrats", ["N° mission", "Date", "Salarié", "Action", "Fichier"], run.rows))
    result.summary = [("à générer", sum(i.action == rules.GENERATE for i in run.items)),
                      ("à régénérer", sum(i.action == rules.REGENERATE for i in run.items))]
    if options.send:
        result.summary.append(("à envoyer", len(sends)))
    result.findings = run.findings
    result.needs_attention = any(f.rule in (CONTRACT_REFUSED, CONTRACT_STALLED) for f in run.findings)
    result.act = _Act(run, box, template, sends, signer).act
    return result


def _signer(ctx: JobContext):
    """Yousign's client when its key is set, else ``None`` (contracts go by e-mail)."""
    import os

    if not os.environ.get(ctx.settings.yousign.api_key_env):
        return None
    from ..yousign import YousignClient

    return YousignClient(ctx.settings.yousign)


def _select(run: _Run, days: int, records: dict) -> None:
    """Each future staffed mission's decision (:func:`rules.contracts.decide`)."""
    ctx, df = run.ctx, run.data["Missions"].df
    today = pd.Timestamp(ctx.now.date())
    horizon = today + pd.Timedelta(days=days)
    future = df[df["Date"].notna() & (df["Date"] >= today)]
    staffed = (future["Salarié"] != "") & future["Statut"].isin(rules.STAFFED)
    keys = [k for k in future.index if staffed.at[k] or records.get(k)]
    groups = rules.groups(future, [k for k in keys if staffed.at[k]], ctx.settings.contracts.group_consecutive)
    groups += [(k,) for k in keys if not staffed.at[k]]
    folder, t = contracts_dir(ctx), terms(ctx.settings)
    for group in groups:
        key = group[0]
        status = _contrat(df, key)
        run.final[key] = status
        record = records.get(key) or {}
        if not staffed.at[key]:
            continue  # cancelled or unstaffed: no new contract (a running request is left to the CDBO)
        try:
            cd = rules.contract_data(run.data, list(group), ctx.settings.agency, t)
        except rules.Unusable as err:
            if bool(future.at[key, "Date"] <= horizon) and status in ("", rules.TO_SEND):
                run.finding(CONTRACT_UNUSABLE, ERREUR, err.tab, key if err.tab == "Missions" else
                            str(df.at[key, "Salarié"]), err.column, f"contrat de la mission {key} : {err.message}.")
            continue
        run.datas[key] = cd
        action = rules.decide(status, True, bool(future.at[key, "Date"] <= horizon), record, cd.fingerprint)
        if action == rules.AMEND:
            run.finding(CONTRACT_AMEND, ALERTE, "Missions", key, "Contrat",
                        f"la mission {key} a changé depuis la signature de son contrat "
                        f"({'; '.join(_changed(record, cd)) or 'données du contrat'}) : faites signer un avenant.")
        elif action in (rules.GENERATE, rules.REGENERATE):
            run.items.append(Item(cd, action, folder / f"{file_stem(key)}.docx", _changed(record, cd) if record else [],
                                  record.get("demande", "") if not record.get("signe_le") else ""))


def _changed(record: dict, cd: rules.ContractData) -> list[str]:
    old = record.get("donnees", {})
    return [f"{rules.TAGS.get(k, k)} « {old.get(k, '')} » → « {v} »" for k, v in cd.fields.items()
            if k not in rules.NOT_FINGERPRINTED and old.get(k, v) != v][:4]


def _plan_sheet(run: _Run, records: dict, result: JobResult) -> None:
    """Contrat, Contrat fichier and Contrat envoyé le of each contract made, and its record."""
    missions, settings, store = run.data["Missions"], run.ctx.settings, memory(run.data)
    df = missions.df
    want_pdf = run.options.pdf
    for item in run.items:
        key = item.data.key
        shown = item.docx.with_suffix(".pdf") if want_pdf else item.docx
        run.final[key] = rules.TO_SEND
        lead = "Contrat" if "Contrat" in missions.columns else None
        for one in item.data.missions:  # every day of a contract shared by consecutive days says it
            _status(result.changes, missions, one, rules.TO_SEND)
            result.changes.add(TASK, missions.change(one, "Contrat fichier", settings.shown_path(shown)), follows=lead)
            if "Contrat envoyé le" in df.columns and not pd.isna(df.at[one, "Contrat envoyé le"]):
                result.changes.add(TASK, missions.change(one, "Contrat envoyé le", ""), follows=lead)
        old = records.get(key) or {}
        history = list(old.get("historique", []))[-5:]
        if old.get("empreinte"):
            history.append({k: old.get(k, "") for k in ("empreinte", "genere_le", "envoye_le", "demande")})
        store.put(KIND, key, {"empreinte": item.data.fingerprint, "donnees": item.data.fields, "fichier": str(item.docx),
                              "pdf": "", "reference": rules.reference(run.ctx.region.code, key, item.data.fingerprint),
                              "missions": list(item.data.missions), "genere_le": run.ctx.now.isoformat(sep=" "),
                              "envoye_le": "", "demande": "", "statut": "", "historique": history,
                              "annuler": item.old_request},
                  follows=(missions.name, key, "Contrat"))
        run.rows.append([key, format_date(df.at[key, "Date"]), item.data.employee,
                         "à générer" if item.action == rules.GENERATE else "à régénérer : " + "; ".join(item.why or ["données"]),
                         settings.shown_path(shown)])


def _statuses(run: _Run, records: dict, signer, result: JobResult) -> None:
    """The signature requests still running, read once each: signed, declined, expired."""
    from ..yousign import YousignError

    missions, store = run.data["Missions"], memory(run.data)
    df = missions.df
    for key, record in records.items():
        rid = record.get("demande")
        if not rid or record.get("statut") in ("done", "declined", "canceled") or key not in df.index \
                or any(i.data.key == key for i in run.items):
            continue
        try:
            status = str(signer.get(rid).get("status", ""))
        except YousignError as err:
            run.finding(CONTRACT_SEND_FAILED, ERREUR, "Missions", key, "Contrat", f"statut de la signature illisible : {err}")
            continue
        outcome = rules.signature_outcome(status)
        current = _contrat(df, key)
        if status != record.get("statut"):
            store.update(KIND, key, statut=status)
        if outcome == rules.SIGNED:
            signed = Path(record.get("fichier") or key).with_name(f"{file_stem(key)}-signé.pdf")
            run.signed[key] = (rid, signed)
            store.update(KIND, key, signe_le=run.ctx.now.isoformat(sep=" "), signe=str(signed))
            if current in OURS:
                for one in _days(record, key, df):
                    _status(result.changes, missions, one, rules.SIGNED)
                    result.changes.add(TASK, missions.change(one, "Contrat fichier", run.ctx.settings.shown_path(signed)),
                                       follows="Contrat" if "Contrat" in missions.columns else None)
            run.rows.append([key, format_date(df.at[key, "Date"]), df.at[key, "Salarié"], "signé (Yousign)",
                             run.ctx.settings.shown_path(signed)])
        elif outcome == rules.REFUSED:
            if current in OURS:
                for one in _days(record, key, df):
                    _status(result.changes, missions, one, rules.REFUSED)
            elif current != rules.REFUSED:
                continue  # a person's word (« Signé » on paper): left as it is
            _call(run, key, "contrat refusé (Yousign)", CONTRACT_REFUSED,
                  f"{df.at[key, 'Salarié']} a refusé de signer le contrat de la mission du {format_date(df.at[key, 'Date'])} : "
                  "appelez-le, ou proposez la mission à un autre.")
        elif outcome in ("expirée", "annulée") or (status == "ongoing" and _started(df, key, run.ctx.now)):
            why = f"demande de signature {outcome}" if outcome else "contrat non signé au début de la mission"
            _call(run, key, why, CONTRACT_STALLED, f"{why} ({df.at[key, 'Salarié']}, mission du "
                                                  f"{format_date(df.at[key, 'Date'])}) : appelez le salarié.")


def _days(record: dict, key: str, df: pd.DataFrame) -> list[str]:
    """The missions one contract covers (one, or consecutive days), those still in the sheet."""
    return [k for k in record.get("missions") or [key] if k in df.index]


def _contrat(df: pd.DataFrame, key: str) -> str:
    """The mission's Contrat ("" when the sheet has no such column: it is optional)."""
    return str(df.at[key, "Contrat"]).strip() if "Contrat" in df.columns else ""


def _status(changes, missions, key: str, value: str) -> None:
    """Plan Contrat = ``value``, when the sheet has the column (it is optional: without it, the
    contracts are still made and sent, their state kept in the records)."""
    if "Contrat" in missions.columns:
        changes.add(TASK, missions.change(key, "Contrat", value))


def _started(df: pd.DataFrame, key: str, now: dt.datetime) -> bool:
    start = df.at[key, "Date"] + df.at[key, "Début"] if not pd.isna(df.at[key, "Début"]) else df.at[key, "Date"]
    return pd.Timestamp(start) <= pd.Timestamp(now)


def _call(run: _Run, key: str, situation: str, rule: str, message: str) -> None:
    df, emp = run.data["Missions"].df, run.data["Salariés"].df
    who = str(df.at[key, "Salarié"])
    phone = str(emp.at[who, "Téléphone"]) if who in emp.index else ""
    from sheets_sync.parsing import display_phone

    run.calls.append([key, format_date(df.at[key, "Date"]), who, display_phone(phone) if phone.startswith("+") else phone,
                      _contrat(df, key), situation])
    run.finding(rule, ALERTE, "Missions", key, "Contrat", message)


def _plan_sends(run: _Run, records: dict, box: Outbox, result: JobResult, signer) -> list[str]:
    """One outbox row per contract « À envoyer » to send; guarded by the mission's cells."""
    missions, df = run.data["Missions"], run.data["Missions"].df
    kind = SIGNATURE if signer is not None else EMAIL
    due, sends = [k for k, st in run.final.items() if st == rules.TO_SEND and k in run.datas], []
    for key in due:
        cd = run.datas[key]
        if not cd.email:
            run.finding(CONTRACT_NO_EMAIL, ALERTE, "Salariés", cd.employee, "Email",
                        f"{cd.employee} sans e-mail : son contrat (mission {key}) ne peut pas lui être envoyé.")
            continue
        effect = f"contrat:{rules.reference(run.ctx.region.code, key, cd.fingerprint)}"
        state = box.state_of(effect)
        if state == ALREADY:  # sent by a run whose follow-up write was lost: the sheet catches up
            row = next(r for r in box.rows() if r.effect == effect and r.state == "fait")
            _status(result.changes, missions, key, rules.SENT)
            memory(run.data).update(KIND, key, envoye_le=row.done, demande=row.data.get("demande", ""))
            continue
        if state == BUSY:
            continue
        if box.plan(result.changes, effect, kind, key, cd.email, {"reference": rules.reference(
                run.ctx.region.code, key, cd.fingerprint)}, follows=guard_inputs(result.changes, TASK, missions, key, INPUTS, "données du contrat")) is None:
            continue
        sends.append(key)
        run.rows.append([key, format_date(df.at[key, "Date"]), cd.employee,
                         f"à envoyer à {cd.email} ({'Yousign' if signer else 'e-mail'})", ""])
    box.drop_stale(result.changes, kind, {f"contrat:{rules.reference(run.ctx.region.code, k, run.datas[k].fingerprint)}"
                                          for k in due})
    return sends


def _deadlines(run: _Run, days: int) -> None:
    """A contract still to send whose offer day (check.contract_offer_days before the start) is
    past: an alerte naming that day and the hand-over deadline (L1242-13)."""
    df, check = run.data["Missions"].df, run.ctx.settings.check
    today = run.ctx.now.date()
    for key, status in run.final.items():
        if status not in ("", rules.TO_SEND) or key not in run.datas:
            continue
        start = pd.Timestamp(df.at[key, "Date"]).date()
        offer = rules.offer_day(start, check.contract_offer_days)
        if offer < today <= start:
            last = rules.handover_deadline(start, check.contract_working_days)
            run.finding(CONTRACT_LATE, ALERTE, "Missions", key, "Contrat",
                        f"contrat de la mission du {format_date(start)} à proposer depuis le {format_date(offer)} "
                        f"({check.contract_offer_days} jours avant) ; à remettre signé au plus tard le "
                        f"{format_date(last)} (L1242-13).")


@dataclass
class _Act:
    """Make the documents, convert them, send them; record what was done."""

    run: _Run
    box: Outbox
    template: object
    sends: list[str]
    signer: object

    def act(self, report) -> ActResult:
        done = ActResult()
        run = self.run
        items = [i for i in run.items if not report.refused("Missions", i.data.key, "Contrat")]
        for item in run.ctx.progress(items, "Contrats", len(items)):
            self.template.render(item.data.context(run.ctx.region.code, run.ctx.now, run.ctx.settings.agency.city),
                                 item.docx)
            done.files.append(item.docx)
        self._restore(items, done)
        pdfs = self._pdf(items, done) if (run.options.pdf or self.signer is not None) else {}
        self._cancel_replaced(items, done)
        sent = self._send(report, done, pdfs)
        done.renamed = {"à générer": ("générés", sum(i.action == rules.GENERATE for i in items)),
                        "à régénérer": ("régénérés", sum(i.action == rules.REGENERATE for i in items)),
                        "à envoyer": ("envoyés", sent)}
        if run.calls:
            path = contracts_dir(run.ctx) / f"appels-contrats-{run.ctx.now:%Y%m%d}.csv"
            done.files.append(write_rows(path, CALL_HEADERS, run.calls, "liste d'appels contrats"))
        self._download(report, done)
        return done

    def _download(self, report, done: ActResult) -> None:
        """The signed PDF of each request Yousign says is done, beside the contract."""
        from ..yousign import YousignError

        run, store = self.run, memory(self.run.data)
        for key, (rid, path) in run.signed.items():
            try:
                atomic_write(path, self.signer.download(rid))
            except (YousignError, OSError) as err:
                done.findings.append(_finding(run, CONTRACT_SEND_FAILED, ERREUR, key,
                                              f"contrat signé non téléchargé : {err} Il le sera au prochain passage."))
                store.update(KIND, key, statut="ongoing", signe_le="", signe="")
                continue
            done.files.append(path)

    def _restore(self, items: list[Item], done: ActResult) -> None:
        """A contract to send whose document is not on this machine (a run that died before
        making it, another machine, a cleaned folder) is made again from its record."""
        run, store = self.run, memory(self.run.data)
        made = {i.data.key for i in items}
        for key in self.sends:
            record = store.get(KIND, key) or {}
            path = Path(record.get("fichier") or contracts_dir(run.ctx) / f"{file_stem(key)}.docx")
            if key in made or path.exists() or not record.get("donnees"):
                continue
            if self.template is None:
                from generators.mandates import MandateTemplate

                self.template = MandateTemplate(run.ctx.settings.template_path("contract"), rules.TAGS, "contrat", ())
            cd = run.datas[key]
            self.template.render(rules.ContractData(key, cd.missions, dict(record["donnees"]), record["empreinte"],
                                                    cd.employee, cd.email, cd.phone, cd.first_name, cd.last_name,
                                                    cd.hours).context(run.ctx.region.code, run.ctx.now,
                                                                      run.ctx.settings.agency.city), path)
            store.update(KIND, key, fichier=str(path), pdf="")
            done.files.append(path)

    def _pdf(self, items: list[Item], done: ActResult) -> dict[str, Path]:
        """PDF of each new contract, and of the contracts to send that lack one."""
        from generators.pdf import convert_to_pdf, find_soffice
        from sheets_sync.errors import BackofficeError

        run, store = self.run, memory(self.run.data)
        todo = {i.data.key: i.docx for i in items}
        for key in self.sends:
            record = store.get(KIND, key) or {}
            if key not in todo and not Path(record.get("pdf") or "/nonexistent").exists() and record.get("fichier"):
                todo[key] = Path(record["fichier"])
        todo = {k: p for k, p in todo.items() if p.exists()}
        if not todo:
            return {}
        settings = run.ctx.settings
        try:
            soffice = find_soffice(settings.mandates.libreoffice)
            converted = convert_to_pdf(list(todo.values()), contracts_dir(run.ctx), soffice,
                                       settings.mandates.pdf_timeout_s, progress=run.ctx.progress)
        except BackofficeError as err:
            converted, why = {}, str(err)
        else:
            why = "conversion PDF échouée"
        out = {}
        for key, docx in todo.items():
            pdf = converted.get(docx.resolve())
            if pdf is None:
                done.findings.append(_finding(run, CONTRACT_SEND_FAILED, ERREUR, key,
                                              f"contrat {key} sans PDF ({why}) : le .docx est prêt ; la signature "
                                              "électronique attend le PDF."))
                done.changes.add(TASK, run.data["Missions"].change(key, "Contrat fichier",
                                                                   settings.shown_path(docx)))
                continue
            store.update(KIND, key, pdf=str(pdf))
            done.files.append(pdf)
            out[key] = pdf
        return out

    def _cancel_replaced(self, items: list[Item], done: ActResult) -> None:
        """The signature request of a contract made again is canceled (the employee signs the new one)."""
        from ..yousign import YousignError

        for item in items:
            if item.old_request and self.signer is not None:
                try:
                    self.signer.cancel(item.old_request, f"Contrat refait : {'; '.join(item.why)[:200]}")
                except YousignError:
                    pass  # already signed, declined or canceled: nothing to stop

    def _send(self, report, done: ActResult, pdfs: dict[str, Path]) -> int:
        run, store, missions = self.run, memory(self.run.data), self.run.data["Missions"]
        ctx = run.ctx
        mine = []
        for key in self.sends:
            cd = run.datas[key]
            row = self.box.mine(report, f"contrat:{rules.reference(ctx.region.code, key, cd.fingerprint)}")
            if row is not None and not report.refused("Missions", key, "Contrat"):
                mine.append((key, cd, row))
        sent = 0
        mailer = None
        for key, cd, row in ctx.progress(mine, "Envois de contrats", len(mine)):
            record = store.get(KIND, key) or {}
            pdf = pdfs.get(key) or (Path(record["pdf"]) if record.get("pdf") and Path(record["pdf"]).exists() else None)
            try:
                if self.signer is not None:
                    request_id = self._sign(key, cd, pdf, row)
                else:
                    mailer = mailer or _mailer(ctx)
                    attachment = pdf or Path(record.get("fichier", ""))
                    _mail(ctx, mailer, cd, attachment, row.effect)
                    request_id = ""
            except Exception as err:  # noqa: BLE001 - one contract's failure: the others go on
                from sheets_sync.errors import BackofficeError

                if not isinstance(err, (BackofficeError, OSError)):
                    raise
                self.box.failed(done.changes, row, str(err))
                done.findings.append(_finding(run, CONTRACT_SEND_FAILED, ERREUR, key,
                                              f"contrat de la mission {key} non envoyé : {err} Contrat reste « À envoyer ».")
                                     )
                continue
            fault_point("apres-envoi-contrat")
            stamp = ctx.now.isoformat(sep=" ")
            self.box.done(done.changes, row, request_id or cd.email)
            row.data["demande"] = request_id
            store.update(KIND, key, envoye_le=stamp, demande=request_id, statut="ongoing" if request_id else "")
            for one in cd.missions:
                _status(done.changes, missions, one, rules.SENT)
                if "Contrat envoyé le" in missions.df.columns:
                    done.changes.add(TASK, missions.change(one, "Contrat envoyé le", format_date(ctx.now.date())))
            sent += 1
        if mailer is not None:
            mailer.close()
        return sent

    def _sign(self, key: str, cd: rules.ContractData, pdf: Path | None, row) -> str:
        from ..yousign import YousignError

        if pdf is None:
            raise YousignError("pas de PDF du contrat (LibreOffice) : la signature électronique l'attend.")
        reference = row.data.get("reference") or rules.reference(self.run.ctx.region.code, key, cd.fingerprint)
        request = self.signer.request_signature(
            reference, f"Contrat {reference} — {cd.fields['marque_nom']}, {cd.fields['mission_jours'][:60]}", pdf,
            {"first_name": cd.first_name, "last_name": cd.last_name, "email": cd.email,
             "phone": cd.phone if cd.phone.startswith("+") else ""})
        return str(request.get("id", ""))


def _finding(run: _Run, rule: str, severity: str, key: str, message: str) -> Finding:
    return cell_finding(run.data, rule, severity, "Missions", key, "Contrat", message)


def _mailer(ctx: JobContext):
    from generators.mail import MandateMailer

    return MandateMailer(ctx.settings.smtp)


def _mail(ctx: JobContext, mailer, cd: rules.ContractData, attachment: Path, effect: str) -> None:
    """The contract by e-mail, to sign and return (no Yousign)."""
    import hashlib

    from generators.mail import _message

    sender = ctx.settings.smtp.sender or ctx.settings.agency.email
    reference = rules.reference(ctx.region.code, cd.key, cd.fingerprint)
    body = (f"Bonjour {cd.first_name},\n\nVeuillez trouver ci-joint votre contrat d'intervention ({reference}) pour "
            f"la mission {cd.fields['marque_nom']} : {cd.fields['mission_jours']}.\n\nMerci de le lire, de le signer "
            f"(« Lu et approuvé ») et de nous le renvoyer avant le début de la mission.\n\n"
            f"{ctx.settings.agency.name}\n{ctx.settings.agency.phone}")
    message_id = f"<cidd.{hashlib.sha256(effect.encode()).hexdigest()[:24]}@backoffice>"
    mailer.send(_message(f"Votre contrat {reference} à signer", body, sender, cd.email,
                         ctx.region.officer_email or ctx.settings.agency.email, attachment, message_id))


__all__ = ["ContractsOptions", "contracts_step", "contracts_dir"]
