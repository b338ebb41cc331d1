"""SMS through Twilio's REST API (Programmable Messaging), with ``requests``.

- Send: ``POST {url}/2010-04-01/Accounts/{sid}/Messages.json``, form-encoded ``To``, ``From``,
  ``Body``, HTTP Basic authentication (account SID, auth token). Answer 201 with the Message.
- Read the replies: ``GET`` the same list with ``To`` = the agency's number and ``DateSent>`` a
  day (UTC), following ``next_page_uri`` until it is null.

Exactly once: a ``POST`` is retried only when it surely did not reach Twilio (a 429, a
connection never opened). When its answer is lost (a timeout, a 5xx), the messages sent today to
that number are read back and a message with the same body counts as sent; otherwise the send is
reported failed and the outbox row stays to do (the next run tries again). ``GET`` is retried on
429, 5xx and network errors, with full-jitter backoff and ``Retry-After`` honoured.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import os
import time
from dataclasses import dataclass
from typing import Callable, Mapping
from zoneinfo import ZoneInfo

import requests

from rules.offers import Reply
from sheets_sync.errors import BackofficeError, ConfigError
from sheets_sync.retry import parse_retry_after

from .http_retry import Transient, never_connected, retrying

PARIS = ZoneInfo("Europe/Paris")
API = "/2010-04-01/Accounts/{sid}/Messages.json"
MAX_PAGES = 50  # of up to PAGE_SIZE messages each, per reading
PAGE_SIZE = 1000
OPTED_OUT = 21610  # Twilio: « Attempt to send to unsubscribed recipient »


class SmsError(BackofficeError):
    """An SMS could not be sent or read; the French message says why."""

    def __init__(self, message: str, code: int | None = None, sure_not_sent: bool = True) -> None:
        super().__init__(message)
        self.code = code
        self.sure_not_sent = sure_not_sent



@dataclass
class Sent:
    """A message Twilio accepted."""

    sid: str
    status: str


def paris(rfc2822: str) -> dt.datetime | None:
    """Twilio's ``date_sent`` (``Mon, 07 Dec 2026 09:30:00 +0000``) as a Paris wall-clock time."""
    try:
        moment = email.utils.parsedate_to_datetime(rfc2822)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(PARIS).replace(tzinfo=None)




