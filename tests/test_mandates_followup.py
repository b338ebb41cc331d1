"""The follow-up of a mandate, day by day (``--now``): generated → sent → reminded → escalated →
acknowledged, one e-mail per step at a local SMTP server, the reply read from a local IMAP
stand-in; nothing twice across reruns and across a crash between the send and the write.
Cancellations: one e-mail to the store."""
import datetime as dt
from functools import partial

import pytest

from backoffice.jobs.mandate_followup import FollowupOptions, mandates_followup_step
from backoffice.jobs.mandates import MandatesOptions, mandates_step
from backoffice.jobs.runner import run_region
from backoffice.settings import Region
from rules.mandates import reference
from sheets_sync import MemoryBackend, Workbook
from sheets_sync.errors import BackofficeError
from tests.factories import make_tabs, outbox_rows, state_record
from tests.imap_standin import ImapStandIn
from tests.mandates_helpers import cell, set_cell, settings, staffed
from tests.smtp_support import free_port

DAY = dt.datetime(2026, 11, 20, 9, 0)  # mission on 29/11, store's delay 7 days: deadline 22/11
OFFICER = "cdbo.idf@animatis.example"


@pytest.fixture
def smtp(smtp_server):
    """The local SMTP server: (inbox, port)."""
    return smtp_server


@pytest.fixture
def mailbox(smtp, monkeypatch):
    """The SMTP server, the IMAP stand-in, and the settings that reach both."""
    monkeypatch.setenv("TEST_IMAP_PASSWORD", "secret")
    inbox, port = smtp
    with ImapStandIn() as box:
        yield inbox, box, config(port, box.port)


def sent_reference(backend, key="M0001"):
    """The reference of the mandate the workbook's memory says was last generated."""
    return reference("IDF", key, state_record(backend, "mandat", key)["empreinte"])


def config(port, imap_port=None):
    sections = {"smtp": {"host": "127.0.0.1", "port": port, "security": "none",
                         "sender": "mandats@animatis.example"}}
    if imap_port:
        sections["imap"] = {"host": "127.0.0.1", "port": imap_port, "security": "none", "user": "mandats@animatis.example",
                            "password_env": "TEST_IMAP_PASSWORD"}
    return settings(**sections)


def day(backend, out, now, cfg, *, send=True, workbook=None):
    steps = [("mandates", partial(mandates_step, options=MandatesOptions(send=send))),
             ("mandates-suivi", partial(mandates_followup_step, options=FollowupOptions(send)))]
    outcome = run_region(cfg, Region("IDF", officer_email=OFFICER), steps, now, out=str(out),
                         workbook=workbook or Workbook(backend))
    return outcome


def subjects(inbox):
    return [m["Subject"] for m in inbox.messages()]


