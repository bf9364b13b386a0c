"""SMS providers: something with ``send(to, text)``.

``FileSmsProvider`` is the development outbox (one JSON line per SMS); ``HttpSmsProvider``
talks to a real gateway. Both raise ``PermanentError`` for an SMS the provider refuses for
good, and any other exception for a failure worth retrying.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Protocol

import requests

from common.consumer import PermanentError
from services.msg.errors import MsgMsg

logger = logging.getLogger(__name__)


class SmsProvider(Protocol):
    """Sends one SMS. ``timeout`` is the longest one ``send`` may take, in seconds."""

    timeout: float

    def send(self, to: str, text: str, key: str | None = None) -> None:
        """Send ``text`` to ``to`` (E.164); ``key`` is the job's idempotency key, passed
        on where the provider understands one. Raises PermanentError or a transient error."""

    def has_sent(self, key: str) -> bool | None:
        """Whether the SMS with idempotency ``key`` was sent: True/False where the
        provider can tell, None where it cannot."""


class FileSmsProvider:
    """Appends ``{"to", "text", "sent_at", "message_id"}`` (``sent_at`` ISO 8601 UTC,
    ``message_id`` the job's idempotency key) as one JSON line to ``path``.

    Each line is written with one ``write`` under an exclusive ``flock`` on a file
    opened with ``O_APPEND``: concurrent writers (two workers, two threads) never
    interleave. No fsync: a killed worker loses nothing that ``write`` has returned
    (the page cache outlives it), and an fsync would only widen the window between
    sending and recording (``services.msg.ledger``).
    """

    timeout = 5.0

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def send(self, to: str, text: str, key: str | None = None) -> None:
        """Append the SMS. Raises OSError (transient) when the file cannot be written."""
        sent_at = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        record = {"to": to, "text": text, "sent_at": sent_at}
        if key is not None:
            record["message_id"] = key
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                os.write(fd, line)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def has_sent(self, key: str) -> bool:
        """Whether a line of the outbox carries ``key`` (read under a shared lock)."""
        needle = json.dumps({"message_id": key})[1:-1].encode()  # '"message_id": "<key>"'
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            with os.fdopen(os.dup(fd), "rb") as f:
                return any(needle in line for line in f)
        finally:
            os.close(fd)


class HttpSmsProvider:
    """POSTs ``{"to", "text"}`` as JSON to ``url`` with ``Authorization: Bearer <token>``
    and the job's key as ``Idempotency-Key`` (for gateways that deduplicate).

    5xx, 408, 429, connection errors and time-outs (``timeout`` seconds) are transient
    (raised as ``requests.RequestException``); any other 4xx is a PermanentError
    (``msg.sms_refused``).
    """

    def __init__(self, url: str, token: str, timeout: float, session: requests.Session | None = None) -> None:
        self.url = url
        self.token = token
        self.timeout = timeout
        self.session = session or requests.Session()

    def send(self, to: str, text: str, key: str | None = None) -> None:
        """POST the SMS; return when the gateway answered 2xx."""
        headers = {"Authorization": f"Bearer {self.token}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        response = self.session.post(self.url, json={"to": to, "text": text}, timeout=self.timeout,
                                     headers=headers)
        if response.status_code < 400:
            return
        if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
            logger.warning("SMS gateway refused a message to %s: HTTP %s", to, response.status_code)
            raise PermanentError(MsgMsg.sms_refused)
        response.raise_for_status()

    def has_sent(self, key: str) -> None:
        """A plain gateway cannot be asked: None."""
        return None


def make_provider(sms_config: Mapping[str, Any], token: str) -> SmsProvider:
    """The provider the ``sms`` configuration names (``services.msg.schemas.SmsSchema``)."""
    if sms_config["provider"] == "http":
        return HttpSmsProvider(sms_config["url"], token, sms_config["timeout"])
    return FileSmsProvider(sms_config["file"])
