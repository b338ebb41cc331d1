"""A real agency's first day: init, no placeholder agency on a mandate, an open workbook."""
import re
from pathlib import Path

import openpyxl
import pytest
from backoffice.settings import Agency
from sheets_sync import schema
from tests.factories import make_tabs, set_agency_env, write_xlsx
from tests.test_cli import clean_env, invoke  # noqa: F401  (clean_env: an autouse fixture)




def test_init_writes_a_workspace_whose_workbook_passes_check(tmp_path):
    result = invoke("init", tmp_path / "new", "--region", "BRE", "--name", "Bretagne")
    assert result.exit_code == 0, result.output
    root = tmp_path / "new"
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*")) == [
        "backoffice.toml", "ivr", "ivr/BRE", "templates", "templates/contrat_cidd.docx",
        "templates/mandat_fournisseur.docx", "workbooks", "workbooks/BRE.xlsx"]
    book = openpyxl.load_workbook(root / "workbooks" / "BRE.xlsx")
    assert book.sheetnames == [s.name for s in schema.ALL_TABS]
    for spec in schema.ALL_TABS:
        sheet = book[spec.name]
        assert [c.value for c in sheet[1]] == list(spec.names)
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref.startswith("A1:")
        assert all(sheet.column_dimensions[c.column_letter].width >= len(c.value) for c in sheet[1])
    lists = {(sheet.title, str(dv.sqref).split(":")[0][:-1]): dv.formula1
             for sheet in book for dv in sheet.data_validations.dataValidation}
    letter = {(s.name, c.name): openpyxl.utils.get_column_letter(i)
              for s in schema.PEOPLE_TABS for i, c in enumerate(s.columns, 1)}
    for tab, column in [("Missions", "Statut"), ("Missions", "Contrat"), ("Missions", "Mandat"),
                        ("Missions", "Kit statut"), ("Missions", "Présence"), ("Salariés", "Statut"),
                        ("Notes de frais", "Catégorie"), ("Notes de frais", "Statut"), ("Missions", "Type")]:
        assert (tab, letter[(tab, column)]) in lists, (tab, column)
    assert lists[("Missions", letter[("Missions", "Mandat")])] == '"' + ",".join(schema.MANDATE_STATUSES) + '"'

    config = root / "backoffice.toml"
    text = config.read_text(encoding="utf-8")
    assert 'code = "BRE"' in text and 'name = "Bretagne"' in text and "[agency]" in text
    check = invoke("--config", config, "check")
    assert check.exit_code == 0, check.output
    assert "Erreurs 0" in check.output


def test_init_never_overwrites_and_writes_nothing_then(tmp_path):
    assert invoke("init", tmp_path, "--region", "BRE").exit_code == 0
    (tmp_path / "backoffice.toml").write_text("# mine\n", encoding="utf-8")
    again = invoke("init", tmp_path, "--region", "BRE")
    assert again.exit_code == 2
    assert "existe déjà et ne sera pas écrasé" in " ".join(again.output.split())
    assert (tmp_path / "backoffice.toml").read_text(encoding="utf-8") == "# mine\n"
    other = invoke("init", tmp_path, "--region", "ARA")  # the config is there: refused too
    assert other.exit_code == 2
    assert not (tmp_path / "workbooks" / "ARA.xlsx").exists()


def test_a_bad_region_code_is_refused(tmp_path):
    result = invoke("init", tmp_path, "--region", "../x")
    assert result.exit_code == 2
    assert "code de région « ../x » invalide" in result.output


def test_mandates_refuse_without_the_agency_and_write_no_file(tmp_path):
    assert invoke("init", tmp_path / "new", "--region", "BRE").exit_code == 0
    config = tmp_path / "new" / "backoffice.toml"
    result = invoke("--config", config, "mandates")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    message = " ".join(result.output.split())
    assert message == (
        f"Erreur : Identité de l'agence incomplète, section [agency] de {config.resolve()} : name (manquant), "
        "siret (manquant), address (manquant), postal_code (manquant), city (manquant), email (manquant). "
        "Complétez-la : aucun mandat n'est généré ni envoyé tant qu'elle manque.")
    assert not (tmp_path / "new" / "output").exists()


def test_run_without_the_agency_does_the_rest_and_exits_2(tmp_path):
    assert invoke("init", tmp_path, "--region", "BRE").exit_code == 0
    result = invoke("--config", tmp_path / "backoffice.toml", "run")
    assert result.exit_code == 2
    assert "Identité de l'agence incomplète" in result.output
    assert re.search(r"check\s+Erreurs 0", result.output), result.output
    assert "mandates" not in result.output


@pytest.mark.parametrize("agency, gaps", [
    (Agency(), ["name (manquant)", "siret (manquant)", "address (manquant)", "postal_code (manquant)",
                "city (manquant)", "email (manquant)"]),
    (Agency("Promo Ouest", "SAS", "812 345 678 00019", "3 quai Duguay-Trouin", "35000", "Rennes", "",
            "contact@promo-ouest.fr"), []),
    (Agency("Promo Ouest", "SAS", "000 000 000 00000", "3 quai", "35000", "Rennes", "", "a@promo-ouest.fr"),
     ["siret (valeur d'exemple « 000 000 000 00000 »)"]),
    (Agency("Promo Ouest", "SAS", "81234567800019", "3 quai", "35000", "Rennes", "", "backoffice@example.org"),
     ["email (valeur d'exemple « backoffice@example.org »)"]),
    (Agency("À COMPLÉTER", "SAS", "8123456780001", "3 quai", "35000", "Rennes", "", "a@promo-ouest.fr"),
     ["name (valeur d'exemple « À COMPLÉTER »)", "siret (valeur d'exemple « 8123456780001 »)"]),
    (Agency("Animatis Terrain", "SAS", "000 000 000 00000", "12 rue de l'Exemple", "75010", "Paris", "",
            "backoffice@example.org", demo=True), []),
])
def test_agency_gaps(agency, gaps):
    assert agency.gaps() == gaps


def test_the_defaults_carry_no_agency():
    from backoffice.settings import load_settings

    assert load_settings(environ={}).agency == Agency()


@pytest.fixture
def open_book(tmp_path):
    book = write_xlsx(tmp_path / "IDF.xlsx", make_tabs(missions=[
        {"N° mission": "M0001", "Salarié": "", "Statut": "À pourvoir", "Date": "02/12/2026"}]))
    (tmp_path / ".~lock.IDF.xlsx#").write_text("x")
    return book


@pytest.mark.parametrize("args", [
    ["dossier", "S0001"],
    ["--dry-run", "suggest"],
    ["suggest", "--explain", "M0001"],
    ["--dry-run", "run"],
])
def test_read_only_work_on_a_workbook_held_open(open_book, args, monkeypatch):
    set_agency_env(monkeypatch)
    before = Path(open_book).read_bytes()
    result = invoke("--workbook", open_book, "--now", "2026-11-29 09:30", *args)
    assert result.exit_code in (0, 1), result.output
    assert "Classeur ouvert dans LibreOffice : lu tel qu'enregistré sur le disque, rien n'y est écrit." \
        in " ".join(result.output.split())
    assert Path(open_book).read_bytes() == before


def test_a_real_write_on_a_workbook_held_open_is_refused(open_book):
    before = Path(open_book).read_bytes()
    result = invoke("--workbook", open_book, "--now", "2026-11-29 09:30", "suggest")
    assert result.exit_code == 2
    assert "est ouvert dans LibreOffice" in " ".join(result.output.split())
    assert Path(open_book).read_bytes() == before
