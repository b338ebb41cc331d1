"""The Google Sheets backend: gspread 6's HTTP client, google-auth credentials, few requests.

Per job and spreadsheet: one ``spreadsheets.get`` (sheet ids, grid sizes, values, number
formats and fills of every tab at once, thanks to ``ranges`` + ``includeGridData`` + a
``fields`` mask), the same again right before writing, and one ``spreadsheets.batchUpdate``
that Google applies entirely or not at all: new tabs, cell values (``updateCells`` with plain
string and number values, never a formula), fills and the Journal rows. Three requests.

Every request first takes a slot from the run's shared :class:`~sheets_sync.limiter.RateLimiter`,
has a timeout, and is retried a bounded number of times (:mod:`sheets_sync.retry`). The write
is retried only when it is known not to have applied: after an answer that leaves it open
(a timeout, a dropped connection, a 5xx), the target tabs are read again and a write that
landed is not sent twice.
``endpoint`` (``BACKOFFICE_SHEETS_API=http://host:port``) sends every Sheets request to an
emulator or proxy instead of Google, with anonymous credentials.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
import time
import zlib
from typing import Any, Callable

import requests
from google.auth import exceptions as auth_exceptions
from google.auth.transport.requests import AuthorizedSession
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient
from requests.adapters import HTTPAdapter

from .a1 import col_letter, quote_tab
from .backend import RawTab, WritePlan, row_runs
from .errors import ConfigError, WorkbookError
from .parsing import cell_text
from .retry import applied_for_sure_not, is_transient, retrying, status_of

SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
GOOGLE_SHEETS = "https://sheets.googleapis.com"
SERIAL_EPOCH = dt.datetime(1899, 12, 30)  # day 0 of Sheets (and Excel) date serials
WHITE = "FFFFFF"  # the default background: not a fill
# What a read asks for: sheet ids and titles, and per cell its value, text, number format
# type (to tell dates from numbers) and background colour. Nothing else travels.
GRID_FIELDS = (
    "sheets(properties(sheetId,title,gridProperties(rowCount,columnCount)),"
    "merges(startRowIndex,endRowIndex,startColumnIndex,endColumnIndex),"
    "data(startRow,startColumn,rowData(values("
    "effectiveValue,formattedValue,effectiveFormat/numberFormat/type,"
    "userEnteredFormat/backgroundColor))))"
)
META_FIELDS = "sheets(properties(sheetId,title))"


class _EndpointAdapter(HTTPAdapter):
    """Sends what was meant for https://sheets.googleapis.com to another base URL."""

    def __init__(self, endpoint: str) -> None:
        super().__init__()
        self.endpoint = endpoint.rstrip("/")

    def send(self, request, **kwargs):
        if request.url.startswith(GOOGLE_SHEETS):
            request.url = self.endpoint + request.url[len(GOOGLE_SHEETS):]
        return super().send(request, **kwargs)


class _GuardedClient(HTTPClient):
    """gspread's HTTP client, each request rate-limited, counted, timed out and retried."""

    def __init__(self, session: requests.Session, backend: "GoogleSheetsBackend") -> None:
        super().__init__(None, session=session)
        self._backend = backend

    def request(self, *args, **kwargs):
        backend = self._backend

        def attempt():
            if backend.limiter is not None:
                backend.limiter.acquire()
            with backend._count_lock:
                backend.requests += 1
            return HTTPClient.request(self, *args, **kwargs)

        if backend._single_shot:
            return attempt()
        return backend._retrying(attempt)


def _unable_to_parse(exc: APIError) -> bool:
    return status_of(exc) == 400 and "Unable to parse range" in str(exc.error.get("message", ""))


def _from_serial(serial: float, kind: str):
    moment = SERIAL_EPOCH + dt.timedelta(seconds=round(float(serial) * 86400))
    if kind == "DATE":
        return moment.date()
    if kind == "TIME":
        return moment.time()
    return moment


def cell_value(cell: dict) -> Any:
    """A ``CellData`` of the API as a raw python value (see :class:`~sheets_sync.backend.RawTab`)."""
    value = cell.get("effectiveValue")
    if not value:
        return None
    if "numberValue" in value:
        number = value["numberValue"]
        kind = cell.get("effectiveFormat", {}).get("numberFormat", {}).get("type")
        if kind in ("DATE", "DATE_TIME", "TIME"):
            return _from_serial(number, kind)
        return int(number) if float(number).is_integer() else float(number)
    if "stringValue" in value:
        return value["stringValue"]
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "errorValue" in value:
        return cell.get("formattedValue") or "#ERROR!"
    return None


