"""``backoffice suggest``: rank the candidates of each open mission, write ``Suggestions``."""
from __future__ import annotations

from functools import partial
import click

from ..app import AppContext, execute, pass_app


@click.command("suggest")
@click.option("--days", type=click.IntRange(0, 366), default=None,
              help="Open missions from today to N days later (default: suggest.days, 14).")
@click.option("--top", type=click.IntRange(1, 20), default=None,
              help="Candidates written per mission (default: suggest.top, 3).")
@click.option("--explain", metavar="N°MISSION", default=None,
              help="Print why each active employee is or is not a candidate for this mission; write nothing.")
@pass_app
def command(app: AppContext, days, top, explain):
    """Suggest the best candidates for each open mission (a conflict-free plan first).

    \b
    Examples:
      backoffice --config agence/backoffice.toml suggest --days 7 --top 5
      backoffice --config agence/backoffice.toml suggest --explain M0042
    """
    from ..jobs.suggest import SuggestOptions, suggest_step

    if explain is not None:
        app.read_only = True  # an explanation writes nothing
    execute(app, [("suggest", partial(suggest_step, options=SuggestOptions(days, top, explain)))])
