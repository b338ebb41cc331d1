"""French working days: « jours ouvrés » (Monday to Friday, the partners' delivery days) and
« jours ouvrables » (Monday to Saturday: every day but the weekly rest day, the law's unit),
public holidays excluded.

The contract hand-over deadline counts jours ouvrables (Code du travail L1242-13: « au plus
tard dans les deux jours ouvrables suivant l'embauche »): a contract of a Thursday is due on
the Saturday. The kit partner's lead time counts jours ouvrés. Public holidays of metropolitan France come from the ``holidays`` package (a required
dependency: legal deadlines must never move silently). Alsace-Moselle's two extra days are not
counted.
"""
from __future__ import annotations

import datetime as dt
import functools

import holidays
import numpy as np
import pandas as pd


@functools.lru_cache(maxsize=64)
def french_holidays(first_year: int, last_year: int) -> tuple:
    """Public holidays of metropolitan France between two years (inclusive), as numpy dates."""
    days = holidays.France(years=range(first_year, last_year + 1))
    return tuple(np.datetime64(d, "D") for d in sorted(days))


OUVRES = "1111100"  # jours ouvrés: Monday to Friday
OUVRABLES = "1111110"  # jours ouvrables: Monday to Saturday (L1242-13 and the law's day counts)


def _days(dates) -> np.ndarray:
    return pd.to_datetime(pd.Series(dates)).to_numpy().astype("datetime64[D]")


def _holidays_around(days: np.ndarray) -> tuple:
    valid = days[~np.isnat(days)]
    if valid.size == 0:
        return ()
    years = valid.astype("datetime64[Y]").astype(int) + 1970
    return french_holidays(int(years.min()) - 1, int(years.max()) + 1)


def add_working_days(dates, n: int, weekmask: str = OUVRES) -> pd.Series:
    """The ``n``-th working day after each date (``n`` ≥ 1), whatever day the date is.

    In jours ouvrés, Saturday + 2 is Tuesday and Monday + 2 Wednesday; in jours ouvrables
    (``weekmask=OUVRABLES``), Thursday + 2 is Saturday. NaT stays NaT.
    """
    days = _days(dates)
    out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    ok = ~np.isnat(days)
    if ok.any():
        out[ok] = np.busday_offset(days[ok], n, roll="backward", weekmask=weekmask,
                                   holidays=list(_holidays_around(days)))
    return pd.Series(out.astype("datetime64[ns]"), index=pd.Series(dates).index)


def working_days_between(start, end) -> pd.Series:
    """Working days in ``[start, end)`` for aligned series (NaN where a date is missing)."""
    s, e = _days(start), _days(end)
    both = np.concatenate([s, e])
    out = np.full(s.shape, np.nan)
    ok = ~np.isnat(s) & ~np.isnat(e)
    if ok.any():
        out[ok] = np.busday_count(s[ok], e[ok], holidays=list(_holidays_around(both)))
    return pd.Series(out, index=pd.Series(start).index)


def is_public_holiday(dates) -> np.ndarray:
    """Whether each date is a French public holiday (False for a missing date)."""
    days = _days(dates)
    return np.isin(days, np.array(_holidays_around(days), dtype="datetime64[D]")) & ~np.isnat(days)


def is_working_day(date) -> bool:
    """Whether ``date`` is a working day: Monday to Friday, no French public holiday."""
    day = np.datetime64(pd.Timestamp(date).date(), "D")
    return bool(np.is_busday(day, holidays=list(_holidays_around(np.array([day])))))


def subtract_working_days(day, count: int) -> dt.date:
    """``day`` minus ``count`` working days (``count`` = 0 gives ``day`` itself).

    Friday - 1 is Thursday; Monday - 1 is the Friday before; Saturday - 1 is Friday.
    """
    current = pd.Timestamp(day).date()
    for _ in range(count):
        current -= dt.timedelta(days=1)
        while not is_working_day(current):
            current -= dt.timedelta(days=1)
    return current
