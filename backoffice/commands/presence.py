"""``backoffice presence``: mark today's presence from the IVR log and print whom to call."""
from __future__ import annotations

from functools import partial
from pathlib import Path

import click

from ..app import AppContext, execute, pass_app
from ..jobs.presence import PresenceOptions, presence_step


@click.command("presence")
@click.option("--ivr-log", type=click.Path(),
              help="IVR export (CSV), or a folder: its most recent .csv/.txt file is used; "
                   "'{region}' is replaced by the region code. Default: the region's ivr_log setting.")
@click.option("--out", type=click.Path(dir_okay=False),
              help="Also write the call list as CSV (';', UTF-8 with BOM); '{region}' is replaced "
                   "by the region code.")
@pass_app
def command(app: AppContext, ivr_log, out):
    """Match the IVR calls to today's missions; mark Présence and Heure appel.

    Calls that confirmed nothing wait in the Appels SVI tab: type a N° mission there to link
    one (the next run marks that mission), or a Motif rejet to reject it.

    Exit code 1 when a mission of the day is « Manquante » or the log is stale, 2 when the log
    is unusable. Over several regions, --out appels.csv writes appels-<REGION>.csv for each.

    \b
    Examples:
      backoffice --config agence/backoffice.toml presence --ivr-log /srv/svi/{region} --out appels-{region}.csv
      backoffice --config agence/backoffice.toml --region BRE presence
    """
    if out and "{region}" not in out and len(app.selected_regions()) > 1:
        path = Path(out)  # one call list per region, beside the name given
        out = str(path.with_name(f"{path.stem}-{{region}}{path.suffix}"))
    execute(app, [("presence", partial(presence_step, options=PresenceOptions(ivr_log, out=out)))])
