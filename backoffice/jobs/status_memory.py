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
from rules.status_seen import next_records
from sheets_sync.errors import InputError
from sheets_sync.workbook import WorkbookData

from .base import JobContext

FILE = "statuts.json"


def status_memory(ctx: JobContext) -> RecordStore:
    """The region's memory of statuses (an unreadable file is an :class:`InputError`)."""
    return RecordStore(ctx.out_dir() / FILE, "missions", lambda path, _reason: InputError(
        f"{path} : mémoire des statuts illisible. Supprimez-la (les délais d'acceptation et d'annulation "
        "repartiront de la prochaine vérification) ou restaurez-la depuis une sauvegarde."))


def planned_statuses(data: WorkbookData, ctx: JobContext) -> tuple[dict[str, dict], bool]:
    """N° mission -> {statut, salarie, depuis}, as the memory will be once this run is seen (a
    status seen for the first time now counts from now), and whether that changes the file. An
    unreadable file is an :class:`InputError`."""
    store = status_memory(ctx)
    fresh = not store.path.exists()
    records = next_records(data["Missions"].df, store.records, ctx.now, fresh)
    return records, fresh or records != store.records


def load_status_seen(data: WorkbookData, ctx: JobContext) -> dict[str, dict]:
    """The memory as this run sees it (:func:`planned_statuses`); ``{}`` when it is unreadable
    (the check reports it)."""
    try:
        return planned_statuses(data, ctx)[0]
    except InputError:
        return {}


def save_statuses(ctx: JobContext, records: dict[str, dict]) -> None:
    """Write the memory planned by :func:`planned_statuses` (the check's act)."""
    store = status_memory(ctx)
    store.records = records
    store.save()


__all__ = ["FILE", "load_status_seen", "planned_statuses", "save_statuses", "status_memory"]
