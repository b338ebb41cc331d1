"""Fixtures shared by several test modules."""
from tests.smtp_support import smtp_server  # noqa: F401 (the local SMTP server fixture)
