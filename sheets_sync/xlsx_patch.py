"""Writing a job's plan into an ``.xlsx`` package by patching only the parts it touches.

A workbook is a zip of XML parts. openpyxl rebuilds every part from its own model on save and
drops what it does not model (images, charts, pivots, slicers, tables, macros, extensions…).
Here the package is copied part by part, and only these parts change:

- the sheets whose cells the plan writes: each changed ``<row>`` is rewritten, every other
  byte of the sheet stays as it was;
- ``xl/styles.xml``, only when a written cell needs a style it has not got yet (a fill the job
  sets or removes, the quote prefix that keeps ``=…`` text): new ``<xf>`` (and ``<fill>``)
  entries are appended, none is changed;
- for a new tab: its sheet part, ``xl/workbook.xml``, its relationships and
  ``[Content_Types].xml``;
- ``xl/workbook.xml``'s ``<calcPr>``, to ask the office suite to recompute formulas on open.

Every other part (drawings, charts, media, pivot caches, tables, slicers, comments, custom XML,
``vbaProject.bin``…) is copied with the same bytes. Texts are written as inline strings
(``t="inlineStr"``), so ``sharedStrings.xml`` is never rewritten, and never as formulas.
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
import io
import math
import re
import struct
import zipfile
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, unescape

from .a1 import col_index, col_letter
from .backend import WritePlan, row_runs
from .errors import WorkbookError
from .xlsx_package import sheet_parts

FORMULA_LEAD = ("=", "+", "-", "@")
DATE_FORMAT = b"dd/mm/yyyy"  # how a date the tool writes shows (« Détectée le »)
EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's date serials (after its 1900 leap-year bug)
_ROW = re.compile(rb"<(?P<p>(?:\w+:)?)row\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</(?P=p)row>)", re.S)
_CELL = re.compile(rb"<(?P<p>(?:\w+:)?)c\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</(?P=p)c>)", re.S)
_ATTR = re.compile(rb'\s([\w:]+)="([^"]*)"')
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NEEDS_CARE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f]")


def _attrs(text: bytes) -> dict[bytes, bytes]:
    return dict(_ATTR.findall(text))


def _attr_text(attrs: dict[bytes, bytes]) -> bytes:
    return b"".join(b" %s=\"%s\"" % (k, v) for k, v in attrs.items())


# --- styles ---------------------------------------------------------------------------------------

class Styles:
    """``xl/styles.xml``, read once; new cell styles appended on demand, the rest kept as is."""

    def __init__(self, xml: bytes) -> None:
        self.xml = xml
        self.changed = False
        self._xfs = self._section(b"cellXfs")
        self._fills = self._section(b"fills")
        self.font_items = re.findall(rb"<(?:\w+:)?font\b[^>]*?(?:/>|>.*?</(?:\w+:)?font>)",
                                     self._section(b"fonts")[1], re.S)
        self.new_fonts: list[bytes] = []
        self._bold: int | None = None
        self.xf_items = re.findall(rb"<(?:\w+:)?xf\b[^>]*?(?:/>|>.*?</(?:\w+:)?xf>)", self._xfs[1], re.S)
        self.fill_items = re.findall(rb"<(?:\w+:)?fill\b[^>]*?(?:/>|>.*?</(?:\w+:)?fill>)", self._fills[1], re.S)
        self.new_xfs: list[bytes] = []
        self.new_fills: list[bytes] = []
        self._derived: dict[tuple, int] = {}
        self._fill_ids: dict[str | None, int] = {}
        self._date: int | None = None
        self.new_num_fmt: bytes | None = None

    def _section(self, name: bytes) -> tuple[re.Match, bytes]:
        m = re.search(rb"<(?:\w+:)?%s\b[^>]*>(.*?)</(?:\w+:)?%s>" % (name, name), self.xml, re.S)
        if m is None:
            raise WorkbookError(f"styles.xml sans section {name.decode()} : classeur non pris en charge.")
        return m, m.group(1)

    def fill_rgb(self, style: int) -> str | None:
        """The solid fill colour (``RRGGBB``) of cell style ``style``, ``None`` if none."""
        if not 0 <= style < len(self.xf_items):
            return None
        fill_id = int(_attrs(self.xf_items[style].split(b">", 1)[0]).get(b"fillId", b"0"))
        if not 0 <= fill_id < len(self.fill_items):
            return None
        fill = self.fill_items[fill_id]
        if b'patternType="solid"' not in fill:
            return None
        m = re.search(rb'<(?:\w+:)?fgColor\b[^>]*\brgb="([0-9A-Fa-f]{6,8})"', fill)
        return m.group(1).decode()[-6:].upper() if m else None

    def _fill_id(self, color: str | None) -> int:
        if color is None:
            return 0  # the "none" fill every styles.xml starts with
        if color not in self._fill_ids:
            for i, item in enumerate(self.fill_items):
                if (b'patternType="solid"' in item and
                        re.search(rb'fgColor\b[^>]*rgb="FF%s"' % color.upper().encode(), item)):
                    self._fill_ids[color] = i
                    break
            else:
                self.new_fills.append(
                    b'<fill><patternFill patternType="solid"><fgColor rgb="FF%s"/><bgColor indexed="64"/>'
                    b"</patternFill></fill>" % color.upper().encode())
                self._fill_ids[color] = len(self.fill_items) + len(self.new_fills) - 1
        return self._fill_ids[color]

    def derive(self, base: int, *, fill: str | None | bool = False, quote: bool | None = None) -> int:
        """A style like ``base`` with another fill (``None`` removes it; ``False`` keeps it) and/or
        the quote prefix set or cleared; appended when it does not exist yet."""
        base = base if 0 <= base < len(self.xf_items) else 0
        key = (base, fill, quote)
        if key in self._derived:
            return self._derived[key]
        item = self.xf_items[base]
        head, sep, rest = item.partition(b">")
        closed = head.endswith(b"/")
        attrs = _attrs(head[:-1] if closed else head)
        if fill is not False:
            fid = self._fill_id(fill)
            attrs[b"fillId"] = str(fid).encode()
            attrs[b"applyFill"] = b"1"
        if quote is not None:
            if quote:
                attrs[b"quotePrefix"] = b"1"
            else:
                attrs.pop(b"quotePrefix", None)
        tag = head.split(None, 1)[0] if b" " in head else head.rstrip(b"/")
        new = tag + _attr_text(attrs) + (b"/>" if closed else b">" + rest)
        if new == item:
            self._derived[key] = base
            return base
        self.new_xfs.append(new)
        index = len(self.xf_items) + len(self.new_xfs) - 1
        self._derived[key] = index
        self.changed = True
        return index

    def _default_with(self, **changed: bytes) -> dict[bytes, bytes]:
        """The attributes of the default cell style (the first ``<xf>``) with ``changed`` set."""
        head = self.xf_items[0].partition(b">")[0]
        attrs = _attrs(head[:-1] if head.endswith(b"/") else head)
        attrs.update({k.encode(): v for k, v in changed.items()})
        return attrs

    def bold(self) -> int:
        """A cell style with the default one's look but a bold font (headers of new tabs)."""
        if self._bold is None:
            self.new_fonts.append(b'<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>')
            font_id = len(self.font_items) + len(self.new_fonts) - 1
            attrs = self._default_with(fontId=str(font_id).encode(), applyFont=b"1")
            self.new_xfs.append(b"<xf" + _attr_text(attrs) + b"/>")
            self._bold = len(self.xf_items) + len(self.new_xfs) - 1
            self.changed = True
        return self._bold

    def date(self) -> int:
        """A cell style with the default one's look showing a date as ``JJ/MM/AAAA`` (a custom
        number format, so that it reads the same whatever the office suite's locale)."""
        if self._date is None:
            fmt_id = None
            for m in re.finditer(rb"<(?:\w+:)?numFmt\b([^>]*?)/?>", self.xml):
                attrs = _attrs(m.group(1))
                if attrs.get(b"formatCode", b"").lower() == DATE_FORMAT:
                    fmt_id = int(attrs.get(b"numFmtId", b"0"))
                    break
            if fmt_id is None:
                used = [int(i) for i in re.findall(rb'numFmtId="(\d+)"', self.xml)]
                fmt_id = max([163] + used) + 1  # custom formats start at 164
                self.new_num_fmt = b'<numFmt numFmtId="%d" formatCode="%s"/>' % (fmt_id, DATE_FORMAT)
            attrs = self._default_with(numFmtId=str(fmt_id).encode(), applyNumberFormat=b"1")
            look = {k: attrs.get(k, b"0") for k in (b"numFmtId", b"fontId", b"fillId", b"borderId")}
            for i, item in enumerate(self.xf_items):  # an earlier write's date style: reused
                other = _attrs(item.split(b">", 1)[0])
                if {k: other.get(k, b"0") for k in look} == look and b"quotePrefix" not in other:
                    self._date = i
                    return i
            self.new_xfs.append(b"<xf" + _attr_text(attrs) + b"/>")
            self._date = len(self.xf_items) + len(self.new_xfs) - 1
            self.changed = True
        return self._date

    def quoted(self, style: int) -> bool:
        """Whether the cell style ``style`` carries the quote prefix (a text never read as a formula)."""
        if not 0 <= style < len(self.xf_items):
            return False
        return b'quotePrefix="1"' in self.xf_items[style].split(b">", 1)[0]

    def serialize(self) -> bytes:
        """The styles part with the styles this write added."""
        xml = self.xml
        if self.new_num_fmt is not None:
            xml = _with_num_fmt(xml, self.new_num_fmt)
        for name, items, new in ((b"fonts", self.font_items, self.new_fonts), (b"fills", self.fill_items, self.new_fills),
                                 (b"cellXfs", self.xf_items, self.new_xfs)):
            if not new:
                continue
            m = re.search(rb"(<(?:\w+:)?%s\b)([^>]*)>(.*?)(</(?:\w+:)?%s>)" % (name, name), xml, re.S)
            attrs = re.sub(rb'\scount="\d+"', b"", m.group(2)) + b' count="%d"' % (len(items) + len(new))
            prefix = re.match(rb"<((?:\w+:)?)", m.group(1)).group(1)
            body = m.group(3) + b"".join(re.sub(rb"^<", b"<" + prefix, n) if prefix else n for n in new)
            xml = xml[:m.start()] + m.group(1) + attrs + b">" + body + m.group(4) + xml[m.end():]
        return xml


