"""How offers reach the employees and their answers come back: SMS (Twilio) or, without
``[sms]``, e-mail (SMTP) with the answers read over IMAP like the stores' replies."""
from __future__ import annotations

import datetime as dt
import re

from generators.mail import MandateMailer, SendError, _message
from rules.offers import CODE_DIGITS, Reply
from sheets_sync.errors import BackofficeError

from .mail_replies import MailboxError, read_replies
from .sms import OPTED_OUT, SmsError, TwilioClient, paris


class ChannelError(BackofficeError):
    """A message could not be sent (``stopped``: the recipient opted out; ``sure_not_sent``:
    trying again cannot double it)."""

    def __init__(self, message: str, stopped: bool = False, sure_not_sent: bool = True) -> None:
        super().__init__(message)
        self.stopped = stopped
        self.sure_not_sent = sure_not_sent


class SmsChannel:
    """Offers by SMS through Twilio."""

    via = "SMS"
    column = "Téléphone"

    def __init__(self, settings, environ=None) -> None:
        self.client = TwilioClient(settings.sms, environ)

    def replies(self, since: dt.date) -> list[Reply]:
        try:
            return self.client.received(since)
        except SmsError as err:
            raise ChannelError(str(err)) from None

    def already_sent(self, to: str, body: str, since: dt.date) -> bool:
        """Whether Twilio lists this very message as sent (a run that died before recording it)."""
        try:
            return self.client.was_sent(to, body, since) is not None
        except SmsError as err:
            raise ChannelError(f"vérification impossible avant de renvoyer : {err}") from None

    def send(self, to: str, body: str, subject: str = "", message_id: str = "", today: dt.date | None = None) -> str:
        try:
            return self.client.send(to, body, today).sid
        except SmsError as err:
            raise ChannelError(str(err), stopped=err.code == OPTED_OUT, sure_not_sent=err.sure_not_sent) from None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.client.session.close()


_QUOTE = re.compile(r"^\s*(>|Le .{0,200} a écrit|On .{0,200} wrote|-----|De\s*:|From\s*:)", re.M)


def own_text(text: str) -> str:
    """An e-mail reply's own words, before the quoted offer (which says « OUI » and « NON »)."""
    match = _QUOTE.search(text or "")
    return (text or "")[:match.start()] if match else (text or "")


class MailChannel:
    """Offers by e-mail; the answers are the replies in the ``[imap]`` mailbox."""

    via = "e-mail"
    column = "Email"

    def __init__(self, settings, reply_to: str = "") -> None:
        self.settings = settings
        self.sender = settings.smtp.sender or settings.agency.email
        self.reply_to = reply_to or self.sender
        self.mailer = MandateMailer(settings.smtp)

    def replies(self, since: dt.date) -> list[Reply]:
        try:
            found = read_replies(self.settings.imap, since)
        except MailboxError as err:
            raise ChannelError(str(err)) from None
        out = []
        for reply in found:
            if reply.automatic:
                continue  # an out-of-office or a bounce never answers an offer
            text = own_text(reply.text)
            if not re.search(rf"\b\d{{{CODE_DIGITS}}}\b", text):
                code = re.search(rf"\b(\d{{{CODE_DIGITS}}})\b", reply.subject or "")
                text = f"{text} {code.group(1)}" if code else text
            at = paris(reply.date)
            if at is None:
                continue
            out.append(Reply(f"mail:{reply.uid}", reply.address, text.strip(), at))
        return out

    def already_sent(self, to: str, body: str, since: dt.date) -> bool:
        """A mail server cannot be asked: the message goes again, with the same Message-ID."""
        return False

    def send(self, to: str, body: str, subject: str = "", message_id: str = "", today: dt.date | None = None) -> str:
        try:
            self.mailer.send(_message(subject or "Offre de mission", body, self.sender, to, self.reply_to,
                                      message_id=message_id))
        except SendError as err:
            raise ChannelError(str(err), sure_not_sent=self.mailer.conn is None or "refusé" in str(err)) from None
        return message_id

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.mailer.close()


def channel(settings, region=None):
    """The region's channel: SMS when ``[sms] account_sid`` is set, else e-mail, whose answers
    are read in the ``[imap]`` mailbox (without one, no answer could ever count: refused)."""
    if settings.sms.account_sid:
        return SmsChannel(settings)
    if not settings.imap.host:
        from sheets_sync.errors import ConfigError

        raise ConfigError("Offres : ni SMS ni boîte de réponses. Renseignez [sms] (Twilio : account_sid, from, "
                          "le jeton dans BACKOFFICE_SMS_AUTH_TOKEN), ou [imap] pour lire les réponses aux offres "
                          "envoyées par e-mail.")
    return MailChannel(settings, getattr(region, "officer_email", "") or settings.agency.email)
