"""The ``backoffice`` command line: the group, its global options, French usage errors.

The application frame (options, running, rendering, exit codes) is :mod:`backoffice.app`;
each command is a module of :mod:`backoffice.commands`.
"""
from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from sheets_sync.errors import BackofficeError

from .app import AppContext, parse_now
from .commands import register
from .render import wrapped
from .usage_fr import french_usage, global_options


class BackofficeGroup(click.Group):
    """Turns a BackofficeError, and click's own usage errors, into a French message and exit
    code 2, in one place."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Run the group with French usage errors (exit 2) and the root error turned into its exit code."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            value = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as err:
            click.echo(french_usage(err, self), err=True)
            sys.exit(2)
        except click.ClickException as err:
            err.show()
            sys.exit(err.exit_code)
        except click.Abort:
            click.echo("Interrompu.", err=True)
            sys.exit(1)
        sys.exit(value if isinstance(value, int) else 0)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Accept the global options after the command too (``backoffice check --dry-run``)."""
        return super().parse_args(ctx, hoist_global_options(self, list(args)))

    def invoke(self, ctx: click.Context):
        """Invoke the command; a :class:`BackofficeError` becomes its French message and exit code."""
        try:
            return super().invoke(ctx)
        except BackofficeError as err:
            app = ctx.find_object(AppContext)
            if app is not None and app.verbose:
                click.echo(traceback.format_exc(), err=True)
            click.echo(wrapped(f"Erreur : {err}"), err=True)
            ctx.exit(2)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - an incident outside any region's run
            app = ctx.find_object(AppContext)
            where = log_incident(app, traceback.format_exc())
            click.echo(wrapped(f"Incident inattendu : {type(exc).__name__}. Rien d'autre n'a pu être fait ; "
                               f"détail dans {where}."), err=True)
            ctx.exit(3)


def log_incident(app: AppContext | None, trace: str) -> str:
    """Append a trace to ``incidents.log`` in the output folder of the settings (or the
    system's temporary folder when there are none); return where it went."""
    import tempfile

    from .jobs.runner import append_incident

    folder = Path(tempfile.gettempdir())
    try:
        if app is not None:
            settings = app.settings()
            folder = Path(settings.path(settings.mandates.out_dir))
    except Exception:  # noqa: BLE001 - the settings may be what failed
        pass
    return append_incident(folder, trace + "\n")


@click.group("backoffice", cls=BackofficeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config", type=click.Path(dir_okay=False), help="Settings file (TOML) with the regions.")
@click.option("--workbook", type=click.Path(dir_okay=False), help="Work on one .xlsx workbook (no config needed).")
@click.option("--spreadsheet", metavar="ID", help="Work on one Google spreadsheet (no config needed).")
@click.option("--region", "regions", multiple=True, metavar="CODE", help="Only this region (repeatable; default all).")
@click.option("--now", "now", metavar='"AAAA-MM-JJ HH:MM"', help="Clock of the run, Paris time (default: now).")
@click.option("--dry-run", is_flag=True, help="Show the changes as a table; write nothing.")
@click.option("--verbose", "-v", is_flag=True, help="Show tracebacks and details.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary on stdout.")
@click.version_option(package_name="backoffice")
@click.pass_context
def cli(ctx, config, workbook, spreadsheet, regions, now, dry_run, verbose, as_json):
    """Back-office jobs over the regional workbooks (Google Sheets or .xlsx).

    Exit codes: 0 fine, 1 findings that need a person, 2 bad usage or unreadable input,
    3 an incident (the rest of the run went on; the trace is in incidents.log).
    """
    if workbook and spreadsheet:
        raise click.UsageError("--workbook et --spreadsheet s'excluent.")
    app = AppContext(config=config, workbook=workbook, spreadsheet=spreadsheet, regions=tuple(regions),
                     dry_run=dry_run, verbose=verbose, as_json=as_json)
    parsed = parse_now(now)
    if parsed is not None:
        app.now = parsed
    ctx.obj = app


def hoist_global_options(group: click.Group, args: list[str]) -> list[str]:
    """``args`` with the group's own options that follow the command moved before it, with their
    values; an option the command itself has (``init --region``), what follows ``--``, and
    ``--help`` stay where they are."""
    own = global_options(group)
    own.pop("--help", None)
    own.pop("-h", None)

    def width(token: str) -> int:  # the option and its value, as one or two tokens
        return 1 if "=" in token or own[token.split("=", 1)[0]].is_flag else 2

    front, path, taken, i = [], [], set(), 0
    command = group
    while i < len(args):  # the global options already in front, then the command's path
        token = args[i]
        if command is group and token.split("=", 1)[0] in own:
            front += args[i:i + width(token)]
            i += width(token)
        elif isinstance(command, click.Group) and token in command.commands:
            command = command.commands[token]
            path.append(token)
            taken |= {name for opt in command.params if isinstance(opt, click.Option)
                      for name in opt.opts + opt.secondary_opts}
            i += 1
        else:
            break
    if command is group:
        return args  # no command, or one click will call unknown
    tail = []
    while i < len(args):
        token = args[i]
        name = token.split("=", 1)[0]
        if token == "--":
            tail += args[i:]
            break
        if name in own and name not in taken:
            front += args[i:i + width(token)]
            i += width(token)
        else:
            tail.append(token)
            i += 1
    return front + path + tail


def main() -> None:
    """The ``backoffice`` console script."""
    cli(prog_name="backoffice")


register(cli)
