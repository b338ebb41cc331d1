"""kill -9 anywhere in a `run --send`, then a rerun: nothing lost, nothing done twice.

A real process on a real .xlsx workspace, e-mailing a local SMTP server, is killed at 30 random
moments and at each boundary between the write and the acts (``BACKOFFICE_TEST_FAULT``), then
run again. After the rerun: every kit order in the sheet is in exactly one line of the partner's
files; every mandate was e-mailed at least once, and at most once more than once (the kill can
hit between an e-mail and the write that records it); no Journal row twice; no cell a person
typed lost. Two runs at once on one workbook: each mandate e-mailed once, each kit ordered once.
"""
from __future__ import annotations

import csv
import io
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from sheets_sync.schema import SPECS
from tests.factories import AGENCY, make_tabs, write_xlsx

NOW = "2026-11-20 09:00"
MISSIONS = 12
PEOPLE_TABS = ("Salariés", "Missions", "Magasins", "Marques")
TOOL_MOVES = {"Missions": {"Contrat"}}  # a people's column the tool moves on from its own states (contracts)


def _workspace(root: Path, smtp_port: int) -> Path:
    """A region of 12 staffed missions (kits and mandates due) and its config; the config path."""
    employees = [{"Matricule": f"S{i:04d}", "Téléphone": f"06 12 34 56 {i:02d}"} for i in range(1, 5)]
    stores = [{"Code magasin": f"C{i:03d}", "Nom": f"Magasin {i}", "Email": f"direction.c{i:03d}@example.org"}
              for i in range(1, 4)]
    missions = [{"N° mission": f"M{i:04d}", "Salarié": f"S{i % 4 + 1:04d}", "Statut": "Confirmée",
                 "Code magasin": f"C{i % 3 + 1:03d}", "Kit": "KIT-LINDT",
                 "Date": f"{23 + i % 6}/11/2026", "Commentaire": f"note {i}"} for i in range(1, MISSIONS + 1)]
    root.mkdir(parents=True, exist_ok=True)
    write_xlsx(root / "IDF.xlsx", make_tabs(employees=employees, stores=stores, missions=missions))
    import json

    agency = "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in AGENCY.items())
    config = root / "backoffice.toml"
    config.write_text(
        f"[agency]\n{agency}\n\n[smtp]\nhost = \"127.0.0.1\"\nport = {smtp_port}\nsecurity = \"none\"\n"
        f"sender = \"mandats@animatis.example\"\n\n[mandates]\nout_dir = \"out\"\n\n"
        f"[[regions]]\ncode = \"IDF\"\nworkbook = \"IDF.xlsx\"\n", encoding="utf-8")
    return config


def _command(config: Path) -> list[str]:
    return [sys.executable, "-c", "import sys; from backoffice.cli import cli; cli(sys.argv[1:])",
            "--config", str(config), "--now", NOW, "run", "--send"]


def _env(fault: str = "") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKOFFICE_")}
    if fault:
        env["BACKOFFICE_TEST_FAULT"] = fault
    return env


def _run(config: Path, fault: str = "", kill_after: float | None = None) -> int:
    proc = subprocess.Popen(_command(config), env=_env(fault), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            cwd=config.parent)
    if kill_after is not None:
        time.sleep(kill_after)
        proc.kill()
    out, _ = proc.communicate(timeout=120)
    if kill_after is None and not fault:
        assert proc.returncode in (0, 1), out.decode("utf-8", "replace")
    return proc.returncode


def _people(path: Path) -> dict:
    """Every cell of the people's columns (not the tool's), by tab, row key and column."""
    book = openpyxl.load_workbook(path, read_only=True)
    out = {}
    for tab in PEOPLE_TABS:
        rows = [list(r) for r in book[tab].iter_rows(values_only=True)]
        head = rows[0]
        jobs = {c.name for c in SPECS[tab].columns if c.job} | TOOL_MOVES.get(tab, set())
        for line in rows[1:]:
            for name, value in zip(head, line):
                if name not in jobs and value not in (None, ""):
                    out[(tab, line[0], name)] = value
    return out


def _check(root: Path, inbox, kills_in_send: int) -> None:
    book = openpyxl.load_workbook(root / "IDF.xlsx", read_only=True)
    rows = [list(r) for r in book["Missions"].iter_rows(values_only=True)]
    head = rows[0]
    missions = {line[0]: dict(zip(head, line)) for line in rows[1:]}
    # every kit order of the sheet in exactly one partner file line
    lines = Counter()
    for path in (root / "out" / "IDF" / "kits").glob("commande_kits_*"):
        for line in list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))[1:]:
            lines[line[0]] += 1
    numbers = [m["N° commande kit"] for m in missions.values() if m["N° commande kit"]]
    assert len(numbers) == MISSIONS
    assert {n: lines[n] for n in numbers} == {n: 1 for n in numbers}, lines
    # every mandate e-mailed at least once, at most once more per kill that hit the sends
    sent = Counter(re.search(r"<mf\.(\w+)\.mandat@", m["Message-ID"]).group(1) for m in inbox.messages()
                   if ".mandat@" in m["Message-ID"])
    assert all(m["Mandat"] == "Envoyé" for m in missions.values()), [m["Mandat"] for m in missions.values()]
    assert len(sent) == MISSIONS and all(1 <= n <= 1 + kills_in_send for n in sent.values()), sent
    # every contract e-mailed (no Yousign key here) at least once, at most once more per kill
    contracts = Counter(m["Message-ID"] for m in inbox.messages() if m["Message-ID"].startswith("<cidd."))
    assert all(m["Contrat"] == "Envoyé" for m in missions.values()), [m["Contrat"] for m in missions.values()]
    assert len(contracts) == MISSIONS and all(1 <= n <= 1 + kills_in_send for n in contracts.values()), contracts
    # no Journal row twice
    journal = [tuple(r) for r in book["Journal"].iter_rows(values_only=True)][1:]
    assert len(journal) == len(set(journal)), [r for r, n in Counter(journal).items() if n > 1][:3]


