"""Ranking of the eligible pairs: a cost in km-equivalents, lower is better.

cost = weight_distance × km
       − weight_brand_history  (has worked for this brand before)
       − weight_store_history  (has worked in this store before)
       + weight_week_load × missions already assigned in that ISO week
       − weight_presence × share of « Confirmée » among the employee's past missions

Past missions: the employee's non-cancelled missions dated before today. The presence share
counts those with a Présence record (« Confirmée », « Confirmée tél. » … count as confirmed;
« En retard », « Manquante », « Excusée » … do not); an employee without any record gets the
neutral share 0.5, so newcomers are neither favoured nor punished.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from sheets_sync.parsing import norm

from .eligibility import norm_series

NEUTRAL_PRESENCE = 0.5
PART_COLUMNS = ("cost_distance", "cost_brand", "cost_store", "cost_week", "cost_presence")


def history(missions: pd.DataFrame, today: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """Past work per employee: brands and stores (normalised), presence share."""
    past = missions[(missions["Salarié"] != "") & (missions["Statut"] != "Annulée")
                    & missions["Date"].notna() & (missions["Date"] < today)]
    brands = pd.DataFrame({"Matricule": past["Salarié"].to_numpy(),
                           "_brand": norm_series(past["Marque"]).to_numpy()}).drop_duplicates()
    stores = pd.DataFrame({"Matricule": past["Salarié"].to_numpy(),
                           "_store": norm_series(past["Code magasin"]).to_numpy()}).drop_duplicates()
    recorded = past[past["Présence"] != ""]
    confirmed = norm_series(recorded["Présence"]).astype(str).str.startswith(norm("Confirmée"))
    share = confirmed.groupby(recorded["Salarié"]).mean().rename("presence_share")
    return {"brands": brands, "stores": stores, "presence": share}


def score_pairs(pairs: pd.DataFrame, open_df: pd.DataFrame, missions: pd.DataFrame,
                today: pd.Timestamp, settings) -> pd.DataFrame:
    """Add the history facts, the cost parts and ``cost`` to the eligible pairs."""
    s = settings.suggest
    hist = history(missions, today)
    out = pairs.copy()
    out["_brand"] = norm_series(open_df["Marque"]).to_numpy()[out["m"].to_numpy()] if len(out) else ""
    out["_store"] = norm_series(open_df["Code magasin"]).to_numpy()[out["m"].to_numpy()] if len(out) else ""
    out["brand_history"] = _member(out, hist["brands"], ["Matricule", "_brand"])
    out["store_history"] = _member(out, hist["stores"], ["Matricule", "_store"])
    share = hist["presence"].reindex(out["Matricule"]).to_numpy(float)
    out["presence_known"] = ~np.isnan(share)
    out["presence_share"] = np.where(np.isnan(share), NEUTRAL_PRESENCE, share)
    out["cost_distance"] = s.weight_distance * out["km"]
    out["cost_brand"] = -s.weight_brand_history * out["brand_history"]
    out["cost_store"] = -s.weight_store_history * out["store_history"]
    out["cost_week"] = s.weight_week_load * out["week_missions"]
    out["cost_presence"] = -s.weight_presence * out["presence_share"]
    out["cost"] = out[list(PART_COLUMNS)].sum(axis=1)
    return out.drop(columns=["_brand", "_store"])


def _member(pairs: pd.DataFrame, known: pd.DataFrame, on: list[str]) -> np.ndarray:
    if pairs.empty or known.empty:
        return np.zeros(len(pairs), dtype=bool)
    keys = pd.MultiIndex.from_frame(known[on])
    return pd.MultiIndex.from_frame(pairs[on]).isin(keys)


def ranked(pairs: pd.DataFrame) -> pd.DataFrame:
    """Pairs by mission, best first (cost, then distance, then Matricule for a stable order)."""
    return pairs.sort_values(["m", "cost", "km", "Matricule"], kind="stable")