def _with_num_fmt(xml: bytes, item: bytes) -> bytes:
    """``xml`` (styles.xml) with one more custom number format; the section ``<numFmts>``, when
    missing, goes first in ``<styleSheet>`` as the schema orders it."""
    m = re.search(rb"(<(?:\w+:)?numFmts\b)([^>]*?)(/>|>(.*?)(</(?:\w+:)?numFmts>))", xml, re.S)
    root = re.search(rb"<((?:\w+:)?)styleSheet\b[^>]*>", xml)
    prefix = root.group(1) if root else b""
    item = re.sub(rb"^<", b"<" + prefix, item) if prefix else item
    if m is None:
        at = root.end() if root else 0
        return xml[:at] + b'<%snumFmts count="1">%s</%snumFmts>' % (prefix, item, prefix) + xml[at:]
    body = m.group(4) or b""
    count = len(re.findall(rb"<(?:\w+:)?numFmt\b", body)) + 1
    attrs = re.sub(rb'\scount="\d+"', b"", m.group(2)) + b' count="%d"' % count
    close = m.group(5) or b"</%snumFmts>" % prefix
    return xml[:m.start()] + m.group(1) + attrs + b">" + body + item + close + xml[m.end():]


# --- cells ----------------------------------------------------------------------------------------

def _cell_xml(prefix: bytes, ref: str | bytes, style: int, value: Any) -> bytes:
    """One cell: a number, an inline string (never a formula), or an empty styled cell."""
    if isinstance(ref, str):
        ref = ref.encode()
    s_attr = b' s="%d"' % style if style else b""
    if value is None or value == "":
        return b'<%bc r="%b"%b/>' % (prefix, ref, s_attr)
    if isinstance(value, str):
        if _NEEDS_CARE.search(value):
            value = escape(_ILLEGAL.sub("", value))
        return (b'<%bc r="%b"%b t="inlineStr"><%bis><%bt xml:space="preserve">%b</%bt></%bis></%bc>'
                % (prefix, ref, s_attr, prefix, prefix, value.encode("utf-8"), prefix, prefix, prefix))
    if isinstance(value, bool):
        return b'<%bc r="%b"%b t="b"><%bv>%d</%bv></%bc>' % (prefix, ref, s_attr, prefix, int(value), prefix, prefix)
    if isinstance(value, (int, float)) and math.isfinite(value):
        return b'<%bc r="%b"%b><%bv>%b</%bv></%bc>' % (prefix, ref, s_attr, prefix, repr(value).encode(), prefix,
                                                         prefix)
    return _cell_xml(prefix, ref, style, str(value))


