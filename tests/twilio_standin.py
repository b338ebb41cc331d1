"""A local stand-in for Twilio's Programmable Messaging REST API, as its public documentation
describes it (twilio.com/docs/messaging/api/message-resource): our client talks HTTP to it.

- ``POST /2010-04-01/Accounts/{sid}/Messages.json``, form-encoded ``To``, ``From``, ``Body``,
  HTTP Basic authentication; 201 and the Message as JSON (``sid`` SM…, ``status`` queued,
  ``direction`` outbound-api, ``date_sent`` RFC 2822). Errors as ``{code, message, more_info,
  status}``: 20003 (authentication), 21211 (bad To), 21602 (no Body), 21610 (the recipient
  answered STOP), 429 with ``Retry-After``.
- ``GET`` on the same list: filters ``To``, ``From``, ``DateSent``, ``DateSent<``, ``DateSent>``
  (days, UTC, ``>`` meaning on or after), ``PageSize``; newest first; ``next_page_uri`` (null on
  the last page), ``page``, ``page_size``, ``first_page_uri``, ``uri``.
- An inbound « STOP » (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT) opts its sender out of our
  number; « START » (START, YES, UNSTOP) opts them back in.

Faults for the tests: ``fail_next(status, times, retry_after)``; ``apply_then_fail(status)``
(the message is recorded, the answer is an error); ``slow_next(seconds)``.
"""
from __future__ import annotations

import base64
import datetime as dt
import email.utils
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
START_WORDS = {"START", "YES", "UNSTOP"}


