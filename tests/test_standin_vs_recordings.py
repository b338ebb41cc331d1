"""The stand-in answers like Google: real recorded Sheets API responses replayed against it.

The recordings are gspread's own test cassettes (vcrpy JSON), kept outside the project in
``../shared/sheets-api-recordings/``. Each Sheets request of a cassette is sent to the
stand-in as recorded, and the answers are compared: status, keys at every level, value
types and, for values and batch-update answers and error bodies, the exact content.
"""
import json
from pathlib import Path

import pytest
import requests

from tests.sheets_standin import SheetsStandIn

RECORDINGS = Path(__file__).resolve().parents[2] / "shared" / "sheets-api-recordings"
CASSETTES = sorted(RECORDINGS.glob("*.json")) if RECORDINGS.is_dir() else []
GOOGLE = "https://sheets.googleapis.com"
DRIVE_FILES = "https://www.googleapis.com/drive/v3/files"
# Parts of Google's answers the stand-in does not model in full: there, its keys must be a
# subset of Google's (text formats and alignment; the theme's list of colours).
LENIENT = ("properties.spreadsheetTheme", "userEnteredFormat")

# Only the replay needs the recordings (the workplace keeps them outside the project and asks
# that they stay there); the tests below it hold Google's answers as its documentation gives
# them, so a fresh clone runs them too.
needs_recordings = pytest.mark.skipif(not CASSETTES, reason=f"no recordings in {RECORDINGS}")


def shape_diff(recorded, mine, path=""):
    """Differences of structure: keys at every level, list lengths, JSON types of scalars."""
    lenient = any(part in path for part in LENIENT)
    if isinstance(recorded, dict):
        if not isinstance(mine, dict):
            return [f"{path}: object expected, got {mine!r}"]
        out = []
        extra, missing = set(mine) - set(recorded), set(recorded) - set(mine)
        if extra:
            out.append(f"{path}: keys Google does not send {sorted(extra)}")
        if missing and not lenient:
            out.append(f"{path}: missing keys {sorted(missing)}")
        for key in set(recorded) & set(mine):
            out += shape_diff(recorded[key], mine[key], f"{path}.{key}" if path else key)
        return out
    if isinstance(recorded, list):
        if not isinstance(mine, list):
            return [f"{path}: list expected, got {mine!r}"]
        out = [] if lenient or len(recorded) == len(mine) else [f"{path}: {len(mine)} items, Google {len(recorded)}"]
        for a, b in zip(recorded, mine):
            out += shape_diff(a, b, path + "[]")
        return out
    kind = lambda v: "bool" if isinstance(v, bool) else "number" if isinstance(v, (int, float)) else type(v).__name__
    return [] if kind(recorded) == kind(mine) else [f"{path}: {kind(mine)} instead of {kind(recorded)}"]


def replay(cassette: Path):
    """Yield (request, recorded status, recorded body, stand-in status, stand-in body)."""
    interactions = json.loads(cassette.read_text(encoding="utf-8"))["interactions"]
    sheet_ids: dict[str, str] = {}  # recorded sheetId of an added sheet -> the stand-in's
    with SheetsStandIn(locale="en_US") as standin:
        for item in interactions:
            req, resp = item["request"], item["response"]
            text = resp["body"]["string"] if isinstance(resp["body"], dict) else resp["body"]
            if req["uri"].startswith(DRIVE_FILES):
                if req["method"] == "POST":  # a new spreadsheet with one blank « Sheet1 »
                    created = json.loads(text)
                    standin.add_spreadsheet(created["id"], title=created["name"])
                continue
            assert req["uri"].startswith(GOOGLE), req["uri"]
            body = req.get("body")
            if isinstance(body, bytes):
                body = body.decode("utf-8")
            for recorded_id, ours in sheet_ids.items():
                body = body.replace(recorded_id, ours) if body else body
            answer = requests.request(req["method"], standin.url + req["uri"][len(GOOGLE):], data=body,
                                      headers={"Content-Type": "application/json"})
            got = answer.text
            for recorded_id, ours in sheet_ids.items():
                got = got.replace(ours, recorded_id)
            recorded = json.loads(text) if text else None
            mine = json.loads(got) if got else None
            for reply_rec, reply_mine in zip((recorded or {}).get("replies", []), (mine or {}).get("replies", [])):
                if "addSheet" in reply_rec and "addSheet" in reply_mine:
                    rec_id = str(reply_rec["addSheet"]["properties"]["sheetId"])
                    our_id = str(reply_mine["addSheet"]["properties"]["sheetId"])
                    sheet_ids[rec_id] = our_id
                    reply_mine["addSheet"]["properties"]["sheetId"] = int(rec_id)
            yield req, resp["status"]["code"], recorded, answer.status_code, mine


