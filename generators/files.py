"""Writing the files we produce: one atomic write, one CSV writer that no spreadsheet runs.

Every CSV file the tool writes (the call list, the kit orders) goes through :func:`csv_bytes`:
a cell that starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets
a leading ``'``, so Excel and LibreOffice show it as text instead of running it (CWE-1236).
"""
from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import unicodedata
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


NAME_BYTES = 80  # bytes of a key kept in a file name (file systems allow 255 per name)


def file_stem(key: str) -> str:
    """A file name (without extension) for a key, one per key: characters a file name cannot
    hold are replaced, and whenever the name is not the key itself (a replaced character, a
    cut), a short hash of the whole key is added, so ``M 20274`` and ``M/20274`` never share
    a file; cut on a character boundary to :data:`NAME_BYTES` bytes of UTF-8 (a N° mission of
    100 four-byte characters stays a valid name)."""
    text = unicodedata.normalize("NFC", str(key))
    safe = re.sub(r"[^\w.-]+", "_", text).strip("._") or "x"
    if safe == text and len(safe.encode("utf-8")) <= NAME_BYTES:
        return safe
    digest = hashlib.sha256(str(key).encode("utf-8")).hexdigest()[:8]
    cut = safe.encode("utf-8")[:NAME_BYTES].decode("utf-8", "ignore")
    return f"{cut}-{digest}"


_BREAKS = re.compile(r"[\s\u2028\u2029]+")


def one_line(value: Any) -> str:
    """A text made safe for one line (a mail header, a subject, a log line): line breaks,
    tabs and control characters become single spaces (a Prénom typed with Alt+Enter must not
    break a mail's headers)."""
    text = "" if value is None else str(value)
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text)
    return _BREAKS.sub(" ", text).strip()


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
