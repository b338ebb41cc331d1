"""Typed reading per the contract: headers matched, cells parsed, bad cells become findings."""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from .a1 import cell_ref
from .backend import RawTab
from .errors import WorkbookError
from .findings import ERREUR, Finding
from .parsing import EMPTY, PARSERS, CellError, is_empty, norm
from .schema import AMOUNT, DATE, NUMBER, TIME, TabSpec
from .table import ROW, Table

# Rule ids of what the reader finds (documented with the check rules).
RULE_UNREADABLE = "donnees.cellule_illisible"
RULE_REQUIRED = "donnees.champ_obligatoire"
RULE_DUPLICATE = "donnees.cle_en_double"


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
        shown = ", ".join(f"« {overrides.get(n, n)} »" for n in required)
        raise WorkbookError(
            f"Onglet « {title} » : colonne obligatoire {shown} introuvable. "
            f"En-têtes trouvés en ligne 1 : {', '.join(found) or '(aucun)'}. "
            "Ajoutez la colonne ou déclarez son nom dans la configuration (headers) ; "
            "format des onglets : docs/workbook.md."
        )
    added = [c.name for c in missing if c.job or spec.owned]
    next_index = max([len(header_row)] + list(columns.values())) + 1
    for name in added:
        columns[name] = next_index
        next_index += 1
    return columns, added


def read_table(
    spec: TabSpec, raw: RawTab, overrides: Mapping[str, str] | None = None
) -> Table:
    """Parse one raw tab into a :class:`Table`; unreadable rows become findings."""
    header_row = raw.rows[0] if raw.rows else []
    columns, added = match_headers(spec, raw.title, header_row, overrides)
    types = {c.name: c.type for c in spec.columns}
    mandatory = {c.name for c in spec.columns if c.mandatory}
    findings: list[Finding] = []
    data: dict[str, list] = {name: [] for name in columns}
    rows: list[int] = []
    keys: list = []
    caches: dict[str, dict] = {name: {} for name in columns}
    key_col = spec.key
    seen_keys: dict[str, list[int]] = {}
    bad_rows: set[int] = set()

    for row_number, line in enumerate(raw.rows[1:], start=2):
        if all(is_empty(v) for v in line):
            continue
        values = {}
        row_ok = True
        for name, index in columns.items():
            value = line[index - 1] if index - 1 < len(line) else None
            ctype = types.get(name, "text")
            cache = caches[name]
            token = (type(value), value)
            try:
                if token in cache:
                    parsed = cache[token]
                else:
                    parsed = PARSERS[ctype](value)
                    cache[token] = parsed
            except CellError as err:
                findings.append(
                    Finding(RULE_UNREADABLE, ERREUR, raw.title, cell_ref(raw.title, row_number, index),
                            _key_text(line, columns, key_col),
                            f"{cell_ref(raw.title, row_number, index)} : {err}. Corrigez la cellule ; "
                            "la ligne est ignorée en attendant.", name)
                )
                parsed = EMPTY[ctype]
                row_ok = False
            except TypeError:  # unhashable raw value
                parsed = PARSERS[ctype](value)
            if name in mandatory and is_empty(value):
                ref = cell_ref(raw.title, row_number, index)
                findings.append(
                    Finding(RULE_REQUIRED, ERREUR, raw.title, ref, _key_text(line, columns, key_col),
                            f"{ref} : « {_header(spec, name)} » est vide alors qu'il est obligatoire. "
                            "Complétez la cellule ; la ligne est ignorée en attendant.", name)
                )
                row_ok = False
            values[name] = parsed
        if key_col is not None and values.get(key_col):
            seen_keys.setdefault(values[key_col], []).append(row_number)
        if not row_ok:
            bad_rows.add(row_number)
        for name in columns:
            data[name].append(values[name])
        rows.append(row_number)
        keys.append(values.get(key_col) if key_col else row_number)

    if key_col is not None:
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
        if ctype == DATE:
            series[name] = pd.Series(data[name], dtype="datetime64[ns]")
        elif ctype == TIME:
            series[name] = pd.Series(data[name], dtype="timedelta64[ns]")
        elif ctype in (AMOUNT, NUMBER):
            series[name] = pd.Series(data[name], dtype="float64")
        else:
            series[name] = pd.Series(data[name], dtype=object)
    df = pd.DataFrame(series, columns=list(columns))
    df[ROW] = pd.Series(rows, dtype="int64")
    all_keys = {str(k) for k in keys if k not in ("", None)} if key_col else set()
    keep = ~df[ROW].isin(bad_rows)
    df = df[keep]
    df.index = pd.Index([k for k, ok in zip(keys, keep) if ok], name=key_col or ROW)
    return Table(spec, raw.title, raw, columns, df, findings, all_keys, added)


def _key_text(line: list, columns: dict[str, int], key_col: str | None) -> str:
    if key_col is None:
        return ""
    index = columns[key_col]
    value = line[index - 1] if index - 1 < len(line) else None
    return "" if is_empty(value) else str(value).strip()


def _header(spec: TabSpec, name: str) -> str:
    return name
