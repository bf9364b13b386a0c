"""Building and sending mail over SMTP (``smtplib``)."""
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

    def send(self, message: EmailMessage, accepted: Callable[[], None] | None = None) -> None:
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

    def _transact(self, connection: smtplib.SMTP, message: EmailMessage) -> None:
        """One mail transaction on ``connection``; raises PermanentError for what no
        retry can change (and leaves the connection reset for the next message)."""
        try:
            connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            if all(code >= 500 for code in codes):
                logger.warning("SMTP server refused %s: %s", message["To"], codes)
                raise PermanentError(MsgMsg.recipient_refused) from exc
            raise
        except smtplib.SMTPDataError as exc:
            if exc.smtp_code >= 500:
                logger.warning("SMTP server refused the message to %s: %s %s",
                               message["To"], exc.smtp_code, exc.smtp_error)
                raise PermanentError(MsgMsg.message_refused) from exc
            raise
        except (smtplib.SMTPNotSupportedError, UnicodeEncodeError) as exc:
            # smtplib: SMTPNotSupportedError when an address is not ASCII and the
            # server lacks SMTPUTF8; UnicodeEncodeError where it sends one anyway
            logger.warning("SMTP server cannot take the address %s (no SMTPUTF8): %s", message["To"], exc)
            connection.rset()  # the transaction may be half begun
            raise PermanentError(MsgMsg.address_unsupported) from exc
