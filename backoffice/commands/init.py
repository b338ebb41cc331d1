"""``backoffice init [DIR]``: start a real region: config, empty workbook, template, IVR folder."""
from __future__ import annotations

from pathlib import Path

import click

from ..app import AppContext, pass_app


@click.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--region", "code", default="DR1", show_default=True, metavar="CODE",
              help="Code of the region (used in file names and mandate references).")
@click.option("--name", default="", metavar="NOM", help="Name of the region, e.g. « Bretagne ».")
@pass_app
def command(app: AppContext, directory, code, name):
    """Write a new workspace in DIRECTORY (default: here); never overwrites a file.

    \b
    Examples:
      backoffice init agence --region BRE --name Bretagne
      backoffice --config agence/backoffice.toml check --dry-run
    """
    from ..workspace import init_workspace

    paths = init_workspace(directory, code, name or code)
    config = Path(paths["config"])
    click.echo(f"Espace de travail créé dans {Path(directory).resolve()} :")
    for label, key in (("configuration", "config"), ("classeur", "workbook"),
                       ("modèle de mandat", "template"), ("modèle de contrat", "contract_template"),
                       ("journaux SVI", "ivr")):
        click.echo(f"  {label:<17} {paths[key]}")
    click.echo("Ensuite :")
    click.echo(f"  1. complétez la section [agency] de {config} (identité imprimée sur les mandats et les "
               "contrats), puis décommentez et complétez la section [contracts] (URSSAF, caisses de retraite et "
               "de prévoyance imprimées sur les contrats) ;")
    click.echo(f"  2. copiez vos données dans {paths['workbook']} (format : docs/workbook.md) ;")
    click.echo(f"  3. backoffice --config {config} check --dry-run, puis sans --dry-run.")