@pytest.fixture
def base(tmp_path_factory, smtp_server):
    """The workspace before any run, and a clean copy of it per trial."""
    inbox, port = smtp_server
    origin = _workspace(tmp_path_factory.mktemp("origin"), port).parent
    people = _people(origin / "IDF.xlsx")

    def trial(name: str) -> Path:
        inbox.envelopes.clear()
        root = tmp_path_factory.mktemp(name)
        shutil.copytree(origin, root, dirs_exist_ok=True)
        return root / "backoffice.toml"

    return trial, inbox, people


FAULTS = ["apres-ecriture", "apres-envoi:1", "apres-envoi:5", "apres-acte-mandates", "apres-acte-kits",
          "avant-suivi"]


@pytest.mark.parametrize("fault", FAULTS)
def test_a_kill_at_each_boundary_between_write_and_act_then_a_rerun(base, fault):
    trial, inbox, people = base
    config = trial(fault.replace(":", "-"))
    assert _run(config, fault=fault) == -9  # killed where asked
    _run(config)
    _check(config.parent, inbox, kills_in_send=1)
    _run(config)  # and a run after that changes nothing
    _check(config.parent, inbox, kills_in_send=1)
    assert _people(config.parent / "IDF.xlsx") == people


def test_kills_at_30_random_moments_then_a_rerun(base):
    trial, inbox, people = base
    timing = trial("timing")
    start = time.perf_counter()
    _run(timing)
    whole = time.perf_counter() - start
    rng = random.Random(2112)
    for n in range(int(os.environ.get("BACKOFFICE_CRASH_TRIALS", "30"))):
        config = trial(f"random-{n}")
        _run(config, kill_after=rng.uniform(0.2, whole))
        _run(config)
        _check(config.parent, inbox, kills_in_send=1)
        assert _people(config.parent / "IDF.xlsx") == people


def test_two_runs_at_once_send_each_mandate_and_order_each_kit_once(base):
    trial, inbox, people = base
    for n in range(10):
        config = trial(f"twice-{n}")
        procs = [subprocess.Popen(_command(config), env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  cwd=config.parent) for _ in range(2)]
        codes = [p.communicate(timeout=120)[0] and p.returncode for p in procs]
        assert all(c in (0, 1, 2) for c in codes), codes  # 2: « modifié pendant le traitement ; relancez »
        _run(config)  # the loser's rerun finds everything done
        _check(config.parent, inbox, kills_in_send=0)
        assert _people(config.parent / "IDF.xlsx") == people


def test_two_runs_at_once_on_google_send_each_mandate_and_order_each_kit_once(smtp_server, tmp_path):
    """Two runs of the day at once on one Google spreadsheet (the Sheets stand-in, gspread's real
    HTTP code), 10 trials: the outbox row of each effect that lands first wins, the other run sets
    its own aside; each mandate is e-mailed once, each kit ordered in one file line."""
    import datetime as dt

    from backoffice.commands.run import day_steps
    from backoffice.settings import load_settings
    from tests.google_twice import two_runs_at_once

    inbox, port = smtp_server
    config = _workspace(tmp_path / "ws", port)
    settings = load_settings(config, environ={})
    book = openpyxl.load_workbook(config.parent / "IDF.xlsx")
    tabs = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}
    now = dt.datetime(2026, 11, 20, 9, 0)
    for n in range(10):
        inbox.envelopes.clear()
        out = tmp_path / f"out{n}"
        _outcomes, rows = two_runs_at_once(settings, tabs, day_steps(False, send=True), now, out)
        sent = Counter(re.search(r"<mf\.(\w+)\.mandat@", m["Message-ID"]).group(1) for m in inbox.messages()
                       if ".mandat@" in m["Message-ID"])
        assert len(sent) == MISSIONS and set(sent.values()) == {1}, sent
        lines = Counter()
        for path in out.glob("*/IDF/kits/commande_kits_*"):
            for line in list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))[1:]:
                lines[line[0]] += 1
        assert len(lines) == MISSIONS and set(lines.values()) == {1}, lines
        states = Counter(r[rows[0].index("État")] for r in rows[1:])
        # a mandate e-mail, a kit order line and a contract e-mail per mission, each done once
        assert states["fait"] == 3 * MISSIONS and set(states) <= {"fait", "doublon"}, states
        contracts = Counter(m["Message-ID"] for m in inbox.messages() if m["Message-ID"].startswith("<cidd."))
        assert len(contracts) == MISSIONS and set(contracts.values()) == {1}, contracts
