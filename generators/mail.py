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
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Mapping

from rules.mandates import store_label
from sheets_sync.errors import BackofficeError, ConfigError


class SendError(BackofficeError):
    """One message could not be sent; the French message says why."""


def mandate_message(context: Mapping[str, str], sender: str, recipient: str, attachment: Path,
                    reply_to: str = "") -> EmailMessage:
    """The French e-mail for one mandate, with the document attached."""
    brand = context["marque_nom"]
    person = f"{context['salarie_prenom']} {context['salarie_nom']}".strip()
    store = store_label(context["magasin_enseigne"], context["magasin_nom"])
    date = context["mission_date"]
    msg = EmailMessage()
    msg["Subject"] = f"Mandat {brand} — {person} — {store} — {date}"
    msg["From"] = sender
    msg["To"] = recipient
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(
        "Madame, Monsieur,\n\n"
        f"Veuillez trouver ci-joint le mandat de la marque {brand} ({context['marque_raison_sociale']}) "
        f"autorisant {person}, salarié(e) de {context['agence_nom']}, à intervenir dans votre magasin "
        f"{store} (code {context['magasin_code']}) le {context.get('mission_date_longue') or date} "
        f"de {context['mission_debut']} à {context['mission_fin']}"
        f"{' pour l’opération « ' + context['mission_operation'] + ' »' if context.get('mission_operation') else ''}.\n\n"
        f"Référence du mandat : {context['reference']} (mission {context['mission_numero']}).\n\n"
        "Merci de nous confirmer sa bonne réception en répondant à ce message.\n\n"
        "Bien cordialement,\n\n"
        f"{context['agence_nom']}\n"
        f"{context['agence_telephone']}\n"
    )
    data = attachment.read_bytes()
    ctype = mimetypes.guess_type(attachment.name)[0] or "application/octet-stream"
    main, sub = ctype.split("/", 1)
    msg.add_attachment(data, maintype=main, subtype=sub, filename=attachment.name)
    return msg


class MandateMailer:
    """Sends messages over one SMTP connection; use as a context manager."""

    def __init__(self, smtp, environ: Mapping[str, str] | None = None):
        self.cfg = smtp
        self.environ = os.environ if environ is None else environ
        self.conn: smtplib.SMTP | None = None
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
            self.connect()
        try:
            refused = self.conn.send_message(msg)
        except smtplib.SMTPRecipientsRefused as err:
            raise SendError(f"destinataire refusé par le serveur SMTP : {', '.join(err.recipients)}.") from None
        except (OSError, smtplib.SMTPException) as err:
            self.close()
            raise SendError(f"envoi refusé par le serveur SMTP {self._where()} : {err}.") from None
        if refused:
            raise SendError(f"destinataire refusé par le serveur SMTP : {', '.join(refused)}.")

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
