"""An unexpected failure in one step of one region is an incident: the other regions and the
other steps go on, the run exits 3 with one French line, and the trace lands in a log file."""
from pathlib import Path

import pytest
from click.testing import CliRunner

import backoffice.jobs.suggest as suggest_job
from backoffice.cli import cli
from tests.factories import make_tabs, write_xlsx

NOW = ["--now", "2026-11-29 09:30"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in list(__import__("os").environ):
        if name.startswith("BACKOFFICE_"):
            monkeypatch.delenv(name)


@pytest.fixture
def two_regions(tmp_path):
    idf = write_xlsx(tmp_path / "IDF.xlsx", make_tabs())
    bre = write_xlsx(tmp_path / "BRE.xlsx", make_tabs())
    config = tmp_path / "c.toml"
    config.write_text(f'[mandates]\nout_dir = "{tmp_path / "out"}"\n'
                      f'[[regions]]\ncode = "IDF"\nworkbook = "{idf}"\n'
                      f'[[regions]]\ncode = "BRE"\nworkbook = "{bre}"\n', encoding="utf-8")
    return config, idf, bre


def _fail_in_first_region(monkeypatch):
    real = suggest_job.score_pairs
    calls = []

    def boom(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise KeyError("colonne fantôme")
        return real(*args, **kwargs)

    monkeypatch.setattr(suggest_job, "score_pairs", boom)


def test_an_exception_in_one_step_is_an_incident_and_the_rest_goes_on(monkeypatch, two_regions, tmp_path):
    config, idf, bre = two_regions
    _fail_in_first_region(monkeypatch)
    before = {p: Path(p).read_bytes() for p in (idf, bre)}
    result = CliRunner().invoke(cli, ["--config", str(config), *NOW, "run"])
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert "Incident inattendu dans l'étape « suggest » (région IDF) : KeyError" in result.output
    assert "le sera au prochain passage" in result.output
    log = tmp_path / "out" / "incidents.log"
    assert "Traceback" in log.read_text("utf-8") and "colonne fantôme" in log.read_text("utf-8")
    # the failing region's other steps wrote (check's Anomalies), and the other region ran whole
    assert Path(idf).read_bytes() != before[idf] and Path(bre).read_bytes() != before[bre]
    assert result.output.count("Écriture :") == 2
    summaries = [line for line in result.output.splitlines() if line.startswith("  suggest ")]
    assert len(summaries) == 1  # only BRE's suggest step has a summary line


def test_an_exception_in_an_act_is_an_incident(monkeypatch, tmp_path):
    from backoffice.jobs import runner
    from backoffice.jobs.base import JobResult
    from sheets_sync.changes import ChangeSet

    def act(report):
        raise OSError(36, "File name too long")

    def step(data, ctx):
        return JobResult("bidon", ChangeSet(), act=act)

    book = write_xlsx(tmp_path / "IDF.xlsx", make_tabs())
    from backoffice.settings import Region, Settings
    settings = Settings()
    outcome = runner.run_region(settings, Region("IDF", workbook=str(book)), [("bidon", step)],
                                __import__("datetime").datetime(2026, 11, 29, 9, 30), out=str(tmp_path / "out"))
    assert [i.step for i in outcome.incidents] == ["bidon"]
    assert "OSError" in outcome.incidents[0].line("IDF")
    assert (tmp_path / "out" / "incidents.log").exists()


def test_an_exception_outside_the_regions_is_an_incident_too(monkeypatch, two_regions, tmp_path):
    config, _idf, _bre = two_regions
    monkeypatch.setattr("backoffice.app.run_regions", lambda *a, **k: 1 / 0)
    result = CliRunner().invoke(cli, ["--config", str(config), *NOW, "check"])
    assert result.exit_code == 3
    assert "Incident inattendu : ZeroDivisionError" in result.output
    assert "Traceback" not in result.output
    assert "ZeroDivisionError" in (tmp_path / "out" / "incidents.log").read_text("utf-8")
