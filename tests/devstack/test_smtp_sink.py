"""The development SMTP sink files each Message-ID once (RFC 7352 ``duplicate``)."""
from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage

from tests.helpers import Outbox, wait_for
from tests.msg.conftest import sink_duplicates


def _send(stack, to: str, message_id: str, subject: str) -> None:
    message = EmailMessage()
    message["From"] = "noreply@tessera.test"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message.set_content("hello")
    with smtplib.SMTP("127.0.0.1", stack.ports["smtp"], timeout=10) as smtp:
        smtp.send_message(message)


def test_a_second_copy_of_a_message_id_is_dropped(stack, outbox: Outbox) -> None:
    to = f"sink-{uuid.uuid4().hex[:8]}@example.org"
    message_id = f"<{uuid.uuid4().hex}@tessera.test>"
    _send(stack, to, message_id, "first")
    _send(stack, to, message_id, "again")
    _send(stack, to, f"<{uuid.uuid4().hex}@tessera.test>", "another")
    mails = outbox.wait_for_mail(to, count=2)
    assert sorted(m["Subject"] for m in mails) == ["another", "first"]


def test_the_sink_offers_pipelining_and_files_what_arrived_with_its_envelope(stack, outbox: Outbox) -> None:
    to = f"sink-{uuid.uuid4().hex[:8]}@example.org"
    message_id = f"<{uuid.uuid4().hex}@tessera.test>"
    data = (f"Subject: =?utf-8?q?H=C3=A4lsning?=\r\nFrom: noreply@tessera.test\r\nTo: {to}\r\n"
            f"Message-ID:\r\n {message_id}\r\n\r\n.leading period\r\nbody\r\n").encode()
    with smtplib.SMTP("127.0.0.1", stack.ports["smtp"], timeout=10) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("pipelining")
        smtp.sendmail("noreply@tessera.test", [to], data)
        smtp.sendmail("noreply@tessera.test", [to], data)  # the folded Message-ID is the same one
    wait_for(lambda: sink_duplicates(stack).get(message_id) == 1)  # the second copy is done with
    [mail] = outbox.mails(to)
    assert mail["Subject"] == "Hälsning" and mail["X-MailFrom"] == "noreply@tessera.test" and mail["X-RcptTo"] == to
    assert mail.get_content() == ".leading period\nbody\n"
    assert mail["Message-ID"].strip() == message_id
