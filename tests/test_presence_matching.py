"""rules.presence: who called, which mission a call counts for, the status it earns."""

import pandas as pd
import pytest

from rules.presence import (NO_EMPLOYEE, NO_MISSION, OUT_OF_HOURS, digits_key, identify_callers,
                            match_presence)

DAY = "2026-11-29"


def ts(hhmm: str) -> pd.Timestamp:
    return pd.Timestamp(f"{DAY} {hhmm}")


def calls_frame(*calls):
    """calls: (HH:MM[:SS], E.164 phone, code)."""
    return pd.DataFrame({
        "line": range(2, 2 + len(calls)),
        "time": pd.to_datetime([f"{DAY} {c[0]}" for c in calls]) if calls else pd.Series([], dtype="datetime64[ns]"),
        "number": [c[1] or "masqué" for c in calls],
        "phone": [c[1] for c in calls],
        "code": [c[2] for c in calls],
    })


def missions_frame(*missions):
    """missions: (N° mission, Matricule, Début, Fin)."""
    return pd.DataFrame({
        "employee": [m[1] for m in missions],
        "start": [ts(m[2]) for m in missions],
        "end": [ts(m[3]) for m in missions],
    }, index=pd.Index([m[0] for m in missions], name="N° mission"))


MATRICULES = pd.Series(["S0001", "S0042", "S0500", "T0777", "U777"])
PHONES = pd.Series({"S0001": "+33611111111", "S0042": "+33642424242", "S0500": "+33650050050",
                    "T0777": "+33677777777", "U777": "+33677777777"})


def match(calls, missions, now="10:00", early=60, grace=15):
    return match_presence(calls, MATRICULES, PHONES, missions, ts(now), early, grace)


@pytest.mark.parametrize("values, expected", [
    (["S0042", "0042", "42", "00042", "s42"], ["42", "42", "42", "42", "42"]),
    (["000", "", "ABC", "M0007"], ["0", "", "", "7"]),
])
def test_digits_key(values, expected):
    assert list(digits_key(pd.Series(values))) == expected


@pytest.mark.parametrize("code, phone, employee, mission", [
    ("S0042", "", "S0042", ""),            # the full Matricule
    ("s0042", "", "S0042", ""),            # any case
    ("0042", "", "S0042", ""),             # without its letters
    ("42", "", "S0042", ""),               # without its leading zeros
    ("00042", "", "S0042", ""),
    (" 0042 ", "", "S0042", ""),
    ("0042", "+33611111111", "S0042", ""),  # the code wins over the number
    ("999", "+33611111111", "S0001", ""),   # an unknown code: the number decides
    ("", "+33611111111", "S0001", ""),      # no code: the number decides
    ("", "", "", ""),                       # hidden number, no code
    ("999", "", "", ""),                    # unknown code, hidden number
    ("M9001", "", "S0001", "M9001"),        # a N° mission of the day
    ("9001", "", "S0001", "M9001"),         # its digits
    ("777", "", "", ""),                    # T0777 and U777 share their digits: nobody
    ("T0777", "", "T0777", ""),             # the full Matricule is still unique
    ("", "+33677777777", "", ""),           # two employees share this phone: nobody
])
def test_identify_callers(code, phone, employee, mission):
    missions = missions_frame(("M9001", "S0001", "09:00", "12:00"))
    who = identify_callers(calls_frame(("09:00", phone, code)), MATRICULES, PHONES, missions)
    assert (who.at[0, "employee"], who.at[0, "code_mission"]) == (employee, mission)


# One mission 09:00-12:00, early 60 min, grace 15 min.
@pytest.mark.parametrize("call, now, status, heure", [
    ("07:59", "10:00", "Manquante", None),   # before Début - 60: does not count
    ("08:00", "10:00", "Confirmée", "08:00"),
    ("08:30", "08:40", "Confirmée", "08:30"),  # confirmed before the start
    ("09:00", "10:00", "Confirmée", "09:00"),
    ("09:15", "10:00", "Confirmée", "09:15"),  # Début + grace included
    ("09:15:30", "10:00", "En retard", "09:15"),  # seconds count
    ("09:16", "10:00", "En retard", "09:16"),
    ("12:00", "12:30", "En retard", "12:00"),  # Fin included
    ("12:01", "12:30", "Manquante", None),     # after Fin: does not count
    (None, "08:00", "", None),                 # too early to say
    (None, "09:15", "", None),                 # still within the grace
    (None, "09:16", "Manquante", None),
    ("09:30", "09:20", "En retard", "09:30"),  # a call in the log decides, whatever --now
])
def test_status_rules(call, now, status, heure):
    calls = calls_frame(*([(call, "+33611111111", "")] if call else []))
    result = match(calls, missions_frame(("M1", "S0001", "09:00", "12:00")), now=now)
    assert result.status["M1"] == status
    first = result.first_call["M1"]
    assert (None if pd.isna(first) else first.strftime("%H:%M")) == heure


@pytest.mark.parametrize("early, grace, call, status", [
    (30, 15, "08:29", "Manquante"),
    (30, 15, "08:30", "Confirmée"),
    (60, 5, "09:06", "En retard"),
    (60, 5, "09:05", "Confirmée"),
])
def test_early_and_grace_are_settings(early, grace, call, status):
    calls = calls_frame((call, "+33611111111", ""))
    result = match(calls, missions_frame(("M1", "S0001", "09:00", "12:00")), early=early, grace=grace)
    assert result.status["M1"] == status


# Two missions of S0001: M1 09:00-13:00, M2 13:30-17:00 (M2's window opens at 12:30).
@pytest.mark.parametrize("calls, m1, m2", [
    (["09:05"], "Confirmée", ""),
    (["12:00"], "En retard", ""),            # only M1's window holds it
    (["12:45"], "Manquante", "Confirmée"),   # both windows: M2 starts nearer
    (["09:05", "13:20"], "Confirmée", "Confirmée"),
    (["09:05", "09:10"], "Confirmée", ""),   # a second call changes nothing
    (["08:10", "09:40"], "Confirmée", ""),   # the first call decides
])
def test_two_missions_the_same_day(calls, m1, m2):
    missions = missions_frame(("M1", "S0001", "09:00", "13:00"), ("M2", "S0001", "13:30", "17:00"))
    result = match(calls_frame(*[(c, "+33611111111", "") for c in calls]), missions, now="13:00")
    assert (result.status["M1"], result.status["M2"]) == (m1, m2)


def test_a_mission_number_code_counts_only_for_that_mission():
    missions = missions_frame(("M1", "S0001", "09:00", "13:00"), ("M2", "S0001", "13:30", "17:00"))
    result = match(calls_frame(("12:45", "", "M1")), missions, now="13:00")
    assert (result.status["M1"], result.status["M2"]) == ("En retard", "")


def test_unmatched_calls_and_their_reasons():
    missions = missions_frame(("M1", "S0001", "09:00", "12:00"))
    calls = calls_frame(("09:01", "", "999"), ("09:02", "+33642424242", ""), ("13:00", "+33611111111", ""),
                        ("09:03", "+33611111111", ""))
    result = match(calls, missions, now="13:00")
    assert result.status["M1"] == "Confirmée"
    got = result.unmatched[["line", "employee", "reason"]].values.tolist()
    assert got == [[2, "", NO_EMPLOYEE], [3, "S0042", NO_MISSION], [4, "S0001", OUT_OF_HOURS]]


def test_no_calls_at_all():
    result = match(calls_frame(), missions_frame(("M1", "S0001", "09:00", "12:00")), now="09:30")
    assert result.status["M1"] == "Manquante"
    assert result.unmatched.empty
