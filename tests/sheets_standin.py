"""An in-process stand-in of the Google Sheets API v4, for tests and benchmarks.

A real HTTP server (``http.server`` in a thread on 127.0.0.1, a free port) that speaks the
few endpoints the backend and gspread use, answering in Google's shapes (checked against
real recordings by ``tests/test_standin_vs_recordings.py``):

- ``GET /v4/spreadsheets/{id}`` (``includeGridData``, repeated ``ranges``, ``fields`` masks),
- ``GET …/values/{range}`` and ``GET …/values:batchGet`` (render options),
- ``PUT …/values/{range}``, ``POST …/values:batchUpdate`` (``RAW`` and ``USER_ENTERED``),
  ``POST …/values/{range}:clear``,
- ``POST …:batchUpdate`` (addSheet, deleteSheet, updateSheetProperties, updateCells,
  repeatCell, appendCells; setDataValidation accepted and ignored), atomic.

Sheets are sparse grids of cells (value, formula, number format, background). Tests can
count requests, make the next answers fail (429 with ``Retry-After``, 500…), and play a
person's edit right before the N-th request.
"""
from __future__ import annotations

import ast
import copy
import datetime as dt
import functools
import json
import operator
import random
import re
import threading
import time
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlsplit

EPOCH = dt.datetime(1899, 12, 30)
TITLE_PLAIN = re.compile(r"^\w+$")
A1_PART = re.compile(r"^\$?([A-Za-z]*)\$?(\d*)$")


DROP = -1  # a failure that closes the connection without an answer


class ApiError(Exception):
    """An error answer in Google's shape."""

    STATUS = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
              429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}

    def __init__(self, code: int, message: str, headers: dict | None = None,
                 details: list | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.headers, self.details = code, message, headers or {}, details

    def body(self) -> dict:
        error = {"code": self.code, "message": self.message, "status": self.STATUS.get(self.code, "UNKNOWN")}
        if self.details:
            error["details"] = self.details
        return {"error": error}


# -- cells ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    value: Any = None  # str | float | bool | None, or an ErrorValue
    formula: str | None = None
    kind: str | None = None  # number format type: DATE, TIME, DATE_TIME, NUMBER…
    pattern: str | None = None
    bg: str | None = None  # RRGGBB
    note: str | None = None
    link: str | None = None  # the uri of its text's link (textFormatRuns), shown as CellData.hyperlink

    def is_empty(self) -> bool:
        return self.value is None and self.formula is None and self.bg is None and not self.note


@dataclass(frozen=True)
class ErrorValue:
    kind: str  # NAME, DIVIDE_BY_ZERO…
    text: str  # "#NAME?"


EMPTY = Cell()
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.Div: operator.truediv, ast.Pow: operator.pow, ast.USub: operator.neg, ast.UAdd: operator.pos}


def _arith(node):
    if isinstance(node, ast.Expression):
        return _arith(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_arith(node.left), _arith(node.right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_arith(node.operand))
    raise ValueError("not arithmetic")


def formula_cell(formula: str, base: Cell = EMPTY) -> Cell:
    """A formula; plain arithmetic is computed, anything else is ``#NAME?``."""
    try:
        value = float(_arith(ast.parse(formula[1:].replace("^", "**"), mode="eval")))
    except ZeroDivisionError:
        value = ErrorValue("DIVIDE_BY_ZERO", "#DIV/0!")
    except (SyntaxError, ValueError, TypeError):
        value = ErrorValue("NAME", "#NAME?")
    return replace(base, value=value, formula=formula, kind=None, pattern=None)


def serial(moment: dt.datetime) -> float:
    return (moment - EPOCH).total_seconds() / 86400


def from_serial(number: float) -> dt.datetime:
    return EPOCH + dt.timedelta(seconds=round(number * 86400))


def python_cell(value: Any, base: Cell = EMPTY) -> Cell:
    """A python value stored as is (RAW): text stays text."""
    if value is None or value == "":
        return replace(base, value=None, formula=None)
    if isinstance(value, bool):
        return replace(base, value=value, formula=None)
    if isinstance(value, (int, float)):
        return replace(base, value=float(value), formula=None)
    if isinstance(value, dt.datetime):
        return replace(base, value=serial(value), formula=None, kind="DATE_TIME", pattern="dd/mm/yyyy hh:mm:ss")
    if isinstance(value, dt.date):
        return replace(base, value=serial(dt.datetime.combine(value, dt.time())), formula=None,
                       kind="DATE", pattern="dd/mm/yyyy")
    if isinstance(value, dt.time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return replace(base, value=seconds / 86400, formula=None, kind="TIME", pattern="hh:mm")
    return replace(base, value=str(value), formula=None)


def typed_cell(value: Any, locale: str, base: Cell = EMPTY) -> Cell:
    """A value as if typed by a person (USER_ENTERED): formulas, numbers, dates, booleans."""
    if not isinstance(value, str):
        return python_cell(value, base)
    text = value
    if text == "":
        return python_cell(None, base)
    if text.startswith("'"):
        return python_cell(text[1:], base)
    if text.startswith("="):
        return formula_cell(text, base)
    french = locale.startswith("fr")
    if text.upper() in (("VRAI", "FAUX") if french else ("TRUE", "FALSE")):
        return python_cell(text.upper() in ("VRAI", "TRUE"), base)
    number = text.replace(",", ".") if french else text
    if re.fullmatch(r"[+-]?\d+(\.\d+)?", number.strip()):
        return python_cell(float(number), base)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        y, mo, d = map(int, m.groups())
        return _date_cell(y, mo, d, "yyyy-mm-dd", text, base)
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if m:
        a, b, y = map(int, m.groups())
        d, mo = (a, b) if french else (b, a)
        return _date_cell(y, mo, d, "dd/mm/yyyy" if french else "m/d/yyyy", text, base)
    m = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text)
    if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
        seconds = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3) or 0)
        return replace(base, value=seconds / 86400, formula=None, kind="TIME",
                       pattern="hh:mm:ss" if m.group(3) else "hh:mm")
    return python_cell(text, base)


