"""``backoffice mandates``: generate the mandates due, redo the changed ones, optionally send them."""
from __future__ import annotations

from functools import partial
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
    """Generate the suppliers' mandates (Word, optionally PDF) and e-mail them to the stores.

    A mandate is (re)generated when its mission is staffed and within --days, or when what it
    prints changed; an e-mail is sent at most once per generated file. With --send, a mandate
    not acknowledged is followed up: a reminder to the store 3 days before its deadline, then
    the store on the CDBO's call list (mandats/appels-magasins-*.csv); a cancelled mission's
    store is told once. With [imap] set, the stores' replies set Mandat to Accusé or Refusé.

    \b
    Examples:
      backoffice --config agence/backoffice.toml --dry-run mandates --pdf --send
      backoffice --config agence/backoffice.toml mandates --days 14 --pdf --send
    """
    from ..jobs.mandate_followup import FollowupOptions, mandates_followup_step
    from ..jobs.mandates import MandatesOptions, mandates_step

    app.settings().require_agency()
    execute(app, [("mandates", partial(mandates_step, options=MandatesOptions(days, pdf, send))),
                  ("mandates-suivi", partial(mandates_followup_step, options=FollowupOptions(send)))], out=out_dir)