def test_a_mandate_goes_sent_reminded_escalated_acknowledged(mailbox, tmp_path):
    inbox, box, cfg = mailbox
    backend = MemoryBackend(make_tabs(missions=[staffed()]))
    for _ in range(2):  # day 0: generated and sent, once
        assert not day(backend, tmp_path, DAY, cfg).error
    assert cell(backend, "M0001", "Mandat") == "Envoyé" and len(inbox.envelopes) == 1
    assert cell(backend, "M0001", "Mandat suivi") in (None, "")
    ref = sent_reference(backend)

    for _ in range(2):  # day 1: the reminder, to the store, with the mandate again
        outcome = day(backend, tmp_path, DAY + dt.timedelta(days=1), cfg)
        assert not outcome.error, outcome.trace
    assert len(inbox.envelopes) == 2
    reminder = inbox.messages()[1]
    assert reminder["To"] == "direction.c001@example.org"
    assert reminder["Subject"] == f"Rappel : mandat Lindt — Léa Martin — Carrefour République — 29/11/2026 — {ref}"
    body = reminder.get_body(("plain",)).get_content()
    assert "Nous vous avons adressé le 20/11/2026 le mandat de la marque Lindt" in body
    assert "avant le 22/11/2026" in body
    assert [p.get_filename() for p in reminder.iter_attachments()] == ["M0001.docx"]
    assert cell(backend, "M0001", "Mandat suivi") == "Relancé le 21/11/2026"

    for _ in range(2):  # day 2, the store's deadline: the CDBO is told to phone the store
        outcome = day(backend, tmp_path, DAY + dt.timedelta(days=2), cfg)
    assert len(inbox.envelopes) == 3
    escalation = inbox.messages()[2]
    assert escalation["To"] == OFFICER
    assert escalation["Subject"] == "Mandats à confirmer par téléphone — IDF — 1 magasin(s)"
    assert (f"- M0001 : Carrefour République (C001), 01 42 00 00 01 — mission du 29/11/2026, mandat {ref} "
            "envoyé le 20/11/2026, relancé le 21/11/2026") in escalation.get_body(("plain",)).get_content()
    assert cell(backend, "M0001", "Mandat suivi") == "À appeler : escalade du 22/11/2026"
    calls = (tmp_path / "IDF" / "mandats" / "appels-magasins-20261122.csv").read_text("utf-8-sig").splitlines()
    assert calls == ["N° mission;Magasin;Téléphone;Date mission;Référence;Envoyé le;Relancé le",
                     f"M0001;Carrefour République (C001);01 42 00 00 01;29/11/2026;{ref};20/11/2026;21/11/2026"]
    day(backend, tmp_path, DAY + dt.timedelta(days=2, hours=20), cfg)  # the next morning: still to phone
    assert (tmp_path / "IDF" / "mandats" / "appels-magasins-20261123.csv").read_text("utf-8-sig").splitlines() == calls

    box.add(f"RE: {subjects(inbox)[0]}", "Bien reçu, merci.\n\n> Madame, Monsieur,")  # a reply to the mandate
    for _ in range(2):  # day 3: the store's reply is read
        outcome = day(backend, tmp_path, DAY + dt.timedelta(days=3), cfg)
        assert not outcome.error, outcome.trace
    assert cell(backend, "M0001", "Mandat") == "Accusé"
    assert cell(backend, "M0001", "Mandat suivi") == "Accusé par e-mail le 23/11/2026 (direction.c001@example.org)"
    assert len(inbox.envelopes) == 3
    journal = [(r[1], r[4], r[6], r[7]) for r in backend.tabs["Journal"][1:] if r[4] == "Mandat"]
    assert journal[-1] == ("mandates", "Mandat", "Envoyé", "Accusé")

    day(backend, tmp_path, DAY + dt.timedelta(days=4), cfg)  # nothing more, ever
    assert len(inbox.envelopes) == 3


class _LostWrite(Workbook):
    """A workbook whose follow-up write (the second of a run) fails: the crash after a send."""

    def __init__(self, backend):
        super().__init__(backend)
        self.writes = 0

    def apply(self, changes, now):
        self.writes += 1
        if self.writes == 2:
            raise BackofficeError("write lost")
        return super().apply(changes, now)


def test_a_write_lost_after_a_send_sends_it_at_most_once_more_and_never_loses_it(smtp, tmp_path):
    """The workbook is the only state: a follow-up write lost after the e-mail left leaves its
    outbox row « à faire »; the next run takes it over and sends it once more (with the same
    Message-ID), then the sheet says it; nothing after that is ever sent again."""
    inbox, port = smtp
    cfg = config(port)
    backend = MemoryBackend(make_tabs(missions=[staffed()]))
    day(backend, tmp_path, DAY, cfg)
    outcome = day(backend, tmp_path, DAY + dt.timedelta(days=1), cfg, workbook=_LostWrite(backend))
    assert outcome.error == "write lost"
    assert len(inbox.envelopes) == 2 and cell(backend, "M0001", "Mandat suivi") in (None, "")
    [pending] = [r for r in outbox_rows(backend) if r["Type"] == "e-mail relance"]
    assert pending["État"] == "à faire"
    outcome = day(backend, tmp_path, DAY + dt.timedelta(days=1, hours=1), cfg)
    assert not outcome.error
    assert len(inbox.envelopes) == 3  # once more, never lost
    assert inbox.messages()[1]["Message-ID"] == inbox.messages()[2]["Message-ID"]
    assert cell(backend, "M0001", "Mandat suivi") == "Relancé le 21/11/2026"
    day(backend, tmp_path, DAY + dt.timedelta(days=1, hours=2), cfg)
    assert len(inbox.envelopes) == 3
    assert [r["État"] for r in outbox_rows(backend) if r["Type"] == "e-mail relance"] == ["fait"]


