"""Hard rules of the suggestions: who may take which open mission.

Every (employee, open mission) pair gets the code of the FIRST hard rule it breaks, in the
fixed order of :data:`HARD_RULES` (0 = eligible). The cheap rules (status, coordinates,
skills, training, medical check, distance, time off) are computed as dense employee ×
mission numpy masks; the working-time rules (overlap, 11 h rest, 10 h a day, 48 h and
6 days a week, against the missions already assigned) only on the pairs that passed them.
The plan (rules/planning.py) adds the same working-time rules among its own assignments.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sheets_sync.parsing import norm

from .geo import haversine_km
from .training import medical_expiry, trained_mask
from .worktime import WorkTime, at_night, intervals, iso_mondays, timed_missions, week_load

OPEN_STATUSES = ("", norm("À pourvoir"))


@dataclass(frozen=True)
class HardRule:
    """A hard eligibility rule of the suggestions: its code, id and French labels."""
    code: int
    id: str
    one: str  # label after a count of 1 (« 1 non formé »)
    many: str  # label after a larger count (« 3 non formés »)


def hard_rules(settings=None) -> tuple[HardRule, ...]:
    """The hard rules in their fixed order (the figures come from ``settings.worktime``)."""
    w = settings.worktime if settings is not None else WorkTime()
    day, week, days, rest = (_fig(w.max_day_hours), _fig(w.max_week_hours), _fig(w.max_week_days),
                             _fig(w.min_rest_hours))
    span = _fig(w.max_span_hours)
    return (
        HardRule(1, "inactif", "inactif", "inactifs"),
        HardRule(2, "coordonnees", "sans coordonnées", "sans coordonnées"),
        HardRule(3, "competences", "sans la compétence", "sans la compétence"),
        HardRule(4, "formation", "non formé", "non formés"),
        HardRule(5, "visite_medicale", "sans visite médicale valide", "sans visite médicale valide"),
        HardRule(6, "distance", "trop loin", "trop loin"),
        HardRule(7, "indisponible", "indisponible", "indisponibles"),
        HardRule(8, "conflit", "déjà en mission", "déjà en mission"),
        HardRule(9, "repos", f"sans {rest} h de repos", f"sans {rest} h de repos"),
        HardRule(10, "heures_jour", f"au-delà de {day} h ce jour", f"au-delà de {day} h ce jour"),
        HardRule(11, "heures_semaine", f"au-delà de {week} h la semaine", f"au-delà de {week} h la semaine"),
        HardRule(12, "jours_semaine", f"au-delà de {days} jours la semaine",
                 f"au-delà de {days} jours la semaine"),
        HardRule(13, "amplitude", f"au-delà de {span} h d'amplitude", f"au-delà de {span} h d'amplitude"),
        HardRule(14, "mineur", "mineur (horaires interdits aux mineurs)", "mineurs (horaires interdits aux mineurs)"),
        HardRule(15, "moyenne", f"au-delà de {_fig(w.avg_week_hours)} h en moyenne sur {w.avg_weeks} semaines",
                 f"au-delà de {_fig(w.avg_week_hours)} h en moyenne sur {w.avg_weeks} semaines"),
        HardRule(16, "repos_hebdomadaire", f"sans {_fig(w.weekly_rest_hours)} h de repos dans la semaine",
                 f"sans {_fig(w.weekly_rest_hours)} h de repos dans la semaine"),
    )


(INACTIVE, COORDS, SKILLS, TRAINING, MEDICAL, DISTANCE, TIME_OFF,
 OVERLAP, REST, DAY_HOURS, WEEK_HOURS, WEEK_DAYS, SPAN, MINOR, AVERAGE, WEEKLY_REST) = range(1, 17)


def _fig(value) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}".replace(".", ",")


def norm_series(values: pd.Series) -> pd.Series:
    """``norm`` of each cell, computed once per distinct value."""
    values = pd.Series(values)
    return values.map({v: norm(v) for v in pd.unique(values)})


def open_missions(missions: pd.DataFrame, today: pd.Timestamp, days: int) -> pd.DataFrame:
    """Missions to staff: no Salarié, Statut empty or « À pourvoir », Date in [today, today + days],
    with readable times (a Fin at or before Début ends the next day). Sorted by date, start and key."""
    status = norm_series(missions["Statut"])
    m = missions[(missions["Salarié"] == "") & status.isin(OPEN_STATUSES)]
    last = today + pd.Timedelta(days=int(days))
    m = m[(m["Date"] >= today) & (m["Date"] <= last)]
    m = m[m["Début"].notna() & m["Fin"].notna()]
    return m.sort_values(["Date", "Début"], kind="stable")


@dataclass
class Eligibility:
    """The outcome of the hard rules over employees × open missions."""

    employees: pd.DataFrame  # the Salariés frame (all rows), in the order of ``codes`` rows
    missions: pd.DataFrame  # the open missions, in the order of ``codes`` columns
    codes: np.ndarray  # int8 (employees, missions): first failing rule, 0 = eligible
    pairs: pd.DataFrame  # eligible pairs: e, m, km and working-time facts (see evaluate)
    store_known: np.ndarray  # bool per open mission: the store has coordinates
    active: np.ndarray  # bool per employee

    def counts(self, m: int, active_only: bool = True) -> dict[int, int]:
        """How many employees each rule excluded for mission column ``m`` (first failing rule)."""
        col = self.codes[:, m]
        if active_only:
            col = col[self.active]
        values, n = np.unique(col[col > 0], return_counts=True)
        return {int(v): int(k) for v, k in zip(values, n)}


def no_candidate_message(counts: dict[int, int], rules: tuple[HardRule, ...]) -> str:
    """« Aucun candidat : 3 non formés, 2 trop loin, 1 indisponible » (fixed rule order, no zeros)."""
    parts = [f"{counts[r.code]} {r.one if counts[r.code] == 1 else r.many}"
             for r in rules if counts.get(r.code)]
    return "Aucun candidat : " + ", ".join(parts) if parts else "Aucun candidat : aucun salarié actif"


def evaluate(data, settings, today: pd.Timestamp, open_df: pd.DataFrame,
             road: dict[tuple[str, str], float] | None = None) -> Eligibility:
    """Apply the hard rules to every employee × open mission pair. ``road``: km by road from
    an employee (Matricule) to a store (Code magasin), used where given instead of the straight
    line × ``suggest.road_factor``."""
    s = settings.suggest
    emp = data["Salariés"].df
    stores = data["Magasins"].df
    n_e, n_m = len(emp), len(open_df)

    active = (norm_series(emp["Statut"]) == "actif").to_numpy(bool)
    e_lat = emp["Latitude"].to_numpy(float)
    e_lon = emp["Longitude"].to_numpy(float)
    e_known = ~(np.isnan(e_lat) | np.isnan(e_lon))
    radius = emp["Rayon km"].fillna(s.default_radius_km).to_numpy(float)

    store_codes = open_df["Code magasin"].to_numpy(str)
    st = stores.reindex(pd.Index(np.unique(store_codes)))
    s_index = {c: i for i, c in enumerate(st.index)}
    store_of = np.array([s_index[c] for c in store_codes], dtype=np.int64)
    s_lat = st["Latitude"].to_numpy(float) if n_m else np.zeros(0)
    s_lon = st["Longitude"].to_numpy(float) if n_m else np.zeros(0)
    s_known = ~(np.isnan(s_lat) | np.isnan(s_lon))
    m_dates = open_df["Date"].to_numpy("datetime64[ns]")

    fails: dict[int, np.ndarray] = {}
    fails[INACTIVE] = np.broadcast_to(~active[:, None], (n_e, n_m))
    fails[COORDS] = ~e_known[:, None] | ~s_known[store_of][None, :]
    # a column the sheet does not have turns its rule off (said by ``unchecked_columns``): the
    # sheet does not track it, which is not the same as an empty cell in a column it has
    present = data["Salariés"].columns
    if "Compétences" in present:
        fails[SKILLS] = _skill_fails(emp, open_df)
    fails[TRAINING] = _training_fails(data["Formations"].df, emp, open_df)
    if "Visite médicale" in present:
        expiry = medical_expiry(emp["Visite médicale"], s.medical_months).to_numpy("datetime64[ns]")
        fails[MEDICAL] = ~(expiry[:, None] >= m_dates[None, :])  # NaT compares False: no check = fail
    # (employees, stores): the straight line times the road factor, the km compared with the radius
    dist = _distances(e_lat, e_lon, s_lat, s_lon) * np.float32(s.road_factor)
    if road:
        e_pos = {str(k): i for i, k in enumerate(emp.index)}
        for (who, code), km in road.items():
            if who in e_pos and code in s_index:
                dist[e_pos[who], s_index[code]] = km
    fails[DISTANCE] = (dist > radius[:, None])[:, store_of]
    fails[TIME_OFF] = _time_off_fails(data["Indisponibilités"].df, emp, m_dates)

    codes = np.zeros((n_e, n_m), dtype=np.int8)
    for code in sorted(fails, reverse=True):
        codes = np.where(fails[code], np.int8(code), codes)
    del fails

    e_idx, m_idx = np.nonzero(codes == 0)
    pairs = _pair_frame(emp, open_df, e_idx, m_idx, settings.worktime)
    pairs["km"] = dist[e_idx, store_of[m_idx]].astype(float)
    pairs = _working_time(pairs, data["Missions"].df, settings.worktime, emp, stores, s.road_factor)
    time_codes = pairs["_code"].to_numpy(np.int8)
    codes[pairs["e"].to_numpy(), pairs["m"].to_numpy()] = time_codes
    pairs = pairs[time_codes == 0].drop(columns="_code").reset_index(drop=True)
    return Eligibility(emp, open_df, codes, pairs, s_known[store_of], active)


def _skill_fails(emp: pd.DataFrame, open_df: pd.DataFrame) -> np.ndarray:
    cache: dict[str, str] = {}

    def words(items) -> frozenset:
        return frozenset(cache[x] if x in cache else cache.setdefault(x, norm(x)) for x in items)

    emp_sets = [words(v) for v in emp["Compétences"]]
    req_sets = [words(v) for v in open_df["Compétences requises"]]
    unique = {r: i for i, r in enumerate(dict.fromkeys(req_sets))}
    ok = np.zeros((len(emp_sets), len(unique)), dtype=bool)
    for req, j in unique.items():
        ok[:, j] = [req <= have for have in emp_sets]
    return ~ok[:, [unique[r] for r in req_sets]] if req_sets else np.zeros((len(emp_sets), 0), bool)


def _training_fails(formations: pd.DataFrame, emp: pd.DataFrame, open_df: pd.DataFrame) -> np.ndarray:
    """Not trained for the mission's brand on its date; asks ``trained_mask`` only about the
    (employee, brand) couples the training book knows, for each (brand, date) of the missions."""
    n_e, n_m = len(emp), len(open_df)
    combos = pd.DataFrame({"_brand": norm_series(open_df["Marque"]).to_numpy(),
                           "_date": open_df["Date"].to_numpy("datetime64[ns]")})
    combo_id = combos.groupby(["_brand", "_date"], sort=False).ngroup().to_numpy()
    uniq = combos.drop_duplicates().reset_index(drop=True)
    trained = np.zeros((n_e, len(uniq)), dtype=bool)
    if not formations.empty and n_m:
        pos = pd.Series(np.arange(n_e), index=emp.index.astype(str))
        book = pd.DataFrame({"Matricule": formations["Matricule"].astype(str).to_numpy(),
                             "_brand": norm_series(formations["Marque"]).to_numpy()})
        book = book[book["Matricule"].isin(pos.index)].drop_duplicates()
        query = uniq.reset_index().rename(columns={"index": "_c"}).merge(book, on="_brand")
        if not query.empty:
            ok = trained_mask(formations, query["Matricule"].to_numpy(), query["_brand"].to_numpy(),
                              query["_date"].to_numpy("datetime64[ns]")).to_numpy()
            q = query[ok]
            trained[pos[q["Matricule"]].to_numpy(), q["_c"].to_numpy()] = True
    return ~trained[:, combo_id]


def _distances(e_lat, e_lon, s_lat, s_lon, block: int = 256) -> np.ndarray:
    """Great-circle km, employees × stores (float32, NaN where a coordinate is unknown)."""
    out = np.empty((len(e_lat), len(s_lat)), dtype=np.float32)
    for j in range(0, len(s_lat), block):
        sl = slice(j, j + block)
        out[:, sl] = haversine_km(e_lat[:, None], e_lon[:, None], s_lat[None, sl], s_lon[None, sl])
    return out


def _time_off_fails(time_off: pd.DataFrame, emp: pd.DataFrame, m_dates: np.ndarray) -> np.ndarray:
    fails = np.zeros((len(emp), len(m_dates)), dtype=bool)
    if time_off.empty or not len(m_dates):
        return fails
    pos = pd.Series(np.arange(len(emp)), index=emp.index.astype(str))
    t = time_off[time_off["Matricule"].astype(str).isin(pos.index)]
    t = t[t["Du"].notna() & t["Au"].notna()]
    lo = t["Du"].to_numpy("datetime64[ns]")[:, None]
    hi = t["Au"].to_numpy("datetime64[ns]")[:, None]
    rows, cols = np.nonzero((lo <= m_dates[None, :]) & (m_dates[None, :] <= hi))
    fails[pos[t["Matricule"].astype(str).to_numpy()[rows]].to_numpy(), cols] = True
    return fails


def _pair_frame(emp: pd.DataFrame, open_df: pd.DataFrame, e_idx, m_idx, w: WorkTime = WorkTime()) -> pd.DataFrame:
    """The eligible pairs with their mission's instants and hours (``rules.worktime``'s model)."""
    worked = timed_missions(open_df, w)
    iso = open_df["Date"].dt.isocalendar()
    return pd.DataFrame({
        "e": e_idx.astype(np.int64), "m": m_idx.astype(np.int64),
        "Matricule": emp.index.astype(str).to_numpy()[e_idx],
        "mission": open_df.index.astype(str).to_numpy()[m_idx],
        "date": open_df["Date"].to_numpy("datetime64[ns]")[m_idx],
        "start": worked["start"].iloc[m_idx].reset_index(drop=True),
        "end": worked["end"].iloc[m_idx].reset_index(drop=True),
        "hours": worked["hours"].to_numpy(float)[m_idx],
        "year": iso["year"].to_numpy(np.int64)[m_idx], "week": iso["week"].to_numpy(np.int64)[m_idx],
        "derogation": (open_df["Dérogation"].eq(True).to_numpy(bool)[m_idx] if "Dérogation" in open_df
                       else np.zeros(len(m_idx), bool)),
    })


def _minor_calendar(pairs: pd.DataFrame) -> np.ndarray:
    """Pairs of a minor on a Sunday (L3164-5) or a public holiday (L3164-6), unless the mission
    says « Dérogation »."""
    if pairs.empty:
        return np.zeros(0, bool)
    from .calendar import is_public_holiday

    dates = pd.Series(pairs["date"])
    closed = (dates.dt.weekday == 6).to_numpy(bool) | is_public_holiday(dates)
    derogation = pairs["derogation"].to_numpy(bool) if "derogation" in pairs else np.zeros(len(pairs), bool)
    return pairs["minor"].to_numpy(bool) & closed & ~derogation


def _working_time(pairs: pd.DataFrame, missions: pd.DataFrame, w, employees: pd.DataFrame | None = None,
                  stores: pd.DataFrame | None = None, road_factor: float = 1.0) -> pd.DataFrame:
    """Working-time rules of each pair against the missions already assigned.

    Adds ``day_hours_before``, ``day_worked_before``, ``week_hours_before``, ``week_days_before``,
    ``week_missions`` (assigned missions in that ISO week), ``day_first``/``day_last`` (the
    assigned work of that day, NaT if none), ``minor`` (under 18 on the date, from the optional
    ``Date de naissance``) and ``_code`` (first failing rule).
    """
    born = (employees["Date de naissance"] if employees is not None and "Date de naissance" in employees
            else pd.Series(dtype="datetime64[ns]"))
    iv = intervals(missions, w, stores, road_factor)
    iv = iv[iv["Matricule"].isin(pd.unique(pairs["Matricule"]))] if len(pairs) else iv.iloc[:0]
    pairs = pairs.copy()
    pairs["_p"] = np.arange(len(pairs))
    code = np.zeros(len(pairs), dtype=np.int8)

    # overlap and rest: the assigned missions of the same day and of the days around it
    win = iv[["Matricule", "date", "start", "end"]]
    overlap = np.zeros(len(pairs), bool)
    short_rest = np.zeros(len(pairs), bool)
    birth = pairs["Matricule"].map(born) if len(pairs) else pd.Series(dtype="datetime64[ns]")
    minor = (birth.notna() & (pairs["date"] < birth + pd.DateOffset(years=18))).to_numpy(bool) if len(pairs) \
        else np.zeros(0, bool)
    pairs["minor"] = minor
    minor_rest = np.zeros(len(pairs), bool)
    for shift in (-1, 0, 1):
        keyed = win.assign(date=win["date"] - pd.Timedelta(days=shift))
        j = pairs[["_p", "Matricule", "date", "start", "end"]].merge(
            keyed, on=["Matricule", "date"], suffixes=("", "_a"))
        if j.empty:
            continue
        if shift == 0:
            hit = (j["start_a"] < j["end"]) & (j["end_a"] > j["start"])
            overlap[j.loc[hit, "_p"].to_numpy()] = True
        else:
            gap = np.where(j["start_a"] >= j["end"], j["start_a"] - j["end"], j["start"] - j["end_a"])
            gap_h = pd.to_timedelta(gap).total_seconds() / 3600.0
            short_rest[j.loc[gap_h < w.min_rest_hours, "_p"].to_numpy()] = True
            minor_rest[j.loc[gap_h < w.minor_rest_hours, "_p"].to_numpy()] = True

    days = (iv.groupby(["Matricule", "date"], sort=False)
              .agg(day_hours_before=("hours", "sum"), day_first=("start", "min"), day_last=("end", "max"))
              .reset_index())
    weeks = week_load(iv)
    weeks = pd.DataFrame({"Matricule": weeks["Matricule"], "year": weeks["year"], "week": weeks["week"],
                          "week_hours_before": weeks["hours"], "week_days_before": weeks["days"],
                          "week_missions": weeks["missions"].map(len)})
    pairs = pairs.merge(days, on=["Matricule", "date"], how="left").merge(
        weeks, on=["Matricule", "year", "week"], how="left").sort_values("_p")
    pairs["window_hours_before"] = _window_hours(pairs, iv, w.avg_weeks)
    pairs["day_worked_before"] = pairs["day_hours_before"].notna().to_numpy()
    for col in ("day_hours_before", "week_hours_before", "week_days_before", "week_missions"):
        pairs[col] = pairs[col].astype(float).fillna(0.0)
    pairs["week_days_before"] = pairs["week_days_before"].astype(int)
    pairs["week_missions"] = pairs["week_missions"].astype(int)
    eps = 1e-9
    too_long_day = (pairs["day_hours_before"] + pairs["hours"] > w.max_day_hours + eps).to_numpy()
    too_long_week = (pairs["week_hours_before"] + pairs["hours"] > w.max_week_hours + eps).to_numpy()
    too_many_days = (~pairs["day_worked_before"] & (pairs["week_days_before"] + 1 > w.max_week_days)).to_numpy()
    first = pairs["day_first"].where(pairs["day_first"] < pairs["start"], pairs["start"])
    last = pairs["day_last"].where(pairs["day_last"] > pairs["end"], pairs["end"])
    too_wide = ((last - first).dt.total_seconds() / 3600 > w.max_span_hours + eps).to_numpy()
    night = at_night(pairs["start"], pairs["end"], w.minor_night) if len(pairs) else np.zeros(0, bool)
    minor_breach = pairs["minor"].to_numpy(bool) & (
        (pairs["day_hours_before"] + pairs["hours"] > w.minor_day_hours + eps).to_numpy()
        | (pairs["week_hours_before"] + pairs["hours"] > w.minor_week_hours + eps).to_numpy()
        | night | minor_rest[pairs["_p"].to_numpy()] | _minor_calendar(pairs))
    too_heavy = (pairs["window_hours_before"] + pairs["hours"] > w.avg_week_hours * w.avg_weeks + eps).to_numpy()
    no_weekly_rest = _breaks_weekly_rest(pairs, iv, w.weekly_rest_hours)
    for c, hit in ((WEEKLY_REST, no_weekly_rest), (AVERAGE, too_heavy), (MINOR, minor_breach), (SPAN, too_wide), (WEEK_DAYS, too_many_days), (WEEK_HOURS, too_long_week),
                   (DAY_HOURS, too_long_day), (REST, short_rest), (OVERLAP, overlap)):
        code = np.where(hit, np.int8(c), code)
    pairs["_code"] = code
    return pairs.drop(columns="_p").reset_index(drop=True)


def _window_hours(pairs: pd.DataFrame, iv: pd.DataFrame, weeks: int) -> np.ndarray:
    """Hours already assigned to each pair's employee in the ``weeks`` ISO weeks ending with the
    pair's week (the 12-week average of L3121-22)."""
    if pairs.empty or iv.empty:
        return np.zeros(len(pairs))
    load = week_load(iv)
    load = pd.DataFrame({"Matricule": load["Matricule"].to_numpy(), "monday": iso_mondays(load["year"], load["week"]).to_numpy(),
                         "hours": load["hours"].to_numpy(float)})
    mondays = iso_mondays(pairs["year"], pairs["week"]).to_numpy()
    out = np.zeros(len(pairs))
    for k in range(weeks):
        shifted = load.assign(monday=load["monday"] + pd.Timedelta(weeks=k))
        hit = pd.DataFrame({"Matricule": pairs["Matricule"].to_numpy(), "monday": mondays}).merge(
            shifted, on=["Matricule", "monday"], how="left")["hours"].fillna(0.0).to_numpy()
        out += hit
    return out


