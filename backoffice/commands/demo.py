"""``backoffice demo [DIR]``: write a demo workspace, then run the day's work on it."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from ..app import AppContext, pass_app

RUN_AT = (10, 30)  # the demo's clock: mid-morning of the demo day, after the IVR calls


@click.command("demo")
@click.argument("directory", default="demo", type=click.Path(file_okay=False))
@pass_app
def command(app: AppContext, directory):
    """Write a demo workspace in DIRECTORY (default ./demo) and run `run` on it.

    Three invented regions (IDF, BRE, ARA) with about 150 employees and 400 missions each,
    each region's IVR log of the day (the date of --now, default today), and a few anomalies
    planted on purpose. Then does what `backoffice --config DIRECTORY/backoffice.toml
    --now "<day> 10:30" run` does (each region reads its IVR folder, ivr/<CODE>).
    A folder that is neither empty nor an earlier demo is refused.

    \b
    Examples:
      backoffice demo
      backoffice --now "2026-03-10 07:00" demo /tmp/demo
    """
    from ..demo.build import build_demo
    from .run import run_day

    day = app.now.date()
    paths = build_demo(directory, day, progress=app.progress)
    root = Path(directory).resolve()
    if not app.as_json:
        click.echo(f"Espace de démonstration écrit dans {root} (journée du {day:%d/%m/%Y}, 10:30).")
    demo_app = replace(app, config=str(paths["config"]), workbook=None, spreadsheet=None,
                       now=app.now.replace(hour=RUN_AT[0], minute=RUN_AT[1], second=0, microsecond=0),
                       _settings=None)
    run_day(demo_app)