def _date_cell(y, mo, d, pattern, text, base):
    try:
        day = dt.datetime(y, mo, d)
    except ValueError:
        return python_cell(text, base)
    return replace(base, value=serial(day), formula=None, kind="DATE", pattern=pattern)


def formatted(cell: Cell, locale: str) -> str:
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, ErrorValue):
        return v.text
    if isinstance(v, bool):
        return ("VRAI" if v else "FAUX") if locale.startswith("fr") else ("TRUE" if v else "FALSE")
    if isinstance(v, str):
        return v
    if cell.kind in ("DATE", "DATE_TIME", "TIME"):
        moment = from_serial(v)
        text = {"dd/mm/yyyy": "%d/%m/%Y", "yyyy-mm-dd": "%Y-%m-%d", "m/d/yyyy": "%m/%d/%Y",
                "hh:mm": "%H:%M", "hh:mm:ss": "%H:%M:%S",
                "dd/mm/yyyy hh:mm:ss": "%d/%m/%Y %H:%M:%S"}.get(cell.pattern or "", "%d/%m/%Y")
        out = moment.strftime(text)
        return out.replace("/0", "/").lstrip("0") if cell.pattern == "m/d/yyyy" else out
    out = format(v, ".15g")
    return out.replace(".", ",") if locale.startswith("fr") else out


def _number(v: float):
    return int(v) if float(v).is_integer() and abs(v) < 2**53 else v


def color_json(hexa: str) -> dict:
    out = {}
    for name, i in (("red", 0), ("green", 2), ("blue", 4)):
        part = int(hexa[i:i + 2], 16) / 255
        if part:
            out[name] = round(part, 8)
    return out


def color_hex(color: dict | None) -> str | None:
    if color is None:
        return None
    return "".join(f"{round(color.get(c, 0) * 255):02X}" for c in ("red", "green", "blue"))


def value_json(cell: Cell) -> dict | None:
    v = cell.value
    if v is None:
        return None
    if isinstance(v, ErrorValue):
        return {"errorValue": {"type": v.kind, "message": f"Unknown range name or function ({v.text})."}}
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, str):
        return {"stringValue": v}
    return {"numberValue": _number(v)}


@functools.lru_cache(maxsize=65536)
def cell_json(cell: Cell, locale: str) -> dict:
    """A full ``CellData`` (the ``fields`` mask of the request trims it). Shared: do not mutate."""
    if cell.is_empty():
        return {}
    out: dict[str, Any] = {}
    user_format: dict[str, Any] = {}
    if cell.bg:
        user_format["backgroundColor"] = color_json(cell.bg)
        user_format["backgroundColorStyle"] = {"rgbColor": color_json(cell.bg)}
    if cell.kind:
        user_format["numberFormat"] = {"type": cell.kind, "pattern": cell.pattern or ""}
    if cell.value is not None:
        out["userEnteredValue"] = ({"formulaValue": cell.formula} if cell.formula
                                   else value_json(cell))
        out["effectiveValue"] = value_json(cell)
        out["formattedValue"] = formatted(cell, locale)
    if user_format:
        out["userEnteredFormat"] = user_format
    effective: dict[str, Any] = {"backgroundColor": color_json(cell.bg or "FFFFFF")}
    if cell.kind:
        effective["numberFormat"] = {"type": cell.kind, "pattern": cell.pattern or ""}
    out["effectiveFormat"] = effective
    if cell.note:
        out["note"] = cell.note
    if cell.link:
        out["hyperlink"] = cell.link
        out["textFormatRuns"] = [{"format": {"link": {"uri": cell.link}}}]
    return out


# -- fields masks ------------------------------------------------------------------------
def parse_fields(text: str) -> dict:
    """``a(b,c/d),e.f`` -> ``{"a": {"b": None, "c": {"d": None}}, "e": {"f": None}}``."""
    tokens = re.findall(r"[A-Za-z0-9_@*]+|[(),/.]", text)

    def merge(tree, path, sub):
        node = tree
        for name in path[:-1]:
            if name in node and node[name] is None:
                return
            node = node.setdefault(name, {})
        last = path[-1]
        if sub is None or node.get(last, {}) is None:
            node[last] = None
        else:
            node.setdefault(last, {}).update(sub)

    def items(i):
        tree: dict = {}
        while i < len(tokens) and tokens[i] not in ",)":
            path = [tokens[i]]
            i += 1
            while i < len(tokens) and tokens[i] in "/.":
                path.append(tokens[i + 1])
                i += 2
            sub = None
            if i < len(tokens) and tokens[i] == "(":
                sub, i = items(i + 1)
                i += 1  # ")"
            merge(tree, path, sub)
            if i < len(tokens) and tokens[i] == ",":
                i += 1
        return tree, i

    return items(0)[0]


