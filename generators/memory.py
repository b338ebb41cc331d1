"""The sidecar files of earlier versions, read once to be folded into the workbook.

Before the workbook held all the tool's state (``État``), the mandates' fingerprints and sent
log, the kit orders and the statuses' dates lived beside the outputs in JSON files, with an
append-only journal (``<file>.journal``) of the last e-mails. :class:`RecordStore` reads such a
file and replays its journal (a line cut by a crash is ignored);
:func:`backoffice.jobs.memory.fold_legacy` puts the records in the workbook, once.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from sheets_sync.errors import BackofficeError



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
