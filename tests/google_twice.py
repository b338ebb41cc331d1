"""Two runs of the same steps at once on one Google spreadsheet (the Sheets stand-in, gspread's
real HTTP code): what the concurrency tests of the outbox share."""
from __future__ import annotations

import threading
from pathlib import Path

from backoffice.jobs.runner import run_region
from backoffice.settings import Region
from sheets_sync import Workbook
from sheets_sync.schema import ANOMALIES, JOURNAL, OUTBOX, STATE
from tests.sheets_standin import SheetsStandIn
from tests.test_google_backend import SID, connect


def with_owned_tabs(tabs: dict) -> dict:
    """The people's tabs and the tool's own (empty), as a spreadsheet that was initialised."""
    return {**tabs, "Anomalies": [list(ANOMALIES.names)], "Journal": [list(JOURNAL.names)],
            "État": [list(STATE.names)], "Envois": [list(OUTBOX.names)]}


def two_runs_at_once(settings, tabs: dict, steps, now, out: Path) -> tuple[list, list[list]]:
    """Run ``steps`` twice side by side (each with its own output folder ``out/0``, ``out/1``);
    the two outcomes (each checked free of errors and incidents) and the ``Envois`` rows after."""
    with SheetsStandIn() as standin:
        standin.add_spreadsheet(SID, with_owned_tabs(tabs))
        outcomes = []

        def one(i):
            outcomes.append(run_region(settings, Region("IDF", spreadsheet=SID), steps, now, out=str(out / str(i)),
                                       workbook=Workbook(connect(standin))))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(not o.error and not o.incidents for o in outcomes), [(o.error, o.incidents) for o in outcomes]
        return outcomes, standin.rows(SID, "Envois")
