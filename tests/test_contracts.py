"""``contracts``: the CIDD of exactly the staffed, unsigned, uncancelled missions within N days,
from the real template read back; with the Yousign stand-in, one signature request per
contract, however many runs; signed, declined, expired; without Yousign, one e-mail each."""
from __future__ import annotations

import datetime as dt
from functools import partial

import pytest

from backoffice.jobs.contracts import ContractsOptions, contracts_step
from backoffice.jobs.runner import run_region
from backoffice.settings import Region
from rules import contracts as rules
from sheets_sync import MemoryBackend, Workbook
from tests.factories import make_tabs
from tests.mandates_helpers import cell, docx_text, set_cell, settings
from tests.yousign_standin import SIGNED_PDF, YousignStandIn

NOW = dt.datetime(2026, 11, 20, 9, 0)  # the missions of the factories are on 29/11/2026


def region(**extra):
    missions = [
        {"N° mission": "M0001", "Salarié": "S0001", "Statut": "Confirmée", "Opération": "Noël chocolat"},
        {"N° mission": "M0002"},  # open: no contract
        {"N° mission": "M0003", "Salarié": "S0001", "Statut": "Annulée"},
        {"N° mission": "M0004", "Salarié": "S0001", "Statut": "Confirmée", "Contrat": "Signé", "Date": "30/11/2026"},
        {"N° mission": "M0005", "Salarié": "S0001", "Statut": "Proposée", "Date": "20/12/2026"},  # beyond 14 days
        {"N° mission": "M0006", "Salarié": "S0002", "Statut": "Proposée", "Date": "01/12/2026", "Début": "10:00",
         "Fin": "18:30"},
    ]
    employees = [{"Matricule": "S0001", "Date de naissance": "12/05/1998"},
                 {"Matricule": "S0002", "Nom": "Durand", "Prénom": "Hugo", "Téléphone": "06 22 33 44 55",
                  "Email": "hugo.durand@example.org", "Taux horaire": "13,50"}]
    return make_tabs(missions=missions, employees=employees, **extra)


def run(backend, out, now=NOW, send=False, pdf=False, cfg=None, workbook=None):
    step = partial(contracts_step, options=ContractsOptions(None, pdf, send))
    outcome = run_region(cfg or settings(), Region("IDF"), [("contracts", step)], now, out=str(out),
                         workbook=workbook or Workbook(backend))
    assert not outcome.error, outcome.trace
    assert not outcome.incidents, outcome.incidents[0].trace if outcome.incidents else ""
    return outcome


def test_exactly_the_staffed_unsigned_uncancelled_missions_in_the_window_get_a_contract(tmp_path):
    backend = MemoryBackend(region())
    outcome = run(backend, tmp_path)
    made = sorted(p.name for p in (tmp_path / "IDF" / "contrats").glob("*.docx"))
    assert made == ["M0001.docx", "M0006.docx"]
    assert cell(backend, "M0001", "Contrat") == "À envoyer" and cell(backend, "M0006", "Contrat") == "À envoyer"
    assert cell(backend, "M0004", "Contrat") == "Signé" and cell(backend, "M0003", "Contrat") in (None, "")
    assert cell(backend, "M0001", "Contrat fichier").endswith("contrats/M0001.docx")
    text = docx_text(tmp_path / "IDF" / "contrats" / "M0001.docx")
    for expected in ("Léa Martin", "Lindt", "Carrefour République", "10 place de la République, 75003 Paris",
                     "dimanche 29 novembre 2026 de 09:00 à 17:00", "8 h 10",  # 8 h − 20 min + 30 min preparation
                     "12,02 €", "IDCC 2098", "10 %", "né(e) le 12/05/1998", "3 rue des Lilas, 75011 Paris",
                     "Noël chocolat"):
        assert expected in text, expected
    hugo = docx_text(tmp_path / "IDF" / "contrats" / "M0006.docx")
    # 8 h 30 of presence, 20 min pause, 30 min preparation: 8 h 40 at 13,50 € = 117,00 €; 10 % = 11,70 €; 10 % of 128,70 = 12,87 €
    for expected in ("8 h 40", "13,50 €", "117,00 €", "11,70 €", "12,87 €", "Hugo Durand"):
        assert expected in hugo, expected
    assert "{{" not in text.replace("{{s1|signature|184|80}}", "")
    assert dict(outcome.results[0].summary)["générés"] == 2


