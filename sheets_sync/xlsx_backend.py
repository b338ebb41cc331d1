"""The ``.xlsx`` backend: the embedded default.

Reading takes values, never formulas, with python-calamine (Rust), from one in-memory copy of
the file whose fingerprint (mtime, size, SHA-256) is kept; fills come from the sheets' style
ids and ``xl/styles.xml``, merged ranges from calamine. Writing patches only the parts of the
package the plan touches (:mod:`sheets_sync.xlsx_patch`): every other part (drawings, charts,
images, pivots, slicers, tables, comments, macros, extensions…) is carried over byte for byte,
and nothing is refused for holding them. The file is replaced atomically (temporary file in
the same folder, ``fsync``, ``os.replace``), and only when it has not changed since it was
read and no office suite holds it open.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import re
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from .a1 import col_index
from .backend import RawTab, WritePlan
from .errors import WorkbookError
from .xlsx_package import check_package, sheet_parts
from .xlsx_patch import Styles, apply_plan

STALE_TEMP_S = 3600  # a temporary file of a save older than this was left by a killed run
# threads converting sheets while the caller types the ones already read (calamine parses
# without the GIL); at 4x, one takes the load from 1.0 s to 0.79 s, two to 0.73 s, three no
# further: the workbook's two big tabs (Missions, Notes de frais) are most of the work
READERS = max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True)
class Fingerprint:
    """What the file was when we read it: a change of any of these means someone wrote it."""

    mtime_ns: int
    size: int
    sha256: str


class XlsxBackend:
    """A regional workbook kept as an ``.xlsx`` file on disk."""

    # whether a write is refused when the workbook changed since the read (so a row it adds is
    # certainly alone): True for a file, False for Google (concurrent writes both apply)
    exclusive_writes = True

    def __init__(self, path: str | os.PathLike, max_unpacked: int = 200_000_000) -> None:
        self.path = Path(path)
        self.max_unpacked = max_unpacked  # bytes the package may unpack to (a zip bomb is refused)
        self.label = str(self.path)
        self._fingerprint: Fingerprint | None = None
        # title -> (tab as read, read in full?); titles known to be absent
        self._cache: dict[str, tuple[RawTab, bool]] = {}
        self._absent: set[str] = set()
        self.loads = 0  # how many times the file was parsed (tests and bench)
        # the sheet parts of the file as read, unpacked in the background for the write to come
        self._unpacked: tuple[Fingerprint, dict[str, bytes]] | None = None
        self.writes = 0

    # --- guards ---------------------------------------------------------------------------

    def open_in(self) -> tuple[str, str] | None:
        """``(office suite, lock file name)`` when an office suite holds the file open."""
        name = self.path.name
        folder = self.path.parent
        for lock, suite in ((f".~lock.{name}#", "LibreOffice"), (f"~${name}", "Excel")):
            if (folder / lock).exists():
                return suite, lock
        return None

    def grid_cells(self) -> int | None:
        """An .xlsx file has no spreadsheet-wide cell limit (Excel's is per sheet)."""
        return None

    def read_only_note(self) -> str:
        """One line for a run that reads a workbook held open (reading is fine, writing is not)."""
        held = self.open_in()
        if held is None:
            return ""
        return f"Classeur ouvert dans {held[0]} : lu tel qu'enregistré sur le disque, rien n'y est écrit."

    def _check_locks(self) -> None:
        """Refuse to write while an office suite holds the file (its next save would undo ours)."""
        held = self.open_in()
        if held is not None:
            suite, lock = held
            raise WorkbookError(
                f"Le classeur {self.label} est ouvert dans {suite} (fichier de verrou « {lock} ») : "
                "fermez-le puis relancez. Si personne ne l'a ouvert, supprimez ce fichier de verrou."
            )

    def _snapshot(self, check: bool = True) -> tuple[bytes, Fingerprint]:
        """The file's bytes and their fingerprint, taken together (and, unless ``check`` is
        false, the package's limits checked)."""
        try:
            before = self.path.stat()
            content = self.path.read_bytes()
            after = self.path.stat()
        except FileNotFoundError:
            raise WorkbookError(f"Classeur introuvable : {self.label}. Vérifiez le chemin.") from None
        except IsADirectoryError:
            raise WorkbookError(f"{self.label} est un dossier, pas un classeur .xlsx.") from None
        except OSError as err:
            raise WorkbookError(f"Impossible de lire le classeur {self.label} : {err.strerror}.") from None
        if (before.st_mtime_ns, before.st_size) != (after.st_mtime_ns, after.st_size):
            raise WorkbookError(
                f"Le classeur {self.label} a été modifié pendant sa lecture ; relancez."
            )
        if check:
            check_package(content, self.label, self.max_unpacked)
        return content, Fingerprint(after.st_mtime_ns, after.st_size, hashlib.sha256(content).hexdigest())

    def _current(self) -> Fingerprint | None:
        """The file's fingerprint now (``None`` when it is gone)."""
        try:
            st = self.path.stat()
            digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
        except FileNotFoundError:
            return None
        return Fingerprint(st.st_mtime_ns, st.st_size, digest)

    def _unchanged(self) -> bool:
        if self._fingerprint is None:
            return False
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return False
        if (st.st_mtime_ns, st.st_size) != (self._fingerprint.mtime_ns, self._fingerprint.size):
            return False
        return self._current() == self._fingerprint

    # --- reading --------------------------------------------------------------------------

    def read(self, tabs: list[str], header_only: tuple[str, ...] = ()) -> dict[str, RawTab]:
        """Read these tabs' values and fills from one copy of the file; remember its fingerprint.

        A file an office suite holds open is read as saved on disk: only writing is refused.
        """
        got = dict(self.read_each(tabs, header_only))
        return {title: got[title] for title in tabs if title in got}

    def read_each(self, tabs: list[str], header_only: tuple[str, ...] = ()) -> Iterator[tuple[str, RawTab]]:
        """:meth:`read`, each tab given as soon as it is converted (in no set order): the caller
        types one while calamine, which parses without the GIL, reads the next ones."""
        content, fingerprint = self._snapshot()
        self.loads += 1
        yield from self._read(content, fingerprint, tabs, header_only)

    def _read(self, content, fingerprint, tabs, header_only) -> Iterator[tuple[str, RawTab]]:
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                book = CalamineWorkbook.from_filelike(io.BytesIO(content))
                parts = sheet_parts(archive)
                names = set(archive.namelist())
                styles = Styles(archive.read("xl/styles.xml")) if "xl/styles.xml" in names else None
                solid = _solid_styles(styles)
                present = set(book.sheet_names)
                self._cache, self._absent = {}, set(t for t in tabs if t not in present)
                wanted = [(t, t not in header_only) for t in dict.fromkeys(tabs) if t in present]
                size = {i.filename: i.file_size for i in archive.infolist()}
                # the smallest sheets first: the caller starts typing them while the big ones are read
                wanted.sort(key=lambda item: size.get(parts.get(item[0], ""), 0) if item[1] else 0)
                books: dict[int, Any] = {threading.get_ident(): book}

                def convert(title: str, full: bool) -> RawTab:
                    # each reader thread has its own workbook object (one cannot be used by two
                    # threads at once)
                    mine = books.get(threading.get_ident())
                    if mine is None:
                        mine = books[threading.get_ident()] = CalamineWorkbook.from_filelike(io.BytesIO(content))
                    sheet = mine.get_sheet_by_name(title)
                    rows = _sheet_rows(sheet, content, title, full)
                    fills = {}
                    if solid and parts.get(title) in names:
                        fills = _fills(archive.read(parts[title]), solid, None if full else 1)
                    tab = RawTab(title, rows, fills)
                    if full:
                        tab.merged = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1)
                                      for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])]
                    self._cache[title] = (tab, full)
                    return tab

                if len(wanted) > 1:
                    with ThreadPoolExecutor(READERS) as pool:
                        futures = {pool.submit(convert, title, full): title for title, full in wanted}
                        try:
                            for future in as_completed(futures):
                                yield futures[future], _copy(future.result())
                        finally:
                            for future in futures:  # the caller gave up: no more sheets read for it
                                future.cancel()
                else:
                    for title, full in wanted:
                        yield title, _copy(convert(title, full))
        except (CalamineError, zipfile.BadZipFile, KeyError, ValueError, WorkbookError) as err:
            if isinstance(err, WorkbookError):
                raise
            raise WorkbookError(
                f"{self.label} n'est pas un classeur .xlsx lisible ({type(err).__name__}) : "
                "ouvrez-le et enregistrez-le au format Excel (.xlsx), puis relancez."
            ) from None
        self._fingerprint = fingerprint
        self._unpacked = (fingerprint, _unpacked_later(content, [parts[t] for t, _full in reversed(wanted) if t in parts]))

    def reread(self, tabs: list[str], header_only: tuple[str, ...] = ()) -> dict[str, RawTab]:
        """The tabs again, right before a write: from memory when the file is unchanged, else
        read afresh. A write is coming, so a file held open is refused here already."""
        self._check_locks()
        if self._unchanged() and all(
            t in self._absent or (t in self._cache and (self._cache[t][1] or t in header_only))
            for t in tabs
        ):
            out = {}
            for title in tabs:
                if title in self._cache:
                    tab = self._cache[title][0]
                    # the planner only reads what it is given: no copy, but for a header-only view
                    out[title] = _copy(tab, 1) if title in header_only else tab
            return out
        return self.read(tabs, header_only)

    # --- writing --------------------------------------------------------------------------

    def write(self, plan: WritePlan) -> None:
        """Patch the plan's cells and fills, create tabs, append the Journal, in the parts they
        touch; copy every other part as it is; save atomically."""
        self._check_locks()
        content, fingerprint = self._snapshot(check=self._fingerprint is None)  # read and checked already
        if self._fingerprint is not None and fingerprint != self._fingerprint:
            raise self._changed()
        ready = self._unpacked
        new, _formulas = apply_plan(content, plan, self.label,
                                    ready[1] if ready is not None and ready[0] == fingerprint else None)
        self._save(new, fingerprint)
        self.writes += 1

    def _changed(self) -> WorkbookError:
        return WorkbookError(f"Le classeur {self.label} a été modifié pendant le traitement ; relancez.")

    def _remove_stale_temps(self) -> None:
        """Temporary files of ours left by a save that was killed: removed once clearly stale."""
        limit = time.time() - STALE_TEMP_S
        for temp in self.path.parent.glob(f".{self.path.stem}.*.tmp"):
            try:
                if temp.stat().st_mtime < limit:
                    temp.unlink()
            except OSError:
                pass

    def _save(self, data: bytes, fingerprint: Fingerprint) -> None:
        folder = self.path.parent
        self._remove_stale_temps()
        handle, temp = tempfile.mkstemp(prefix=f".{self.path.stem}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            if not _sound_archive(temp):  # what we wrote reads back whole
                raise WorkbookError(f"Écriture de {self.label} : archive produite invalide ; rien n'a été modifié.")
            try:
                os.chmod(temp, self.path.stat().st_mode & 0o7777)
            except OSError:
                pass
            # The last moment a person's save or an office suite could slip in; two runs of ours
            # check and replace one after the other (a lock held for that instant only), so the
            # second finds the file changed: a write is never lost under another.
            with _instant_lock(self.path):
                self._check_locks()
                if self._current() != fingerprint:
                    raise self._changed()
                os.replace(temp, self.path)
        except BaseException:
            try:
                os.unlink(temp)
            except FileNotFoundError:
                pass
            raise
        _fsync_dir(folder)
        # What we wrote is now the reference; the cached tabs are stale.
        self._fingerprint = self._current()
        self._cache, self._absent = {}, set()
        self._unpacked = None


# --- helpers ------------------------------------------------------------------------------

def _unpacked_later(content: bytes, names: list[str]) -> dict[str, bytes]:
    """The parts ``names`` of the package, unpacked by a background thread while the job decides
    (zlib inflates without the GIL): its write then finds the sheets it patches ready. The dict
    fills as each part is done; a part not there yet is unpacked by the write itself."""
    out: dict[str, bytes] = {}

    def unpack() -> None:
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                for name in names:
                    out[name] = archive.read(name)
        except Exception:  # noqa: BLE001 - only a head start: the write unpacks what is missing
            pass

    threading.Thread(target=unpack, name="xlsx-unpack", daemon=True).start()
    return out


_LOCAL = b"PK\x03\x04"


def _sound_archive(path: Path) -> bool:
    """The saved file's zip structure, read back from disk: its central directory, and each
    member's local header (signature, name, sizes) where the directory says, its data within the
    file and no two members overlapping. The members' bytes came from zlib or, unchanged, from
    the file read, so they are not inflated again."""
    try:
        with zipfile.ZipFile(path) as archive, open(path, "rb") as fh:
            infos = sorted(archive.infolist(), key=lambda i: i.header_offset)
            end = archive.start_dir
            for info, following in zip(infos, infos[1:] + [None]):
                fh.seek(info.header_offset)
                head = fh.read(30)
                if len(head) < 30 or head[:4] != _LOCAL:
                    return False
                name_len, extra_len = int.from_bytes(head[26:28], "little"), int.from_bytes(head[28:30], "little")
                name = fh.read(name_len)
                if name.decode("utf-8" if info.flag_bits & 0x800 else "cp437") != info.orig_filename:
                    return False
                stop = info.header_offset + 30 + name_len + extra_len + info.compress_size
                if stop > (following.header_offset if following is not None else end):
                    return False
            return True
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError, ValueError):
        return False


