"""``backoffice contracts``: every staffed mission's CIDD, made, sent for signature, followed."""
from __future__ import annotations

from functools import partial

import click

from ..app import AppContext, execute, pass_app


@click.command("contracts")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Staffed missions from today to N days ahead (default: contracts.days, 14).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Folder for the contracts (default: mandates.out_dir); files go to DIR/<region>/contrats/.")
@click.option("--send", is_flag=True,
              help="Send each contract for signature (Yousign with its key set, else e-mail) and read the signatures.")
@pass_app
def command(app: AppContext, days, out_dir, send):
    """Make each staffed mission's contract (CIDD, Word and PDF) and have it signed.

    A contract is made for every staffed mission within --days whose Contrat is empty or « À
    envoyer », and made again when the mission changed (a signed one asks for an amendment
    instead). With --send it goes to the employee through Yousign (or by e-mail), and each later
    run reads the signature: Signé (the signed PDF beside it), Refusé, or expired.

    \b
    Examples:
      backoffice --config agence/backoffice.toml contracts --dry-run
      backoffice --config agence/backoffice.toml contracts --send
    """
    from ..jobs.contracts import ContractsOptions, contracts_step

    app.settings().require_agency()
    execute(app, [("contracts", partial(contracts_step, options=ContractsOptions(days, True, send)))], out=out_dir)
