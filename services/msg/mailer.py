"""Building and sending mail over SMTP (``smtplib``).

A mail to an ASCII address is composed as bytes (``services.msg.compose``) and sent in
two round trips where the server offers PIPELINING (RFC 2920): MAIL, RCPT and DATA in
one write, then the content. Any other (an internationalised address) is an
``EmailMessage`` (``build_message``) sent by ``smtplib``'s ``send_message``, which
knows SMTPUTF8 (RFC 6531)."""
from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import ssl
import time
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from typing import Any, Callable, Mapping

from common.consumer import PermanentError
from services.msg.errors import MsgMsg
from services.msg.compose import ComposedMail, compose, composable
from services.msg.templates import RenderedMail

logger = logging.getLogger(__name__)

_SAFE_ID = re.compile(r"\A[A-Za-z0-9._-]{1,64}\Z")


def message_id_for(key: str, from_address: str) -> str:
    """A stable ``Message-ID`` for the idempotency ``key``: a resend after a crash carries
    the same id, so receiving systems can recognise the duplicate."""
    token = key if _SAFE_ID.match(key) else hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"<{token}@{from_address.rpartition('@')[2]}>"


def build_message(mail: RenderedMail, to: str, sender: str, from_address: str, key: str) -> EmailMessage:
    """A ``multipart/alternative`` message (text, then HTML) from ``sender`` to ``to``,
    with ``Date``, ``Message-ID`` (from ``key``) and ``Auto-Submitted: auto-generated``."""
    message = EmailMessage()
    message["Subject"] = mail.subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id_for(key, from_address)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    message["Content-Language"] = mail.language  # after: set_content clears Content-* headers
    return message


#: a line of SMTP data that begins with a period (RFC 5321 §4.5.2: doubled when sent)
_LEADING_PERIOD = re.compile(rb"^\.", re.MULTILINE)


def message_for(mail: RenderedMail, to: str, sender: str, from_address: str,
                key: str) -> ComposedMail | EmailMessage:
    """The message of ``mail`` for ``to``: composed as bytes (``compose``) when the
    address allows, else ``build_message``'s (SMTPUTF8 is ``smtplib``'s to handle)."""
    if composable(to) and composable(from_address):
        return compose(mail, to, sender, from_address, message_id_for(key, from_address))
    return build_message(mail, to, sender, from_address, key)


