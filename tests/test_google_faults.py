"""Writes that cannot half-happen: every fault on every request of a job, against the stand-in.

Each fault is injected on the n-th request of a job (read, re-read, write, and the check read
that follows an uncertain write): 429, 500 and 503 before applying, a dropped connection before
and after applying, a 500 after applying, an answer later than the client's timeout after
applying. Every case must end as the fault-free run does: every cell written once, with exactly
one Journal row, no false failure, and a rerun that changes nothing.
"""
import copy

import pytest

from sheets_sync import Workbook
from tests.sheets_standin import SheetsStandIn
from tests.test_google_backend import NOW, SID, connect, job, region

FAULTS = {
    "429": lambda s: s.fail(1, status=429),
    "500": lambda s: s.fail(1, status=500),
    "503": lambda s: s.fail(1, status=503),
    "drop-before": lambda s: s.drop(1),
    "drop-after": lambda s: s.drop(1, applied=True),
    "500-after": lambda s: s.fail_after_applying(1, status=500),
    "late-after": lambda s: s.answer_late(1.5),
}


def state(standin):
    book = standin.spreadsheets[SID]
    return {sheet.title: ({k: (c.value, c.bg) for k, c in sheet.cells.items() if c.value is not None or c.bg},
                          sheet.rows, sheet.cols)
            for sheet in book.sheets}


def one_job(standin, owned=True):
    wb = Workbook(connect(standin, timeout_s=0.8, max_retries=3))
    return wb.apply(job(wb.load()), NOW)


@pytest.fixture(scope="module")
def reference():
    """The fault-free outcome, with and without the owned tabs at the start."""
    out = {}
    for owned in (True, False):
        with SheetsStandIn() as standin:
            region(standin, missions=6, owned=owned)
            report = one_job(standin)
            out[owned] = (state(standin), report.written, report.journal_rows)
    return out


@pytest.mark.parametrize("owned", [True, False], ids=["owned-tabs", "new-sheet"])
@pytest.mark.parametrize("request_number", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_fault_on_any_request_ends_as_a_fault_free_run(reference, fault, request_number, owned):
    with SheetsStandIn() as standin:
        region(standin, missions=6, owned=owned)
        # owned tabs: read, re-read, write (then the check read after an uncertain write);
        # a new sheet: read (refused: no owned tabs), read of every tab, re-read, write
        standin.before_request(request_number, FAULTS[fault])
        report = one_job(standin)  # no false failure: one fault is always recovered
        expected_state, written, journal_rows = reference[owned]
        assert report.written == written and report.journal_rows == journal_rows
        assert state(standin) == expected_state  # every cell once, exactly one Journal row each
        before = copy.deepcopy(state(standin))
        again = one_job(standin)
        assert again.written == 0 and again.journal_rows == 0
        assert state(standin) == before


def test_a_write_that_fails_for_good_says_nothing_was_written(reference):
    from sheets_sync.errors import WorkbookError

    with SheetsStandIn() as standin:
        region(standin, missions=3)
        before = state(standin)
        standin.before_request(3, lambda s: s.fail(100, status=503))
        with pytest.raises(WorkbookError) as err:
            one_job(standin)
        assert "Rien n'a été écrit dans le classeur (vérifié après l'échec)." in str(err.value)
        assert state(standin) == before


def test_a_write_that_landed_but_whose_answers_failed_is_no_failure(reference):
    with SheetsStandIn() as standin:
        region(standin, missions=3)
        standin.before_request(3, lambda s: s.fail_after_applying(1, status=500))
        standin.before_request(4, lambda s: s.fail(2, status=503))  # and the check read stumbles too
        report = one_job(standin)
        assert report.written == 3
        journal = standin.rows(SID, "Journal")
        assert len(journal) == 2 + report.journal_rows  # header, earlier row, ours once
