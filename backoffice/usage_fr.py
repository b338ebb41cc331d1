"""click's usage errors, said in French, with a hint when a global option follows the command.

click builds its messages in English (through gettext, with no French catalogue): rather than
ship a catalogue that would change every click program of the process, the CLI catches the
error object and words it from its fields.
"""
from __future__ import annotations

import re

import click

# click's parameter-type messages -> French (the value and bounds are kept).
_TYPE_MESSAGES = (
    (re.compile(r"^(?:File|Directory|Path) '(.*)' does not exist\.$"), "« {0} » n'existe pas"),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is a directory\.$"), "« {0} » est un dossier, pas un fichier"),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is a file\.$"), "« {0} » est un fichier, pas un dossier"),
    (re.compile(r"^(?:File|Directory|Path) '(.*)' is not readable\.$"), "« {0} » n'est pas lisible"),
    (re.compile(r"^'(.*)' is not a valid integer(?: range)?\.$"), "« {0} » n'est pas un nombre entier"),
    (re.compile(r"^'(.*)' is not a valid float(?: range)?\.$"), "« {0} » n'est pas un nombre"),
    (re.compile(r"^(.*) is not in the range (.*)\.$"), "{0} n'est pas dans l'intervalle {1}"),
    (re.compile(r"^'(.*)' is not one of (.*)\.$"), "« {0} » n'est pas l'une des valeurs {1}"),
    (re.compile(r"^'(.*)' is not a valid boolean\.$"), "« {0} » n'est pas oui/non"),
)


def _french_value_message(message: str) -> str:
    for pattern, french in _TYPE_MESSAGES:
        m = pattern.match(message)
        if m:
            return french.format(*m.groups())
    return message  # ours are French already (e.g. --now)


def global_options(group: click.Group) -> dict[str, click.Option]:
    """The group's own options by every name (``--dry-run``, ``-v``…)."""
    return {name: p for p in group.params if isinstance(p, click.Option) for name in p.opts + p.secondary_opts}


def french_usage(err: click.UsageError, group: click.Group) -> str:
    """The error's message in French, then where to find help."""
    ctx = err.ctx
    command = ctx.command_path if ctx is not None else "backoffice"
    if isinstance(err, click.NoSuchOption):
        text = f"Option inconnue « {err.option_name} » pour {command}."
        if err.possibilities:
            text += f" Vouliez-vous dire {', '.join(sorted(err.possibilities))} ?"
    elif isinstance(err, click.BadOptionUsage):
        text = f"Option « {err.option_name} » : une valeur est attendue après elle."
    elif isinstance(err, click.MissingParameter):
        hint = err.param.get_error_hint(ctx) if err.param is not None and ctx is not None else ""
        text = f"Paramètre manquant : {hint or err.param_hint or err.param_type or ''}.".replace(" .", ".")
    elif isinstance(err, click.BadParameter):
        hint = err.param.get_error_hint(ctx) if err.param is not None and ctx is not None else (err.param_hint or "")
        where = f" pour {hint}" if hint else ""
        text = f"Valeur invalide{where} : {_french_value_message(err.message)}."
        text = text.replace("..", ".")
    elif isinstance(err, click.exceptions.NoArgsIsHelpError):
        return ctx.get_help() if ctx is not None else ""
    else:
        text = _french_generic(err.message, group)
    return f"{text}\nAide : {command} --help"


def _french_generic(message: str, group: click.Group) -> str:
    m = re.match(r"^No such command '(.*)'\.$", message)
    if m:
        return f"Commande inconnue « {m.group(1)} ». Commandes : {', '.join(sorted(group.commands))}."
    m = re.match(r"^Got unexpected extra arguments? \((.*)\)$", message)
    if m:
        return f"Argument(s) en trop : {m.group(1)}."
    if message == "Missing command.":
        return f"Commande manquante. Commandes : {', '.join(sorted(group.commands))}."
    return message
