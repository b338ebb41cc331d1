"""Reading the CSV files people drop (the IVR export, the partner's tracking, the road table):
``csv``'s errors as one French sentence naming the file and the line."""
from __future__ import annotations

import csv
from typing import Iterable, Iterator

from sheets_sync.errors import InputError

FIELD_LIMIT = csv.field_size_limit()  # 131,072 characters: no cell of these files comes near


def csv_problem(err: csv.Error) -> str:
    """What is wrong, in French, from ``csv``'s English message."""
    text = str(err)
    if "field larger than field limit" in text:
        return f"un champ de plus de {FIELD_LIMIT // 1024} Ko (un guillemet non refermé ?)"
    if "new-line character seen in unquoted field" in text:
        return "un retour à la ligne isolé dans un champ sans guillemets"
    if "NUL" in text or "null byte" in text:
        return "un caractère nul (fichier binaire ?)"
    return f"format CSV invalide ({text})"


def csv_rows(lines: Iterable[str], name: str, delimiter: str, first_line: int = 1) -> Iterator[list[str]]:
    """``csv.reader`` over ``lines``; an unreadable line is an :class:`InputError` naming the file
    ``name`` and the line (counted from ``first_line``)."""
    reader = csv.reader(lines, delimiter=delimiter)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise InputError(f"{name}, ligne {first_line - 1 + reader.line_num} : CSV illisible, "
                             f"{csv_problem(err)}. Corrigez le fichier ou demandez un nouvel export.") from None
        yield row
