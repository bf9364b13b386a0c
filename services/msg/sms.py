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

    def send(self, to: str, text: str) -> None:
        """Send ``text`` to ``to`` (E.164). Raises PermanentError or a transient error."""


class FileSmsProvider:
    """Appends ``{"to", "text", "sent_at"}`` (ISO 8601 UTC) as one JSON line to ``path``.

    Each line is written with one ``write`` under an exclusive ``flock`` on a file
    opened with ``O_APPEND``, then fsync'ed: concurrent writers (two workers, two
    threads) never interleave, and a line the worker counted as sent is on disk.
    """

    timeout = 5.0

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def send(self, to: str, text: str) -> None:
        """Append the SMS. Raises OSError (transient) when the file cannot be written."""
        sent_at = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        line = (json.dumps({"to": to, "text": text, "sent_at": sent_at}, ensure_ascii=False) + "\n").encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


class HttpSmsProvider:
    """POSTs ``{"to", "text"}`` as JSON to ``url`` with ``Authorization: Bearer <token>``.

    5xx, 408, 429, connection errors and time-outs (``timeout`` seconds) are transient
    (raised as ``requests.RequestException``); any other 4xx is a PermanentError
    (``msg.sms_refused``).
    """

    def __init__(self, url: str, token: str, timeout: float, session: requests.Session | None = None) -> None:
        self.url = url
        self.token = token
        self.timeout = timeout
        self.session = session or requests.Session()

    def send(self, to: str, text: str) -> None:
        """POST the SMS; return when the gateway answered 2xx."""
        response = self.session.post(self.url, json={"to": to, "text": text}, timeout=self.timeout,
                                     headers={"Authorization": f"Bearer {self.token}"})
        if response.status_code < 400:
            return
        if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
            logger.warning("SMS gateway refused a message to %s: HTTP %s", to, response.status_code)
            raise PermanentError(MsgMsg.sms_refused)
        response.raise_for_status()


def make_provider(sms_config: Mapping[str, Any], token: str) -> SmsProvider:
    """The provider the ``sms`` configuration names (``services.msg.schemas.SmsSchema``)."""
    if sms_config["provider"] == "http":
        return HttpSmsProvider(sms_config["url"], token, sms_config["timeout"])
    return FileSmsProvider(sms_config["file"])
