"""The one root error class of the project.

Everything a user can fix (a missing column, an unreadable file, a bad option, a workbook
held open by an office suite) raises a subclass of :class:`BackofficeError`. The CLI turns
it into a French message and exit code 2 in one place; nothing else prints or exits.
"""


class BackofficeError(Exception):
    """A problem the user can fix; ``str(err)`` is the French message shown to them."""


class WorkbookError(BackofficeError):
    """The workbook cannot be read or written (missing tab or column, file locked, API error)."""


class ConfigError(BackofficeError):
    """The configuration is wrong (unknown key, bad value, unknown region)."""


class InputError(BackofficeError):
    """A partner file (IVR log, tracking file) cannot be used at all."""
