"""A local SMTP server for the tests (aiosmtpd): it keeps every message, and can refuse a recipient."""
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.envelopes = []
        self.refuse = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()
