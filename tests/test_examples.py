"""Every example a person can copy — in the README, in docs/, in each command's --help and in
`init`'s next steps — is run as written, in a workspace made the README's way (`init agence`),
with a second config beside it (`regions.toml`, as docs/commands.md names it). Only what cannot
exist here is replaced: /srv and /tmp by folders of the test, localhost:8080 by the geocoder's
stand-in; the mail, SMS and signature servers are local stand-ins named in the config."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shlex
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from backoffice.cli import cli
from backoffice.commands import COMMANDS
from backoffice.demo.build import ivr_file_name
from tests.factories import write_xlsx
from tests.realistic_region import region
from tests.test_geocode import StandIn as GeocodeStandIn
from tests.twilio_standin import TwilioStandIn
from tests.yousign_standin import YousignStandIn

ROOT = Path(__file__).resolve().parents[1]
FENCE = "`" * 3
TODAY = dt.datetime.now(ZoneInfo("Europe/Paris")).date()
AGENCY = {"name": "Promo Terrain Ouest", "legal_form": "SAS", "siret": "123 456 789 00012",
          "address": "4 rue de la Monnaie", "postal_code": "35000", "city": "Rennes",
          "email": "cdbo@promo-terrain-ouest.fr"}  # invented, but no placeholder
SYNOPSIS = re.compile(r"\[[A-Z-]+(?: \||\])|\[--[a-z]+ [A-Z]")  # « demo [DIR] », « [--config F | … »


def command_of(line: str) -> tuple[str | None, list[str]] | None:
    """``(folder, args)`` of the ``backoffice`` command a line shows: the folder of a ``cd … &&``
    before it (None without), its arguments after a venv's path or ``ExecStart=``, its comment
    and its shell redirections dropped (``> docs/rules.md`` kept, to compare); None for a line
    that shows no command."""
    if line.lstrip().startswith("#") or SYNOPSIS.search(line):
        return None
    folder = None
    if "&&" in line:
        head, line = line.rsplit("&&", 1)
        cd = re.search(r"\bcd\s+(\S+)\s*$", head)
        folder = cd.group(1) if cd else None
    m = re.match(r"^\s*(?:\$\s*)?(?:ExecStart=)?(?:\S*/)?backoffice\s+(.*)$", line)
    if not m:
        return None
    text = m.group(1).split(" #", 1)[0].strip()
    if text.startswith(("settings", "@", ".")) or "=" in text.split(" ", 1)[0]:
        return None  # not a command: « backoffice settings of … », an address
    args = shlex.split(text)
    for i, arg in enumerate(args):
        if arg.startswith((">", "2>")) and args[i:] != [">", "docs/rules.md"]:
            args = args[:i]
            break
    return folder, args


def doc_examples() -> list[tuple[str, list[str]]]:
    """``(where, folder, args)`` of each command in the fenced blocks of the README and docs/."""
    out = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for block in re.findall(FENCE + r"([a-z]*)\n(.*?)" + FENCE, text, re.S):
            lang, body = block
            if lang in ("toml", "ini", "json", "csv", "text") or "pip install" in body:
                continue
            for line in body.splitlines():
                found = command_of(line)
                if found:
                    out.append((path.name, *found))
    return out


def help_examples() -> list[tuple[str, list[str]]]:
    """``(where, folder, args)`` of each line under « Examples: » in every command's --help."""
    out = []
    for name in COMMANDS:
        command = cli.commands[name]
        for sub in getattr(command, "commands", {"": command}).values():
            path = [name] + ([sub.name] if sub is not command else [])
            shown = CliRunner().invoke(cli, path + ["--help"]).output
            block = shown.split("Examples:\n", 1)[1] if "Examples:\n" in shown else ""
            for line in block.splitlines():
                if not line.startswith("    backoffice "):
                    break
                out.append((f"{' '.join(path)} --help", *command_of(line)))
    return out


def needs_libreoffice(args: list[str]) -> bool:
    return "--pdf" in args


