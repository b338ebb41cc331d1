"""``backoffice geocode``: fill the empty Latitude/Longitude of Salariés and Magasins."""
from __future__ import annotations

import click

from ..app import AppContext, execute, pass_app


@click.command("geocode")
@click.option("--url", default=None, metavar="URL",
              help="Geocoder batch CSV endpoint (default: geocode.url, or env BACKOFFICE_GEOCODE_URL).")
@pass_app
def command(app: AppContext, url):
    """Geocode the addresses whose coordinates are empty (Géoplateforme, one request per tab)."""
    from ..jobs.geocode import geocode_step

    execute(app, [("geocode", geocode_step)], {"url": url})