def cell_fill(cell: dict) -> str | None:
    """The cell's own background as ``RRGGBB`` (white, the default, is no fill)."""
    color = cell.get("userEnteredFormat", {}).get("backgroundColor")
    if color is None:
        return None
    hexa = "".join(f"{max(0, min(255, round(color.get(c, 0) * 255))):02X}" for c in ("red", "green", "blue"))
    return None if hexa == WHITE else hexa


def rgb(hexa: str) -> dict[str, float]:
    """``RRGGBB`` as the Sheets API's colour (components from 0 to 1)."""
    return {name: int(hexa[i:i + 2], 16) / 255 for name, i in (("red", 0), ("green", 2), ("blue", 4))}


DATE_FORMAT = {"numberFormat": {"type": "DATE", "pattern": "dd/mm/yyyy"}}
WITH_FORMAT = "userEnteredValue,userEnteredFormat.numberFormat"


def entered(value: Any) -> dict:
    """A value as ``userEnteredValue``: text stays text, never a formula; a date is its serial
    shown ``JJ/MM/AAAA`` (the request's ``fields`` must then name the number format: see
    :func:`value_fields`)."""
    if value is None or value == "":
        return {}
    if value.__class__ is dt.date:
        return {"userEnteredValue": {"numberValue": (value - SERIAL_EPOCH.date()).days},
                "userEnteredFormat": DATE_FORMAT}
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, (int, float)):
        return {"userEnteredValue": {"numberValue": value}}
    return {"userEnteredValue": {"stringValue": str(value)}}


def value_fields(rows) -> str:
    """The ``fields`` of an ``updateCells`` or ``appendCells`` writing ``rows``: the values, and
    the number format too when one of them is a date."""
    if any(v.__class__ is dt.date for line in rows for v in line):
        return WITH_FORMAT
    return "userEnteredValue"


def _texts(line: list, width: int) -> list[str]:
    """A row's cells as text, cut or padded to ``width``."""
    texts = [cell_text(v) for v in line[:width]]
    return texts + [""] * (width - len(texts))


def _blocks(rows: dict[int, tuple[list, list]]) -> list[tuple[int, list[list]]]:
    """Whole rows grouped into runs of consecutive row numbers: (first row, rows' values)."""
    out: list[tuple[int, list[list]]] = []
    for number in sorted(rows):
        if out and out[-1][0] + len(out[-1][1]) == number:
            out[-1][1].append(rows[number][0])
        else:
            out.append((number, [rows[number][0]]))
    return out


def _runs(cells) -> list[tuple[str, int, int, list]]:
    """Cells grouped into runs of adjacent columns on one row: (tab, row, first col, values)."""
    ordered = sorted(((w.tab, w.row, w.col), w.value) for w in cells)
    runs: list[tuple[str, int, int, list]] = []
    for (tab, row, col), value in ordered:
        value = "" if value is None else value
        if runs and runs[-1][0] == tab and runs[-1][1] == row and runs[-1][2] + len(runs[-1][3]) == col:
            runs[-1][3].append(value)
        elif runs and runs[-1][0] == tab and runs[-1][1] == row and runs[-1][2] + len(runs[-1][3]) > col:
            runs[-1][3][col - runs[-1][2]] = value  # the same cell twice: the last value wins
        else:
            runs.append((tab, row, col, [value]))
    return runs


PIXELS_PER_CHARACTER = 7  # a column's width in characters, in Google's pixels (Arial 10)