@pytest.fixture
def workspace(tmp_path, monkeypatch, smtp_server):
    """A folder as a CDBO keeps it: ``agence/`` made by ``init`` (agency filled, a region's data
    copied in, mail, SMS, signature and geocoder servers named), ``regions.toml`` with IDF beside
    it, the IVR exports and the tracking file the examples name."""
    _inbox, smtp_port = smtp_server
    twilio, yousign, geocoder = TwilioStandIn(), YousignStandIn(), GeocodeStandIn()
    twilio.__enter__()
    yousign.__enter__()
    threading.Thread(target=geocoder.serve_forever, daemon=True).start()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BACKOFFICE_SMS_AUTH_TOKEN", twilio.token)
    monkeypatch.setenv("BACKOFFICE_YOUSIGN_API_KEY", yousign.key)
    monkeypatch.setenv("BACKOFFICE_GEOCODE_URL", geocoder.url)
    monkeypatch.setenv("COLUMNS", "120")
    result = CliRunner().invoke(cli, ["init", "agence", "--region", "BRE", "--name", "Bretagne"])
    assert result.exit_code == 0, result.output
    servers = (f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\n'
               f'sender = "cdbo@promo-terrain-ouest.fr"\n\n'
               f'[sms]\nurl = "{twilio.url}"\naccount_sid = "{twilio.sid}"\nfrom = "{twilio.number}"\n\n'
               f'[yousign]\nurl = "{yousign.url}"\n\n')
    config = tmp_path / "agence" / "backoffice.toml"
    text = config.read_text(encoding="utf-8")
    for key, value in AGENCY.items():
        text = text.replace(f'\n{key} = ""', f"\n{key} = {json.dumps(value, ensure_ascii=False)}", 1)
    config.write_text(text.replace("\n[[regions]]", "\n" + servers + "[[regions]]", 1), encoding="utf-8")
    tabs = region(TODAY)
    extra = list(tabs["Salariés"][1])  # the employee the examples name
    extra[0], extra[3] = "S0042", "06 12 34 56 42"
    tabs["Salariés"].append(extra)
    for path in (tmp_path / "agence" / "workbooks" / "BRE.xlsx", tmp_path / "BRE.xlsx", tmp_path / "IDF.xlsx"):
        write_xlsx(path, tabs)
    agency = "".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in AGENCY.items())
    (tmp_path / "regions.toml").write_text(
        f"[agency]\n{agency}\n{servers}[[regions]]\ncode = \"IDF\"\nname = \"Île-de-France\"\n"
        f"workbook = \"IDF.xlsx\"\nivr_log = \"srv/svi/IDF\"\n", encoding="utf-8")
    (tmp_path / "config").mkdir()  # the layout docs/presence.md's cron shows: /srv/backoffice/config/
    (tmp_path / "config" / "regions.toml").write_text(
        (tmp_path / "regions.toml").read_text(encoding="utf-8").replace('"IDF.xlsx"', '"../IDF.xlsx"')
        .replace('"srv/', '"../srv/'), encoding="utf-8")
    calls = "date_appel;numero_appelant;code_saisi;resultat\n" + "".join(
        f"{day:%d/%m/%Y} 09:2{i};+336123456{i:02d};;OK\n" for day in (TODAY, dt.date(2026, 11, 29)) for i in range(1, 6))
    (tmp_path / "srv").mkdir()
    (tmp_path / "srv" / "backoffice").symlink_to(tmp_path)  # where the crons cd to: this folder
    for folder in ("exports", "srv/svi/exports", "srv/svi/BRE", "srv/svi/IDF", "agence/ivr/BRE"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / ivr_file_name(TODAY)).write_text(calls, encoding="utf-8")
    (tmp_path / "exports" / "svi_2026-11-29.csv").write_text(calls, encoding="utf-8")
    (tmp_path / "svi.csv").write_text(calls, encoding="utf-8")
    (tmp_path / "suivi_2026-11-30.csv").write_text(
        "N° commande;Statut;N° suivi;Date\nKIT-INCONNU;Livré;6A123;30/11/2026\n", encoding="utf-8")
    yield tmp_path, geocoder
    twilio.__exit__(None, None, None)
    yousign.__exit__(None, None, None)
    geocoder.shutdown()
    geocoder.server_close()


