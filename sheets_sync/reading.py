"""Typed reading per the contract: headers matched, cells parsed, bad cells become findings."""
from __future__ import annotations

import difflib
import re
from typing import Mapping

import numpy as np
import pandas as pd

from .a1 import cell_ref
from .backend import RawTab
from .errors import WorkbookError
from .findings import ALERTE, ERREUR, Finding
from .parsing import EMPTY, PARSERS, CellError, is_empty, norm, parse_text
from .schema import AMOUNT, DATE, NUMBER, TEXT, TIME, TabSpec
from .table import ROW, Table

# Rule ids of what the reader finds (documented with the check rules).
RULE_UNREADABLE = "donnees.cellule_illisible"
RULE_REQUIRED = "donnees.champ_obligatoire"
RULE_DUPLICATE = "donnees.cle_en_double"
RULE_HEADER = "donnees.entete_a_declarer"


def _initials(text: str) -> str:
    return "".join(word[0] for word in re.split(r"[\s'_-]+", norm(text)) if word)


def closest_header(column: str, unknown: list[str]) -> str | None:
    """The header of ``unknown`` that most likely stands for the contract's ``column``: its
    initials (« CP » for « Code postal »), its abbreviation (« Tél. »), a header that holds the
    column's name or is held in it (« Date mission » for « Date »), else the closest spelling
    (difflib, ≥ 0.75)."""
    target = norm(column)
    squeezed = {h: re.sub(r"[\s.'_-]+", "", norm(h)) for h in unknown}
    for header, flat in squeezed.items():
        if len(flat) >= 2 and flat == _initials(column):
            return header
        if len(flat) >= 3 and target.replace(" ", "").startswith(flat):  # an abbreviation: « Tél. »
            return header
    for header in unknown:
        words, text = set(norm(header).split()), norm(header)
        if target in words or (len(text) >= 4 and text in target.split()) or (
                len(target.split()) > 1 and target in text):
            return header
    close = difflib.get_close_matches(target, [norm(h) for h in unknown], n=1, cutoff=0.75)
    return next((h for h in unknown if close and norm(h) == close[0]), None)


def mapping_lines(tab: str, column: str, header: str) -> str:
    """The TOML lines that map a header of the sheet onto the contract's column, keys quoted."""
    return f'[headers."{tab}"] puis "{column}" = "{header}"'


def guessed_mappings(spec: TabSpec, header_row: list, overrides: Mapping[str, str] | None = None
                     ) -> list[tuple[str, str]]:
    """``(column, header)`` for each column of the format (job columns aside) the sheet lacks
    while one of its unknown headers likely stands for it, each header used once."""
    overrides = overrides or {}
    wanted = {norm(overrides.get(c.name, c.name)) for c in spec.columns}
    found = [str(h).strip() for h in header_row if not is_empty(h)]
    present = {norm(h) for h in found}
    unknown = [h for h in found if norm(h) not in wanted]
    out = []
    for col in spec.columns:
        if col.job or norm(overrides.get(col.name, col.name)) in present:
            continue
        guess = closest_header(col.name, unknown)
        if guess is not None:
            unknown.remove(guess)
            out.append((col.name, guess))
    return out


def mappings_block(mappings: Mapping[str, list[tuple[str, str]]]) -> str:
    """The config lines mapping every guessed header, one ``[headers."Tab"]`` table per tab."""
    lines = []
    for tab, pairs in mappings.items():
        if pairs:
            lines.append(f'[headers."{tab}"]')
            lines += [f'"{column}" = "{header}"' for column, header in pairs]
    return "\n".join(lines)


def match_headers(
    spec: TabSpec, title: str, header_row: list, overrides: Mapping[str, str] | None = None
) -> tuple[dict[str, int], list[str]]:
    """Map the contract's columns (and unknown headers) to 1-based column indexes.

    Returns ``(columns, missing_job_columns)``. A missing required column raises
    :class:`WorkbookError` naming the tab, the column and the headers found.
    """
    overrides = overrides or {}
    wanted = {}
    for col in spec.columns:
        wanted[norm(overrides.get(col.name, col.name))] = col.name
    columns: dict[str, int] = {}
    found = []
    for index, header in enumerate(header_row, start=1):
        if is_empty(header):
            continue
        text = str(header).strip()
        found.append(text)
        name = wanted.get(norm(text), text)
        if name not in columns:
            columns[name] = index
    missing = [c for c in spec.columns if c.name not in columns]
    required = [c.name for c in missing if c.required]
    if required:
        unknown = [h for h in found if norm(h) not in wanted]
        hints = []
        for name in required:
            guess = closest_header(name, unknown)
            if guess:
                hints.append(f"« {guess} » → « {name} » ? (lignes à coller ci-dessous)")
        shown = ", ".join(f"« {overrides.get(n, n)} »" for n in required)
        raise WorkbookError(
            f"Onglet « {title} » : colonne obligatoire {shown} introuvable. "
            f"En-têtes trouvés en ligne 1 : {', '.join(found) or '(aucun)'}. "
            + (" ; ".join(hints) + "." if hints else
               "Ajoutez la colonne ou déclarez son nom dans la configuration ([headers.\"Onglet\"] puis "
               '"Nom du format" = "Votre en-tête").')
            + " Format des onglets : docs/workbook.md."
        )
    added = [c.name for c in missing if c.job or spec.owned]
    next_index = max([len(header_row)] + list(columns.values())) + 1
    for name in added:
        columns[name] = next_index
        next_index += 1
    return columns, added