@dataclass
class _CellEdit:
    value: Any = None
    set_value: bool = False
    fill: str | None | bool = False  # False: keep the fill
    style: int | None = None  # a style of its own (a new tab's bold header)


@dataclass
class SheetEdits:
    """What a plan does to one sheet."""

    cells: dict[tuple[int, int], _CellEdit] = field(default_factory=dict)
    rows: dict[int, list[Any]] = field(default_factory=dict)  # whole rows replaced (the owned tabs)
    appended: list[list[Any]] = field(default_factory=list)  # the Journal's new rows
    deleted: list[int] = field(default_factory=list)


def _cell_style(attrs: dict[bytes, bytes]) -> int:
    return int(attrs.get(b"s", b"0") or 0)


_ROW_START = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"")


_SHEET_DATA = re.compile(rb"<(?P<p>(?:\w+:)?)sheetData\b[^>]*?(?P<empty>/)?>")
_PLAIN_ROW_START = re.compile(rb"<row\b[^>]*?\br=\"(\d+)\"")  # a literal start: searched much faster


def _row_starts(body: bytes) -> list[tuple[int, int]]:
    """(offset, number) of each row of a sheet's data; the literal search when no row element
    can have a prefix (the usual file), else the general one."""
    pattern = _ROW_START if b":row" in body else _PLAIN_ROW_START
    return [(rm.start(), int(rm.group(1))) for rm in pattern.finditer(body)]


def patch_sheet(xml: bytes, edits: SheetEdits, styles: Styles, formulas: dict[str, str], title: str) -> bytes:
    """The sheet part with the edits applied; other rows and parts of the XML byte for byte."""
    m = _SHEET_DATA.search(xml)
    if m is None:
        raise WorkbookError(f"Onglet « {title} » : feuille sans données lisibles (sheetData).")
    prefix = m.group("p")
    if m.group("empty"):
        body, end = b"", m.end()
    else:
        close = xml.rfind(b"</%ssheetData>" % prefix)
        if close < 0:
            raise WorkbookError(f"Onglet « {title} » : feuille sans données lisibles (sheetData).")
        body, end = xml[m.end():close], close + len(b"</%ssheetData>" % prefix)
    by_row: dict[int, dict[int, _CellEdit]] = {}
    for (r, c), edit in edits.cells.items():
        by_row.setdefault(r, {})[c] = edit
    if not (by_row or edits.rows or edits.deleted):  # only rows appended (the Journal)
        starts = []
    else:
        starts = _row_starts(body)
    if edits.rows:
        body = _replace_rows(body, starts, edits.rows, styles, prefix)
        if by_row or edits.deleted:
            starts = _row_starts(body)
    if not by_row and not edits.deleted:
        content = body
    elif edits.deleted or len(starts) != _count_rows(body, prefix):  # archiving, or rows without r="…"
        content = _patch_every_row(body, by_row, edits, styles, formulas, title, prefix)
    else:
        content = _patch_rows(body, starts, by_row, styles, formulas, title, prefix)
    if edits.appended:
        first = _last_filled(content) + 1
        content = _drop_rows_from(content, first)  # empty formatted rows below: the new rows go there
        content += b"".join(_whole_rows(prefix, list(enumerate(edits.appended, start=first)), styles))
    out = xml[:m.start()] + b"<%ssheetData>" % prefix + content + b"</%ssheetData>" % prefix + xml[end:]
    return _fix_dimension(out)


@functools.lru_cache(maxsize=8)
def _text_cell_parts(prefix: str) -> tuple[str, str, str, str]:
    return (f'<{prefix}c r="', f'" t="inlineStr"><{prefix}is><{prefix}t xml:space="preserve">',
            f"</{prefix}t></{prefix}is></{prefix}c>", f"</{prefix}row>")


def _whole_rows(prefix: bytes, numbered: list[tuple[int, list[Any]]], styles: Styles) -> list[bytes]:
    """Rows of a tab the tool owns (Anomalies, Journal), each built whole: texts as inline
    strings, the quote prefix kept for ``=…`` texts, dates as date serials shown ``JJ/MM/AAAA``.
    This runs for every such row (tens of thousands): one search for characters to escape over
    all the rows' texts (a line break is not among them), and only when it finds some, one per
    text."""
    p = prefix.decode()
    start, mid, end, close = _text_cell_parts(p)
    open_row = f"<{p}row r=\""
    search = _NEEDS_CARE.search
    anywhere = search("\n".join([v for _n, values in numbered for v in values if v.__class__ is str]))
    letters = [_letters_str(c) if c else "" for c in range(max((len(v) for _n, v in numbered), default=0) + 1)]
    date_cell = None  # the date cells' opening, once a row has one
    leads = "".join(FORMULA_LEAD)
    out = []
    for number, values in numbered:
        row = str(number)
        cells = [open_row, row, '">']
        col = 0
        for value in values:
            col += 1
            kind = value.__class__
            if kind is str:
                if not value:
                    continue
                if value[0] not in leads:
                    if anywhere and search(value):
                        value = escape(_ILLEGAL.sub("", value))
                    cells += (start, letters[col], row, mid, value, end)
                    continue
            elif value is None:
                continue
            elif kind is dt.date:
                if date_cell is None:
                    date_cell = (f'<{p}c r="', f'" s="{styles.date()}"><{p}v>', f"</{p}v></{p}c>")
                cells += (date_cell[0], letters[col], row, date_cell[1], str((value - EPOCH).days), date_cell[2])
                continue
            style = styles.derive(0, quote=True) if isinstance(value, str) else 0
            ref = f"{letters[col]}{row}".encode()
            cells.append(_cell_xml(prefix, ref, style, value).decode("utf-8"))
        cells.append(close)
        out.append("".join(cells).encode("utf-8"))
    return out


