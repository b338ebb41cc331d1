"""Small planning scenarios shared by the tests and ``bench/bench_suggest.py``: a region where
everyone is trained for everything and within reach of every store, so that only the plan
decides who gets what (``scarce``: more missions than people can take; ``slack``: a fortnight
with room to share them out)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from rules.eligibility import evaluate, open_missions
from rules.scoring import score_pairs
from sheets_sync import MemoryBackend, Workbook
from tests.factories import make_tabs

NOW = dt.datetime(2026, 11, 16, 8, 0)
SKILLS = ["animation", "dégustation", "merchandising", "démonstration", "anglais"]
SLOTS = [("09:00", "17:00"), ("10:00", "18:00"), ("09:00", "13:00"), ("14:00", "19:00"),
         ("11:00", "19:30"), ("08:30", "12:30"), ("13:00", "20:00")]
SMALL = {"scarce": (15, 120, 6, 20), "slack": (15, 42, 14, 35)}  # employees, missions, days, radius km


def build_small(seed: int, employees: int, missions: int, days: int, radius: float) -> dict:
    """A small region: everyone trained for everything, within reach of every store."""
    rng = np.random.default_rng(seed)
    day = lambda d: (NOW.date() + dt.timedelta(days=int(d))).strftime("%d/%m/%Y")  # noqa: E731
    people = [{"Matricule": f"S{i:02d}", "Nom": f"Nom{i}", "Prénom": f"Prénom{i}",
               "Latitude": float(48.7 + 0.3 * rng.random()), "Longitude": float(2.2 + 0.4 * rng.random()),
               "Compétences": ", ".join(SKILLS), "Rayon km": radius, "Visite médicale": "01/06/2026"}
              for i in range(employees)]
    stores = [{"Code magasin": f"C{j:02d}", "Latitude": float(48.7 + 0.3 * rng.random()),
               "Longitude": float(2.2 + 0.4 * rng.random())} for j in range(20)]
    rows = []
    for k in range(missions):
        start, end = SLOTS[int(rng.integers(len(SLOTS)))]
        rows.append({"N° mission": f"M{k:04d}", "Marque": "Lindt", "Code magasin": f"C{int(rng.integers(20)):02d}",
                     "Compétences requises": "dégustation", "Date": day(int(rng.integers(1, days + 1))),
                     "Début": start, "Fin": end})
    trainings = [{"Matricule": e["Matricule"], "Marque": "Lindt", "Date": "01/01/2026"} for e in people]
    return make_tabs(employees=people, missions=rows, stores=stores, trainings=trainings, time_off=[], expenses=[])


def small_pairs(seed: int, scenario: str, settings) -> pd.DataFrame:
    """The scored candidate pairs of a small scenario, with the plan's inputs, as ``suggest`` builds them."""
    from backoffice.jobs.ranking import with_plan_inputs  # the job's own inputs of the plan

    data = Workbook(MemoryBackend(build_small(seed, *SMALL[scenario]))).load()
    today = pd.Timestamp(NOW.date())
    open_df = open_missions(data["Missions"].df, today, settings.suggest.days)
    elig = evaluate(data, settings, today, open_df)
    pairs = score_pairs(elig.pairs, open_df, data["Missions"].df, today, settings)
    return with_plan_inputs(pairs, open_df, data["Missions"].df, today, settings.suggest.days).reset_index(drop=True)


