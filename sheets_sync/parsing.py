"""Cell parsers: one per contract type, applied once where data comes in.

Each parser takes the raw cell (what the backend read: ``None``, ``str``, ``int``,
``float``, ``bool``, ``datetime.date``, ``datetime.time`` or ``datetime.datetime``) and
returns the typed value, or raises :class:`CellError` with a French explanation of what
was expected. Empty cells give the type's empty value (``""``, ``NaT``, ``NaN``, ``()``,
``None``).
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata

import pandas as pd
import phonenumbers

from . import schema


class CellError(ValueError):
    """A cell that cannot be read; the message says what was expected (French)."""


def norm(text: str) -> str:
    """Case-, accent- and space-insensitive form used to compare headers and words."""
    return _norm(text if text.__class__ is str else str(text))


@functools.lru_cache(maxsize=8192)  # the same few headers and status words, over and over
def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text).strip().casefold()


def is_empty(raw) -> bool:
    """No value: ``None``, a blank text, or NaN."""
    if raw is None:
        return True
    kind = raw.__class__
    if kind is str:
        return not raw.strip()
    if kind is float:
        return math.isnan(raw)
    if isinstance(raw, float):
        return math.isnan(raw)
    return isinstance(raw, str) and raw.strip() == ""


def cell_text(raw) -> str:
    """A stable text form of a raw cell, used to compare a cell before writing it."""
    if raw.__class__ is str:  # the common case first: a text (blank when only spaces)
        return raw.strip()
    if raw is None or is_empty(raw):
        return ""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        if raw.time() == dt.time(0):
            return raw.date().isoformat()
        return raw.isoformat(sep=" ", timespec="minutes")
    if isinstance(raw, (dt.date, dt.time)):
        return raw.isoformat()
    return str(raw).strip()


# --- text ---------------------------------------------------------------------------

def parse_text(raw) -> str:
    """A text cell, stripped; numbers, dates and times as people write them."""
    if raw.__class__ is str:  # the common case first
        return raw.strip()
    if is_empty(raw):
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.strftime("%d/%m/%Y %H:%M") if raw.time() != dt.time(0) else raw.strftime("%d/%m/%Y")
    if isinstance(raw, dt.date):
        return raw.strftime("%d/%m/%Y")
    if isinstance(raw, dt.time):
        return raw.strftime("%H:%M")
    return str(raw).strip()


# --- dates and times ----------------------------------------------------------------

_DATE_FR = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_TIME = re.compile(r"^(\d{1,2})\s*(?:[:hH]\s*(\d{2})?)(?::(\d{2}))?$")


YEARS = (1900, 2200)  # the dates a sheet of missions, contracts and expenses can hold


def parse_date(raw) -> pd.Timestamp:
    """A real date cell, ``JJ/MM/AAAA``, ``JJ/MM/AA`` or ``AAAA-MM-JJ``, of a year from 1900 to 2200."""
    if is_empty(raw):
        return pd.NaT
    if isinstance(raw, dt.datetime):
        return _in_range(raw.date(), raw)
    if isinstance(raw, dt.date):
        return _in_range(raw, raw)
    text = str(raw).strip()
    m = _DATE_FR.match(text)
    found = None
    try:
        if m:
            day, month, year = int(m.group(1)), int(m.group(2)), m.group(3)
            found = dt.date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        elif m := _DATE_ISO.match(text):
            found = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        pass
    if found is None:
        raise CellError(f"date « {text} » illisible (attendu JJ/MM/AAAA)")
    return _in_range(found, text)


def _in_range(day: dt.date, raw) -> pd.Timestamp:
    if not YEARS[0] <= day.year <= YEARS[1]:  # 01/01/1000 is a typo, and beyond what pandas holds
        shown = raw.strftime("%d/%m/%Y") if isinstance(raw, dt.date) else raw
        raise CellError(f"date « {shown} » hors limites (attendu une année de {YEARS[0]} à {YEARS[1]})")
    return pd.Timestamp(day)


def parse_time(raw) -> pd.Timedelta:
    """A real time cell, ``HH:MM``, ``HHhMM`` or ``HHh``; returned as time since midnight."""
    if is_empty(raw):
        return pd.NaT
    if isinstance(raw, dt.datetime):
        raw = raw.time()
    if isinstance(raw, dt.time):
        return pd.Timedelta(hours=raw.hour, minutes=raw.minute, seconds=raw.second)
    if isinstance(raw, float) and 0 <= raw < 1:  # a spreadsheet time as a fraction of a day
        return pd.Timedelta(minutes=round(raw * 24 * 60))
    text = str(raw).strip()
    m = _TIME.match(text)
    if m:
        hours, minutes = int(m.group(1)), int(m.group(2) or 0)
        if hours < 24 and minutes < 60:
            return pd.Timedelta(hours=hours, minutes=minutes)
    raise CellError(f"heure « {text} » illisible (attendu HH:MM)")


def format_time(value: pd.Timedelta) -> str:
    """Timedelta since midnight -> ``HH:MM`` (what jobs write)."""
    total = int(value.total_seconds()) // 60
    return f"{total // 60:02d}:{total % 60:02d}"


def format_date(value) -> str:
    """A date -> ``JJ/MM/AAAA`` (what jobs write)."""
    if value is pd.NaT or not isinstance(value, dt.date):  # a text, a numpy date…: through pandas
        return pd.Timestamp(value).strftime("%d/%m/%Y")
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


# --- numbers ------------------------------------------------------------------------

_AMOUNT = re.compile(r"^[-+]?\d+(?:[.,]\d+)?$")


def _number(raw, what: str, example: str) -> float:
    if is_empty(raw):
        return math.nan
    if isinstance(raw, bool):
        raise CellError(f"{what} « {raw} » illisible (attendu un nombre comme {example})")
    if isinstance(raw, (int, float)):
        return float(raw)
    text = str(raw).strip().replace("€", "").replace("\u00a0", "").replace("\u202f", "")
    text = text.replace(" ", "").replace("EUR", "").replace("eur", "")
    if text.count(",") == 1 and text.count(".") >= 1 and text.rfind(".") < text.rfind(","):
        text = text.replace(".", "")  # 1.234,50
    if _AMOUNT.match(text):
        return float(text.replace(",", "."))
    raise CellError(f"{what} « {str(raw).strip()} » illisible (attendu un nombre comme {example})")


def parse_amount(raw) -> float:
    """``12,50``, ``12.50`` or ``12,50 €``."""
    return _number(raw, "montant", "12,50")


def parse_number(raw) -> float:
    """A number cell (decimal comma or point)."""
    return _number(raw, "nombre", "12,5")


# --- lists, booleans ------------------------------------------------------------------

def parse_list(raw) -> tuple[str, ...]:
    """Comma- or semicolon-separated items, stripped, empty items dropped."""
    if is_empty(raw):
        return ()
    return tuple(item.strip() for item in re.split(r"[,;]", str(raw)) if item.strip())


_TRUE = {"oui", "o", "x", "true", "vrai", "1", "yes", "y"}
_FALSE = {"non", "n", "false", "faux", "0", "no"}


def parse_bool(raw):
    """``oui/non``, ``o/n``, ``x``/empty, ``true/false``; empty gives ``None``."""
    if is_empty(raw):
        return None
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return bool(raw)
    word = norm(str(raw))
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise CellError(f"valeur « {str(raw).strip()} » illisible (attendu oui ou non)")


# --- postal codes, phones, e-mails --------------------------------------------------------

def parse_postal(raw) -> str:
    """Five digits, the leading zero restored when a spreadsheet made ``01000`` a number."""
    if is_empty(raw):
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip().replace(" ", "")
    if text.isdigit() and 4 <= len(text) <= 5:
        return text.zfill(5)
    raise CellError(f"code postal « {str(raw).strip()} » illisible (attendu 5 chiffres, ex. 01000)")


# Where a French national number (0…) may be: metropolitan France, then the overseas departments
# and collectivities with their own country codes (Réunion and Mayotte +262, Guadeloupe, Saint-
# Barthélemy and Saint-Martin +590, Guyane +594, Martinique +596, Saint-Pierre-et-Miquelon +508)
FRENCH_REGIONS = ("FR", "RE", "YT", "GP", "MQ", "GF", "PM", "BL", "MF")
# The national prefixes of the overseas numbers (ARCEP's plan): their region wins over metropolitan
OVERSEAS_PREFIXES = {"0262": "RE", "0263": "RE", "0269": "YT", "0590": "GP", "0594": "GF", "0596": "MQ",
                     "0639": "YT", "0690": "GP", "0691": "GP", "0692": "RE", "0693": "RE",
                     "0694": "GF", "0696": "MQ", "0697": "MQ"}

# 06 12 34 56 78, 06.12.34.56.78, 0612345678, +33 6 12 34 56 78, +33612345678
_FRENCH_PLAIN = re.compile(r"(?:0|\+33 ?)([1-9](?:[ .-]?\d{2}){4})")


def parse_phone(raw) -> str:
    """A French or international phone number, normalised to E.164 (``+33612345678``)."""
    if is_empty(raw):
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    national = re.sub(r"[ .-]", "", text)
    overseas = OVERSEAS_PREFIXES.get(national[:4]) if len(national) == 10 and national.isdigit() else None
    if overseas:
        number = phonenumbers.parse(national, overseas)
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    plain = _FRENCH_PLAIN.fullmatch(text)
    if plain:  # the usual French forms: no need for the library's full parse, only its check
        number = phonenumbers.PhoneNumber(country_code=33, national_number=int(re.sub(r"\D", "", plain.group(1))))
        if phonenumbers.is_valid_number(number):
            return f"+33{number.national_number}"
    candidate = text
    digits = re.sub(r"\D", "", text)
    if text.startswith("00"):
        candidate = "+" + digits[2:]
    elif re.fullmatch(r"[1-9]\d{8}", digits) and not text.startswith("+"):
        candidate = "0" + digits  # 612345678: a French number whose leading 0 was lost
    for region in FRENCH_REGIONS:  # a national 0… number may be metropolitan or overseas
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            break
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if candidate.startswith("+"):
            break  # an international form names its own country
    raise CellError(f"téléphone « {text} » illisible (attendu 06 12 34 56 78 ou +33 6 12 34 56 78)")


def phone_or_empty(raw) -> str:
    """Like :func:`parse_phone` but ``""`` for anything that is not a phone (``masqué``)."""
    try:
        return parse_phone(raw)
    except CellError:
        return ""


def display_phone(e164: str) -> str:
    """``+33612345678`` -> ``06 12 34 56 78`` for people."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164, "FR")
    if phonenumbers.region_code_for_number(number) in FRENCH_REGIONS:  # 06 92 12 34 56 in Réunion too
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_email(raw) -> str:
    """An e-mail address, checked for its shape."""
    if is_empty(raw):
        return ""
    text = str(raw).strip()
    if _EMAIL.match(text):
        return text
    raise CellError(f"e-mail « {text} » illisible (attendu nom@domaine.fr)")


PARSERS = {
    schema.TEXT: parse_text,
    schema.DATE: parse_date,
    schema.TIME: parse_time,
    schema.AMOUNT: parse_amount,
    schema.NUMBER: parse_number,
    schema.LIST: parse_list,
    schema.BOOL: parse_bool,
    schema.POSTAL: parse_postal,
    schema.PHONE: parse_phone,
    schema.EMAIL: parse_email,
}

EMPTY = {
    schema.TEXT: "",
    schema.DATE: pd.NaT,
    schema.TIME: pd.NaT,
    schema.AMOUNT: math.nan,
    schema.NUMBER: math.nan,
    schema.LIST: (),
    schema.BOOL: None,
    schema.POSTAL: "",
    schema.PHONE: "",
    schema.EMAIL: "",
}
