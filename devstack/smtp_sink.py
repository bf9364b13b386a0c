"""The development SMTP sink's handler: aiosmtpd's Maildir handler that files each
Message-ID once — and shows every copy it did not file.

The msg worker is at-least-once for the one mail in flight when it dies (the SMTP
server may have accepted it before the worker could record it); a resent copy carries
the same Message-ID. Receiving systems drop such copies — a Sieve ``duplicate`` rule
(RFC 7352) does exactly this — and so does this sink, so the development outbox
(``<mail_dir>/new``) shows what a person would see: one mail.

A dropped copy must not vanish without a trace, or an at-least-once duplicate could
never be seen on the dev stack: each one is logged at WARNING (into the stack's
``smtp.log``; ``python -m aiosmtpd`` sets the root logger to ERROR, so this module's
logger sets its own level) and filed, stamped with ``DUPLICATE_HEADER`` (how many
copies of that Message-ID came before it), in the Maildir folder ``DUPLICATES``
(``<mail_dir>/.duplicates/new``), where tests count them.

Run by supervisord as ``python -m aiosmtpd -n -l HOST:PORT -c devstack.smtp_sink.DedupingMailbox DIR``.
"""
from __future__ import annotations

import logging
import os
from collections import Counter
from email.message import Message

from aiosmtpd.handlers import Mailbox

logger = logging.getLogger(__name__)
logger.setLevel(logging.WARNING)

#: the Maildir++ folder (``.duplicates``) that holds the copies not filed in the inbox
DUPLICATES = "duplicates"
#: on a filed duplicate: how many copies of its Message-ID the sink had received before
DUPLICATE_HEADER = "X-Tessera-Duplicate"


class DedupingMailbox(Mailbox):
    """A Maildir handler that files a second message with a Message-ID it holds in the
    ``duplicates`` folder instead of the inbox, and logs it."""

    def __init__(self, mail_dir: os.PathLike) -> None:
        super().__init__(mail_dir)
        self.duplicates = self.mailbox.add_folder(DUPLICATES)  # existing: opened as it is
        self.seen: Counter[str] = Counter()
        for folder in (self.mailbox, self.duplicates):
            for key in folder.iterkeys():
                message_id = folder.get_message(key).get("Message-ID")
                if message_id:
                    self.seen[message_id.strip()] += 1

    def handle_message(self, message: Message) -> None:
        message_id = (message.get("Message-ID") or "").strip()
        if message_id and self.seen[message_id]:
            message[DUPLICATE_HEADER] = str(self.seen[message_id])
            self.duplicates.add(message)
            logger.warning("duplicate %s of %s to %s: filed in %s, not in the inbox",
                           self.seen[message_id], message_id, message.get("To"), DUPLICATES)
        else:
            self.mailbox.add(message)
        if message_id:
            self.seen[message_id] += 1
