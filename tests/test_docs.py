"""The documentation the product ships stays true: the workbook format and the rule table."""
import re
from pathlib import Path

from click.testing import CliRunner

from backoffice.cli import cli
from sheets_sync import schema

ROOT = Path(__file__).resolve().parents[1]


def documented_columns() -> dict[str, list[str]]:
    """``{tab: [header, …]}`` from the tables under each ``### `Tab``` heading."""
    text = (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    tab = None
    for line in text.splitlines():
        heading = re.match(r"^### `([^`]+)`$", line)
        if heading:
            tab = heading.group(1)
            continue
        if line.startswith("## "):
            tab = None
        cells = re.match(r"^\| ([^|]+?) \|", line)
        if tab and cells and cells.group(1) not in ("header", "column", "---"):
            out.setdefault(tab, []).append(cells.group(1))
    return out


def test_docs_workbook_names_every_column_of_the_schema_and_nothing_more():
    documented = {tab: cols for tab, cols in documented_columns().items() if tab in schema.SPECS}
    assert documented == {spec.name: list(spec.names) for spec in schema.ALL_TABS}


def test_docs_workbook_lists_every_choice_of_the_schema():
    text = (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    for spec in schema.ALL_TABS:
        for col in spec.columns:
            if col.choices:
                assert " / ".join(f"`{c}`" for c in col.choices) in text, (spec.name, col.name)


def test_rule_table_in_docs_is_the_registry():
    generated = CliRunner().invoke(cli, ["check", "--rules", "--markdown"])
    assert generated.exit_code == 0, generated.output
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert generated.output.strip() in doc, "regenerate: backoffice check --rules --markdown"
