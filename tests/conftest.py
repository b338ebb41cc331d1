"""Fixtures shared by several test modules."""
from tests.programs import chromium, libreoffice  # noqa: F401 (outside programs: skip, or fail in CI)
from tests.smtp_support import smtp_server  # noqa: F401 (the local SMTP server fixture)
