"""The region of ``--workbook FILE``: configured, named by --region, or a clean code from the name."""
from pathlib import Path

import pytest

from backoffice.app import workbook_region
from backoffice.settings import load_settings
from sheets_sync.errors import BackofficeError


def _settings(tmp_path: Path):
    return load_settings(environ={}, overrides={"regions": [
        {"code": "BRE", "name": "Bretagne", "workbook": str(tmp_path / "bretagne.xlsx"),
         "officer_email": "cdbo.bre@example.org"}]})


def test_a_configured_workbook_keeps_its_region(tmp_path):
    region = workbook_region(_settings(tmp_path), (tmp_path / "bretagne.xlsx").resolve())
    assert (region.code, region.officer_email) == ("BRE", "cdbo.bre@example.org")


def test_region_option_names_the_code_and_brings_its_settings(tmp_path):
    copy = (tmp_path / "Bretagne copie (2).xlsx").resolve()
    region = workbook_region(_settings(tmp_path), copy, ("bre",))
    assert (region.code, region.officer_email, region.workbook) == ("BRE", "cdbo.bre@example.org", str(copy))
    assert workbook_region(_settings(tmp_path), copy, ("nor",)).code == "NOR"


@pytest.mark.parametrize(("name", "code"), [
    ("Bretagne copie (2).xlsx", "BRETAGNECOPIE2"),
    ("île-de-France.xlsx", "ILEDEFRANCE"),
    ("((( ))).xlsx", "REGION"),
    ("a" * 40 + ".xlsx", "A" * 16),
])
def test_otherwise_the_code_is_the_file_names_letters_and_digits(tmp_path, name, code):
    assert workbook_region(_settings(tmp_path), (tmp_path / name).resolve()).code == code


def test_two_regions_with_one_workbook_is_refused(tmp_path):
    with pytest.raises(BackofficeError, match="une seule --region"):
        workbook_region(_settings(tmp_path), (tmp_path / "x.xlsx").resolve(), ("BRE", "NOR"))
