"""Write the demo workspace: config, three regional workbooks and the IVR log of the demo day.

The regions are drawn by :mod:`backoffice.demo.region`, with the anomalies of
:mod:`backoffice.demo.planted`; this module writes them out.
"""
from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Callable, Iterable
from zoneinfo import ZoneInfo

from sheets_sync.errors import BackofficeError
from sheets_sync.parsing import parse_phone

from ..settings import config_dir
from ..workbook_file import write_workbook
from . import data
from .planted import PLANTED, UNKNOWN_CALLER
from .region import SEED, build_region

__all__ = ["PLANTED", "build_demo", "build_region", "config_text", "ivr_file_name", "write_ivr"]


def write_ivr(path: Path, calls: list[tuple[dt.datetime, str, str, str]]) -> None:
    """The IVR export of the demo day: ``;``-separated UTF-8, ``JJ/MM/AAAA HH:MM:SS``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter=";", lineterminator="\n")
        out.writerow(["date_appel", "numero_appelant", "code_saisi", "resultat"])
        for when, number, code, result in calls:
            out.writerow([when.strftime("%d/%m/%Y %H:%M:%S"), number, code, result])


def config_text() -> str:
    """The demo workspace's config file."""
    regions = "\n".join(
        f'[[regions]]\ncode = "{code}"\nname = "{name}"\nworkbook = "workbooks/{code}.xlsx"\n'
        f'officer_email = "cdbo.{code.lower()}@example.org"\nivr_log = "ivr/{code}"\n'
        for code, name in data.REGIONS.items()
    )
    return f"""{DEMO_MARK}: an invented agency, invented people and brands.
# The mandate template is templates/mandat_fournisseur.docx beside this file (a copy of the
# packaged one): edit it in Word, the next run uses it.

[agency]
demo = true                            # invented: mandates of this workspace go to no real store
name = "Animatis Terrain"
legal_form = "SAS"
siret = "000 000 000 00000"
address = "12 rue de l'Exemple"
postal_code = "75010"
city = "Paris"
phone = "01 00 00 00 00"
email = "backoffice@example.org"

[mandates]
out_dir = "output"

[smtp]
host = "localhost"
sender = "backoffice@example.org"

{regions}"""


def ivr_file_name(day: dt.date) -> str:
    """The IVR export's file name for ``day``."""
    return f"appels_{day:%Y%m%d}.csv"


DEMO_MARK = "# Demo workspace written by `backoffice demo`"
TEMPLATE_NAME = "mandat_fournisseur.docx"


def _check_demo_folder(root: Path) -> None:
    """Refuse to build over a folder that is not empty and not an earlier demo (real data)."""
    if not root.exists():
        return
    if not root.is_dir():
        raise BackofficeError(f"{root} n'est pas un dossier.")
    config = root / "backoffice.toml"
    if config.exists():
        if config.read_text(encoding="utf-8", errors="replace").startswith(DEMO_MARK):
            return
    elif not any(root.iterdir()):
        return
    raise BackofficeError(
        f"Le dossier {root} n'est ni vide ni un espace de démonstration : la démo n'y écrit rien "
        "pour ne rien écraser. Donnez un autre dossier (backoffice demo DOSSIER)."
    )


def build_demo(directory: str | Path, day: dt.date, seed: int = SEED,
               progress: Callable[..., Iterable] | None = None) -> dict[str, Path]:
    """Write the demo workspace in ``directory``; return the paths written by name.

    Names: ``config``; per region, its code (the workbook) and ``ivr_<code>``: each region's
    IVR export is its own file (``ivr/<code>/appels_AAAAMMJJ.csv``), as each Direction
    Régionale has its own call-in number; one shared log would show every other region's calls
    as unmatched in each region.
    """
    root = Path(directory)
    _check_demo_folder(root)
    root.mkdir(parents=True, exist_ok=True)
    for generated in ("output", "ivr", "workbooks", "templates"):  # a rebuilt demo starts afresh
        if (root / generated).is_dir():
            shutil.rmtree(root / generated)
    paths: dict[str, Path] = {"config": root / "backoffice.toml"}
    paths["config"].write_text(config_text(), encoding="utf-8")
    paths["template"] = root / "templates" / TEMPLATE_NAME
    paths["template"].parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(config_dir() / "templates" / TEMPLATE_NAME, paths["template"])
    used_phones = {parse_phone(n) for n in UNKNOWN_CALLER.values()}
    codes = list(data.REGIONS)
    for code in (progress or (lambda items, *a, **k: items))(codes, "Données de démonstration", len(codes)):
        tabs, calls = build_region(code, day, seed, used_phones)
        paths[code] = root / "workbooks" / f"{code}.xlsx"
        write_workbook(paths[code], tabs)
        paths[f"ivr_{code}"] = root / "ivr" / code / ivr_file_name(day)
        write_ivr(paths[f"ivr_{code}"], calls)
        # Exported at 10:25 of the demo day, as the IVR console drops it before the 10:30 run.
        exported = dt.datetime.combine(day, dt.time(10, 25), tzinfo=ZoneInfo("Europe/Paris")).timestamp()
        os.utime(paths[f"ivr_{code}"], (exported, exported))
    return paths
