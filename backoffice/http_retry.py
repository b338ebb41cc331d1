"""Bounded retries for the REST clients (Twilio, Yousign): full-jitter exponential backoff, or
the server's ``Retry-After`` when it sends one (both capped at ``max_backoff_s``), at most
``max_retries`` more tries. A client raises :class:`Transient` for what is worth another try
(never for a request that may have landed)."""
from __future__ import annotations

from typing import Callable

import requests
import tenacity


class Transient(Exception):
    """A failure worth another try: throttled, a server error on a read, the network; ``wait``
    is the server's ``Retry-After`` in seconds, when it gave one."""

    def __init__(self, wait: float | None, cause) -> None:
        super().__init__(str(cause))
        self.wait = wait


def retrying(cfg, sleep: Callable[[float], None]) -> tenacity.Retrying:
    """A tenacity controller for ``cfg`` (``max_retries``, ``backoff_s``, ``max_backoff_s``)."""
    jitter = tenacity.wait_random_exponential(multiplier=cfg.backoff_s, max=cfg.max_backoff_s)

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = getattr(exc, "wait", None)
        return min(asked, cfg.max_backoff_s) if asked is not None else jitter(state)

    return tenacity.Retrying(stop=tenacity.stop_after_attempt(max(0, cfg.max_retries) + 1), wait=wait,
                             retry=tenacity.retry_if_exception_type(Transient), sleep=sleep, reraise=True)


def never_connected(err: BaseException) -> bool:
    """A connection that never opened (refused, unknown host, connect timeout): the request
    surely did not reach the server, so trying again cannot do it twice."""
    if isinstance(err, requests.ConnectTimeout):
        return True
    text = repr(err)
    return "NewConnectionError" in text or "Connection refused" in text or "NameResolutionError" in text
