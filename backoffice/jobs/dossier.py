"""An employee's administrative file at a glance (read-only): ``backoffice dossier MATRICULE``.

Identity and phone; missions of the month with their contract status; contracts not
signed; expense notes by status with their findings; activity reports missing; trainings
with their expiry; the medical check and its expiry; the sector's rules (hours of 12 months
against the CDI intermittent, the DPAE, what expires within 30 days); the coming missions with
since when they are proposed or cancelled, their mandate's follow-up and their kit. What needs action is every check
finding on the employee's rows (configured as for ``check``) plus an expired medical check.
"""
from __future__ import annotations

import pandas as pd

from rules.rule_support import in_days
from rules.training import medical_expiry
from sheets_sync.a1 import split_a1
from sheets_sync.errors import InputError
from sheets_sync.findings import ERREUR, Finding
from sheets_sync.parsing import display_phone, format_date, format_time
from sheets_sync.workbook import WorkbookData
from rules.job_findings import DOSSIER_MEDICAL

from .base import JobContext, JobResult, Table
from .findings import collect_findings

TASK = "dossier"


def _date(value) -> str:
    return format_date(value) if pd.notna(value) else ""


def _euros(value: float) -> str:
    return f"{value:,.2f} €".replace(",", " ").replace(".", ",")


def employee_findings(data: WorkbookData, findings: list[Finding], matricule: str,
                      missions: pd.Index, notes: pd.Index) -> list[Finding]:
    """Findings on the employee's row, missions, expense notes and training rows."""
    trainings = data["Formations"]
    training_rows = set(trainings.df.loc[trainings.df["Matricule"] == matricule, "_row"].astype(int))
    out = []
    for f in findings:
        if ((f.tab == data["Salariés"].title and f.key == matricule)
                or (f.tab == data["Missions"].title and f.key in missions)
                or (f.tab == data["Notes de frais"].title and f.key in notes)
                or (f.tab == trainings.title and f.cell and split_a1(f.cell)[1] in training_rows)):
            out.append(f)
    return out


def _sector_rows(data: WorkbookData, ctx: JobContext, matricule: str, mine: pd.DataFrame,
                 today: pd.Timestamp) -> list[list[str]]:
    """Hours of the last 12 months against the CDI intermittent threshold, the DPAE, the next
    expiry of the medical check and of each training."""
    from rules.contract_rules import hours_of_last_year
    from rules.worktime import intervals

    check = ctx.settings.check
    hours = float(hours_of_last_year(intervals(mine, ctx.settings.worktime, data["Magasins"].df,
                                               ctx.settings.suggest.road_factor), today).sum())
    limit = check.intermittent_hours
    state = "CDI intermittent à proposer" if hours > limit + 1e-9 else f"CDI intermittent à proposer au-delà de {limit:.0f} h"
    rows = [["Heures sur 12 mois", f"{hours:.0f} h : {state}"]]
    employees = data["Salariés"]
    if "DPAE" in employees.columns:
        dpae = employees.df.at[matricule, "DPAE"]
        rows.append(["DPAE", _date(dpae) or "non renseignée"])
    visit = employees.df.at[matricule, "Visite médicale"]
    if pd.notna(visit):
        expiry = medical_expiry(pd.Series([visit]), check.medical_months).iloc[0]
        if today <= expiry <= today + pd.Timedelta(days=check.expiry_warning_days):
            rows.append(["Visite médicale", f"expire le {_date(expiry)}, {in_days((expiry - today).days)}"])
    trainings = data["Formations"].df
    for _, r in trainings[(trainings["Matricule"] == matricule) & trainings["Valide jusqu'au"].notna()].iterrows():
        ends = r["Valide jusqu'au"]
        if today <= ends <= today + pd.Timedelta(days=check.expiry_warning_days):
            rows.append([f"Formation {r['Marque']}", f"expire le {_date(ends)}, {in_days((ends - today).days)}"])
    return rows


