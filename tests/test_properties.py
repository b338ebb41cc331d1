"""Properties that hold for any input (hypothesis): round trips at the edges, idempotent writes."""
import datetime as dt

import pandas as pd
import phonenumbers
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sheets_sync import ChangeSet, MemoryBackend, Workbook
from sheets_sync.a1 import col_index, col_letter, split_a1
from sheets_sync.parsing import (FRENCH_REGIONS, OVERSEAS_PREFIXES, CellError, display_phone, format_date, format_time, parse_amount, parse_date,
                                 parse_phone, parse_postal, parse_time)
from tests.factories import make_tabs

NOW = dt.datetime(2026, 11, 29, 9, 30)


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_a_date_written_reads_back_the_same(day):
    assert parse_date(format_date(day)) == pd.Timestamp(day)
    assert parse_date(day.isoformat()) == pd.Timestamp(day)


@given(st.integers(0, 23), st.integers(0, 59))
def test_a_time_written_reads_back_the_same(hour, minute):
    text = format_time(pd.Timedelta(hours=hour, minutes=minute))
    assert text == f"{hour:02d}:{minute:02d}"
    assert parse_time(text) == pd.Timedelta(hours=hour, minutes=minute)
    assert parse_time(f"{hour}h{minute:02d}") == pd.Timedelta(hours=hour, minutes=minute)


@given(st.integers(0, 10**7))
def test_an_amount_with_a_decimal_comma_or_point(cents):
    euros, rest = divmod(cents, 100)
    for text in (f"{euros},{rest:02d}", f"{euros}.{rest:02d}", f"{euros},{rest:02d} €"):
        assert abs(parse_amount(text) - cents / 100) < 1e-9


@given(st.integers(1000, 99999))
def test_a_postal_code_keeps_its_leading_zero(number):
    code = f"{number:05d}"
    assert parse_postal(code) == code
    assert parse_postal(number) == code  # the spreadsheet turned 01000 into 1000


@given(st.sampled_from(["612", "645", "660", "678", "750", "766"]), st.integers(0, 999_999))
def test_every_form_of_a_french_mobile_phone_is_the_same_phone(block, rest):
    digits = f"{block}{rest:06d}"  # blocks of metropolitan French mobile numbers
    e164 = "+33" + digits
    national = "0" + digits
    spaced = " ".join(national[i:i + 2] for i in range(0, 10, 2))
    for text in (national, spaced, e164, "0033" + digits, "+33 " + digits):
        assert parse_phone(text) == e164
    assert parse_phone(display_phone(e164)) == e164


@given(st.integers(100_000_000, 999_999_999), st.sampled_from(["0{}", "+33{}", "+33 {}", "0{spaced}", "0{dotted}"]))
def test_the_quick_path_for_french_forms_agrees_with_the_library_on_any_number(digits, form):
    national = str(digits)  # 9 digits after the 0: valid or not, the two paths must agree
    assume(("0" + national)[:4] not in OVERSEAS_PREFIXES or form.startswith("+33"))  # those: test_sheets_sync_core
    spaced = " ".join([national[0]] + [national[i:i + 2] for i in range(1, 9, 2)])
    text = form.format(national, spaced=spaced, dotted=spaced.replace(" ", "."))
    number = phonenumbers.parse("0" + national, "FR")
    overseas = [phonenumbers.parse("0" + national, r) for r in FRENCH_REGIONS[1:]] if form.startswith("0") else []
    valid = [n for n in [number] + overseas if phonenumbers.is_valid_number(n)]
    if valid:
        assert parse_phone(text) == phonenumbers.format_number(valid[0], phonenumbers.PhoneNumberFormat.E164)
    else:
        with pytest.raises(CellError):
            parse_phone(text)


@given(st.integers(1, 16384), st.integers(1, 1_048_576))
def test_a1_references_round_trip(col, row):
    assert col_index(col_letter(col)) == col
    assert split_a1(f"Missions!{col_letter(col)}{row}") == ("Missions", row, col)


texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)


