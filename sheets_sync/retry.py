"""Bounded retries for the Google Sheets API, with tenacity.

Retried: HTTP 408, 429 and 5xx answers, timeouts and connection errors. Waits grow
exponentially with full jitter (``uniform(0, min(max_backoff, backoff * 2**n))``); a
``Retry-After`` header, when the server sends one, is obeyed instead, capped at
``max_backoff``. After ``max_retries`` retries the last error is re-raised.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import time
from typing import Callable

import requests
import tenacity
from google.auth import exceptions as auth_exceptions
from gspread.exceptions import APIError

TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def status_of(exc: BaseException) -> int | None:
    """The HTTP status of an API error, ``None`` for a network-level failure."""
    if isinstance(exc, APIError):
        code = getattr(exc.response, "status_code", None) or exc.code
        return int(code) if code is not None else None
    return None


def is_transient(exc: BaseException) -> bool:
    """Worth another try: throttling, a server error, a timeout or a dropped connection."""
    if isinstance(exc, APIError):
        code = status_of(exc)
        return code in TRANSIENT_STATUSES or (code is not None and code >= 500)
    return isinstance(exc, (requests.Timeout, requests.ConnectionError,
                            auth_exceptions.TransportError))


def retry_after(exc: BaseException | None) -> float | None:
    """Seconds asked by a ``Retry-After`` header (delta-seconds or HTTP date), if any."""
    response = getattr(exc, "response", None)
    value = getattr(response, "headers", {}).get("Retry-After") if response is not None else None
    return parse_retry_after(value)


def parse_retry_after(value: str | None) -> float | None:
    """A ``Retry-After`` header value (delta-seconds or HTTP date) in seconds from now."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


class _Wait(tenacity.wait.wait_base):
    """Full-jitter exponential backoff, or the server's ``Retry-After`` (both capped)."""

    def __init__(self, backoff_s: float, max_backoff_s: float) -> None:
        self.max_backoff_s = max_backoff_s
        self.jitter = tenacity.wait_random_exponential(multiplier=backoff_s, max=max_backoff_s)

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        asked = retry_after(retry_state.outcome.exception() if retry_state.outcome else None)
        if asked is not None:
            return min(asked, self.max_backoff_s)
        return self.jitter(retry_state)


def applied_for_sure_not(exc: BaseException) -> bool:
    """The request surely did not apply: throttled (429), or the connection never opened."""
    if isinstance(exc, APIError):
        return status_of(exc) == 429
    return isinstance(exc, requests.ConnectTimeout)


def retrying(max_retries: int, backoff_s: float, max_backoff_s: float,
             sleep: Callable[[float], None] = time.sleep,
             retry_if: Callable[[BaseException], bool] = is_transient) -> tenacity.Retrying:
    """A tenacity controller: ``retrying(...)(fn, *args)`` calls ``fn`` at most ``max_retries + 1``
    times, again after each error for which ``retry_if`` holds."""
    return tenacity.Retrying(
        stop=tenacity.stop_after_attempt(max(0, int(max_retries)) + 1),
        wait=_Wait(backoff_s, max_backoff_s),
        retry=tenacity.retry_if_exception(retry_if),
        sleep=sleep,
        reraise=True,
    )