def test_a_second_run_changes_nothing_and_a_change_remakes_the_contract(tmp_path):
    backend = MemoryBackend(region())
    run(backend, tmp_path)
    again = run(backend, tmp_path, now=NOW + dt.timedelta(hours=1))
    assert again.report.written == 0
    set_cell(backend, "M0001", "Fin", "16:00")
    third = run(backend, tmp_path, now=NOW + dt.timedelta(hours=2))
    assert dict(third.results[0].summary)["régénérés"] == 1
    assert "7 h 10" in docx_text(tmp_path / "IDF" / "contrats" / "M0001.docx")


def test_a_signed_contract_is_never_remade_an_amendment_is_asked(tmp_path):
    backend = MemoryBackend(region())
    run(backend, tmp_path)
    set_cell(backend, "M0001", "Contrat", "Signé")  # signed on paper, typed by a person
    set_cell(backend, "M0001", "Début", "10:00")
    outcome = run(backend, tmp_path, now=NOW + dt.timedelta(hours=1))
    assert cell(backend, "M0001", "Contrat") == "Signé"
    assert [f.rule for f in outcome.results[0].findings if f.rule == "contrat.avenant"] == ["contrat.avenant"]


def test_a_rate_under_the_smic_makes_no_contract(tmp_path):
    tabs = region()
    backend = MemoryBackend(tabs)
    set_cell(backend, "S0002", "Taux horaire", "11,50", tab="Salariés")
    outcome = run(backend, tmp_path)
    assert not (tmp_path / "IDF" / "contrats" / "M0006.docx").exists()
    [finding] = [f for f in outcome.results[0].findings if f.rule == "contrat.donnees_manquantes"]
    assert "sous le SMIC" in finding.message


@pytest.mark.parametrize("hours, rate, gross, end, leave", [
    (7.5, 12.02, 90.15, 9.02, 9.92),
    (0.0, 12.02, 0.0, 0.0, 0.0),
    (8 + 2 / 3, 13.5, 117.0, 11.7, 12.87),
])
def test_pay_and_both_allowances(hours, rate, gross, end, leave):
    assert rules.pay(hours, rate) == (gross, end, leave)


@pytest.mark.parametrize("start, deadline", [
    (dt.date(2026, 11, 28), dt.date(2026, 12, 1)),  # Saturday -> Monday, Tuesday (Sunday is not ouvrable)
    (dt.date(2026, 11, 26), dt.date(2026, 11, 28)),  # Thursday -> Friday, Saturday
    (dt.date(2026, 12, 24), dt.date(2026, 12, 28)),  # Christmas is a public holiday
])
def test_the_handover_deadline_counts_jours_ouvrables(start, deadline):
    assert rules.handover_deadline(start, 2) == deadline


@pytest.mark.parametrize("status, staffed, window, record, fp, action", [
    ("", True, True, {}, "a", rules.GENERATE),
    ("À envoyer", True, True, {}, "a", rules.GENERATE),
    ("", True, False, {}, "a", rules.NOTHING),  # out of the window
    ("Envoyé", True, True, {}, "a", rules.NOTHING),  # a person's word: sent by hand
    ("", False, True, {}, "a", rules.NOTHING),
    ("Envoyé", True, True, {"empreinte": "a"}, "a", rules.NOTHING),
    ("Envoyé", True, True, {"empreinte": "a"}, "b", rules.REGENERATE),
    ("Signé", True, True, {"empreinte": "a"}, "b", rules.AMEND),
    ("Signé", True, True, {"empreinte": "a"}, "a", rules.NOTHING),
    ("Refusé", True, True, {"empreinte": "a"}, "b", rules.NOTHING),
])
def test_decisions(status, staffed, window, record, fp, action):
    assert rules.decide(status, staffed, window, record, fp) == action


# --- Yousign --------------------------------------------------------------------------------------

