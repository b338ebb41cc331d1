"""Outside programs some tests need: LibreOffice (the PDF and read-back tests) and Chromium (the
manager's page). Without them a test skips and names the Debian package to install, so that the
README's test command passes on a fresh machine; in CI (``CI=true``, which `.ci/run` sets), where
`.ci/run` installs them, a missing program fails the test instead: nothing that needs them is
skipped there."""
from __future__ import annotations

import os
import shutil

import pytest

LIBREOFFICE = shutil.which("soffice")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PACKAGES = {"soffice": "libreoffice-writer-nogui libreoffice-calc-nogui", "chromium": "chromium"}


def require(program: str) -> str:
    """The path of ``program`` (``soffice`` or ``chromium``); skips the test without it, or fails
    it in CI."""
    path = LIBREOFFICE if program == "soffice" else CHROMIUM
    if path:
        return path
    why = f"{program} absent : apt-get install {PACKAGES[program]}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{why} (CI installs it: see .ci/run)")
    pytest.skip(why)


@pytest.fixture
def libreoffice() -> str:
    """LibreOffice's ``soffice`` (see :func:`require`)."""
    return require("soffice")


@pytest.fixture
def chromium() -> str:
    """Debian's Chromium (see :func:`require`)."""
    return require("chromium")
