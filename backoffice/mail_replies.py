"""The stores' replies to the mandates, read from an IMAP mailbox (standard library ``imaplib``).

Optional: ``[imap] host`` empty means nothing is read. The folder is opened read-only
(``EXAMINE``) and messages are fetched with ``BODY.PEEK``, so reading never marks a message as
seen nor changes the mailbox. Only the first :data:`PEEK_BYTES` of each message of the last
``[imap] days`` days are read: the subject, the sender and the reply's first lines are enough.
"""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import imaplib
import os
import re
import ssl
from dataclasses import dataclass
from typing import Mapping

from sheets_sync.errors import BackofficeError, ConfigError

PEEK_BYTES = 65536  # of each message
MAX_MESSAGES = 2000  # the newest ones, per run
BATCH = 100  # messages per FETCH
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class MailboxError(BackofficeError):
    """The mailbox could not be read; the French message says why."""


@dataclass(frozen=True)
class Reply:
    """One message of the mailbox: who sent it, when, its subject and its text (cut), the
    messages it answers, and whether a machine wrote it."""

    uid: str
    sender: str
    subject: str
    date: str
    text: str
    address: str = ""  # the From address alone, lower case
    thread: str = ""  # In-Reply-To and References
    automatic: bool = False  # rules.mandate_followup.automatic

    def facts(self):
        """What the decision of :func:`rules.mandate_followup.judge` needs."""
        from rules.mandate_followup import ReplyFacts

        return ReplyFacts(self.address, self.subject, self.text, self.thread, self.automatic)


def _imap_date(day: dt.date) -> str:
    return f"{day.day:02d}-{_MONTHS[day.month - 1]}-{day.year}"  # RFC 3501, never the locale's month


def _text_of(msg) -> str:
    try:
        part = msg.get_body(("plain", "html"))
        if part is None:
            return ""
        text = part.get_content()
    except (KeyError, LookupError, ValueError, AttributeError):
        return ""  # a message cut by the peek, or a broken one: its subject still counts
    if part.get_content_type() == "text/html":
        text = re.sub(r"<[^>]+>", " ", text)
    return text


def _header(msg, name: str) -> str:
    try:
        return str(msg.get(name, "") or "")
    except (ValueError, TypeError, IndexError, AttributeError):  # a header no parser can read
        return ""


def _parse(uid: str, raw: bytes) -> Reply:
    from email.utils import parseaddr

    from rules.mandate_followup import automatic

    msg = email.message_from_bytes(raw, policy=email.policy.default)
    sender, subject = _header(msg, "From"), _header(msg, "Subject")
    address = parseaddr(sender)[1].strip().lower()
    headers = {name: _header(msg, name) for name in ("Auto-Submitted", "X-Autoreply", "X-Autorespond", "Precedence")}
    machine = automatic(subject, address, headers, msg.get_content_type())
    return Reply(uid, sender, subject, _header(msg, "Date"), _text_of(msg), address,
                 f"{_header(msg, 'In-Reply-To')} {_header(msg, 'References')}", machine)


class Mailbox:
    """One IMAP connection to the replies' folder; use as a context manager."""

    def __init__(self, cfg, environ: Mapping[str, str] | None = None):
        if cfg.security not in ("ssl", "starttls", "none"):
            raise ConfigError(f"[imap] security = « {cfg.security} » ; attendu ssl, starttls ou none.")
        self.cfg = cfg
        self.environ = os.environ if environ is None else environ
        self.conn: imaplib.IMAP4 | None = None

    def _where(self) -> str:
        return f"{self.cfg.host}:{self.cfg.port}"

    def __enter__(self):
        cfg = self.cfg
        password = self.environ.get(cfg.password_env, "")
        if cfg.user and not password:
            raise MailboxError(f"Mot de passe IMAP absent : définissez la variable d'environnement {cfg.password_env} "
                               f"(utilisateur {cfg.user}).")
        try:
            if cfg.security == "ssl":
                self.conn = imaplib.IMAP4_SSL(cfg.host, cfg.port, ssl_context=ssl.create_default_context(),
                                              timeout=cfg.timeout_s)
            else:
                self.conn = imaplib.IMAP4(cfg.host, cfg.port, timeout=cfg.timeout_s)
                if cfg.security == "starttls":
                    self.conn.starttls(ssl_context=ssl.create_default_context())
            if cfg.user:
                self.conn.login(cfg.user, password)
            typ, _ = self.conn.select(_quoted(cfg.folder), readonly=True)
            if typ != "OK":
                raise MailboxError(f"Boîte IMAP {self._where()} : dossier « {cfg.folder} » introuvable.")
        except MailboxError:
            self.close()
            raise
        except imaplib.IMAP4.error as err:
            self.close()
            raise MailboxError(f"Boîte IMAP {self._where()} : refus du serveur ({_said(err)}).") from None
        except UnicodeEncodeError:
            self.close()
            raise MailboxError(f"[imap] folder = « {cfg.folder} » : donnez le nom IMAP du dossier, en ASCII "
                               "(par exemple INBOX/Mandats).") from None
        except (OSError, ssl.SSLError) as err:
            self.close()
            raise MailboxError(f"Boîte IMAP {self._where()} injoignable : {err}.") from None
        return self

    def replies(self, since: dt.date) -> list[Reply]:
        """The messages received since ``since`` (the newest :data:`MAX_MESSAGES`), oldest first."""
        try:
            typ, data = self.conn.uid("SEARCH", None, "SINCE", _imap_date(since))
            if typ != "OK":
                raise MailboxError(f"Boîte IMAP {self._where()} : recherche refusée.")
            uids = (data[0] or b"").split()[-MAX_MESSAGES:]
            out: list[Reply] = []
            for start in range(0, len(uids), BATCH):
                chunk = b",".join(uids[start:start + BATCH]).decode("ascii")
                typ, data = self.conn.uid("FETCH", chunk, f"(UID BODY.PEEK[]<0.{PEEK_BYTES}>)")
                if typ != "OK":
                    raise MailboxError(f"Boîte IMAP {self._where()} : lecture des messages refusée.")
                for item in data:
                    if isinstance(item, tuple) and len(item) == 2:
                        found = re.search(rb"UID (\d+)", item[0])
                        out.append(_parse(found.group(1).decode() if found else "", item[1]))
            return out
        except imaplib.IMAP4.error as err:
            raise MailboxError(f"Boîte IMAP {self._where()} : refus du serveur ({_said(err)}).") from None
        except OSError as err:
            raise MailboxError(f"Boîte IMAP {self._where()} : connexion perdue ({err}).") from None

    def close(self) -> None:
        """Log out (or drop the connection)."""
        if self.conn is None:
            return
        try:
            self.conn.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
        self.conn = None

    def __exit__(self, *exc):
        self.close()


def _quoted(folder: str) -> str:
    """The folder as an IMAP quoted string (backslashes and quotes escaped)."""
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _said(err: Exception) -> str:
    text = err.args[0] if err.args else err
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def read_replies(cfg, since: dt.date, environ: Mapping[str, str] | None = None) -> list[Reply]:
    """The replies since ``since``; ``[]`` when no mailbox is configured."""
    if not cfg.host:
        return []
    with Mailbox(cfg, environ) as box:
        return box.replies(since)