def _breaks_weekly_rest(pairs: pd.DataFrame, iv: pd.DataFrame, rest_hours: float) -> np.ndarray:
    """Pairs that would leave their employee's week without ``rest_hours`` in one piece: only a
    week of six worked days can (five leave two free days), so only those pairs are looked at."""
    from .worktime import longest_weekly_rest

    out = np.zeros(len(pairs), bool)
    if pairs.empty or iv.empty:
        return out
    risky = np.flatnonzero((~pairs["day_worked_before"] & (pairs["week_days_before"] >= 5)).to_numpy())
    cols = ["Matricule", "mission", "date", "start", "end", "year", "week"]
    for i in risky:
        p = pairs.iloc[i]
        mine = iv[iv["Matricule"] == p["Matricule"]][cols]
        added = pd.DataFrame([{"Matricule": p["Matricule"], "mission": "_", "date": p["date"], "start": p["start"],
                               "end": p["end"], "year": p["year"], "week": p["week"]}])
        rests = longest_weekly_rest(pd.concat([mine, added], ignore_index=True))
        week = rests[(rests["year"] == p["year"]) & (rests["week"] == p["week"])]
        out[i] = bool(len(week)) and float(week["rest"].iloc[0]) < rest_hours - 1e-9
    return out


UNCHECKED = (("Compétences", "les compétences ne sont pas vérifiées"),
             ("Visite médicale", "la visite médicale n'est pas vérifiée"))


