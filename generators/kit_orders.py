"""The kit order file for the logistics partner (``shared/workbook.md``, « Kit orders »).

CSV: ``;``-separated, UTF-8 with a BOM so that Excel opens it with the accents right, CRLF
line ends, one header line. Or an ``.xlsx`` with the same columns (every cell text except
« Livrer avant », a real date shown JJ/MM/AAAA).
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Iterable

from rules.kits import KitOrder

from .files import atomic_write, csv_bytes

ORDER_HEADER = ("N° commande", "N° mission", "Kit", "Destinataire", "Adresse", "Code postal",
                "Ville", "Téléphone", "Livrer avant", "Urgence")



def order_row(order: KitOrder) -> list[str]:
    """The order's cells in the partner's column order, as text."""
    return [order.number, order.mission, order.kit, order.recipient, order.address,
            order.postal_code, order.city, order.phone, order.deliver_by.strftime("%d/%m/%Y"),
            "URGENT" if order.urgent else ""]


def orders_csv(orders: Iterable[KitOrder]) -> bytes:
    """The CSV file's exact bytes."""
    return csv_bytes(ORDER_HEADER, (order_row(o) for o in orders))


def orders_xlsx(orders: Iterable[KitOrder]) -> bytes:
    """The same table as an ``.xlsx`` file's bytes (one sheet « Commandes »)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Commandes"
    sheet.append(list(ORDER_HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for order in orders:
        values = order_row(order)
        when = ORDER_HEADER.index("Livrer avant")
        sheet.append(values[:when] + [order.deliver_by] + values[when + 1:])
        row = sheet.max_row
        for col in range(1, len(ORDER_HEADER) + 1):
            if col == when + 1:
                sheet.cell(row, col).number_format = "DD/MM/YYYY"
                continue
            cell = sheet.cell(row, col)
            cell.value, cell.data_type = values[col - 1], "s"  # text, never a formula
            cell.number_format = "@"
    for col, width in zip("ABCDEFGHIJ", (18, 12, 16, 24, 32, 12, 20, 16, 13, 10)):
        sheet.column_dimensions[col].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_orders(orders: list[KitOrder], path: Path, xlsx: bool = False) -> Path:
    """Write the order file at ``path`` (its folder is created), through a temporary file."""
    return atomic_write(path, orders_xlsx(orders) if xlsx else orders_csv(orders))


CANCEL_HEADER = ("N° commande", "N° mission", "Kit", "Destinataire", "Statut du kit", "Annulée le")


def write_cancellations(rows: list[list[str]], path: Path) -> Path:
    """The cancellation file for the partner (CSV, as the orders): one line per kit order to
    cancel, or to take back when it already left (``Statut du kit``)."""
    return atomic_write(path, csv_bytes(CANCEL_HEADER, rows))