@pytest.fixture
def yousign(monkeypatch):
    with YousignStandIn() as standin:
        monkeypatch.setenv("BACKOFFICE_YOUSIGN_API_KEY", standin.key)
        yield standin


def ysettings(standin):
    return settings(yousign={"url": standin.url})


def test_one_signature_request_per_contract_then_signed(yousign, tmp_path, libreoffice):
    backend = MemoryBackend(region())
    cfg = ysettings(yousign)
    outcome = run(backend, tmp_path, send=True, pdf=True, cfg=cfg)
    assert len(yousign.requests) == 2
    for request in yousign.requests.values():
        assert request["status"] == "ongoing" and len(request["documents"]) == 1 and len(request["signers"]) == 1
        assert request["documents"][0]["total_anchors"] == 1  # the template's smart anchor
        assert request["external_id"].startswith("CIDD-IDF-")
    hugo = next(r for r in yousign.requests.values() if "M0006" in r["external_id"])
    assert hugo["signers"][0]["info"] == {"first_name": "Hugo", "last_name": "Durand", "email": "hugo.durand@example.org",
                                          "locale": "fr", "phone_number": "+33622334455"}
    assert cell(backend, "M0001", "Contrat") == "Envoyé" and cell(backend, "M0001", "Contrat envoyé le") == "20/11/2026"
    assert dict(outcome.results[0].summary)["envoyés"] == 2
    run(backend, tmp_path, send=True, pdf=True, cfg=cfg, now=NOW + dt.timedelta(hours=1))  # a rerun
    assert len(yousign.requests) == 2
    reference = next(r["external_id"] for r in yousign.requests.values() if "M0001" in r["external_id"])
    yousign.set_status(reference, "done")
    run(backend, tmp_path, send=True, pdf=True, cfg=cfg, now=NOW + dt.timedelta(hours=2))
    assert cell(backend, "M0001", "Contrat") == "Signé"
    assert (tmp_path / "IDF" / "contrats" / "M0001-signé.pdf").read_bytes() == SIGNED_PDF
    assert cell(backend, "M0001", "Contrat fichier").endswith("M0001-signé.pdf")
    assert len(yousign.requests) == 2


def test_declined_is_refuse_and_a_person_s_signe_is_never_overwritten(yousign, tmp_path, libreoffice):
    backend = MemoryBackend(region())
    cfg = ysettings(yousign)
    run(backend, tmp_path, send=True, pdf=True, cfg=cfg)
    ids = {("M0001" if "M0001" in r["external_id"] else "M0006"): r["external_id"] for r in yousign.requests.values()}
    yousign.set_status(ids["M0001"], "declined")
    yousign.set_status(ids["M0006"], "declined")
    set_cell(backend, "M0006", "Contrat", "Signé")  # signed on paper meanwhile: the person's word
    outcome = run(backend, tmp_path, send=True, pdf=True, cfg=cfg, now=NOW + dt.timedelta(hours=1))
    assert cell(backend, "M0001", "Contrat") == "Refusé"
    assert cell(backend, "M0006", "Contrat") == "Signé"
    rules_found = [f.rule for f in outcome.results[0].findings]
    assert "contrat.refuse" in rules_found
    assert list((tmp_path / "IDF" / "contrats").glob("appels-contrats-*.csv"))


def test_two_runs_at_once_make_one_request_per_contract(yousign, tmp_path, libreoffice):
    """Two runs side by side on one Google spreadsheet (the Sheets stand-in): each contract gets
    one signature request."""
    from tests.google_twice import two_runs_at_once

    step = partial(contracts_step, options=ContractsOptions(None, True, True))
    two_runs_at_once(ysettings(yousign), region(), [("contracts", step)], NOW, tmp_path)
    by_reference = {}
    for request in yousign.requests.values():
        by_reference.setdefault(request["external_id"], []).append(request)
    assert len(by_reference) == 2 and all(len(v) == 1 for v in by_reference.values()), by_reference