@settings(max_examples=40, deadline=None)
@given(st.lists(texts, min_size=1, max_size=5))
def test_a_change_set_applied_twice_changes_nothing_the_second_time(values):
    missions = [{"N° mission": f"M{i}"} for i in range(len(values))]
    backend = MemoryBackend(make_tabs(missions=missions))
    wb = Workbook(backend)

    def plan(data):
        changes = ChangeSet()
        for i, value in enumerate(values):
            changes.add("suggest", data["Missions"].change(f"M{i}", "Suggestions", value))
        return changes

    wb.apply(plan(wb.load()), NOW)
    journal = [list(r) for r in backend.tabs.get("Journal", [])]
    again = wb.apply(plan(wb.load()), NOW)
    assert again.written == 0 and again.journal_rows == 0
    assert backend.tabs.get("Journal", []) == journal


@settings(max_examples=40, deadline=None)
@given(texts, texts)
def test_a_persons_edit_between_read_and_write_is_always_kept(ours, theirs):
    backend = MemoryBackend(make_tabs(missions=[{"N° mission": "M1"}]))
    wb = Workbook(backend)
    data = wb.load()
    changes = ChangeSet()
    changes.add("suggest", data["Missions"].change("M1", "Suggestions", ours))
    column = backend.tabs["Missions"][0].index("Suggestions")

    def person(b):
        b.tabs["Missions"][1][column] = theirs

    if changes.is_empty():
        return  # nothing to write: no re-read, nothing a person could lose
    backend.on_reread = person
    wb.apply(changes, NOW)
    held = backend.tabs["Missions"][1][column]
    if theirs.strip():  # a person typed something: it stays, whatever the job wanted
        assert held == theirs


_SHIFTS = st.lists(st.tuples(st.sampled_from(["S1", "S2", "S3"]), st.integers(0, 90), st.integers(5, 20),
                             st.integers(1, 12)), min_size=1, max_size=40)


def _intervals(shifts):
    rows = []
    for n, (who, day, start, length) in enumerate(shifts):
        begin = dt.datetime(2026, 9, 1) + dt.timedelta(days=day, hours=start)
        date = pd.Timestamp(begin.date())
        iso = date.isocalendar()
        rows.append({"mission": f"M{n:03d}", "Matricule": who, "date": date, "start": pd.Timestamp(begin),
                     "end": pd.Timestamp(begin + dt.timedelta(hours=length)), "year": iso[0], "week": iso[1]})
    iv = pd.DataFrame(rows)
    iv["hours"] = (iv["end"] - iv["start"]).dt.total_seconds() / 3600
    return iv.sort_values(["Matricule", "start", "mission"]).reset_index(drop=True)


@settings(max_examples=60, deadline=None)
@given(_SHIFTS)
def test_the_weekly_rest_and_the_rolling_average_match_their_plain_definitions(shifts):
    import math

    from rules.worktime import iso_mondays, longest_weekly_rest, rolling_week_hours

    iv = _intervals(shifts)
    rests = {(r.Matricule, r.year, r.week): r.rest for r in longest_weekly_rest(iv).itertuples()}
    averages = {(r.Matricule, r.year, r.week): r.average for r in rolling_week_hours(iv, 4).itertuples()}
    for who, mine in iv.groupby("Matricule"):
        mine = mine.sort_values("start").reset_index(drop=True)
        gaps = [math.inf] + [(mine["start"][i] - mine["end"][i - 1]).total_seconds() / 3600
                             for i in range(1, len(mine))] + [math.inf]
        mondays = iso_mondays(mine["year"], mine["week"])
        for (year, week), rows in mine.groupby(["year", "week"]):
            first, last = rows.index[0], rows.index[-1]
            assert rests[(who, year, week)] == max(gaps[first:last + 2])
            monday = mondays[rows.index[0]]
            window = mine[(mondays > monday - pd.Timedelta(weeks=4)) & (mondays <= monday)]
            assert averages[(who, year, week)] == pytest.approx(window["hours"].sum() / 4)
