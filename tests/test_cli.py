"""The CLI frame: global options, exit codes, --json, --dry-run, region errors, the README."""
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from backoffice.cli import cli
from backoffice.commands import COMMANDS
from tests.factories import make_tabs, write_xlsx

ROOT = Path(__file__).resolve().parents[1]
NOW = ["--now", "2026-11-29 09:30"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in list(__import__("os").environ):
        if name.startswith("BACKOFFICE_"):
            monkeypatch.delenv(name)


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def book(tmp_path):
    return write_xlsx(tmp_path / "IDF.xlsx", make_tabs())


def test_workbook_and_spreadsheet_together_is_bad_usage(book):
    result = invoke("--workbook", book, "--spreadsheet", "abc", "check")
    assert result.exit_code == 2
    assert "--workbook et --spreadsheet s'excluent" in result.output


def test_bad_now_is_bad_usage(book):
    result = invoke("--workbook", book, "--now", "29/11/2026", "check")
    assert result.exit_code == 2
    assert "attendu AAAA-MM-JJ HH:MM" in result.output


def test_missing_workbook_exits_2_with_a_french_message_and_no_traceback(tmp_path):
    result = invoke("--workbook", tmp_path / "absent.xlsx", *NOW, "check")
    assert result.exit_code == 2
    assert "Classeur introuvable" in result.output
    assert "Traceback" not in result.output


def test_verbose_shows_the_traceback_and_still_exits_2(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("[presence]\nunknown = 1\n", encoding="utf-8")
    result = invoke("--config", config, "--verbose", "check")
    assert result.exit_code == 2
    assert "Traceback" in result.output
    assert "clé inconnue « presence.unknown »" in result.output


def test_no_region_configured(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("", encoding="utf-8")
    result = invoke("--config", config, "check")
    assert result.exit_code == 2
    assert "Aucune région" in result.output


def test_unknown_region(tmp_path, book):
    config = tmp_path / "c.toml"
    config.write_text(f'[[regions]]\ncode = "IDF"\nworkbook = "{book}"\n', encoding="utf-8")
    result = invoke("--config", config, "--region", "NOR", "check")
    assert result.exit_code == 2
    assert "Région « NOR » inconnue. Régions configurées : IDF." in result.output


def test_a_broken_region_does_not_stop_the_others(tmp_path, book):
    config = tmp_path / "c.toml"
    config.write_text(
        f'[[regions]]\ncode = "IDF"\nworkbook = "{book}"\n'
        f'[[regions]]\ncode = "BRE"\nworkbook = "absent.xlsx"\n', encoding="utf-8")
    result = invoke("--config", config, *NOW, "check")
    assert result.exit_code == 2
    assert "Région IDF" in result.output and "Écriture" in result.output
    assert "Région BRE" in result.output and "Classeur introuvable" in result.output


def test_json_summary(book):
    result = invoke("--workbook", book, *NOW, "--json", "check")
    summary = json.loads(result.output)
    assert summary["exit_code"] == result.exit_code
    region = summary["regions"][0]
    assert region["code"] == "IDF" and region["error"] is None
    assert [s["task"] for s in region["steps"]] == ["check"]
    assert region["written"]["journal_rows"] >= 1


def test_dry_run_writes_nothing(book):
    before = Path(book).read_bytes()
    result = invoke("--workbook", book, *NOW, "--dry-run", "suggest")
    assert "Simulation (--dry-run)" in result.output
    assert "Suggestions" in result.output
    assert Path(book).read_bytes() == before


def test_second_run_changes_nothing(book):
    invoke("--workbook", book, *NOW, "run")
    before = Path(book).read_bytes()
    result = invoke("--workbook", book, *NOW, "run")
    assert "Écriture : 0 cellule(s) écrite(s)" in result.output
    assert "Journal +0" in result.output
    assert Path(book).read_bytes() == before


def test_every_command_and_option_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"backoffice {name}" in readme or f"`{name}`" in readme, name
        command = cli.commands[name]
        subcommands = getattr(command, "commands", {"": command})
        for sub in subcommands.values():
            for param in sub.params:
                for opt in getattr(param, "opts", []):
                    if opt.startswith("--"):
                        assert opt in readme, f"{name}: {opt}"
    for param in cli.params:
        for opt in param.opts:
            if opt.startswith("--"):
                assert re.search(re.escape(opt) + r"\b", readme), opt


def test_every_command_shows_examples_in_its_help():
    for name in COMMANDS:
        command = cli.commands[name]
        for sub in getattr(command, "commands", {"": command}).values():
            path = [name] + ([sub.name] if sub is not command else [])
            shown = CliRunner().invoke(cli, path + ["--help"]).output
            assert re.search(r"Examples:\n +backoffice ", shown), path


@pytest.mark.parametrize("args, message", [
    (["check", "--dry-rn"], "Option inconnue « --dry-rn » pour backoffice check."),
    (["suggest", "--tpo", "3"], "Option inconnue « --tpo » pour backoffice suggest. Vouliez-vous dire --top ?"),
    (["suggest", "--top", "x"], "Valeur invalide pour '--top' : « x » n'est pas un nombre entier."),
    (["kits", "import", "/nulle/part.csv"],
     "Valeur invalide pour 'TRACKING_FILE' : « /nulle/part.csv » n'existe pas."),
    (["inconnue"], "Commande inconnue « inconnue »."),
    (["dossier"], "Paramètre manquant : 'MATRICULE'."),
])
def test_click_errors_are_in_french_with_exit_2(args, message):
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Error:" not in result.output and "Usage:" not in result.output


@pytest.mark.parametrize("args", [
    ["check", "--dry-run", "--workbook", "{book}", "--now", "2026-11-29 09:30"],
    ["check", "--workbook={book}", "--dry-run", "--now=2026-11-29 09:30"],
    ["--workbook", "{book}", "check", "--dry-run", "--now", "2026-11-29 09:30"],
])
def test_global_options_are_accepted_after_the_command(book, args):
    result = invoke(*[a.replace("{book}", book) for a in args])
    assert result.exit_code in (0, 1), result.output
    assert "Simulation (--dry-run)" in result.output
    assert "Anomalies" not in __import__("openpyxl").load_workbook(book).sheetnames  # nothing written


def test_global_options_after_a_subcommand_of_a_group(book):
    result = invoke("kits", "order", "--workbook", book, "--dry-run", *NOW)
    assert result.exit_code in (0, 1), result.output
    assert "Simulation (--dry-run)" in result.output or "rien" in result.output


def test_a_command_keeps_its_own_option_of_the_same_name(tmp_path):
    from backoffice.cli import hoist_global_options

    assert hoist_global_options(cli, ["init", "agence", "--region", "BRE", "--dry-run"]) == [
        "--dry-run", "init", "agence", "--region", "BRE"]  # init's own --region stays with it
    assert hoist_global_options(cli, ["check", "--help", "--json"]) == ["--json", "check", "--help"]
    assert hoist_global_options(cli, ["nonsense", "--dry-run"]) == ["nonsense", "--dry-run"]  # click says so
    assert hoist_global_options(cli, ["report", "--", "--dry-run"]) == ["report", "--", "--dry-run"]
