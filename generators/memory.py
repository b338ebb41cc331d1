"""A job's memory: records by key in one JSON file, read whole and saved atomically.

The mandates' sidecar (fingerprints and the sent log) and the kit orders made so far are two of
them: what the workbook cannot hold, and what makes a job never send or order twice.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from sheets_sync.errors import BackofficeError

from .files import atomic_write


class RecordStore:
    """``{"version": 1, "<section>": {key: record}}`` at ``path``; an unreadable file is the
    error ``unreadable(path, reason)`` says (French), never an empty memory."""

    def __init__(self, path: str | Path, section: str,
                 unreadable: Callable[[Path, str], BackofficeError]) -> None:
        self.path, self.section = Path(path), section
        self.records: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            try:
                records = json.loads(self.path.read_text("utf-8"))[section]
                if not isinstance(records, dict):
                    raise TypeError(f"« {section} » n'est pas un objet")
            except (OSError, ValueError, KeyError, TypeError) as err:
                raise unreadable(self.path, str(err)) from None
            self.records = records

    def get(self, key: str) -> dict[str, Any] | None:
        """The record of ``key``, ``None`` when there is none."""
        return self.records.get(key)

    def save(self) -> Path:
        """Write every record atomically (a crash leaves the previous file whole)."""
        return atomic_write(self.path, json.dumps({"version": 1, self.section: self.records}, ensure_ascii=False,
                                                  indent=1, sort_keys=True).encode("utf-8"))
