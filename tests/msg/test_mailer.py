"""How ``SmtpMailer`` classifies what an SMTP server answers — a small aiosmtpd server
that this test starts (no stack): a permanent refusal goes to the dead-letter queue at
once (PermanentError), a temporary one is retried (any other exception)."""
from __future__ import annotations

import email
import email.policy
import smtplib
import socket
from typing import Any, Iterator

import pytest
from aiosmtpd.controller import Controller

from common.consumer import PermanentError
from services.msg.errors import MsgMsg
from services.msg.compose import ComposedMail
from services.msg.mailer import SmtpMailer, build_message, message_for
from services.msg.templates import RenderedMail

MAIL = RenderedMail(subject="Hello", text="Hello", html="<p>Hello</p>", language="en")


class Picky:
    """Takes mail for anyone but ``gone@`` (550, permanent) and ``busy@`` (450, temporary);
    refuses any message whose body says ``reject-data`` with 554."""

    def __init__(self) -> None:
        self.received: list[Any] = []

    async def handle_RCPT(self, server, session, envelope, address: str, rcpt_options) -> str:
        if address.startswith("gone@"):
            return "550 5.1.1 No such user"
        if address.startswith("busy@"):
            return "450 4.2.1 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if b"reject-data" in envelope.content:
            return "554 5.6.0 Message refused"
        self.received.append(envelope)
        return "250 OK"


class PipeliningPicky(Picky):
    """``Picky`` that offers PIPELINING (RFC 2920), as Postfix and the dev sink do."""

    async def handle_EHLO(self, server, session, envelope, hostname: str, responses: list[str]) -> list[str]:
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=[Picky, PipeliningPicky], ids=["plain", "pipelining"])
def server(request) -> Iterator[tuple[Picky, int]]:
    """A server that does not offer SMTPUTF8 (RFC 6531), as many do not; with and
    without PIPELINING."""
    handler, port = request.param(), _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, enable_SMTPUTF8=False)
    controller.start()
    yield handler, port
    controller.stop()


def _mailer(port: int) -> SmtpMailer:
    return SmtpMailer({"host": "127.0.0.1", "port": port, "starttls": False, "ssl": False, "username": "",
                       "timeout": 5.0, "from_address": "no-reply@tessera.example", "from_name": "Tessera"})


def _send(port: int, to: str, mail: RenderedMail = MAIL) -> list[bool]:
    mailer = _mailer(port)
    accepted: list[bool] = []
    try:
        mailer.send(message_for(mail, to, mailer.sender, mailer.from_address, "job-1"), lambda: accepted.append(True))
    finally:
        mailer.close()  # the mailer keeps its connection for the next message
    return accepted


def test_an_accepted_mail_is_reported_accepted(server):
    handler, port = server
    assert _send(port, "ada@example.org") == [True]
    assert [e.rcpt_tos for e in handler.received] == [["ada@example.org"]]
    assert handler.received[0].mail_from == "no-reply@tessera.example"
    assert b"\r\nMessage-ID: <job-1@tessera.example>\r\n" in handler.received[0].original_content


def test_a_composed_mail_and_a_built_one_arrive_alike_and_periods_are_stuffed(server):
    handler, port = server
    mail = RenderedMail("Hello", "Hello\n.\n..two\n.", "<p>x</p>\n.", "en")
    mailer = _mailer(port)
    try:
        composed = message_for(mail, "ada@example.org", mailer.sender, mailer.from_address, "job-1")
        assert isinstance(composed, ComposedMail)
        mailer.send(composed)
        mailer.send(build_message(mail, "ada@example.org", mailer.sender, mailer.from_address, "job-2"))
        mailer.send(message_for(mail, "bea@example.org", mailer.sender, mailer.from_address, "job-3"))
    finally:
        mailer.close()
    bodies = [email.message_from_bytes(e.original_content, policy=email.policy.default) for e in handler.received]
    assert [b.get_body(("plain",)).get_content().replace("\r\n", "\n") for b in bodies] == ["Hello\n.\n..two\n.\n"] * 3
    assert [e.rcpt_tos for e in handler.received] == [["ada@example.org"], ["ada@example.org"], ["bea@example.org"]]


@pytest.mark.parametrize("to", ["ключ@example.org", "x@bücher.example"])
def test_a_non_ascii_address_without_smtputf8_is_permanent(server, to):
    handler, port = server
    with pytest.raises(PermanentError) as refused:
        _send(port, to)
    assert refused.value.message == MsgMsg.address_unsupported
    assert handler.received == []


def test_a_5xx_refusal_of_the_recipient_or_the_message_is_permanent(server):
    _handler, port = server
    with pytest.raises(PermanentError) as refused:
        _send(port, "gone@example.org")
    assert refused.value.message == MsgMsg.recipient_refused
    with pytest.raises(PermanentError) as refused:
        _send(port, "ada@example.org", RenderedMail("Hi", "reject-data", "<p>reject-data</p>", "en"))
    assert refused.value.message == MsgMsg.message_refused


def test_a_4xx_refusal_is_temporary(server):
    _handler, port = server
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        _send(port, "busy@example.org")
    assert not isinstance(refused.value, PermanentError)


def test_one_connection_carries_message_after_message_and_a_closed_one_is_replaced(server):
    handler, port = server
    mailer = _mailer(port)
    try:
        for n in range(3):
            mailer.send(message_for(MAIL, f"ada{n}@example.org", mailer.sender, mailer.from_address, f"job-{n}"))
        kept = mailer._kept
        assert kept is not None
        kept.sock.shutdown(socket.SHUT_RDWR)  # as when the server drops an idle client
        mailer.send(message_for(MAIL, "ada3@example.org", mailer.sender, mailer.from_address, "job-3"))
        assert mailer._kept is not kept
    finally:
        mailer.close()
    assert [e.rcpt_tos for e in handler.received] == [[f"ada{n}@example.org"] for n in range(4)]
