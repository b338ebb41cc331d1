"""The archive step: Journal rows and old finished missions out of the sheet, into CSV files.

A spreadsheet that only grows ends at Google's 10 million cells, and then every write fails.
This step moves out the Journal rows older than ``archive.journal_days``, the ``Appels SVI``
rows linked or rejected as long ago, the outbox (``Envois``) rows done as long ago, and the missions « Réalisée » or « Annulée » dated more
than ``archive.mission_days`` ago, into one CSV per tab and month
(``<archive folder>/<region>/Journal-AAAA-MM.csv``).

The order is the one that never loses a row: the act phase first adds the rows to the
archive files (a row already there is not added twice), and only then asks for their
deletion, in the follow-up write; a row a person changed meanwhile is kept in the sheet. A
crash between the two leaves the rows in both places, and the next run finishes the job.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd

from generators.files import FORMULA_START, atomic_write, csv_bytes
from sheets_sync.parsing import cell_text
from sheets_sync.workbook import WorkbookData

from .base import ActResult, JobContext, JobResult, Table

TASK = "archive"
FINISHED = ("Réalisée", "Annulée")


def archive_dir(ctx: JobContext) -> Path:
    """Where the region's archive files go: ``<archive.folder>/<region>``."""
    return ctx.settings.path(ctx.settings.archive.folder) / ctx.region.code


def _journal_rows(data: WorkbookData, before: dt.datetime) -> dict[str, list[list]]:
    """Journal rows older than ``before``, by month (``AAAA-MM``)."""
    table = data["Journal"]
    out: dict[str, list[list]] = {}
    stamps = pd.to_datetime(table.df["Horodatage"], errors="coerce", format="mixed", dayfirst=False)
    for row, stamp in zip(table.df["_row"], stamps):
        if pd.notna(stamp) and stamp < before:
            out.setdefault(f"{stamp:%Y-%m}", []).append(table.raw.rows[int(row) - 1])
    return out


def _mission_rows(data: WorkbookData, before: pd.Timestamp) -> dict[str, list[list]]:
    table = data["Missions"]
    df = table.df
    old = df[df["Date"].notna() & (df["Date"] < before) & df["Statut"].isin(FINISHED)]
    out: dict[str, list[list]] = {}
    for key in old.index:
        out.setdefault(f"{old.at[key, 'Date']:%Y-%m}", []).append(table.raw.rows[table.row_of(key) - 1])
    return out


def _queue_rows(data: WorkbookData, before: dt.datetime) -> dict[str, list[list]]:
    """Rows of ``Appels SVI`` settled (linked, rejected, sans objet) whose call is older than
    ``before``, by month; the rows still to do stay."""
    from rules.call_queue import is_settled, parse_call_time

    if "Appels SVI" not in data:
        return {}
    table = data["Appels SVI"]
    out: dict[str, list[list]] = {}
    for key, state, heure in zip(table.df.index, table.df["État"], table.df["Heure"]):
        time = parse_call_time(heure)
        if is_settled(state) and time is not None and time < before:
            out.setdefault(f"{time:%Y-%m}", []).append(table.raw.rows[table.row_of(key) - 1])
    return out


def _outbox_rows(data: WorkbookData, before: dt.datetime) -> dict[str, list[list]]:
    """Rows of the outbox (``Envois``) done or set aside (``fait``, ``doublon``, ``abandonné``)
    whose last time is older than ``before``, by month; the rows still to do stay. Their effects
    are long past: no run plans them again (their missions are over, their memory says so)."""
    from rules.outbox import DONE, DROPPED, DUPLICATE

    table = data.tables.get("Envois")
    if table is None:
        return {}
    out: dict[str, list[list]] = {}
    for key, state, created, done in zip(table.df.index, table.df["État"], table.df["Créé le"], table.df["Fait le"]):
        stamp = pd.to_datetime(done or created, errors="coerce")
        if state in (DONE, DUPLICATE, DROPPED) and pd.notna(stamp) and stamp < before:
            out.setdefault(f"{stamp:%Y-%m}", []).append(table.raw.rows[table.row_of(key) - 1])
    return out


def archive_step(data: WorkbookData, ctx: JobContext, before: dt.date | None = None) -> JobResult:
    """Plan what to archive; the act phase writes the archive files, then asks for the rows'
    deletion (the runner's follow-up write)."""
    settings = ctx.settings.archive
    journal_before = (dt.datetime.combine(before, dt.time()) if before is not None
                      else ctx.now - dt.timedelta(days=settings.journal_days))
    missions_before = pd.Timestamp(ctx.now.date()) - pd.Timedelta(days=settings.mission_days)
    wanted = {"Journal": _journal_rows(data, journal_before), "Missions": _mission_rows(data, missions_before),
              "Appels SVI": _queue_rows(data, journal_before), "Envois": _outbox_rows(data, journal_before)}
    result = JobResult(TASK)
    rows = [[tab, month, len(lines)] for tab, months in wanted.items() for month, lines in sorted(months.items())]
    result.tables.append(Table("À archiver", ["Onglet", "Mois", "Lignes"], rows, limit=None))
    result.summary = [("Journal avant le", f"{journal_before:%d/%m/%Y}"),
                      ("lignes du Journal", sum(len(v) for v in wanted["Journal"].values())),
                      ("missions terminées avant le", f"{missions_before:%d/%m/%Y}"),
                      ("missions", sum(len(v) for v in wanted["Missions"].values())),
                      ("appels SVI traités", sum(len(v) for v in wanted["Appels SVI"].values())),
                      ("envois faits", sum(len(v) for v in wanted["Envois"].values()))]
    if any(wanted.values()):
        result.act = lambda _report: _archive(data, ctx, wanted)
    return result


archive_step.also_tabs = ("Appels SVI",)  # its settled rows are archived with the Journal


def _archive(data: WorkbookData, ctx: JobContext, wanted: dict[str, dict[str, list[list]]]) -> ActResult:
    """Add the rows to the monthly files (once), then plan their deletion from the sheet."""
    done = ActResult()
    folder = archive_dir(ctx)
    for tab, months in wanted.items():
        table = data[tab]
        header = [cell_text(v) for v in (table.raw.rows[0] if table.raw.rows else [])]
        for month, lines in sorted(months.items()):
            path = folder / f"{tab}-{month}.csv"
            _append(path, header, lines)
            done.files.append(path)
        everything = [line for lines in months.values() for line in lines]
        if everything:
            done.changes.remove(TASK, tab, everything, str(ctx.settings.shown_path(folder)))
    if "Appels SVI" in data.missing:  # created in the same write: later runs read it in one request
        done.changes.append(TASK, "Appels SVI", [])
    return done


def _append(path: Path, header: list[str], lines: list[list]) -> None:
    """Add ``lines`` to the archive file at ``path``, skipping those it already holds."""
    rows = _read_archive(path)
    have = {tuple(r) for r in rows}
    for line in lines:
        row = _trimmed([cell_text(v) for v in line])
        if tuple(row) not in have:
            have.add(tuple(row))
            rows.append(row)
    atomic_write(path, csv_bytes(header, rows))


def _read_archive(path: Path) -> list[list[str]]:
    """The rows of an archive file, unescaped (``'=x`` back to ``=x``): rewriting is lossless."""
    if not path.exists():
        return []
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    return [_trimmed([v[1:] if v.startswith("'") and v[1:2] and v[1] in FORMULA_START else v for v in r])
            for r in rows]


def _trimmed(row: list[str]) -> list[str]:
    while row and row[-1] == "":
        row.pop()
    return row
