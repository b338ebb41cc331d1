"""``backoffice run``: the day's work per region, on one read and one write per workbook."""
from __future__ import annotations

from functools import partial

import click

from sheets_sync.errors import ConfigError

from ..app import AppContext, execute, pass_app


def day_steps(with_presence: bool, ivr_log=None, pdf=False, send=False):
    """presence (when an IVR log is given), suggest, offers, mandates, contracts, kit orders,
    check — in this order, each with its options (offers only with ``send``: they message people)."""
    from ..jobs.check import check_step
    from ..jobs.contracts import ContractsOptions, contracts_step
    from ..jobs.kits import kits_order_step
    from ..jobs.mandate_followup import FollowupOptions, mandates_followup_step
    from ..jobs.mandates import MandatesOptions, mandates_step
    from ..jobs.offers import OffersOptions, offers_step
    from ..jobs.presence import PresenceOptions, presence_step
    from ..jobs.suggest import suggest_step

    presence = partial(presence_step, options=PresenceOptions(ivr_log, optional=ivr_log is None))
    steps = [("presence", presence)] if with_presence else []
    steps += [("suggest", suggest_step)]
    steps += [("offers", partial(offers_step, options=OffersOptions(send=True, optional=True)))] if send else []
    steps += [("mandates", partial(mandates_step, options=MandatesOptions(pdf=pdf, send=send))),
              ("mandates-suivi", partial(mandates_followup_step, options=FollowupOptions(send))),
              ("contracts", partial(contracts_step, options=ContractsOptions(pdf=pdf, send=send))),
              ("kits", kits_order_step), ("check", check_step)]
    return steps


def run_day(app: AppContext, ivr_log=None, out_dir=None, pdf=False, send=False) -> None:
    """Run the day's steps on the selected regions (presence where an IVR log is known).

    Without a real agency identity the mandates step is left out (and the run exits 2): the
    rest of the morning's work, presence first, still gets done.
    """
    with_presence = ivr_log is not None or any(r.ivr_log for r in app.selected_regions())
    steps = day_steps(with_presence, ivr_log, pdf, send)
    refusals = []
    try:
        app.settings().require_agency()
    except ConfigError as err:
        steps = [(name, step) for name, step in steps if not name.startswith("mandates") and name != "contracts"]
        refusals.append(str(err))
    if send:
        from ..offer_channels import channel

        settings = app.settings()
        if settings.sms.account_sid:  # neither [sms] nor [imap]: the offers step says it has nothing to do
            try:
                channel(settings)  # the SMS account complete, its token in the environment
            except ConfigError as err:
                steps = [(name, step) for name, step in steps if name != "offers"]
                refusals.append(str(err))
    execute(app, steps, out=out_dir, refusals=refusals)


@click.command("run")
@click.option("--ivr-log", type=click.Path(),
              help="IVR export (CSV) or a folder (its newest file is used); '{region}' is replaced by "
                   "the region code. Default: each region's ivr_log setting; none: no presence step.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Folder for generated files (default: mandates.out_dir).")
@click.option("--pdf", is_flag=True, help="Also convert the mandates to PDF (LibreOffice).")
@click.option("--send", is_flag=True, help="Send the offers (SMS or e-mail) and e-mail the generated mandates to the stores.")
@pass_app
def command(app: AppContext, ivr_log, out_dir, pdf, send):
    """Do the day's work: presence, suggest, offers (with --send), mandates, contracts, kit orders, then check.

    One read and one write per workbook for all the steps together.

    \b
    Examples:
      backoffice --config agence/backoffice.toml run --pdf --send
      backoffice --config agence/backoffice.toml --region BRE run --ivr-log /srv/svi/{region}/
    """
    run_day(app, ivr_log, out_dir, pdf, send)