def test_without_send_the_due_steps_are_only_shown(smtp, tmp_path):
    inbox, port = smtp
    cfg = config(port)
    backend = MemoryBackend(make_tabs(missions=[staffed()]))
    day(backend, tmp_path, DAY, cfg)
    outcome = day(backend, tmp_path, DAY + dt.timedelta(days=1), cfg, send=False)
    rows = outcome.results[1].tables[0].rows
    assert [r[-1] for r in rows] == ["relance à envoyer (avec --send)"]
    assert len(inbox.envelopes) == 1 and cell(backend, "M0001", "Mandat suivi") in (None, "")


def test_a_person_who_acknowledges_stops_the_follow_up(smtp, tmp_path):
    inbox, port = smtp
    cfg = config(port)
    backend = MemoryBackend(make_tabs(missions=[staffed()]))
    day(backend, tmp_path, DAY, cfg)
    set_cell(backend, "M0001", "Mandat", "Accusé")
    day(backend, tmp_path, DAY + dt.timedelta(days=1), cfg)
    day(backend, tmp_path, DAY + dt.timedelta(days=2), cfg)
    assert len(inbox.envelopes) == 1


def test_a_reply_to_a_replaced_mandate_changes_nothing(mailbox, tmp_path):
    inbox, box, cfg = mailbox
    backend = MemoryBackend(make_tabs(missions=[staffed()]))
    day(backend, tmp_path, DAY, cfg)
    old = sent_reference(backend)
    set_cell(backend, "M0001", "Fin", "18:00")
    day(backend, tmp_path, DAY + dt.timedelta(hours=1), cfg)  # regenerated, sent again
    box.add(f"RE: {old}", "Nous refusons.")
    outcome = day(backend, tmp_path, DAY + dt.timedelta(hours=2), cfg)
    assert cell(backend, "M0001", "Mandat") == "Envoyé"
    assert [r[-1] for r in outcome.results[1].tables[0].rows] == [
        f"réponse à l'ancien mandat {old} ignorée (direction.c001@example.org)"]


def test_a_refusal_in_the_reply_sets_refused(mailbox, tmp_path):
    inbox, box, cfg = mailbox
    backend = MemoryBackend(make_tabs(missions=[staffed()]))
    day(backend, tmp_path, DAY, cfg)
    box.add(f"RE: {sent_reference(backend)}", "Nous refusons ce mandat : le rayon est en travaux.")
    day(backend, tmp_path, DAY + dt.timedelta(hours=1), cfg)
    assert cell(backend, "M0001", "Mandat") == "Refusé"


def test_an_unreadable_mailbox_is_a_finding_and_the_rest_goes_on(smtp, tmp_path, monkeypatch):
    inbox, port = smtp
    monkeypatch.setenv("TEST_IMAP_PASSWORD", "secret")
    cfg = config(port, free_port())
    backend = MemoryBackend(make_tabs(missions=[staffed()]))
    outcome = day(backend, tmp_path, DAY, cfg)
    assert not outcome.error and len(inbox.envelopes) == 1
    [finding] = [f for f in outcome.results[1].findings]
    assert finding.rule == "mandat.boite_illisible" and "injoignable" in finding.message


def test_a_cancelled_mission_tells_its_store_once(smtp, tmp_path):
    inbox, port = smtp
    cfg = config(port)
    backend = MemoryBackend(make_tabs(missions=[staffed()]))
    day(backend, tmp_path, DAY, cfg)
    ref = sent_reference(backend)
    set_cell(backend, "M0001", "Statut", "Annulée")
    set_cell(backend, "M0001", "Fin", "18:00")  # changed as well: a cancelled mandate is not redone
    for hours in (1, 2, 30, 60):
        assert not day(backend, tmp_path, DAY + dt.timedelta(hours=hours), cfg).error
    assert len(inbox.envelopes) == 2
    cancel = inbox.messages()[1]
    assert cancel["Subject"] == f"Annulation : mandat Lindt — Léa Martin — Carrefour République — 29/11/2026 — {ref}"
    body = cancel.get_body(("plain",)).get_content()
    assert "est annulée. Léa Martin ne se présentera pas." in body
    assert f"Le mandat de référence {ref} (mission M0001) n'est plus valable." in body
    assert cell(backend, "M0001", "Mandat suivi") == "Annulation envoyée le 20/11/2026"
    assert cell(backend, "M0001", "Mandat") == "Envoyé"


