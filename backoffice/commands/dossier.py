"""``backoffice dossier MATRICULE``: an employee's administrative file at a glance (read-only)."""
from __future__ import annotations

from functools import partial
import click

from ..app import AppContext, execute, pass_app


@click.command("dossier")
@click.argument("matricule")
@pass_app
def command(app: AppContext, matricule: str):
    """Show an employee's file: identity, missions of the month, contracts, expenses,
    reports, trainings, medical check. Writes nothing; exit 1 when something needs action.

    \b
    Examples:
      backoffice --config agence/backoffice.toml --region BRE dossier S0042
      backoffice --workbook BRE.xlsx --json dossier S0042
    """
    from ..jobs.dossier import dossier_step

    app.read_only = True  # never apply anything, whatever the steps return
    execute(app, [("dossier", partial(dossier_step, matricule=matricule))])
