"""Pick and open a region's backend from the settings (the backend factory)."""
from __future__ import annotations

import os

from sheets_sync.errors import ConfigError
from sheets_sync.workbook import Workbook

from ..settings import Region, Settings

SHEETS_API_ENV = "BACKOFFICE_SHEETS_API"


def open_workbook(settings: Settings, region: Region, limiter=None) -> Workbook:
    """The region's workbook: a Google spreadsheet id, else an ``.xlsx`` path."""
    if region.spreadsheet:
        from sheets_sync.google_backend import GoogleSheetsBackend

        backend = GoogleSheetsBackend.from_settings(
            region.spreadsheet,
            credentials=settings.sheets.credentials and str(settings.path(settings.sheets.credentials)),
            endpoint=os.environ.get(SHEETS_API_ENV) or None,
            timeout_s=settings.sheets.timeout_s,
            max_retries=settings.sheets.max_retries,
            backoff_s=settings.sheets.backoff_s,
            max_backoff_s=settings.sheets.max_backoff_s,
            late_apply_s=settings.sheets.late_apply_s,
            limiter=limiter,
        )
    elif region.workbook:
        from sheets_sync.xlsx_backend import XlsxBackend

        backend = XlsxBackend(settings.path(region.workbook),
                              max_unpacked=int(settings.limits.xlsx_unpacked_mb * 1_000_000))
    else:
        raise ConfigError(
            f"Région « {region.code} » : ni « workbook » (fichier .xlsx) ni « spreadsheet » "
            "(identifiant Google Sheets) dans la configuration."
        )
    return Workbook(backend, settings.tab_names(region), settings.header_overrides(region))
