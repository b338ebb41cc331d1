"""The stores' replies, authenticated: only the store's own answer to our message moves a
mandate. A spoofed sender, an out-of-office, a delivery report and anything unclear change
nothing (the unclear one puts the store on the call list); a refusal in its usual forms marks
« Refusé ». Real SMTP (aiosmtpd) for our messages, the IMAP stand-in for the replies."""
import datetime as dt

import pytest

from rules.mandate_followup import ACCEPTED, IGNORED, REFUSED, UNCLEAR, ReplyFacts, automatic, judge, verdict
from sheets_sync import MemoryBackend
from tests.factories import make_tabs
from tests.mandates_helpers import cell, staffed
from tests.imap_standin import ImapStandIn
from tests.test_mandates_followup import DAY, config, day

STORE = "direction.c001@example.org"
LATER = DAY + dt.timedelta(hours=2)

BOUNCE = (b"From: MAILER-DAEMON@mx.example.org\r\nTo: mandats@animatis.example\r\n"
          b"Subject: Non remis : {subject}\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
          b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n"
          b"--b\r\nContent-Type: text/plain\r\n\r\nVotre message n'a pas pu etre remis. Bien recu.\r\n"
          b"--b\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--b--\r\n")


@pytest.fixture
def mail(smtp_server, monkeypatch):
    """The SMTP server, the IMAP stand-in, and the settings that reach both."""
    monkeypatch.setenv("TEST_IMAP_PASSWORD", "secret")
    inbox, port = smtp_server
    with ImapStandIn() as box:
        yield inbox, box, config(port, box.port)


def _sent(mailbox, tmp_path):
    inbox, box, cfg = mailbox
    backend = MemoryBackend(make_tabs(missions=[staffed()]))
    day(backend, tmp_path, DAY, cfg)
    assert cell(backend, "M0001", "Mandat") == "Envoyé"
    return backend, inbox.messages()[0], box, cfg


@pytest.mark.parametrize("misleading", ["spoofed", "out_of_office", "out_of_office_subject", "bounce", "other_store"])
def test_misleading_replies_leave_the_mandate_as_it_was(mail, tmp_path, misleading):
    backend, ours, box, cfg = _sent(mail, tmp_path)
    subject = f"RE: {ours['Subject']}"
    if misleading == "spoofed":
        box.add(subject, "Bien reçu, merci.", sender="direction.c001@example.org.evil.example")
    elif misleading == "out_of_office":
        box.add(subject, "Je suis absent jusqu'au 30/11. Bien reçu.", headers={"Auto-Submitted": "auto-replied"})
    elif misleading == "out_of_office_subject":
        box.add(f"Réponse automatique : {ours['Subject']}", "Merci pour votre message, OK.")
    elif misleading == "bounce":
        box.add("", "", raw=BOUNCE.replace(b"{subject}", ours["Subject"].encode("utf-8")))
    else:
        box.add(subject, "Bien reçu.", sender="direction.c002@example.org")
    outcome = day(backend, tmp_path, LATER, cfg)
    assert not outcome.error and not outcome.incidents
    assert cell(backend, "M0001", "Mandat") == "Envoyé"
    rows = [r[-1] for r in outcome.results[1].tables[0].rows]
    assert any(r.startswith("réponse ignorée") for r in rows), rows


def test_the_stores_genuine_reply_marks_acknowledged_also_by_its_thread_alone(mail, tmp_path):
    backend, ours, box, cfg = _sent(mail, tmp_path)
    assert ours["Message-ID"].startswith("<mf.") and ours["Message-ID"].endswith("@animatis.example>")
    # a reply whose subject lost the reference, but that answers our message
    box.add("Re: votre mail", "Bien reçu, merci.", sender="Direction C001 <Direction.C001@example.org>",
            headers={"In-Reply-To": ours["Message-ID"], "References": ours["Message-ID"]})
    day(backend, tmp_path, LATER, cfg)
    assert cell(backend, "M0001", "Mandat") == "Accusé"
    assert cell(backend, "M0001", "Mandat suivi") == f"Accusé par e-mail le 23/11/2026 ({STORE})"


