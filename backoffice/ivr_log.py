"""Reading the IVR call log (the *Serveur Vocal Interactif* export) into typed calls.

The export is CSV, ``;`` or ``,`` separated, UTF-8 (with or without BOM) or Latin-1, with
the columns ``date_appel``, ``numero_appelant``, ``code_saisi`` and ``resultat`` (headers
matched ignoring case, accents and spaces). Lines that cannot be read are reported by line
number and column and left out; the others are used. A file that cannot be used at all
raises :class:`InputError` (French message, exit code 2).
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sheets_sync.errors import InputError

from .csv_input import csv_problem, csv_rows
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
    phone), ``code`` (digits typed, ``""`` when none), ``ok`` (bool: ``resultat`` is OK) and
    ``result`` (``OK``, ``ABANDON``, ``ERREUR``).
    """

    path: Path
    calls: pd.DataFrame
    problems: list[LineProblem] = field(default_factory=list)

    @property
    def ok_calls(self) -> pd.DataFrame:
        """The calls whose result is ``OK``: the only ones that confirm a presence."""
        return self.calls[self.calls["ok"]]

    @classmethod
    def empty(cls, path: Path) -> "IvrLog":
        """No call at all: a folder with no export yet, or an export with only its header."""
        return cls(path, _calls_frame([], [], [], [], [], []))  # no call, no result


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


