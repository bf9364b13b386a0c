"""The development SMTP sink's handler: aiosmtpd's Maildir handler that files each
Message-ID once.

The msg worker is at-least-once for the one mail in flight when it dies (the SMTP
server may have accepted it before the worker could record it); a resent copy carries
the same Message-ID. Receiving systems drop such copies — a Sieve ``duplicate`` rule
(RFC 7352) does exactly this — and so does this sink, so the development outbox shows
what a person would see: one mail.

Run by supervisord as ``python -m aiosmtpd -n -l HOST:PORT -c devstack.smtp_sink.DedupingMailbox DIR``.
"""
from __future__ import annotations

import logging
import os
from email.message import Message

from aiosmtpd.handlers import Mailbox

logger = logging.getLogger(__name__)


class DedupingMailbox(Mailbox):
    """A Maildir handler that does not file a second message with a Message-ID it holds."""

    def __init__(self, mail_dir: os.PathLike) -> None:
        super().__init__(mail_dir)
        self.seen: set[str] = set()
        for key in self.mailbox.iterkeys():
            message_id = self.mailbox.get_message(key).get("Message-ID")
            if message_id:
                self.seen.add(message_id.strip())

    def handle_message(self, message: Message) -> None:
        message_id = (message.get("Message-ID") or "").strip()
        if message_id and message_id in self.seen:
            logger.warning("dropped a second copy of %s", message_id)
            return
        self.mailbox.add(message)
        if message_id:
            self.seen.add(message_id)
