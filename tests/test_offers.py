"""``offers --send`` against the Twilio stand-in: one SMS per open mission, answers read back,
the next candidate asked, the call list, a person's edit always winning, STOP honoured."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from rules.offers import is_gsm7
from sheets_sync import MemoryBackend
from tests.mandates_helpers import cell, set_cell
from tests.offers_helpers import NOW, PHONES, ok, region_tabs, run, settings, utc
from tests.twilio_standin import TwilioStandIn


@pytest.fixture
def twilio(monkeypatch):
    with TwilioStandIn() as standin:
        monkeypatch.setenv("BACKOFFICE_SMS_AUTH_TOKEN", standin.token)
        yield standin


def code_of(message: dict) -> str:
    return re.search(r"OUI (\d{4})", message["body"]).group(1)


def offered(twilio, matricule: str) -> list[dict]:
    return [m for m in twilio.sent(PHONES[matricule]) if "Répondez OUI" in m["body"]]


def first_round(twilio, tmp_path, tabs=None):
    backend = MemoryBackend(tabs or region_tabs())
    cfg = settings(twilio)
    result = ok(run(backend, tmp_path, cfg=cfg))
    return backend, cfg, result


def test_one_sms_per_open_mission_to_its_first_candidate(twilio, tmp_path):
    backend, _cfg, result = first_round(twilio, tmp_path)
    sent = twilio.sent()
    assert sorted(m["to"] for m in sent) == [PHONES["S0001"], PHONES["S0002"]]  # M0003 staffed, M0004 cancelled
    by_to = {m["to"]: m["body"] for m in sent}
    assert by_to[PHONES["S0001"]].startswith("Mission Lindt, Carrefour République, sam. 28/11 09:00-13:00 (4 h). "
                                              "Répondez OUI ")
    for body in by_to.values():
        assert len(body) <= 160 and is_gsm7(body)
        code = re.search(r"OUI (\d{4}) pour accepter ou NON (\d{4})\.$", body)
        assert code and code.group(1) == code.group(2)
    assert cell(backend, "M0001", "Offre") == ("proposée à S0001 le 24/11 10:00 (SMS), réponse attendue avant "
                                               "25/11 10:00")
    assert cell(backend, "M0002", "Offre").startswith("proposée à S0002 le 24/11 10:00")
    assert cell(backend, "M0003", "Offre") in (None, "") and cell(backend, "M0004", "Offre") in (None, "")
    assert dict(result.summary)["messages envoyés"] == 2
    journal = backend.tabs["Journal"]
    assert any(row[4] == "Offre" and row[3] == "M0001" for row in journal[1:])


def test_a_second_run_sends_nothing_and_changes_nothing(twilio, tmp_path):
    backend, cfg, _ = first_round(twilio, tmp_path)
    before = {tab: [list(r) for r in rows] for tab, rows in backend.tabs.items() if tab != "Journal"}
    outcome = run(backend, tmp_path, cfg=cfg, now=NOW + dt.timedelta(minutes=30))
    ok(outcome)
    assert len(twilio.sent()) == 2
    after = {tab: rows for tab, rows in backend.tabs.items() if tab != "Journal"}
    assert after == before
    assert outcome.report.written == 0


def test_yes_staffs_the_mission_and_no_asks_the_next_candidate(twilio, tmp_path):
    backend, cfg, _ = first_round(twilio, tmp_path)
    later = NOW + dt.timedelta(hours=1)
    twilio.reply(PHONES["S0001"], f"Oui {code_of(offered(twilio, 'S0001')[0])} avec plaisir !", utc(NOW + dt.timedelta(minutes=20)))
    twilio.reply(PHONES["S0002"], f"non {code_of(offered(twilio, 'S0002')[0])} désolé", utc(NOW + dt.timedelta(minutes=25)))
    result = ok(run(backend, tmp_path, cfg=cfg, now=later))
    assert cell(backend, "M0001", "Salarié") == "S0001" and cell(backend, "M0001", "Statut") == "Confirmée"
    assert cell(backend, "M0001", "Offre") == "acceptée par S0001 le 24/11 10:20 (SMS)"
    confirmations = [m for m in twilio.sent(PHONES["S0001"]) if m["body"].startswith("C'est noté")]
    assert len(confirmations) == 1 and "confirmée" in confirmations[0]["body"]
    # M0002 goes to the next candidate of the plan (never S0002 again)
    assert cell(backend, "M0002", "Salarié") in (None, "")
    text = cell(backend, "M0002", "Offre")
    assert re.match(r"proposée à S000[134] le 24/11 11:00 \(SMS\), réponse attendue avant 25/11 11:00 — avant : "
                    r"S0002 non$", text), text
    assert len(offered(twilio, "S0002")) == 1
    assert dict(result.summary)["acceptées"] == 1


def test_silence_past_reply_hours_asks_the_next_candidate(twilio, tmp_path):
    backend, cfg, _ = first_round(twilio, tmp_path)
    ok(run(backend, tmp_path, cfg=cfg, now=NOW + dt.timedelta(hours=23, minutes=59)))
    assert len(twilio.sent()) == 2  # not yet
    ok(run(backend, tmp_path, cfg=cfg, now=NOW + dt.timedelta(hours=24, minutes=1)))
    assert len(twilio.sent()) == 4
    assert "S0001 sans réponse" in cell(backend, "M0001", "Offre")


def test_a_near_mission_gives_a_shorter_time_to_answer(twilio, tmp_path):
    backend = MemoryBackend(region_tabs())
    ok(run(backend, tmp_path, cfg=settings(twilio), now=dt.datetime(2026, 11, 27, 10, 0)))
    assert cell(backend, "M0001", "Offre").endswith("réponse attendue avant 27/11 13:00")


def test_three_refusals_put_the_mission_on_the_call_list(twilio, tmp_path):
    tabs = region_tabs(missions=[{"N° mission": "M0001", "Date": "28/11/2026", "Début": "09:00", "Fin": "13:00"}])
    backend, cfg, _ = first_round(twilio, tmp_path, tabs)
    now = NOW
    asked = []
    for _ in range(3):
        last = twilio.sent()[-1]
        asked.append(next(m for m, p in PHONES.items() if p == last["to"]))
        now += dt.timedelta(minutes=30)
        twilio.reply(last["to"], f"NON {code_of(last)}", utc(now - dt.timedelta(minutes=10)))
        outcome = run(backend, tmp_path, cfg=cfg, now=now)
        result = ok(outcome)
    assert len(set(asked)) == 3 and len(twilio.sent()) == 3
    assert cell(backend, "M0001", "Offre").startswith("sans oui après 3 candidat(s)")
    assert cell(backend, "M0001", "Offre").endswith(": à appeler")
    assert [f.rule for f in result.findings] == ["offre.a_appeler"]
    assert result.attention()
    calls = list((tmp_path / "IDF" / "offres").glob("appels-offres-*.csv"))
    rows = list(csv.reader(io.StringIO(calls[0].read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert rows[1][0] == "M0001" and "à appeler" in rows[1][5]
    left = set(PHONES) - set(asked)
    assert all(m in rows[1][6] for m in left)  # the one not yet asked, with the number to dial


def test_a_yes_for_a_mission_already_taken_gets_deja_pourvue(twilio, tmp_path):
    backend, cfg, _ = first_round(twilio, tmp_path)
    first = offered(twilio, "S0001")[0]
    ok(run(backend, tmp_path, cfg=cfg, now=NOW + dt.timedelta(hours=25)))  # S0001 silent: passed on
    second = [m for m in twilio.sent() if m["sid"] not in (first["sid"],) and "09:00-13:00" in m["body"]][-1]
    twilio.reply(second["to"], f"OUI {code_of(second)}", utc(NOW + dt.timedelta(hours=25, minutes=5)))
    twilio.reply(PHONES["S0001"], f"OUI {code_of(first)}", utc(NOW + dt.timedelta(hours=25, minutes=10)))
    ok(run(backend, tmp_path, cfg=cfg, now=NOW + dt.timedelta(hours=25, minutes=30)))
    who = next(m for m, p in PHONES.items() if p == second["to"])
    assert cell(backend, "M0001", "Salarié") == who
    late = [m for m in twilio.sent(PHONES["S0001"]) if "déjà pourvue" in m["body"]]
    assert len(late) == 1 and code_of(first) in late[0]["body"]
    ok(run(backend, tmp_path, cfg=cfg, now=NOW + dt.timedelta(hours=26)))  # read again: not answered twice
    assert len([m for m in twilio.sent(PHONES["S0001"]) if "déjà pourvue" in m["body"]]) == 1


def test_a_salarie_typed_by_a_person_withdraws_the_offer_and_is_kept(twilio, tmp_path):
    backend, cfg, _ = first_round(twilio, tmp_path)
    set_cell(backend, "M0001", "Salarié", "S0003")
    set_cell(backend, "M0001", "Statut", "Proposée")
    twilio.reply(PHONES["S0001"], f"OUI {code_of(offered(twilio, 'S0001')[0])}", utc(NOW + dt.timedelta(minutes=40)))
    ok(run(backend, tmp_path, cfg=cfg, now=NOW + dt.timedelta(hours=1)))
    assert cell(backend, "M0001", "Salarié") == "S0003" and cell(backend, "M0001", "Statut") == "Proposée"
    assert cell(backend, "M0001", "Offre") == "offre à S0001 retirée (Salarié « S0003 » saisi)"
    withdrawn = [m for m in twilio.sent(PHONES["S0001"]) if "est retirée" in m["body"]]
    assert len(withdrawn) == 1
    assert not [m for m in twilio.sent(PHONES["S0003"])]


def test_a_person_typing_salarie_between_read_and_write_wins(twilio, tmp_path):
    """The « OUI » is read, but a person types the Salarié before the write lands: the cell is
    re-checked, the person's value stays, no confirmation leaves."""
    from sheets_sync import Workbook

    backend, cfg, _ = first_round(twilio, tmp_path)
    twilio.reply(PHONES["S0001"], f"OUI {code_of(offered(twilio, 'S0001')[0])}", utc(NOW + dt.timedelta(minutes=40)))

    class Racing(Workbook):
        def apply(self, changes, now):
            set_cell(backend, "M0001", "Salarié", "S0004")
            type(self).apply = Workbook.apply
            return Workbook.apply(self, changes, now)

    ok(run(backend, tmp_path, cfg=cfg, now=NOW + dt.timedelta(hours=1), workbook=Racing(backend)))
    assert cell(backend, "M0001", "Salarié") == "S0004"
    assert not [m for m in twilio.sent(PHONES["S0001"]) if m["body"].startswith("C'est noté")]
    ok(run(backend, tmp_path, cfg=cfg, now=NOW + dt.timedelta(hours=2)))  # the next run withdraws the offer
    assert cell(backend, "M0001", "Salarié") == "S0004"
    assert cell(backend, "M0001", "Offre").startswith("offre à S0001 retirée")


