from aiosmtpd.controller import Controller

from sheets_sync import MemoryBackend
from tests.factories import make_tabs, state_record
from tests.mandates_helpers import NOW, cell, ok, run, set_cell, settings, staffed
from tests.smtp_support import Inbox, free_port


def smtp_settings(port, **extra):
    return settings(smtp={"host": "127.0.0.1", "port": port, "security": "none",
                          "sender": "mandats@animatis.example", **extra})


def test_send_mails_the_mandate_to_the_store_and_marks_it_sent(smtp_server, tmp_path):
    inbox, port = smtp_server
    backend = MemoryBackend(make_tabs(missions=[staffed()]))
    result = ok(run(backend, tmp_path, send=True, cfg=smtp_settings(port)))
    assert len(inbox.envelopes) == 1
    envelope = inbox.envelopes[0]
    assert envelope.mail_from == "mandats@animatis.example"
    assert envelope.rcpt_tos == ["direction.c001@example.org"]
    msg = inbox.messages()[0]
    ref = state_record(backend, "mandat", "M0001")["empreinte"][:6].upper()
    assert msg["Subject"] == f"Mandat Lindt — Léa Martin — Carrefour République — 29/11/2026 — MF-IDF-M0001-{ref}"
    assert msg["To"] == "direction.c001@example.org"
    body = msg.get_body(("plain",)).get_content()
    assert "Veuillez trouver ci-joint le mandat de la marque Lindt (Chocolats Exemple SAS)" in body
    assert "autorisant Léa Martin, salarié(e) de Animatis Terrain, à intervenir dans votre magasin " \
           "Carrefour République (code C001) le dimanche 29 novembre 2026 de 09:00 à 17:00" in body
    [part] = list(msg.iter_attachments())
    path = tmp_path / "IDF" / "mandats" / "M0001.docx"
    assert part.get_filename() == "M0001.docx"
    assert part.get_content_type() == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert part.get_content() == path.read_bytes()
    assert cell(backend, "M0001", "Mandat") == "Envoyé"
    assert cell(backend, "M0001", "Mandat envoyé le") == "20/11/2026"
    assert ("envoyés", 1) in result.summary
    assert state_record(backend, "mandat", "M0001")["envoye_a"] == "direction.c001@example.org"
    # never twice: a second run sends nothing and writes nothing
    outcome = run(backend, tmp_path, send=True, cfg=smtp_settings(port))
    assert len(inbox.envelopes) == 1 and outcome.report.written == 0


def test_lost_sheet_write_after_sending_does_not_send_again(smtp_server, tmp_path):
    inbox, port = smtp_server
    backend = MemoryBackend(make_tabs(missions=[staffed()]))
    ok(run(backend, tmp_path, send=True, cfg=smtp_settings(port)))
    set_cell(backend, "M0001", "Mandat", "Généré")  # the write after sending was lost
    set_cell(backend, "M0001", "Mandat envoyé le", None)
    ok(run(backend, tmp_path, send=True, cfg=smtp_settings(port), now=NOW.replace(day=21)))
    assert len(inbox.envelopes) == 1
    assert cell(backend, "M0001", "Mandat") == "Envoyé"
    assert cell(backend, "M0001", "Mandat envoyé le") == "20/11/2026"


def test_regenerated_mandate_is_sent_again_once(smtp_server, tmp_path):
    inbox, port = smtp_server
    backend = MemoryBackend(make_tabs(missions=[staffed()]))
    ok(run(backend, tmp_path, send=True, cfg=smtp_settings(port)))
    set_cell(backend, "M0001", "Fin", "18:00")
    result = ok(run(backend, tmp_path, send=True, cfg=smtp_settings(port), now=NOW.replace(day=22)))
    assert len(inbox.envelopes) == 2
    assert cell(backend, "M0001", "Mandat") == "Envoyé"
    assert cell(backend, "M0001", "Mandat envoyé le") == "22/11/2026"
    assert result.findings == []  # re-sent in the same run: no « à renvoyer »


def test_store_without_email_is_a_finding_and_nothing_is_sent(smtp_server, tmp_path):
    inbox, port = smtp_server
    backend = MemoryBackend(make_tabs(missions=[staffed()], stores=[{"Email": ""}]))
    result = ok(run(backend, tmp_path, send=True, cfg=smtp_settings(port)))
    assert inbox.envelopes == []
    assert cell(backend, "M0001", "Mandat") == "Généré"
    assert [(f.rule, f.severity, f.cell, f.message) for f in result.findings] == [(
        "mandat.magasin_sans_email", "alerte", "Magasins!I2",
        "Magasins!I2 : magasin C001 sans e-mail : mandat(s) M0001 non envoyé(s) ; renseignez l'e-mail du "
        "directeur du magasin, ou envoyez-les à la main.")]


def test_refused_recipient_leaves_the_status(smtp_server, tmp_path):
    inbox, port = smtp_server
    inbox.refuse.add("direction.c001@example.org")
    backend = MemoryBackend(make_tabs(missions=[staffed()]))
    result = ok(run(backend, tmp_path, send=True, cfg=smtp_settings(port)))
    assert cell(backend, "M0001", "Mandat") == "Généré"
    assert [(f.rule, f.severity, f.cell) for f in result.findings] == [
        ("mandat.envoi_echoue", "erreur", "Missions!P2")]
    assert "destinataire refusé par le serveur SMTP : direction.c001@example.org." in result.findings[0].message
    # fixed on the server side: the next run sends it
    inbox.refuse.clear()
    ok(run(backend, tmp_path, send=True, cfg=smtp_settings(port)))
    assert len(inbox.envelopes) == 1 and cell(backend, "M0001", "Mandat") == "Envoyé"


