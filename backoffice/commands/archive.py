"""``backoffice archive``: move old Journal rows and finished missions into monthly CSV files."""
from __future__ import annotations

import datetime as dt
from functools import partial

import click

from ..app import AppContext, execute, pass_app


@click.command("archive")
@click.option("--before", metavar="AAAA-MM-JJ", default=None,
              help="Archive Journal rows older than this day (default: archive.journal_days, 90 days ago).")
@pass_app
def command(app: AppContext, before):
    """Move Journal rows older than 90 days, and missions finished over 400 days ago, to CSV
    files per month (archive.folder/<region>/); a row is deleted from the sheet only once its
    copy is in the file, and never if a person changed it meanwhile.

    \b
    Examples:
      backoffice --config agence/backoffice.toml --dry-run archive
      backoffice --config agence/backoffice.toml archive --before 2026-09-01
    """
    from ..jobs.archive import archive_step

    day = None
    if before is not None:
        try:
            day = dt.date.fromisoformat(before)
        except ValueError:
            raise click.BadParameter(f"« {before} » : attendu AAAA-MM-JJ.", param_hint="'--before'") from None
    execute(app, [("archive", partial(archive_step, before=day))], whole_journal=True)
