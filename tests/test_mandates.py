
import docx
import pytest

from generators.mandates import MandateTemplate
from rules.mandates import TAGS, fingerprint, long_date
from sheets_sync import MemoryBackend
from tests.factories import make_tabs, state_record, set_agency_env
from tests.mandates_helpers import NOW, cell, docx_text, ok, run, set_cell, settings, staffed

EMPLOYEE = {"Matricule": "S0042", "Prénom": "Théo", "Nom": "Lefèvre"}
STORE = {"Code magasin": "L077", "Enseigne": "Leclerc", "Nom": "Leclerc Rivoli", "Adresse": "5 rue de Rivoli",
         "Code postal": "01000", "Ville": "Bourg-en-Bresse", "Email": "direction.l077@example.org"}
BRAND = {"Marque": "Bonne Maman", "Raison sociale": "Andros SNC", "Adresse": "Zone industrielle, 46130 Biars",
         "Signataire": "Paul Girard", "Fonction signataire": "Directeur des ventes"}
MISSION = staffed(**{"N° mission": "M0100", "Opération": "Confitures d'automne", "Marque": "Bonne Maman",
                     "Code magasin": "L077", "Type": "animation", "Date": "27/11/2026", "Début": "10:30",
                     "Fin": "18:15", "Salarié": "S0042"})


def full_tabs(**mission):
    return make_tabs(missions=[{**MISSION, **mission}], employees=[EMPLOYEE], stores=[STORE], brands=[BRAND])


def test_generated_document_holds_every_field(tmp_path):
    backend = MemoryBackend(full_tabs())
    result = ok(run(backend, tmp_path))
    path = tmp_path / "IDF" / "mandats" / "M0100.docx"
    assert cell(backend, "M0100", "Mandat") == "Généré"
    assert cell(backend, "M0100", "Mandat fichier") == str(path)
    assert result.files == [path]
    text = docx_text(path)
    fp = state_record(backend, "mandat", "M0100")["empreinte"]
    expected = [
        "Andros SNC", "Zone industrielle, 46130 Biars", "Paul Girard", "Directeur des ventes", "Bonne Maman",
        "Animatis Terrain", "SAS", "000 000 000 00000", "12 rue de l'Exemple", "75010", "Paris",
        "Théo", "Lefèvre", "S0042",
        "animation", "Confitures d'automne", "M0100",
        "Leclerc", "Leclerc Rivoli", "5 rue de Rivoli", "01000", "Bourg-en-Bresse", "L077",
        "27/11/2026", "vendredi 27 novembre 2026", "10:30", "18:15",
        f"MF-IDF-M0100-{fp[:6].upper()}",
        "Fait à Paris, le 20/11/2026",
    ]
    missing = [value for value in expected if value not in text]
    assert missing == []
    assert "{{" not in text and "{%" not in text
    assert "Signature et cachet" in text


def test_template_holds_only_known_tags_and_rebuilds(tmp_path):
    from generators.make_template import build

    out = build(tmp_path / "modele.docx")
    template = MandateTemplate(out)
    assert template.tags == set(TAGS)


def test_missing_tag_is_a_clear_error(tmp_path):
    path = tmp_path / "modele.docx"
    doc = docx.Document()
    doc.add_paragraph("Mandat de {{ salarie_prenom }} {{ salarie_nom }}, sécurité sociale {{ numero_secu }}")
    doc.save(path)
    backend = MemoryBackend(full_tabs())
    outcome = run(backend, tmp_path / "out", cfg=settings(mandates={"template": str(path)}))
    assert outcome.error == (
        f"Le modèle de mandat {path} utilise la balise « numero_secu » que les données n'ont pas. "
        f"Balises disponibles : {', '.join(sorted(TAGS))}."
    )
    assert cell(backend, "M0100", "Mandat") is None  # nothing written
    assert not (tmp_path / "out" / "IDF" / "mandats" / "M0100.docx").exists()


def test_broken_tag_is_a_clear_error(tmp_path):
    path = tmp_path / "modele.docx"
    doc = docx.Document()
    doc.add_paragraph("Mandat de {{ salarie_nom ")
    doc.save(path)
    with pytest.raises(Exception) as err:
        MandateTemplate(path)
    assert str(err.value).startswith(f"Modèle de mandat {path} : balise mal formée")


