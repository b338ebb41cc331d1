"""Since when each mission has its Statut (and its Salarié): what the sheet cannot say.

People set ``Proposée`` and ``Annulée`` by hand, and the sheet keeps no date of it. The check
remembers, in the workbook's memory (``État``, ``statut:<N° mission>``), the first run that saw a
mission in its current status for its current employee: the acceptance deadline (3 days) and
the cancellation pay (less than 72 h before the start) are counted from there. A mission already
in its status when the memory was started has an unknown date (``depuis`` empty), so that the
first run never takes old facts for new ones.
"""
from __future__ import annotations

from rules.offers import KIND as OFFERS, offered_since
from rules.status_seen import next_records
from sheets_sync.workbook import WorkbookData

from .base import JobContext
from .memory import FOLDED, STATUS, fold_legacy
from .outbox import memory


def planned_statuses(data: WorkbookData, ctx: JobContext) -> tuple[dict[str, dict], bool]:
    """N° mission -> {statut, salarie, depuis}, as the memory will be once this run is seen (a
    status seen for the first time now counts from now), and whether that changes it."""
    store = memory(data)
    fold_legacy(store, ctx, STATUS)
    old = {k: r for k, r in store.kind(STATUS).items() if r}
    fresh = not old and store.get(FOLDED, STATUS) is None
    records = next_records(data["Missions"].df, old, ctx.now, fresh)
    offers = store.kind(OFFERS)
    for key, record in records.items():  # proposed by SMS or e-mail: the delay runs from the offer
        since = offered_since(offers.get(key, {}), record.get("salarie", "")) if record.get("statut") == "Proposée" else ""
        if since and (not record.get("depuis") or since < record["depuis"]):
            records[key] = {**record, "depuis": since}
    return records, fresh or records != old


def load_status_seen(data: WorkbookData, ctx: JobContext) -> dict[str, dict]:
    """The memory as this run sees it (:func:`planned_statuses`)."""
    return planned_statuses(data, ctx)[0]


def remember_statuses(data: WorkbookData, ctx: JobContext, records: dict[str, dict]) -> None:
    """Put the memory of :func:`planned_statuses` in the run's memory, written with the step's
    write (a mission that left the tracked statuses is forgotten: its record emptied)."""
    store = memory(data)
    old = store.kind(STATUS)
    if not old and store.get(FOLDED, STATUS) is None:
        store.put(FOLDED, STATUS, {"le": ctx.now.isoformat(sep=" "), "lignes": 0})
    for key, record in records.items():
        if old.get(key) != record:
            store.put(STATUS, key, record)
    for key, record in old.items():
        if record and key not in records:
            store.put(STATUS, key, {})


__all__ = ["load_status_seen", "planned_statuses", "remember_statuses"]