@needs_recordings
@pytest.mark.parametrize("cassette", CASSETTES or [None], ids=[c.stem for c in CASSETTES] or ["none"])
def test_standin_answers_like_google(cassette):
    compared = 0
    for req, status, recorded, my_status, mine in replay(cassette):
        where = f"{req['method']} {req['uri']}"
        assert my_status == status, f"{where}: {my_status} {mine}"
        assert shape_diff(recorded, mine) == [], where
        metadata = req["method"] == "GET" and "/values" not in req["uri"]
        if metadata and "sheets" in recorded and recorded["sheets"] and "properties" in recorded["sheets"][0]:
            assert [s["properties"] for s in mine["sheets"]] == [s["properties"] for s in recorded["sheets"]], where
        elif "userEnteredFormat" in req["uri"]:  # fills: the background colour is exact
            rec_cell = recorded["sheets"][0]["data"][0]["rowData"][0]["values"][0]["userEnteredFormat"]
            my_cell = mine["sheets"][0]["data"][0]["rowData"][0]["values"][0]["userEnteredFormat"]
            assert my_cell["backgroundColor"] == rec_cell["backgroundColor"], where
        elif not metadata or "error" in (recorded or {}):
            assert mine == recorded, where  # values, batch updates, notes, errors: exactly Google's
        compared += 1
    assert compared > 0


def test_an_unknown_tab_is_googles_400_unable_to_parse_range():
    with SheetsStandIn() as standin:
        standin.add_spreadsheet("s1", {"Missions": [["N° mission"]]})
        answer = requests.get(f"{standin.url}/v4/spreadsheets/s1",
                              params={"ranges": ["'Missions'", "'Journal'!1:1"], "includeGridData": "true"})
    assert answer.status_code == 400
    assert answer.json() == {"error": {"code": 400, "message": "Unable to parse range: 'Journal'!1:1",
                                       "status": "INVALID_ARGUMENT"}}


def test_values_are_trimmed_and_omitted_like_google():
    with SheetsStandIn() as standin:
        standin.add_spreadsheet("s1", {"Notes de frais": [["a", "", "c", ""], ["", ""], [], ["d"], ["", ""]]})
        answer = requests.get(f"{standin.url}/v4/spreadsheets/s1/values:batchGet",
                              params={"ranges": ["'Notes de frais'!A1:D5", "'Notes de frais'!F1:G3"]}).json()
    assert answer == {"spreadsheetId": "s1", "valueRanges": [
        {"range": "'Notes de frais'!A1:D5", "majorDimension": "ROWS", "values": [["a", "", "c"], [], [], ["d"]]},
        {"range": "'Notes de frais'!F1:G3", "majorDimension": "ROWS"},
    ]}


def test_an_unknown_spreadsheet_is_googles_404():
    with SheetsStandIn() as standin:
        answer = requests.get(f"{standin.url}/v4/spreadsheets/nowhere", params={"includeGridData": "false"})
    assert answer.status_code == 404
    assert answer.json() == {"error": {"code": 404, "message": "Requested entity was not found.",
                                       "status": "NOT_FOUND"}}
