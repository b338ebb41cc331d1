"""Reading the stores' replies over IMAP (imaplib) against the local stand-in."""
import datetime as dt

import pytest

from backoffice.mail_replies import MailboxError, read_replies
from backoffice.settings import load_settings
from rules.mandate_followup import find_reference, own_text, verdict
from tests.imap_standin import ImapStandIn

ENV = {"BACKOFFICE_IMAP_PASSWORD": "secret"}


def imap(port, **extra):
    return load_settings(environ={}, overrides={"imap": {
        "host": "127.0.0.1", "port": port, "security": "none", "user": "mandats@animatis.example", **extra}}).imap


def test_replies_are_read_read_only_and_never_flagged():
    with ImapStandIn() as box:
        box.add("RE: Mandat Lindt — Léa Martin — MF-IDF-M0001-3F2A9C", "Bien reçu, merci.\n\n> Madame, Monsieur,")
        box.add("Old news", "x", day=dt.date(2026, 10, 1))
        replies = read_replies(imap(box.port), dt.date(2026, 11, 1), ENV)
    assert [(r.subject, r.sender) for r in replies] == [
        ("RE: Mandat Lindt — Léa Martin — MF-IDF-M0001-3F2A9C", "direction.c001@example.org")]
    assert replies[0].text.startswith("Bien reçu, merci.")
    verbs = [c.split(" ")[1].upper() for c in box.commands]
    assert "EXAMINE" in verbs and "SELECT" not in verbs and "STORE" not in verbs
    assert all("BODY.PEEK" in c for c in box.commands if "FETCH" in c.upper())


def test_no_host_reads_nothing():
    assert read_replies(load_settings(environ={}).imap, dt.date(2026, 11, 1), ENV) == []


def test_a_wrong_password_is_a_french_error():
    with ImapStandIn() as box:
        with pytest.raises(MailboxError, match="refus du serveur .*Invalid credentials"):
            read_replies(imap(box.port), dt.date(2026, 11, 1), {"BACKOFFICE_IMAP_PASSWORD": "nope"})


def test_a_missing_password_or_folder_is_a_french_error():
    with ImapStandIn() as box:
        with pytest.raises(MailboxError, match="BACKOFFICE_IMAP_PASSWORD"):
            read_replies(imap(box.port), dt.date(2026, 11, 1), {})
        with pytest.raises(MailboxError, match="dossier « Mandats » introuvable"):
            read_replies(imap(box.port, folder="Mandats"), dt.date(2026, 11, 1), ENV)


def test_an_unreachable_server_is_a_french_error():
    with ImapStandIn() as box:
        port = box.port
    with pytest.raises(MailboxError, match="injoignable"):
        read_replies(imap(port, timeout_s=2), dt.date(2026, 11, 1), ENV)


@pytest.mark.parametrize("subject, body, expected", [
    ("RE: Mandat", "Bien reçu, merci.", "Accusé"),
    ("RE: Mandat", "Nous refusons ce mandat : pas d'animation ce jour-là.", "Refusé"),
    ("Refus : mandat", "", "Refusé"),
    ("RE: Mandat", "Merci.\n\nLe 20/11/2026, Animatis a écrit :\n> refus éventuel à signaler", "Accusé"),
    ("RE: Mandat", "OK.\n> Merci de nous confirmer, sinon refusé", "Accusé"),
])
def test_the_verdict_reads_the_reply_not_the_quoted_mandate(subject, body, expected):
    assert verdict(subject, body) == expected


def test_the_reference_is_found_in_any_case_and_the_longest_wins():
    refs = {"MF-IDF-M1-ABCDEF": "M1", "MF-IDF-M10-ABCDEF": "M10"}
    assert find_reference("re: mandat mf-idf-m10-abcdef", refs) == "MF-IDF-M10-ABCDEF"
    assert find_reference("nothing here", refs) is None
    assert own_text("a\n> b\nc") == "a"
