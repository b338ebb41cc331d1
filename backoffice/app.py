"""The application frame shared by every command: global options, running the jobs on the
selected regions, rendering their outcomes, choosing the exit code.

Exit codes: 0 fine, 1 findings that need a person, 2 bad usage or unreadable input, 3 an
incident (something unexpected; the rest of the run went on, the trace is in a log).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence
from zoneinfo import ZoneInfo

import click

from sheets_sync.errors import BackofficeError

from .jobs.runner import RegionOutcome, run_regions
from .render import jsonable, table, wrapped
from .settings import Region, Settings, check_region_code, load_settings

PARIS = ZoneInfo("Europe/Paris")


@dataclass
class AppContext:
    """The global options, shared by every command."""

    config: str | None = None
    workbook: str | None = None
    spreadsheet: str | None = None
    regions: tuple[str, ...] = ()
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(PARIS).replace(tzinfo=None, second=0, microsecond=0))
    dry_run: bool = False
    verbose: bool = False
    as_json: bool = False
    read_only: bool = False  # a command that only shows (dossier): never writes, no dry-run table
    _settings: Settings | None = None

    def settings(self) -> Settings:
        """The settings of the run, loaded once (config file, environment, global options)."""
        if self._settings is None:
            self._settings = load_settings(self.config)
        return self._settings

    def selected_regions(self) -> list[Region]:
        """The regions to work on: ``--region`` ones, all of the config, or the one workbook."""
        settings = self.settings()
        if self.workbook:
            return [workbook_region(settings, Path(self.workbook).resolve(), self.regions)]
        if self.spreadsheet:
            return [Region(code="SHEET", name=self.spreadsheet, spreadsheet=self.spreadsheet)]
        if not settings.regions:
            raise BackofficeError(
                "Aucune région : donnez --workbook FICHIER.xlsx, --spreadsheet ID, "
                "ou --config FICHIER.toml avec des [[regions]]."
            )
        if not self.regions:
            return list(settings.regions)
        return [settings.region(code) for code in self.regions]

    def progress(self, items, label: str = "", length: int | None = None):
        """A progress bar on stderr for long work, only on a terminal and without --json."""
        if self.as_json or not sys.stderr.isatty():
            return items
        return _ProgressIter(items, label, length)


def workbook_region(settings: Settings, path: Path, codes: Sequence[str] = ()) -> Region:
    """The region of ``--workbook FILE``: the configured region whose workbook is that file, or
    the one named by ``--region`` (its settings, this file), or else a code made of the file
    name's letters and digits (« Bretagne copie (2).xlsx » → ``BRETAGNECOPIE2``), so that a
    mandate's reference and the output folder never carry spaces or brackets."""
    for region in settings.regions:
        if region.workbook and settings.path(region.workbook).resolve() == path:
            return dataclasses.replace(region, workbook=str(path), spreadsheet="")
    if codes:
        if len(codes) > 1:
            raise BackofficeError("--workbook ne va qu'avec une seule --region (le code de ce classeur).")
        known = [r for r in settings.regions if r.code.casefold() == codes[0].casefold()]
        if known:
            return dataclasses.replace(known[0], workbook=str(path), spreadsheet="")
        check_region_code(codes[0], "--region")
        return Region(code=codes[0].upper(), name=codes[0], workbook=str(path))
    code = re.sub(r"[^A-Z0-9]", "", unicodedata.normalize("NFKD", path.stem).upper())[:REGION_CODE_MAX] or "REGION"
    return Region(code=code, name=path.stem, workbook=str(path))


REGION_CODE_MAX = 16


class _ProgressIter:
    def __init__(self, items, label, length):
        self.items, self.label, self.length = items, label, length

    def __iter__(self):
        with click.progressbar(self.items, label=self.label, length=self.length, file=sys.stderr) as bar:
            yield from bar