def as_run_here(args: list[str], root: Path, geocoder) -> list[str]:
    out = []
    for arg in args:
        arg = arg.replace("http://localhost:8080/search/csv", geocoder.url).replace("<day>", TODAY.isoformat())
        arg = re.sub(r"^/srv/", f"{root}/srv/", arg)
        out.append(re.sub(r"^/tmp/demo", f"{root}/demo-mars", arg))
    return out


def run_all(examples, root: Path, geocoder) -> list[str]:
    """Each example run in turn (in the folder its ``cd`` names); the failures, said."""
    failed = []
    for where, folder, args in examples:
        args = list(args)
        shown = shlex.join(args)
        if args[-2:] == [">", "docs/rules.md"]:  # the table the doc holds: compared, not written
            result = CliRunner().invoke(cli, args[:-2])
            if result.exit_code != 0 or result.output.strip() not in (ROOT / "docs" / "rules.md").read_text("utf-8"):
                failed.append(f"{where}: {shown} → the table differs from docs/rules.md")
            continue
        here = Path(as_run_here([folder], root, geocoder)[0]) if folder else root
        os.chdir(here)
        try:
            result = CliRunner().invoke(cli, as_run_here(args, root, geocoder))
        finally:
            os.chdir(root)
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        if crashed or result.exit_code not in (0, 1) or "Traceback" in result.output:
            failed.append(f"{where}: {shown} → exit {result.exit_code}\n{result.output[:1500]}"
                          + (f"\n{result.exception!r}" if crashed else ""))
    return failed


def init_examples(root: Path) -> list[tuple[str, list[str]]]:
    """The commands of init's next steps (« backoffice … check --dry-run, puis sans --dry-run »)."""
    shown = CliRunner().invoke(cli, ["init", str(root / "autre"), "--region", "NOR", "--name", "Normandie"]).output
    out = []
    for line in shown.splitlines():
        m = re.search(r"(backoffice --config \S+ [a-z ]+(?:--dry-run)?)", line)
        if m:
            out.append(("init", None, shlex.split(m.group(1).replace("autre/", "agence/"))[1:]))
    assert out, shown
    return out


EXAMPLES = doc_examples() + help_examples()


def is_demo(args) -> bool:
    return "demo" in args or any(str(a).startswith("demo/") for a in args)


def test_the_examples_are_found():
    where = {w for w, _folder, _args in EXAMPLES}
    assert {"README.md", "commands.md", "check.md", "presence.md", "report.md", "check --help"} <= where
    assert len(EXAMPLES) >= 50
    assert all(args for _w, _f, args in EXAMPLES)
    assert ("README.md", "/srv/backoffice", ["--config", "agence/backoffice.toml", "run", "--pdf", "--send"]) in EXAMPLES


def test_every_example_runs_as_written(workspace):
    root, geocoder = workspace
    examples = [e for e in EXAMPLES if not needs_libreoffice(e[2]) and not is_demo(e[2]) and e[2][0] != "init"]
    failed = run_all(init_examples(root) + examples, root, geocoder)
    assert not failed, "\n\n".join(failed)


def test_every_example_with_a_pdf_runs_as_written(workspace, libreoffice):
    root, geocoder = workspace
    failed = run_all([e for e in EXAMPLES if needs_libreoffice(e[2])], root, geocoder)
    assert not failed, "\n\n".join(failed)


def test_the_demo_examples_run_as_written(workspace):
    root, geocoder = workspace
    demo = {(w, f, tuple(a)): None for w, f, a in EXAMPLES if is_demo(a)}
    ordered = sorted(demo, key=lambda e: "--config" in e[2])  # the demos first, then the report on one
    assert ordered and "--config" in ordered[-1][2]
    failed = run_all(ordered, root, geocoder)
    assert not failed, "\n\n".join(failed)
