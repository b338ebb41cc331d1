"""A job's memory: records by key in one JSON file, read whole and saved atomically, plus an
append-only journal of the facts that must be on disk at once.

The mandates' sidecar (fingerprints and the sent log) and the kit orders made so far are two of
them: what the workbook cannot hold, and what makes a job never send or order twice. An e-mail
that just left is noted with :meth:`RecordStore.note`: one line appended and synced to
``<file>.journal`` (cheap, whatever the number of records), read back into the records on the
next load and folded into the file by the next :meth:`RecordStore.save`.
"""
from __future__ import annotations

import json
import os
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
        self._replay()

    @property
    def journal_path(self) -> Path:
        """Where :meth:`note` appends: ``<file>.journal``."""
        return self.path.with_name(self.path.name + ".journal")

    def _replay(self) -> None:
        """Fold the journal's lines into the records; a line cut by a crash is ignored."""
        try:
            lines = self.journal_path.read_text("utf-8").splitlines()
        except FileNotFoundError:
            return
        for line in lines:
            try:
                entry = json.loads(line)
                self.records.setdefault(str(entry["key"]), {}).update(dict(entry["fields"]))
            except (ValueError, KeyError, TypeError, AttributeError):
                continue

    def note(self, key: str, **fields: Any) -> None:
        """Set ``fields`` on the record of ``key`` and put them on disk at once (one synced line)."""
        self.records.setdefault(key, {}).update(fields)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"key": key, "fields": fields}, ensure_ascii=False, sort_keys=True) + "\n"
        with open(self.journal_path, "a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())

    def get(self, key: str) -> dict[str, Any] | None:
        """The record of ``key``, ``None`` when there is none."""
        return self.records.get(key)

    def save(self) -> Path:
        """Write every record atomically (a crash leaves the previous file whole), then drop the
        journal the file now holds."""
        path = atomic_write(self.path, json.dumps({"version": 1, self.section: self.records}, ensure_ascii=False,
                                                  indent=1, sort_keys=True).encode("utf-8"))
        try:
            self.journal_path.unlink()
        except FileNotFoundError:
            pass
        return path