@contextlib.contextmanager
def _instant_lock(path: Path):
    """An exclusive advisory lock (``flock``) on the file at ``path`` for the block (our runs
    only; a run that replaced the file meanwhile is seen by the fingerprint check inside it)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: the fingerprint check alone
        yield
        return
    try:
        handle = open(path, "rb")
    except OSError:  # gone or unreadable: the fingerprint check will say so
        yield
        return
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _solid_styles(styles: "Styles | None") -> dict[int, str]:
    """Cell style id -> its solid fill colour, for the styles that have one."""
    if styles is None:
        return {}
    out = {}
    for i in range(len(styles.xf_items)):
        rgb = styles.fill_rgb(i)
        if rgb is not None:
            out[i] = rgb
    return out


_STYLED_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*?\bs="(\d+)"')
_STYLED_CELL_S_FIRST = re.compile(rb'<(?:\w+:)?c\b[^>]*?\bs="(\d+)"[^>]*?\br="([A-Z]+)(\d+)"')


def _fills(xml: bytes, solid: dict[int, str], max_row: int | None) -> dict[tuple[int, int], str]:
    """(row, col) -> fill colour of the cells whose style has a solid fill."""
    out: dict[tuple[int, int], str] = {}
    wanted = {str(i).encode() for i in solid}
    for m in _STYLED_CELL.finditer(xml):
        if m.group(3) in wanted:
            row = int(m.group(2))
            if max_row is None or row <= max_row:
                out[(row, col_index(m.group(1).decode()))] = solid[int(m.group(3))]
    if not out:  # a writer that puts s before r
        for m in _STYLED_CELL_S_FIRST.finditer(xml):
            if m.group(1) in wanted:
                row = int(m.group(3))
                if max_row is None or row <= max_row:
                    out[(row, col_index(m.group(2).decode()))] = solid[int(m.group(1))]
    return out


_EXACT = 2**53  # a float beyond holds no exact integer


def _raw(value: Any) -> Any:
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < _EXACT else value
    if isinstance(value, dt.timedelta):  # a duration format ([h]:mm): a time when under a day
        if dt.timedelta(0) <= value < dt.timedelta(days=1):
            return (dt.datetime.min + value).time()
        return value.total_seconds() / 86400
    return value


_SILENCE = threading.Lock()
_silenced = {"depth": 0, "saved": None}  # reader threads inside; standard error's saved descriptor


@contextlib.contextmanager
def _rust_panics_silenced():
    """Standard error closed at the file-descriptor level while calamine converts a sheet: a
    panic's message and backtrace, which Rust writes there directly, are not shown to a person
    (the panic itself still reaches Python, as an exception). The descriptor is the process's:
    reader threads share one redirection, set by the first in and undone by the last out."""
    with _SILENCE:
        if _silenced["depth"] == 0:
            try:
                _silenced["saved"] = os.dup(2)
            except OSError:  # no standard error to save
                _silenced["saved"] = None
            if _silenced["saved"] is not None:
                with open(os.devnull, "wb") as null:
                    os.dup2(null.fileno(), 2)
        _silenced["depth"] += 1
    try:
        yield
    finally:
        with _SILENCE:
            _silenced["depth"] -= 1
            saved = _silenced["saved"]
            if _silenced["depth"] == 0 and saved is not None:
                os.dup2(saved, 2)
                os.close(saved)
                _silenced["saved"] = None


def _sheet_rows(sheet, content: bytes, title: str, full: bool) -> list[list[Any]]:
    """A sheet's raw rows through calamine, or, where calamine gives up on a cell it cannot
    convert (a date or a duration far out of range panics in it: python-calamine issue 139, a
    ``PanicException`` that is a BaseException), through openpyxl, which reads such a cell as
    ``#VALUE!``: that cell becomes a finding and the rest of the sheet is read."""
    try:
        with _rust_panics_silenced():
            return _rows(sheet.to_python(skip_empty_area=False, nrows=None if full else 1))
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as err:  # noqa: BLE001 (pyo3's PanicException derives from BaseException)
        if type(err).__name__ != "PanicException" and not isinstance(err, (OverflowError, ValueError)):
            raise
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # « outside the limits for dates »: the cell is read as #VALUE!
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            grid = [list(r) for r in book[title].iter_rows(max_row=None if full else 1, values_only=True)]
        finally:
            book.close()
    rows = [[None if v is None else _raw(v) for v in r] for r in grid]
    for line in rows:
        while line and line[-1] is None:
            line.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _rows(grid: list[list[Any]]) -> list[list[Any]]:
    """calamine's rectangle as raw rows: empty cells ``None``, trailing blanks trimmed."""
    rows: list[list[Any]] = []
    last = 0
    for number, cells in enumerate(grid, start=1):
        # texts are most cells: kept as they are, the rest converted
        line = [(v or None) if (kind := v.__class__) is str
                else (int(v) if v.is_integer() and -_EXACT < v < _EXACT else v) if kind is float
                else _raw(v) for v in cells]
        while line and line[-1] is None:
            line.pop()
        rows.append(line)
        if line:
            last = number
    del rows[last:]
    return rows


def _copy(tab: RawTab, max_row: int | None = None) -> RawTab:
    """A copy the caller may change without touching the cache (cells are immutable)."""
    rows = tab.rows if max_row is None else tab.rows[:max_row]
    fills = tab.fills if max_row is None else {k: v for k, v in tab.fills.items() if k[0] <= max_row}
    return RawTab(tab.title, [list(r) for r in rows], dict(fills), tab.sheet_id, list(tab.merged))


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