def _encoding(path: Path, name: str) -> str:
    """The export's text encoding, from its first bytes (and one streaming pass for UTF-8)."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    # UTF-16, as some IVR consoles and Excel's « Texte Unicode » export it: read it as such.
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and head[0::2].count(0) == 0:
        return "utf-16-le"
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4 and head[1::2].count(0) == 0:
        return "utf-16-be"
    if b"\x00" in head:
        raise InputError(f"{name} : ce n'est pas un fichier CSV (contenu binaire) ; "
                         "exportez le journal du SVI au format CSV.")
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as fh:
        try:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "latin-1"  # never fails: every byte is a Latin-1 character
    return "utf-8"


def _header_key(text: str) -> str:
    return re.sub(r"[\s_-]+", "_", norm(text))


def _split_header(first_line: str, name: str) -> tuple[str, list[str]]:
    """The delimiter whose header holds every required column, and that header."""
    best: tuple[str, list[str]] = (";", [])
    for delimiter in (";", ","):
        header = next(csv_rows([first_line], name, delimiter), [])
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


_CHUNK = 100_000


def _parse_chunk(texts: list[str], offset: int, bad: dict[int, str]) -> np.ndarray:
    """Call times of one chunk as datetime64; the unreadable ones go to ``bad`` by position."""
    times = _parse_times(pd.Series(texts, dtype=object))
    for i in np.flatnonzero(times.isna().to_numpy()):
        bad[offset + int(i)] = texts[i]
    return times.to_numpy(dtype="datetime64[ns]")


def _iso_time(text: str):
    try:
        value = dt.datetime.fromisoformat(text.replace(" T", "T"))
    except ValueError:
        return pd.NaT
    if value.tzinfo is not None:  # an offset given: bring it to Paris wall-clock time
        from zoneinfo import ZoneInfo

        value = value.astimezone(ZoneInfo("Europe/Paris")).replace(tzinfo=None)
    return pd.Timestamp(value)


def read_ivr_log(path: str | Path, max_bytes: int = 200_000_000) -> IvrLog:
    """Read one IVR export, streaming; bad lines become :class:`LineProblem`, the rest typed calls.

    The file is read line by line and its repeated texts (numbers, codes, results) are kept
    once, so a million calls stay within a few hundred MB. A file over ``max_bytes`` is refused.
    """
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{name} : journal SVI de {size / 1e6:.0f} Mo, plus que la limite de {max_bytes / 1e6:.0f} Mo "
                "(réglage limits.ivr_log_mb) ; vérifiez l'export du SVI (un export du jour suffit)."
            )
        encoding = _encoding(path, name)
        with open(path, encoding=encoding, errors="replace", newline="") as fh:
            return _read_stream(fh, path, name)
    except UnicodeError:
        raise InputError(f"{name} : fichier en {encoding.upper()} illisible ; exportez le journal du SVI "
                         "en CSV UTF-8 (ou Latin-1).") from None
    except OSError as err:
        raise InputError(f"Journal SVI {path} illisible : {err.strerror or err}.") from None


def _read_stream(fh, path: Path, name: str) -> IvrLog:
    first = 0  # physical lines before the header
    while True:
        line = fh.readline()
        if not line:
            raise InputError(f"{name} : fichier vide ; attendu l'export CSV du SVI ({', '.join(REQUIRED)}).")
        if line.strip():
            break
        first += 1
    delimiter, header = _split_header(line.rstrip("\r\n"), name)
    index = [header.index(col) for col in REQUIRED]
    width = max(index) + 1

    seen: dict[str, str] = {}  # one copy of each repeated text
    lines: list[int] = []
    columns: tuple[list[str], ...] = ([], [], [], [])
    pending: list[str] = []  # call times not parsed yet, parsed by chunks as the file streams
    parsed: list[np.ndarray] = []
    bad_dates: dict[int, str] = {}  # position -> the unreadable text
    problems: list[LineProblem] = []
    reader = csv.reader(fh, delimiter=delimiter)
    try:
        for row in reader:
            number = first + 1 + reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < width:
                missing = [c for c, i in zip(REQUIRED, index) if i >= len(row)]
                problems.append(LineProblem(number, missing[0], f"ligne {number} : {len(row)} champ(s), "
                                            f"colonne {missing[0]} absente"))
                continue
            lines.append(number)
            pending.append(row[index[0]].strip())  # call times: nearly all different
            for column, i in zip(columns[1:], index[1:]):  # numbers, codes, results: repeated
                text = row[i].strip()
                column.append(seen.setdefault(text, text))
            if len(pending) >= _CHUNK:
                parsed.append(_parse_chunk(pending, len(lines) - len(pending), bad_dates))
                pending = []
    except csv.Error as err:
        raise InputError(f"{name}, ligne {first + 1 + reader.line_num} : CSV illisible, {csv_problem(err)}. "
                         "Corrigez le fichier ou demandez un nouvel export au SVI.") from None
    parsed.append(_parse_chunk(pending, len(lines) - len(pending), bad_dates))
    times = pd.Series(np.concatenate(parsed) if parsed else np.array([], dtype="datetime64[ns]"))
    raw = pd.DataFrame({"line": pd.Series(lines, dtype="int64"),
                        NUMBER: pd.Series(columns[1], dtype=object), CODE: pd.Series(columns[2], dtype=object),
                        RESULT: pd.Series(columns[3], dtype=object)})
    del seen, columns
    results = raw[RESULT].map({v: norm(v) for v in raw[RESULT].unique()})
    for position, value in bad_dates.items():
        number = int(raw["line"].iat[position])
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
    codes = raw[CODE].map({v: re.sub(r"\s", "", v) for v in raw[CODE].unique()})
    shown = results.map({r: str(r).upper() for r in results.unique()})  # one text per distinct result
    calls = _calls_frame(raw["line"].astype(int), times, raw[NUMBER], phones, codes, results == "ok", shown)
    del raw, phones, codes, shown, results
    if not good.all():  # (a copy of a million rows only when some must go)
        calls = calls[good].reset_index(drop=True)
    problems.sort(key=lambda p: (p.line, p.column))
    if not lines:
        return IvrLog(path, calls, problems)  # the header alone: nobody has called yet
    if calls.empty:
        detail = f" ; {len(problems)} ligne(s) illisible(s), dont : {problems[0].message}" if problems else ""
        raise InputError(f"{name} : aucune ligne d'appel utilisable{detail}. "
                         "Vérifiez l'export du SVI (format : docs/workbook.md).")
    return IvrLog(path, calls, problems)


def _calls_frame(line, time, number, phone, code, ok, result=()) -> pd.DataFrame:
    return pd.DataFrame({
        "line": pd.Series(line, dtype=int), "time": pd.Series(time, dtype="datetime64[ns]"),
        "number": pd.Series(number, dtype=object), "phone": pd.Series(phone, dtype=object),
        "code": pd.Series(code, dtype=object), "ok": pd.Series(ok, dtype=bool),
        "result": pd.Series(list(result) if len(result) else ["OK" if o else "" for o in ok], dtype=object),
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