def test_cancelling_a_mission_sent_and_ordered_tells_the_store_the_partner_and_the_pay(smtp, tmp_path):
    from backoffice.jobs.check import check_step
    from backoffice.jobs.kits import kits_order_step

    inbox, port = smtp
    cfg = config(port)
    backend = MemoryBackend(make_tabs(missions=[staffed(Kit="KIT-LINDT", Contrat="Signé")]))

    def the_day(now):
        steps = [("mandates", partial(mandates_step, options=MandatesOptions(send=True))),
                 ("mandates-suivi", partial(mandates_followup_step, options=FollowupOptions(True))),
                 ("kits", kits_order_step), ("check", check_step)]
        outcome = run_region(cfg, Region("IDF", officer_email=OFFICER), steps, now, out=str(tmp_path),
                             workbook=Workbook(backend))
        assert not outcome.error, outcome.trace
        return outcome

    the_day(DAY)
    assert len(inbox.envelopes) == 1 and cell(backend, "M0001", "Kit statut") == "Commandé"
    set_cell(backend, "M0001", "Mandat", "Accusé")  # the store acknowledged: no reminder
    set_cell(backend, "M0001", "Statut", "Annulée")  # the brand cancels, 47 h before the start
    outcome = the_day(dt.datetime(2026, 11, 27, 10, 0))
    again = the_day(dt.datetime(2026, 11, 27, 11, 0))
    assert subjects(inbox)[1].startswith("Annulation : mandat Lindt") and len(inbox.envelopes) == 2
    files = sorted((tmp_path / "IDF" / "kits").glob("annulation_kits_*.csv"))
    assert [f.name for f in files] == ["annulation_kits_20261127-1000.csv"]
    assert files[0].read_text("utf-8-sig").splitlines()[1] == "K-IDF-M0001;M0001;KIT-LINDT;Léa Martin;Commandé;27/11/2026"
    for run_ in (outcome, again):
        [paid] = [f for f in run_.results[3].findings if f.rule == "contrat.annulation_payee"]
        assert paid.message == (
            "Missions!L2 : mission de S0001 (Léa Martin) annulée le 27/11/2026 à 10:00, moins de 72 h avant son "
            "début (29/11/2026 à 09:00) : le salarié est payé 100 % des heures prévues (8 h 10) ; reportez-les en paie.")


