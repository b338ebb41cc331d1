"""One module per command; each defines ``command`` (a click command or group)."""
from __future__ import annotations

import importlib

COMMANDS = ("check", "presence", "suggest", "geocode", "mandates", "kits", "dossier", "run", "demo", "init", "archive")


def register(group) -> None:
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"backoffice.commands.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"backoffice.commands.{name}":
                raise
            continue
        if name not in group.commands:
            group.add_command(module.command, name)
