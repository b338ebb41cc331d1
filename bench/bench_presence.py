"""Presence matching speed: 20,000 IVR calls against 3,000 missions of one day.

Target (issue 3): matched in under 2 s on the 2-core build machine. Prints the time of the
matching alone, of reading the CSV export, and of the whole job step (workbook in memory).

    python bench/bench_presence.py [--calls 20000] [--missions 3000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.factories

import pandas as pd  # noqa: E402

from backoffice.ivr_log import read_ivr_log  # noqa: E402
from backoffice.jobs.base import JobContext  # noqa: E402
from backoffice.jobs.presence import PresenceOptions, _day_missions, presence_step  # noqa: E402
from backoffice.settings import Region, load_settings  # noqa: E402
from rules.presence import match_presence  # noqa: E402
from sheets_sync import MemoryBackend, Workbook  # noqa: E402
from tests.factories import make_tabs  # noqa: E402

NOW = dt.datetime(2026, 11, 29, 11, 0)


def build(n_missions: int, n_calls: int, seed: int = 7):
    rng = random.Random(seed)
    employees, missions = [], []
    for i in range(n_missions):
        employees.append({"Matricule": f"S{i:05d}", "Nom": f"N{i}", "Prénom": f"P{i}",
                          "Téléphone": f"06 {i // 10000 % 100:02d} {i // 100 % 100:02d} {i % 100:02d} 11"})
    for i in range(n_missions):
        # a fifth of the employees work two missions that day
        who = i if i % 5 else (i + 1) % n_missions
        start = 7 * 60 + rng.randrange(0, 7 * 60, 15) if i % 5 else 14 * 60
        missions.append({"N° mission": f"M{i:05d}", "Salarié": f"S{who:05d}", "Statut": "Confirmée",
                         "Date": "29/11/2026", "Début": f"{start // 60:02d}:{start % 60:02d}",
                         "Fin": f"{(start + 240) // 60:02d}:{(start + 240) % 60:02d}"})
    lines = ["date_appel;numero_appelant;code_saisi;resultat"]
    for _ in range(n_calls):
        who = rng.randrange(n_missions + n_missions // 20)  # some callers are nobody we know
        minute = rng.randrange(6 * 60, 18 * 60)
        number = employees[who]["Téléphone"] if who < n_missions and rng.random() < 0.7 else "masqué"
        code = f"{who:04d}" if rng.random() < 0.5 else ""
        result = rng.choice(["OK", "OK", "OK", "ABANDON", "ERREUR"])
        lines.append(f"29/11/2026 {minute // 60:02d}:{minute % 60:02d}:{rng.randrange(60):02d};"
                     f"{number};{code};{result}")
    return make_tabs(employees=employees, missions=missions), "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--missions", type=int, default=3_000)
    args = parser.parse_args()
    tabs, csv_text = build(args.missions, args.calls)
    settings = load_settings(environ={})
    with tempfile.TemporaryDirectory() as folder:
        log_path = Path(folder) / "svi.csv"
        log_path.write_text(csv_text, encoding="latin-1")

        t0 = time.perf_counter()
        log = read_ivr_log(log_path)
        t_read = time.perf_counter() - t0

        data = Workbook(MemoryBackend(tabs)).load()
        ctx = JobContext(settings, Region("BENCH"), NOW)
        day = _day_missions(data, ctx)
        calls = log.ok_calls
        matricules = pd.Series(sorted(data["Salariés"].all_keys), dtype=object)
        t0 = time.perf_counter()
        match = match_presence(calls, matricules, data["Salariés"].df["Téléphone"], day, NOW,
                               settings.presence.early_minutes, settings.presence.grace_minutes)
        t_match = time.perf_counter() - t0

        t0 = time.perf_counter()
        result = presence_step(data, ctx, PresenceOptions(str(log_path)))
        t_step = time.perf_counter() - t0

    print(f"{len(log.calls)} appels lus ({len(calls)} OK), {len(day)} missions du jour")
    print(f"lecture du CSV           : {t_read:6.3f} s")
    print(f"rapprochement (matching) : {t_match:6.3f} s   (objectif < 2 s)")
    print(f"étape complète           : {t_step:6.3f} s   (lecture + rapprochement + changements)")
    print("résultat :", " · ".join(f"{k} {v}" for k, v in result.summary))
    queued = sum(len(rows) for _task, rows in result.changes.appends.values())
    print(f"file d'appels (Appels SVI) : {queued} lignes à ajouter (non rattachés, et non aboutis des absents)")
    print(f"statuts : {match.status.value_counts().to_dict()}")


if __name__ == "__main__":
    main()
