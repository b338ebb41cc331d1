"""Since when each mission has its Statut (and its Salarié): what the sheet cannot say.

People set ``Proposée`` and ``Annulée`` by hand, and the sheet keeps no date of it. The check
remembers, in ``<out>/<region>/statuts.json``, the first run that saw a mission in its current
status for its current employee: the acceptance deadline (3 days) and the cancellation pay
(less than 72 h before the start) are counted from there. A mission already in its status
when the memory was created has an unknown date (``depuis`` empty), so that the first run
never takes old facts for new ones.
"""
from __future__ import annotations

from generators.memory import RecordStore
from rules.status_seen import TRACKED_STATUSES, next_records
from sheets_sync.errors import InputError
from sheets_sync.workbook import WorkbookData

from .base import JobContext

FILE = "statuts.json"


def status_memory(ctx: JobContext) -> RecordStore:
    """The region's memory of statuses (an unreadable file is an :class:`InputError`)."""
    return RecordStore(ctx.out_dir() / FILE, "missions", lambda path, _reason: InputError(
        f"{path} : mémoire des statuts illisible. Supprimez-la (les délais d'acceptation et d'annulation "
        "repartiront de la prochaine vérification) ou restaurez-la depuis une sauvegarde."))


def load_status_seen(data: WorkbookData, ctx: JobContext) -> dict[str, dict]:
    """N° mission -> {statut, salarie, depuis}, as the memory will be once this run is seen:
    a status seen for the first time now counts from now."""
    try:
        store = status_memory(ctx)
    except InputError:
        return {}  # reported by the check's act, which cannot save it either
    return next_records(data["Missions"].df, store.records, ctx.now, not store.path.exists())


def remember_statuses(data: WorkbookData, ctx: JobContext) -> bool:
    """Record the statuses seen now (the check's act); whether the file changed."""
    store = status_memory(ctx)
    fresh = not store.path.exists()
    records = next_records(data["Missions"].df, store.records, ctx.now, fresh)
    if records == store.records and not fresh:
        return False
    store.records = records
    store.save()
    return True


__all__ = ["FILE", "TRACKED_STATUSES", "load_status_seen", "remember_statuses", "status_memory"]
