"""``backoffice init``: a new workspace for a real agency, never over an existing file.

The workspace holds the config (the region and an ``[agency]`` section to fill in), an empty
regional workbook with every tab of the contract, the mandate template and the region's IVR
folder. Nothing is written when any of these files already exists.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from sheets_sync.errors import BackofficeError

from .settings import check_region_code, config_dir
from .workbook_file import write_workbook

TEMPLATE_NAME = "mandat_fournisseur.docx"
CONTRACT_TEMPLATE_NAME = "contrat_cidd.docx"
CONFIG_NAME = "backoffice.toml"


def config_text(code: str, name: str) -> str:
    """The new workspace's config: the region, and the agency's identity left to fill in."""
    return f'''# backoffice settings of this workspace (written by `backoffice init`).
# Every other setting keeps its default (docs/configuration.md); add a section to change one.

[agency]
# Your agency's identity, printed on every mandate. Until name, siret, address, postal_code,
# city and email are filled in, `mandates` and `run` generate and send no mandate.
name = ""            # raison sociale, e.g. "Promo Terrain Ouest"
legal_form = ""      # SAS, SARL…
siret = ""           # 14 digits
address = ""
postal_code = ""
city = ""            # « Fait à … » on the mandate
phone = ""
email = ""           # where stores reply; the sender when [smtp] sender is empty

# [smtp]             # to e-mail the mandates (--send); the password comes from the
# host = "smtp.votre-agence.fr"   # variable BACKOFFICE_SMTP_PASSWORD, never from this file
# port = 587
# user = ""
# sender = ""

# [contracts]        # the CIDD of each staffed mission (backoffice contracts); until pension
# urssaf = "URSSAF Bretagne"         # and provident are set, the contract says « à compléter »
# pension = "Caisse …, adresse"      # caisse de retraite complémentaire
# provident = "Organisme …, adresse" # organisme de prévoyance
# hourly_rate = 12.02                # EUR, when Salariés has no « Taux horaire »

[[regions]]
code = "{code}"
name = "{name}"
workbook = "workbooks/{code}.xlsx"   # or: spreadsheet = "<Google spreadsheet id>"
officer_email = ""
ivr_log = "ivr/{code}"               # folder where the IVR exports of the day are dropped
# A header of yours that differs from the format's: map it once, the tab's name in quotes
# (accents): the format's header = yours.
# [regions.headers."Salariés"]
# "Code postal" = "CP"
'''


def init_workspace(directory: str | Path, code: str, name: str) -> dict[str, Path]:
    """Write a new workspace in ``directory``; return the paths written by name.

    Refuses (and writes nothing) when a file it would write is already there.
    """
    check_region_code(code, "--region")
    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise BackofficeError(f"{root} n'est pas un dossier.")
    paths = {
        "config": root / CONFIG_NAME,
        "workbook": root / "workbooks" / f"{code}.xlsx",
        "template": root / "templates" / TEMPLATE_NAME,
        "contract_template": root / "templates" / CONTRACT_TEMPLATE_NAME,
        "ivr": root / "ivr" / code,
    }
    there = [str(p) for key, p in paths.items() if key != "ivr" and p.exists()]
    if there:
        raise BackofficeError(
            f"Rien n'est écrit : {', '.join(there)} existe déjà et ne sera pas écrasé. "
            "Donnez un autre dossier (backoffice init DOSSIER) ou un autre code de région."
        )
    paths["config"].parent.mkdir(parents=True, exist_ok=True)
    paths["config"].write_text(config_text(code, name), encoding="utf-8")
    write_workbook(paths["workbook"], {}, owned_tabs=True)
    paths["template"].parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(config_dir() / "templates" / TEMPLATE_NAME, paths["template"])
    shutil.copyfile(config_dir() / "templates" / CONTRACT_TEMPLATE_NAME, paths["contract_template"])
    paths["ivr"].mkdir(parents=True, exist_ok=True)
    return paths
