"""What the jobs remember, read from the workbook's ``État`` tab (:mod:`sheets_sync.state`).

Three kinds of records: ``mandat`` (per N° mission: what the mandate was generated from, when
it was sent and to whom, its follow-up), ``kit`` (per order number: what it was for, its
cancellation), ``statut`` (per N° mission: since when its Statut). The sidecar files of earlier
versions (``mandats/empreintes.json``, ``kits/commandes.json``, ``statuts.json``) are folded into
the workbook once, in the first write of the job that needs them, and never read again.
"""
from __future__ import annotations

from pathlib import Path

from generators.memory import RecordStore
from sheets_sync.errors import BackofficeError
from sheets_sync.state import StateStore
from sheets_sync.workbook import WorkbookData

from .base import JobContext
from .outbox import memory

MANDATE, KIT, STATUS, FOLDED = "mandat", "kit", "statut", "repris"
LEGACY = {  # kind -> (file under <out>/<region>/, its section)
    MANDATE: (Path("mandats") / "empreintes.json", "missions"),
    KIT: (Path("kits") / "commandes.json", "orders"),
    STATUS: (Path("statuts.json"), "missions"),
}


def records(data: WorkbookData, ctx: JobContext, kind: str) -> dict[str, dict]:
    """The records of ``kind`` by key, an earlier version's sidecar folded in first (once)."""
    store = memory(data)
    fold_legacy(store, ctx, kind)
    return store.kind(kind)


def fold_legacy(store: StateStore, ctx: JobContext, kind: str) -> None:
    """Put the records of an earlier version's sidecar file in the store (written with the next
    write), once: not when the workbook already has records of that kind or the marker
    ``repris:<kind>``."""
    relative, section = LEGACY[kind]
    if store.has_kind(kind) or store.get(FOLDED, kind) is not None:
        return
    path = ctx.out_dir() / relative
    if not path.exists():
        return
    try:
        found = RecordStore(path, section, lambda p, reason: BackofficeError(f"{p} illisible ({reason})")).records
    except BackofficeError:
        return  # an unreadable old file: the workbook starts from what the sheet says
    for key, record in found.items():
        if isinstance(record, dict):
            store.put(kind, str(key), record)
    store.put(FOLDED, kind, {"fichier": str(path), "le": ctx.now.isoformat(sep=" "), "lignes": len(found)})


__all__ = ["FOLDED", "KIT", "LEGACY", "MANDATE", "STATUS", "fold_legacy", "memory", "records"]
