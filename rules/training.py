"""Training book and medical check: who may work for which brand on which date."""
from __future__ import annotations

import numpy as np
import pandas as pd

from sheets_sync.parsing import norm


def trained_mask(formations: pd.DataFrame, matricules, brands, dates) -> pd.Series:
    """For each (matricule, brand, date), True when a training row covers it.

    A row covers it when it is for that employee and brand (brand compared without case or
    accents) and ``Date`` ≤ date ≤ ``Valide jusqu'au`` (empty = no expiry).
    """
    query = pd.DataFrame({
        "Matricule": list(matricules),
        "_brand": _norm_all(brands),
        "_date": pd.to_datetime(pd.Series(list(dates), dtype="datetime64[ns]")).values,
    })
    query["_i"] = range(len(query))
    if formations.empty or query.empty:
        return pd.Series(False, index=range(len(query)))
    book = pd.DataFrame({
        "Matricule": formations["Matricule"].values,
        "_brand": _norm_all(formations["Marque"].values),
        "_from": formations["Date"].values,
        "_to": formations["Valide jusqu'au"].values,
    })
    merged = query.merge(book, on=["Matricule", "_brand"], how="inner")
    ok = (merged["_from"] <= merged["_date"]) & (merged["_to"].isna() | (merged["_date"] <= merged["_to"]))
    covered = merged.loc[ok, "_i"].to_numpy()
    return pd.Series(np.isin(np.arange(len(query)), covered))


def _norm_all(values) -> list[str]:
    """``norm`` of each value, computed once per distinct value (large queries repeat brands)."""
    values = list(values)
    cache = {v: norm(v) for v in set(values)}
    return [cache[v] for v in values]


def medical_expiry(visit: pd.Series, months: int = 24) -> pd.Series:
    """The date a medical check stops being valid (NaT when there is none)."""
    visit = pd.to_datetime(pd.Series(visit))
    return visit + pd.DateOffset(months=months)  # vectorised; NaT stays NaT


def medical_valid(visit: pd.Series, on: pd.Series, months: int = 24) -> pd.Series:
    """True when the last medical check is at most ``months`` old on the date ``on`` (aligned)."""
    expiry = medical_expiry(visit, months)
    on = pd.to_datetime(pd.Series(on, index=expiry.index))
    return expiry.notna() & (on <= expiry)