def _followup_table(data: WorkbookData, ctx: JobContext, mine: pd.DataFrame, today: pd.Timestamp) -> Table:
    """The coming missions: since when proposed or cancelled, the mandate and its follow-up, the kit."""
    from .status_memory import load_status_seen

    seen = load_status_seen(data, ctx)
    rows = []
    for key, r in mine[mine["Date"] >= today].iterrows():
        since = seen.get(str(key), {})
        when = ""
        if since.get("statut") == r["Statut"] and since.get("depuis"):
            when = f"{r['Statut'].lower()} le {_date(pd.Timestamp(since['depuis']))}"
        kit = r["Kit statut"] + (f", annulé le {_date(r['Kit annulé le'])}" if pd.notna(r["Kit annulé le"]) else "")
        rows.append([key, _date(r["Date"]), r["Statut"], when, r["Mandat"], r["Mandat suivi"], kit if r["Kit"] else ""])
    return Table("Missions à venir : suivi", ["N° mission", "Date", "Statut", "Depuis", "Mandat", "Mandat suivi",
                                               "Kit"], rows)


def dossier_step(data: WorkbookData, ctx: JobContext, matricule: str = "") -> JobResult:
    """Gather the employee's file; writes nothing."""
    matricule = str(matricule).strip()
    employees = data["Salariés"]
    result = JobResult(TASK)
    findings = collect_findings(data, ctx)
    if matricule not in employees.df.index:
        if matricule in employees.all_keys:  # the row is there but unreadable
            result.findings = [f for f in findings if f.tab == employees.title and f.key == matricule]
            result.summary = [("Salarié", matricule), ("Fiche illisible : corrigez-la d'abord", "")]
            result.needs_attention = True
            return result
        raise InputError(f"Matricule « {matricule} » introuvable dans l'onglet {employees.title}.")
    who = employees.df.loc[matricule]
    today = pd.Timestamp(ctx.now.date())
    missions = data["Missions"].df
    mine = missions[missions["Salarié"] == matricule].sort_values(["Date", "Début"])
    notes = data["Notes de frais"].df
    my_notes = notes[notes["Matricule"] == matricule].sort_values("Date")
    about = employee_findings(data, findings, matricule, mine.index, my_notes.index)
    expiry = medical_expiry(pd.Series([who["Visite médicale"]]), ctx.settings.check.medical_months).iloc[0]
    result.tables.append(_identity(matricule, who, expiry, today))
    month, unsigned = _missions_tables(data, result, mine, today)
    _expenses_tables(data, result, my_notes, about)
    reports = [f for f in about if f.rule == "rapport.cr_manquant"]
    result.tables.append(Table(
        "Comptes rendus manquants", ["N° mission", "Date", "Cellule"],
        [[f.key, _date(missions.at[f.key, "Date"]), f.cell] for f in reports]))
    result.tables.append(_trainings(data, matricule, today))
    # the sector's rules, and what the tool follows for the coming missions
    result.tables.append(Table("Règles de la branche", ["Règle", "Situation"],
                               _sector_rows(data, ctx, matricule, mine, today)))
    result.tables.append(_followup_table(data, ctx, mine, today))
    todo = list(about)  # what needs action
    if pd.isna(who["Visite médicale"]) or expiry < today:
        todo.append(Finding(DOSSIER_MEDICAL, ERREUR, employees.title,
                            employees.cell_of(matricule, "Visite médicale"), matricule,
                            f"{employees.cell_of(matricule, 'Visite médicale')} : visite médicale "
                            f"{'absente' if pd.isna(who['Visite médicale']) else 'expirée'}. "
                            "Programmez une visite médicale et notez sa date.", "Visite médicale"))
    result.findings = todo
    result.summary = [("Salarié", f"{matricule} {who['Prénom']} {who['Nom']}"),
                      ("missions du mois", len(month)), ("contrats non signés", len(unsigned)),
                      ("points à traiter", len(todo))]
    result.needs_attention = bool(todo)
    return result


