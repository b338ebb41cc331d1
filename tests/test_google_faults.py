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


def test_a_write_that_fails_for_good_and_cannot_be_verified_is_uncertain_never_resent(reference):
    from sheets_sync.errors import WorkbookError

    with SheetsStandIn() as standin:
        region(standin, missions=3)
        before = state(standin)
        standin.before_request(3, lambda s: s.fail(100, status=503))
        with pytest.raises(WorkbookError) as err:
            one_job(standin)
        assert "Écriture incertaine" in str(err.value) and "Rien n'est renvoyé" in str(err.value)
        assert state(standin) == before


def test_a_write_that_fails_for_good_but_is_verified_says_nothing_was_written(reference):
    from sheets_sync.errors import WorkbookError

    with SheetsStandIn() as standin:
        region(standin, missions=3)
        before = state(standin)
        standin.before_request(3, lambda s: s.fail_writes(4, status=503))  # every try of the write; reads answer
        with pytest.raises(WorkbookError) as err:
            Workbook(connect(standin, timeout_s=0.8, max_retries=3, late_apply_s=0.01)).apply(
                job(Workbook(connect(standin)).load()), NOW)
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


def _journal_ids(standin):
    journal = standin.rows(SID, "Journal")
    col = journal[0].index("Écriture")
    return [line[col] for line in journal[1:] if len(line) > col and line[col]]


@pytest.mark.parametrize("trial", range(3))
def test_a_write_applied_after_the_clients_timeout_is_waited_out_not_resent(reference, trial):
    """The write lands 0.6 s after it was sent, the client gives up at 0.3 s: it looks for the
    write's id, does not find it yet, waits out a late apply, finds it: no resend, no Journal row
    twice, no false failure."""
    import time

    with SheetsStandIn() as standin:
        region(standin, missions=6)
        standin.before_request(3, lambda s: s.apply_late(0.6))
        wb = Workbook(connect(standin, timeout_s=0.3, max_retries=3, late_apply_s=2.0, sleep=time.sleep))
        report = wb.apply(job(Workbook(connect(standin)).load()), NOW)
        expected_state, written, journal_rows = reference[True]
        assert report.written == written and report.journal_rows == journal_rows
        time.sleep(0.3)
        ids = _journal_ids(standin)
        assert len(ids) == journal_rows and len(set(ids)) == 1  # one write, its rows once
        assert state(standin) == expected_state


def test_an_answer_lost_while_the_verification_reads_fail_is_no_duplicate(reference):
    """The write lands, its answer is lost, the next reads fail: the verification keeps
    trying and finds the write's id; nothing is sent twice, and it is no failure."""
    with SheetsStandIn() as standin:
        region(standin, missions=6)
        standin.before_request(3, lambda s: s.drop(1, applied=True))
        standin.before_request(4, lambda s: s.fail(6, status=503))  # more than one read's retries
        wb = Workbook(connect(standin, timeout_s=0.8, max_retries=3))
        report = wb.apply(job(Workbook(connect(standin)).load()), NOW)
        expected_state, written, journal_rows = reference[True]
        assert report.written == written
        assert state(standin) == expected_state
        assert len(_journal_ids(standin)) == journal_rows
