"""The follow-up of a sent mandate, as dates: reminder, escalation, and the replies' verdicts.

A mandate ``Envoyé`` and not acknowledged goes through two more steps before its store's
deadline (the mission's date minus the store's « Délai mandat »):

- **reminder** (``relance``): an e-mail to the store that repeats the mandate, from
  ``mandates.reminder_days_before`` (3) days before the deadline, at the earliest the day after
  the mandate was sent;
- **escalation** (``escalade``): the CDBO phones the store (the stores' call list), from
  ``mandates.escalation_days_before`` (0) days before the deadline, at the earliest the day
  after the reminder.

``Accusé`` or ``Refusé`` (typed by people, or read from the store's reply) ends it. Pure: the
job sends, logs and writes.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from sheets_sync.parsing import norm

REMINDER, ESCALATION = "relance", "escalade"
STAFFED = ("Proposée", "Confirmée")


def _day(stamp: str) -> dt.date | None:
    return dt.datetime.fromisoformat(stamp).date() if stamp else None


def store_deadline(mission_date: dt.date, delay_days: float, default_delay: int) -> dt.date:
    """The day by which the store wants its mandate."""
    delay = default_delay if delay_days is None or math.isnan(delay_days) else int(delay_days)
    return mission_date - dt.timedelta(days=delay)


@dataclass(frozen=True)
class Schedule:
    """When the reminder and the escalation of one sent mandate are due."""

    deadline: dt.date
    reminder_on: dt.date
    escalation_on: dt.date | None  # None until the reminder went


def schedule(record: dict, mission_date: dt.date, delay_days: float, settings) -> Schedule | None:
    """The schedule of a mandate whose record says it was sent; ``None`` when it was not."""
    sent = _day(record.get("envoye_le", ""))
    if sent is None:
        return None
    m = settings.mandates
    deadline = store_deadline(mission_date, delay_days, m.default_delay_days)
    reminder_on = max(deadline - dt.timedelta(days=m.reminder_days_before), sent + dt.timedelta(days=1))
    reminded = _day(record.get("relance_le", ""))
    escalation_on = None
    if reminded is not None:
        escalation_on = max(deadline - dt.timedelta(days=m.escalation_days_before), reminded + dt.timedelta(days=1))
    return Schedule(deadline, reminder_on, escalation_on)


def due_step(record: dict, status: str, mission_status: str, mission_date: dt.date, delay_days: float,
             today: dt.date, settings) -> str | None:
    """``relance``, ``escalade`` or ``None``: the follow-up step due today for one mission."""
    if status != "Envoyé" or mission_status not in STAFFED or mission_date < today:
        return None
    plan = schedule(record, mission_date, delay_days, settings)
    if plan is None:
        return None
    if not record.get("relance_le"):
        return REMINDER if today >= plan.reminder_on else None
    if not record.get("escalade_le") and plan.escalation_on is not None and today >= plan.escalation_on:
        return ESCALATION
    return None


# --- the stores' replies ---------------------------------------------------------------------------

ACCEPTED, REFUSED = "Accusé", "Refusé"
UNCLEAR, IGNORED = "à lire", "ignorée"  # a reply to read (the store goes on the call list); not a reply
_QUOTE_START = re.compile(r"^(>|le .* a écrit|on .* wrote|-----\s*(message|original)|de\s*:|from\s*:)",
                          re.IGNORECASE)
# On the normalised text (lower case, no accents, ’ as '): the usual forms of a refusal...
_REFUSAL = re.compile(r"\brefus|n'?\s*accept\w* pas|\bpas d'?\s*accord|ne (pouvons|pourrons|peut|pourra) pas "
                      r"(l'|vous )?accept|\bpas (possible|autorise)|\binterdit")
# ... of an acknowledgement ...
_ACCEPT = re.compile(r"\bbien recu|\bbonne reception|\brecu\b|\baccus|\bd'?\s*accord\b|\bok\b|\bconfirm|"
                     r"\bc'?est note|\bnote\b|\bvalide|\bmerci\b|\bparfait|\bentendu|\baccept")
# ... and of a reply that asks something (a person must read it, even with a « merci »).
_ASKS = re.compile(r"\?|\bmerci de\b|\bpouv\w+[ -]vous|\bpourriez|\brappel|\bmais\b|\bsauf\b|\bmodifi|"
                   r"\bchang|\bdecal|\bautre (date|jour|heure)")
# Subjects of automatic answers: out-of-office, delivery reports.
_AUTOMATIC_SUBJECT = re.compile(r"\babsen|out of office|reponse automatique|automatic reply|auto-?reply|autoreply|"
                                r"non remis|undeliver|delivery status|echec de (la )?remise|delivery failed|"
                                r"returned mail|non distribue|delivery has failed")


def _plain(text: str) -> str:
    return norm(text.replace("\u2019", "'").replace("\u2018", "'"))


def own_text(body: str, limit: int = 40) -> str:
    """The reply's own lines: before the quoted message (``>`` lines, « Le … a écrit : »)."""
    lines = []
    for line in body.splitlines()[:200]:
        if _QUOTE_START.match(line.strip()):
            break
        lines.append(line)
        if len(lines) >= limit:
            break
    return "\n".join(lines)