def test_without_yousign_one_e_mail_per_contract_with_the_pdf(smtp_server, tmp_path, libreoffice, monkeypatch):
    monkeypatch.delenv("BACKOFFICE_YOUSIGN_API_KEY", raising=False)
    inbox, port = smtp_server
    cfg = settings(smtp={"host": "127.0.0.1", "port": port, "security": "none", "sender": "rh@animatis.example"})
    backend = MemoryBackend(region())
    run(backend, tmp_path, send=True, pdf=True, cfg=cfg)
    messages = inbox.messages()
    assert sorted(m["To"] for m in messages) == ["hugo.durand@example.org", "lea.martin@example.org"]
    for message in messages:
        [attachment] = list(message.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_content().startswith(b"%PDF")
    run(backend, tmp_path, send=True, pdf=True, cfg=cfg, now=NOW + dt.timedelta(hours=1))
    assert len(inbox.messages()) == 2
    assert cell(backend, "M0001", "Contrat") == "Envoyé"


def test_a_request_left_half_made_is_finished_not_made_again(yousign, tmp_path, libreoffice):
    """Yousign fails the activation once: the request stays a draft with its document and
    signer; the next run finds it by its external_id and only activates it."""
    backend = MemoryBackend(region())
    cfg = ysettings(yousign)
    yousign.fail_once.add("/activate")
    first = run(backend, tmp_path, send=True, pdf=True, cfg=cfg)
    assert "contrat.envoi_echoue" in [f.rule for f in first.results[0].findings]
    assert sorted(r["status"] for r in yousign.requests.values()) == ["draft", "ongoing"]
    run(backend, tmp_path, send=True, pdf=True, cfg=cfg, now=NOW + dt.timedelta(hours=1))
    assert len(yousign.requests) == 2 and {r["status"] for r in yousign.requests.values()} == {"ongoing"}
    assert all(len(r["documents"]) == 1 and len(r["signers"]) == 1 for r in yousign.requests.values())
    assert cell(backend, "M0001", "Contrat") == "Envoyé" and cell(backend, "M0006", "Contrat") == "Envoyé"


def test_the_contract_template_rebuilds_with_every_tag_and_only_known_ones(tmp_path):
    """``python -m generators.make_contract_template OUT`` (docs/architecture.md) writes the
    template; its tags are exactly the contract's data (none unknown, none forgotten)."""
    import subprocess
    import sys

    from generators.mandates import MandateTemplate

    out = tmp_path / "contrat.docx"
    done = subprocess.run([sys.executable, "-m", "generators.make_contract_template", str(out)], capture_output=True)
    assert done.returncode == 0, done.stderr
    assert MandateTemplate(out, rules.TAGS, "contrat").tags == set(rules.TAGS)
    packaged = MandateTemplate(settings().template_path("contract"), rules.TAGS, "contrat")
    assert packaged.tags == set(rules.TAGS)


def test_consecutive_days_of_one_operation_can_share_one_contract(tmp_path):
    missions = [{"N° mission": f"M000{i}", "Salarié": "S0001", "Statut": "Confirmée", "Opération": "Noël chocolat",
                 "Date": f"{27 + i}/11/2026"} for i in (1, 2)]
    missions.append({"N° mission": "M0009", "Salarié": "S0001", "Statut": "Confirmée", "Opération": "Noël chocolat",
                     "Date": "02/12/2026"})  # not the next day: its own contract
    backend = MemoryBackend(make_tabs(missions=missions))
    run(backend, tmp_path, cfg=settings(contracts={"group_consecutive": True}))
    made = sorted(p.name for p in (tmp_path / "IDF" / "contrats").glob("*.docx"))
    assert made == ["M0001.docx", "M0009.docx"]
    text = docx_text(tmp_path / "IDF" / "contrats" / "M0001.docx")
    assert "samedi 28 novembre 2026 de 09:00 à 17:00 ; dimanche 29 novembre 2026 de 09:00 à 17:00" in text
    assert "16 h 20" in text  # two days of 8 h 10
    assert cell(backend, "M0002", "Contrat") == "À envoyer"  # both days of the contract say it
    assert run(backend, tmp_path, cfg=settings(contracts={"group_consecutive": True}),
               now=NOW + dt.timedelta(hours=1)).report.written == 0