def test_stop_is_honoured(twilio, tmp_path):
    backend, cfg, _ = first_round(twilio, tmp_path)
    twilio.reply(PHONES["S0001"], "STOP", utc(NOW + dt.timedelta(minutes=5)))
    result = ok(run(backend, tmp_path, cfg=cfg, now=NOW + dt.timedelta(hours=25)))
    assert [f.rule for f in result.findings if f.rule == "offre.stop"] == ["offre.stop"]
    # the mission passed on after the silence; S0001 gets nothing more, on any mission
    set_cell(backend, "M0002", "Salarié", "")
    before = len(twilio.sent(PHONES["S0001"]))
    ok(run(backend, tmp_path, cfg=cfg, now=NOW + dt.timedelta(hours=50)))
    assert len(twilio.sent(PHONES["S0001"])) == before == 1


def test_twilio_refusing_an_unsubscribed_number_records_the_stop(twilio, tmp_path):
    twilio.opted_out.add((PHONES["S0001"], twilio.number))  # a STOP older than the replies read
    backend, cfg, result = first_round(twilio, tmp_path)
    assert "offre.envoi_echoue" in [f.rule for f in result.findings]
    ok(run(backend, tmp_path, cfg=cfg, now=NOW + dt.timedelta(minutes=10)))
    rows = backend.tabs["État"]
    assert any(r[0] == f"stop:{PHONES['S0001']}" for r in rows[1:])


