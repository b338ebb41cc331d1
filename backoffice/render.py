"""Plain-text tables and summaries for the terminal (French labels), and the --json form."""
from __future__ import annotations

import datetime as dt
import math
import shutil
import textwrap
from pathlib import Path
from typing import Any, Sequence

import pandas as pd


def text(value: Any) -> str:
    """A cell as people read it: dates ``JJ/MM/AAAA``, times ``HH:MM``, empty for nothing."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if value is pd.NaT:
        return ""
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.strftime("%d/%m/%Y %H:%M") if (value.hour or value.minute) else value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], max_width: int = 60) -> str:
    """A fixed-width table: headers, a rule, rows. A cell longer than ``max_width`` is wrapped
    on several lines of its column, never cut: a message's « what to do » part stays readable."""
    cells = [[text(c) for c in headers]] + [[text(c) for c in row] for row in rows]
    wrapped = [[_wrap_cell(c, max_width) for c in row] for row in cells]
    widths = [max((max(map(len, row[i])) if i < len(row) else 0) for row in wrapped)
              for i in range(len(headers))]
    lines = []
    for n, row in enumerate(wrapped):
        for k in range(max(len(c) for c in row)):
            parts = [(c[k] if k < len(c) else "").ljust(widths[i]) for i, c in enumerate(row)]
            lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _wrap_cell(value: str, width: int) -> list[str]:
    if len(value) <= width and "\n" not in value:
        return [value]
    out: list[str] = []
    for paragraph in value.split("\n"):
        out.extend(textwrap.wrap(paragraph, width, break_long_words=True, break_on_hyphens=False) or [""])
    return out


def wrapped(message: str, indent: str = "") -> str:
    """A message wrapped to the terminal's width (80 when unknown), never cut; a line break in it
    starts an indented line (lines to paste, such as a config's)."""
    width = max(40, shutil.get_terminal_size((100, 24)).columns - 1)
    first, *rest = message.split("\n")
    lines = [textwrap.fill(first, width, initial_indent=indent, subsequent_indent=indent + "  ",
                           break_long_words=False, break_on_hyphens=False)]
    lines += [textwrap.fill(line, width, initial_indent=indent + "    ", subsequent_indent=indent + "      ",
                            break_long_words=False, break_on_hyphens=False) for line in rest]
    return "\n".join(lines)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub Markdown table (``|`` in cells escaped)."""
    def line(cells):
        return "| " + " | ".join(text(c).replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(headers), "|" + "---|" * len(headers)] + [line(r) for r in rows])


def jsonable(value: Any) -> Any:
    """Make results JSON-serialisable."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    return text(value)
