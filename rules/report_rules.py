"""Activity report rule: a worked mission whose report (CR) has not come in."""
from __future__ import annotations

import pandas as pd

from sheets_sync.findings import ALERTE

from .rule_support import day, employee_label, live_missions
from .registry import RuleContext, rule

WORKED_PRESENCE = ("Confirmée", "En retard")


@rule("rapport.cr_manquant", "Missions", ALERTE)
def report_missing(ctx: RuleContext):
    """Une mission « Réalisée », ou passée avec une Présence « Confirmée » ou « En retard »,
    n'a toujours pas de date dans CR reçu 3 jours après sa date (réglage check.report_days).
    Relancez le salarié pour son compte rendu d'activité."""
    days = ctx.settings.check.report_days
    m = live_missions(ctx)
    worked = (m["Statut"] == "Réalisée") | ((m["Date"] < ctx.today) & m["Présence"].isin(WORKED_PRESENCE))
    bad = m[worked & m["CR reçu"].isna() & (m["Date"] + pd.Timedelta(days=days) <= ctx.today)]
    return ctx.findings_on(bad.index, "CR reçu", (
        f"aucun compte rendu reçu pour la mission du {day(d)}"
        f"{' de ' + employee_label(ctx, s) if s else ''} ({(ctx.today - d).days} jours après). "
        "Relancez le salarié puis notez la date de réception dans CR reçu."
        for d, s in zip(bad["Date"], bad["Salarié"])))
