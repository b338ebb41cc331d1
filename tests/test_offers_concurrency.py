"""Two ``offers --send`` at once, each SMS sent once: on an .xlsx (two processes of the real
CLI) and on Google (the Sheets stand-in, two runs side by side); a run killed right after its
write leaves its offers to the next run, which sends them once."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from tests.factories import AGENCY, write_xlsx
from tests.offers_helpers import region_tabs
from tests.twilio_standin import TwilioStandIn

NOW = "2026-11-24 10:00"


def _workspace(root: Path, twilio: TwilioStandIn) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    write_xlsx(root / "IDF.xlsx", region_tabs())
    agency = "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in AGENCY.items())
    config = root / "backoffice.toml"
    config.write_text(
        f"[agency]\n{agency}\n\n[sms]\nurl = \"{twilio.url}\"\naccount_sid = \"{twilio.sid}\"\n"
        f"from = \"{twilio.number}\"\n\n[mandates]\nout_dir = \"out\"\n\n"
        f"[[regions]]\ncode = \"IDF\"\nworkbook = \"IDF.xlsx\"\n", encoding="utf-8")
    return config


def _env(twilio: TwilioStandIn, fault: str = "") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKOFFICE_")}
    env["BACKOFFICE_SMS_AUTH_TOKEN"] = twilio.token
    if fault:
        env["BACKOFFICE_TEST_FAULT"] = fault
    return env


def _command(config: Path) -> list[str]:
    return [sys.executable, "-c", "import sys; from backoffice.cli import cli; cli(sys.argv[1:])",
            "--config", str(config), "--now", NOW, "offers", "--send"]


def _offers(twilio: TwilioStandIn) -> Counter:
    return Counter(m["to"] for m in twilio.sent() if "Répondez OUI" in m["body"])


def test_two_offers_send_at_once_on_xlsx_send_each_sms_once(tmp_path):
    with TwilioStandIn() as twilio:
        for n in range(4):
            twilio.messages.clear()
            config = _workspace(tmp_path / f"t{n}", twilio)
            procs = [subprocess.Popen(_command(config), env=_env(twilio), stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, cwd=config.parent) for _ in range(2)]
            outs = [p.communicate(timeout=120)[0].decode("utf-8", "replace") for p in procs]
            assert all(p.returncode in (0, 1, 2) for p in procs), outs
            rerun = subprocess.run(_command(config), env=_env(twilio), capture_output=True, cwd=config.parent,
                                   timeout=120)
            assert rerun.returncode in (0, 1), rerun.stdout.decode() + rerun.stderr.decode()
            assert sorted(_offers(twilio).values()) == [1, 1], (_offers(twilio), outs)
            book = openpyxl.load_workbook(config.parent / "IDF.xlsx")
            states = Counter(r[5] for r in book["Envois"].iter_rows(min_row=2, values_only=True))
            assert states["fait"] == 2 and set(states) <= {"fait", "doublon"}, states


@pytest.mark.parametrize("fault", ["apres-ecriture", "apres-envoi-sms"])
def test_a_run_killed_after_its_write_leaves_its_offers_to_the_next_run(tmp_path, fault):
    with TwilioStandIn() as twilio:
        config = _workspace(tmp_path / "ws", twilio)
        killed = subprocess.run(_command(config), env=_env(twilio, fault), capture_output=True, cwd=config.parent,
                                timeout=120)
        assert killed.returncode != 0
        first = sum(_offers(twilio).values())
        rerun = subprocess.run(_command(config), env=_env(twilio), capture_output=True, cwd=config.parent,
                               timeout=120)
        assert rerun.returncode in (0, 1), rerun.stdout.decode() + rerun.stderr.decode()
        counts = _offers(twilio)
        assert len(counts) == 2, counts
        # killed before any SMS: each sent once by the rerun; killed after the first SMS: that one
        # is found in Twilio's list (same text) and not sent again
        assert set(counts.values()) == {1}, (first, counts)


def test_two_offers_send_at_once_on_google_send_each_sms_once(tmp_path, monkeypatch):
    from functools import partial

    from backoffice.jobs.offers import OffersOptions, offers_step
    from backoffice.settings import load_settings
    from tests.google_twice import two_runs_at_once

    with TwilioStandIn() as twilio:
        monkeypatch.setenv("BACKOFFICE_SMS_AUTH_TOKEN", twilio.token)
        config = _workspace(tmp_path / "ws", twilio)
        settings = load_settings(config)
        book = openpyxl.load_workbook(config.parent / "IDF.xlsx")
        tabs = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}
        step = partial(offers_step, options=OffersOptions(send=True))
        for n in range(4):
            twilio.messages.clear()
            _outcomes, rows = two_runs_at_once(settings, tabs, [("offers", step)], dt.datetime(2026, 11, 24, 10, 0),
                                               tmp_path / f"out{n}")
            assert sorted(_offers(twilio).values()) == [1, 1], _offers(twilio)
            states = Counter(r[rows[0].index("État")] for r in rows[1:])
            assert states["fait"] == 2 and set(states) <= {"fait", "doublon"}, states