def apply_fields(obj, tree):
    if tree is None or "*" in (tree or {}):
        return obj
    if isinstance(obj, list):
        return [apply_fields(x, tree) for x in obj]
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            if key in tree:
                kept = apply_fields(value, tree[key])
                if kept == {} and isinstance(value, dict) or kept == []:
                    continue
                out[key] = kept
        return out
    return obj


# -- sheets and ranges -------------------------------------------------------------------
@dataclass
class Sheet:
    sheet_id: int
    title: str
    rows: int = 1000
    cols: int = 26
    frozen: int = 0
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # 0-based (row, col)
    widths: dict[int, int] = field(default_factory=dict)  # 0-based column -> pixelSize

    def get(self, r: int, c: int) -> Cell:
        return self.cells.get((r, c), EMPTY)

    def put(self, r: int, c: int, cell: Cell) -> None:
        if cell.is_empty():
            self.cells.pop((r, c), None)
        else:
            self.cells[(r, c)] = cell
        self.rows = max(self.rows, r + 1)
        self.cols = max(self.cols, c + 1)

    def last_row(self) -> int:
        """1 + the index of the last row holding a value (0 when none)."""
        return max((r + 1 for (r, _c), cell in self.cells.items() if cell.value is not None), default=0)

    def properties(self, index: int) -> dict:
        grid = {"rowCount": self.rows, "columnCount": self.cols}
        if self.frozen:
            grid["frozenRowCount"] = self.frozen
        return {"sheetId": self.sheet_id, "title": self.title, "index": index,
                "sheetType": "GRID", "gridProperties": grid}


# The stand-in keeps its own A1 arithmetic (not sheets_sync.a1): a bug in the client's must not
# be mirrored by the server it is tested against.
def col_letter(index: int) -> str:
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def shown_title(title: str) -> str:
    return title if TITLE_PLAIN.match(title) else "'" + title.replace("'", "''") + "'"


def a1(r0: int, c0: int, r1: int, c1: int) -> str:
    start = f"{col_letter(c0 + 1)}{r0 + 1}"
    end = f"{col_letter(c1)}{r1}"
    return start if (r1 - r0, c1 - c0) == (1, 1) else f"{start}:{end}"


@dataclass
class Spreadsheet:
    spreadsheet_id: str
    title: str
    locale: str = "fr_FR"
    sheets: list[Sheet] = field(default_factory=list)

    def sheet(self, title: str) -> Sheet | None:
        return next((s for s in self.sheets if s.title == title), None)

    def by_id(self, sheet_id: int) -> Sheet:
        for s in self.sheets:
            if s.sheet_id == sheet_id:
                return s
        raise ApiError(400, f"No grid with id: {sheet_id}")

    def parse_range(self, text: str, clamp: bool = True) -> tuple[Sheet, int, int, int, int]:
        """``'Tab'!A1:B2``, ``Tab!1:1``, ``Tab``, ``A1:B2`` -> (sheet, r0, c0, r1, c1), 0-based, end excluded."""
        bad = ApiError(400, f"Unable to parse range: {text}")
        title, part = None, text
        if text.startswith("'"):
            m = re.match(r"^'((?:[^']|'')*)'(?:!(.*))?$", text)
            if not m:
                raise bad
            title, part = m.group(1).replace("''", "'"), m.group(2)
        elif "!" in text:
            title, part = text.split("!", 1)
        elif self.sheet(text):
            title, part = text, None
        if title is None:
            sheet = self.sheets[0] if self.sheets else None
        else:
            sheet = self.sheet(title)
        if sheet is None:
            raise bad
        if not part:
            return sheet, 0, 0, sheet.rows, sheet.cols
        ends = part.split(":")
        if len(ends) > 2:
            raise bad
        parsed = []
        for end in ends:
            m = A1_PART.match(end)
            if not m or not (m.group(1) or m.group(2)):
                raise bad
            parsed.append((m.group(1), m.group(2)))
        (c_a, r_a) = parsed[0]
        c0 = col_index(c_a) - 1 if c_a else 0
        r0 = int(r_a) - 1 if r_a else 0
        if len(parsed) == 1:
            if not (c_a and r_a):
                raise bad
            r1, c1 = r0 + 1, c0 + 1
        else:
            c_b, r_b = parsed[1]
            c1 = col_index(c_b) if c_b else sheet.cols
            r1 = int(r_b) if r_b else sheet.rows
        if clamp:
            r1, c1 = min(r1, sheet.rows), min(c1, sheet.cols)
        if r0 < 0 or c0 < 0 or r1 <= r0 or c1 <= c0:
            raise bad
        return sheet, r0, c0, r1, c1


