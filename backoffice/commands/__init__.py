"""One module per command; each defines ``command`` (a click command or group)."""
from __future__ import annotations

from . import archive, check, contracts, demo, dossier, geocode, init, kits, mandates, offers, presence, report, run, suggest

COMMANDS = ("check", "presence", "suggest", "offers", "geocode", "mandates", "contracts", "kits", "dossier", "run", "demo", "init",
            "archive", "report")
_MODULES = {"check": check, "presence": presence, "suggest": suggest, "offers": offers, "geocode": geocode, "mandates": mandates, "contracts": contracts,
            "kits": kits, "dossier": dossier, "run": run, "demo": demo, "init": init, "archive": archive,
            "report": report}


def register(group) -> None:
    """Add every command to the ``backoffice`` group."""
    for name in COMMANDS:
        if name not in group.commands:
            group.add_command(_MODULES[name].command, name)
