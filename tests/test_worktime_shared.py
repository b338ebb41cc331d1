"""One definition of the working-time law: ``[worktime]`` moves the check and the suggestions together."""
import datetime as dt

import pandas as pd
import pytest

from backoffice.settings import load_settings
from rules.eligibility import DAY_HOURS, evaluate, open_missions
from sheets_sync import MemoryBackend, Workbook
from tests.factories import make_tabs
from tests.rules_support import run_rule

NOW = dt.datetime(2026, 11, 27, 8, 0)
NINE_HOURS = {"Date": "30/11/2026", "Début": "08:00", "Fin": "17:00"}


@pytest.mark.parametrize("limit, check_fires, suggest_refuses", [(10, False, False), (8, True, True)])
def test_check_and_suggest_obey_the_same_day_limit(limit, check_fires, suggest_refuses):
    settings = load_settings(environ={}, overrides={"worktime": {"max_day_hours": limit}})
    assigned = {"N° mission": "M1", "Salarié": "S0001", "Statut": "Confirmée", **NINE_HOURS}
    found = run_rule("planning.journee_trop_longue", NOW, settings, missions=[assigned])
    assert [(f.cell, f.message.split(" : ", 1)[1]) for f in found] == (
        [("Missions!K2", "S0001 (Léa Martin) travaillerait 9 h 10 le 30/11/2026 (missions M1 ; pauses déduites, "
          f"préparation comprise), plus que les {limit} h autorisées par jour. Retirez-lui une mission ou raccourcissez les horaires.")]
        if check_fires else [])

    data = Workbook(MemoryBackend(make_tabs(missions=[{"N° mission": "M2", **NINE_HOURS}]))).load()
    today = pd.Timestamp(NOW.date())
    open_df = open_missions(data["Missions"].df, today, 14)
    elig = evaluate(data, settings, today, open_df)
    assert (len(elig.pairs) == 0) == suggest_refuses
    if suggest_refuses:
        assert elig.counts(0).get(DAY_HOURS) == 1
