"""Time the offers job on a large region: 600 employees, 800 open missions over 7 days, against
the local Twilio stand-in (real HTTP).

Prints:
- the first run: the candidates' ranking (the suggest plan: the floor this job adds to), the
  decisions, the write, and the sending of 800 SMS (requests, seconds);
- a run after 800 answers (half OUI, half NON): reading them (pages), the decisions, the write,
  400 confirmations and 400 new offers;
- a rerun with nothing new: no SMS, no cell written.

Run: ``python bench/bench_offers.py``.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.*

import numpy as np  # noqa: E402

from backoffice.jobs.offers import OffersOptions, offers_step  # noqa: E402
from backoffice.jobs.ranking import ranking  # noqa: E402
from backoffice.jobs.base import JobContext  # noqa: E402
from backoffice.jobs.runner import run_region  # noqa: E402
from backoffice.settings import Region, load_settings  # noqa: E402
from sheets_sync import MemoryBackend, Workbook  # noqa: E402
from tests.factories import AGENCY, make_tabs  # noqa: E402
from tests.twilio_standin import TwilioStandIn  # noqa: E402

NOW = dt.datetime(2026, 11, 23, 8, 0)
EMPLOYEES, STORES, MISSIONS = 600, 100, 800


def build_tabs() -> dict:
    rng = np.random.default_rng(7)
    employees = [{"Matricule": f"S{i:04d}", "Nom": f"Nom{i}", "Prénom": f"Prénom{i}",
                  "Téléphone": f"+336{i:08d}", "Latitude": 48.5 + rng.random(), "Longitude": 1.8 + rng.random(),
                  "Rayon km": 60} for i in range(EMPLOYEES)]
    stores = [{"Code magasin": f"C{i:03d}", "Nom": f"Magasin {i}", "Latitude": 48.5 + rng.random(),
               "Longitude": 1.8 + rng.random()} for i in range(STORES)]
    missions = []
    for i in range(MISSIONS):
        day = NOW.date() + dt.timedelta(days=1 + i % 6)
        start = 8 + (i // 6) % 3 * 4
        missions.append({"N° mission": f"M{i:04d}", "Code magasin": f"C{i % STORES:03d}",
                         "Date": day.strftime("%d/%m/%Y"), "Début": f"{start:02d}:00", "Fin": f"{start + 4:02d}:00"})
    trainings = [{"Matricule": f"S{i:04d}", "Marque": "Lindt", "Date": "01/01/2026"} for i in range(EMPLOYEES)]
    return make_tabs(employees=employees, stores=stores, missions=missions, trainings=trainings, time_off=[])


def timed(label: str, func):
    start = time.perf_counter()
    value = func()
    print(f"{label:<58} {time.perf_counter() - start:8.2f} s")
    return value


def main() -> None:
    with TwilioStandIn() as twilio:
        os.environ["BACKOFFICE_SMS_AUTH_TOKEN"] = twilio.token
        settings = load_settings(environ={}, overrides={"agency": AGENCY, "sms": {
            "url": twilio.url, "account_sid": twilio.sid, "from": twilio.number}})
        backend = MemoryBackend(build_tabs())
        out = tempfile.mkdtemp()
        step = partial(offers_step, options=OffersOptions(send=True))

        data = Workbook(MemoryBackend(build_tabs())).load()
        timed(f"floor: the candidates' ranking ({MISSIONS} missions, suggest's plan)",
              lambda: ranking(data, JobContext(settings, Region("IDF"), NOW), 7))

        def one(now, label):
            before = len(twilio.requests)
            outcome = timed(label, lambda: run_region(settings, Region("IDF"), [("offers", step)], now, out=out,
                                                      workbook=Workbook(backend)))
            assert not outcome.error and not outcome.incidents, (outcome.error, outcome.incidents)
            result = outcome.results[0]
            print(f"  {dict(result.summary)}; Twilio requests {len(twilio.requests) - before}; "
                  f"cells written {outcome.report.written}")

        one(NOW, "first run: rank, decide, write, send")
        offers = [m for m in twilio.sent() if "Répondez OUI" in m["body"]]
        for n, message in enumerate(offers):
            code = re.search(r"OUI (\d{4})", message["body"]).group(1)
            twilio.reply(message["to"], f"{'OUI' if n % 2 else 'NON'} {code}",
                         (NOW + dt.timedelta(minutes=30)).replace(tzinfo=dt.timezone.utc) - dt.timedelta(hours=1))
        one(NOW + dt.timedelta(hours=1), f"after {len(offers)} answers: read, decide, write, send")
        one(NOW + dt.timedelta(hours=1, minutes=5), "rerun, nothing new")


if __name__ == "__main__":
    main()