@functools.lru_cache(maxsize=4096)
def _letters_str(col: int) -> str:
    return col_letter(col)



def _splice_rows(body: bytes, starts: list[tuple[int, int]], wanted, build, title: str, quick=None) -> bytes:
    """The rows numbered in ``wanted`` built anew by ``build(number, row match or None)``, in row
    order (a row the sheet lacks goes before the first row with a higher number); the spans
    between them are copied as they are. ``quick(number, start, next row's start)``, when given,
    may do a row without matching it whole: it returns the bytes from the row's start and where
    the copy goes on, or ``None``."""
    numbers = [n for _pos, n in starts]
    pieces: list[bytes] = []
    cursor = 0
    for r in sorted(wanted):
        i = bisect.bisect_left(numbers, r)
        at = starts[i][0] if i < len(starts) else len(body)
        pieces.append(body[cursor:at])
        if i < len(numbers) and numbers[i] == r:
            done = quick(r, at, starts[i + 1][0] if i + 1 < len(starts) else len(body)) if quick else None
            if done is not None:
                pieces.append(done[0])
                cursor = done[1]
                continue
            rm = _ROW.match(body, at)
            if rm is None:
                raise WorkbookError(f"Onglet « {title} » : ligne {r} illisible dans le fichier.")
            pieces.append(build(r, rm))
            cursor = rm.end()
        else:
            pieces.append(build(r, None))
            cursor = at
    pieces.append(body[cursor:])
    return b"".join(pieces)


def _replace_rows(body: bytes, starts, rows: dict[int, list[Any]], styles: Styles, prefix: bytes) -> bytes:
    """Rows of a tab the tool owns, replaced whole."""
    numbers = sorted(rows)
    built = _whole_rows(prefix, [(r, rows[r]) for r in numbers], styles)
    if not starts or (numbers and numbers[0] > starts[-1][1]):  # all after the last row (a first run)
        return body + b"".join(built)
    built_of = dict(zip(numbers, built))
    return _splice_rows(body, starts, rows, lambda r, _rm: built_of[r], "")


def _count_rows(body: bytes, prefix: bytes) -> int:
    """The row elements of a sheet's data (no other element there starts with « row », and
    texts hold no raw « < »): one pass over the bytes."""
    return body.count(b"<%srow" % prefix)


def _patch_rows(body: bytes, starts: list[tuple[int, int]], by_row, styles, formulas, title, prefix) -> bytes:
    """Only the rows with edits are parsed and rewritten; the spans between them are copied.
    Where a row's edits are all fills of cells it has (the check's highlights, by the ten
    thousand), only those cells' opening tags are rewritten."""
    def build(r: int, rm: re.Match | None) -> bytes:
        if rm is None:
            return _new_rows([r], by_row, styles, prefix)
        return _patch_row(rm, r, r, by_row[r], styles, formulas, title, prefix)

    def quick(r: int, lo: int, hi: int) -> tuple[bytes, int] | None:
        return _restyled(body, lo, hi, r, by_row[r], styles, prefix)

    return _splice_rows(body, starts, by_row, build, title, quick)


def _restyled(body: bytes, lo: int, hi: int, r: int, wanted: dict[int, _CellEdit], styles: Styles,
              prefix: bytes) -> tuple[bytes, int] | None:
    """The row starting at ``lo`` (the next one at ``hi``) with its edits made, when they are
    all fills of cells it has, in column order: the bytes from ``lo`` to the last cell's tag
    rewritten, and where the copy goes on. ``None`` otherwise (the row is rebuilt)."""
    if any(e.set_value or e.style is not None for e in wanted.values()):
        return None
    pieces: list[bytes] = []
    cursor = lo
    for col, edit in sorted(wanted.items()):
        at = body.find(b'<%sc r="%s%d"' % (prefix, _letters(col), r), cursor, hi)
        end = body.find(b">", at, hi) if at >= 0 else -1
        if end < 0:
            return None
        tag = body[at:end]
        closed = tag.endswith(b"/")
        cattrs = _attrs(tag[:-1] if closed else tag)
        new_style = styles.derive(_cell_style(cattrs), fill=edit.fill)
        if new_style:
            cattrs[b"s"] = str(new_style).encode()
        else:
            cattrs.pop(b"s", None)
        pieces += (body[cursor:at], b"<%sc%s%s" % (prefix, _attr_text(cattrs), b"/" if closed else b""))
        cursor = end
    return b"".join(pieces), cursor


def _new_rows(rows: list[int], by_row, styles, prefix) -> bytes:
    return b"".join(b'<%srow r="%d">%s</%srow>' % (
        prefix, r, b"".join(_new_cell(prefix, c, r, 0, e, styles) for c, e in sorted(by_row[r].items())), prefix)
        for r in rows)


def _patch_every_row(body: bytes, by_row, edits: SheetEdits, styles, formulas, title, prefix) -> bytes:
    """The slow path, row by row: rows to delete (archiving) renumber every row below them."""
    pieces: list[bytes] = []
    last = 0
    last_row = 0
    deleted = set(edits.deleted)
    shift = _shifter(edits.deleted)
    by_row = dict(by_row)
    for rm in _ROW.finditer(body):
        attrs = _attrs(rm.group("attrs"))
        number = int(attrs.get(b"r", str(last_row + 1).encode()))
        last_row = number
        pieces.append(body[last:rm.start()])
        last = rm.end()
        if number in deleted:
            continue
        wanted = by_row.pop(number, None)
        if wanted is None and not deleted:
            pieces.append(rm.group(0))
            continue
        pieces.append(_patch_row(rm, number, shift(number), wanted or {}, styles, formulas, title, prefix))
    pieces.append(body[last:])
    content = b"".join(pieces)
    if by_row:
        content = _insert_rows(content, sorted(by_row), by_row, styles, prefix, title, formulas, shift)
    return content


def _shifter(deleted: list[int]):
    if not deleted:
        return lambda n: n
    ordered = sorted(set(deleted))

    def shift(n: int) -> int:
        return n - bisect.bisect_left(ordered, n)
    return shift


