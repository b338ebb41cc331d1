"""``backoffice geocode``: fill the empty Latitude/Longitude of Salariés and Magasins."""
from __future__ import annotations

from functools import partial
import click

from ..app import AppContext, execute, pass_app


@click.command("geocode")
@click.option("--url", default=None, metavar="URL",
              help="Geocoder batch CSV endpoint (default: geocode.url, or env BACKOFFICE_GEOCODE_URL).")
@pass_app
def command(app: AppContext, url):
    """Geocode the addresses whose coordinates are empty (Géoplateforme, one request per tab).

    A coordinate a person typed is never replaced.

    \b
    Examples:
      backoffice --config agence/backoffice.toml geocode
      backoffice --workbook BRE.xlsx --dry-run geocode --url http://localhost:8080/search/csv
    """
    from ..jobs.geocode import geocode_step

    execute(app, [("geocode", partial(geocode_step, url=url))])