def verdict(subject: str, body: str) -> str:
    """What a store's genuine reply says: ``Refusé`` when its subject or own text refuses (« refus »,
    « refusé », « nous n'acceptons pas », « pas d'accord »…); ``à lire`` when it asks something or
    says nothing recognisable (a person calls the store); else ``Accusé``."""
    own = _plain(own_text(body))
    if _REFUSAL.search(_plain(subject) + "\n" + own):
        return REFUSED
    if _ASKS.search(own) or not _ACCEPT.search(own):
        return UNCLEAR
    return ACCEPTED


@dataclass(frozen=True)
class ReplyFacts:
    """What the decision needs of one message of the mailbox."""

    sender: str  # the From address, lower case
    subject: str
    text: str
    thread: str  # In-Reply-To and References, as received
    automatic: bool  # Auto-Submitted, X-Autoreply, a delivery report, MAILER-DAEMON...


def automatic(subject: str, sender: str, headers: dict[str, str], content_type: str) -> bool:
    """Whether a message was written by a machine: ``Auto-Submitted`` other than ``no`` (RFC
    3834), ``X-Autoreply``/``X-Autorespond``, ``Precedence: auto_reply/bulk/junk``, a delivery
    report (``multipart/report``, MAILER-DAEMON, postmaster), or an out-of-office subject."""
    h = {k.lower(): str(v).strip().lower() for k, v in headers.items()}
    if h.get("auto-submitted", "no") not in ("", "no"):
        return True
    if h.get("x-autoreply") or h.get("x-autorespond") or h.get("precedence") in ("auto_reply", "bulk", "junk", "list"):
        return True
    if content_type.lower() == "multipart/report":
        return True
    local = sender.partition("@")[0].lower()
    if local in ("mailer-daemon", "postmaster", "no-reply", "noreply"):
        return True
    return bool(_AUTOMATIC_SUBJECT.search(_plain(subject)))


def sender_matches(sender: str, addresses: list[str], by_domain: bool = False) -> bool:
    """Whether a reply comes from the store: one of its addresses (the sheet's, the one the
    mandate went to), or with ``by_domain`` (``[imap] accept_store_domain``) their domain."""
    sender = sender.strip().lower()
    known = [a.strip().lower() for a in addresses if a and "@" in a]
    if not sender or "@" not in sender:
        return False
    if sender in known:
        return True
    return by_domain and sender.rpartition("@")[2] in {a.rpartition("@")[2] for a in known}


def judge(reply: ReplyFacts, addresses: list[str], by_domain: bool = False) -> tuple[str, str]:
    """The reply's effect on its mandate and why: ``ignorée`` for an automatic answer or a
    sender that is not the store (a spoofed or forwarded message changes nothing), else
    :func:`verdict`. The caller has matched it to the mandate (our Message-ID in its
    In-Reply-To/References, or the reference in its subject)."""
    if reply.automatic:
        return IGNORED, "réponse automatique ou avis de non-remise"
    if not sender_matches(reply.sender, addresses, by_domain):
        return IGNORED, f"expéditeur {reply.sender or 'inconnu'} qui n'est pas le magasin"
    said = verdict(reply.subject, reply.text)
    return said, {ACCEPTED: "accusé de réception", REFUSED: "refus",
                  UNCLEAR: "réponse à lire : le magasin est à appeler"}[said]


def message_token(reference_text: str) -> str:
    """The token of our Message-IDs for one mandate (its reference): a store's reply names it in
    In-Reply-To/References, whatever characters the N° mission holds."""
    import hashlib

    return hashlib.sha256(reference_text.upper().encode("utf-8")).hexdigest()[:20]


def message_id(reference_text: str, kind: str, domain: str) -> str:
    """Our Message-ID for one e-mail about a mandate: stable (a message sent again keeps it)."""
    return f"<mf.{message_token(reference_text)}.{kind}@{domain or 'backoffice.invalid'}>"


def thread_tokens(thread: str) -> set[str]:
    """The tokens of our Message-IDs named in a reply's In-Reply-To/References."""
    return set(re.findall(r"<mf\.([0-9a-f]{20})\.", thread or ""))


def find_reference(text: str, references: dict[str, str]) -> str | None:
    """The reference of ``references`` (upper case) found in ``text``, the longest first."""
    upper = text.upper()
    for ref in sorted(references, key=len, reverse=True):
        if ref in upper:
            return ref
    return None