def _identity(matricule: str, who, expiry, today) -> Table:
    if pd.isna(who["Visite médicale"]):
        medical = "aucune visite enregistrée"
    else:
        state = "expirée depuis le" if expiry < today else "valable jusqu'au"
        medical = f"{_date(who['Visite médicale'])} — {state} {_date(expiry)}"
    address = " ".join(p for p in (who["Adresse"], who["Code postal"], who["Ville"]) if p)
    return Table("Identité", ["Rubrique", "Valeur"], [
        ["Matricule", matricule], ["Nom", f"{who['Prénom']} {who['Nom']}"],
        ["Téléphone", display_phone(who["Téléphone"])], ["E-mail", who["Email"]],
        ["Adresse", address], ["Statut", who["Statut"]],
        ["Compétences", ", ".join(who["Compétences"] or ())],
        ["Visite médicale", medical],
    ])


def _missions_tables(data: WorkbookData, result: JobResult, mine: pd.DataFrame, today):
    """The missions of the month and the contracts not signed; both frames."""
    month = mine[(mine["Date"].dt.year == today.year) & (mine["Date"].dt.month == today.month)]
    result.tables.append(Table(
        f"Missions du mois ({today:%m/%Y})",
        ["N° mission", "Date", "Horaires", "Marque", "Magasin", "Statut", "Contrat", "Présence", "CR reçu"],
        [[k, _date(r["Date"]), f"{format_time(r['Début'])}–{format_time(r['Fin'])}", r["Marque"],
          r["Code magasin"], r["Statut"], r["Contrat"] or "(vide)", r["Présence"], _date(r["CR reçu"])]
         for k, r in month.iterrows()]))
    unsigned = mine[(mine["Statut"] != "Annulée") & (mine["Contrat"] != "Signé")]
    result.tables.append(Table(
        "Contrats non signés", ["N° mission", "Date", "Contrat", "Cellule"],
        [[k, _date(r["Date"]), r["Contrat"] or "(vide)", data["Missions"].cell_of(k, "Contrat")]
         for k, r in unsigned.iterrows()]))
    return month, unsigned


def _expenses_tables(data: WorkbookData, result: JobResult, my_notes: pd.DataFrame, about) -> None:
    """The expense notes by status, then each note with its findings."""
    by_note: dict[str, list[str]] = {}
    for f in about:
        if f.tab == data["Notes de frais"].title:
            by_note.setdefault(f.key, []).append(f"{f.severity} : {f.message}")
    status = my_notes["Statut"].replace("", "(vide)")
    result.tables.append(Table(
        "Notes de frais par statut", ["Statut", "Nombre", "Total"],
        [[s, int(len(g)), _euros(g["Montant"].sum())] for s, g in my_notes.groupby(status, sort=True)]))
    result.tables.append(Table(
        "Notes de frais", ["N° note", "Date", "Catégorie", "Montant", "Statut", "Mission", "Points à voir"],
        [[k, _date(r["Date"]), r["Catégorie"], _euros(r["Montant"]), r["Statut"], r["N° mission"],
          " | ".join(by_note.get(k, [])) or "—"] for k, r in my_notes.iterrows()]))


def _trainings(data: WorkbookData, matricule: str, today) -> Table:
    trainings = data["Formations"].df
    book = trainings[trainings["Matricule"] == matricule].sort_values(["Marque", "Date"])
    return Table(
        "Formations", ["Marque", "Module", "Date", "Valide jusqu'au", "État"],
        [[r["Marque"], r["Module"], _date(r["Date"]), _date(r["Valide jusqu'au"]) or "sans fin",
          "expirée" if pd.notna(r["Valide jusqu'au"]) and r["Valide jusqu'au"] < today else "valide"]
         for _, r in book.iterrows()])