def _patch_row(rm: re.Match, number: int, new_number: int, wanted: dict[int, _CellEdit], styles: Styles,
               formulas: dict[str, str], title: str, prefix: bytes) -> bytes:
    if number == new_number:
        quick = _patch_cells_in_place(rm, number, wanted, styles, formulas, title, prefix)
        if quick is not None:
            return quick
    attrs = _attrs(rm.group("attrs"))
    attrs.pop(b"spans", None)  # a hint only; wrong once a cell is added past it
    attrs[b"r"] = str(new_number).encode()
    body = rm.group("body") or b""
    out: list[bytes] = []
    last = 0
    pending = dict(wanted)
    for cm in _CELL.finditer(body):
        cattrs = _attrs(cm.group("attrs"))
        ref = cattrs.get(b"r", b"").decode()
        letters = re.match(r"[A-Z]+", ref)
        col = col_index(letters.group(0)) if letters else 0
        # edits of columns before this cell that the row does not have yet
        for c in sorted(k for k in pending if k < col):
            out.append(body[last:cm.start()])
            last = cm.start()
            out.append(_new_cell(prefix, c, new_number, 0, pending.pop(c), styles))
        out.append(body[last:cm.start()])
        last = cm.end()
        if col in pending:
            edit = pending.pop(col)
            if edit.set_value and cm.group("body") and re.search(rb"<(?:\w+:)?f\b", cm.group("body")):
                _note_formula(cm, col, number, formulas, title)
            out.append(_edited_cell(prefix, col, new_number, cattrs, cm, edit, styles))
        elif new_number != number:
            out.append(_renumbered(cm.group(0), col, new_number))
        else:
            out.append(cm.group(0))
    out.append(body[last:])
    for c in sorted(pending):
        out.append(_new_cell(prefix, c, new_number, 0, pending[c], styles))
    return b"<%srow%s>%s</%srow>" % (prefix, _attr_text(attrs), b"".join(out), prefix)


def _patch_cells_in_place(rm: re.Match, number: int, wanted: dict[int, _CellEdit], styles: Styles,
                          formulas: dict[str, str], title: str, prefix: bytes) -> bytes | None:
    """The fast path: every edited cell already exists in the row; each is found by its
    reference and replaced, the rest of the row kept as it is. ``None`` when one is missing."""
    row = rm.group(0)
    spots = []
    for col, edit in wanted.items():
        at = row.find(b'<%sc r="%s%d"' % (prefix, _letters(col), number))
        if at < 0:
            return None
        cm = _CELL.match(row, at)
        if cm is None:
            return None
        spots.append((cm, col, edit))
    spots.sort(key=lambda item: item[0].start())
    out, last = [], 0
    for cm, col, edit in spots:
        out.append(row[last:cm.start()])
        if edit.set_value and cm.group("body") and b"<f" in cm.group("body"):
            _note_formula(cm, col, number, formulas, title)
        out.append(_edited_cell(prefix, col, number, _attrs(cm.group("attrs")), cm, edit, styles))
        last = cm.end()
    out.append(row[last:])
    return b"".join(out)


def _letters(col: int) -> bytes:
    return _letters_str(col).encode()


def _note_formula(cm: re.Match, col: int, number: int, formulas: dict[str, str], title: str) -> None:
    f = re.search(rb"<(?:\w+:)?f\b[^>]*>(.*?)</(?:\w+:)?f>", cm.group("body"), re.S)
    if f is not None:
        from xml.sax.saxutils import unescape

        formulas[f"{title}!{col_letter(col)}{number}"] = "=" + unescape(f.group(1).decode("utf-8"))


def _renumbered(cell: bytes, col: int, row: int) -> bytes:
    return re.sub(rb'\sr="[A-Z]+\d+"', b' r="%s%d"' % (col_letter(col).encode(), row), cell, count=1)


def _edited_cell(prefix, col, row, cattrs, cm, edit: _CellEdit, styles: Styles) -> bytes:
    style = _cell_style(cattrs)
    if edit.set_value:
        return _new_cell(prefix, col, row, style, edit, styles)
    # a fill only: the value, its type and every other attribute stay as they are
    new_style = styles.derive(style, fill=edit.fill)
    cattrs = dict(cattrs)
    cattrs[b"r"] = f"{col_letter(col)}{row}".encode()
    if new_style:
        cattrs[b"s"] = str(new_style).encode()
    else:
        cattrs.pop(b"s", None)
    body = cm.group("body")
    tag = b"<" + cm.group("p") + b"c" + _attr_text(cattrs)
    return tag + b"/>" if body is None else tag + b">" + body + b"</" + cm.group("p") + b"c>"


def _new_cell(prefix, col, row, style, edit: _CellEdit, styles: Styles) -> bytes:
    value = edit.value if edit.set_value else None
    ref = b"%b%d" % (_letters(col), row)
    if edit.style is not None:
        return _cell_xml(prefix, ref, edit.style, value)
    if not style and edit.fill is False and not (isinstance(value, str) and value.startswith(FORMULA_LEAD)):
        return _cell_xml(prefix, ref, 0, value)  # the common case: a plain new cell
    quote = isinstance(value, str) and value.startswith(FORMULA_LEAD)
    wants_quote = True if quote else (False if styles.quoted(style) else None)
    new_style = styles.derive(style, fill=edit.fill, quote=wants_quote) if (edit.fill is not False or
                                                                           wants_quote is not None) else style
    return _cell_xml(prefix, ref, new_style, value)


def _insert_rows(content: bytes, rows: list[int], by_row, styles, prefix, title, formulas, shift) -> bytes:
    """Rows the plan writes that the sheet lacks, inserted in row order."""
    new = {r: b'<%srow r="%d">%s</%srow>' % (
        prefix, shift(r), b"".join(_new_cell(prefix, c, shift(r), 0, e, styles) for c, e in sorted(by_row[r].items())),
        prefix) for r in rows}
    out: list[bytes] = []
    last = 0
    pending = list(rows)
    for rm in _ROW.finditer(content):
        number = int(_attrs(rm.group("attrs")).get(b"r", b"0"))
        while pending and pending[0] < number:
            out.append(content[last:rm.start()])
            last = rm.start()
            out.append(new[pending.pop(0)])
    out.append(content[last:])
    out.extend(new[r] for r in pending)
    return b"".join(out)


