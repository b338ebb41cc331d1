"""Check rule on presence: a mission of today still « Manquante »."""
from __future__ import annotations

import pandas as pd

from sheets_sync.findings import ERREUR
from sheets_sync.parsing import display_phone, format_time, norm

from .registry import RuleContext, rule


@rule("presence.manquante", "Missions", ERREUR)
def missing_today(ctx: RuleContext):
    """Une mission du jour a la présence « Manquante » : le salarié n'a pas appelé le
    serveur vocal à sa prise de poste. Appelez le salarié, puis notez le résultat dans « Présence »
    (par exemple « Confirmée tél. » ou « Excusée »)."""
    missions = ctx.data["Missions"].df
    todays = missions[(missions["Date"] == ctx.today) & (missions["Présence"].map(norm) == "manquante")]
    employees = ctx.data["Salariés"].df
    findings = []
    for key, m in todays.iterrows():
        matricule = who = m["Salarié"].strip()
        phone = ""
        if matricule in employees.index:
            who = f"{matricule} {employees.at[matricule, 'Prénom']} {employees.at[matricule, 'Nom']}"
            shown = display_phone(employees.at[matricule, "Téléphone"])
            phone = f" au {shown}" if shown else ""
        start = format_time(m["Début"]) if pd.notna(m["Début"]) else "?"
        findings.append(ctx.finding(
            key, "Présence",
            f"mission {key} du jour (début {start}) : {who} n'a pas confirmé sa présence. "
            f"Appelez le salarié{phone} puis notez le résultat dans « Présence ».",
        ))
    return findings
