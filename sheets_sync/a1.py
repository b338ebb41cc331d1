"""A1 notation helpers (column letters, quoted tab names)."""
from __future__ import annotations

import functools
import re

_CELL = re.compile(r"^(?:(?P<tab>.*)!)?\$?(?P<col>[A-Z]+)\$?(?P<row>\d+)$")


@functools.lru_cache(maxsize=4096)  # asked for every finding and cell written: a few hundred columns
def col_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    if index < 1:
        raise ValueError(index)
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    """A -> 1, AA -> 27."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def cell_ref(tab: str, row: int, col: int) -> str:
    """The reference people read: ``Missions!F12`` (the tab is not quoted for display)."""
    return f"{tab}!{col_letter(col)}{row}"


def quote_tab(tab: str) -> str:
    """The tab name as the Sheets API wants it in a range: ``'Notes de frais'``."""
    return "'" + tab.replace("'", "''") + "'"


def split_a1(ref: str) -> tuple[str, int, int]:
    """``Missions!F12`` -> (``Missions``, 12, 6)."""
    m = _CELL.match(ref)
    if not m:
        raise ValueError(f"not an A1 cell reference: {ref!r}")
    tab = (m.group("tab") or "").strip("'").replace("''", "'")
    return tab, int(m.group("row")), col_index(m.group("col"))
