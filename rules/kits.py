"""Equipment kits: which missions need an order, order numbers, delivery dates, status order.

Pure functions over the typed tables; no I/O. The order job (``backoffice.jobs.kits``) and
the kit check rules (``rules.kit_rules``) build on them.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from sheets_sync.schema import KIT_STATUSES

# Kit statut only moves forward: À commander < Commandé < Expédié < Livré < Retourné.
STATUS_RANK = {status: rank for rank, status in enumerate(KIT_STATUSES)}
TRACKING_STATUSES = ("Expédié", "Livré", "Retourné")  # what the partner's tracking file may say
ORDERABLE = ("", "À commander")  # Kit statut of a mission still to order
ORDER_MISSION_STATUSES = ("Proposée", "Confirmée")
ORDER_PREFIX = "K"


def status_rank(status: str) -> int:
    """Position of a Kit statut in the forward order; -1 for empty or unknown."""
    return STATUS_RANK.get(status, -1)


def token(text: str) -> str:
    """Upper-case ASCII letters, digits and dashes only (safe in a file and on a label)."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).upper().strip()
    return re.sub(r"[^A-Z0-9]+", "-", text).strip("-")


def order_number(region: str, mission: str) -> str:
    """The stable order number of a mission's kit: ``K-IDF-M0042``.

    Derived only from the region code and the N° mission, so a re-run computes the same
    number and the partner can recognise a duplicate.
    """
    return f"{ORDER_PREFIX}-{token(region)}-{token(mission)}"


def is_region_order(number: str, region: str) -> bool:
    """Whether an order number was made for ``region`` (``K-IDF-M0042`` for ``IDF``)."""
    return str(number).strip().upper().startswith(f"{ORDER_PREFIX}-{token(region)}-")


def missions_to_order(missions: pd.DataFrame, today: pd.Timestamp, days: int) -> pd.DataFrame:
    """Missions whose kit must be ordered now, by date then N° mission.

    A ``Kit``, a ``Salarié``, ``Statut`` Proposée or Confirmée, a ``Date`` from tomorrow to
    ``today + days`` (a kit cannot reach a mission of today), ``Kit statut`` empty or
    « À commander », and no ``N° commande kit`` yet (a mission is never ordered twice).
    """
    df = missions
    mask = (
        (df["Kit"].astype(str).str.strip() != "")
        & (df["Salarié"].astype(str).str.strip() != "")
        & df["Statut"].isin(ORDER_MISSION_STATUSES)
        & (df["Date"] > today)
        & (df["Date"] <= today + pd.Timedelta(days=days))
        & df["Kit statut"].astype(str).str.strip().isin(ORDERABLE)
        & (df["N° commande kit"].astype(str).str.strip() == "")
    )
    out = df[mask]
    return out.assign(_key=out.index).sort_values(["Date", "_key"]).drop(columns="_key")


@dataclass(frozen=True)
class KitOrder:
    """One line of the order file, plus what the order was made for (the sidecar's memory)."""

    number: str
    mission: str
    kit: str
    recipient: str  # Prénom Nom
    address: str
    postal_code: str
    city: str
    phone: str  # display form, 06 12 34 56 78
    deliver_by: dt.date
    employee: str  # Matricule the kit was ordered for
    date: dt.date  # mission date the kit was ordered for
    urgent: bool = False  # its « Livrer avant » is today or already past when it is ordered

    def memory(self, ordered_at: dt.datetime) -> dict:
        """What the sidecar keeps of this order (JSON-ready)."""
        return {
            "mission": self.mission, "employee": self.employee, "date": self.date.isoformat(),
            "kit": self.kit, "ordered_at": ordered_at.strftime("%Y-%m-%d %H:%M"),
        }


def changed_since_order(memory: dict, employee: str, date, kit: str) -> list[str]:
    """The columns (``Salarié``, ``Date``, ``Kit``) that differ from what the order was made for."""
    changed = []
    if str(memory.get("employee", "")).strip() != str(employee).strip():
        changed.append("Salarié")
    remembered = memory.get("date") or ""
    current = "" if pd.isna(date) else pd.Timestamp(date).date().isoformat()
    if remembered != current:
        changed.append("Date")
    if "kit" in memory and str(memory["kit"]).strip() != str(kit).strip():
        changed.append("Kit")
    return changed
