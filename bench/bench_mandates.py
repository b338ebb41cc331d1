"""Benchmark of the mandates: 1,000 mandates as DOCX (target < 60 s), and the PDF batch time.

    python bench/bench_mandates.py [--missions 1000] [--pdf 50]

Builds an in-memory region of N staffed missions in the next 21 days, runs the ``mandates``
step (rendering, fingerprints, sidecar, change set) and times it; then converts the first
``--pdf`` mandates in one LibreOffice batch and extrapolates to N.
"""
from __future__ import annotations

import argparse
import datetime as dt
import shutil
import socketserver
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backoffice.jobs.mandates import mandates_step  # noqa: E402
from backoffice.jobs.runner import run_region  # noqa: E402
from backoffice.settings import Region, load_settings  # noqa: E402
from sheets_sync import MemoryBackend, Workbook  # noqa: E402
from tests.factories import AGENCY, make_tabs  # noqa: E402

NOW = dt.datetime(2026, 11, 20, 9, 0)


def region_tabs(n: int):
    employees = [{"Matricule": f"S{i:04d}", "Nom": f"Nom{i}", "Prénom": f"Prénom{i}"} for i in range(200)]
    stores = [{"Code magasin": f"C{i:03d}", "Nom": f"Magasin {i}", "Email": f"m{i}@example.org"} for i in range(150)]
    missions = []
    for i in range(n):
        day = NOW.date() + dt.timedelta(days=1 + i % 20)
        missions.append({"N° mission": f"M{i:05d}", "Salarié": f"S{i % 200:04d}", "Statut": "Confirmée",
                         "Code magasin": f"C{i % 150:03d}", "Date": day.strftime("%d/%m/%Y")})
    return make_tabs(employees=employees, stores=stores, missions=missions)


class _SmtpSink(socketserver.StreamRequestHandler):
    """The smallest SMTP server that accepts every message (RFC 5321: greeting, EHLO, MAIL,
    RCPT, DATA, QUIT), so that the bench times a real SMTP conversation with smtplib."""

    def handle(self) -> None:
        self.wfile.write(b"220 bench ESMTP\r\n")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb == b"DATA":
                self.wfile.write(b"354 end with .\r\n")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                self.server.messages += 1
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            elif verb == b"EHLO":
                self.wfile.write(b"250 bench\r\n")
            else:
                self.wfile.write(b"250 ok\r\n")


def followup(settings, backend, out: Path, count: int) -> None:
    """The follow-up of the mandates just made, as if all were sent 5 days ago: one reminder
    each, e-mailed to a local SMTP server, then a rerun that sends nothing."""
    from functools import partial

    from backoffice.jobs.mandate_followup import FollowupOptions, mandates_followup_step
    from backoffice.jobs.outbox import memory
    from backoffice.jobs.runner import flush_memory
    from sheets_sync.changes import ChangeSet

    data = Workbook(backend).load()
    store = memory(data)
    for key in store.kind("mandat"):
        store.update("mandat", key, envoye_le=(NOW - dt.timedelta(days=5)).isoformat(sep=" "))
    sent = ChangeSet()
    flush_memory(data, sent, NOW)
    Workbook(backend).apply(sent, NOW)
    rows = backend.tabs["Missions"]
    column = rows[0].index("Mandat")
    for line in rows[1:]:
        line[column] = "Envoyé"
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpSink)
    server.messages = 0
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        mail = load_settings(environ={}, overrides={"agency": AGENCY, "smtp": {
            "host": "127.0.0.1", "port": server.server_address[1], "security": "none", "sender": "b@example.org"}})
        step = partial(mandates_followup_step, options=FollowupOptions(send=True))
        later = NOW + dt.timedelta(days=1)  # the missions of the next 10 days are past their reminder day
        times = []
        for _ in range(2):
            start = time.perf_counter()
            outcome = run_region(mail, Region("BENCH"), [("follow-up", step)], later, out=str(out),
                                 workbook=Workbook(backend))
            times.append(time.perf_counter() - start)
            if outcome.error:
                raise SystemExit(outcome.error)
    finally:
        server.shutdown()
        server.server_close()
    print(f"Suivi : {server.messages} relance(s) envoyée(s) sur {count} mandats en {times[0]:.1f} s "
          f"({1000 * times[0] / max(server.messages, 1):.1f} ms/relance, une connexion SMTP locale) ; "
          f"deuxième passage : {times[1]:.1f} s, rien envoyé")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--missions", type=int, default=1000)
    parser.add_argument("--pdf", type=int, default=50, help="mandates converted in the PDF batch (0: skip)")
    args = parser.parse_args()
    settings = load_settings(environ={}, overrides={"agency": AGENCY})  # the tests' invented agency
    out = Path(tempfile.mkdtemp(prefix="bench-mandates-"))
    try:
        backend = MemoryBackend(region_tabs(args.missions))
        start = time.perf_counter()
        outcome = run_region(settings, Region("BENCH"), [("mandates", mandates_step)], NOW,
                             out=str(out), workbook=Workbook(backend))
        docx_s = time.perf_counter() - start
        if outcome.error:
            raise SystemExit(outcome.error)
        made = sorted((out / "BENCH" / "mandats").glob("*.docx"))
        print(f"DOCX : {len(made)} mandats générés en {docx_s:.1f} s "
              f"({1000 * docx_s / max(len(made), 1):.1f} ms/mandat, lecture + écriture du classeur comprises) "
              f"— objectif < 60 s : {'OK' if docx_s < 60 else 'DÉPASSÉ'}")
        start = time.perf_counter()
        again = run_region(settings, Region("BENCH"), [("mandates", mandates_step)], NOW,
                           out=str(out), workbook=Workbook(backend))
        print(f"Deuxième passage (rien à refaire) : {time.perf_counter() - start:.1f} s, "
              f"{again.report.written} cellule(s) écrite(s)")
        followup(settings, backend, out, len(made))
        if args.pdf and shutil.which(settings.mandates.libreoffice):
            from generators.pdf import convert_to_pdf

            batch = made[: args.pdf]
            pdf_dir = out / "pdf"
            start = time.perf_counter()
            convert_to_pdf(made[-1:], out / "pdf1", settings.mandates.libreoffice, timeout_s=600)
            one_s = time.perf_counter() - start
            print(f"PDF  : lot d'un seul mandat (démarrage de LibreOffice compris) : {one_s:.1f} s")
            start = time.perf_counter()
            converted = convert_to_pdf(batch, pdf_dir, settings.mandates.libreoffice, timeout_s=600)
            pdf_s = time.perf_counter() - start
            ok = sum(p is not None for p in converted.values())
            per = pdf_s / max(ok, 1)
            marginal = max(pdf_s - one_s, 0) / max(ok - 1, 1)
            print(f"PDF  : {ok}/{len(batch)} mandats convertis en un seul lot LibreOffice en {pdf_s:.1f} s "
                  f"({per:.2f} s/mandat démarrage compris, {marginal:.2f} s par mandat en plus) ; "
                  f"extrapolé à {len(made)} : ~{one_s + marginal * (len(made) - 1):.0f} s")
        elif args.pdf:
            print("PDF  : LibreOffice (soffice) absent, conversion non mesurée")
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