def test_data_that_looks_like_a_template_stays_text(tmp_path):
    tabs = make_tabs(missions=[{**MISSION, "Opération": "Promo {% for x in range(3) %}boucle{% endfor %}"}],
                     employees=[{**EMPLOYEE, "Nom": "{{ 7*7 }}", "Prénom": "{{ ''.__class__ }}"}],
                     stores=[{**STORE, "Nom": "Procter & Gamble <b>gras</b>"}], brands=[BRAND])
    backend = MemoryBackend(tabs)
    ok(run(backend, tmp_path))
    text = docx_text(tmp_path / "IDF" / "mandats" / "M0100.docx")
    assert "{{ ''.__class__ }} {{ 7*7 }}" in text
    assert "Promo {% for x in range(3) %}boucle{% endfor %}" in text
    assert "Procter & Gamble <b>gras</b>" in text
    assert "49" not in text and "boucleboucle" not in text and "<class" not in text


def test_which_missions(tmp_path):
    missions = [
        staffed(**{"N° mission": "OK1"}),                                     # 9 days ahead
        staffed(**{"N° mission": "OK2", "Statut": "Proposée", "Mandat": "À générer", "Date": "20/11/2026"}),
        staffed(**{"N° mission": "OK3", "Mandat": "À refaire", "Date": "11/12/2026"}),  # day 21
        staffed(**{"N° mission": "FAR", "Date": "12/12/2026"}),               # day 22
        staffed(**{"N° mission": "PAST", "Date": "19/11/2026"}),
        staffed(**{"N° mission": "NOEMP", "Salarié": ""}),
        staffed(**{"N° mission": "OPEN", "Statut": "À pourvoir"}),
        staffed(**{"N° mission": "DONE", "Statut": "Réalisée"}),
        staffed(**{"N° mission": "CANC", "Statut": "Annulée"}),
        staffed(**{"N° mission": "SENT", "Mandat": "Envoyé"}),
        staffed(**{"N° mission": "ACK", "Mandat": "Accusé"}),
    ]
    backend = MemoryBackend(make_tabs(missions=missions))
    result = ok(run(backend, tmp_path))
    made = sorted(p.name for p in (tmp_path / "IDF" / "mandats").glob("*.docx"))
    assert made == ["OK1.docx", "OK2.docx", "OK3.docx"]
    assert [cell(backend, k, "Mandat") for k in ("OK1", "OK2", "OK3", "FAR", "SENT")] == [
        "Généré", "Généré", "Généré", None, "Envoyé"]
    assert result.summary == [("générés", 2), ("régénérés", 1)]
    # --days narrows the window
    backend = MemoryBackend(make_tabs(missions=missions))
    ok(run(backend, tmp_path / "b", days=3))
    assert sorted(p.name for p in (tmp_path / "b" / "IDF" / "mandats").glob("*.docx")) == ["OK2.docx"]


def test_unknown_brand_is_a_finding_and_no_mandate(tmp_path):
    backend = MemoryBackend(make_tabs(missions=[staffed(Marque="Inconnue")]))
    result = ok(run(backend, tmp_path))
    assert [(f.rule, f.severity, f.cell, f.message) for f in result.findings] == [(
        "mandat.reference_introuvable", "erreur", "Missions!C2",
        "Missions!C2 : « Inconnue » introuvable dans l'onglet Marques : mandat de la mission M0001 non généré ; "
        "corrigez la valeur ou ajoutez la ligne manquante.")]
    assert cell(backend, "M0001", "Mandat") is None


def test_second_run_writes_nothing(tmp_path):
    backend = MemoryBackend(full_tabs())
    ok(run(backend, tmp_path))
    path = tmp_path / "IDF" / "mandats" / "M0100.docx"
    stamps = path.stat().st_mtime_ns
    journal = [list(r) for r in backend.tabs["Journal"]]
    memory = [list(r) for r in backend.tabs["État"]]
    outcome = run(backend, tmp_path, now=NOW.replace(hour=15))
    result = ok(outcome)
    assert outcome.report.written == 0
    assert backend.tabs["Journal"] == journal
    assert path.stat().st_mtime_ns == stamps and backend.tabs["État"] == memory
    assert result.summary == [("générés", 0), ("régénérés", 0)]
    assert result.tables[0].rows == []


