"""Shared helpers of the offers tests: a region with open missions and four candidates, the
Twilio stand-in wired to the settings, one run of the step."""
from __future__ import annotations

import datetime as dt
from functools import partial

from backoffice.jobs.offers import OffersOptions, offers_step
from backoffice.jobs.runner import run_region
from backoffice.settings import Region, load_settings
from sheets_sync import Workbook
from tests.factories import AGENCY, make_tabs

NOW = dt.datetime(2026, 11, 24, 10, 0)  # a Tuesday; the missions are on Saturday 28/11
PHONES = {"S0001": "+33611111111", "S0002": "+33622222222", "S0003": "+33633333333", "S0004": "+33644444444"}


def employees():
    # S0001 nearest the store, S0004 farthest: the plan's order for one mission
    spots = {"S0001": (48.866, 2.365), "S0002": (48.860, 2.380), "S0003": (48.850, 2.400), "S0004": (48.840, 2.420)}
    return [{"Matricule": m, "Nom": f"Nom{m[-1]}", "Prénom": f"Prénom{m[-1]}", "Téléphone": PHONES[m],
             "Email": f"{m.lower()}@example.org", "Latitude": spots[m][0], "Longitude": spots[m][1]}
            for m in PHONES]


def trainings():
    return [{"Matricule": m, "Marque": "Lindt", "Module": "Dégustation", "Date": "01/01/2026"} for m in PHONES]


def region_tabs(missions=None, staff=None):
    """Open missions M0001 and M0002 (28/11, at the same store but at different hours, so the
    plan gives them two people), a staffed M0003 and a cancelled M0004."""
    missions = missions if missions is not None else [
        {"N° mission": "M0001", "Date": "28/11/2026", "Début": "09:00", "Fin": "13:00"},
        {"N° mission": "M0002", "Date": "28/11/2026", "Début": "14:00", "Fin": "18:00"},
        {"N° mission": "M0003", "Date": "28/11/2026", "Début": "09:00", "Fin": "17:00", "Salarié": "S0004",
         "Statut": "Confirmée"},
        {"N° mission": "M0004", "Date": "28/11/2026", "Début": "09:00", "Fin": "17:00", "Statut": "Annulée"},
    ]
    return make_tabs(employees=staff if staff is not None else employees(), missions=missions,
                     trainings=trainings(), time_off=[])


def settings(standin=None, **sections):
    sms = {"url": standin.url, "account_sid": standin.sid, "from": standin.number} if standin else {}
    return load_settings(environ={}, overrides={"agency": AGENCY, **({"sms": sms} if sms else {}), **sections})


def run(backend, out, now=NOW, cfg=None, send=True, days=None, workbook=None):
    step = partial(offers_step, options=OffersOptions(days, send))
    return run_region(cfg, Region("IDF"), [("offers", step)], now, out=str(out),
                      workbook=workbook or Workbook(backend))


def ok(outcome):
    assert not outcome.error, outcome.trace
    assert not outcome.incidents, outcome.incidents[0].trace if outcome.incidents else ""
    return outcome.results[0]


def utc(paris: dt.datetime) -> dt.datetime:
    """A Paris wall-clock time of November as UTC (UTC+1)."""
    return (paris - dt.timedelta(hours=1)).replace(tzinfo=dt.timezone.utc)
