"""Run job steps on regions: one read and one write per workbook, regions side by side."""
from __future__ import annotations

import datetime as dt
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from generators.files import one_line

from sheets_sync.changes import ApplyReport, ChangeSet, preview_rows
from sheets_sync.errors import BackofficeError
from sheets_sync.workbook import Workbook

from ..settings import Region, Settings
from sheets_sync.reading import read_table
from sheets_sync.schema import OUTBOX
from sheets_sync.state import outbox_rows

from .base import JobContext, JobResult, Step, fault_point
from .outbox import FINISHED, new_run_id, races_lost, set_aside
from .backends import open_workbook
from .gc_pause import gc_paused


@dataclass
class Incident:
    """Something unexpected in one step of one region (a bug, a library's surprise): the step's
    plan (or act) is dropped, the rest of the run goes on, the exit code is 3."""

    step: str
    kind: str  # the exception's type
    message: str
    trace: str
    log: str = ""  # the log file that holds the trace

    def line(self, region: str) -> str:
        """The one French line printed for it."""
        where = f" ; détail dans {self.log}" if self.log else ""
        return (f"Incident inattendu dans l'étape « {self.step} » (région {region}) : {self.kind}"
                f"{' — ' + one_line(self.message)[:200] if self.message else ''}. Le reste du travail est fait ; "
                f"ce que cette étape devait faire le sera au prochain passage{where}.")


@dataclass
class RegionOutcome:
    """What a run did on one region: each step's result, the write's report, or the error."""
    region: Region
    results: list[JobResult] = field(default_factory=list)
    report: ApplyReport | None = None
    preview: list[list[str]] = field(default_factory=list)  # --dry-run: the changes not written
    notes: list[str] = field(default_factory=list)  # one-line facts of the run (workbook held open…)
    error: str = ""  # a BackofficeError message: this region could not be processed
    trace: str = ""
    incidents: list[Incident] = field(default_factory=list)  # unexpected failures, contained (exit 3)

    def attention(self) -> bool:
        """Whether any step needs a person (exit 1)."""
        return any(r.attention() for r in self.results)


def run_region(
    settings: Settings,
    region: Region,
    steps: Sequence[tuple[str, Step]],
    now: dt.datetime,
    *,
    dry_run: bool = False,
    out: str | None = None,
    progress: Callable = None,
    workbook: Workbook | None = None,
    limiter=None,
    whole_journal: bool = False,
    also_tabs: Sequence[str] = (),
) -> RegionOutcome:
    """Read the region's workbook once, run the steps' plans in order, write their changes
    once, then run their act phases (files, mails), which follow the sheet: never before the
    write, never when it failed, never in --dry-run. Changes an act reports (a mandate sent)
    go in one follow-up write."""
    with gc_paused():
        try:
            outcome = _run_region(settings, region, steps, now, dry_run=dry_run, out=out, progress=progress,
                                  workbook=workbook, limiter=limiter, whole_journal=whole_journal,
                                  also_tabs=also_tabs)
        except Exception as exc:  # noqa: BLE001 - contained: the other regions go on
            outcome = RegionOutcome(region)
            outcome.incidents.append(_incident("classeur", exc))
    _log_incidents(settings, outcome, now, out)
    return outcome


def _incident(step: str, exc: BaseException) -> Incident:
    return Incident(step, type(exc).__name__, str(exc), traceback.format_exc())


def _log_incidents(settings: Settings, outcome: RegionOutcome, now: dt.datetime, out: str | None) -> None:
    """Append each incident's trace to ``<out>/incidents.log`` (where the run's files go); when
    that cannot be written, the trace goes to stderr instead."""
    if not outcome.incidents:
        return
    text = "".join(f"=== {now:%Y-%m-%d %H:%M} région {outcome.region.code} étape {i.step} ===\n{i.trace}\n"
                   for i in outcome.incidents)
    where = append_incident(Path(out or settings.path(settings.mandates.out_dir)), text)
    for incident in outcome.incidents:
        incident.log = where


INCIDENT_LOG = "incidents.log"


def append_incident(folder: Path, text: str) -> str:
    """Append ``text`` to ``<folder>/incidents.log``; where it went (stderr when the file cannot
    be written)."""
    path = folder / INCIDENT_LOG
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text)
        return str(path)
    except OSError:
        sys.stderr.write(text)
        return "la sortie d'erreur"