def test_lost_sheet_write_reuses_the_file(tmp_path):
    backend = MemoryBackend(full_tabs())
    ok(run(backend, tmp_path))
    path = tmp_path / "IDF" / "mandats" / "M0100.docx"
    before = path.stat().st_mtime_ns
    set_cell(backend, "M0100", "Mandat", "")  # as if the write after generating had been lost
    set_cell(backend, "M0100", "Mandat fichier", "")
    result = ok(run(backend, tmp_path))
    assert path.stat().st_mtime_ns == before
    assert cell(backend, "M0100", "Mandat") == "Généré"
    assert result.tables[0].rows[0][4] == "déjà généré (fichier repris)"


def test_change_after_sending_makes_it_a_redo_and_regenerates(tmp_path):
    backend = MemoryBackend(full_tabs())
    ok(run(backend, tmp_path))
    set_cell(backend, "M0100", "Mandat", "Envoyé")  # sent (by hand, or by --send)
    set_cell(backend, "M0100", "Mandat envoyé le", "20/11/2026")
    set_cell(backend, "M0100", "Début", "11:00")
    set_cell(backend, "M0100", "Date", "28/11/2026")
    outcome = run(backend, tmp_path, now=NOW.replace(hour=16))
    result = ok(outcome)
    assert cell(backend, "M0100", "Mandat") == "Généré"
    assert cell(backend, "M0100", "Mandat envoyé le") in (None, "")
    text = docx_text(tmp_path / "IDF" / "mandats" / "M0100.docx")
    assert "de 11:00 à 18:15" in text and "28/11/2026" in text and "27/11/2026" not in text
    assert result.tables[0].rows[0][4] == (
        "régénéré : date « 27/11/2026 » → « 28/11/2026 »; début « 10:30 » → « 11:00 »")
    journal = [r[3:8] for r in backend.tabs["Journal"][1:] if r[7] != ""]
    assert ["M0100", "Mandat", "Missions!P2", "Envoyé", "Généré"] in journal
    assert [(f.rule, f.severity) for f in result.findings] == [("mandat.a_renvoyer", "alerte")]
    record = state_record(backend, "mandat", "M0100")
    assert len(record["historique"]) == 1 and record["donnees"]["mission_debut"] == "11:00"
    # and now it is stable again
    assert run(backend, tmp_path, now=NOW.replace(hour=17)).report.written == 0


def test_changed_mission_out_of_the_window_is_set_to_redo(tmp_path):
    backend = MemoryBackend(full_tabs())
    ok(run(backend, tmp_path))
    set_cell(backend, "M0100", "Date", "30/12/2026")  # beyond 21 days now
    result = ok(run(backend, tmp_path))
    assert cell(backend, "M0100", "Mandat") == "À refaire"
    assert result.summary[-1] == ("à refaire", 1)


def test_employee_change_in_salaries_tab_is_detected(tmp_path):
    backend = MemoryBackend(full_tabs())
    ok(run(backend, tmp_path))
    set_cell(backend, "S0042", "Nom", "Lefebvre", tab="Salariés")
    result = ok(run(backend, tmp_path))
    assert result.tables[0].rows[0][4] == "régénéré : nom du salarié « Lefèvre » → « Lefebvre »"


def test_dry_run_generates_nothing(tmp_path, libreoffice):  # --pdf checks LibreOffice before planning
    backend = MemoryBackend(full_tabs())
    outcome = run(backend, tmp_path, dry_run=True, pdf=True)
    result = ok(outcome)
    assert not (tmp_path / "IDF").exists()
    assert cell(backend, "M0100", "Mandat") is None
    assert result.tables[0].rows[0][4] == "à générer"
    assert [r[3:] for r in outcome.preview if r[1] != "État"] == [
        ["Mandat", "", "Généré"], ["Mandat fichier", "", str(tmp_path / "IDF" / "mandats" / "M0100.pdf")]]
    assert [r[1:] for r in outcome.preview if r[1] == "État"] == [["État", "", "", "", "1 ligne(s) à ajouter"]]


