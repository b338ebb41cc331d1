"""Tests that need LibreOffice or Chromium skip on a fresh machine, naming the package, and fail in CI."""
import pytest

from tests import programs


@pytest.mark.parametrize("program, package", [("soffice", "libreoffice-writer-nogui"), ("chromium", "chromium")])
def test_a_missing_program_skips_and_names_its_package_but_fails_in_ci(monkeypatch, program, package):
    monkeypatch.setattr(programs, "LIBREOFFICE", None)
    monkeypatch.setattr(programs, "CHROMIUM", None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=f"apt-get install .*{package}"):
        programs.require(program)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI installs it"):
        programs.require(program)


def test_a_present_program_is_its_path(monkeypatch):
    monkeypatch.setattr(programs, "CHROMIUM", "/usr/bin/chromium")
    assert programs.require("chromium") == "/usr/bin/chromium"