def header_findings(spec: TabSpec, title: str, columns: Mapping[str, int]) -> list[Finding]:
    """An optional column of the format the sheet lacks while one of its unknown headers likely
    stands for it (« CP » for « Code postal »): an alerte on that header, with the lines to paste."""
    known = set(spec.names)
    unknown = [name for name in columns if name not in known]
    out = []
    for col in spec.columns:
        if col.name in columns or col.job:
            continue
        guess = closest_header(col.name, unknown)
        if guess is None:
            continue
        unknown.remove(guess)
        ref = cell_ref(title, 1, columns[guess])
        out.append(Finding(RULE_HEADER, ALERTE, title, ref, "", (
            f"{ref} : l'en-tête « {guess} » n'est pas du format et la colonne « {col.name} » manque : si c'est elle, "
            f"ajoutez à la configuration {mapping_lines(spec.name, col.name, guess)} ; en attendant elle est lue vide."),
            "", guess))
    return out


def read_table(
    spec: TabSpec, raw: RawTab, overrides: Mapping[str, str] | None = None
) -> Table:
    """Parse one raw tab into a :class:`Table`; unreadable rows become findings."""
    header_row = raw.rows[0] if raw.rows else []
    columns, added = match_headers(spec, raw.title, header_row, overrides)
    findings: list[Finding] = header_findings(spec, raw.title, columns)
    types = {c.name: c.type for c in spec.columns}
    mandatory = {c.name for c in spec.columns if c.mandatory}
    # an unreadable cell costs its row only where the row cannot be used without it: the key, a
    # job's column (never written over blindly), a required date, time, amount or text; elsewhere
    # (a phone, an e-mail, a postal code, a number, a list, an optional date) the cell reads as
    # blank, with its finding, and the row goes on (an employee with an odd phone is still suggested)
    essential = {c.name for c in spec.columns
                 if c.name == spec.key or c.job or (c.mandatory and c.type in (DATE, TIME, AMOUNT, TEXT))}
    data: dict[str, list] = {name: [] for name in columns}
    key_col = spec.key
    seen_keys: dict[str, list[int]] = {}
    bad_rows: set[int] = set()

    # Column by column: each distinct raw value of a column is parsed once.
    present = [(number, line) for number, line in enumerate(raw.rows[1:], start=2)
               if line and (not is_empty(line[0]) or not all(is_empty(v) for v in line))]
    rows = [number for number, _line in present]
    located: list[tuple[int, int, Finding]] = []  # (row, column, finding): reported in reading order
    width = max(columns.values(), default=0)
    # the rows turned into columns at once (C speed), each padded to the widest column read
    grid = list(zip(*[line[:width] if len(line) >= width else line + [None] * (width - len(line))
                      for _number, line in present])) if present else [()] * width
    for name, index in columns.items():
        ctype = types.get(name, "text")
        parser, empty = PARSERS[ctype], EMPTY[ctype]
        raw_values = grid[index - 1]
        if ctype == TEXT:  # a text never fails to parse: stripped where it is one
            data[name] = [v.strip() if v.__class__ is str else "" if v is None else parse_text(v)
                          for v in raw_values]
            if name not in mandatory:
                continue
        cache: dict = {}
        out = []
        for number, value in zip(rows, raw_values) if ctype != TEXT else ():
            token = (value.__class__, value)
            try:
                parsed = cache[token]
            except KeyError:
                try:
                    parsed = parser(value)
                except CellError as err:
                    parsed = _Unreadable(str(err))
                cache[token] = parsed
            except TypeError:  # unhashable raw value
                try:
                    parsed = parser(value)
                except CellError as err:
                    parsed = _Unreadable(str(err))
            if parsed.__class__ is _Unreadable:
                ref = cell_ref(raw.title, number, index)
                dropped = name in essential or name not in types
                located.append((number, index, Finding(
                    RULE_UNREADABLE, ERREUR, raw.title, ref, _key_text(raw.rows[number - 1], columns, key_col),
                    f"{ref} : {parsed.message}. Corrigez la cellule ; "
                    + ("la ligne est ignorée en attendant." if dropped else "elle est lue comme vide en attendant."),
                    name)))
                if dropped:
                    bad_rows.add(number)
                parsed = empty
            out.append(parsed)
        if name in mandatory:
            blanks = [(n, v) for n, v in zip(rows, raw_values)
                      if v is None or (v.__class__ is str and not v.strip()) or (v.__class__ is float and v != v)]
            for number, value in blanks:
                if is_empty(value):
                    ref = cell_ref(raw.title, number, index)
                    located.append((number, index, Finding(
                        RULE_REQUIRED, ERREUR, raw.title, ref, _key_text(raw.rows[number - 1], columns, key_col),
                        f"{ref} : « {name} » est vide alors qu'il est obligatoire. "
                        "Complétez la cellule ; la ligne est ignorée en attendant.", name)))
                    bad_rows.add(number)
        if ctype != TEXT:
            data[name] = out
    located.sort(key=lambda item: (item[0], item[1]))
    findings.extend(f for _r, _c, f in located)
    keys = list(data[key_col]) if key_col is not None else list(rows)
    if key_col is not None:
        for number, key in zip(rows, keys):
            if key:
                seen_keys.setdefault(key, []).append(number)

    if key_col is not None and not spec.hidden:  # the tool's memory keeps its duplicates (the last counts)
        for key, where in seen_keys.items():
            if len(where) > 1:
                cells = [cell_ref(raw.title, r, columns[key_col]) for r in where]
                for ref in cells:
                    findings.append(
                        Finding(RULE_DUPLICATE, ERREUR, raw.title, ref, key,
                                f"{ref} : la clé « {key} » est utilisée {len(where)} fois "
                                f"({', '.join(cells)}). Donnez à chaque ligne une clé unique ; "
                                "ces lignes sont ignorées en attendant.", key_col)
                    )
                bad_rows.update(where)

    series = {}
    for name in columns:
        ctype = types.get(name, "text")
        if ctype in (DATE, TIME):  # Timestamps / Timedeltas or NaT: their nanoseconds, at once
            nanoseconds = np.fromiter((v.value for v in data[name]), dtype="int64", count=len(data[name]))
            series[name] = pd.Series(nanoseconds.view("datetime64[ns]" if ctype == DATE else "timedelta64[ns]"))
        elif ctype in (AMOUNT, NUMBER):
            series[name] = pd.Series(data[name], dtype="float64")
        else:
            series[name] = pd.Series(data[name], dtype=object)
    for col in spec.columns:  # an optional column the sheet does not have: empty, of its type,
        if col.name not in columns:  # so that every job reads it like a column left blank
            series[col.name] = _empty_column(col.type, len(rows))
    df = pd.DataFrame(series, columns=list(series))
    df[ROW] = pd.Series(rows, dtype="int64")
    all_keys = {str(k) for k in keys if k not in ("", None)} if key_col else set()
    keep = ~df[ROW].isin(bad_rows)
    df = df[keep]
    df.index = pd.Index([k for k, ok in zip(keys, keep) if ok], name=key_col or ROW)
    return Table(spec, raw.title, raw, columns, df, findings, all_keys, added)


def _empty_column(ctype: str, length: int) -> pd.Series:
    """``length`` empty cells of type ``ctype``, as the reader types a blank column."""
    if ctype == DATE:
        return pd.Series(np.full(length, np.datetime64("NaT"), dtype="datetime64[ns]"))
    if ctype == TIME:
        return pd.Series(np.full(length, np.timedelta64("NaT"), dtype="timedelta64[ns]"))
    if ctype in (AMOUNT, NUMBER):
        return pd.Series(np.full(length, np.nan), dtype="float64")
    return pd.Series([EMPTY[ctype]] * length, dtype=object)


class _Unreadable:
    """A cell its parser refused, and why (kept in the parse cache like a value)."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _key_text(line: list, columns: dict[str, int], key_col: str | None) -> str:
    if key_col is None:
        return ""
    index = columns[key_col]
    value = line[index - 1] if index - 1 < len(line) else None
    return "" if is_empty(value) else str(value).strip()
