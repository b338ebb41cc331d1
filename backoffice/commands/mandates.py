"""``backoffice mandates``: generate the mandates due, redo the changed ones, optionally send them."""
from __future__ import annotations

import click

from ..app import AppContext, execute, pass_app


@click.command("mandates")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Missions from today to N days ahead (default: mandates.days, 21).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Folder for the mandates (default: mandates.out_dir); files go to DIR/<region>/mandats/.")
@click.option("--pdf", is_flag=True, help="Also convert the mandates to PDF (LibreOffice, one batch per region).")
@click.option("--send", is_flag=True, help="E-mail each generated mandate to its store (SMTP settings).")
@pass_app
def command(app: AppContext, days, out_dir, pdf, send):
    """Generate the suppliers' mandates (Word, optionally PDF) and e-mail them to the stores."""
    from ..jobs.mandates import mandates_step

    app.settings().require_agency()
    execute(app, [("mandates", mandates_step)], {"days": days, "out_dir": out_dir, "pdf": pdf, "send": send})
