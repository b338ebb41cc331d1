"""The jobs' state machines, as tables: a mission's presence, a sent mandate's follow-up, an
outside effect in the outbox."""
import datetime as dt
from types import SimpleNamespace

import pytest

from rules.mandate_followup import ESCALATION, REMINDER, due_step
from rules.outbox import ALREADY, BUSY, CLAIM, MINE, NEW, decide, winner
from rules.presence import CONFIRMED, LATE, MISSING, job_word, next_presence


@pytest.mark.parametrize("current, earned, expected", [
    ("", "", ""),  # nothing known yet
    ("", CONFIRMED, CONFIRMED),
    ("", LATE, LATE),
    ("", MISSING, MISSING),
    (MISSING, CONFIRMED, CONFIRMED),  # the call came after all
    (MISSING, LATE, LATE),
    (CONFIRMED, MISSING, CONFIRMED),  # never taken back by a later export that lacks the call
    (LATE, MISSING, LATE),
    (LATE, CONFIRMED, CONFIRMED),  # a CDBO's link to an earlier call
    (CONFIRMED, "", CONFIRMED),
    (MISSING, "", MISSING),
])
def test_presence(current, earned, expected):
    assert next_presence(current, earned) == expected


@pytest.mark.parametrize("cell, expected", [
    ("", ""), (None, ""), (float("nan"), ""), ("Confirmée", CONFIRMED), ("confirmee", CONFIRMED),
    (" MANQUANTE ", MISSING), ("En retard", LATE), ("Excusée", None), ("Confirmée tél.", None),
])
def test_the_job_knows_its_own_words_only(cell, expected):
    assert job_word(cell) == expected


SETTINGS = SimpleNamespace(mandates=SimpleNamespace(default_delay_days=7, reminder_days_before=3,
                                                    escalation_days_before=0))
MISSION = dt.date(2026, 11, 29)  # store's delay 7: deadline 22/11, reminder from 19/11


@pytest.mark.parametrize("record, status, mission_status, today, expected", [
    ({"envoye_le": "2026-11-10 09:00"}, "Envoyé", "Confirmée", dt.date(2026, 11, 18), None),
    ({"envoye_le": "2026-11-10 09:00"}, "Envoyé", "Confirmée", dt.date(2026, 11, 19), REMINDER),
    ({"envoye_le": "2026-11-19 09:00"}, "Envoyé", "Confirmée", dt.date(2026, 11, 19), None),  # not the day it left
    ({"envoye_le": "2026-11-19 09:00"}, "Envoyé", "Confirmée", dt.date(2026, 11, 20), REMINDER),
    ({"envoye_le": "2026-11-10 09:00", "relance_le": "2026-11-19 09:00"}, "Envoyé", "Confirmée",
     dt.date(2026, 11, 21), None),
    ({"envoye_le": "2026-11-10 09:00", "relance_le": "2026-11-19 09:00"}, "Envoyé", "Confirmée",
     dt.date(2026, 11, 22), ESCALATION),
    ({"envoye_le": "2026-11-10 09:00", "relance_le": "2026-11-22 09:00"}, "Envoyé", "Confirmée",
     dt.date(2026, 11, 22), None),  # escalation at the earliest the day after the reminder
    ({"envoye_le": "2026-11-10 09:00", "relance_le": "2026-11-19", "escalade_le": "2026-11-22"}, "Envoyé",
     "Confirmée", dt.date(2026, 11, 25), None),  # all done: the call list keeps it
    ({"envoye_le": "2026-11-10 09:00"}, "Accusé", "Confirmée", dt.date(2026, 11, 20), None),
    ({"envoye_le": "2026-11-10 09:00"}, "Refusé", "Confirmée", dt.date(2026, 11, 20), None),
    ({"envoye_le": "2026-11-10 09:00"}, "Envoyé", "Annulée", dt.date(2026, 11, 20), None),
    ({"envoye_le": "2026-11-10 09:00"}, "Envoyé", "Confirmée", dt.date(2026, 11, 30), None),  # mission past
    ({}, "Envoyé", "Confirmée", dt.date(2026, 11, 20), None),  # never sent as far as the memory knows
])
def test_follow_up(record, status, mission_status, today, expected):
    assert due_step(record, status, mission_status, MISSION, 7.0, today, SETTINGS) == expected


def row(rid, state, run, created="2026-11-20 09:00:00"):
    return SimpleNamespace(id=rid, state=state, run=run, created=created)


NOW = dt.datetime(2026, 11, 20, 9, 10)
ME = "me@host:1"


@pytest.mark.parametrize("rows, over, expected", [
    ([], False, (NEW, "")),
    ([row("a", "fait", "x@h:2")], False, (ALREADY, "a")),
    ([row("a", "doublon", "x@h:2"), row("b", "fait", "y@h:3")], False, (ALREADY, "b")),
    ([row("a", "à faire", ME)], False, (MINE, "a")),
    ([row("a", "à faire", "x@h:2")], False, (BUSY, "a")),  # another live run, within its lease
    ([row("a", "à faire", "x@h:2")], True, (CLAIM, "a")),  # its process is gone
    ([row("a", "à faire", "x@h:2", "2026-11-20 08:30:00")], False, (CLAIM, "a")),  # past the 30 min lease
    ([row("a", "à faire", "x@h:2", "2026-11-20 08:40:01")], False, (BUSY, "a")),
    ([row("a", "échec", "x@h:2")], False, (CLAIM, "a")),  # a failed send: the next run tries again
    ([row("a", "abandonné", "x@h:2")], False, (NEW, "")),
])
def test_outbox(rows, over, expected):
    decision = decide(rows, ME, NOW, 30, lambda run: over)
    assert (decision.verdict, decision.row_id) == expected


def test_the_first_live_row_of_an_effect_wins():
    assert winner([row("a", "doublon", "x"), row("b", "à faire", "y"), row("c", "à faire", "z")]) == "b"
    assert winner([row("a", "abandonné", "x")]) == ""