def _drop_rows_from(content: bytes, first: int) -> bytes:
    out, last = [], 0
    for rm in _ROW.finditer(content):
        if int(_attrs(rm.group("attrs")).get(b"r", b"0")) >= first:
            out.append(content[last:rm.start()])
            last = rm.end()
    out.append(content[last:])
    return b"".join(out)


def _last_filled(content: bytes) -> int:
    """The last row number holding a value (formatted empty rows below it do not count)."""
    last = 0
    for rm in _ROW.finditer(content):
        body = rm.group("body") or b""
        if re.search(rb"<(?:\w+:)?(?:v|t|f)\b", body):
            last = max(last, int(_attrs(rm.group("attrs")).get(b"r", b"0")))
    return last


def _fix_dimension(xml: bytes) -> bytes:
    """``<dimension>`` is a hint some readers trust: drop it rather than leave it wrong (it
    stands before the sheet's data, so only the head of the part is searched)."""
    head = xml[:4096]
    m = re.search(rb"<(?:\w+:)?dimension\b[^>]*/>", head)
    return xml if m is None else xml[:m.start()] + xml[m.end():]


# --- the package ------------------------------------------------------------------------------

_SHEET_TEMPLATE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
    b'state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
    b'<cols>%s</cols><sheetData/></worksheet>'
)


def _add_sheet(parts: dict[str, bytes], title: str, header: list[str], hidden: bool = False) -> str:
    """A new, empty sheet part ``title`` in the workbook (``hidden``: as a hidden sheet); returns
    its part name."""
    book = parts["xl/workbook.xml"]
    rels = parts["xl/_rels/workbook.xml.rels"]
    n = 1
    while f"xl/worksheets/sheet{n}.xml" in parts:
        n += 1
    name = f"xl/worksheets/sheet{n}.xml"
    ids = [int(x) for x in re.findall(rb'Id="rId(\d+)"', rels)] or [0]
    rid = f"rId{max(ids) + 1}"
    sheet_ids = [int(x) for x in re.findall(rb'<(?:\w+:)?sheet\b[^>]*\ssheetId="(\d+)"', book)] or [0]
    rel = (b'<Relationship Id="%s" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           b'worksheet" Target="worksheets/sheet%d.xml"/>' % (rid.encode(), n))
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(b"</Relationships>", rel + b"</Relationships>")
    m = re.search(rb"</((?:\w+:)?)sheets>", book)
    # the relationships namespace declared on the element itself: some writers declare it per sheet
    entry = (b'<%ssheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
             b'name="%s" sheetId="%d"%s r:id="%s"/>' % (
                 m.group(1), escape(title, {'"': "&quot;"}).encode(), max(sheet_ids) + 1,
                 b' state="hidden"' if hidden else b"", rid.encode()))
    parts["xl/workbook.xml"] = book[:m.start()] + entry + book[m.start():]
    types = parts["[Content_Types].xml"]
    override = (b'<Override PartName="/%s" ContentType="application/vnd.openxmlformats-officedocument.'
                b'spreadsheetml.worksheet+xml"/>' % name.encode())
    parts["[Content_Types].xml"] = types.replace(b"</Types>", override + b"</Types>")
    widths = b"".join(b'<col min="%d" max="%d" width="%d" customWidth="1"/>' % (i, i, max(12, min(40, len(h) + 4)))
                      for i, h in enumerate(header, start=1))
    parts[name] = _SHEET_TEMPLATE % widths
    return name


# what may follow <hyperlinks> in a worksheet (ECMA-376 order): the links go before the first of them
_AFTER_LINKS = (b"printOptions", b"pageMargins", b"pageSetup", b"headerFooter", b"rowBreaks", b"colBreaks",
                b"customProperties", b"cellWatches", b"ignoredErrors", b"smartTags", b"drawing", b"legacyDrawing",
                b"legacyDrawingHF", b"picture", b"oleObjects", b"controls", b"webPublishItems", b"tableParts",
                b"extLst")


_LINK_TARGET = re.compile(r"(.+)!\$?([A-Z]{1,3})\$?(\d+)")
_QUOTE = {'"': "&quot;"}
_NEEDS_QUOTE = re.compile('[&<>"]')


def lay_out(xml: bytes, widths: list[int], link_col: int, links: list[str]) -> bytes:
    """An owned tab laid out for reading: its columns' widths, and each cell of column
    ``link_col`` (from row 2) an internal hyperlink to the cell it names (« Missions!F12 »), not a
    formula; the tab is the tool's, so both are rebuilt whole."""
    m = re.search(rb"<((?:\w+:)?)worksheet\b", xml)
    p = m.group(1) if m else b""
    cols = b"<%bcols>%b</%bcols>" % (p, b"".join(
        b'<%bcol min="%d" max="%d" width="%d" customWidth="1"/>' % (p, i, i, w) for i, w in enumerate(widths, 1)), p)
    # what comes before the rows and after them, searched apart from the rows (tens of thousands)
    data = re.search(rb"<%bsheetData\b" % p, xml)
    close = xml.rfind(b"</%bsheetData>" % p)
    close = close + len(b"</%bsheetData>" % p) if close >= 0 else xml.find(b">", data.end()) + 1
    head, rows, tail = xml[:data.start()], xml[data.start():close], xml[close:]
    head = re.sub(rb"<%bcols>.*?</%bcols>|<%bcols/>" % (p, p, p), b"", head, flags=re.S)
    tail = re.sub(rb"<%bhyperlinks>.*?</%bhyperlinks>|<%bhyperlinks/>" % (p, p, p), b"", tail, flags=re.S)
    entries: list[str] = []
    prefix, letters = p.decode(), _letters_str(link_col) if link_col else ""
    places: dict[str, str] = {}  # a tab -> its quoted, escaped name (one per tab, not per row)
    for row, target in enumerate(links, start=2):
        found = _LINK_TARGET.fullmatch(target) if link_col and target else None
        if not found:
            continue
        tab = found.group(1)
        place = places.get(tab)
        if place is None:
            place = places[tab] = escape("'" + tab.strip("'").replace("'", "''") + "'!", _QUOTE)
        shown = escape(target, _QUOTE) if _NEEDS_QUOTE.search(target) else target
        entries.append(f'<{prefix}hyperlink ref="{letters}{row}" location="{place}{found.group(2)}{found.group(3)}" '
                       f'display="{shown}"/>')
    if not entries:
        return head + cols + rows + tail
    block = b"<%bhyperlinks>%b</%bhyperlinks>" % (p, "".join(entries).encode("utf-8"), p)
    after = re.search(rb"<%b(?:%b)\b|</%bworksheet>" % (p, b"|".join(_AFTER_LINKS), p), tail)
    return head + cols + rows + tail[:after.start()] + block + tail[after.start():]


def _recalc_on_open(book: bytes) -> bytes:
    """Ask the office suite to recompute formulas on open (their cached results may be stale)."""
    m = re.search(rb"<((?:\w+:)?)calcPr\b([^>]*?)/>", book)
    if m is None:
        end = re.search(rb"</(?:\w+:)?workbook>", book)
        prefix = re.match(rb"<((?:\w+:)?)workbook", book[book.find(b"<", book.find(b"?>") + 2):])
        p = prefix.group(1) if prefix else b""
        return book[:end.start()] + b'<%scalcPr fullCalcOnLoad="1"/>' % p + book[end.start():]
    if b"fullCalcOnLoad" in m.group(2):
        return book
    return book[:m.start()] + b"<%scalcPr%s fullCalcOnLoad=\"1\"/>" % (m.group(1), m.group(2)) + book[m.end():]


_FORMULA_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,3})(\d+)\"[^>]*>(?:(?!</(?:\w+:)?c>).)*?"
                           rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?\"")