class SmtpMailer:
    """Sends messages through the SMTP server of the ``smtp`` configuration
    (``services.msg.schemas.SmtpSchema``) over one kept connection: a new message is a
    new mail transaction (MAIL, RCPT, DATA) on it, as RFC 5321 §3.3 allows, instead of
    connect, EHLO (, TLS, AUTH) and QUIT for each — which took a third of a send. A kept
    connection that the server closed meanwhile is replaced once, at once; one idle
    longer than ``IDLE_REUSE`` is not reused (servers drop idle clients, RFC 5321
    §4.5.3.2.7). Not thread-safe: one mailer per consumer thread.

    ``send`` raises PermanentError when the server refuses the recipient or the message
    with a 5xx code (RFC 5321 §4.2.1: a permanent negative reply, not to be repeated),
    or when the message needs the SMTPUTF8 extension (RFC 6531: a non-ASCII address)
    and the server does not offer it — no retry can change either. Everything else
    (connection refused, time-out, 4xx, a refused login or sender, which are
    configuration problems a human can fix) is raised as is, to be retried.
    """

    #: seconds a kept connection may have been idle and still be reused
    IDLE_REUSE = 30.0

    def __init__(self, config: Mapping[str, Any], password: str = "") -> None:
        self.host = config["host"]
        self.port = config["port"]
        self.starttls = config["starttls"]
        self.ssl = config["ssl"]
        self.username = config["username"]
        self.password = password
        self.timeout = config["timeout"]
        self.from_address = config["from_address"]
        self.sender = formataddr((config["from_name"], config["from_address"]))
        # loading the CA bundle takes ~0.3 s: once, and only when TLS is used
        self._tls = ssl.create_default_context() if self.ssl or self.starttls else None
        self._kept: smtplib.SMTP | None = None
        self._last_used = 0.0

    def _connect(self) -> smtplib.SMTP:
        if self.ssl:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls)
        connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.starttls:
            connection.starttls(context=self._tls)
        return connection

    def _open(self) -> smtplib.SMTP:
        connection = self._connect()
        try:
            if self.username:
                connection.login(self.username, self.password)
            connection.ehlo_or_helo_if_needed()  # the extensions (PIPELINING) before the first mail
        except BaseException:
            connection.close()
            raise
        return connection

    def close(self) -> None:
        """QUIT the kept connection, if any (a failing QUIT only closes it)."""
        connection, self._kept = self._kept, None
        if connection is not None:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                connection.close()

    def send(self, message: ComposedMail | EmailMessage, accepted: Callable[[], None] | None = None) -> None:
        """Hand ``message`` to the server; return when it has accepted it.

        ``accepted()`` is called as soon as the server has taken the message, so that
        the caller records it with the least delay (see ``ledger``)."""
        reused = self._kept is not None and time.monotonic() - self._last_used < self.IDLE_REUSE
        if not reused:
            self.close()
            self._kept = self._open()
        try:
            self._transact(self._kept, message)
        except (smtplib.SMTPServerDisconnected, ConnectionError):
            # the server closed the kept connection while it idled: nothing of this
            # message was accepted (no 250 after DATA), so a new connection may send it
            self._drop()
            if not reused:
                raise
            self._kept = self._open()
            try:
                self._transact(self._kept, message)
            except BaseException:
                self._drop()
                raise
        except PermanentError:  # refused and answered: the connection is reset and usable
            self._last_used = time.monotonic()
            raise
        except BaseException:
            self._drop()
            raise
        self._last_used = time.monotonic()
        if accepted is not None:
            accepted()

    def _drop(self) -> None:
        connection, self._kept = self._kept, None
        if connection is not None:
            connection.close()

    def _transact(self, connection: smtplib.SMTP, message: ComposedMail | EmailMessage) -> None:
        """One mail transaction on ``connection``; raises PermanentError for what no
        retry can change (and leaves the connection reset for the next message)."""
        to = message.to if isinstance(message, ComposedMail) else message["To"]
        try:
            if not isinstance(message, ComposedMail):
                connection.send_message(message)
            elif connection.has_extn("pipelining"):
                send_pipelined(connection, message)
            else:
                connection.sendmail(message.mail_from, [message.to], message.data)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            if all(code >= 500 for code in codes):
                logger.warning("SMTP server refused %s: %s", to, codes)
                raise PermanentError(MsgMsg.recipient_refused) from exc
            raise
        except smtplib.SMTPDataError as exc:
            if exc.smtp_code >= 500:
                logger.warning("SMTP server refused the message to %s: %s %s",
                               to, exc.smtp_code, exc.smtp_error)
                raise PermanentError(MsgMsg.message_refused) from exc
            raise
        except (smtplib.SMTPNotSupportedError, UnicodeEncodeError) as exc:
            # smtplib: SMTPNotSupportedError when an address is not ASCII and the
            # server lacks SMTPUTF8; UnicodeEncodeError where it sends one anyway
            logger.warning("SMTP server cannot take the address %s (no SMTPUTF8): %s", to, exc)
            connection.rset()  # the transaction may be half begun
            raise PermanentError(MsgMsg.address_unsupported) from exc


def send_pipelined(connection: smtplib.SMTP, message: ComposedMail) -> None:
    """Send ``message`` on ``connection`` (which offers PIPELINING) in two round trips:
    MAIL, RCPT and DATA in one group (RFC 2920 §3.1: DATA ends a group), then the
    dot-stuffed content and its final ``.``. Raises what ``smtplib.SMTP.sendmail``
    raises for the same replies (SMTPSenderRefused, SMTPRecipientsRefused,
    SMTPDataError), after a RSET, so that the connection can carry the next mail.

    Every reply of the group is read before anything is decided (RFC 2920 §3.1: the
    client checks all of them); a DATA the server accepted (354) although the sender or
    the recipient was refused is ended with an empty content (RFC 2920 §3.1), which the
    server refuses for want of a recipient or discards."""
    connection.send(f"MAIL FROM:<{message.mail_from}>\r\nRCPT TO:<{message.to}>\r\nDATA\r\n")
    (mail_code, mail_text), (rcpt_code, rcpt_text), (data_code, data_text) = (
        connection.getreply(), connection.getreply(), connection.getreply())
    if data_code == 354 and (mail_code != 250 or rcpt_code not in (250, 251)):
        connection.send(b".\r\n")
        connection.getreply()
    if mail_code != 250:
        _reset(connection)
        raise smtplib.SMTPSenderRefused(mail_code, mail_text, message.mail_from)
    if rcpt_code not in (250, 251):
        _reset(connection)
        raise smtplib.SMTPRecipientsRefused({message.to: (rcpt_code, rcpt_text)})
    if data_code != 354:
        _reset(connection)
        raise smtplib.SMTPDataError(data_code, data_text)
    data = _LEADING_PERIOD.sub(b"..", message.data)
    connection.send(data + b".\r\n" if data.endswith(b"\r\n") else data + b"\r\n.\r\n")
    code, text = connection.getreply()
    if code != 250:
        _reset(connection)
        raise smtplib.SMTPDataError(code, text)


def _reset(connection: smtplib.SMTP) -> None:
    """RSET after a refusal; a server that has hung up meanwhile is the next send's
    problem (``SmtpMailer.send`` reconnects), as in ``smtplib``'s ``sendmail``."""
    try:
        connection.rset()
    except smtplib.SMTPServerDisconnected:
        pass
