"""The offers' decisions (rules/offers.py) as tables: answers read, deadlines on both sides of
each threshold, codes, texts within one SMS, and each mission's next step."""
from __future__ import annotations

import datetime as dt

import pytest

from rules import offers as o

T0 = dt.datetime(2026, 11, 24, 10, 0)
START = dt.datetime(2026, 11, 28, 9, 0)
LIMITS = o.Limits(reply_hours=24, near_hours=48, near_reply_hours=3, max_candidates=3)


@pytest.mark.parametrize("body, word, code", [
    ("OUI 4821", "oui", "4821"),
    ("oui", "oui", ""),
    ("Oui 4821 avec plaisir", "oui", "4821"),
    ("ouiii 4821", "oui", "4821"),
    ("ok pour moi 4821", "oui", "4821"),
    ("D'accord 4821", "oui", "4821"),
    ("d’accord", "oui", ""),
    ("NON 4821", "non", "4821"),
    ("non merci", "non", ""),
    ("Nön 4821", "non", "4821"),
    ("pas dispo 4821", "non", "4821"),
    ("STOP", "stop", ""),
    ("Stop", "stop", ""),
    ("oui 4821, stop les relances", "oui", "4821"),  # STOP counts only as the first word
    ("START", "start", ""),
    ("4821", "", "4821"),
    ("Bonjour, c'est pour quelle heure ?", "", ""),
    ("OUI 48211", "oui", ""),  # five digits: not a code
    ("", "", ""),
])
def test_answers_read(body, word, code):
    assert o.parse_reply(body) == o.Said(word, code)


@pytest.mark.parametrize("sent, hours", [
    (START - dt.timedelta(hours=48, minutes=1), 24),  # more than near_hours ahead: reply_hours
    (START - dt.timedelta(hours=48), 3),  # exactly near_hours ahead: the shorter time
    (START - dt.timedelta(hours=47, minutes=59), 3),
])
def test_reply_deadline_on_both_sides_of_near_hours(sent, hours):
    assert o.reply_deadline(sent, START, 24, 48, 3) == sent + dt.timedelta(hours=hours)


def test_the_deadline_is_never_after_the_start():
    sent = START - dt.timedelta(hours=1)
    assert o.reply_deadline(sent, START, 24, 48, 3) == START


def test_codes_are_stable_and_avoid_the_waiting_ones():
    code = o.offer_code("IDF|M0001|1|1|S0001", set())
    assert code == o.offer_code("IDF|M0001|1|1|S0001", set()) and len(code) == 4
    assert o.offer_code("IDF|M0001|1|1|S0001", {code}) != code


@pytest.mark.parametrize("store", ["Carrefour Cesson-Sévigné", "Hypermarché " + "Très Long Nom De Magasin " * 4])
def test_the_offer_fits_one_sms(store):
    text = o.offer_text("Lindt", store, START, START + dt.timedelta(hours=8), "4821", 480)
    assert len(text) <= o.SEGMENT and o.is_gsm7(text)
    assert text.endswith("Répondez OUI 4821 pour accepter ou NON 4821.")


def test_the_example_of_the_issue():
    text = o.offer_text("Lindt", "Carrefour Cesson-Sévigné", dt.datetime(2026, 12, 12, 9), dt.datetime(2026, 12, 12, 17),
                        "4821", 480)
    assert text == ("Mission Lindt, Carrefour Cesson-Sévigné, sam. 12/12 09:00-17:00 (8 h). Répondez OUI 4821 pour "
                    "accepter ou NON 4821.")


def test_characters_outside_gsm7_are_spelled_within_it():
    assert o.gsm7("Œuvre « fête » – 10 h") == 'OEuvre "fete" - 10 h'
    assert o.is_gsm7(o.gsm7("Bœuf ê ô ç î"))


def mission(open_=True, salarie="", statut="À pourvoir", candidates=("S1", "S2", "S3", "S4")):
    return o.Mission("M1", open_, salarie, statut, START, START + dt.timedelta(hours=4), tuple(candidates))


def reply(body, at=T0 + dt.timedelta(minutes=30), sender="+33611111111", sid="SM1"):
    return o.Reply(sid, sender, body, at)


def offered(now=T0, who="S1", code="1111"):
    out = o.decide(mission(), {}, {}, now, LIMITS, set(), "IDF")
    attempt = out.record["essais"][0]
    attempt.update(matricule=who, code=code, adresse="+33611111111")
    return out.record


def test_a_new_open_mission_goes_to_the_first_candidate():
    out = o.decide(mission(), {}, {}, T0, LIMITS, set(), "IDF")
    assert out.offer["matricule"] == "S1" and out.record["etat"] == o.ONGOING
    assert out.offer["limite"] == "2026-11-25 10:00"


def test_a_candidate_busy_at_that_time_is_skipped():
    busy = {"S1": [(START, START + dt.timedelta(hours=1))]}
    out = o.decide(mission(), {}, {}, T0, LIMITS, set(), "IDF", busy)
    assert out.offer["matricule"] == "S2"


def test_no_candidate_is_the_call_list_without_a_record():
    out = o.decide(mission(candidates=()), {}, {}, T0, LIMITS, set(), "IDF")
    assert out.call and out.offer is None and not out.record.get("essais")


@pytest.mark.parametrize("minutes_after_deadline, passed_on", [(-1, False), (0, True), (1, True)])
def test_silence_on_both_sides_of_the_deadline(minutes_after_deadline, passed_on):
    record = offered()
    now = T0 + dt.timedelta(hours=24, minutes=minutes_after_deadline)
    out = o.decide(mission(), record, {}, now, LIMITS, set(), "IDF")
    assert (out.offer is not None) == passed_on
    if passed_on:
        assert out.record["essais"][0]["issue"] == o.SILENT and out.offer["matricule"] == "S2"