class GoogleSheetsBackend:
    """One Google spreadsheet, read and written through gspread's ``HTTPClient``."""

    # whether a write is refused when the workbook changed since the read (so a row it adds is
    # certainly alone): True for a file, False for Google (concurrent writes both apply)
    exclusive_writes = False

    def __init__(
        self,
        spreadsheet_id: str,
        session: requests.Session,
        *,
        timeout_s: float = 30.0,
        max_retries: int = 5,
        backoff_s: float = 1.0,
        max_backoff_s: float = 60.0,
        limiter=None,
        account: str = "",
        sleep: Callable[[float], None] = time.sleep,
        late_apply_s: float | None = None,
    ) -> None:
        self.spreadsheet_id = spreadsheet_id
        self.label = f"Google Sheets {spreadsheet_id}"
        self.account = account  # the service account's e-mail, for the "share it" message
        self.limiter = limiter
        self.timeout_s = timeout_s
        self.max_retries = max(0, int(max_retries))
        self.requests = 0  # HTTP requests sent (retries included: they count in the quota)
        self._count_lock = threading.Lock()
        self._retrying = retrying(self.max_retries, backoff_s, max_backoff_s, sleep)
        self.http = _GuardedClient(session, self)
        self.http.set_timeout(timeout_s)
        self._sheet_ids: dict[str, int] = {}
        self._grid_sizes: dict[str, tuple[int, int]] = {}  # title -> (rows, columns) of the grid
        self._titles: set[str] | None = None  # every tab title, once metadata was fetched
        self._single_shot = False  # the write: no blind retry (see write)
        self._backoff = (backoff_s, max_backoff_s, sleep)
        self.late_apply_s = timeout_s if late_apply_s is None else late_apply_s
        self.echo: dict[str, RawTab] = {}  # the tabs the last write's answer returned (WritePlan.echo)  # how long a write the client gave up on may still land

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_settings(
        cls,
        spreadsheet_id: str,
        credentials: str | None = "",
        endpoint: str | None = None,
        timeout_s: float = 30.0,
        max_retries: int = 5,
        backoff_s: float = 1.0,
        max_backoff_s: float = 60.0,
        limiter=None,
        sleep: Callable[[float], None] = time.sleep,
        late_apply_s: float | None = None,
    ) -> "GoogleSheetsBackend":
        """Credentials from a service-account key file, else application default credentials;
        with ``endpoint`` (an emulator or proxy), anonymous credentials and every request there."""
        account = ""
        if endpoint:
            from google.auth.credentials import AnonymousCredentials

            session = AuthorizedSession(AnonymousCredentials())
            session.trust_env = False  # loopback: no proxy from the environment
            session.mount(GOOGLE_SHEETS, _EndpointAdapter(endpoint))
        else:
            creds = cls._credentials(credentials or "")
            account = getattr(creds, "service_account_email", "") or ""
            session = AuthorizedSession(creds, refresh_timeout=timeout_s)
        return cls(spreadsheet_id, session, timeout_s=timeout_s, max_retries=max_retries,
                   backoff_s=backoff_s, max_backoff_s=max_backoff_s, limiter=limiter,
                   account=account, sleep=sleep, late_apply_s=late_apply_s)

    @staticmethod
    def _credentials(path: str):
        if path:
            from google.oauth2 import service_account

            if not os.path.isfile(path):
                raise ConfigError(
                    f"Clé de compte de service introuvable : {path}. Indiquez le fichier JSON "
                    "téléchargé depuis la console Google Cloud (sheets.credentials)."
                )
            try:
                return service_account.Credentials.from_service_account_file(path, scopes=SCOPES)
            except (ValueError, KeyError) as err:
                raise ConfigError(
                    f"Clé de compte de service illisible : {path} ({err}). Téléchargez une "
                    "nouvelle clé JSON du compte de service."
                ) from err
        import google.auth

        try:
            creds, _project = google.auth.default(scopes=SCOPES)
        except auth_exceptions.DefaultCredentialsError as err:
            raise ConfigError(
                "Aucun identifiant Google trouvé. Indiquez la clé JSON d'un compte de service "
                "(sheets.credentials ou GOOGLE_APPLICATION_CREDENTIALS), ou lancez "
                "« gcloud auth application-default login »."
            ) from err
        return creds

    # -- errors ---------------------------------------------------------------------------
    def _error(self, exc: BaseException) -> WorkbookError:
        sid = self.spreadsheet_id
        tries = self.max_retries + 1
        code = status_of(exc)
        if isinstance(exc, APIError):
            if code == 403:
                who = f"le compte de service {self.account}" if self.account else "le compte utilisé"
                return WorkbookError(
                    f"Accès refusé au classeur Google Sheets {sid} (HTTP 403) : partagez-le avec "
                    f"{who} (droit Éditeur) et vérifiez que l'API Google Sheets est activée."
                )
            if code == 404:
                return WorkbookError(
                    f"Classeur Google Sheets {sid} introuvable (HTTP 404) : vérifiez son "
                    "identifiant (« spreadsheet » de la région) et qu'il est partagé avec le compte."
                )
            if code == 401:
                return WorkbookError(
                    f"Google refuse l'authentification pour le classeur {sid} (HTTP 401) : "
                    "vérifiez la clé du compte de service ou les identifiants par défaut."
                )
            if is_transient(exc):
                return WorkbookError(
                    f"Google Sheets ne répond pas correctement pour le classeur {sid} "
                    f"(HTTP {code}) après {tries} tentatives. Réessayez dans quelques minutes."
                )
            return WorkbookError(
                f"Google Sheets refuse la requête sur le classeur {sid} (HTTP {code}) : "
                f"{exc.error.get('message', '')}"
            )
        if isinstance(exc, auth_exceptions.RefreshError):
            return WorkbookError(
                f"Impossible d'obtenir un jeton Google pour le classeur {sid} ({exc}) : "
                "vérifiez la clé du compte de service ou les identifiants par défaut."
            )
        if isinstance(exc, requests.Timeout):
            what = f"délai de {self.timeout_s:g} s dépassé"
        else:
            what = "connexion impossible"
        return WorkbookError(
            f"Google Sheets injoignable pour le classeur {sid} ({what}) après {tries} "
            "tentatives. Vérifiez la connexion, puis réessayez."
        )

    def _call(self, method, *args, passthrough: Callable[[APIError], bool] = lambda e: False):
        try:
            return method(self.spreadsheet_id, *args)
        except APIError as exc:
            if passthrough(exc):
                raise
            raise self._error(exc) from exc
        except (requests.RequestException, auth_exceptions.GoogleAuthError) as exc:
            raise self._error(exc) from exc

    # -- reading --------------------------------------------------------------------------
    def _metadata(self) -> None:
        doc = self._call(self.http.fetch_sheet_metadata,
                         {"includeGridData": "false", "fields": META_FIELDS})
        self._sheet_ids = {s["properties"]["title"]: s["properties"]["sheetId"]
                           for s in doc.get("sheets", [])}
        self._titles = set(self._sheet_ids)

    def _grid(self, tabs: list[str], header_only: tuple[str, ...], strict: bool = False) -> dict:
        ranges = [quote_tab(t) + ("!1:1" if t in header_only else "") for t in tabs]
        params = {"ranges": ranges, "includeGridData": "true", "fields": GRID_FIELDS}
        return self._call(self.http.spreadsheets_get, params,
                          passthrough=(lambda e: False) if strict else _unable_to_parse)

    def read(self, tabs: list[str], header_only: tuple[str, ...] = ()) -> dict[str, RawTab]:
        """One ``spreadsheets.get`` for all the tabs; a missing tab is absent from the answer.

        When a tab is missing (the owned tabs, on a new sheet), Google refuses the ranges: the
        fallback reads every tab in one more request, so a first run costs 4 requests, not 5.
        """
        wanted = [t for t in dict.fromkeys(tabs) if self._titles is None or t in self._titles]
        try:
            doc = self._grid(wanted, header_only) if wanted else {}
        except APIError:  # a tab does not exist: read them all, keep those asked for
            doc = self._call(self.http.fetch_sheet_metadata,
                             {"includeGridData": "true", "fields": GRID_FIELDS})
            self._titles = {s["properties"]["title"] for s in doc.get("sheets", [])}
        out: dict[str, RawTab] = {}
        for sheet in doc.get("sheets", []):
            props = sheet.get("properties", {})
            title = props.get("title")
            self._sheet_ids[title] = props.get("sheetId", 0)
            grid = props.get("gridProperties", {})
            self._grid_sizes[title] = (grid.get("rowCount", 1000), grid.get("columnCount", 26))
            if title not in wanted:
                continue
            tab = self._raw_tab(title, sheet.get("data", []), props.get("sheetId", 0))
            tab.merged = [(m.get("startRowIndex", 0) + 1, m.get("startColumnIndex", 0) + 1,
                           m.get("endRowIndex", 1), m.get("endColumnIndex", 1)) for m in sheet.get("merges", [])]
            if title in header_only:
                tab = RawTab(title, tab.rows[:1], {k: v for k, v in tab.fills.items() if k[0] == 1},
                             tab.sheet_id)
            out[title] = tab
        return out

    reread = read

    @staticmethod
    def _raw_tab(title: str, grids: list[dict], sheet_id: int) -> RawTab:
        rows: list[list[Any]] = []
        fills: dict[tuple[int, int], str] = {}
        for grid in grids:
            top, left = grid.get("startRow", 0), grid.get("startColumn", 0)
            for i, row in enumerate(grid.get("rowData", [])):
                cells = row.get("values", [])
                if not cells:
                    continue
                r = top + i
                while len(rows) <= r:
                    rows.append([])
                line = rows[r]
                if len(line) < left + len(cells):
                    line.extend([None] * (left + len(cells) - len(line)))
                for j, cell in enumerate(cells):
                    if not cell:
                        continue
                    line[left + j] = cell_value(cell)
                    fill = cell_fill(cell)
                    if fill:
                        fills[(r + 1, left + j + 1)] = fill
        return RawTab(title, rows, fills, sheet_id)

    # -- writing --------------------------------------------------------------------------
    def _sheet_id(self, title: str) -> int:
        if title not in self._sheet_ids:
            self._metadata()
        if title not in self._sheet_ids:
            raise WorkbookError(f"Onglet « {title} » introuvable dans {self.label}.")
        return self._sheet_ids[title]

    def _new_sheet_id(self, title: str) -> int:
        sid = zlib.crc32(title.encode("utf-8")) & 0x3FFFFFFF
        while sid in self._sheet_ids.values():
            sid = (sid + 1) & 0x3FFFFFFF
        return sid

    def grid_cells(self) -> int | None:
        """Rows × columns of every tab known from the reads (Google counts grid cells, empty
        ones included, against its 10 million)."""
        return sum(rows * cols for rows, cols in self._grid_sizes.values())

    def read_only_note(self) -> str:
        """Nothing keeps this backend from writing once the job asks."""
        return ""

    def write(self, plan: WritePlan) -> None:
        """The whole plan in one ``spreadsheets.batchUpdate``, applied entirely or not at all.

        A throttled write (429: not applied) is sent again after the wait Google asks for. After
        an answer that leaves it open (timeout, dropped connection, 5xx), the target tabs are
        read again: a write that landed is done, one that did not is sent again. So every cell
        written has exactly one Journal row, however the network fails.
        """
        body = {"requests": self.write_requests(plan)}
        if not body["requests"]:
            return
        self.echo = {}
        if plan.echo:  # the tabs as this batch leaves them, in its answer: no read after it
            body.update(includeSpreadsheetInResponse=True, responseIncludeGridData=True,
                        responseRanges=[quote_tab(t) for t in plan.echo])
        landed = []

        def unapplied(exc: BaseException) -> bool:
            if not is_transient(exc):
                return False
            if applied_for_sure_not(exc):
                return True
            if self._verified(plan):
                landed.append(True)
                return False
            return True

        def send():
            self._single_shot = True
            try:
                return self.http.batch_update(self.spreadsheet_id, body)
            finally:
                self._single_shot = False

        backoff_s, max_backoff_s, sleep = self._backoff
        try:
            answer = retrying(self.max_retries, backoff_s, max_backoff_s, sleep, retry_if=unapplied)(send)
            doc = answer.get("updatedSpreadsheet", {}) if isinstance(answer, dict) else {}
            for sheet in doc.get("sheets", []):
                title = sheet.get("properties", {}).get("title")
                if title in plan.echo:
                    self.echo[title] = self._raw_tab(title, sheet.get("data", []), sheet["properties"].get("sheetId", 0))
        except (APIError, requests.RequestException, auth_exceptions.GoogleAuthError) as exc:
            if landed:
                return
            err = self._error(exc)
            if is_transient(exc):
                err = WorkbookError(f"{err} Rien n'a été écrit dans le classeur (vérifié après l'échec).")
            raise err from exc

    def _verified(self, plan: WritePlan) -> bool:
        """After an answer that leaves the write open: whether it landed, found out for sure
        before anything is sent again. The write's id is looked for in the Journal; when it is
        not there yet, the late apply of a request the client gave up on is waited out
        (``late_apply_s``) and the Journal looked at once more. A verification read that fails
        is tried again; when none can be made, the write is reported uncertain, never resent
        blindly (a resend could duplicate the Journal)."""
        backoff_s, max_backoff_s, sleep = self._backoff
        waited = False
        failures = 0
        while True:
            try:
                if self._landed(plan):
                    return True
            except WorkbookError as err:
                failures += 1
                if failures > self.max_retries:
                    raise WorkbookError(
                        f"Écriture incertaine dans {self.label} : la réponse de Google s'est perdue et la "
                        f"vérification a échoué ({err}). Rien n'est renvoyé ; relancez plus tard : la tâche "
                        "reprendra là où elle en est, sans rien écrire deux fois.") from None
                sleep(min(max_backoff_s, backoff_s * 2 ** failures))
                continue
            if waited or not plan.write_id:
                return False
            sleep(self.late_apply_s)
            waited = True

    def write_requests(self, plan: WritePlan) -> list[dict]:
        """The requests of one atomic batch: new tabs (with their cells), grid growth, values,
        fills, then the Journal rows."""
        new_tabs = dict(plan.new_tabs)
        batch: list[dict] = []
        for title, header in new_tabs.items():
            batch += self._new_tab_requests(title, header, plan)
        existing = [w for w in plan.cells if w.tab not in new_tabs]
        batch += self._grow_requests(existing, plan.fills)
        for tab, rows in plan.rows.items():
            if tab in new_tabs:
                continue  # written with the new tab
            batch += self._grow_requests([], [], rows_of={tab: rows})
            for first, block in _blocks(rows):
                batch.append({"updateCells": {
                    "start": {"sheetId": self._sheet_id(tab), "rowIndex": first - 1, "columnIndex": 0},
                    "rows": [{"values": [entered(v) for v in values]} for values in block],
                    "fields": value_fields(block),
                }})
        for tab, row, col, vals in _runs(existing):
            batch.append({"updateCells": {
                "start": {"sheetId": self._sheet_id(tab), "rowIndex": row - 1, "columnIndex": col - 1},
                "rows": [{"values": [entered(v) for v in vals]}],
                "fields": value_fields([vals]),
            }})
        for f in plan.fills:
            cell = {"userEnteredFormat": {"backgroundColor": rgb(f.color)}} if f.color else {}
            batch.append({"repeatCell": {
                "range": {"sheetId": self._sheet_id(f.tab), "startRowIndex": f.row - 1,
                          "endRowIndex": f.row, "startColumnIndex": f.col - 1, "endColumnIndex": f.col},
                "cell": cell,
                "fields": "userEnteredFormat.backgroundColor",
            }})
        for title, rows in plan.deleted_rows.items():
            for first, count in row_runs(rows):
                batch.append({"deleteDimension": {"range": {
                    "sheetId": self._sheet_id(title), "dimension": "ROWS",
                    "startIndex": first - 1, "endIndex": first - 1 + count}}})
        batch += self._layout_requests(plan)
        for title, rows in plan.appended.items():  # after the last row with data, whoever wrote it
            batch.append({"appendCells": {
                "sheetId": self._sheet_id(title),
                "rows": [{"values": [entered(v) for v in line]} for line in rows],
                "fields": value_fields(rows),
            }})
        if plan.journal:
            batch.append({"appendCells": {
                "sheetId": self._sheet_id(plan.journal_tab),
                "rows": [{"values": [entered(v) for v in line]} for line in plan.journal],
                "fields": "userEnteredValue",
            }})
        return batch

    def _layout_requests(self, plan: WritePlan) -> list[dict]:
        """An owned tab rewritten, laid out for reading: its columns' widths, and each cell of its
        link column (from row 2) a link to the cell it names (``#gid=…&range=F12``, a text format
        run: never a formula)."""
        out: list[dict] = []
        for title, (widths, link_col, links) in plan.layouts.items():
            sid = self._sheet_ids.get(title)
            if sid is None:
                continue
            for i, width in enumerate(widths):
                out.append({"updateDimensionProperties": {
                    "range": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": i, "endIndex": i + 1},
                    "properties": {"pixelSize": int(width * PIXELS_PER_CHARACTER)}, "fields": "pixelSize"}})
            if not link_col:
                continue
            rows = []
            for text in links:
                target, _bang, ref = str(text).rpartition("!")
                gid = self._sheet_ids.get(target.strip("'").replace("''", "'")) if target else None
                uri = f"#gid={gid}&range={ref}" if gid is not None and ref else None
                rows.append({"values": [{"textFormatRuns": [{"startIndex": 0, "format": {"link": {"uri": uri}}}]}
                                        if uri else {}]})
            if any(r["values"][0] for r in rows):
                out.append({"updateCells": {"start": {"sheetId": sid, "rowIndex": 1, "columnIndex": link_col - 1},
                                            "rows": rows, "fields": "textFormatRuns"}})
        return out

    def _grow_requests(self, cells, fills, rows_of: dict | None = None) -> list[dict]:
        """``appendDimension`` where a cell lies beyond its tab's grid (a job column added
        after the last one, Anomalies growing): ``updateCells`` does not grow a grid by itself."""
        need: dict[str, list[int]] = {}
        for w in list(cells) + list(fills):
            rows, cols = need.setdefault(w.tab, [0, 0])
            need[w.tab] = [max(rows, w.row), max(cols, w.col)]
        for tab, rows in (rows_of or {}).items():
            width = max((len(values) for values, _before in rows.values()), default=0)
            need[tab] = [max(need.get(tab, [0, 0])[0], max(rows)), max(need.get(tab, [0, 0])[1], width)]
        out = []
        for tab, (rows, cols) in need.items():
            have_rows, have_cols = self._grid_sizes.get(tab, (rows, cols))
            for dimension, wanted, have in (("ROWS", rows, have_rows), ("COLUMNS", cols, have_cols)):
                if wanted > have:
                    out.append({"appendDimension": {"sheetId": self._sheet_id(tab), "dimension": dimension,
                                                    "length": wanted - have}})
            self._grid_sizes[tab] = (max(rows, have_rows), max(cols, have_cols))
        return out

    def _landed(self, plan: WritePlan) -> bool:
        """After an uncertain answer: does the spreadsheet hold what the plan wrote? The batch
        is atomic, so its id in the Journal (or one cell, fill or new tab of it) is all of it.
        A read that fails is a :class:`WorkbookError`."""
        if plan.write_id and plan.journal and plan.journal_tab not in plan.new_tabs:
            letter = col_letter(plan.journal_id_col)
            doc = self._call(self.http.spreadsheets_get,
                             {"ranges": [f"{quote_tab(plan.journal_tab)}!{letter}:{letter}"],
                              "includeGridData": "true", "fields": GRID_FIELDS})
            for sheet in doc.get("sheets", []):
                tab = self._raw_tab(plan.journal_tab, sheet.get("data", []), 0)
                if any(plan.write_id in (cell_text(v) for v in line) for line in tab.rows):
                    return True
            return False
        tabs = sorted({w.tab for w in plan.cells} | {f.tab for f in plan.fills} | set(plan.new_tabs)
                      | set(plan.deleted_rows) | set(plan.rows))
        fresh = self.read(tabs)
        if any(t not in fresh for t in plan.new_tabs):
            return False
        if plan.new_tabs:
            return True
        for w in plan.cells:
            if cell_text(fresh[w.tab].value(w.row, w.col)) == cell_text(w.value) != cell_text(w.expected):
                return True
        for f in plan.fills:
            if fresh[f.tab].fills.get((f.row, f.col)) == f.color and f.before != f.color:
                return True
        for title, rows in plan.rows.items():  # the owned tabs' rows
            held = fresh[title].rows
            for number, (values, before) in rows.items():
                want = [cell_text(v) for v in values]
                now = _texts(held[number - 1] if number - 1 < len(held) else [], len(want))
                if now == want != _texts(before, len(want)):
                    return True
        for title, rows in plan.deleted_rows.items():  # archiving: the sheet got shorter
            if len(fresh[title].rows) <= plan.row_counts.get(title, 0) - len(rows):
                return True
        return False

    def _new_tab_requests(self, title: str, header: list[str], plan: WritePlan) -> list[dict]:
        sid = self._new_sheet_id(title)
        self._sheet_ids[title] = sid
        if self._titles is not None:
            self._titles.add(title)
        grid = RawTab(title, [list(header)])
        for w in plan.cells:
            if w.tab == title:
                grid.set_value(w.row, w.col, w.value)
        for number, (values, _before) in plan.rows.get(title, {}).items():
            for col, value in enumerate(values, start=1):
                grid.set_value(number, col, value)
        width = max((len(r) for r in grid.rows), default=1)
        height = len(grid.rows) + (len(plan.journal) if title == plan.journal_tab else 0)
        return [
            {"addSheet": {"properties": {
                "sheetId": sid, "title": title, "sheetType": "GRID", "hidden": title in plan.hidden,
                "gridProperties": {"rowCount": max(1000, height + 100), "columnCount": max(26, width),
                                   "frozenRowCount": 1},
            }}},
            {"updateCells": {
                "start": {"sheetId": sid, "rowIndex": 0, "columnIndex": 0},
                "rows": [{"values": [entered(v) for v in line]} for line in grid.rows],
                "fields": value_fields(grid.rows),
            }},
        ]
