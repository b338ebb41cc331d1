"""Run job steps on regions: one read and one write per workbook, regions side by side."""
from __future__ import annotations

import datetime as dt
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Sequence

from sheets_sync.changes import ApplyReport, ChangeSet, preview_rows
from sheets_sync.errors import BackofficeError
from sheets_sync.workbook import Workbook

from ..settings import Region, Settings
from .base import JobContext, JobResult, Step
from .backends import open_workbook
from .gc_pause import gc_paused


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
        return _run_region(settings, region, steps, now, dry_run=dry_run, out=out, progress=progress,
                           workbook=workbook, limiter=limiter, whole_journal=whole_journal,
                           also_tabs=also_tabs)


def _run_region(settings, region, steps, now, *, dry_run, out, progress, workbook, limiter,
                whole_journal, also_tabs) -> RegionOutcome:
    outcome = RegionOutcome(region)
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
            ctx = JobContext(settings, region, now, out,
                             carried=list(carried))
            if progress is not None:
                ctx.progress = progress
            result = step(data, ctx)
            data.apply_in_memory(result.changes)
            changes.merge(result.changes)
            carried.extend(result.findings)
            outcome.results.append(result)
        if dry_run:
            outcome.preview = preview_rows(changes, wb.titles)
        else:
            outcome.report = wb.apply(changes, now)
            follow_up = act(outcome.results, outcome.report)
            if not follow_up.is_empty():
                outcome.report.merge(wb.apply(follow_up, now))
            counted = getattr(wb.backend, "requests", None)
            if counted is not None:
                outcome.report.requests = counted
    except BackofficeError as err:
        outcome.error = str(err)
        outcome.trace = traceback.format_exc()
    return outcome


def step_tabs(step) -> tuple[str, ...]:
    """The tabs a step reads beyond the people's and the owned ones (its function's
    ``also_tabs``: the presence job's ``Appels SVI``), also through :func:`functools.partial`."""
    return tuple(getattr(getattr(step, "func", step), "also_tabs", ()))


def act(results: Sequence[JobResult], report: ApplyReport) -> ChangeSet:
    """Run each step's act phase, in step order, now that the sheet write committed; return
    the sheet changes that record what they did (one follow-up write)."""
    follow_up = ChangeSet()
    for result in results:
        if result.act is not None:
            done = result.act(report)
            result.absorb(done)
            follow_up.merge(done.changes)
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
