"""Workbook size rule: a Google spreadsheet nearing its 10 million cells."""
from __future__ import annotations

from sheets_sync.findings import ALERTE

from .registry import RuleContext, rule

GOOGLE_CELL_LIMIT = 10_000_000


@rule("classeur.taille_google", "Journal", ALERTE)
def google_size(ctx: RuleContext):
    """Le classeur Google Sheets dépasse 60 % des 10 millions de cellules que Google permet
    (réglage archive.google_cells_warning) : au-delà, toute écriture échoue. Lancez
    backoffice archive pour sortir le vieux Journal et les missions terminées."""
    cells = ctx.data.grid_cells
    share = ctx.settings.archive.google_cells_warning
    if cells is None or cells <= share * GOOGLE_CELL_LIMIT:
        return []
    count = f"{cells:,}".replace(",", " ")
    message = (f"le classeur compte {count} cellules, {round(100 * cells / GOOGLE_CELL_LIMIT)} % des 10 millions "
               "que Google permet ; au-delà, plus rien ne s'écrit. Lancez « backoffice archive » (Journal de plus "
               "de 90 jours, missions terminées) ou supprimez des onglets inutiles.")
    return [ctx.tab_finding(message)]
