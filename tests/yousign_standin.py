"""A local stand-in for Yousign's API v3 as its public documentation describes it
(developers.yousign.com): our client talks HTTP to it.

- ``Authorization: Bearer <key>``; 401 otherwise.
- ``POST /signature_requests`` (JSON ``name``, ``delivery_mode``, ``timezone``, ``external_id``)
  -> 201, ``status`` ``draft``; ``GET /signature_requests`` with ``external_id[eq]``, ``status[eq]``,
  ``limit``, ``after`` -> ``{"meta": {"next_cursor"}, "data": [...]}``; ``GET /signature_requests/{id}``.
- ``POST …/documents`` (multipart/form-data: ``file``, ``nature``, ``parse_anchors``) -> 201
  ``{id, nature, content_type, total_anchors}``; ``GET …/documents`` -> a list.
- ``POST …/signers`` (JSON ``info`` {first_name, last_name, email, phone_number, locale},
  ``signature_level``, ``signature_authentication_mode``) -> 201; ``GET …/signers``.
- ``POST …/activate`` -> 201, ``ongoing`` (400 without a signable document or a signer, or
  when not a draft); ``POST …/cancel`` -> ``canceled``.
- ``GET …/documents/download`` -> the PDF, once ``done`` (400 before).
Errors as ``{"type", "detail"}``. Tests move a request with ``set_status`` (``done``,
``declined``, ``expired``) and count calls in ``calls``.
"""
from __future__ import annotations

import io
import json
import threading
import uuid
from email.parser import BytesParser
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SIGNED_PDF = b"%PDF-1.4\n% signed by the Yousign stand-in\n%%EOF\n"


