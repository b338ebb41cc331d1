"""A local IMAP4rev1 stand-in for the tests: enough of RFC 3501 for ``imaplib`` to log in, open a
folder read-only, search by date and peek at messages, over a real socket.

It keeps its messages in memory (``add``), refuses a wrong password like a real server
(``NO [AUTHENTICATIONFAILED]``), and records every command it received (``commands``), so a test
can check that reading never stores a flag.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import re
import socketserver
import threading
from email.message import EmailMessage

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class _Handler(socketserver.StreamRequestHandler):
    def send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        server: ImapStandIn = self.server.owner
        self.send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] stand-in ready")
        selected = False
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            server.commands.append(line)
            tag, _, rest = line.partition(" ")
            verb, _, args = rest.partition(" ")
            verb = verb.upper()
            if verb == "CAPABILITY":
                self.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN")
                self.send(f"{tag} OK CAPABILITY completed")
            elif verb == "LOGIN":
                user, password = [a.strip('"') for a in re.findall(r'"(?:[^"\\]|\\.)*"|\S+', args)]
                if (user, password) != (server.user, server.password):
                    self.send(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials")
                else:
                    self.send(f"{tag} OK LOGIN completed")
            elif verb in ("SELECT", "EXAMINE"):
                folder = args.strip().strip('"')
                if folder != server.folder:
                    self.send(f"{tag} NO [NONEXISTENT] Unknown folder")
                    continue
                selected = True
                self.send(f"* {len(server.messages)} EXISTS")
                self.send("* 0 RECENT")
                self.send("* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)")
                self.send("* OK [UIDVALIDITY 1] UIDs valid")
                state = "READ-ONLY" if verb == "EXAMINE" else "READ-WRITE"
                self.send(f"{tag} OK [{state}] {verb} completed")
            elif verb == "UID" and selected:
                self.uid(tag, args, server)
            elif verb == "NOOP":
                self.send(f"{tag} OK NOOP completed")
            elif verb == "LOGOUT":
                self.send("* BYE stand-in closing")
                self.send(f"{tag} OK LOGOUT completed")
                return
            else:
                self.send(f"{tag} BAD unknown or unexpected command")

    def uid(self, tag: str, args: str, server: "ImapStandIn") -> None:
        sub, _, rest = args.partition(" ")
        if sub.upper() == "SEARCH":
            found = re.search(r"SINCE (\d{1,2})-(\w{3})-(\d{4})", rest, re.IGNORECASE)
            since = dt.date(int(found.group(3)), MONTHS.index(found.group(2).title()) + 1, int(found.group(1)))
            uids = [str(uid) for uid, (day, _raw) in server.messages.items() if day >= since]
            self.send("* SEARCH" + "".join(" " + u for u in uids))
            self.send(f"{tag} OK SEARCH completed")
        elif sub.upper() == "FETCH":
            wanted, _, items = rest.partition(" ")
            peek = re.search(r"BODY\.PEEK\[\]<0\.(\d+)>", items)
            if peek is None:
                self.send(f"{tag} BAD only BODY.PEEK[]<0.N> is supported")
                return
            limit = int(peek.group(1))
            for n, uid in enumerate(sorted(server.messages), start=1):
                if str(uid) in wanted.split(","):
                    data = server.messages[uid][1][:limit]
                    self.send(f"* {n} FETCH (UID {uid} BODY[]<0> {{{len(data)}}}".encode() + b"\r\n" + data + b")")
            self.send(f"{tag} OK FETCH completed")
        else:
            self.send(f"{tag} BAD unsupported UID command")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class ImapStandIn:
    """``with ImapStandIn() as box:`` a server on 127.0.0.1, its port in ``box.port``."""

    def __init__(self, user: str = "mandats@animatis.example", password: str = "secret", folder: str = "INBOX"):
        self.user, self.password, self.folder = user, password, folder
        self.messages: dict[int, tuple[dt.date, bytes]] = {}
        self.commands: list[str] = []
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.port = self._server.server_address[1]

    def add(self, subject: str, body: str, sender: str = "direction.c001@example.org",
            day: dt.date = dt.date(2026, 11, 23), headers: dict | None = None, raw: bytes | None = None) -> int:
        """Put a reply in the folder (``headers``: more of them; ``raw``: the whole message as
        is, a delivery report say); its UID."""
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = sender, self.user, subject
        msg["Date"] = email.utils.format_datetime(dt.datetime(day.year, day.month, day.day, 10, 0,
                                                              tzinfo=dt.timezone.utc))
        for name, value in (headers or {}).items():
            msg[name] = value
        msg.set_content(body)
        uid = max(self.messages, default=0) + 1
        self.messages[uid] = (day, raw if raw is not None else msg.as_bytes())
        return uid

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
