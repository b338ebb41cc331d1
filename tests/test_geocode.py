"""Geocoding against an in-process stand-in of the Géoplateforme batch CSV endpoint."""
import csv
import datetime as dt
import email
import email.policy
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openpyxl
import pytest
from click.testing import CliRunner

from backoffice.cli import cli
from backoffice.geocoding import Address, Geocoder, GeocoderError
from backoffice.jobs.base import JobContext
from backoffice.jobs.geocode import geocode_step
from backoffice.settings import Region, load_settings
from sheets_sync import MemoryBackend, Workbook
from tests.factories import make_tabs

NOW = dt.datetime(2026, 11, 28, 9, 0)
RESULT_COLUMNS = ["latitude", "longitude", "result_label", "result_score", "result_type", "result_id",
                  "result_housenumber", "result_name", "result_street", "result_postcode", "result_city",
                  "result_context", "result_citycode", "result_status"]
# address text (adresse) -> (lat, lon, score, label, status)
KNOWN = {
    "3 rue des Lilas": (48.8601, 2.3795, 0.97, "3 Rue des Lilas 75011 Paris", "ok"),
    "10 place de la République": (48.8672, 2.3634, 0.91, "10 Place de la République 75003 Paris", "ok"),
    "rue du Moulin": (47.1, 1.5, 0.42, "Rue du Moulin 41000 Blois", "ok"),
    "12 impasse Inconnue": ("", "", "", "", "not-found"),
    "boom": ("", "", "", "", "error"),
}


class StandIn(ThreadingHTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.script = []  # (status, headers) answered before the normal behaviour
        self.calls = []  # (path, columns, postcode, rows) of each request

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/geocodage/search/csv/"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        msg = email.message_from_bytes(
            b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + body,
            policy=email.policy.HTTP)
        fields, data = {}, b""
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name == "data":
                data = part.get_payload(decode=True)
            else:
                fields.setdefault(name, []).append(part.get_content().strip())
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
        self.server.calls.append((self.path, fields.get("columns"), fields.get("postcode"), rows))
        if self.server.script:
            status, headers = self.server.script.pop(0)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(list(rows[0].keys()) + RESULT_COLUMNS if rows else RESULT_COLUMNS)
        for row in rows:
            lat, lon, score, label, status = KNOWN.get(row["adresse"], ("", "", "", "", "not-found"))
            writer.writerow(list(row.values()) + [lat, lon, label, score, "housenumber", "", "", "", "",
                                                  row["code_postal"], row["ville"], "", "", status])
        payload = out.getvalue().encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def standin():
    server = StandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def tabs():
    employees = [
        {"Matricule": "S1", "Latitude": "", "Longitude": ""},  # good
        {"Matricule": "S2", "Adresse": "rue du Moulin", "Code postal": "41000", "Ville": "Blois",
         "Latitude": "", "Longitude": ""},  # low score
        {"Matricule": "S3", "Adresse": "12 impasse Inconnue", "Latitude": "", "Longitude": ""},  # not found
        {"Matricule": "S4", "Adresse": "boom", "Latitude": "", "Longitude": ""},  # error
        {"Matricule": "S5"},  # has coordinates: never sent, never overwritten
        {"Matricule": "S6", "Longitude": ""},  # one half only: reported
        {"Matricule": "S7", "Adresse": "", "Code postal": "", "Ville": "", "Latitude": "", "Longitude": ""},
    ]
    stores = [{"Code magasin": "C001", "Latitude": "", "Longitude": ""}, {"Code magasin": "C002"}]
    return make_tabs(employees=employees, stores=stores, expenses=[])


def step(url, sleep=None):
    data = Workbook(MemoryBackend(tabs())).load()
    assert data.findings == []
    settings = load_settings(environ={})
    ctx = JobContext(settings, Region("T"), NOW)
    geocoder = Geocoder(url, max_retries=2, sleep=sleep or (lambda s: None))
    return geocode_step(data, ctx, geocoder)


