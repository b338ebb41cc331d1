"""``backoffice offers``: offer the open missions to their candidates by SMS (or e-mail)."""
from __future__ import annotations

from functools import partial

import click

from ..app import AppContext, execute, pass_app


@click.command("offers")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Missions from today to N days ahead (default: offers.days, 7).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Folder for the call list (default: mandates.out_dir); it goes to DIR/<region>/offres/.")
@click.option("--send", is_flag=True,
              help="Read the answers and send the offers (SMS with [sms], else e-mail); without it, only show them.")
@pass_app
def command(app: AppContext, days, out_dir, send):
    """Offer each open mission to its candidates, one after the other, and staff it from their answers.

    The plan's first candidate gets « Mission Lindt, Carrefour Cesson-Sévigné, sam. 12/12
    09:00-17:00 (8 h). Répondez OUI 4821 pour accepter ou NON 4821. »; a « OUI » sets Salarié and
    Statut = Confirmée, a « NON » or a silence passes the mission to the next candidate, and after
    offers.max_candidates the mission goes on the call list (offres/appels-offres-*.csv). A person
    who staffs or cancels the mission meanwhile always wins. Every message is sent once.

    \b
    Examples:
      backoffice --config agence/backoffice.toml offers
      backoffice --config agence/backoffice.toml offers --send
    """
    from ..jobs.offers import OffersOptions, offers_step

    execute(app, [("offers", partial(offers_step, options=OffersOptions(days, send)))], out=out_dir)
