"""Client of the French national address geocoder (Géoplateforme), batch CSV endpoint.

One multipart POST per batch: ``data`` = a CSV file (``ref,adresse,code_postal,ville``),
``columns=adresse`` and ``columns=ville`` (the text searched) and ``postcode=code_postal``
(a filter: it avoids homonym towns). The answer is the same CSV with ``latitude``,
``longitude``, ``result_label``, ``result_score`` (0–1), ``result_status`` (``ok`` /
``not-found`` / ``skipped`` / ``error``) … added.

Bounded retries (tenacity): HTTP 429 (its ``Retry-After`` obeyed), 5xx, timeouts and dropped
connections; waits are capped at ``max_wait_s``; after ``max_retries`` retries a
:class:`GeocoderError` says what happened.
"""
from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass
from typing import Callable, Iterable

import requests
import tenacity

from sheets_sync.errors import BackofficeError
from sheets_sync.retry import parse_retry_after

FIELDS = ("ref", "adresse", "code_postal", "ville")


class GeocoderError(BackofficeError):
    """The geocoder could not be reached or answered something unreadable."""


@dataclass(frozen=True)
class Address:
    """One address to geocode, with the caller's id of its row."""
    ref: str  # the caller's id of the row, sent and read back
    street: str
    postcode: str
    city: str

    @property
    def text(self) -> str:
        """The address on one line, as the geocoder reads it."""
        return " ".join(p for p in (self.street, self.postcode, self.city) if p)


@dataclass(frozen=True)
class Answer:
    """The geocoder's answer for one address: a status, and the point when found."""
    ref: str
    status: str  # ok / not-found / skipped / error / missing (no line for this ref)
    latitude: float | None = None
    longitude: float | None = None
    score: float | None = None
    label: str = ""


class _Transient(Exception):
    def __init__(self, what: str, retry_after: float | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.retry_after = retry_after


class Geocoder:
    """Batch geocoding over HTTP; ``session`` and ``sleep`` can be injected."""

    def __init__(self, url: str, timeout_s: float = 60.0, max_retries: int = 3, max_wait_s: float = 30.0,
                 backoff_s: float = 1.0, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.max_wait_s = max_wait_s
        self.backoff_s = backoff_s
        self.session = session or requests.Session()
        self.sleep = sleep
        self.requests = 0

    def geocode(self, addresses: Iterable[Address]) -> dict[str, Answer]:
        """Answers by ``ref``, for every address (one HTTP request for the whole batch)."""
        addresses = list(addresses)
        if not addresses:
            return {}
        body = io.StringIO()
        writer = csv.writer(body, lineterminator="\n")
        writer.writerow(FIELDS)
        for a in addresses:
            writer.writerow([a.ref, a.street, a.postcode, a.city])
        payload = body.getvalue().encode("utf-8")

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            asked = getattr(exc, "retry_after", None)
            base = asked if asked is not None else self.backoff_s * 2 ** (state.attempt_number - 1)
            return min(self.max_wait_s, base)

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Transient),
            stop=tenacity.stop_after_attempt(self.max_retries + 1),
            wait=wait, sleep=self.sleep, reraise=True,
        )
        try:
            text = retrying(self._post, payload)
        except _Transient as err:
            raise GeocoderError(
                f"Géocodeur {self.url} indisponible après {self.max_retries + 1} essai(s) ({err.what}). "
                "Réessayez plus tard.") from None
        return self._parse(text, [a.ref for a in addresses])

    def _post(self, payload: bytes) -> str:
        self.requests += 1
        try:
            response = self.session.post(
                self.url,
                files={"data": ("adresses.csv", payload, "text/csv")},
                data=[("columns", "adresse"), ("columns", "ville"), ("postcode", "code_postal")],
                timeout=self.timeout_s,
            )
        except requests.Timeout:
            raise _Transient(f"pas de réponse en {self.timeout_s:g} s") from None
        except requests.ConnectionError as err:
            raise _Transient(f"connexion impossible : {type(err).__name__}") from None
        if response.status_code == 429:
            raise _Transient("HTTP 429, trop de requêtes", parse_retry_after(response.headers.get("Retry-After")))
        if response.status_code >= 500:
            raise _Transient(f"HTTP {response.status_code}", parse_retry_after(response.headers.get("Retry-After")))
        if response.status_code != 200:
            raise GeocoderError(f"Géocodeur {self.url} : HTTP {response.status_code} "
                                f"({response.text[:200].strip()}).")
        return response.content.decode("utf-8-sig", errors="replace")

    def _parse(self, text: str, refs: list[str]) -> dict[str, Answer]:
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
        needed = {"ref", "latitude", "longitude", "result_score"}
        if not needed <= set(reader.fieldnames or ()):
            raise GeocoderError(f"Géocodeur {self.url} : réponse inattendue (colonnes "
                                f"{', '.join(reader.fieldnames or ()) or 'aucune'}).")
        out: dict[str, Answer] = {}
        for row in reader:
            ref = row.get("ref", "")
            status = (row.get("result_status") or "").strip() or ("ok" if row.get("latitude") else "not-found")
            out[ref] = Answer(ref, status, _float(row.get("latitude")), _float(row.get("longitude")),
                              _float(row.get("result_score")), (row.get("result_label") or "").strip())
        for ref in refs:
            out.setdefault(ref, Answer(ref, "missing"))
        return out


def _float(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None
