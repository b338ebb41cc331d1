"""The ``.xlsx`` backend (openpyxl): the embedded default.

Reading takes values, never formulas (``data_only``), in openpyxl's fast read-only mode,
from one in-memory copy of the file whose fingerprint (mtime, size, SHA-256) is kept.
Writing patches only the cells of the plan in a workbook loaded with its formulas, so the
people's formatting, colours, widths, validations, filters, frozen panes, comments, formulas
and other tabs survive; it never rewrites a tab from a DataFrame. The file is replaced
atomically (temporary file in the same folder, ``fsync``, ``os.replace``), and only when it
has not changed since it was read and no office suite holds it open.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import tempfile
import time
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .backend import RawTab, WritePlan, row_runs
from .errors import WorkbookError
from .xlsx_package import check_package, merged_ranges

STALE_TEMP_S = 3600  # a temporary file of a save older than this was left by a killed run
# Strings an office suite could take for a formula when a person edits the cell.
_FORMULA_LEAD = ("=", "+", "-", "@")

# Package parts openpyxl may not carry over on a load/save (no Pillow: images; never: pivot
# tables, slicers, form controls…). Losing any of them aborts the write: we never destroy
# what people built. Prefix -> what the CDBO calls it.
_KEPT_PARTS = {
    "xl/media/": "images",
    "xl/charts/": "graphiques",
    "xl/drawings/": "dessins et formes",
    "xl/pivotTables/": "tableaux croisés dynamiques",
    "xl/slicers/": "segments (slicers)",
    "xl/timelines/": "chronologies",
    "xl/ctrlProps/": "contrôles de formulaire",
    "xl/activeX/": "contrôles ActiveX",
    "xl/embeddings/": "objets incorporés",
    "xl/threadedComments/": "commentaires en fil de discussion",
    "xl/tables/": "tableaux structurés",
    "xl/vbaProject.bin": "macros",
}
# openpyxl's warnings for what it drops while loading, -> French.
_DROPPED = {
    "Data Validation extension": "des listes de validation qui renvoient à un autre onglet (extension Excel 2010)",
    "Conditional Formatting extension": "des mises en forme conditionnelles étendues (extension Excel 2010)",
    "Slicer List extension": "des segments (slicers)",
}


@dataclass(frozen=True)
class Fingerprint:
    """What the file was when we read it: a change of any of these means someone wrote it."""

    mtime_ns: int
    size: int
    sha256: str


class XlsxBackend:
    """A regional workbook kept as an ``.xlsx`` file on disk."""

    def __init__(self, path: str | os.PathLike, max_unpacked: int = 200_000_000) -> None:
        self.path = Path(path)
        self.max_unpacked = max_unpacked  # bytes the package may unpack to (a zip bomb is refused)
        self.label = str(self.path)
        self._fingerprint: Fingerprint | None = None
        # title -> (tab as read, read in full?); titles known to be absent
        self._cache: dict[str, tuple[RawTab, bool]] = {}
        self._absent: set[str] = set()
        self.loads = 0  # how many times the file was parsed (tests and bench)
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

    def _snapshot(self) -> tuple[bytes, Fingerprint]:
        """The file's bytes and their fingerprint, taken together."""
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

    def _open(self, content: bytes, **options):
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            return load_workbook(io.BytesIO(content), **options)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, SyntaxError) as err:
            # SyntaxError covers the XML parser's ParseError on a damaged part
            raise WorkbookError(
                f"{self.label} n'est pas un classeur .xlsx lisible ({type(err).__name__}) : "
                "ouvrez-le et enregistrez-le au format Excel (.xlsx), puis relancez."
            ) from None

    # --- reading --------------------------------------------------------------------------

    def read(self, tabs: list[str], header_only: tuple[str, ...] = ()) -> dict[str, RawTab]:
        """Read these tabs' values and fills from one copy of the file; remember its fingerprint.

        A file an office suite holds open is read as saved on disk: only writing is refused.
        """
        content, fingerprint = self._snapshot()
        self.loads += 1
        with warnings.catch_warnings():
            # What openpyxl cannot keep matters when writing (see write), not when reading.
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            return self._read(content, fingerprint, tabs, header_only)

    def _read(self, content, fingerprint, tabs, header_only) -> dict[str, RawTab]:
        wb = self._open(content, read_only=True, data_only=True)
        try:
            colors = _StyleColors(wb)
            out: dict[str, RawTab] = {}
            self._cache, self._absent = {}, set()
            present = set(wb.sheetnames)
            for title in tabs:
                if title not in present:
                    self._absent.add(title)
                    continue
                full = title not in header_only
                out[title] = _read_sheet(wb[title], title, colors, None if full else 1)
                self._cache[title] = (out[title], full)
        finally:
            wb.close()
        full_tabs = [t for t in out if t not in header_only]
        for title, ranges in merged_ranges(content, full_tabs).items():
            out[title].merged = ranges
        self._fingerprint = fingerprint
        return {title: _copy(tab) for title, tab in out.items()}

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
                    out[title] = _copy(tab, 1 if title in header_only else None)
            return out
        return self.read(tabs, header_only)

    # --- writing --------------------------------------------------------------------------

    def write(self, plan: WritePlan) -> None:
        """Patch the plan's cells and fills, create tabs, append the Journal; save atomically."""
        self._check_locks()
        content, fingerprint = self._snapshot()
        if self._fingerprint is not None and fingerprint != self._fingerprint:
            raise self._changed()
        keep_vba = self.path.suffix.lower() == ".xlsm"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            wb = self._open(content, data_only=False, keep_vba=keep_vba, keep_links=True)
        dropped = sorted({fr for w in caught for en, fr in _DROPPED.items() if en in str(w.message)})
        if dropped:
            raise self._would_lose(dropped)
        # openpyxl cannot keep formulas' cached results: ask the office suite to recompute on open
        wb.calculation.fullCalcOnLoad = True
        for title, header in plan.new_tabs.items():
            if title not in wb.sheetnames:
                _new_tab(wb, title, header)
        formulas: dict[str, str] = {}  # a formula we replace: the Journal keeps its text, not a blank
        for w in plan.cells:
            cell = _sheet(wb, w.tab, self.label).cell(row=w.row, column=w.col)
            if cell.data_type == "f":
                formulas[f"{w.tab}!{cell.coordinate}"] = str(cell.value)
            _set_value(cell, w.value)
        for line in plan.journal:
            if len(line) > 6 and line[5] in formulas:
                line[6] = formulas[line[5]]
        for f in plan.fills:
            _set_fill(_sheet(wb, f.tab, self.label).cell(row=f.row, column=f.col), f.color)
        for title, rows in plan.deleted_rows.items():
            sheet = _sheet(wb, title, self.label)
            for first, count in row_runs(rows):
                sheet.delete_rows(first, count)
        if plan.journal:
            journal = _sheet(wb, plan.journal_tab, self.label)
            row = _last_filled_row(journal)
            for line in plan.journal:
                row += 1
                for col, value in enumerate(line, start=1):
                    _set_value(journal.cell(row=row, column=col), value)
        self._save(wb, fingerprint, _part_counts(content))
        self.writes += 1

    def _would_lose(self, what: list[str]) -> WorkbookError:
        advice = "Déplacez ces éléments dans un autre classeur"
        if any("validation" in w for w in what):
            advice += ", ou utilisez une plage nommée pour les listes de validation"
        return WorkbookError(
            f"Écriture refusée dans {self.label} : l'enregistrement ferait perdre {', '.join(what)} "
            f"(non pris en charge par openpyxl). Rien n'a été modifié. {advice}, puis relancez."
        )

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

    def _save(self, wb, fingerprint: Fingerprint, parts_before: dict[str, int]) -> None:
        folder = self.path.parent
        self._remove_stale_temps()
        handle, temp = tempfile.mkstemp(prefix=f".{self.path.stem}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(handle, "wb") as out:
                wb.save(out)
                out.flush()
                os.fsync(out.fileno())
            parts_after = _part_counts(Path(temp).read_bytes())
            lost = [_KEPT_PARTS[p] for p, n in parts_before.items() if parts_after.get(p, 0) < n]
            if lost:
                raise self._would_lose(lost)
            try:
                os.chmod(temp, self.path.stat().st_mode & 0o7777)
            except OSError:
                pass
            # The last moment a person's save or an office suite could slip in.
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


# --- helpers ------------------------------------------------------------------------------

class _StyleColors:
    """Solid fill colour (RRGGBB) per cell style id, computed once per style."""

    def __init__(self, wb) -> None:
        self.wb = wb
        self.by_style: dict[int, str | None] = {0: None}

    def of(self, cell) -> str | None:
        style_id = getattr(cell, "_style_id", 0)
        if style_id not in self.by_style:
            self.by_style[style_id] = _solid_rgb(cell.fill)
        return self.by_style[style_id]


def _solid_rgb(fill) -> str | None:
    if fill is None or getattr(fill, "fill_type", None) != "solid":
        return None
    color = fill.fgColor
    if color is None or color.type != "rgb" or not isinstance(color.rgb, str):
        return None
    return color.rgb[-6:].upper()


def _raw(value: Any) -> Any:
    if isinstance(value, dt.timedelta):  # a duration format ([h]:mm): a time when under a day
        if dt.timedelta(0) <= value < dt.timedelta(days=1):
            return (dt.datetime.min + value).time()
        return value.total_seconds() / 86400
    return value


def _read_sheet(ws, title: str, colors: _StyleColors, max_row: int | None) -> RawTab:
    ws.reset_dimensions()  # a stale <dimension> tag would silently cut rows or columns
    rows: list[list[Any]] = []
    fills: dict[tuple[int, int], str] = {}
    last = 0
    for number, cells in enumerate(ws.iter_rows(max_row=max_row), start=1):
        line = []
        for col, cell in enumerate(cells, start=1):
            value = cell.value
            line.append(_raw(value))
            if getattr(cell, "_style_id", 0):
                color = colors.of(cell)
                if color is not None:
                    fills[(number, col)] = color
        while line and line[-1] is None:
            line.pop()
        rows.append(line)
        if line:
            last = number
    del rows[last:]
    return RawTab(title, rows, fills)


def _copy(tab: RawTab, max_row: int | None = None) -> RawTab:
    """A copy the caller may change without touching the cache (cells are immutable)."""
    rows = tab.rows if max_row is None else tab.rows[:max_row]
    fills = tab.fills if max_row is None else {k: v for k, v in tab.fills.items() if k[0] <= max_row}
    return RawTab(tab.title, [list(r) for r in rows], dict(fills), tab.sheet_id, list(tab.merged))


def _sheet(wb, title: str, label: str):
    if title not in wb.sheetnames:
        raise WorkbookError(f"Onglet « {title} » introuvable dans {label} au moment d'écrire ; relancez.")
    return wb[title]


def _set_value(cell, value: Any) -> None:
    """Store plain data: a string is always a string, never a formula nor an error code."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or value == "":
        cell.value = None
        return
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        value = str(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = value
        cell.data_type = "s"  # openpyxl would make '=…' a formula and '#N/A' an error
        if value.startswith(_FORMULA_LEAD):
            cell.quotePrefix = True  # and the office suite keeps it text when a person edits it
    else:
        cell.value = value


def _set_fill(cell, color: str | None) -> None:
    from openpyxl.styles import PatternFill

    if color is None:
        cell.fill = PatternFill(fill_type=None)
    else:
        argb = "FF" + color.upper()
        cell.fill = PatternFill(fill_type="solid", start_color=argb, end_color=argb)


def _new_tab(wb, title: str, header: list[str]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    bold = Font(bold=True)
    for col, name in enumerate(header, start=1):
        cell = ws.cell(row=1, column=col)
        _set_value(cell, name)
        cell.font = bold
        ws.column_dimensions[get_column_letter(col)].width = max(12, min(40, len(name) + 4))
    ws.freeze_panes = "A2"


def _last_filled_row(ws) -> int:
    """The last row holding a value (formatted empty rows below it do not count)."""
    # ``ws._cells`` is openpyxl's cell store; walking it avoids creating cells as ws[row] would.
    rows = [r for (r, _c), cell in ws._cells.items() if cell.value not in (None, "")]
    return max(rows, default=0)


def _part_counts(content: bytes) -> dict[str, int]:
    """How many package parts of each kept kind the file holds."""
    counts: dict[str, int] = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            for prefix in _KEPT_PARTS:
                # .vml parts hold comment boxes, which openpyxl rewrites under its own names
                if name.startswith(prefix) and not name.endswith((".rels", ".vml")):
                    counts[prefix] = counts.get(prefix, 0) + 1
    return counts


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