def test_without_send_nothing_is_sent_nor_written(twilio, tmp_path):
    backend = MemoryBackend(region_tabs())
    result = ok(run(backend, tmp_path, cfg=settings(twilio), send=False))
    assert twilio.sent() == [] and not backend.tabs.get("Envois", [[]])[1:]
    assert [r[2] for r in result.tables[0].rows] == ["S0001", "S0002"]


def test_a_lost_answer_is_checked_before_sending_again(twilio, tmp_path):
    """Twilio records the SMS but answers 500: the client reads the list back and counts it
    as sent; nothing is sent twice."""
    twilio.apply_then_fail(500)
    backend, cfg, _ = first_round(twilio, tmp_path)
    ok(run(backend, tmp_path, cfg=cfg, now=NOW + dt.timedelta(minutes=10)))
    assert len(twilio.sent()) == 2
    assert [r[5] for r in backend.tabs["Envois"][1:]] == ["fait", "fait"]


def test_throttling_is_retried_with_retry_after(twilio, tmp_path):
    twilio.fail_next(429, times=2, retry_after="0")
    backend, _cfg, result = first_round(twilio, tmp_path)
    assert len(twilio.sent()) == 2 and dict(result.summary)["messages envoyés"] == 2


def test_without_sms_offers_go_by_e_mail_and_answers_come_back_over_imap(smtp_server, monkeypatch, tmp_path):
    """No [sms]: the offer is e-mailed (real SMTP, aiosmtpd) to the employee's address; the
    answer, « Oui » above the quoted offer, is read over IMAP (the stand-in) and staffs the
    mission; the quoted « OUI … NON » of our own text is never taken for an answer."""
    from tests.imap_standin import ImapStandIn

    inbox, port = smtp_server
    monkeypatch.setenv("TEST_IMAP_PASSWORD", "secret")
    tabs = region_tabs(missions=[{"N° mission": "M0001", "Date": "28/11/2026", "Début": "09:00", "Fin": "13:00"}])
    backend = MemoryBackend(tabs)
    with ImapStandIn() as box:
        cfg = settings(smtp={"host": "127.0.0.1", "port": port, "security": "none", "sender": "offres@animatis.example"},
                       imap={"host": "127.0.0.1", "port": box.port, "security": "none",
                             "user": "mandats@animatis.example", "password_env": "TEST_IMAP_PASSWORD"})
        result = ok(run(backend, tmp_path, cfg=cfg))
        assert dict(result.summary)["canal"] == "e-mail"
        [mail] = inbox.messages()
        assert mail["To"] == "s0001@example.org" and "Répondez OUI" in mail.get_content()
        assert re.search(r"Offre de mission \d{4}", mail["Subject"])
        assert cell(backend, "M0001", "Offre").startswith("proposée à S0001 le 24/11 10:00 (e-mail)")
        quoted = "\n".join("> " + line for line in mail.get_content().splitlines())
        box.add(f"RE: {mail['Subject']}", f"Oui, avec plaisir.\n\nLe 24/11/2026, offres@animatis.example a écrit :\n{quoted}",
                sender="Prénom1 Nom1 <S0001@example.org>", day=dt.date(2026, 11, 24))
        ok(run(backend, tmp_path, cfg=cfg, now=NOW + dt.timedelta(hours=3)))
        assert cell(backend, "M0001", "Salarié") == "S0001" and cell(backend, "M0001", "Statut") == "Confirmée"
        assert any("confirmée" in m.get_content() and m["To"] == "s0001@example.org" for m in inbox.messages()[1:])


