"""The mandates step's decision for one mandate, as a table (rules/mandate_plan.py)."""
import pytest

from rules.mandate_plan import (ADOPT, GENERATE, NOTHING, PDF, REDO_LATER, REGENERATE, REUSE, Facts, considered,
                                decide)

FP, OLD = "aaaaaaaaaaaa", "bbbbbbbbbbbb"


@pytest.mark.parametrize("status, eligible, remembered, file_exists, shown_exists, want_pdf, pdf_exists, expected", [
    ("", True, "", False, False, False, False, GENERATE),
    ("À générer", True, "", False, False, False, False, GENERATE),
    ("", False, "", False, False, False, False, NOTHING),  # out of the window
    ("", True, FP, True, False, False, False, REUSE),  # made by a run whose write was lost
    ("", True, FP, False, False, False, False, GENERATE),  # ... but its file is gone
    ("", True, OLD, True, False, False, False, GENERATE),  # ... for other data
    ("À refaire", True, FP, True, False, False, False, REGENERATE),  # asked by a person
    ("À refaire", False, FP, True, False, False, False, NOTHING),
    ("Généré", True, "", False, False, False, False, GENERATE),  # the sheet says Généré, no file
    ("Généré", True, "", False, True, False, False, ADOPT),  # made elsewhere, its file here
    ("Envoyé", True, "", False, False, False, False, ADOPT),  # sent by a person
    ("Refusé", False, "", False, False, False, False, ADOPT),
    ("Envoyé", True, OLD, True, False, False, False, REGENERATE),  # the mission changed
    ("Accusé", False, OLD, True, False, False, False, REDO_LATER),  # changed, beyond the window
    ("Généré", True, FP, True, False, False, False, NOTHING),  # unchanged
    ("Généré", True, FP, True, False, True, False, PDF),
    ("Généré", True, FP, True, False, True, True, NOTHING),
    ("Envoyé", True, FP, True, False, True, False, NOTHING),  # a sent one is not converted
    ("Annulé par téléphone", True, "", False, False, False, False, NOTHING),  # a person's word
])
def test_the_decision_table(status, eligible, remembered, file_exists, shown_exists, want_pdf, pdf_exists, expected):
    facts = Facts(status, eligible, remembered, FP, file_exists, shown_exists, want_pdf, pdf_exists)
    assert decide(facts) == expected


@pytest.mark.parametrize("status, eligible, has_record, want_send, expected", [
    ("", True, False, False, True),
    ("", False, False, False, False),
    ("Envoyé", False, True, False, True),  # followed for changes even beyond the window
    ("Envoyé", False, False, False, False),
    ("Généré", False, False, True, True),  # to send
    ("Généré", False, False, False, False),
])
def test_which_missions_are_looked_at(status, eligible, has_record, want_send, expected):
    assert considered(status, eligible, has_record, want_send) is expected