_REF_ROW = re.compile(r"(?<![A-Za-z_!'])\$?[A-Z]{1,3}\$?(\d+)\b")


def _rows_named(formula: str) -> list[int]:
    """The row numbers of the plain cell references of a formula (``I278``, ``$A$3``)."""
    return [int(n) for n in _REF_ROW.findall(re.sub(r'"[^"]*"', "", formula))]


def _refuse_shifting_rows(parts, sheets: dict[str, str], deleted: dict[str, list[int]]) -> None:
    """Archiving deletes rows and renumbers those below; a formula or a merged range at or
    below the first deleted row, a formula naming such a row, or a formula of another tab that
    names this tab, would then point at the wrong row. Our part patcher does not rewrite
    formulas, so the deletion is refused with a message naming the cell."""
    for title, rows in deleted.items():
        part = sheets.get(title)
        if not rows or part is None or part not in parts:
            continue
        first = min(rows)
        xml = parts[part]
        for m in _FORMULA_CELL.finditer(xml):
            row, text = int(m.group(2)), unescape((m.group(3) or b"").decode("utf-8", "replace"))
            if row >= first or any(n >= first for n in _rows_named(text)):
                where = f"{title}!{m.group(1).decode()}{row}"
                raise WorkbookError(
                    f"Archivage refusé dans « {title} » : la formule de {where}"
                    f"{' (=' + text + ')' if text else ''} est sous les lignes à archiver ou les désigne ; "
                    "supprimer ces lignes la ferait pointer sur d'autres lignes. Déplacez la formule au-dessus "
                    "(ou remplacez-la par sa valeur), ou archivez ces lignes à la main ; rien n'a été supprimé.")
        for m in _MERGE.finditer(xml):
            bottom = int(m.group(4) or m.group(2))
            if bottom >= first:
                span = f"{m.group(1).decode()}{m.group(2).decode()}" + (
                    f":{m.group(3).decode()}{m.group(4).decode()}" if m.group(3) else "")
                raise WorkbookError(
                    f"Archivage refusé dans « {title} » : les cellules fusionnées {title}!{span} sont sous les "
                    "lignes à archiver ; supprimer ces lignes les décalerait. Défusionnez-les, ou archivez à la "
                    "main ; rien n'a été supprimé.")
        names = (title, f"'{title}'", f"'{title.replace(chr(39), chr(39) * 2)}'")
        for other, other_part in sheets.items():
            if other == title or other_part not in parts:
                continue
            for m in _FORMULA_CELL.finditer(parts[other_part]):
                text = unescape((m.group(3) or b"").decode("utf-8", "replace"))
                if any(f"{n}!" in text for n in names):
                    raise WorkbookError(
                        f"Archivage refusé dans « {title} » : la formule de {other}!{m.group(1).decode()}"
                        f"{int(m.group(2))} (={text}) désigne des cellules de « {title} » ; supprimer des lignes "
                        "la ferait pointer sur d'autres lignes. Remplacez-la par sa valeur ou archivez à la "
                        "main ; rien n'a été supprimé.")