class TwilioStandIn:
    def __init__(self, account_sid: str = "AC" + "0" * 32, token: str = "secret-token", number: str = "+33700000000"):
        self.sid, self.token, self.number = account_sid, token, number
        self.messages: list[dict] = []  # oldest first
        self.opted_out: set[tuple[str, str]] = set()  # (recipient, our number)
        self.requests: list[tuple[str, str]] = []
        self.faults: list[tuple] = []
        self.lock = threading.Lock()
        self.clock = lambda: dt.datetime.now(dt.timezone.utc)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # -- test helpers ---------------------------------------------------------------------------
    def sent(self, to: str | None = None) -> list[dict]:
        """The messages we sent (to one number), oldest first."""
        return [m for m in self.messages if m["direction"] == "outbound-api" and (to is None or m["to"] == to)]

    def reply(self, sender: str, body: str, at: dt.datetime | None = None) -> dict:
        """An SMS an employee sends to our number (``at``: UTC, default now)."""
        with self.lock:
            return self._record(sender, self.number, body, "inbound", "received", at)

    def fail_next(self, status: int, times: int = 1, retry_after: str | None = None, code: int = 20429) -> None:
        self.faults.append(("fail", status, times, retry_after, code))

    def apply_then_fail(self, status: int = 500, times: int = 1) -> None:
        self.faults.append(("apply", status, times, None, 0))

    # -- the protocol ---------------------------------------------------------------------------
    def _record(self, sender: str, to: str, body: str, direction: str, status: str, at=None) -> dict:
        moment = at or self.clock()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
        message = {"sid": "SM" + uuid.uuid4().hex, "account_sid": self.sid, "from": sender, "to": to,
                   "body": body, "status": status, "direction": direction, "num_segments": "1",
                   "date_created": email.utils.format_datetime(moment.astimezone(dt.timezone.utc), usegmt=False),
                   "date_sent": email.utils.format_datetime(moment.astimezone(dt.timezone.utc), usegmt=False),
                   "date_updated": email.utils.format_datetime(moment.astimezone(dt.timezone.utc), usegmt=False),
                   "error_code": None, "error_message": None, "price": None, "api_version": "2010-04-01",
                   "uri": f"/2010-04-01/Accounts/{self.sid}/Messages/SM.json", "_at": moment}
        message["uri"] = f"/2010-04-01/Accounts/{self.sid}/Messages/{message['sid']}.json"
        if direction == "inbound":
            word = body.strip().upper()
            if word in STOP_WORDS:
                self.opted_out.add((sender, to))
            elif word in START_WORDS:
                self.opted_out.discard((sender, to))
        self.messages.append(message)
        return message

    def _fault(self):
        with self.lock:
            if not self.faults:
                return None
            kind, status, times, retry_after, code = self.faults[0]
            if times <= 1:
                self.faults.pop(0)
            else:
                self.faults[0] = (kind, status, times - 1, retry_after, code)
            return kind, status, retry_after, code

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: dict, headers: dict | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, code: int, message: str, headers: dict | None = None) -> None:
                self._send(status, {"code": code, "message": message, "status": status,
                                    "more_info": f"https://www.twilio.com/docs/errors/{code}"}, headers)

            def _authorized(self) -> bool:
                expected = "Basic " + base64.b64encode(f"{standin.sid}:{standin.token}".encode()).decode()
                if self.headers.get("Authorization") != expected:
                    self._error(401, 20003, "Authenticate")
                    return False
                return True

            def _path_ok(self, path: str) -> bool:
                if path != f"/2010-04-01/Accounts/{standin.sid}/Messages.json":
                    self._error(404, 20404, "The requested resource was not found")
                    return False
                return True

            def do_POST(self):
                split = urlsplit(self.path)
                standin.requests.append(("POST", self.path))
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                if not self._authorized() or not self._path_ok(split.path):
                    return
                if self.headers.get("Content-Type", "").split(";")[0] != "application/x-www-form-urlencoded":
                    self._error(400, 20001, "Content-Type must be application/x-www-form-urlencoded")
                    return
                form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                fault = standin._fault()
                if fault and fault[0] == "fail":
                    headers = {"Retry-After": fault[2]} if fault[2] else None
                    self._error(fault[1], fault[3], "Too Many Requests" if fault[1] == 429 else "Error", headers)
                    return
                to, sender, body = form.get("To", ""), form.get("From", ""), form.get("Body", "")
                if not to.startswith("+") or not to[1:].isdigit():
                    self._error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
                    return
                if not body:
                    self._error(400, 21602, "Message body is required.")
                    return
                with standin.lock:
                    if (to, sender) in standin.opted_out:
                        self._error(400, 21610, "Attempt to send to unsubscribed recipient")
                        return
                    message = standin._record(sender, to, body, "outbound-api", "queued")
                if fault and fault[0] == "apply":
                    self._error(fault[1], 20500, "Internal Server Error")
                    return
                self._send(201, {k: v for k, v in message.items() if not k.startswith("_")})

            def do_GET(self):
                split = urlsplit(self.path)
                standin.requests.append(("GET", self.path))
                if not self._authorized() or not self._path_ok(split.path):
                    return
                fault = standin._fault()
                if fault and fault[0] == "fail":
                    headers = {"Retry-After": fault[2]} if fault[2] else None
                    self._error(fault[1], fault[3], "Error", headers)
                    return
                query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
                with standin.lock:
                    found = list(reversed(standin.messages))
                for name, field in (("To", "to"), ("From", "from")):
                    if name in query:
                        found = [m for m in found if m[field] == query[name]]

                def day(m):
                    return m["_at"].astimezone(dt.timezone.utc).date().isoformat()

                if "DateSent" in query:
                    found = [m for m in found if day(m) == query["DateSent"]]
                if "DateSent>" in query:
                    found = [m for m in found if day(m) >= query["DateSent>"]]
                if "DateSent<" in query:
                    found = [m for m in found if day(m) <= query["DateSent<"]]
                size = max(1, min(1000, int(query.get("PageSize", 50))))
                page = int(query.get("Page", 0))
                chunk = found[page * size:(page + 1) * size]
                base = {k: v for k, v in query.items() if k not in ("Page", "PageToken")}

                def uri(n):
                    return f"{split.path}?{urlencode({**base, 'PageSize': size, 'Page': n, 'PageToken': f'PA{n}'})}"

                following = uri(page + 1) if (page + 1) * size < len(found) else None
                self._send(200, {"messages": [{k: v for k, v in m.items() if not k.startswith("_")} for m in chunk],
                                 "page": page, "page_size": size, "first_page_uri": uri(0), "uri": uri(page),
                                 "next_page_uri": following, "previous_page_uri": uri(page - 1) if page else None,
                                 "start": page * size, "end": page * size + len(chunk) - 1 if chunk else 0})

        return Handler


def wait_until(predicate, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
