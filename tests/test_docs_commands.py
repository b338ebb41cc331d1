"""The commands shown in docs/offers.md and docs/contracts.md, run as written (the config path
replaced) on a region with open and staffed missions, against the Twilio and Yousign stand-ins."""
from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from backoffice.cli import cli
from tests.factories import AGENCY, write_xlsx
from tests.offers_helpers import region_tabs
from tests.twilio_standin import TwilioStandIn
from tests.yousign_standin import YousignStandIn

ROOT = Path(__file__).resolve().parents[1]
FENCE = "`" * 3


def shown(doc: str) -> list[list[str]]:
    """Each ``backoffice …`` line of the doc's fenced blocks, as arguments (comments dropped)."""
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    blocks = re.findall(FENCE + r"[a-z]*\n(.*?)" + FENCE, text, re.S)
    return [shlex.split(line.split("#", 1)[0])[1:] for block in blocks for line in block.splitlines()
            if line.startswith("backoffice ")]


@pytest.mark.parametrize("doc", ["offers.md", "contracts.md"])
def test_the_commands_of_the_doc_run_as_written(doc, tmp_path, monkeypatch, libreoffice):
    commands = shown(doc)
    assert commands, doc
    with TwilioStandIn() as twilio, YousignStandIn() as yousign:
        monkeypatch.setenv("BACKOFFICE_SMS_AUTH_TOKEN", twilio.token)
        monkeypatch.setenv("BACKOFFICE_YOUSIGN_API_KEY", yousign.key)
        agence = tmp_path / "agence"
        agence.mkdir()
        tabs = region_tabs()
        for line in tabs["Missions"][1:]:  # a staffed mission too, for the contracts
            if line[0] == "M0003":
                line[tabs["Missions"][0].index("Date")] = "27/11/2026"
        write_xlsx(agence / "IDF.xlsx", tabs)
        fields = "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in AGENCY.items())
        (agence / "backoffice.toml").write_text(
            f"[agency]\n{fields}\n\n[sms]\nurl = \"{twilio.url}\"\naccount_sid = \"{twilio.sid}\"\n"
            f"from = \"{twilio.number}\"\n\n[yousign]\nurl = \"{yousign.url}\"\n\n"
            f"[mandates]\nout_dir = \"{tmp_path / 'out'}\"\n\n[[regions]]\ncode = \"IDF\"\nworkbook = \"IDF.xlsx\"\n",
            encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        for args in commands:
            result = CliRunner().invoke(cli, [*args, "--now", "2026-11-24 10:00"])
            assert result.exit_code in (0, 1), (args, result.output)
        if doc == "offers.md":
            assert len(twilio.sent()) == 2
        else:
            assert len(yousign.requests) == 1 and next(iter(yousign.requests.values()))["status"] == "ongoing"