def apply_plan(content: bytes, plan: WritePlan, label: str,
               unpacked: dict[str, bytes] | None = None) -> tuple[bytes, dict[str, str]]:
    """The package with the plan applied, and the formulas it replaced (cell -> ``=…``).
    ``unpacked``: parts of this very ``content`` unpacked already (by the reader), by name."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise WorkbookError(f"{label} n'est pas un classeur .xlsx lisible : enregistrez-le au format Excel "
                            "(.xlsx), puis relancez.") from None
    infos = archive.infolist()
    parts = _Parts(archive, unpacked)  # a part is unpacked only when the plan touches it
    sheets = sheet_parts(archive)
    touched: set[str] = set()
    new_headers: dict[str, list[str]] = {}
    for title, header in plan.new_tabs.items():
        if title not in sheets:
            sheets[title] = _add_sheet(parts, title, header, hidden=title in plan.hidden)
            touched |= {sheets[title], "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}
            new_headers[title] = header
    edits: dict[str, SheetEdits] = {}
    for w in plan.cells:
        sheet = edits.get(w.tab) or edits.setdefault(w.tab, SheetEdits())
        edit = sheet.cells.get((w.row, w.col))
        if edit is None:
            sheet.cells[(w.row, w.col)] = _CellEdit(w.value, True)
        else:
            edit.value, edit.set_value = w.value, True
    for f in plan.fills:
        sheet = edits.get(f.tab) or edits.setdefault(f.tab, SheetEdits())
        edit = sheet.cells.get((f.row, f.col))
        if edit is None:
            sheet.cells[(f.row, f.col)] = _CellEdit(fill=f.color)
        else:
            edit.fill = f.color
    for title, rows in plan.rows.items():
        edits.setdefault(title, SheetEdits()).rows = {r: values for r, (values, _before) in rows.items()}
    for title, rows in plan.deleted_rows.items():
        edits.setdefault(title, SheetEdits()).deleted = [r for first, n in row_runs(rows) for r in range(first, first + n)]
    if plan.deleted_rows:
        _refuse_shifting_rows(parts, sheets, plan.deleted_rows)
    for title, rows in plan.appended.items():
        edits.setdefault(title, SheetEdits()).appended = list(rows)
    if plan.journal:
        edits.setdefault(plan.journal_tab, SheetEdits()).appended = plan.journal
    styles = Styles(parts["xl/styles.xml"])
    for title, header in new_headers.items():  # a new tab's header row: bold, as people make theirs
        bold = styles.bold()
        sheet_edits = edits.setdefault(title, SheetEdits())
        for c, name in enumerate(header, start=1):
            sheet_edits.cells[(1, c)] = _CellEdit(name, True, style=bold)
    formulas: dict[str, str] = {}
    # the Journal last: a formula replaced elsewhere is journaled as its text, not a blank
    order = sorted(edits, key=lambda t: t == plan.journal_tab)
    order += [t for t in plan.layouts if t not in edits]
    with ThreadPoolExecutor(2) as pool:  # zlib deflates without the GIL: a part while the next is patched
        packed: dict[str, Future] = {}
        for title in order:
            part = sheets.get(title)
            if part is None or part not in parts:
                if title not in edits:
                    continue  # a layout for a tab the workbook has not got
                raise WorkbookError(f"Onglet « {title} » introuvable dans {label} au moment d'écrire ; relancez.")
            if title in edits:
                if title == plan.journal_tab:
                    for line in plan.journal:
                        if len(line) > 6 and line[5] in formulas:
                            line[6] = formulas[line[5]]
                parts[part] = patch_sheet(parts[part], edits[title], styles, formulas, title)
            if title in plan.layouts:
                widths, link_col, links = plan.layouts[title]
                parts[part] = lay_out(parts[part], widths, link_col, links)
            touched.add(part)
            packed[part] = pool.submit(_deflate, parts[part])
        if styles.new_xfs or styles.new_fills or styles.new_fonts:
            parts["xl/styles.xml"] = styles.serialize()
            touched.add("xl/styles.xml")
        parts["xl/workbook.xml"] = _recalc_on_open(parts["xl/workbook.xml"])
        touched.add("xl/workbook.xml")
        out = io.BytesIO()
        with archive, zipfile.ZipFile(out, "w") as dst:
            for info in infos:
                if info.filename in touched:
                    # level 1: four times faster than the default for a few % more bytes; the
                    # office suite recompresses at its next save anyway
                    data = packed[info.filename].result() if info.filename in packed else None
                    if data is None or info.compress_type != zipfile.ZIP_DEFLATED:
                        dst.writestr(_copy_info(info), parts[info.filename], compress_type=info.compress_type,
                                     compresslevel=1)
                    else:
                        _write_raw(dst, _copy_info(info), *data)
                elif not _copy_raw(content, info, dst):  # untouched: the very same compressed bytes
                    dst.writestr(_copy_info(info), archive.read(info), compress_type=info.compress_type)
            names = {i.filename for i in infos}
            for name in sorted(set(parts.loaded) - names):  # new sheet parts
                dst.writestr(name, parts[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return out.getvalue(), formulas


def _deflate(data: bytes) -> tuple[bytes, int, int]:
    """A part deflated as zipfile would at level 1: (compressed bytes, CRC-32, size)."""
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(), zlib.crc32(data), len(data)


class _Parts(dict):
    """The package's parts by name, each unpacked on first use."""

    def __init__(self, archive: zipfile.ZipFile, unpacked: dict[str, bytes] | None = None) -> None:
        super().__init__()
        self.archive = archive
        self.names = set(archive.namelist())
        self.unpacked = unpacked or {}

    def __missing__(self, name: str) -> bytes:
        data = self.unpacked.get(name)
        if data is None:
            data = self.archive.read(name)
        self[name] = data
        return data

    def __contains__(self, name) -> bool:
        return dict.__contains__(self, name) or name in self.names

    @property
    def loaded(self) -> list[str]:
        return list(self.keys())


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # a zip member's local header (30 bytes)


def _copy_raw(content: bytes, info: zipfile.ZipInfo, dst: zipfile.ZipFile) -> bool:
    """Copy a member's compressed bytes as they are (no inflate, no deflate); ``False`` when
    the member is of a kind this does not handle (encrypted, zip64), to be copied the slow way."""
    if info.flag_bits & 0x1 or info.file_size >= 0xFFFFFFFF or info.compress_size >= 0xFFFFFFFF:
        return False
    head = _LOCAL_HEADER.unpack_from(content, info.header_offset)
    if head[0] != b"PK\x03\x04":
        return False
    start = info.header_offset + _LOCAL_HEADER.size + head[9] + head[10]
    copy = _copy_info(info)
    copy.flag_bits = info.flag_bits & ~0x08  # sizes and CRC in the header: no data descriptor
    _write_raw(dst, copy, content[start:start + info.compress_size], info.CRC, info.file_size)
    return True


def _write_raw(dst: zipfile.ZipFile, info: zipfile.ZipInfo, raw: bytes, crc: int, size: int) -> None:
    """A member whose compressed bytes are ready, written as zipfile writes one: at
    ``start_dir``, which then moves past it."""
    if size >= 0xFFFFFFFF or len(raw) >= 0xFFFFFFFF:  # zip64: left to zipfile
        dst.writestr(info, zlib.decompress(raw, -15) if info.compress_type == zipfile.ZIP_DEFLATED else raw,
                     compress_type=info.compress_type, compresslevel=1)
        return
    info.CRC, info.compress_size, info.file_size = crc, len(raw), size
    dst.fp.seek(dst.start_dir)
    info.header_offset = dst.start_dir
    dst.fp.write(info.FileHeader(False))
    dst.fp.write(raw)
    dst.start_dir = dst.fp.tell()
    dst.filelist.append(info)
    dst.NameToInfo[info.filename] = info


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    copy = zipfile.ZipInfo(info.filename, info.date_time)
    copy.compress_type = info.compress_type
    copy.external_attr = info.external_attr
    copy.create_system = info.create_system
    return copy


__all__ = ["apply_plan", "Styles"]
