"""``backoffice check``: the daily check, written to the Anomalies tab."""
from __future__ import annotations

import json

import click

from ..app import AppContext, execute, pass_app
from ..render import markdown_table, table


def rules_rows(settings=None) -> list[list[str]]:
    """Every registered rule: id, severity (after configuration), tab, explanation."""
    from rules.registry import all_rules

    levels = dict(settings.check.rules) if settings is not None else {}
    return [[r.id, levels.get(r.id, r.severity), r.tab, r.doc] for r in all_rules()]


@click.command("check")
@click.option("--rules", "list_rules", is_flag=True,
              help="List every rule (id, severity, tab, explanation) and exit; no workbook needed.")
@click.option("--markdown", is_flag=True, help="With --rules: print the list as a Markdown table (docs/rules.md).")
@pass_app
def command(app: AppContext, list_rules: bool, markdown: bool):
    """Run every rule, rewrite the Anomalies tab, highlight cells with an error.

    Exit 1 when there is any « erreur ». Turn a rule off or change its severity in the
    config: [check.rules] "frais.recu_tardif" = "off".

    \b
    Examples:
      backoffice --config agence/backoffice.toml check --dry-run
      backoffice check --rules --markdown > docs/rules.md
    """
    if list_rules:
        rows = rules_rows(app.settings())
        if markdown:
            click.echo(markdown_table(["Règle", "Gravité", "Onglet", "Explication"], rows))
        elif app.as_json:
            click.echo(json.dumps([dict(zip(("id", "gravite", "onglet", "explication"), r)) for r in rows],
                                  ensure_ascii=False, indent=2))
        else:
            click.echo(table(["Règle", "Gravité", "Onglet", "Explication"], rows, max_width=400))
        return
    from ..jobs.check import check_step

    execute(app, [("check", check_step)])