def unchecked_columns(data, open_df: pd.DataFrame, rule_id: str = "suggest.colonne_absente"):
    """One finding (alerte) per column of ``Salariés`` a hard rule needs and the sheet lacks:
    that rule is off for the suggestions until the column is there (or its header mapped)."""
    from sheets_sync.findings import ALERTE, Finding

    table = data["Salariés"]
    if open_df.empty:
        return []
    out = []
    for column, effect in UNCHECKED:
        if column in table.columns:
            continue
        if column == "Compétences" and not open_df["Compétences requises"].astype(str).str.strip().any():
            continue  # no open mission asks for one: nothing is left unchecked
        out.append(Finding(rule_id, ALERTE, table.title, "", "", (
            f"{table.title} : pas de colonne « {column} » : {effect} pour les suggestions. Ajoutez la colonne, "
            "ou déclarez son en-tête dans la configuration."), column))
    return out


def missing_coordinates(data, open_df: pd.DataFrame, rule_id: str = "suggest.coordonnees_manquantes"):
    """Findings (alerte) on the Latitude cell of active employees and of the stores of open
    missions whose coordinates are unknown: they cannot be matched by distance."""
    from sheets_sync.findings import ALERTE, Finding

    out = []
    emp_t, store_t = data["Salariés"], data["Magasins"]
    emp = emp_t.df
    lost = emp[(norm_series(emp["Statut"]) == "actif") & (emp["Latitude"].isna() | emp["Longitude"].isna())]
    for key in lost.index:
        ref = emp_t.cell_of(key, "Latitude")
        out.append(Finding(rule_id, ALERTE, emp_t.title, ref, str(key),
                           f"{ref} : coordonnées du domicile inconnues (Latitude/Longitude vides) : "
                           "ce salarié n'est suggéré pour aucune mission. Lancez « backoffice geocode » "
                           "ou saisissez Latitude et Longitude.", "Latitude"))
    codes = pd.unique(open_df["Code magasin"])
    st = store_t.df
    for code in codes:
        if code in st.index:
            if pd.isna(st.at[code, "Latitude"]) or pd.isna(st.at[code, "Longitude"]):
                ref = store_t.cell_of(code, "Latitude")
                out.append(Finding(rule_id, ALERTE, store_t.title, ref, str(code),
                                   f"{ref} : coordonnées du magasin {code} inconnues : aucune suggestion "
                                   "pour ses missions ouvertes. Lancez « backoffice geocode » ou saisissez "
                                   "Latitude et Longitude.", "Latitude"))
    return out