def test_nous_n_acceptons_pas_marks_refused(mail, tmp_path):
    backend, ours, box, cfg = _sent(mail, tmp_path)
    box.add(f"RE: {ours['Subject']}", "Bonjour, nous n’acceptons pas d’animation ce jour-là.")
    day(backend, tmp_path, LATER, cfg)
    assert cell(backend, "M0001", "Mandat") == "Refusé"


def test_an_unclear_reply_puts_the_store_on_the_call_list(mail, tmp_path):
    backend, ours, box, cfg = _sent(mail, tmp_path)
    box.add(f"RE: {ours['Subject']}", "Pouvez-vous venir plutôt à 10 h ?")
    outcome = day(backend, tmp_path, LATER, cfg)
    assert cell(backend, "M0001", "Mandat") == "Envoyé"
    assert cell(backend, "M0001", "Mandat suivi").startswith("À appeler : réponse à lire du 23/11/2026 (")
    assert [f.rule for f in outcome.results[1].findings] == ["mandat.reponse_a_lire"]
    calls = (tmp_path / "IDF" / "mandats" / "appels-magasins-20261120.csv").read_text("utf-8-sig").splitlines()
    assert calls[1].startswith("M0001;Carrefour République (C001);01 42 00 00 01;29/11/2026;")
    day(backend, tmp_path, LATER + dt.timedelta(hours=1), cfg)  # the same reply again: nothing new
    assert cell(backend, "M0001", "Mandat") == "Envoyé"


@pytest.mark.parametrize("text, expected", [
    ("Bien reçu, merci.", ACCEPTED),
    ("OK", ACCEPTED),
    ("Bonne réception, c'est noté.", ACCEPTED),
    ("Refusé.", REFUSED),
    ("Nous refusons ce mandat.", REFUSED),
    ("Nous n'acceptons pas.", REFUSED),
    ("Pas d'accord pour cette date.", REFUSED),
    ("Nous ne pouvons pas accepter cette animation.", REFUSED),
    ("D'accord.", ACCEPTED),
    ("", UNCLEAR),
    ("Pouvez-vous décaler ?", UNCLEAR),
    ("Merci de me rappeler au magasin.", UNCLEAR),
    ("Reçu, mais le rayon sera en travaux.", UNCLEAR),
    ("Bonjour", UNCLEAR),
])
def test_the_verdict_table(text, expected):
    assert verdict("RE: Mandat", text) == expected


@pytest.mark.parametrize("sender, by_domain, expected", [
    (STORE, False, ACCEPTED),
    ("DIRECTION.C001@EXAMPLE.ORG", False, ACCEPTED),
    ("accueil@example.org", False, IGNORED),
    ("accueil@example.org", True, ACCEPTED),
    ("direction.c001@example.org.evil.example", True, IGNORED),
    ("", False, IGNORED),
])
def test_only_the_store_is_heard(sender, by_domain, expected):
    facts = ReplyFacts(sender, "RE: Mandat", "Bien reçu.", "", False)
    assert judge(facts, [STORE, ""], by_domain)[0] == expected


@pytest.mark.parametrize("subject, sender, headers, ctype, expected", [
    ("RE: Mandat", STORE, {}, "text/plain", False),
    ("RE: Mandat", STORE, {"Auto-Submitted": "auto-replied"}, "text/plain", True),
    ("RE: Mandat", STORE, {"Auto-Submitted": "no"}, "text/plain", False),
    ("RE: Mandat", STORE, {"X-Autoreply": "yes"}, "text/plain", True),
    ("RE: Mandat", STORE, {"Precedence": "auto_reply"}, "text/plain", True),
    ("Absent du bureau", STORE, {}, "text/plain", True),
    ("Out of Office: Mandat", STORE, {}, "text/plain", True),
    ("Non remis : Mandat", STORE, {}, "text/plain", True),
    ("Undeliverable: Mandat", STORE, {}, "text/plain", True),
    ("RE: Mandat", "mailer-daemon@mx.example.org", {}, "text/plain", True),
    ("RE: Mandat", STORE, {}, "multipart/report", True),
])
def test_machines_are_recognised(subject, sender, headers, ctype, expected):
    assert automatic(subject, sender, headers, ctype) is expected