def _run_region(settings, region, steps, now, *, dry_run, out, progress, workbook, limiter,
                whole_journal, also_tabs) -> RegionOutcome:
    outcome = RegionOutcome(region)
    run_id = new_run_id()
    try:
        wb = workbook or open_workbook(settings, region, limiter=limiter)
        also = list(also_tabs) + [t for _name, step in steps for t in step_tabs(step) if t not in also_tabs]
        data = wb.load(whole_journal=whole_journal, also=also)
        note = wb.backend.read_only_note()
        if note:
            outcome.notes.append(note)
        changes = ChangeSet()
        carried = list(data.findings)
        for name, step in steps:
            ctx = JobContext(settings, region, now, out, carried=list(carried), run_id=run_id)
            if progress is not None:
                ctx.progress = progress
            try:
                result = step(data, ctx)
            except BackofficeError:
                raise
            except Exception as exc:  # noqa: BLE001 - one step's surprise: the others go on
                outcome.incidents.append(_incident(name, exc))
                continue
            data.apply_in_memory(result.changes)
            changes.merge(result.changes)
            carried.extend(result.findings)
            outcome.results.append(result)
        flush_memory(data, changes, now)  # the memory, in the same write as the cells it explains
        if dry_run:
            outcome.preview = preview_rows(changes, wb.titles)
        else:
            outcome.report = wb.apply(changes, now)
            fault_point("apres-ecriture")
            aside = _races(wb, outcome.report)
            follow_up = act(outcome.results, outcome.report, outcome.incidents)
            set_aside(follow_up, "outbox", aside)
            flush_memory(data, follow_up, now)
            fault_point("avant-suivi")
            if not follow_up.is_empty():
                outcome.report.merge(wb.apply(follow_up, now))
            counted = getattr(wb.backend, "requests", None)
            if counted is not None:
                outcome.report.requests = counted
    except BackofficeError as err:
        outcome.error = str(err)
        outcome.trace = traceback.format_exc()
    finally:
        FINISHED.add(run_id)  # its outbox rows left « à faire » may be taken over at once
    return outcome


def flush_memory(data, changes: ChangeSet, now: dt.datetime) -> None:
    """The records the steps (or the acts) changed in the run's memory, into the write."""
    store = data.extras.get("state")
    if store is not None:
        store.flush(changes, "mémoire", now.strftime("%Y-%m-%d %H:%M"))


def _races(wb: Workbook, report: ApplyReport) -> set[str]:
    """On a backend whose writes are not exclusive (Google), the outbox rows this write added
    are checked against the sheet once (one read): of two runs that planned the same effect at
    once, the row first in the sheet wins; the others are this run's to set aside, unperformed."""
    if getattr(wb.backend, "exclusive_writes", True) or not any(t == OUTBOX.name for t, _k in report.appended_keys):
        return set()
    title = wb.titles[OUTBOX.name]
    fresh = getattr(wb.backend, "echo", {})  # the write's own answer, when the backend gives it
    if title not in fresh:
        fresh = wb.backend.read([title])
    table = read_table(OUTBOX, fresh[title], wb.headers.get(OUTBOX.name)) if title in fresh else None
    lost = races_lost(outbox_rows(table), report)
    report.lost |= {(OUTBOX.name, row_id) for row_id in lost}
    return lost


def step_tabs(step) -> tuple[str, ...]:
    """The tabs a step reads beyond the people's and the owned ones (its function's
    ``also_tabs``: the presence job's ``Appels SVI``), also through :func:`functools.partial`."""
    return tuple(getattr(getattr(step, "func", step), "also_tabs", ()))


def act(results: Sequence[JobResult], report: ApplyReport, incidents: list | None = None) -> ChangeSet:
    """Run each step's act phase, in step order, now that the sheet write committed; return
    the sheet changes that record what they did (one follow-up write). An act that fails
    unexpectedly is an incident (when ``incidents`` collects them): the others still act."""
    follow_up = ChangeSet()
    for result in results:
        if result.act is not None:
            try:
                done = result.act(report)
            except Exception as exc:  # noqa: BLE001
                if incidents is None or isinstance(exc, BackofficeError):
                    raise
                incidents.append(_incident(result.task, exc))
                continue
            result.absorb(done)
            follow_up.merge(done.changes)
            fault_point(f"apres-acte-{result.task}")
    return follow_up


def run_regions(
    settings: Settings,
    regions: Sequence[Region],
    steps: Sequence[tuple[str, Step]],
    now: dt.datetime,
    **kwargs,
) -> list[RegionOutcome]:
    """Run the steps on every region; Google regions side by side under one shared limiter."""
    from sheets_sync.limiter import RateLimiter

    limiter = kwargs.pop("limiter", None) or RateLimiter(settings.sheets.requests_per_minute)
    if len(regions) <= 1 or not any(r.spreadsheet for r in regions):
        return [run_region(settings, r, steps, now, limiter=limiter, **kwargs) for r in regions]
    with ThreadPoolExecutor(max_workers=min(4, len(regions))) as pool:
        futures = [pool.submit(run_region, settings, r, steps, now, limiter=limiter, **kwargs)
                   for r in regions]
        return [f.result() for f in futures]
