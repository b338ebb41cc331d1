"""What every job step receives and returns."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol

from sheets_sync.changes import ApplyReport, ChangeSet
from sheets_sync.faults import fault_point  # noqa: F401 (re-exported for the jobs)
from sheets_sync.findings import ERREUR, Finding
from sheets_sync.workbook import WorkbookData

from ..settings import Region, Settings


def _no_progress(items: Iterable, label: str = "", length: int | None = None) -> Iterable:
    return items


@dataclass
class JobContext:
    """The run's settings, region, clock and output folder. A command's own options are the
    step's (each job's frozen ``…Options``, bound with :func:`functools.partial`); whether the
    run is a dry run is not here: a step only plans, and the runner alone writes and acts."""

    settings: Settings
    region: Region
    now: dt.datetime  # naive, Europe/Paris wall-clock time
    out: str | None = None  # --out: where the files of the run go (default: mandates.out_dir)
    progress: Callable[..., Iterable] = _no_progress
    carried: list[Finding] = field(default_factory=list)  # findings of earlier steps of a run
    run_id: str = ""  # this run, as the outbox names it (backoffice.jobs.outbox.new_run_id)

    def out_dir(self) -> Path:
        """Where files of this region go: ``<out>/<region>/``."""
        base = self.out or self.settings.path(self.settings.mandates.out_dir)
        return Path(base) / self.region.code


@dataclass
class Table:
    """A small table to print (and to put in ``--json``): a title, headers and rows."""

    title: str
    headers: list[str]
    rows: list[list[Any]]
    limit: int | None = 12  # rows shown in the terminal (all with --verbose or --json); None = all


@dataclass
class ActResult:
    """What an act phase did: the files it published, what went wrong, and the sheet changes
    that record what it did (a mandate « Envoyé » once its mail left): written by the runner in
    one follow-up write."""

    files: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    changes: ChangeSet = field(default_factory=ChangeSet)
    summary: list[tuple[str, Any]] = field(default_factory=list)  # lines added to the plan's
    renamed: dict[str, tuple[str, Any]] = field(default_factory=dict)  # a plan line -> what was done


# An act phase: ``act(report) -> ActResult``, run once the sheet write committed, given that
# write's report so that it acts only on what the sheet now holds. Never run by --dry-run.
Act = Callable[[ApplyReport], ActResult]


@dataclass
class JobResult:
    """A step's plan: the sheet changes, what to show, and the act phase that follows the write."""

    task: str
    changes: ChangeSet = field(default_factory=ChangeSet)
    findings: list[Finding] = field(default_factory=list)
    summary: list[tuple[str, Any]] = field(default_factory=list)  # (label, value) lines
    tables: list[Table] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)  # numbers for --json only (the plan's quality…)
    needs_attention: bool = False  # exit code 1 when true
    act: Act | None = None  # files, mails, partner orders: after the sheet write, never in --dry-run

    def absorb(self, done: ActResult) -> None:
        """Show what the act phase did with the step's own results."""
        self.files += done.files
        self.findings += done.findings
        self.summary = [done.renamed.get(label, (label, value)) for label, value in self.summary] + done.summary

    def attention(self) -> bool:
        """Whether the step found something a person must act on (exit 1)."""
        return self.needs_attention or any(f.severity == ERREUR for f in self.findings)


class Step(Protocol):
    """What a step is: ``step(data, ctx) -> JobResult``, a plan that writes nothing."""
    def __call__(self, data: WorkbookData, ctx: JobContext) -> JobResult: ...