def parse_now(value: str | None) -> dt.datetime | None:
    """``--now`` as a naive Paris time (``None``: the real time); a bad value is a usage error."""
    if value is None:
        return None
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
    raise click.BadParameter(f"« {value} » : attendu AAAA-MM-JJ HH:MM (heure de Paris).")


pass_app = click.make_pass_decorator(AppContext)



def execute(app: AppContext, steps: Sequence[tuple[str, Callable]], out: str | None = None,
            refusals: Sequence[str] = (), whole_journal: bool = False) -> None:
    """Run steps on the selected regions, print the summary, exit with the right code.

    ``refusals`` are configuration errors that left part of the work out: printed first, and
    the run exits 2 once the rest is done.
    """
    settings = app.settings()
    regions = app.selected_regions()
    outcomes = run_regions(settings, regions, steps, app.now, dry_run=app.dry_run or app.read_only,
                           out=out, progress=app.progress, whole_journal=whole_journal)
    finish(app, outcomes, refusals)


def finish(app: AppContext, outcomes: Sequence[RegionOutcome], refusals: Sequence[str] = (),
           team: dict[str, Any] | None = None) -> None:
    """Print the outcomes (summary or --json) and exit with the right code.

    ``team`` holds what a command made across regions (``report``'s page): its ``files`` are
    printed after the regions, and the whole of it goes in ``--json`` under ``team``."""
    if app.as_json:
        out = outcomes_json(outcomes, refusals)
        if team is not None:
            out["team"] = jsonable(team)
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for message in refusals:
            click.echo(wrapped(f"Erreur : {message}"), err=True)
        for outcome in outcomes:
            render_outcome(outcome, app)
        for path in (team or {}).get("files", []):
            click.echo(f"Fichier : {path}")
    sys.exit(exit_code(outcomes, refusals))


def exit_code(outcomes: Sequence[RegionOutcome], refusals: Sequence[str] = ()) -> int:
    """3 for an incident, 2 for an error or a refusal, 1 for findings that need a person, else 0."""
    if any(o.incidents for o in outcomes):
        return 3
    if refusals or any(o.error for o in outcomes):
        return 2
    return 1 if any(o.attention() for o in outcomes) else 0


