"""Electronic signature through Yousign's API v3 (developers.yousign.com), with ``requests``.

A contract's signature request goes through, each step resumable:

1. ``GET /signature_requests?external_id[eq]=<reference>``: one made already (by a run that died,
   or another run) is continued, never made twice;
2. ``POST /signature_requests`` (JSON: ``name``, ``delivery_mode`` ``email``, ``timezone``,
   ``external_id``) -> ``draft``;
3. ``POST /signature_requests/{id}/documents`` (multipart: ``file`` the PDF, ``nature``
   ``signable_document``, ``parse_anchors`` ``true``: the template's smart anchor
   ``{{s1|signature|184|80}}`` places the employee's signature);
4. ``POST /signature_requests/{id}/signers`` (``info``: first and last name, e-mail, mobile in
   E.164, ``locale`` ``fr``; ``signature_level`` ``electronic_signature``;
   ``signature_authentication_mode``);
5. ``POST /signature_requests/{id}/activate`` -> ``ongoing``.

Later runs read ``GET /signature_requests/{id}``; once ``done``, ``GET …/documents/download``
gives the signed PDF. Authentication: ``Authorization: Bearer <key>``, the key in the
environment. ``GET`` is retried on 429, 5xx and network errors (``Retry-After`` honoured);
a ``POST`` only on a 429 or a connection that never opened: the lookup by ``external_id`` makes
the sequence safe to run again after any other failure.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, Mapping

import requests

from sheets_sync.errors import BackofficeError, ConfigError
from sheets_sync.retry import parse_retry_after

from .http_retry import Transient, never_connected, retrying


class YousignError(BackofficeError):
    """A signature request could not be made or read; the French message says why."""



class YousignClient:
    """The agency's Yousign account (``[yousign]``)."""

    def __init__(self, cfg, environ: Mapping[str, str] | None = None, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        env = os.environ if environ is None else environ
        key = env.get(cfg.api_key_env, "")
        if not key:
            raise ConfigError(f"Yousign : clé d'API absente ; définissez la variable d'environnement {cfg.api_key_env}.")
        self.cfg, self.base, self.sleep = cfg, cfg.url.rstrip("/"), sleep
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {key}"
        self.requests = 0

    # -- the wire -----------------------------------------------------------------------------
    def _call(self, method: str, path: str, what: str, *, ok=(200, 201), **kwargs) -> requests.Response:
        url = self.base + path

        def once() -> requests.Response:
            self.requests += 1
            try:
                response = self.session.request(method, url, timeout=self.cfg.timeout_s, **kwargs)
            except (requests.Timeout, requests.ConnectionError) as err:
                if method == "GET" or never_connected(err):
                    raise Transient(None, err) from err
                raise YousignError(f"{what} : réponse de Yousign perdue ({type(err).__name__}) ; la demande "
                                   "est reprise au prochain passage.") from None
            if response.status_code == 429 or (method == "GET" and response.status_code >= 500):
                raise Transient(parse_retry_after(response.headers.get("Retry-After")), f"HTTP {response.status_code}")
            return response

        try:
            response = retrying(self.cfg, self.sleep)(once)
        except Transient as err:
            raise YousignError(f"{what} : Yousign indisponible après {self.cfg.max_retries + 1} essais ({err}).") from None
        if response.status_code not in ok:
            raise YousignError(f"{what} : {self._said(response)}")
        return response

    @staticmethod
    def _said(response: requests.Response) -> str:
        if response.status_code in (401, 403):
            return f"Yousign refuse la clé d'API (HTTP {response.status_code}) ; vérifiez-la."
        try:
            body = response.json()
        except ValueError:
            body = {}
        detail = body.get("detail") or body.get("message") or body.get("title") if isinstance(body, dict) else ""
        return f"Yousign répond HTTP {response.status_code}" + (f" ({str(detail)[:200]})" if detail else "") + "."

    def _json(self, response: requests.Response, what: str):
        try:
            return response.json()
        except ValueError:
            raise YousignError(f"{what} : réponse de Yousign illisible (pas du JSON).") from None

    # -- what the jobs use ----------------------------------------------------------------------
    def find(self, external_id: str) -> dict | None:
        """The signature request made for this reference, if any (the newest not canceled)."""
        what = f"Recherche de la demande {external_id}"
        body = self._json(self._call("GET", "/signature_requests", what,
                                     params={"external_id[eq]": external_id, "limit": 100}), what)
        found = [r for r in (body.get("data") or []) if isinstance(r, dict) and r.get("external_id") == external_id]
        live = [r for r in found if r.get("status") not in ("canceled", "deleted")]
        return (live or found or [None])[-1]

    def get(self, request_id: str) -> dict:
        what = f"Lecture de la demande de signature {request_id}"
        return self._json(self._call("GET", f"/signature_requests/{request_id}", what), what)

    def request_signature(self, external_id: str, name: str, pdf: Path, signer: Mapping[str, str]) -> dict:
        """Make (or finish) the signature request of one contract; the request, ``ongoing``."""
        what = f"Demande de signature {external_id}"
        request = self.find(external_id)
        fresh = request is None  # made now: no document nor signer yet, nothing to ask
        if fresh:
            request = self._json(self._call("POST", "/signature_requests", what, json={
                "name": name[:128], "delivery_mode": "email", "timezone": "Europe/Paris",
                "external_id": external_id}), what)
        if request.get("status") != "draft":
            return request  # activated already (a run that died after activating it)
        rid = request["id"]
        documents = [] if fresh else request.get("documents") or self._json(
            self._call("GET", f"/signature_requests/{rid}/documents", what), what)
        if not documents:
            with open(pdf, "rb") as fh:
                self._call("POST", f"/signature_requests/{rid}/documents", what,
                           files={"file": (pdf.name, fh, "application/pdf")},
                           data={"nature": "signable_document", "parse_anchors": "true"})
        signers = [] if fresh else request.get("signers") or self._json(
            self._call("GET", f"/signature_requests/{rid}/signers", what), what)
        if not signers:
            info = {"first_name": signer["first_name"], "last_name": signer["last_name"], "email": signer["email"],
                    "locale": "fr"}
            if signer.get("phone"):
                info["phone_number"] = signer["phone"]
            mode = self.cfg.authentication if signer.get("phone") or self.cfg.authentication != "otp_sms" else "otp_email"
            self._call("POST", f"/signature_requests/{rid}/signers", what, json={
                "info": info, "signature_level": "electronic_signature", "signature_authentication_mode": mode})
        return self._json(self._call("POST", f"/signature_requests/{rid}/activate", what), what)

    def download(self, request_id: str) -> bytes:
        """The signed document of a ``done`` request (a PDF)."""
        what = f"Téléchargement du contrat signé {request_id}"
        return self._call("GET", f"/signature_requests/{request_id}/documents/download", what).content

    def cancel(self, request_id: str, note: str) -> None:
        """Cancel a request still running (its contract was made again)."""
        self._call("POST", f"/signature_requests/{request_id}/cancel", f"Annulation de la demande {request_id}",
                   json={"reason": "contractualization_aborted", "custom_note": note[:255]})
