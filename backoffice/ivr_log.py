"""Reading the IVR call log (the *Serveur Vocal Interactif* export) into typed calls.

The export is CSV, ``;`` or ``,`` separated, UTF-8 (with or without BOM) or Latin-1, with
the columns ``date_appel``, ``numero_appelant``, ``code_saisi`` and ``resultat`` (headers
matched ignoring case, accents and spaces). Lines that cannot be read are reported by line
number and column and left out; the others are used. A file that cannot be used at all
raises :class:`InputError` (French message, exit code 2).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sheets_sync.errors import InputError
from sheets_sync.parsing import norm, phone_or_empty

DATE = "date_appel"
NUMBER = "numero_appelant"
CODE = "code_saisi"
RESULT = "resultat"
REQUIRED = (DATE, NUMBER, CODE, RESULT)
RESULTS = ("ok", "abandon", "erreur")

# Files taken from a folder (the newest one); other files there (notes, archives) are ignored.
LOG_SUFFIXES = (".csv", ".txt")

_FR_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")


@dataclass(frozen=True)
class LineProblem:
    """A line of the export left out, and why (French)."""

    line: int  # physical line number in the file (the header is line 1)
    column: str  # the export's column name, "" for the whole line
    message: str


@dataclass
class IvrLog:
    """The calls of one export.

    ``calls`` has one row per readable line: ``line`` (int), ``time`` (naive Paris
    datetime64), ``number`` (as exported), ``phone`` (E.164, ``""`` when hidden or not a
    phone), ``code`` (digits typed, ``""`` when none) and ``ok`` (bool: ``resultat`` is OK).
    """

    path: Path
    calls: pd.DataFrame
    problems: list[LineProblem] = field(default_factory=list)

    @property
    def ok_calls(self) -> pd.DataFrame:
        return self.calls[self.calls["ok"]]

    @classmethod
    def empty(cls, path: Path) -> "IvrLog":
        """No call at all: a folder with no export yet, or an export with only its header."""
        return cls(path, _calls_frame([], [], [], [], [], []))


def newest_log(path: str | Path) -> Path | None:
    """``path`` itself when it is a file; for a folder, its most recently modified export, or
    ``None`` when it holds none yet (no call has come: the presence job says the log is absent)."""
    path = Path(path)
    if path.is_dir():
        files = [p for p in path.iterdir()
                 if p.is_file() and p.suffix.lower() in LOG_SUFFIXES and not p.name.startswith(".")]
        if not files:
            return None
        return max(files, key=lambda p: (p.stat().st_mtime, p.name))
    if not path.exists():
        raise InputError(f"Journal SVI introuvable : {path}.")
    return path


def _decode(data: bytes, name: str) -> str:
    # UTF-16, as some IVR consoles and Excel's « Texte Unicode » export it: read it as such.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _utf16(data, "utf-16", name)
    head = data[:4096]
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and head[0::2].count(0) == 0:
        return _utf16(data, "utf-16-le", name)
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4 and head[1::2].count(0) == 0:
        return _utf16(data, "utf-16-be", name)
    if b"\x00" in head:
        raise InputError(f"{name} : ce n'est pas un fichier CSV (contenu binaire) ; "
                         "exportez le journal du SVI au format CSV.")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # never fails: every byte is a Latin-1 character


def _utf16(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        raise InputError(f"{name} : fichier en UTF-16 illisible ; exportez le journal du SVI en CSV "
                         "UTF-8 (ou Latin-1).") from None


def _header_key(text: str) -> str:
    return re.sub(r"[\s_-]+", "_", norm(text))


def _split_header(first_line: str, name: str) -> tuple[str, list[str]]:
    """The delimiter whose header holds every required column, and that header."""
    best: tuple[str, list[str]] = (";", [])
    for delimiter in (";", ","):
        header = next(csv.reader([first_line], delimiter=delimiter))
        keys = [_header_key(h) for h in header]
        if all(col in keys for col in REQUIRED):
            return delimiter, keys
        if len(header) > len(best[1]):
            best = (delimiter, keys)
    found = ", ".join(h for h in best[1] if h) or "(aucun)"
    missing = ", ".join(c for c in REQUIRED if c not in best[1])
    raise InputError(
        f"{name} : colonne(s) obligatoire(s) {missing} introuvable(s) à la ligne 1 "
        f"(en-têtes trouvés : {found}). Attendu un CSV séparé par « ; » ou « , » avec "
        f"{', '.join(REQUIRED)}."
    )


def _parse_times(texts: pd.Series) -> pd.Series:
    """French ``JJ/MM/AAAA HH:MM[:SS]`` or ISO date-times -> naive Paris datetime64 (NaT if not)."""
    out = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[ns]")
    for fmt in _FR_FORMATS:
        todo = out.isna()
        if not todo.any():
            return out
        out[todo] = pd.to_datetime(texts[todo], format=fmt, errors="coerce")
    todo = out.isna()
    if todo.any():
        out[todo] = texts[todo].map(_iso_time).astype("datetime64[ns]")
    return out


def _iso_time(text: str):
    try:
        value = dt.datetime.fromisoformat(text.replace(" T", "T"))
    except ValueError:
        return pd.NaT
    if value.tzinfo is not None:  # an offset given: bring it to Paris wall-clock time
        from zoneinfo import ZoneInfo

        value = value.astimezone(ZoneInfo("Europe/Paris")).replace(tzinfo=None)
    return pd.Timestamp(value)


def read_ivr_log(path: str | Path) -> IvrLog:
    """Read one IVR export; bad lines become :class:`LineProblem`, the rest typed calls."""
    path = Path(path)
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"Journal SVI {path} illisible : {err.strerror or err}.") from None
    text = _decode(data, name)
    lines = text.splitlines()
    first = next((i for i, l in enumerate(lines) if l.strip()), None)
    if first is None:
        raise InputError(f"{name} : fichier vide ; attendu l'export CSV du SVI ({', '.join(REQUIRED)}).")
    delimiter, header = _split_header(lines[first], name)
    index = {col: header.index(col) for col in REQUIRED}
    width = max(index.values()) + 1

    records, problems = [], []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            number = reader.line_num
            if number <= first + 1 or not any(cell.strip() for cell in row):
                continue
            if len(row) < width:
                missing = [c for c in REQUIRED if index[c] >= len(row)]
                problems.append(LineProblem(number, missing[0], f"ligne {number} : {len(row)} champ(s), "
                                            f"colonne {missing[0]} absente"))
                continue
            records.append((number, *(row[index[c]].strip() for c in REQUIRED)))
    except csv.Error as err:
        raise InputError(f"{name}, ligne {reader.line_num} : CSV illisible ({err}).") from None

    raw = pd.DataFrame.from_records(records, columns=["line", DATE, NUMBER, CODE, RESULT])
    times = _parse_times(raw[DATE])
    results = raw[RESULT].map({v: norm(v) for v in raw[RESULT].unique()})
    for number, value in raw.loc[times.isna(), ["line", DATE]].itertuples(index=False):
        shown = f"« {value} »" if value else "vide"
        problems.append(LineProblem(int(number), DATE, f"ligne {number}, colonne {DATE} : date {shown} "
                                    "illisible (attendu JJ/MM/AAAA HH:MM ou AAAA-MM-JJ HH:MM)"))
    bad_result = ~results.isin(RESULTS)
    for number, value in raw.loc[bad_result, ["line", RESULT]].itertuples(index=False):
        shown = f"« {value} »" if value else "vide"
        problems.append(LineProblem(int(number), RESULT, f"ligne {number}, colonne {RESULT} : résultat "
                                    f"{shown} inconnu (attendu OK, ABANDON ou ERREUR)"))
    good = times.notna() & ~bad_result
    phones = raw[NUMBER].map(_phone_cache(raw[NUMBER]))
    calls = _calls_frame(raw["line"].astype(int), times, raw[NUMBER], phones,
                         raw[CODE].str.replace(r"\s", "", regex=True), results == "ok")
    calls = calls[good].reset_index(drop=True)
    problems.sort(key=lambda p: (p.line, p.column))
    if not records:
        return IvrLog(path, calls, problems)  # the header alone: nobody has called yet
    if calls.empty:
        detail = f" ; {len(problems)} ligne(s) illisible(s), dont : {problems[0].message}" if problems else ""
        raise InputError(f"{name} : aucune ligne d'appel utilisable{detail}. "
                         "Vérifiez l'export du SVI (format : docs/workbook.md).")
    return IvrLog(path, calls, problems)


def _calls_frame(line, time, number, phone, code, ok) -> pd.DataFrame:
    return pd.DataFrame({
        "line": pd.Series(line, dtype=int), "time": pd.Series(time, dtype="datetime64[ns]"),
        "number": pd.Series(number, dtype=object), "phone": pd.Series(phone, dtype=object),
        "code": pd.Series(code, dtype=object), "ok": pd.Series(ok, dtype=bool),
    })


_FRENCH = re.compile(r"^(?:\+33|0033|0)?([1-9]\d{8})$")


def caller_phone(number: str) -> str:
    """The caller number in E.164, ``""`` when hidden or not a phone.

    French numbers in the telecom's usual forms (``+33…``, ``0033…``, ``0…``, or nine digits)
    are normalised here directly; anything else goes through ``phone_or_empty``
    (libphonenumber), which is exact but about 100 times slower.
    """
    compact = re.sub(r"[\s.\-()]", "", number)
    m = _FRENCH.match(compact)
    if m:
        return "+33" + m.group(1)
    return phone_or_empty(number)


def _phone_cache(numbers: pd.Series) -> dict[str, str]:
    """E.164 for each distinct caller number (the log repeats the same few thousand)."""
    return {n: caller_phone(n) for n in numbers.unique()}
