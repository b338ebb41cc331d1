"""The manager's page on the demo, opened in a real browser (Debian's headless Chromium)."""
import json
import re
import subprocess
from collections import Counter

import openpyxl
import pytest
from click.testing import CliRunner

from backoffice.cli import cli
from backoffice.demo import PLANTED

CODES = ("IDF", "BRE", "ARA")
# The flags of a closed network: no background connection, no first-run work, a fresh profile.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("report") / "demo"
    made = CliRunner().invoke(cli, ["--now", "2026-03-10 07:00", "demo", str(root)])
    assert made.exit_code == 1, made.output  # the planted anomalies
    result = CliRunner().invoke(cli, ["--config", str(root / "backoffice.toml"), "--now", "2026-03-10 10:30",
                                      "--json", "report"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    out = json.loads(result.output)
    return root, out


def figures(out, code):
    region = next(r for r in out["team"]["regions"] if r["code"] == code)
    return {f["label"]: f["value"] for f in region["figures"]}, region


def test_one_page_for_the_three_regions(demo_report):
    root, out = demo_report
    assert out["team"]["files"] == [str(root / "rapports" / "rapport-2026-03-10.html")]
    assert [r["code"] for r in out["team"]["regions"]] == list(CODES)


@pytest.mark.parametrize("code", CODES)
def test_the_figures_match_the_planted_facts(demo_report, code):
    _root, out = demo_report
    got, region = figures(out, code)
    planted = [p for p in PLANTED if p.region == code]
    rules = Counter(p.rule for p in planted)
    assert got["Manquantes, à appeler"] == rules["presence.manquante"] == 1  # today 09:00, no call
    assert got["En retard"] == (1 if code in ("IDF", "BRE") else 0)  # called at 08:58 for 08:30
    assert got["Comptes rendus manquants"] == rules["rapport.cr_manquant"]
    assert got["À pourvoir avec candidat"] + got["À pourvoir sans candidat"] == rules["planning.sans_salarie"]
    by_rule = Counter()
    for rule, _severity, n in region["anomalies"]:
        by_rule[rule] += n
    assert by_rule == rules  # every planted anomaly, and only them
    assert got["Erreurs"] + got["Alertes"] == len(planted)


@pytest.mark.parametrize("code", CODES)
def test_each_workbook_has_its_synthese_and_a_second_report_writes_nothing(demo_report, code):
    root, _out = demo_report
    path = root / "workbooks" / f"{code}.xlsx"
    rows = list(openpyxl.load_workbook(path)["Synthèse"].iter_rows(values_only=True))
    assert rows[1] == ("Synthèse", "Mise à jour", "10/03/2026 10:30", None)
    before = path.read_bytes()
    again = CliRunner().invoke(cli, ["--config", str(root / "backoffice.toml"), "--region", code,
                                     "--now", "2026-03-10 10:30", "report"])
    assert "Écriture : 0 cellule(s) écrite(s), Journal +0" in again.output
    assert path.read_bytes() == before
    assert f"Fichier : {root / 'rapports' / f'rapport-2026-03-10-{code}.html'}" in again.output  # not the team's


def test_chromium_opens_the_page_offline_with_no_console_error_and_every_region(demo_report, tmp_path, chromium):
    root, out = demo_report
    page = out["team"]["files"][0]
    shot = tmp_path / "page.png"
    run = subprocess.run([chromium, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
                          "--window-size=1200,2400", f"file://{page}"],
                         capture_output=True, text=True, timeout=120)
    assert shot.exists() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", run.stderr[-2000:]
    assert shot.stat().st_size > 20_000  # a page with tables and charts, not a blank one
    dom = subprocess.run([chromium, *FLAGS, f"--user-data-dir={tmp_path / 'profile2'}", "--dump-dom",
                          f"file://{page}"], capture_output=True, text=True, timeout=120)
    console = [line for line in run.stderr.splitlines() + dom.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    headings = re.findall(r"<h2[^>]*>([^<]*)</h2>", dom.stdout)
    assert headings == ["Équipe", "Région IDF — Île-de-France", "Région BRE — Bretagne",
                        "Région ARA — Auvergne-Rhône-Alpes"]
    assert dom.stdout.count("<svg") == 6  # 3 team charts, 1 per region