def absent_region():
    return region_tabs(missions=[{"N° mission": "M0005", "Date": "24/11/2026", "Début": "09:00", "Fin": "17:00",
                                  "Salarié": "S0004", "Statut": "Confirmée", "Présence": "Manquante"}])


def test_a_missing_employee_puts_the_replacements_on_the_call_list(twilio, tmp_path):
    backend = MemoryBackend(absent_region())
    result = ok(run(backend, tmp_path, cfg=settings(twilio), now=NOW.replace(hour=9, minute=20)))
    assert twilio.sent() == []  # offers.urgent is off: the CDBO phones
    [finding] = [f for f in result.findings if f.rule == "offre.remplacement"]
    assert "S0004 absent" in finding.message and "S0001" in finding.message
    calls = next((tmp_path / "IDF" / "offres").glob("appels-offres-*.csv"))
    rows = list(csv.reader(io.StringIO(calls.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert rows[1][0] == "M0005" and rows[1][6].startswith("S0001")  # the nearest first
    assert "S0004" not in rows[1][6]


def test_urgent_replacements_are_offered_by_sms_and_a_yes_replaces_the_absent(twilio, tmp_path):
    backend = MemoryBackend(absent_region())
    cfg = settings(twilio, offers={"urgent": True})
    now = NOW.replace(hour=9, minute=20)
    ok(run(backend, tmp_path, cfg=cfg, now=now))
    [offer] = twilio.sent()
    assert offer["to"] == PHONES["S0001"] and "09:00-17:00" in offer["body"]
    assert cell(backend, "M0005", "Offre").endswith("réponse attendue avant 24/11 09:50")  # urgent: 30 min
    twilio.reply(PHONES["S0001"], "oui", utc(now + dt.timedelta(minutes=5)))  # no code: its only offer
    ok(run(backend, tmp_path, cfg=cfg, now=now + dt.timedelta(minutes=10)))
    assert cell(backend, "M0005", "Salarié") == "S0001" and cell(backend, "M0005", "Présence") in ("", None)


def test_hostile_cells_give_a_clean_sms_and_no_crash(twilio, tmp_path):
    """A brand with a line break and an emoji, a store name of 300 characters, a N° mission with a
    slash, a landline and an unreadable number: one SMS within one GSM-7 segment, the others
    skipped with a finding, no incident."""
    from tests.factories import make_tabs
    from tests.offers_helpers import employees, trainings

    staff = employees()
    staff[0]["Téléphone"] = "01 42 00 00 00"  # a landline: no SMS
    staff[1]["Téléphone"] = "pas de portable"
    tabs = make_tabs(employees=staff, trainings=trainings(), time_off=[],
                     missions=[{"N° mission": "M/0001 🎄", "Marque": "Lindt", "Date": "28/11/2026", "Début": "09:00",
                                "Fin": "13:00"}],
                     stores=[{"Nom": "Carrefour\n" + "Très Grand Magasin Œcuménique " * 10}])
    backend = MemoryBackend(tabs)
    outcome = run(backend, tmp_path, cfg=settings(twilio))
    result = ok(outcome)
    [sms] = twilio.sent()
    assert len(sms["body"]) <= 160 and is_gsm7(sms["body"]) and sms["to"] == PHONES["S0003"]
    assert "offre.injoignable" in [f.rule for f in result.findings]


def test_without_sms_nor_a_mailbox_offers_are_refused_and_run_goes_on(tmp_path):
    """No answer could ever be read: `offers --send` says so in French (exit 2); in `run --send`
    the offers step only says it has nothing to do."""
    from functools import partial

    from backoffice.jobs.offers import OffersOptions, offers_step

    cfg = settings()
    outcome = run(MemoryBackend(region_tabs()), tmp_path, cfg=cfg)
    assert "ni SMS ni boîte de réponses" in outcome.error
    step = partial(offers_step, options=OffersOptions(send=True, optional=True))
    from backoffice.jobs.runner import run_region
    from backoffice.settings import Region
    from sheets_sync import Workbook

    quiet = run_region(cfg, Region("IDF"), [("offers", step)], NOW, out=str(tmp_path),
                       workbook=Workbook(MemoryBackend(region_tabs())))
    assert not quiet.error and dict(quiet.results[0].summary)["offres"].startswith("ni [sms] ni [imap]")