class TwilioClient:
    """The agency's SMS account (``[sms]``); the auth token comes from the environment."""

    def __init__(self, cfg, environ: Mapping[str, str] | None = None, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        env = os.environ if environ is None else environ
        token = env.get(cfg.auth_token_env, "")
        missing = [name for name, value in (("sms.account_sid", cfg.account_sid), ("sms.from", cfg.sender),
                                            (f"la variable d'environnement {cfg.auth_token_env}", token))
                   if not value]
        if missing:
            raise ConfigError(f"SMS (Twilio) incomplet : renseignez {', '.join(missing)}.")
        self.cfg = cfg
        self.base = cfg.url.rstrip("/")
        self.path = API.format(sid=cfg.account_sid)
        self.session = session or requests.Session()
        self.session.auth = (cfg.account_sid, token)
        self.sleep = sleep
        self.requests = 0

    # -- the wire -----------------------------------------------------------------------------
    def _request(self, method: str, url: str, **kwargs) -> requests.Response:
        self.requests += 1
        return self.session.request(method, url, timeout=self.cfg.timeout_s, **kwargs)

    @staticmethod
    def _error(response: requests.Response, what: str) -> SmsError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        code = body.get("code") if isinstance(body, dict) else None
        message = body.get("message", "") if isinstance(body, dict) else ""
        if response.status_code in (401, 403):
            return SmsError(f"{what} : Twilio refuse l'authentification (HTTP {response.status_code}) ; vérifiez "
                            "sms.account_sid et le jeton d'accès.", code)
        if code == OPTED_OUT:
            return SmsError(f"{what} : le destinataire a répondu STOP (il ne reçoit plus de SMS).", code)
        return SmsError(f"{what} : Twilio répond HTTP {response.status_code}"
                        + (f" (code {code} : {message[:200]})" if code or message else "") + ".", code)

    def _get(self, url: str, params: Mapping | None = None) -> dict:
        def once() -> dict:
            try:
                response = self._request("GET", url, params=params)
            except (requests.Timeout, requests.ConnectionError) as err:
                raise Transient(None, err) from err
            if response.status_code == 429 or response.status_code >= 500:
                raise Transient(parse_retry_after(response.headers.get("Retry-After")), f"HTTP {response.status_code}")
            if response.status_code != 200:
                raise self._error(response, "Lecture des SMS reçus")
            try:
                return response.json()
            except ValueError:
                raise SmsError("Lecture des SMS reçus : réponse de Twilio illisible (pas du JSON).") from None

        try:
            return retrying(self.cfg, self.sleep)(once)
        except Transient as err:
            raise SmsError(f"Lecture des SMS reçus : Twilio indisponible après {self.cfg.max_retries + 1} "
                           f"essais ({err}).") from None

    # -- what the jobs use ----------------------------------------------------------------------
    def send(self, to: str, body: str, today: dt.date | None = None) -> Sent:
        """Send one SMS; a :class:`SmsError` when it surely was not sent (``sure_not_sent``) or
        could not be confirmed either way."""
        url = self.base + self.path
        form = {"To": to, "From": self.cfg.sender, "Body": body}

        def once() -> requests.Response:
            try:
                response = self._request("POST", url, data=form)
            except requests.ConnectionError as err:
                if never_connected(err):
                    raise Transient(None, err) from err  # never reached Twilio: safe to try again
                raise
            if response.status_code == 429:
                raise Transient(parse_retry_after(response.headers.get("Retry-After")), "HTTP 429")
            return response

        try:
            response = retrying(self.cfg, self.sleep)(once)
        except Transient as err:
            raise SmsError(f"SMS à {to} non envoyé : Twilio indisponible ({err}).") from None
        except (requests.Timeout, requests.ConnectionError) as err:
            return self._confirm(to, body, today, f"réponse perdue ({type(err).__name__})")
        if response.status_code in (200, 201):
            try:
                message = response.json()
            except ValueError:
                return self._confirm(to, body, today, "réponse illisible")
            return Sent(str(message.get("sid", "")), str(message.get("status", "")))
        if response.status_code >= 500:
            return self._confirm(to, body, today, f"HTTP {response.status_code}")
        raise self._error(response, f"SMS à {to} non envoyé")

    def _confirm(self, to: str, body: str, today: dt.date | None, why: str) -> Sent:
        """After a lost answer: the message counts as sent when Twilio lists it."""
        day = today or dt.datetime.now(dt.timezone.utc).date()
        try:
            listed = self._get(self.base + self.path, {"To": to, "From": self.cfg.sender,
                                                       "DateSent>": (day - dt.timedelta(days=1)).isoformat(),
                                                       "PageSize": 100})
        except SmsError as err:
            raise SmsError(f"SMS à {to} : envoi incertain ({why}) et vérification impossible ({err}) ; il sera "
                           "vérifié au prochain passage.", sure_not_sent=False) from None
        for message in listed.get("messages") or []:
            if message.get("body") == body and message.get("direction", "outbound-api").startswith("outbound"):
                return Sent(str(message.get("sid", "")), str(message.get("status", "")))
        raise SmsError(f"SMS à {to} non envoyé ({why}) ; il sera renvoyé au prochain passage.")

    def was_sent(self, to: str, body: str, since: dt.date) -> Sent | None:
        """A message with this body sent to ``to`` since ``since``, if Twilio lists one."""
        listed = self._get(self.base + self.path, {"To": to, "From": self.cfg.sender,
                                                   "DateSent>": (since - dt.timedelta(days=1)).isoformat(),
                                                   "PageSize": 100})
        for message in listed.get("messages") or []:
            if message.get("body") == body:
                return Sent(str(message.get("sid", "")), str(message.get("status", "")))
        return None

    def received(self, since: dt.date) -> list[Reply]:
        """The messages received on the agency's number since ``since`` (included), oldest first."""
        url, params = self.base + self.path, {"To": self.cfg.sender,
                                              "DateSent>": (since - dt.timedelta(days=1)).isoformat(),
                                              "PageSize": PAGE_SIZE}
        out: list[Reply] = []
        for _page in range(MAX_PAGES):
            page = self._get(url, params)
            for message in page.get("messages") or []:
                if not isinstance(message, dict) or message.get("direction") != "inbound":
                    continue
                at = paris(str(message.get("date_sent") or message.get("date_created") or ""))
                if at is None or at.date() < since:
                    continue
                out.append(Reply(str(message.get("sid", "")), str(message.get("from", "")),
                                 str(message.get("body") or ""), at))
            following = page.get("next_page_uri")
            if not following:
                break
            url, params = self.base + str(following), None
        return sorted(out, key=lambda r: (r.at, r.sid))