def test_yes_accepts_and_no_passes_on():
    yes = o.decide(mission(), offered(), {0: [reply("oui")]}, T0 + dt.timedelta(hours=1), LIMITS, set(), "IDF")
    assert yes.accepted == "S1" and yes.record["etat"] == o.ACCEPTED and yes.record["accepte_le"] == "2026-11-24 10:30"
    no = o.decide(mission(), offered(), {0: [reply("non")]}, T0 + dt.timedelta(hours=1), LIMITS, set(), "IDF")
    assert no.offer["matricule"] == "S2" and no.record["essais"][0]["issue"] == o.NO


@pytest.mark.parametrize("tried, call", [(2, False), (3, True)])
def test_max_candidates_on_both_sides(tried, call):
    record = {"tour": 1, "etat": o.ONGOING, "essais": [
        {"matricule": f"S{i}", "code": f"{1000 + i}", "envoye": "2026-11-24 10:00", "limite": "2026-11-25 10:00",
         "issue": o.NO if i < tried else "", "adresse": f"+3361111111{i}"} for i in range(1, tried + 1)]}
    answers = {tried - 1: [reply("non", sender=f"+3361111111{tried}")]}
    out = o.decide(mission(), record, answers, T0 + dt.timedelta(hours=1), LIMITS, set(), "IDF")
    assert out.call == call and (out.offer is None) == call


def test_a_person_who_staffs_the_mission_wins_and_the_candidate_is_told():
    out = o.decide(mission(open_=False, salarie="S9", statut="Proposée"), offered(), {0: [reply("oui")]},
                   T0 + dt.timedelta(hours=1), LIMITS, set(), "IDF")
    assert not out.accepted and out.withdrawn["matricule"] == "S1" and out.record["etat"] == o.WITHDRAWN
    same = o.decide(mission(open_=False, salarie="S1", statut="Confirmée"), offered(), {}, T0, LIMITS, set(), "IDF")
    assert same.withdrawn is None  # the person gave it to the very candidate: nothing to tell


def test_replies_are_matched_by_code_else_by_the_only_waiting_offer():
    records = {"M1": offered(code="1111"), "M2": {**offered(code="2222"), "essais": [
        {**offered(code="2222")["essais"][0], "adresse": "+33622222222"}]}}
    answers, unmatched = o.assign_replies([reply("oui 1111"), reply("non", sender="+33622222222", sid="SM2"),
                                           reply("oui 9999", sid="SM3"), reply("bonjour", sid="SM4")], records)
    assert set(answers) == {("M1", 0), ("M2", 0)}
    assert [r.sid for r in unmatched] == ["SM3", "SM4"]


def test_a_reply_before_its_offer_does_not_count():
    answers, unmatched = o.assign_replies([reply("oui 1111", at=T0 - dt.timedelta(minutes=1))], {"M1": offered()})
    assert answers == {} and len(unmatched) == 1


def test_the_last_stop_or_start_decides():
    seq = [reply("STOP", sid="a"), reply("START", at=T0 + dt.timedelta(hours=1), sid="b")]
    assert o.stops(seq, {}) == {}
    assert o.stops(seq[:1], {}) == {"+33611111111": (True, seq[0].at)}
    assert o.stops(seq[1:], {"+33611111111": True}) == {"+33611111111": (False, seq[1].at)}


def test_the_acceptance_delay_counts_from_the_real_offer(tmp_path):
    """A mission a person set « Proposée » to S0001 today, that the offers sent S0001 four days
    ago: the 3-day acceptance delay (contrat.delai_acceptation) is over, counted from the offer."""
    import json

    from backoffice.jobs.base import JobContext
    from backoffice.jobs.status_memory import load_status_seen
    from backoffice.settings import Region, load_settings
    from sheets_sync import MemoryBackend, Workbook
    from sheets_sync.schema import STATE
    from tests.factories import make_tabs

    now = dt.datetime(2026, 11, 27, 10, 0)
    record = {"tour": 1, "etat": o.ONGOING, "essais": [{"matricule": "S0001", "code": "1234", "envoye": "2026-11-23 09:00",
                                                         "limite": "2026-11-24 09:00", "issue": ""}]}
    tabs = make_tabs(missions=[{"Salarié": "S0001", "Statut": "Proposée"}])
    tabs["État"] = [list(STATE.names), ["statut:M0001", json.dumps({"statut": "Proposée", "salarie": "S0001",
                                                                     "depuis": "2026-11-27 09:00"}), ""],
                    ["offre:M0001", json.dumps(record), ""]]
    data = Workbook(MemoryBackend(tabs)).load()
    seen = load_status_seen(data, JobContext(load_settings(environ={}), Region("IDF"), now))
    assert seen["M0001"]["depuis"] == "2026-11-23 09:00"
    assert o.offered_since(record, "S0002") == ""


from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402


@hsettings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_answer_reads_without_a_crash(body):
    said = o.parse_reply(body)
    assert said.word in ("", "oui", "non", "stop", "start")
    assert said.code == "" or (said.code.isdigit() and len(said.code) == o.CODE_DIGITS)


@hsettings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.text(max_size=400))
def test_any_brand_and_store_give_a_gsm7_offer_within_one_segment_when_the_brand_is_short(brand, store):
    text = o.offer_text(brand, store, START, START + dt.timedelta(hours=8), "4821", 480)
    assert o.is_gsm7(text) and "\n" not in text
    assert len(text) <= o.SEGMENT or len(" ".join(brand.split())) > 20
