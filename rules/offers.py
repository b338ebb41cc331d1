"""Offers of open missions, one candidate after the other: the decisions (pure; no I/O).

The CDBO's first duty is to offer each mission to an employee who fits it and lives near the
store (the plan of ``suggest``). An offer is a short message with a code; the employee answers
« OUI <code> » or « NON <code> ». A mission goes to the plan's first candidate, then, on a
« NON » or after ``offers.reply_hours`` of silence (``offers.near_reply_hours`` when the mission
starts within ``offers.near_hours``), to the next one; after ``offers.max_candidates`` without a
yes it goes on the CDBO's call list. A « OUI » sets ``Salarié`` and ``Statut`` = ``Confirmée``.
A person who staffs or cancels the mission meanwhile always wins: the offer is withdrawn and the
candidate told. An employee who answers STOP gets no more messages.

Sources: the employee's answer within the 3 days of the sector's agreement (accord du
13/02/2006 relatif aux salariés employés en CIDD, art. 4: « le salarié dispose d'un délai de
3 jours pour accepter ») is the upper bound of ``reply_hours`` (a setting); an SMS opt-out
(« STOP ») is honoured as the CNIL and the operators' code of conduct require.

The record of a mission's offers lives in the workbook's ``État`` (``offre:<N° mission>``)::

    {"tour": 1, "etat": "en cours", "essais": [{"matricule", "adresse", "code", "envoye",
     "limite", "issue", "le", "reponse"}], "accepte_par": "", "accepte_le": "", "absent": ""}
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

KIND = "offre"  # the memory's records of the missions' offers (``État``, ``offre:<N° mission>``)

# A mission's offers: where they stand (the record's ``etat``)
ONGOING, ACCEPTED, CALL, WITHDRAWN, EXPIRED = "en cours", "acceptée", "appel", "retirée", "expirée"
# One candidate's answer (an attempt's ``issue``); "" while it waits
YES, NO, SILENT, STOPPED, CANCELLED = "oui", "non", "sans réponse", "stop", "retirée"

CODE_DIGITS = 4
_YES = ("OUI", "OK", "YES", "DACCORD", "JACCEPTE", "ACCEPTE")
_NO = ("NON", "NO", "REFUSE", "PAS DISPO", "INDISPO")
_STOP = ("STOP", "STOPSMS", "ARRET", "ARRETER", "UNSUBSCRIBE", "DESINSCRIRE", "DESABONNER")
_START = ("START", "UNSTOP", "REPRENDRE")
_WORDS = re.compile(r"[A-Z]+|\d+")

# The GSM 03.38 basic character set: a message within it fits 160 characters a segment
GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
           "¿abcdefghijklmnopqrstuvwxyzäöñüà")
SEGMENT = 160


@dataclass(frozen=True)
class Reply:
    """One message received: its id, who sent it (E.164 or an e-mail address), when (Paris wall
    clock) and its text."""

    sid: str
    sender: str
    body: str
    at: dt.datetime


@dataclass(frozen=True)
class Said:
    """What a reply says: ``oui``, ``non``, ``stop``, ``start`` or ``""``, and the code it quotes."""

    word: str
    code: str


def _plain(text: str) -> str:
    """Upper case, no accents, no apostrophes (« d'accord » -> ``DACCORD``)."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    return re.sub(r"['’`]", "", text)


def parse_reply(body: str) -> Said:
    """Read an answer: the first decisive word (any case, accents, extra words) and the first
    number of :data:`CODE_DIGITS` digits. STOP counts only as the message's first word (a
    « oui 4821, stop les relances » is a yes)."""
    plain = _plain(body)
    words = _WORDS.findall(plain)
    code = next((w for w in words if w.isdigit() and len(w) == CODE_DIGITS), "")
    letters = [w for w in words if not w.isdigit()]
    if letters and letters[0] in _STOP:
        return Said("stop", code)
    if letters and letters[0] in _START:
        return Said("start", code)
    joined = " ".join(letters)
    for word in letters:
        if word.startswith("OUI") or word in _YES:
            return Said(YES, code)
        if word.startswith("NON") or word in _NO:
            return Said(NO, code)
    if any(phrase in joined for phrase in ("PAS DISPO", "INDISPO")):
        return Said(NO, code)
    return Said("", code)


def offer_code(seed: str, taken: Iterable[str]) -> str:
    """A short code for one offer: derived from ``seed`` (region, mission, attempt, employee),
    so that two runs planning the same offer write the same text; never one of ``taken`` (the
    codes of the offers still waiting)."""
    busy = set(taken)
    n = int(hashlib.sha256(seed.encode()).hexdigest(), 16) % 9000
    for step in range(9000):
        code = str(1000 + (n + step) % 9000)
        if code not in busy:
            return code
    return str(1000 + n)


def reply_deadline(sent: dt.datetime, start: dt.datetime, reply_hours: float, near_hours: float,
                   near_reply_hours: float) -> dt.datetime:
    """When a candidate's silence passes the mission on: ``reply_hours`` after the offer, or
    ``near_reply_hours`` when the mission starts within ``near_hours``; never after its start."""
    hours = near_reply_hours if start - sent <= dt.timedelta(hours=near_hours) else reply_hours
    return min(sent + dt.timedelta(hours=hours), start)


def is_gsm7(text: str) -> bool:
    """Whether ``text`` fits the GSM-7 alphabet (160 characters a segment, else 70)."""
    return all(c in GSM7 or c in "^{}\\[~]|€" for c in text)


def gsm7(text: str) -> str:
    """``text`` with the usual French characters outside GSM-7 spelled within it (« ê » -> « e »,
    « œ » -> « oe », typographic quotes and apostrophes straightened)."""
    table = {"’": "'", "‘": "'", "«": '"', "»": '"', "œ": "oe", "Œ": "OE", "–": "-", "—": "-", "\u202f": " ",
             "\xa0": " ", "…": "..."}
    text = re.sub(r"«[\s\u202f\xa0]*", "«", re.sub(r"[\s\u202f\xa0]*»", "»", text))
    out = []
    for c in text:
        c = table.get(c, c)
        if len(c) == 1 and c not in GSM7 and c not in "^{}\\[~]|€":
            c = "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x)) or "?"
            c = c if all(x in GSM7 for x in c) else "?"
        out.append(c)
    return "".join(out)


WEEKDAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")


def _hours(minutes: float) -> str:
    h, m = divmod(int(round(minutes)), 60)
    return f"{h} h" if not m else f"{h} h {m:02d}"


def offer_text(brand: str, store: str, start: dt.datetime, end: dt.datetime, code: str, paid_minutes: float) -> str:
    """« Mission Lindt, Carrefour Cesson-Sévigné, sam. 12/12 09:00-17:00 (8 h). Répondez OUI 4821
    pour accepter ou NON 4821. » in GSM-7, the store's name shortened to keep one segment where
    it can."""
    when = f"{WEEKDAYS[start.weekday()]} {start:%d/%m} {start:%H:%M}-{end:%H:%M} ({_hours(paid_minutes)})"
    tail = f". Répondez OUI {code} pour accepter ou NON {code}."

    brand, store = gsm7(" ".join(str(brand).split())), gsm7(" ".join(str(store).split()))  # one line, GSM-7

    def text(place: str) -> str:
        return gsm7(f"Mission {brand}, {place}, {when}{tail}")

    full = text(store)
    if len(full) <= SEGMENT:
        return full
    room = SEGMENT - len(text(""))
    return text(store[:room - 1].rstrip() + ".") if room > 13 else full


def confirmation_text(brand: str, store: str, start: dt.datetime, end: dt.datetime) -> str:
    """The SMS that confirms an accepted mission."""
    return gsm7(f"C'est noté : mission {brand}, {store}, {WEEKDAYS[start.weekday()]} {start:%d/%m} "
                f"{start:%H:%M}-{end:%H:%M} confirmée. Votre contrat et le mandat suivent. Merci !")


def withdrawn_text(brand: str, start: dt.datetime, code: str) -> str:
    """The SMS that withdraws an offer a person settled meanwhile."""
    return gsm7(f"L'offre {code} (mission {brand} du {start:%d/%m}) est retirée : la mission a été pourvue "
                "ou annulée. Merci de votre disponibilité.")


def taken_text(code: str) -> str:
    """The answer to a « OUI » for a mission no longer offered to this employee."""
    return gsm7(f"Offre {code} : mission déjà pourvue, merci. Nous vous proposerons la prochaine.")


@dataclass(frozen=True)
class Mission:
    """What the decision needs of one mission."""

    key: str
    open: bool  # no Salarié, Statut empty or « À pourvoir », within offers.days, not started
    salarie: str  # the Salarié cell
    statut: str  # the Statut cell
    start: dt.datetime
    end: dt.datetime
    candidates: tuple[str, ...] = ()  # reachable candidates, the plan's first first
    absent: str = ""  # a replacement: the employee reported missing (Présence « Manquante »)


@dataclass
class Outcome:
    """What one run does for one mission."""

    record: dict
    offer: dict | None = None  # the new attempt to send
    accepted: str = ""  # the matricule to write in Salarié
    withdrawn: dict | None = None  # the attempt to tell it is withdrawn
    call: bool = False  # the mission is on the CDBO's call list
    events: list[str] = field(default_factory=list)  # what happened, in French


def _moment(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(text)[:19])
    except ValueError:
        return None


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat(sep=" ", timespec="minutes")


def pending(record: Mapping) -> dict | None:
    """The attempt still waiting for an answer, if any."""
    if record.get("etat") != ONGOING:
        return None
    return next((a for a in reversed(record.get("essais", [])) if not a.get("issue")), None)


def assign_replies(replies: Sequence[Reply], records: Mapping[str, Mapping]) -> tuple[dict, list[Reply]]:
    """Which attempt each reply answers: ``{(mission, attempt index): [replies]}``, and the
    replies that answer none (no code and not exactly one waiting offer to their sender, a code
    nobody was sent from that sender, or nothing decisive said). A reply counts only when it
    came after its offer; STOP and START are not attempts' replies (see :func:`stops`)."""
    by_code: dict[tuple[str, str], tuple[str, int]] = {}
    waiting: dict[str, list[tuple[str, int]]] = {}
    sent_at: dict[tuple[str, int], dt.datetime] = {}
    for key, record in records.items():
        for i, attempt in enumerate(record.get("essais", [])):
            who = str(attempt.get("adresse", "")).lower()
            by_code[(who, str(attempt.get("code", "")))] = (key, i)
            sent_at[(key, i)] = _moment(attempt.get("envoye", "")) or dt.datetime.min
            if record.get("etat") == ONGOING and not attempt.get("issue"):
                waiting.setdefault(who, []).append((key, i))
    out: dict[tuple[str, int], list[Reply]] = {}
    unmatched: list[Reply] = []
    for reply in sorted(replies, key=lambda r: (r.at, r.sid)):
        said = parse_reply(reply.body)
        if said.word in ("stop", "start"):
            continue
        who = reply.sender.lower()
        target = by_code.get((who, said.code)) if said.code else None
        if target is None and not said.code and len(waiting.get(who, [])) == 1:
            target = waiting[who][0]
        if target is None or not said.word or reply.at < sent_at[target]:
            unmatched.append(reply)
            continue
        out.setdefault(target, []).append(reply)
    return out, unmatched


def stops(replies: Sequence[Reply], known: Mapping[str, bool]) -> dict[str, tuple[bool, dt.datetime]]:
    """Each sender's opt-out after these replies, from ``known`` (sender -> stopped): the last
    STOP or START of each sender decides. Only the senders whose state changes are returned."""
    out: dict[str, tuple[bool, dt.datetime]] = {}
    for reply in sorted(replies, key=lambda r: (r.at, r.sid)):
        word = parse_reply(reply.body).word
        if word in ("stop", "start"):
            out[reply.sender.lower()] = (word == "stop", reply.at)
    return {who: v for who, v in out.items() if bool(known.get(who)) != v[0]}


@dataclass(frozen=True)
class Limits:
    """The settings the decision reads (``[offers]``)."""

    reply_hours: float = 24.0
    near_hours: float = 48.0
    near_reply_hours: float = 3.0
    max_candidates: int = 3
    urgent_reply_minutes: float = 30.0  # a replacement's time to answer (the mission has begun)


def decide(mission: Mission, record: Mapping, answers: Mapping[int, Sequence[Reply]], now: dt.datetime,
           limits: Limits, taken_codes: set[str], region: str, busy: Mapping[str, Sequence[tuple]] = {}) -> Outcome:
    """One mission's offers after this run: the record, and what to send or write.

    ``answers`` are the replies :func:`assign_replies` gave to each attempt of the record;
    ``taken_codes`` the codes of the offers waiting elsewhere (a new code avoids them, and is
    added); ``busy`` each employee's offers and missions of this run, as (start, end), which a
    new offer must not overlap."""
    rec = {**record, "essais": [dict(a) for a in record.get("essais", [])]}
    out = Outcome(rec)
    state = rec.get("etat", "")
    current = pending(rec)
    if state == ONGOING and current is not None:
        index = rec["essais"].index(current)
        said, reply = next(((word, r) for r in answers.get(index, ())
                            if (word := parse_reply(r.body).word) in (YES, NO)), ("", None))
        if not mission.open:
            _withdraw(out, current, mission, now)
            return out
        if said == YES:
            current.update(issue=YES, le=_stamp(reply.at), reponse=reply.sid)
            rec.update(etat=ACCEPTED, accepte_par=current["matricule"], accepte_le=_stamp(reply.at))
            out.accepted = current["matricule"]
            out.events.append(f"{current['matricule']} a accepté")
            return out
        if said == NO:
            current.update(issue=NO, le=_stamp(reply.at), reponse=reply.sid)
            out.events.append(f"{current['matricule']} a refusé")
        elif now >= (_moment(current.get("limite", "")) or now):
            current.update(issue=SILENT, le=_stamp(now))
            out.events.append(f"{current['matricule']} sans réponse")
        else:
            return out  # still waiting
    elif state == ONGOING and current is None and not mission.open:
        rec["etat"] = EXPIRED
        return out
    elif state == CALL and not mission.open:  # a person staffed or cancelled it: the call list is done
        rec["etat"] = WITHDRAWN
        rec["retrait"] = "mission annulée" if mission.statut == "Annulée" else (
            f"Salarié « {mission.salarie} » saisi" if mission.salarie else "mission modifiée")
        return out
    elif state in (ACCEPTED, WITHDRAWN, EXPIRED, ""):
        if not mission.open:
            return out
        if state:  # open again (a person emptied the Salarié, or a new absence): a new round
            history = list(rec.get("historique", []))[-5:] + [{k: rec.get(k) for k in ("tour", "etat", "essais")}]
            rec = {"tour": int(rec.get("tour", 1)) + 1, "historique": history, "essais": []}
            out.record = rec
        else:
            rec.update(tour=1, essais=[])
    elif state == CALL:
        out.call = True
        return out
    _next(out, mission, now, limits, taken_codes, region, busy)
    return out


def _withdraw(out: Outcome, current: dict, mission: Mission, now: dt.datetime) -> None:
    """The mission is no longer to offer (a person staffed or cancelled it, or it started)."""
    rec = out.record
    started = now >= (mission.end if mission.absent else mission.start)  # a replacement's mission has begun
    current.update(issue=CANCELLED, le=_stamp(now))
    rec["etat"] = EXPIRED if started and not mission.salarie else WITHDRAWN
    if not started and mission.salarie != current["matricule"]:
        out.withdrawn = current  # a person gave it to another, or cancelled it: tell the candidate
    why = "mission commencée" if started else ("mission annulée" if mission.statut == "Annulée"
                                               else f"Salarié « {mission.salarie} » saisi" if mission.salarie
                                               else "mission modifiée")
    rec["retrait"] = why
    out.events.append(f"offre à {current['matricule']} retirée : {why}")


def _overlaps(spans: Sequence[tuple], start: dt.datetime, end: dt.datetime) -> bool:
    return any(a < end and start < b for a, b in spans)


def _next(out: Outcome, mission: Mission, now: dt.datetime, limits: Limits, taken_codes: set[str], region: str,
          busy: Mapping[str, Sequence[tuple]]) -> None:
    """Offer the mission to the next candidate of the plan, or put it on the call list."""
    rec = out.record
    tried = {a["matricule"] for a in rec["essais"]}
    if len(rec["essais"]) >= limits.max_candidates:
        rec["etat"] = CALL
        out.call = True
        out.events.append(f"aucun oui après {len(rec['essais'])} candidat(s) : à appeler")
        return
    choice = next((c for c in mission.candidates
                   if c not in tried and not _overlaps(busy.get(c, ()), mission.start, mission.end)), None)
    if choice is None:
        rec["etat"] = CALL if rec["essais"] else ""
        out.call = True
        out.events.append("plus de candidat à qui proposer : à appeler" if rec["essais"]
                          else "aucun candidat joignable : à appeler")
        return
    n = len(rec["essais"]) + 1
    code = offer_code(f"{region}|{mission.key}|{rec.get('tour', 1)}|{n}|{choice}", taken_codes)
    taken_codes.add(code)
    attempt = {"matricule": choice, "code": code, "envoye": _stamp(now), "issue": "", "le": "", "reponse": "",
               "limite": _stamp(min(now + dt.timedelta(minutes=limits.urgent_reply_minutes), mission.end)
                                if mission.absent else
                                reply_deadline(now, mission.start, limits.reply_hours, limits.near_hours,
                                               limits.near_reply_hours))}
    rec["essais"].append(attempt)
    rec["etat"] = ONGOING
    if mission.absent:
        rec["absent"] = mission.absent
    out.offer = attempt
    out.events.append(f"proposée à {choice}")


def _day(text: str) -> str:
    moment = _moment(text)
    return f"{moment:%d/%m %H:%M}" if moment else str(text)


def cell_text(record: Mapping, via: str = "SMS") -> str:
    """The ``Offre`` cell: where the mission's offers stand, at a glance."""
    essais = record.get("essais", [])
    before = ", ".join(f"{a['matricule']} {a['issue']}" for a in essais if a.get("issue"))
    state = record.get("etat", "")
    current = pending(record)
    if state == ONGOING and current is not None:
        text = (f"proposée à {current['matricule']} le {_day(current['envoye'])} ({via}), réponse attendue avant "
                f"{_day(current['limite'])}")
        return text + (f" — avant : {before}" if before else "")
    if state == ACCEPTED:
        return f"acceptée par {record.get('accepte_par', '')} le {_day(record.get('accepte_le', ''))} ({via})"
    if state == CALL:
        return (f"sans oui après {len(essais)} candidat(s) ({before}) : à appeler" if essais
                else "aucun candidat joignable : à appeler")
    if state == WITHDRAWN:
        gone = [a["matricule"] for a in essais if a.get("issue") == CANCELLED]
        others = ", ".join(f"{a['matricule']} {a['issue']}" for a in essais if a.get("issue") not in ("", CANCELLED))
        return (f"offre{' à ' + gone[-1] if gone else ''} retirée ({record.get('retrait', '')})"
                + (f" — avant : {others}" if others else ""))
    if state == EXPIRED:
        return "offre close : mission commencée" + (f" — {before}" if before else "")
    return ""


def offered_since(record: Mapping, employee: str) -> str:
    """When the mission was first offered to ``employee`` (``""`` never): the acceptance delay
    of the agreement (3 days) counts from the real offer, not from the day a person typed
    « Proposée »."""
    sent = [str(a.get("envoye", "")) for a in record.get("essais", []) if a.get("matricule") == employee]
    return min((s for s in sent if s), default="")


def late_yeses(answers: Mapping[tuple[str, int], Sequence[Reply]], records: Mapping[str, Mapping]
               ) -> list[tuple[str, dict, Reply]]:
    """The « OUI » that came for an offer no longer open to its sender (declined, passed on,
    withdrawn, or the mission taken): each gets « déjà pourvue » once (the reply's id names the
    effect). The « OUI » that accepted, and a second one of the same employee, get nothing."""
    out = []
    for (key, index), replies in answers.items():
        record = records.get(key, {})
        essais = record.get("essais", [])
        if index >= len(essais):
            continue
        attempt = essais[index]
        if not attempt.get("issue") or attempt.get("issue") == YES:
            continue
        for reply in replies:
            if parse_reply(reply.body).word == YES and reply.sid != attempt.get("reponse"):
                out.append((key, attempt, reply))
    return out
