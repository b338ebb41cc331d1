"""E-mails of the mandates to the stores, over SMTP (standard library ``smtplib``).

One connection per batch: :class:`MandateMailer` opens it on first use (STARTTLS, SSL or
plain, per ``[smtp] security``), logs in when ``[smtp] user`` is set with the password read
from the environment variable named by ``[smtp] password_env`` (never from a file in the
repo), and sends one message per mandate.
"""
from __future__ import annotations

import mimetypes
import os
import smtplib
import ssl
from email.errors import MessageError
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Mapping

from rules.mandate_followup import message_id
from rules.mandates import store_label
from sheets_sync.errors import BackofficeError, ConfigError
from sheets_sync.faults import fault_point

from .files import one_line


class SendError(BackofficeError):
    """One message could not be sent; the French message says why."""


def _names(context: Mapping[str, str]) -> tuple[str, str, str, str]:
    """The brand, the employee, the store and the date as the messages say them."""
    person = f"{context['salarie_prenom']} {context['salarie_nom']}".strip()
    store = store_label(context["magasin_enseigne"], context["magasin_nom"])
    return context["marque_nom"], person, store, context["mission_date"]


def _message(subject: str, body: str, sender: str, recipient: str, reply_to: str = "",
             attachment: Path | None = None, message_id: str = "") -> EmailMessage:
    """One message; every header made one line (:func:`one_line`: a name typed with Alt+Enter
    in the sheet must not break the headers); ``message_id``: a Message-ID derived from the
    outbox row (a resent message keeps it), else a fresh one."""
    msg = EmailMessage()
    try:
        msg["Subject"] = one_line(subject)
        msg["From"] = one_line(sender)
        msg["To"] = one_line(recipient)
        if reply_to:
            msg["Reply-To"] = one_line(reply_to)
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = message_id or make_msgid(domain=one_line(sender).rpartition("@")[2] or None)
    except (ValueError, TypeError, IndexError, MessageError) as err:
        raise SendError(f"message impossible à composer (adresse ou objet invalide : {err}).") from None
    msg.set_content(body)
    if attachment is not None:
        ctype = mimetypes.guess_type(attachment.name)[0] or "application/octet-stream"
        main, sub = ctype.split("/", 1)
        msg.add_attachment(attachment.read_bytes(), maintype=main, subtype=sub, filename=attachment.name)
    return msg


def _signature(context: Mapping[str, str]) -> str:
    return f"Bien cordialement,\n\n{context['agence_nom']}\n{context['agence_telephone']}\n"


def _mandate_text(context: Mapping[str, str]) -> str:
    brand, person, store, date = _names(context)
    operation = context.get("mission_operation")
    return (f"le mandat de la marque {brand} ({context['marque_raison_sociale']}) autorisant {person}, salarié(e) de "
            f"{context['agence_nom']}, à intervenir dans votre magasin {store} (code {context['magasin_code']}) le "
            f"{context.get('mission_date_longue') or date} de {context['mission_debut']} à {context['mission_fin']}"
            f"{' pour l’opération « ' + operation + ' »' if operation else ''}")


def mandate_message(context: Mapping[str, str], sender: str, recipient: str, attachment: Path,
                    reply_to: str = "", replaces: str = "") -> EmailMessage:
    """The French e-mail for one mandate, with the document attached; ``replaces``: the
    reference of the mandate it replaces (said in the subject and the body)."""
    brand, person, store, date = _names(context)
    subject = f"Mandat {brand} — {person} — {store} — {date} — {context['reference']}"  # a reply keeps it
    replaced = ""
    if replaces:
        subject += f" (remplace {replaces})"
        replaced = (f"Ce mandat remplace le mandat de référence {replaces}, qui n'est plus valable : "
                    "merci de ne garder que celui-ci.\n\n")
    body = ("Madame, Monsieur,\n\n"
            f"Veuillez trouver ci-joint {_mandate_text(context)}.\n\n"
            f"Référence du mandat : {context['reference']} (mission {context['mission_numero']}).\n\n"
            f"{replaced}"
            "Merci de nous confirmer sa bonne réception en répondant à ce message.\n\n" + _signature(context))
    return _message(subject, body, sender, recipient, reply_to, attachment,
                    _our_id(context, "mandat", sender))


def _our_id(context: Mapping[str, str], kind: str, sender: str) -> str:
    """The stable Message-ID of one e-mail about a mandate: a store's reply names it."""
    return message_id(context["reference"], kind, one_line(sender).rpartition("@")[2])


def reminder_message(context: Mapping[str, str], sender: str, recipient: str, attachment: Path,
                     sent_on: str, deadline: str, reply_to: str = "") -> EmailMessage:
    """The reminder to a store that has not acknowledged its mandate: the mandate again."""
    brand, person, store, date = _names(context)
    body = ("Madame, Monsieur,\n\n"
            f"Nous vous avons adressé le {sent_on} {_mandate_text(context)}, et n'avons pas encore reçu votre "
            "accusé de réception. Vous le trouverez de nouveau ci-joint.\n\n"
            f"Référence du mandat : {context['reference']} (mission {context['mission_numero']}).\n\n"
            f"Merci de nous confirmer sa bonne réception avant le {deadline} en répondant à ce message.\n\n"
            + _signature(context))
    return _message(f"Rappel : mandat {brand} — {person} — {store} — {date} — {context['reference']}", body,
                    sender, recipient, reply_to, attachment, _our_id(context, "relance", sender))