class YousignStandIn:
    def __init__(self, key: str = "test-key"):
        self.key = key
        self.requests: dict[str, dict] = {}
        self.calls: list[tuple[str, str]] = []
        self.fail_once: set[str] = set()  # path endings (« /activate ») answered 500 once
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v3"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def set_status(self, external_id: str, status: str) -> None:
        for request in self.requests.values():
            if request["external_id"] == external_id and request["status"] not in ("canceled",):
                request["status"] = status

    def by_external_id(self, external_id: str) -> list[dict]:
        return [r for r in self.requests.values() if r["external_id"] == external_id]

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body, content_type: str = "application/json") -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, detail: str) -> None:
                self._send(status, {"type": "about:blank", "detail": detail})

            def _auth(self) -> bool:
                if self.headers.get("Authorization") != f"Bearer {standin.key}":
                    self._error(401, "Unauthorized")
                    return False
                return True

            def _json_body(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if not raw:
                    return {}
                try:
                    return json.loads(raw)
                except ValueError:
                    return None

            def _route(self):
                split = urlsplit(self.path)
                parts = [p for p in split.path.split("/") if p]
                if parts[:1] != ["v3"] or parts[1:2] != ["signature_requests"]:
                    return None, [], {}
                return parts[2:], parts, {k: v[0] for k, v in parse_qs(split.query).items()}

            def do_GET(self):
                standin.calls.append(("GET", self.path))
                if not self._auth():
                    return
                rest, _parts, query = self._route()
                with standin.lock:
                    if rest == []:
                        data = list(standin.requests.values())
                        if "external_id[eq]" in query:
                            data = [r for r in data if r["external_id"] == query["external_id[eq]"]]
                        if "status[eq]" in query:
                            data = [r for r in data if r["status"] == query["status[eq]"]]
                        limit = int(query.get("limit", 100))
                        self._send(200, {"meta": {"next_cursor": None}, "data": [_public(r) for r in data[:limit]]})
                        return
                    request = standin.requests.get(rest[0]) if rest else None
                    if request is None:
                        self._error(404, "Signature request not found")
                    elif len(rest) == 1:
                        self._send(200, _public(request))
                    elif rest[1:] == ["documents"]:
                        self._send(200, request["documents"])
                    elif rest[1:] == ["signers"]:
                        self._send(200, request["signers"])
                    elif rest[1:] == ["documents", "download"]:
                        if request["status"] != "done":
                            self._error(400, "The signature request is not done")
                        else:
                            self._send(200, SIGNED_PDF, "application/pdf")
                    else:
                        self._error(404, "Not found")

            def do_POST(self):
                standin.calls.append(("POST", self.path))
                if not self._auth():
                    return
                ending = next((e for e in standin.fail_once if self.path.endswith(e)), None)
                if ending is not None:
                    standin.fail_once.discard(ending)
                    self._json_body()
                    self._error(500, "Internal error")
                    return
                rest, _parts, _query = self._route()
                if rest == []:
                    body = self._json_body()
                    if not isinstance(body, dict) or not body.get("name") or body.get("delivery_mode") not in ("email", "none"):
                        self._error(400, "name and delivery_mode are required")
                        return
                    request = {"id": str(uuid.uuid4()), "status": "draft", "name": body["name"],
                               "delivery_mode": body["delivery_mode"], "timezone": body.get("timezone", "Europe/Paris"),
                               "external_id": body.get("external_id"), "documents": [], "signers": []}
                    with standin.lock:
                        standin.requests[request["id"]] = request
                    self._send(201, _public(request))
                    return
                with standin.lock:
                    request = standin.requests.get(rest[0]) if rest else None
                if request is None:
                    self._error(404, "Signature request not found")
                elif rest[1:] == ["documents"]:
                    self._document(request)
                elif rest[1:] == ["signers"]:
                    body = self._json_body()
                    info = (body or {}).get("info") or {}
                    if request["status"] != "draft" or not all(info.get(k) for k in ("first_name", "last_name", "email", "locale")) \
                            or body.get("signature_level") != "electronic_signature":
                        self._error(400, "invalid signer")
                        return
                    if body.get("signature_authentication_mode") == "otp_sms" and not str(info.get("phone_number", "")).startswith("+"):
                        self._error(400, "phone_number in E.164 is required for otp_sms")
                        return
                    signer = {"id": str(uuid.uuid4()), "info": info, "status": "initiated",
                              "signature_authentication_mode": body.get("signature_authentication_mode")}
                    request["signers"].append(signer)
                    self._send(201, signer)
                elif rest[1:] == ["activate"]:
                    self._json_body()
                    if request["status"] != "draft" or not request["documents"] or not request["signers"]:
                        self._error(400, "cannot activate: not a draft, or no signable document or signer")
                        return
                    request["status"] = "ongoing"
                    self._send(201, _public(request))
                elif rest[1:] == ["cancel"]:
                    self._json_body()
                    if request["status"] not in ("ongoing", "approval"):
                        self._error(400, "only an ongoing request can be canceled")
                        return
                    request["status"] = "canceled"
                    self._send(201, _public(request))
                else:
                    self._error(404, "Not found")

            def _document(self, request):
                ctype = self.headers.get("Content-Type", "")
                if not ctype.startswith("multipart/form-data"):
                    self._error(400, "multipart/form-data expected")
                    return
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                message = BytesParser(policy=default).parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + raw)
                fields, files = {}, {}
                for part in message.iter_parts():
                    name = part.get_param("name", header="content-disposition")
                    if part.get_filename():
                        files[name] = (part.get_filename(), part.get_payload(decode=True))
                    else:
                        fields[name] = part.get_content().strip()
                nature = fields.get("nature")
                if "file" not in files or nature not in ("signable_document", "attachment"):
                    self._error(400, "file and nature are required")
                    return
                filename, content = files["file"]
                if not content.startswith(b"%PDF"):
                    self._error(400, "the file must be a PDF")
                    return
                anchors = _anchors(content) if fields.get("parse_anchors") == "true" else 0
                document = {"id": str(uuid.uuid4()), "nature": nature, "content_type": "application/pdf",
                            "filename": filename, "total_anchors": anchors, "size": len(content)}
                request["documents"].append(document)
                self._send(201, document)

        return Handler


def _anchors(pdf: bytes) -> int:
    """The smart anchors of a PDF, found in its text as Yousign finds them (pypdf reads the text
    through the fonts' ToUnicode maps)."""
    import re

    from pypdf import PdfReader

    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    return len(re.findall(r"\{\{s\d+\|signature\|\d+\|\d+\}\}", text))


def _public(request: dict) -> dict:
    return {k: v for k, v in request.items()}
