"""Writing the files we produce: one atomic write, one CSV writer that no spreadsheet runs.

Every CSV file the tool writes (the call list, the kit orders) goes through :func:`csv_bytes`:
a cell that starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets
a leading ``'``, so Excel and LibreOffice show it as text instead of running it (CWE-1236).
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def plain(value: Any) -> str:
    """A cell a spreadsheet will not run as a formula: a leading ``'`` before ``= + - @``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *, delimiter: str = ";",
              line_end: str = "\r\n") -> bytes:
    """A CSV file's exact bytes: UTF-8 with a BOM (Excel then reads the accents right), every
    cell escaped by :func:`plain`."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    writer.writerow([plain(h) for h in header])
    for row in rows:
        writer.writerow([plain(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def process_umask() -> int:
    """The process's umask (read by setting it and putting it back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: str | Path, data: bytes) -> Path:
    """Write ``data`` at ``path`` through a temporary file of the same folder, then rename: a
    reader never sees half a file, a crash leaves the old one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes a private file (0600); the file is for colleagues: the mode a plain
        # open() would give (0666 less the process umask), or the mode of the file it replaces
        os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~process_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path
