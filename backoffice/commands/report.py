"""``backoffice report``: every region at a glance, as one HTML page and in each ``Synthèse`` tab."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from ..app import AppContext, finish, pass_app


@click.command("report")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Folder for the page (default: report.out_dir, « rapports » next to the config).")
@click.option("--days", type=click.IntRange(1, 62), default=None,
              help="Staffing horizon in days, today included (default: report.days, 7).")
@pass_app
def command(app: AppContext, out_dir, days):
    """Write the manager's page: today's presence, the staffing of the next days, mandates,
    kits, employee files and anomalies with their trend, per region and for the team.

    Each region's Synthèse tab gets the same figures (rewritten only when one changed); no
    tab the people edit is written. The page is one HTML file that opens offline.

    \b
    Examples:
      backoffice --config agence/backoffice.toml report
      backoffice --config agence/backoffice.toml report --days 14 --out /srv/partage/rapports
      backoffice --config agence/backoffice.toml --json report
    """
    from generators.files import atomic_write
    from generators.report_page import RegionPage, render_page

    from rules.dashboard import RegionFigures

    from ..jobs.report import ReportOptions, ReportStep
    from ..jobs.runner import run_regions

    settings = app.settings()
    options = ReportOptions(days or settings.report.days, settings.report.weeks)
    step = ReportStep(options)
    regions = app.selected_regions()
    outcomes = run_regions(settings, regions, [("report", step)], app.now,
                           dry_run=app.dry_run or app.read_only, progress=app.progress, whole_journal=True,
                           also_tabs=("Synthèse",))
    pages = []
    page_folder = Path(out_dir) if out_dir else settings.path(settings.report.out_dir)
    for outcome in outcomes:
        region = outcome.region
        figures = step.figures.get(region.code) or RegionFigures(region.code, region.name or region.code, app.now)
        pages.append(RegionPage(
            figures, spreadsheet=region.spreadsheet, sheet_ids=step.sheet_ids.get(region.code, {}),
            workbook_uri=_relative_link(settings.path(region.workbook), page_folder) if region.workbook else "",
            error=outcome.error or ("" if region.code in step.figures else "non lue")))
    team = {"regions": [asdict(p.figures) for p in pages], "files": []}
    if not (app.dry_run or app.read_only) and any(not p.error for p in pages):  # the page follows the sheets
        folder = page_folder
        # a page of some regions only (--region) is named for them: it never replaces the team's
        scope = "" if len(regions) == len(settings.regions) or not settings.regions else \
            "-" + "-".join(r.code for r in regions)
        path = folder / f"rapport-{app.now:%Y-%m-%d}{scope}.html"
        atomic_write(path, render_page(pages, app.now, options.days).encode("utf-8"))
        team["files"].append(path)
    finish(app, outcomes, team=team)


def _relative_link(workbook: Path, folder: Path) -> str:
    """A link from the page to a region's .xlsx, relative to the page (``../workbooks/BRE.xlsx``):
    it works wherever the shared folder is mounted; an absolute file URI only when no relative
    path exists (another drive)."""
    import os
    from urllib.parse import quote

    try:
        return quote(Path(os.path.relpath(workbook.resolve(), folder.resolve())).as_posix())
    except ValueError:
        return workbook.resolve().as_uri()
