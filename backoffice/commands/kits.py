"""``backoffice kits``: order the equipment kits, import the partner's tracking file."""
from __future__ import annotations

from functools import partial
import click

from ..app import AppContext, execute, pass_app


@click.group("kits")
def command():
    """Equipment kits: orders to the logistics partner and their tracking."""


@command.command("order")
@click.option("--days", type=click.IntRange(min=0), default=None, metavar="N",
              help="Missions of the next N days (default: kits.days, 10).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False),
              help="Order file to write (default: <out>/<region>/kits/commande_kits_<AAAAMMJJ-HHMM>.csv).")
@click.option("--xlsx", is_flag=True, help="Write an .xlsx file instead of the CSV.")
@pass_app
def order(app: AppContext, days, out_file, xlsx):
    """Order the kits of the coming missions: one order per mission, never twice.

    \b
    Examples:
      backoffice --config agence/backoffice.toml kits order
      backoffice --config agence/backoffice.toml kits order --days 5 --xlsx
    """
    from ..jobs.kits import KitOrderOptions, kits_order_step

    if out_file and len(app.selected_regions()) > 1:
        raise click.UsageError("--out ne vaut que pour une seule région : ajoutez --region CODE.")
    execute(app, [("kits", partial(kits_order_step, options=KitOrderOptions(days, out_file, xlsx)))])


@command.command("import")
@click.argument("tracking_file", type=click.Path(exists=True, dir_okay=False))
@pass_app
def import_(app: AppContext, tracking_file):
    """Set Kit statut and N° suivi from the partner's tracking file (CSV).

    \b
    Examples:
      backoffice --config agence/backoffice.toml kits import suivi_2026-11-30.csv
    """
    from ..jobs.kits import kits_import_step

    execute(app, [("kits-suivi", partial(kits_import_step, tracking_file=tracking_file))])