def test_an_old_sidecar_is_folded_into_the_workbook_once_then_never_read(smtp, tmp_path):
    """A workspace of an earlier version: its empreintes.json (and the journal of its last
    sends, a line cut by a crash) goes into État at the first run; the file is not read again."""
    import json

    inbox, port = smtp
    cfg = config(port)
    earlier = MemoryBackend(make_tabs(missions=[staffed()]))
    day(earlier, tmp_path / "earlier", DAY, cfg)  # what an earlier version kept, in its file
    kept = state_record(earlier, "mandat", "M0001")
    backend = MemoryBackend(make_tabs(missions=[staffed(Mandat="Envoyé", **{"Mandat envoyé le": "20/11/2026"})]))
    folder = tmp_path / "IDF" / "mandats"
    folder.mkdir(parents=True)
    (folder / "empreintes.json").write_text(json.dumps({"version": 1, "missions": {"M0001": kept}}), "utf-8")
    with open(folder / "empreintes.json.journal", "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"key": "M0001", "fields": {"relance_le": "2026-11-21 09:00:00"}}) + "\n")
        fh.write('{"key": "M0001", "fields": {"escal')  # a crash in the middle of a line
    day(backend, tmp_path, DAY + dt.timedelta(days=1), cfg)
    record = state_record(backend, "mandat", "M0001")
    assert record["empreinte"] == kept["empreinte"] and record["relance_le"] == "2026-11-21 09:00:00"
    assert state_record(backend, "repris", "mandat")["lignes"] == 1
    (folder / "empreintes.json").write_text("{not json any more", "utf-8")  # never read again
    outcome = day(backend, tmp_path, DAY + dt.timedelta(days=1, hours=1), cfg)
    assert not outcome.error and state_record(backend, "mandat", "M0001")["empreinte"] == kept["empreinte"]


def test_the_reminder_names_the_stores_own_deadline(smtp, tmp_path):
    inbox, port = smtp
    backend = MemoryBackend(make_tabs(missions=[staffed(Date="05/12/2026")], stores=[{"Délai mandat": 10}]))
    day(backend, tmp_path, DAY, config(port))  # deadline 25/11, reminder from 22/11
    day(backend, tmp_path, DAY + dt.timedelta(days=1), config(port))
    assert len(inbox.envelopes) == 1  # 21/11: not yet
    day(backend, tmp_path, DAY + dt.timedelta(days=2), config(port))
    assert "avant le 25/11/2026" in inbox.messages()[1].get_body(("plain",)).get_content()


def test_an_smtp_server_down_is_tried_once_and_each_mandate_reported(smtp, tmp_path):
    inbox, port = smtp
    backend = MemoryBackend(make_tabs(missions=[staffed(), staffed(**{"N° mission": "M0002"})]))
    day(backend, tmp_path, DAY, config(port))
    outcome = day(backend, tmp_path, DAY + dt.timedelta(days=1), config(free_port()))
    failed = [f for f in outcome.results[1].findings if f.rule == "mandat.suivi_non_envoye"]
    assert [f.key for f in failed] == ["M0001", "M0002"]
    assert "injoignable" in failed[0].message and "serveur SMTP indisponible" in failed[1].message
    day(backend, tmp_path, DAY + dt.timedelta(days=1, hours=1), config(port))  # back up: sent then, once
    assert len(inbox.envelopes) == 4


def test_the_mandates_command_follows_up_day_by_day_on_a_real_xlsx(smtp, tmp_path, monkeypatch):
    import openpyxl
    from click.testing import CliRunner

    from backoffice.cli import cli
    from tests.factories import set_agency_env, write_xlsx

    inbox, port = smtp
    set_agency_env(monkeypatch)
    for key, value in {"HOST": "127.0.0.1", "PORT": str(port), "SECURITY": "none", "SENDER": "m@animatis.example"}.items():
        monkeypatch.setenv(f"BACKOFFICE_SMTP_{key}", value)
    workbook = tmp_path / "IDF.xlsx"
    write_xlsx(workbook, make_tabs(missions=[staffed()]))

    def mandates(now):
        return CliRunner().invoke(cli, ["--workbook", str(workbook), "--now", now, "mandates", "--send",
                                        "--out", str(tmp_path / "out")])

    first = mandates("2026-11-20 09:00")
    assert first.exit_code == 0, first.output
    second = mandates("2026-11-21 09:00")
    assert second.exit_code == 0, second.output
    assert "follow-up  relances envoyées 1" in second.output
    assert [m["Subject"].split(" : ")[0] for m in inbox.messages()] == [inbox.messages()[0]["Subject"].split(" : ")[0],
                                                                         "Rappel"]
    sheet = openpyxl.load_workbook(workbook)["Missions"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("Mandat suivi") + 1).value == "Relancé le 21/11/2026"
    journal = [[c.value for c in row] for row in openpyxl.load_workbook(workbook)["Journal"].iter_rows(min_row=2)]
    assert ["mandates", "Missions", "M0001", "Mandat suivi"] in [r[1:5] for r in journal]


def test_without_an_officer_email_the_escalation_is_the_call_list_only(smtp, tmp_path):
    inbox, port = smtp
    backend = MemoryBackend(make_tabs(missions=[staffed()]))
    steps = [("mandates", partial(mandates_step, options=MandatesOptions(send=True))),
             ("mandates-suivi", partial(mandates_followup_step, options=FollowupOptions(True)))]
    for days in (0, 1, 2):
        outcome = run_region(config(port), Region("IDF"), steps, DAY + dt.timedelta(days=days), out=str(tmp_path),
                             workbook=Workbook(backend))
        assert not outcome.error, outcome.trace
    assert len(inbox.envelopes) == 2  # the mandate and its reminder; nobody to e-mail the escalation to
    assert cell(backend, "M0001", "Mandat suivi") == "À appeler : escalade du 22/11/2026"
    assert (tmp_path / "IDF" / "mandats" / "appels-magasins-20261122.csv").exists()