def test_fingerprint_ignores_issue_date_and_order():
    fields = {"salarie_nom": "A", "mission_date": "01/12/2026", "fait_le": "x"}
    assert fingerprint(fields) == fingerprint({"mission_date": "01/12/2026", "salarie_nom": "A", "fait_le": "y"})
    assert fingerprint(fields) != fingerprint({**fields, "salarie_nom": "B"})
    assert long_date("2026-12-01") == "mardi 1er décembre 2026"


def test_pdf_batch_is_produced(tmp_path, libreoffice):
    backend = MemoryBackend(make_tabs(missions=[staffed(), staffed(**{"N° mission": "M0002"})]))
    result = ok(run(backend, tmp_path, pdf=True))
    folder = tmp_path / "IDF" / "mandats"
    for key in ("M0001", "M0002"):
        pdf = folder / f"{key}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF")
        assert cell(backend, key, "Mandat fichier") == str(pdf)
    assert ("PDF", 2) in result.summary
    assert state_record(backend, "mandat", "M0001")["pdf"] == str(folder / "M0001.pdf")


def test_pdf_without_libreoffice_is_a_clear_error(tmp_path):
    backend = MemoryBackend(full_tabs())
    outcome = run(backend, tmp_path, pdf=True, cfg=settings(mandates={"libreoffice": "soffice-absent-xyz"}))
    assert outcome.error.startswith("LibreOffice introuvable (« soffice-absent-xyz ») : la conversion en PDF")
    assert not (tmp_path / "IDF").exists()


def test_cli_mandates_on_an_xlsx_workbook(tmp_path, monkeypatch):
    import openpyxl
    from click.testing import CliRunner

    from backoffice.cli import cli

    book = openpyxl.Workbook()
    book.remove(book.active)
    for tab, rows in full_tabs().items():
        sheet = book.create_sheet(tab)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "IDF.xlsx"
    book.save(path)
    out = tmp_path / "out"
    set_agency_env(monkeypatch)
    args = ["--workbook", str(path), "--now", "2026-11-20 09:00", "mandates", "--out", str(out)]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "générés 1" in first.output
    assert (out / "IDF" / "mandats" / "M0100.docx").exists()
    sheet = openpyxl.load_workbook(path)["Missions"]
    head = [c.value for c in sheet[1]]
    assert sheet.cell(2, head.index("Mandat") + 1).value == "Généré"
    second = CliRunner().invoke(cli, args)
    assert second.exit_code == 0 and "Écriture : 0 cellule(s) écrite(s)" in second.output


def test_files_follow_the_sheet_a_refused_write_leaves_no_mandate(tmp_path):
    from sheets_sync.errors import WorkbookError

    backend = MemoryBackend(full_tabs())

    def refused(_b):
        raise WorkbookError("Le classeur a été modifié pendant le traitement ; relancez.")

    backend.on_reread = refused
    outcome = run(backend, tmp_path)
    assert outcome.error.startswith("Le classeur a été modifié")
    assert not (tmp_path / "IDF").exists()  # no .docx, no sidecar


def test_a_mandat_a_person_changed_meanwhile_gets_no_file(tmp_path):
    backend = MemoryBackend(full_tabs())

    def person_types(b):
        set_cell(b, "M0100", "Mandat", "Refusé")

    backend.on_reread = person_types
    outcome = run(backend, tmp_path)
    result = ok(outcome)
    assert cell(backend, "M0100", "Mandat") == "Refusé"
    assert cell(backend, "M0100", "Mandat fichier") is None  # follows Mandat: not written either
    assert not (tmp_path / "IDF" / "mandats" / "M0100.docx").exists()
    assert result.tables[0].rows[0][4] == "non fait : Mandat modifié entre-temps dans le classeur"
    assert [s.reason for s in outcome.report.skipped] == [
        "modifiée entre-temps (vide → « Refusé »)", "non écrite : « Mandat » modifiée entre-temps"]