def test_fills_good_results_and_reports_the_others_with_their_cell(standin):
    result = step(standin.url)
    written = {(c.tab, c.key, c.column): c.new for _t, c in result.changes.cells.values()}
    assert written == {
        ("Salariés", "S1", "Latitude"): 48.8601, ("Salariés", "S1", "Longitude"): 2.3795,
        ("Magasins", "C001", "Latitude"): 48.8672, ("Magasins", "C001", "Longitude"): 2.3634,
    }
    assert [(f.rule, f.cell) for f in result.findings] == [
        ("geocode.coordonnee_incomplete", "Salariés!I7"),
        ("geocode.adresse_vide", "Salariés!I8"),
        ("geocode.score_faible", "Salariés!I3"),
        ("geocode.introuvable", "Salariés!I4"),
        ("geocode.introuvable", "Salariés!I5"),
    ]
    messages = {f.cell: f.message for f in result.findings}
    assert messages["Salariés!I3"] == (
        "Salariés!I3 : adresse « rue du Moulin 41000 Blois » trouvée avec un score de 0,42 (minimum 0,60) : "
        "« Rue du Moulin 41000 Blois ». Vérifiez Adresse, Code postal et Ville, puis relancez "
        "« backoffice geocode », ou saisissez Latitude et Longitude.")
    assert messages["Salariés!I4"].startswith(
        "Salariés!I4 : adresse « 12 impasse Inconnue 75011 Paris » non trouvée par le géocodeur (statut not-found).")
    assert "(statut error)" in messages["Salariés!I5"]
    assert result.summary == [("adresses envoyées", 5), ("coordonnées remplies", 2), ("à vérifier", 3)]
    assert result.needs_attention


def test_one_request_per_tab_with_columns_and_postcode(standin):
    step(standin.url)
    assert [(path, cols, pc, [r["adresse"] for r in rows]) for path, cols, pc, rows in standin.calls] == [
        ("/geocodage/search/csv/", ["adresse", "ville"], ["code_postal"],
         ["3 rue des Lilas", "rue du Moulin", "12 impasse Inconnue", "boom"]),
        ("/geocodage/search/csv/", ["adresse", "ville"], ["code_postal"], ["10 place de la République"]),
    ]


def test_429_retry_after_is_obeyed_then_the_batch_goes_through(standin):
    standin.script = [(429, {"Retry-After": "2"}), (503, {})]
    waits = []
    result = step(standin.url, sleep=waits.append)
    assert waits == [2.0, 2.0]  # Retry-After, then the backoff's second step (1 s × 2)
    assert len(standin.calls) == 4
    assert sum(1 for _t, c in result.changes.cells.values()) == 4


def test_gives_up_after_the_bounded_retries():
    server = StandIn()
    server.script = [(429, {"Retry-After": "100"})] * 3
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        waits = []
        geocoder = Geocoder(server.url, max_retries=2, max_wait_s=30, sleep=waits.append)
        with pytest.raises(GeocoderError) as err:
            geocoder.geocode([Address("0", "3 rue des Lilas", "75011", "Paris")])
        assert waits == [30, 30]  # capped
        assert geocoder.requests == 3
        assert "indisponible après 3 essai(s) (HTTP 429, trop de requêtes)" in str(err.value)
    finally:
        server.shutdown()
        server.server_close()


def test_a_tab_the_geocoder_refuses_is_an_error_finding_and_the_other_tab_goes_on(standin):
    standin.script = [(400, {})]
    result = step(standin.url)
    assert [(f.rule, f.severity) for f in result.findings if f.rule == "geocode.indisponible"] == [
        ("geocode.indisponible", "erreur")]
    assert {c.tab for _t, c in result.changes.cells.values()} == {"Magasins"}


def test_cli_fills_the_xlsx_through_the_env_url(standin, tmp_path, monkeypatch):
    path = tmp_path / "IDF.xlsx"
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in make_tabs(employees=[{"Matricule": "S1", "Latitude": "", "Longitude": ""}],
                                 expenses=[]).items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    monkeypatch.setenv("BACKOFFICE_GEOCODE_URL", standin.url)
    result = CliRunner().invoke(cli, ["--workbook", str(path), "--now", "2026-11-28 09:00", "geocode"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "adresses envoyées 1 · coordonnées remplies 1 · à vérifier 0" in result.output
    ws = openpyxl.load_workbook(path)["Salariés"]
    head = [c.value for c in ws[1]]
    assert (ws.cell(2, head.index("Latitude") + 1).value, ws.cell(2, head.index("Longitude") + 1).value) == \
        (48.8601, 2.3795)
    again = CliRunner().invoke(cli, ["--workbook", str(path), "--now", "2026-11-28 09:00", "geocode"])
    assert again.exit_code == 0 and "adresses envoyées 0" in again.output