def render_outcome(outcome: RegionOutcome, app: AppContext) -> None:
    """Print one region's outcome: its steps' summaries, tables, findings and what was written."""
    region = outcome.region
    title = f"Région {region.code}" + (f" — {region.name}" if region.name and region.name != region.code else "")
    click.echo(click.style(title, bold=True))
    for incident in outcome.incidents:
        click.echo(wrapped(incident.line(region.code), "  "), err=True)
        if app.verbose:
            click.echo(incident.trace, err=True)
    if outcome.error:
        click.echo(wrapped(f"Erreur : {outcome.error}", "  "), err=True)
        if app.verbose and outcome.trace:
            click.echo(outcome.trace, err=True)
        return
    for note in outcome.notes:
        click.echo(wrapped(note, "  "))
    for result in outcome.results:
        line = " · ".join(f"{label} {value}" if value != "" else label for label, value in result.summary)
        click.echo(f"  {result.task:<10} {line}")
        if result.files and not app.dry_run:
            if len(result.files) <= 3:
                for path in result.files:
                    if str(path) not in line:  # the summary may name it already
                        click.echo(f"  {'':<10} fichier : {path}")
            else:
                folders = sorted({str(Path(p).parent) for p in result.files})
                click.echo(f"  {'':<10} {len(result.files)} fichiers dans {', '.join(folders)}")
        for t in result.tables:
            # In a multi-step run only the tables that need action (shown whole) are printed.
            if t.rows and (len(outcome.results) == 1 or t.limit is None or app.verbose):
                shown = t.rows if (t.limit is None or app.verbose) else t.rows[: t.limit]
                click.echo(f"\n  {t.title}")
                click.echo("\n".join("  " + l for l in table(t.headers, shown, max_width=90).splitlines()))
                if len(shown) < len(t.rows):
                    click.echo(f"  … et {len(t.rows) - len(shown)} autre(s) ligne(s) (--verbose ou --json pour tout voir)")
                click.echo("")
    findings = [f for r in outcome.results for f in r.findings]
    if findings and not any(r.task == "check" for r in outcome.results):
        click.echo(f"  {len(findings)} point(s) à voir :")
        click.echo("\n".join("  " + l for l in table(
            ["Gravité", "Cellule", "Message"], [[f.severity, f.cell, f.message] for f in findings[:30]],
            max_width=110).splitlines()))
        if len(findings) > 30:
            click.echo(f"  … et {len(findings) - 30} autre(s)")
    if app.read_only:
        pass
    elif app.dry_run:
        click.echo(f"  Simulation (--dry-run) : {len(outcome.preview)} modification(s), rien n'est écrit.")
        if outcome.preview:
            click.echo("\n".join("  " + l for l in table(
                ["Tâche", "Onglet", "Clé", "Colonne", "Avant", "Après"], outcome.preview).splitlines()))
    elif outcome.report is not None:
        rep = outcome.report
        parts = [f"{rep.written} cellule(s) écrite(s)"]
        if rep.highlights:
            parts.append(f"{rep.highlights} surlignage(s)")
        for tab, n in rep.owned_rows.items():
            parts.append(f"{tab} : {n} ligne(s)")
        for tab, n in rep.removed_rows.items():
            parts.append(f"{tab} : {n} ligne(s) archivée(s)")
        for tab, n in rep.appended_rows.items():
            if tab != "État":  # the tool's memory: in the Journal, not worth a CDBO's glance
                parts.append(f"{tab} : +{n} ligne(s)")
        parts.append(f"Journal +{rep.journal_rows}")
        click.echo("  Écriture : " + ", ".join(parts))
        if rep.kept_rows:
            click.echo(f"  {rep.kept_rows} ligne(s) à archiver gardée(s) : modifiée(s) entre-temps.")
        if rep.skipped:
            click.echo(f"  {len(rep.skipped)} cellule(s) non écrite(s), modifiée(s) par quelqu'un entre-temps :")
            click.echo("\n".join("  " + l for l in table(
                ["Tâche", "Cellule", "Clé", "Raison"], [[s.task, s.cell, s.key, s.reason] for s in rep.skipped]
            ).splitlines()))


def outcomes_json(outcomes: Sequence[RegionOutcome], refusals: Sequence[str] = ()) -> dict:
    """The outcomes as a JSON-ready dict (``--json``)."""
    out: dict[str, Any] = {"regions": [], "exit_code": exit_code(outcomes, refusals)}
    if refusals:
        out["errors"] = list(refusals)
    for o in outcomes:
        entry: dict[str, Any] = {"code": o.region.code, "name": o.region.name, "error": o.error or None,
                                 "notes": o.notes,
                                 "incidents": [{"step": i.step, "type": i.kind, "message": i.message, "log": i.log}
                                               for i in o.incidents]}
        entry["steps"] = [
            {
                "task": r.task,
                "summary": {label: value for label, value in r.summary},
                "findings": [f.__dict__ for f in r.findings],
                "tables": [{"title": t.title, "headers": t.headers, "rows": t.rows} for t in r.tables],
                **({"figures": r.figures} if r.figures else {}),
                "files": r.files,
            }
            for r in o.results
        ]
        if o.report is not None:
            entry["written"] = {
                "cells": o.report.written, "highlights": o.report.highlights,
                "owned_rows": o.report.owned_rows, "appended_rows": o.report.appended_rows,
                "journal_rows": o.report.journal_rows,
                "skipped": [s.__dict__ for s in o.report.skipped],
            }
        if o.preview:
            entry["dry_run_changes"] = o.preview
        out["regions"].append(entry)
    return jsonable(out)