def test_unreachable_server_leaves_every_status_and_reports_each(tmp_path):
    backend = MemoryBackend(make_tabs(missions=[staffed(), staffed(**{"N° mission": "M0002"})]))
    result = ok(run(backend, tmp_path, send=True, cfg=smtp_settings(free_port())))
    assert [cell(backend, k, "Mandat") for k in ("M0001", "M0002")] == ["Généré", "Généré"]
    assert [(f.rule, f.cell) for f in result.findings] == [
        ("mandat.envoi_echoue", "Missions!P2"), ("mandat.envoi_echoue", "Missions!P3")]
    assert "injoignable" in result.findings[0].message
    assert state_record(backend, "mandat", "M0001")["envoye_le"] == ""


def test_login_uses_the_password_from_the_environment(tmp_path, monkeypatch):
    from aiosmtpd.smtp import AuthResult

    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=True)

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        monkeypatch.setenv("MANDATS_SMTP_PW", "s3cret")
        backend = MemoryBackend(make_tabs(missions=[staffed()]))
        ok(run(backend, tmp_path, send=True,
               cfg=smtp_settings(controller.port, user="agence", password_env="MANDATS_SMTP_PW")))
    finally:
        controller.stop()
    assert seen == [(b"agence", b"s3cret")]
    assert len(inbox.envelopes) == 1


def test_dry_run_sends_nothing(smtp_server, tmp_path):
    inbox, port = smtp_server
    backend = MemoryBackend(make_tabs(missions=[staffed()]))
    outcome = run(backend, tmp_path, send=True, dry_run=True, cfg=smtp_settings(port))
    result = ok(outcome)
    assert inbox.envelopes == []
    assert not (tmp_path / "IDF").exists()
    assert result.tables[0].rows[-1][4] == "à envoyer à direction.c001@example.org (DOCX)"
    # « Envoyé » is written once the mail left (the act phase's follow-up write), so not here
    assert [r[3:] for r in outcome.preview][0] == ["Mandat", "", "Généré"]


def test_a_resent_mandate_names_the_reference_it_replaces(smtp_server, tmp_path):
    from rules.mandates import reference

    inbox, port = smtp_server
    backend = MemoryBackend(make_tabs(missions=[staffed()]))
    ok(run(backend, tmp_path, send=True, cfg=smtp_settings(port)))
    first = state_record(backend, "mandat", "M0001")["empreinte"]
    set_cell(backend, "M0001", "Fin", "18:00")
    ok(run(backend, tmp_path, send=True, cfg=smtp_settings(port), now=NOW.replace(day=22)))
    old, new = inbox.messages()
    old_ref = reference("IDF", "M0001", first)
    assert "remplace" not in old["Subject"]
    new_ref = reference("IDF", "M0001", state_record(backend, "mandat", "M0001")["empreinte"])
    assert new["Subject"] == (f"Mandat Lindt — Léa Martin — Carrefour République — 29/11/2026 — {new_ref} "
                              f"(remplace {old_ref})")
    body = new.get_body(("plain",)).get_content()
    assert f"Ce mandat remplace le mandat de référence {old_ref}, qui n'est plus valable" in body


def test_hostile_keys_and_names_reach_each_store_its_own_mandate(smtp_server, tmp_path):
    """A line break in a Prénom (Alt+Enter), « M 20274 » beside « M/20274 », a N° mission of 100
    four-byte characters: no incident, one file per mission, each store its own mission's mandate."""
    inbox, port = smtp_server
    long_key = "𠀀" * 100
    employees = [{}, {"Matricule": "S0002", "Prénom": "Jean\nPierre", "Nom": "Durand\r\nX"}]
    stores = [{}, {"Code magasin": "C002", "Nom": "Carrefour Nation", "Email": "direction.c002@example.org"},
              {"Code magasin": "C003", "Nom": "Carrefour Bastille", "Email": "direction.c003@example.org"}]
    missions = [staffed(**{"N° mission": "M 20274"}),
                staffed(**{"N° mission": "M/20274", "Code magasin": "C002", "Salarié": "S0002"}),
                staffed(**{"N° mission": long_key, "Code magasin": "C003", "Début": "18:00", "Fin": "20:00"})]
    backend = MemoryBackend(make_tabs(employees=employees, stores=stores, missions=missions))
    ok(run(backend, tmp_path, send=True, cfg=smtp_settings(port)))
    sent = {m["To"]: m for m in inbox.messages()}
    assert sorted(sent) == ["direction.c001@example.org", "direction.c002@example.org", "direction.c003@example.org"]
    assert "MF-IDF-M 20274-" in sent["direction.c001@example.org"]["Subject"]
    assert "M/20274" in sent["direction.c002@example.org"]["Subject"]
    assert "Jean Pierre Durand X" in sent["direction.c002@example.org"]["Subject"]
    files = {m["To"]: next(m.iter_attachments()).get_content() for m in inbox.messages()}
    assert len(set(files.values())) == 3  # three different documents
    from tests.mandates_helpers import docx_text
    import io
    for to, code in (("direction.c001@example.org", "M 20274"), ("direction.c002@example.org", "M/20274")):
        folder = tmp_path / "docx"
        folder.mkdir(exist_ok=True)
        path = folder / f"{code.replace('/', '_').replace(' ', '-')}.docx"
        path.write_bytes(io.BytesIO(files[to]).getvalue())
        assert code in docx_text(path)
    assert all(cell(backend, k, "Mandat") == "Envoyé" for k in ("M 20274", "M/20274", long_key))