def cancellation_message(context: Mapping[str, str], sender: str, recipient: str,
                         reply_to: str = "") -> EmailMessage:
    """The store is told that the mission is cancelled and its mandate no longer valid."""
    brand, person, store, date = _names(context)
    body = ("Madame, Monsieur,\n\n"
            f"La mission du {context.get('mission_date_longue') or date} de {context['mission_debut']} à "
            f"{context['mission_fin']} dans votre magasin {store} (code {context['magasin_code']}) pour la marque "
            f"{brand} est annulée. {person} ne se présentera pas.\n\n"
            f"Le mandat de référence {context['reference']} (mission {context['mission_numero']}) n'est plus "
            "valable.\n\nVeuillez nous excuser pour ce changement.\n\n" + _signature(context))
    return _message(f"Annulation : mandat {brand} — {person} — {store} — {date} — {context['reference']}", body,
                    sender, recipient, reply_to, message_id=_our_id(context, "annulation", sender))


def escalation_message(rows: list[list[str]], region: str, sender: str, recipient: str,
                       effects: list[str] | None = None) -> EmailMessage:
    """To the CDBO: the stores to phone today, their mandate still not acknowledged; its
    Message-ID derives from the outbox ``effects`` it carries (the same e-mail sent again keeps it)."""
    lines = [f"- {mission} : {store}, {phone or 'téléphone inconnu'} — mission du {date}, mandat {ref} envoyé le "
             f"{sent}, relancé le {reminded}" for mission, store, phone, date, ref, sent, reminded in rows]
    body = (f"Bonjour,\n\nCes magasins de la région {region} n'ont pas accusé réception de leur mandat malgré la "
            "relance. Appelez-les aujourd'hui, puis mettez Mandat à « Accusé » (ou « Refusé ») dans le "
            "classeur :\n\n" + "\n".join(lines) + "\n")
    ident = message_id("\n".join(sorted(effects)), "escalade", one_line(sender).rpartition("@")[2]) if effects else ""
    return _message(f"Mandats à confirmer par téléphone — {region} — {len(rows)} magasin(s)", body, sender, recipient,
                    message_id=ident)


class MandateMailer:
    """Sends messages over one SMTP connection; use as a context manager."""

    def __init__(self, smtp, environ: Mapping[str, str] | None = None):
        self.cfg = smtp
        self.environ = os.environ if environ is None else environ
        self.conn: smtplib.SMTP | None = None
        self.failed = False  # a connection failed: the server is down or refuses us
        if smtp.security not in ("starttls", "ssl", "none"):
            raise ConfigError(f"[smtp] security = « {smtp.security} » ; attendu starttls, ssl ou none.")

    def _where(self) -> str:
        return f"{self.cfg.host}:{self.cfg.port}"

    def connect(self) -> None:
        """Open the SMTP connection (STARTTLS, SSL or plain) and log in when a user is set."""
        cfg = self.cfg
        try:
            if cfg.security == "ssl":
                conn = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout_s,
                                        context=ssl.create_default_context())
            else:
                conn = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_s)
                if cfg.security == "starttls":
                    conn.starttls(context=ssl.create_default_context())
            if cfg.user:
                password = self.environ.get(cfg.password_env, "")
                if not password:
                    conn.close()
                    raise SendError(
                        f"Mot de passe SMTP absent : définissez la variable d'environnement {cfg.password_env} "
                        f"(utilisateur {cfg.user})."
                    )
                conn.login(cfg.user, password)
        except SendError:
            raise
        except smtplib.SMTPAuthenticationError as err:
            raise SendError(f"Serveur SMTP {self._where()} : identification refusée pour {cfg.user} "
                            f"({err.smtp_code}).") from None
        except (OSError, smtplib.SMTPException) as err:
            raise SendError(f"Serveur SMTP {self._where()} injoignable ou refusé : {err}.") from None
        self.conn = conn

    def send(self, msg: EmailMessage) -> None:
        """Send one message, connecting first if needed; an SMTP failure is a :class:`SendError`."""
        if self.conn is None:
            try:
                self.connect()
            except SendError:
                self.failed = True
                raise
        try:
            refused = self.conn.send_message(msg)
        except smtplib.SMTPRecipientsRefused as err:
            raise SendError(f"destinataire refusé par le serveur SMTP : {', '.join(err.recipients)}.") from None
        except (OSError, smtplib.SMTPException) as err:
            self.close()
            raise SendError(f"envoi refusé par le serveur SMTP {self._where()} : {err}.") from None
        if refused:
            raise SendError(f"destinataire refusé par le serveur SMTP : {', '.join(refused)}.")
        fault_point("apres-envoi")  # the crash tests: killed right after an e-mail

    def close(self) -> None:
        """Close the connection, if open."""
        if self.conn is not None:
            try:
                self.conn.quit()
            except (OSError, smtplib.SMTPException):
                self.conn.close()
            self.conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
