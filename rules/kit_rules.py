"""Check rules on equipment kits (issue 7).

The order memory (order number -> what the order was made for) comes from the kit order
job's sidecar, given by the check job as ``RuleContext.kit_orders``
(the ``État`` records ``kit:<N° commande>``, ``backoffice.jobs.kits.load_kit_orders``); without it the correction rule finds nothing.
"""
from __future__ import annotations

import pandas as pd

from sheets_sync.findings import ALERTE, ERREUR
from sheets_sync.parsing import format_date

from .kits import changed_since_order
from .registry import RuleContext, rule

OUT_STATUSES = ("Commandé", "Expédié", "Livré")  # the kit left the partner and must come back


def _has_kit(df: pd.DataFrame) -> pd.Series:
    return df["Kit"].astype(str).str.strip() != ""


def _kit_state(row) -> str:
    status = str(row["Kit statut"]).strip()
    tracking = str(row["N° suivi"]).strip()
    return (f"statut « {status} »" if status else "aucun Kit statut") + (f", suivi {tracking}" if tracking else "")


@rule("kit.commande_a_corriger", "Missions", ALERTE)
def kit_order_to_correct(ctx: RuleContext):
    """Commande kit à corriger : le salarié, la date ou le kit de la mission ont changé depuis
    la commande au logisticien (le kit irait à la mauvaise personne, ou à la mauvaise date)."""
    memory = ctx.kit_orders
    if not memory:
        return []
    missions = ctx.data["Missions"]
    df = missions.df
    df = df[(df["N° commande kit"].astype(str).str.strip() != "")
            & ~df["Statut"].isin(("Annulée", "Réalisée"))
            & (df["Kit statut"] != "Retourné")]
    out = []
    for key, row in df.iterrows():
        number = str(row["N° commande kit"]).strip()
        order = memory.get(number)
        if order is None or str(order.get("mission")) != str(key):
            continue
        changed = changed_since_order(order, row["Salarié"], row["Date"], row["Kit"])
        if not changed:
            continue
        was = format_date(pd.Timestamp(order["date"])) if order.get("date") else "?"
        then = f"pour {order.get('employee') or 'personne'}, mission du {was}"
        if "Kit" in changed:
            then += f", kit « {order.get('kit', '')} »"
        now = f"{row['Salarié'] or 'personne'}, {format_date(row['Date'])}"
        if "Kit" in changed:
            now += f", kit « {row['Kit']} »"
        out.append(ctx.finding(
            key, changed[0],
            f"commande kit à corriger : la commande {number} a été passée {then} ; la mission est "
            f"maintenant : {now}. Corrigez la commande auprès du logisticien (destinataire, "
            "adresse, date de livraison)."))
    return out


_WHEN = {0: "aujourd'hui", 1: "demain"}


@rule("kit.non_livre", "Missions", ERREUR)
def kit_not_delivered(ctx: RuleContext):
    """Kit non livré : une mission avec un kit commence aujourd'hui ou demain et son kit
    n'est pas « Livré »."""
    missions = ctx.data["Missions"]
    df = missions.df
    today = ctx.today
    soon = df[_has_kit(df)
              & ~df["Statut"].isin(("Annulée", "Réalisée"))
              & (df["Date"] >= today) & (df["Date"] <= today + pd.Timedelta(days=1))
              & (df["Kit statut"] != "Livré")]
    return ctx.findings_on(soon.index, "Kit statut", (
        f"la mission {key} commence {_WHEN[(row['Date'] - today).days]} "
        f"({format_date(row['Date'])}) et son kit « {row['Kit']} » n'est pas livré ({_kit_state(row)}). "
        "Relancez le logisticien ou organisez une remise en main propre, puis passez le statut à « Livré »."
        for key, row in soon.iterrows()))


@rule("kit.non_retourne", "Missions", ALERTE)
def kit_not_returned(ctx: RuleContext):
    """Kit non retourné : la mission est « Réalisée » depuis au moins ``kits.return_days``
    jours (7) et son kit, parti chez le salarié, n'est pas « Retourné »."""
    missions = ctx.data["Missions"]
    df = missions.df
    days = ctx.settings.kits.return_days
    late = df[_has_kit(df)
              & (df["Statut"] == "Réalisée")
              & df["Kit statut"].isin(OUT_STATUSES)
              & (df["Date"] + pd.Timedelta(days=days) <= ctx.today)]
    return ctx.findings_on(late.index, "Kit statut", (
        f"le kit « {row['Kit']} » de la mission du {format_date(row['Date'])} n'est pas retourné {days} jours "
        f"après ({_kit_state(row)}). Relancez {row['Salarié'] or 'le salarié'} pour le renvoi au logisticien."
        for _key, row in late.iterrows()))