# -- the server ---------------------------------------------------------------------------
DEFAULT_FORMAT = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM", "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {"foregroundColor": {}, "fontFamily": "arial,sans,sans-serif", "fontSize": 10,
                   "bold": False, "italic": False, "strikethrough": False, "underline": False,
                   "foregroundColorStyle": {"rgbColor": {}}},
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}
THEME = {"primaryFontFamily": "Arial", "themeColors": [
    {"colorType": "TEXT", "color": {"rgbColor": {}}},
    {"colorType": "BACKGROUND", "color": {"rgbColor": {"red": 1, "green": 1, "blue": 1}}},
]}
FAILURES = {
    429: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per "
         "user' of service 'sheets.googleapis.com' for consumer 'project_number:0'.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
}


class SheetsStandIn:
    """The server and its spreadsheets. Use as a context manager; ``url`` is its base URL."""

    def __init__(self, locale: str = "fr_FR") -> None:
        self.locale = locale
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.log: list[tuple[str, str]] = []  # (method, path?query) of every request
        self._failures: list[tuple[int, float | None]] = []
        self._hooks: dict[int, Callable[["SheetsStandIn"], None]] = {}
        self._write_failures, self._write_status = 0, 503
        self.lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> "SheetsStandIn":
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, payload, headers = standin.handle(self.command, self.path, body)
                if status == DROP:  # hang up without an answer
                    self.close_connection = True
                    return
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to answer to

            do_GET = do_POST = do_PUT = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "SheetsStandIn":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- test controls ------------------------------------------------------------------
    @property
    def requests(self) -> int:
        return len(self.log)

    def fail(self, times: int, status: int = 429, retry_after: float | None = None) -> None:
        """The next ``times`` requests get ``status`` (with ``Retry-After`` if given), unapplied."""
        self._failures.extend([(status, retry_after, "before", 0.0)] * times)

    def drop(self, times: int = 1, applied: bool = False) -> None:
        """The next ``times`` requests get no answer: the connection is closed, before the
        request is applied or, with ``applied``, after it was."""
        self._failures.extend([(DROP, None, "after" if applied else "before", 0.0)] * times)

    def fail_after_applying(self, times: int = 1, status: int = 500) -> None:
        """The next ``times`` requests are applied, then answered with ``status``."""
        self._failures.extend([(status, None, "after", 0.0)] * times)

    def answer_late(self, seconds: float, times: int = 1) -> None:
        """The next ``times`` requests are applied, then answered only after ``seconds``
        (longer than the client's timeout: the client sees a timeout of a request that landed)."""
        self._failures.extend([(200, None, "after", seconds)] * times)

    def fail_writes(self, times: int, status: int = 503) -> None:
        """The next ``times`` writes (``batchUpdate``) get ``status``, unapplied; reads answer."""
        self._write_failures += times
        self._write_status = status

    def apply_late(self, seconds: float, times: int = 1) -> None:
        """The next ``times`` requests are applied only after ``seconds`` (longer than the
        client's timeout: the client gives up, looks, finds nothing yet, and the request lands
        afterwards), then answered to nobody."""
        self._failures.extend([(200, None, "late-apply", seconds)] * times)

    def before_request(self, number: int, hook: Callable[["SheetsStandIn"], None]) -> None:
        """Call ``hook(standin)`` right before handling the ``number``-th request (1-based)."""
        self._hooks[number] = hook

    def add_spreadsheet(self, spreadsheet_id: str, tabs: dict[str, list[list]] | None = None,
                        fills: dict[str, dict[str, str]] | None = None, title: str = "",
                        typed: bool = True, blank_first: bool = False) -> Spreadsheet:
        """A spreadsheet with these tabs (rows of values typed by a person, unless ``typed=False``)
        and fills (``{"Missions": {"F12": "EA9999"}}``)."""
        book = Spreadsheet(spreadsheet_id, title or f"Classeur {spreadsheet_id}", self.locale)
        if blank_first or not tabs:
            book.sheets.append(Sheet(0, "Feuille 1" if self.locale.startswith("fr") else "Sheet1"))
        for i, (name, rows) in enumerate((tabs or {}).items()):
            sheet = Sheet(1000 + i if book.sheets else 0, name,
                          rows=max(1000, len(rows)), cols=max(26, max((len(r) for r in rows), default=0)))
            for r, line in enumerate(rows):
                for c, value in enumerate(line):
                    cell = typed_cell(value, self.locale) if typed else python_cell(value)
                    sheet.put(r, c, cell)
            book.sheets.append(sheet)
        for name, cells in (fills or {}).items():
            for ref, color in cells.items():
                sheet, r0, c0, _r1, _c1 = book.parse_range(f"{shown_title(name)}!{ref}")
                sheet.put(r0, c0, replace(sheet.get(r0, c0), bg=color))
        self.spreadsheets[spreadsheet_id] = book
        return book

    def _cell_at(self, spreadsheet_id: str, tab: str, ref: str) -> tuple[Sheet, int, int]:
        sheet, r0, c0, _r1, _c1 = self.spreadsheets[spreadsheet_id].parse_range(
            f"{shown_title(tab)}!{ref}", clamp=False)
        return sheet, r0, c0

    def edit(self, spreadsheet_id: str, tab: str, ref: str, text: Any) -> None:
        """A person types ``text`` in a cell (USER_ENTERED semantics)."""
        sheet, r, c = self._cell_at(spreadsheet_id, tab, ref)
        sheet.put(r, c, typed_cell(text, self.locale, sheet.get(r, c)))

    def value(self, spreadsheet_id: str, tab: str, ref: str) -> Any:
        """The cell's effective value: str, float, bool or None (an error as its text)."""
        sheet, r, c = self._cell_at(spreadsheet_id, tab, ref)
        v = sheet.get(r, c).value
        return v.text if isinstance(v, ErrorValue) else v

    def cell(self, spreadsheet_id: str, tab: str, ref: str) -> Cell:
        sheet, r, c = self._cell_at(spreadsheet_id, tab, ref)
        return sheet.get(r, c)

    def fill(self, spreadsheet_id: str, tab: str, ref: str) -> str | None:
        return self.cell(spreadsheet_id, tab, ref).bg

    def rows(self, spreadsheet_id: str, tab: str) -> list[list[str]]:
        """The tab as formatted text, trailing blanks trimmed (what a person sees)."""
        book = self.spreadsheets[spreadsheet_id]
        sheet = book.sheet(tab)
        return self._values(book, sheet, 0, 0, sheet.rows, sheet.cols, "FORMATTED_VALUE", "SERIAL_NUMBER") or []

    def titles(self, spreadsheet_id: str) -> list[str]:
        return [s.title for s in self.spreadsheets[spreadsheet_id].sheets]

    # -- dispatch -------------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, body: bytes) -> tuple[int, dict, dict]:
        with self.lock:
            self.log.append((method, raw_path))
            hook = self._hooks.pop(len(self.log), None)
        if hook is not None:  # outside the lock: a slow hook must not hold other requests
            hook(self)
        with self.lock:
            if self._write_failures and raw_path.split("?")[0].endswith(":batchUpdate"):
                self._write_failures -= 1
                return self._failure((self._write_status, None, "before", 0.0))
            failure = self._failures.pop(0) if self._failures else None
            if failure is not None and failure[2] == "before":
                return self._failure(failure)
        if failure is not None and failure[2] == "late-apply":
            time.sleep(failure[3])  # the request is still on its way: it lands later
        with self.lock:
            try:
                answer = 200, self._route(method, raw_path, body), {}
            except ApiError as err:
                answer = err.code, err.body(), err.headers
        if failure is None or failure[2] == "late-apply":
            return answer  # (a late apply: the client is long gone)
        if failure[3]:
            time.sleep(failure[3])  # applied, answered too late
            return answer
        return self._failure(failure)

    @staticmethod
    def _failure(failure) -> tuple:
        status, retry_after = failure[0], failure[1]
        if status == DROP:
            return DROP, {}, {}
        err = ApiError(status, FAILURES.get(status, "Backend Error"))
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        return status, err.body(), headers

    def _route(self, method: str, raw_path: str, body: bytes) -> dict:
        parts = urlsplit(raw_path)
        query = parse_qs(parts.query, keep_blank_values=True)
        payload = json.loads(body or b"{}")
        path = parts.path
        m = re.fullmatch(r"/v4/spreadsheets/([^/:]+)(?::(\w+))?", path)
        m_values = re.fullmatch(r"/v4/spreadsheets/([^/:]+)/values(?::(\w+))", path)
        m_range = re.fullmatch(r"/v4/spreadsheets/([^/:]+)/values/([^:]+)(?::(\w+))?", path)
        match = m or m_values or m_range
        if not match:
            raise ApiError(404, "Requested entity was not found.")
        book = self.spreadsheets.get(unquote(match.group(1)))
        if book is None:
            raise ApiError(404, "Requested entity was not found.")
        if m and method == "GET" and not m.group(2):
            return self._get(book, query)
        if m and method == "POST" and m.group(2) == "batchUpdate":
            return self._batch_update(book, payload)
        if m_values and method == "GET" and m_values.group(2) == "batchGet":
            return {"spreadsheetId": book.spreadsheet_id,
                    "valueRanges": [self._value_range(book, r, query) for r in query.get("ranges", [])]}
        if m_values and method == "POST" and m_values.group(2) == "batchUpdate":
            return self._values_batch_update(book, payload)
        if m_range:
            rng, verb = unquote(m_range.group(2)), m_range.group(3)
            if method == "GET" and not verb:
                return self._value_range(book, rng, query)
            if method == "PUT" and not verb:
                option = (query.get("valueInputOption") or [None])[0]
                return self._write_values(book, rng, payload.get("values"), option, None)
            if method == "POST" and verb == "clear":
                sheet, r0, c0, r1, c1 = book.parse_range(rng)
                for key in [k for k in sheet.cells if r0 <= k[0] < r1 and c0 <= k[1] < c1]:
                    sheet.put(*key, replace(sheet.cells[key], value=None, formula=None))
                return {"spreadsheetId": book.spreadsheet_id,
                        "clearedRange": f"{shown_title(sheet.title)}!{a1(r0, c0, r1, c1)}"}
        raise ApiError(404, "Requested entity was not found.")

    # -- reading --------------------------------------------------------------------------
    def _get(self, book: Spreadsheet, query: dict) -> dict:
        fields = (query.get("fields") or [""])[0]
        sheets_mask = parse_fields(fields).get("sheets", {}) if fields else {}
        grid = ((query.get("includeGridData") or ["false"])[0].lower() == "true"
                or sheets_mask is None or "data" in sheets_mask)  # a mask asking for data gets it
        ranges = query.get("ranges", [])
        sheets: list[dict] = []
        if ranges:
            wanted: dict[int, list] = {}
            for text in ranges:
                sheet, *box = book.parse_range(text)
                wanted.setdefault(id(sheet), []).append(box)
            for index, sheet in enumerate(book.sheets):
                if id(sheet) in wanted:
                    entry: dict[str, Any] = {"properties": sheet.properties(index)}
                    if grid:
                        entry["data"] = [self._grid_data(book, sheet, *box) for box in wanted[id(sheet)]]
                    sheets.append(entry)
        else:
            for index, sheet in enumerate(book.sheets):
                entry = {"properties": sheet.properties(index)}
                if grid:
                    entry["data"] = [self._grid_data(book, sheet, 0, 0, sheet.rows, sheet.cols)]
                sheets.append(entry)
        doc = {
            "spreadsheetId": book.spreadsheet_id,
            "properties": {"title": book.title, "locale": book.locale, "autoRecalc": "ON_CHANGE",
                           "timeZone": "Europe/Paris", "defaultFormat": copy.deepcopy(DEFAULT_FORMAT),
                           "spreadsheetTheme": copy.deepcopy(THEME)},
            "sheets": sheets,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.spreadsheet_id}/edit",
        }
        return apply_fields(doc, parse_fields(fields)) if fields else doc

    def _grid_data(self, book, sheet: Sheet, r0, c0, r1, c1) -> dict:
        rows: list[dict] = []
        for r in range(r0, min(r1, max((k[0] + 1 for k in sheet.cells), default=0))):
            cells = [sheet.get(r, c) for c in range(c0, c1)]
            while cells and cells[-1].is_empty():
                cells.pop()
            rows.append({"values": [cell_json(c, book.locale) for c in cells]} if cells else {})
        while rows and not rows[-1]:
            rows.pop()
        out: dict[str, Any] = {}
        if r0:
            out["startRow"] = r0
        if c0:
            out["startColumn"] = c0
        if rows:
            out["rowData"] = rows
        out["rowMetadata"] = [{"pixelSize": 21} for _ in range(r0, r1)]
        out["columnMetadata"] = [{"pixelSize": sheet.widths.get(c, 100)} for c in range(c0, c1)]
        return out

    def _values(self, book, sheet, r0, c0, r1, c1, render, date_render) -> list[list] | None:
        used = min(r1, max((k[0] + 1 for k, cell in sheet.cells.items() if cell.value is not None), default=0))
        rows = []
        for r in range(r0, used):
            line = []
            for c in range(c0, c1):
                cell = sheet.get(r, c)
                line.append(self._render(cell, book.locale, render, date_render))
            while line and line[-1] == "":
                line.pop()
            rows.append(line)
        while rows and not rows[-1]:
            rows.pop()
        return rows or None

    @staticmethod
    def _render(cell: Cell, locale: str, render: str, date_render: str):
        v = cell.value
        if v is None:
            return ""
        if render == "FORMULA" and cell.formula:
            return cell.formula
        if render == "FORMATTED_VALUE" or isinstance(v, ErrorValue):
            return formatted(cell, locale)
        if isinstance(v, float):
            if cell.kind in ("DATE", "DATE_TIME", "TIME") and date_render == "FORMATTED_STRING":
                return formatted(cell, locale)
            return _number(v)
        return v

    def _value_range(self, book: Spreadsheet, text: str, query: dict) -> dict:
        sheet, r0, c0, r1, c1 = book.parse_range(text)
        render = (query.get("valueRenderOption") or ["FORMATTED_VALUE"])[0]
        date_render = (query.get("dateTimeRenderOption") or ["SERIAL_NUMBER"])[0]
        out = {"range": f"{shown_title(sheet.title)}!{a1(r0, c0, r1, c1)}", "majorDimension": "ROWS"}
        values = self._values(book, sheet, r0, c0, r1, c1, render, date_render)
        if values:
            out["values"] = values
        return out

    # -- writing --------------------------------------------------------------------------
    def _write_values(self, book, text, values, option, index) -> dict:
        if option not in ("RAW", "USER_ENTERED"):
            raise ApiError(400, "'valueInputOption' is required but not specified")
        if not isinstance(values, list) or not all(isinstance(r, list) for r in values):
            where = "data.values" if index is None else f"data[{index}].values"
            message = (f"Invalid value at '{where}' (type.googleapis.com/google.protobuf.ListValue), "
                       f"{json.dumps(values, ensure_ascii=False)}")
            raise ApiError(400, message, details=[{
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": where, "description": message}]}])
        try:
            sheet, r0, c0, _r1, _c1 = book.parse_range(text, clamp=False)
        except ApiError as err:
            raise (ApiError(400, f"Invalid data[{index}]: {err.message}") if index is not None else err) from None
        for i, line in enumerate(values):
            for j, value in enumerate(line):
                base = sheet.get(r0 + i, c0 + j)
                cell = typed_cell(value, book.locale, base) if option == "USER_ENTERED" else python_cell(value, base)
                sheet.put(r0 + i, c0 + j, cell)
        height, width = len(values), max((len(r) for r in values), default=0)
        return {"spreadsheetId": book.spreadsheet_id,
                "updatedRange": f"{shown_title(sheet.title)}!{a1(r0, c0, r0 + height, c0 + width)}",
                "updatedRows": height, "updatedColumns": width,
                "updatedCells": sum(len(r) for r in values)}

    def _values_batch_update(self, book: Spreadsheet, payload: dict) -> dict:
        option = payload.get("valueInputOption")
        snapshot = self._snapshot(book)
        try:
            responses = [self._write_values(book, d.get("range", ""), d.get("values"), option, i)
                         for i, d in enumerate(payload.get("data", []))]
        except ApiError:
            self._restore(book, snapshot)
            raise
        out = {"spreadsheetId": book.spreadsheet_id}
        if responses:
            out.update({
                "totalUpdatedRows": sum(r["updatedRows"] for r in responses),
                "totalUpdatedColumns": max(r["updatedColumns"] for r in responses),
                "totalUpdatedCells": sum(r["updatedCells"] for r in responses),
                "totalUpdatedSheets": len({r["updatedRange"].rsplit("!", 1)[0] for r in responses}),
                "responses": responses,
            })
        return out

    @staticmethod
    def _snapshot(book: Spreadsheet):
        return [replace(s, cells=dict(s.cells)) for s in book.sheets]

    @staticmethod
    def _restore(book: Spreadsheet, snapshot) -> None:
        book.sheets[:] = snapshot

    def _batch_update(self, book: Spreadsheet, payload: dict) -> dict:
        snapshot = self._snapshot(book)
        replies = []
        try:
            for i, request in enumerate(payload.get("requests", [])):
                (kind, body), = request.items()
                handler = getattr(self, f"_req_{kind}", None)
                if handler is None:
                    raise ApiError(400, f"Invalid requests[{i}]: {kind} is not supported by the stand-in")
                try:
                    replies.append(handler(book, body))
                except ApiError as err:
                    raise ApiError(400, f"Invalid requests[{i}].{kind}: {err.message}") from None
        except ApiError:
            self._restore(book, snapshot)
            raise
        answer = {"spreadsheetId": book.spreadsheet_id, "replies": replies}
        if payload.get("includeSpreadsheetInResponse"):  # the spreadsheet as the batch left it
            query = {"ranges": list(payload.get("responseRanges") or []),
                     "includeGridData": ["true" if payload.get("responseIncludeGridData") else "false"]}
            answer["updatedSpreadsheet"] = self._get(book, query)
        return answer

    def _req_addSheet(self, book, body) -> dict:
        props = body.get("properties", {})
        title = props.get("title") or f"Feuille {len(book.sheets) + 1}"
        if book.sheet(title):
            raise ApiError(400, f'A sheet with the name "{title}" already exists. Please enter another name.')
        sheet_id = props.get("sheetId")
        if sheet_id is None:
            sheet_id = random.randrange(1, 2**31)
        if any(s.sheet_id == sheet_id for s in book.sheets):
            raise ApiError(400, f"A sheet with the id {sheet_id} already exists.")
        grid = props.get("gridProperties", {})
        sheet = Sheet(sheet_id, title, grid.get("rowCount", 1000), grid.get("columnCount", 26),
                      grid.get("frozenRowCount", 0))
        book.sheets.insert(props.get("index", len(book.sheets)), sheet)
        return {"addSheet": {"properties": sheet.properties(book.sheets.index(sheet))}}

    def _req_deleteDimension(self, book, body) -> dict:
        rng = body.get("range", {})
        sheet = book.by_id(rng.get("sheetId", 0))
        start, end = rng.get("startIndex", 0), rng.get("endIndex", 0)
        rows = rng.get("dimension") == "ROWS"
        limit = sheet.rows if rows else sheet.cols
        if not 0 <= start < end <= limit:
            raise ApiError(400, f"Invalid range: {start}-{end}")
        if rows and end - start >= sheet.rows:
            raise ApiError(400, "You can't delete all the rows on the sheet.")
        n = end - start
        moved = {}
        for (r, c), cell in sheet.cells.items():
            i = r if rows else c
            if i < start:
                moved[(r, c)] = cell
            elif i >= end:
                moved[(r - n, c) if rows else (r, c - n)] = cell
        sheet.cells = moved
        if rows:
            sheet.rows -= n
        else:
            sheet.cols -= n
        return {}

    def _req_deleteSheet(self, book, body) -> dict:
        book.sheets.remove(book.by_id(body.get("sheetId")))
        return {}

    def _req_updateSheetProperties(self, book, body) -> dict:
        props = body.get("properties", {})
        sheet = book.by_id(props.get("sheetId", 0))
        tree = parse_fields(body.get("fields", ""))
        if "title" in tree and props.get("title"):
            sheet.title = props["title"]
        grid = props.get("gridProperties", {})
        sub = tree.get("gridProperties", {}) if "gridProperties" in tree else {}
        if sub is None or "rowCount" in sub:
            sheet.rows = grid.get("rowCount", sheet.rows)
        if sub is None or "columnCount" in sub:
            sheet.cols = grid.get("columnCount", sheet.cols)
        if sub is None or "frozenRowCount" in sub:
            sheet.frozen = grid.get("frozenRowCount", 0)
        return {}

    def _req_setDataValidation(self, book, body) -> dict:
        return {}

    def _apply_cell(self, book, sheet: Sheet, r: int, c: int, data: dict, tree: dict) -> None:
        if r >= sheet.rows or c >= sheet.cols:
            raise ApiError(400, f"Range ({shown_title(sheet.title)}!{col_letter(c + 1)}{r + 1}) exceeds "
                                f"grid limits. Max rows: {sheet.rows}, max columns: {sheet.cols}")
        cell = sheet.get(r, c)
        everything = "*" in tree
        if everything or "userEnteredValue" in tree:
            value = data.get("userEnteredValue") or {}
            if "formulaValue" in value:
                cell = formula_cell(value["formulaValue"], cell)
            elif "stringValue" in value:
                cell = python_cell(value["stringValue"], cell)
            elif "numberValue" in value:
                cell = python_cell(float(value["numberValue"]), cell)
            elif "boolValue" in value:
                cell = python_cell(bool(value["boolValue"]), cell)
            else:
                cell = python_cell(None, cell)
        if everything or "userEnteredFormat" in tree:
            sub = None if everything else tree["userEnteredFormat"]
            fmt = data.get("userEnteredFormat") or {}
            if sub is None or "backgroundColor" in sub or "backgroundColorStyle" in sub:
                color = fmt.get("backgroundColor")
                if color is None and "backgroundColorStyle" in fmt:
                    color = fmt["backgroundColorStyle"].get("rgbColor")
                hexa = color_hex(color)
                cell = replace(cell, bg=None if hexa in (None, "FFFFFF") else hexa)
            if sub is None or "numberFormat" in sub:
                number = fmt.get("numberFormat") or {}
                cell = replace(cell, kind=number.get("type"), pattern=number.get("pattern"))
        if everything or "note" in tree:
            cell = replace(cell, note=data.get("note") or None)
        if everything or "textFormatRuns" in tree:
            runs = data.get("textFormatRuns") or []
            if runs and not isinstance(cell.value, str):
                raise ApiError(400, "textFormatRuns need a text cell")
            link = next((run.get("format", {}).get("link", {}).get("uri") for run in runs
                         if run.get("format", {}).get("link")), None)
            cell = replace(cell, link=link)
        sheet.put(r, c, cell)

    def _req_updateDimensionProperties(self, book, body) -> dict:
        rng = body.get("range", {})
        sheet = book.by_id(rng.get("sheetId", 0))
        if rng.get("dimension") == "COLUMNS" and "pixelSize" in parse_fields(body.get("fields", "*")):
            for c in range(rng.get("startIndex", 0), rng.get("endIndex", sheet.cols)):
                sheet.widths[c] = int(body.get("properties", {}).get("pixelSize", 100))
        return {}

    def _req_updateCells(self, book, body) -> dict:
        tree = parse_fields(body.get("fields", "*"))
        if "start" in body:
            start = body["start"]
            sheet = book.by_id(start.get("sheetId", 0))
            r0, c0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
        else:
            rng = body.get("range", {})
            sheet = book.by_id(rng.get("sheetId", 0))
            r0, c0 = rng.get("startRowIndex", 0), rng.get("startColumnIndex", 0)
        for i, row in enumerate(body.get("rows", [])):
            for j, data in enumerate(row.get("values", [])):
                self._apply_cell(book, sheet, r0 + i, c0 + j, data, tree)
        return {}

    def _req_repeatCell(self, book, body) -> dict:
        tree = parse_fields(body.get("fields", "*"))
        rng = body.get("range", {})
        sheet = book.by_id(rng.get("sheetId", 0))
        for r in range(rng.get("startRowIndex", 0), rng.get("endRowIndex", sheet.rows)):
            for c in range(rng.get("startColumnIndex", 0), rng.get("endColumnIndex", sheet.cols)):
                self._apply_cell(book, sheet, r, c, body.get("cell", {}), tree)
        return {}

    def _req_appendCells(self, book, body) -> dict:
        tree = parse_fields(body.get("fields", "*"))
        sheet = book.by_id(body.get("sheetId", 0))
        rows = body.get("rows", [])
        start = sheet.last_row()
        sheet.rows = max(sheet.rows, start + len(rows))
        for i, row in enumerate(rows):
            values = row.get("values", [])
            sheet.cols = max(sheet.cols, len(values))
            for j, data in enumerate(values):
                self._apply_cell(book, sheet, start + i, j, data, tree)
        return {}
