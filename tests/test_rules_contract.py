"""Contract rules (intervention CDD) and the French working-day calendar they use."""
import datetime as dt

import pandas as pd
import pytest

from rules.calendar import OUVRABLES, add_working_days, is_working_day, working_days_between
from tests.rules_support import run_rule, staffed, where

E, A = "erreur", "alerte"


@pytest.mark.parametrize("rule_id, tabs, now, expected", [
    ("contrat.a_envoyer", {"missions": [staffed(Contrat="")]}, None, [(A, "Missions!M2")]),
    ("contrat.a_envoyer", {"missions": [staffed(Contrat="À envoyer")]}, None, [(A, "Missions!M2")]),
    ("contrat.a_envoyer", {"missions": [staffed(Contrat="", Date="07/12/2026")]}, None, [(A, "Missions!M2")]),
    ("contrat.a_envoyer", {"missions": [staffed(Contrat="", Date="08/12/2026")]}, None, []),
    ("contrat.a_envoyer", {"missions": [staffed(Contrat="Envoyé")]}, None, []),
    ("contrat.a_envoyer", {"missions": [{"Contrat": ""}]}, None, []),  # nobody to send it to
    ("contrat.a_envoyer", {"missions": [staffed(Contrat="", Statut="Annulée")]}, None, []),
    ("contrat.a_envoyer", {"missions": [staffed(Contrat="", Date="26/11/2026")]}, None, []),
    # today Friday 27/11: Monday 23 + 2 working days = Wednesday 25 < 27
    ("contrat.non_signe", {"missions": [staffed(Contrat="Envoyé", Date="23/11/2026")]}, None, [(E, "Missions!M2")]),
    ("contrat.non_signe", {"missions": [staffed(Contrat="", Date="24/11/2026")]}, None, [(E, "Missions!M2")]),
    ("contrat.non_signe", {"missions": [staffed(Contrat="Envoyé", Date="25/11/2026")]}, None, []),
    ("contrat.non_signe", {"missions": [staffed(Contrat="Signé", Date="23/11/2026")]}, None, []),
    ("contrat.non_signe", {"missions": [staffed(Contrat="Envoyé", Date="23/11/2026", Statut="Annulée")]}, None, []),
    # Saturday 21/11 + 2 working days = Tuesday 24/11
    ("contrat.non_signe", {"missions": [staffed(Contrat="Envoyé", Date="21/11/2026")]},
     dt.datetime(2026, 11, 24, 18), []),
    ("contrat.non_signe", {"missions": [staffed(Contrat="Envoyé", Date="21/11/2026")]},
     dt.datetime(2026, 11, 25, 8), [(E, "Missions!M2")]),
    # Monday 9/11 + 2 working days = Thursday 12/11 (11/11 is a public holiday)
    ("contrat.non_signe", {"missions": [staffed(Contrat="Envoyé", Date="09/11/2026")]},
     dt.datetime(2026, 11, 12, 8), []),
    ("contrat.non_signe", {"missions": [staffed(Contrat="Envoyé", Date="09/11/2026")]},
     dt.datetime(2026, 11, 13, 8), [(E, "Missions!M2")]),
])
def test_contract_rules(rule_id, tabs, now, expected):
    findings = run_rule(rule_id, **({"now": now} if now else {}), **tabs)
    assert where(findings) == expected
    assert all(f.rule == rule_id and f.column == "Contrat" for f in findings)


def test_contract_messages():
    [f] = run_rule("contrat.a_envoyer", missions=[staffed(Contrat="À envoyer")])
    assert f.message == ("Missions!M2 : contrat « À envoyer » pour la mission du 29/11/2026 de S0001 "
                         "(Léa Martin). Envoyez-le au salarié : backoffice contracts --send (Contrat passe alors à « Envoyé »).")
    [f] = run_rule("contrat.non_signe", missions=[staffed(Contrat="Envoyé", Date="23/11/2026")])
    assert f.message == ("Missions!M2 : contrat « Envoyé » alors que la mission de S0001 (Léa Martin) a "
                         "commencé le 23/11/2026 ; il devait être signé au plus tard le 25/11/2026 (2 jours "
                         "ouvrables, L1242-13). Faites signer le contrat et passez Contrat à « Signé ».")


def test_a_thursday_contract_is_due_on_the_saturday():
    # L1242-13 counts jours ouvrables (Monday to Saturday): Thursday 19/11 + 2 = Saturday 21/11
    thursday = [staffed(Contrat="Envoyé", Date="19/11/2026")]
    assert run_rule("contrat.non_signe", dt.datetime(2026, 11, 21, 18), missions=thursday) == []
    [f] = run_rule("contrat.non_signe", dt.datetime(2026, 11, 23, 8), missions=thursday)
    assert f.severity == E and "il devait être signé au plus tard le 21/11/2026 (2 jours ouvrables" in f.message


@pytest.mark.parametrize("start, n, expected", [
    ("2026-11-23", 2, "2026-11-25"),  # Monday -> Wednesday
    ("2026-11-21", 2, "2026-11-24"),  # Saturday -> Tuesday
    ("2026-11-10", 2, "2026-11-13"),  # over Armistice Day
    ("2026-12-24", 2, "2026-12-29"),  # over Christmas and a weekend
    ("2026-05-13", 1, "2026-05-15"),  # over Ascension Day
])
def test_add_working_days(start, n, expected):
    assert add_working_days(pd.Series([pd.Timestamp(start)]), n).iloc[0] == pd.Timestamp(expected)


@pytest.mark.parametrize("start, n, expected", [
    ("2026-11-19", 2, "2026-11-21"),  # Thursday -> Saturday
    ("2026-11-20", 2, "2026-11-23"),  # Friday -> Monday (Sunday is the weekly rest)
    ("2026-11-21", 2, "2026-11-24"),  # Saturday -> Tuesday
    ("2026-11-10", 2, "2026-11-13"),  # over Armistice Day (Wednesday 11/11)
    ("2026-12-24", 2, "2026-12-28"),  # over Christmas (Friday) and Sunday
])
def test_add_jours_ouvrables(start, n, expected):
    assert add_working_days(pd.Series([pd.Timestamp(start)]), n, OUVRABLES).iloc[0] == pd.Timestamp(expected)


def test_calendar_edges():
    assert pd.isna(add_working_days(pd.Series([pd.NaT]), 2).iloc[0])
    assert working_days_between(pd.Series([pd.Timestamp("2026-11-09")]),
                                pd.Series([pd.Timestamp("2026-11-16")])).iloc[0] == 4
    assert not is_working_day("2026-07-14") and is_working_day("2026-07-15")
