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

It is the far end of the msg worker's figure in ``make bench`` (bench/mail.py), so it is
made cheap: a message is filed as the bytes it arrived as (CRLF made LF, aiosmtpd's
``X-Peer``, ``X-MailFrom`` and ``X-RcptTo`` added at the end of its header, as its
``Mailbox`` handler does) instead of being parsed into an ``email.message.Message`` and
generated again — that took 2 of its 4.4 ms per mail —, and its Message-ID is read from
the header bytes. It offers PIPELINING (RFC 2920), which aiosmtpd's stream reader serves
as it is (commands are read and answered in order), so the worker sends a mail in two
round trips instead of four. And it files without ``fsync``: ``mailbox.Maildir.add``
syncs every message to disk before aiosmtpd may answer 250: on this machine's disk a
median 2.6-7.9 ms and a p90 of 10-15 ms per 2 kB file (probes of 50-60, against 0.3 ms
median for the write and rename alone), spent in the one thread that serves every
client. A relay must keep what it accepted across a crash
(RFC 5321 §6.1); a development outbox need not survive the host: the file is written
and renamed into ``new`` (Maildir: readers never see a partial file) before the 250, so
every reader sees it at once.

Run by supervisord as ``python -m aiosmtpd -n -l HOST:PORT -c devstack.smtp_sink.DedupingMailbox DIR``.
"""
from __future__ import annotations

import itertools
import logging
import os
import re
import socket
import time
from collections import Counter
from pathlib import Path

from aiosmtpd.handlers import Mailbox

logger = logging.getLogger(__name__)
logger.setLevel(logging.WARNING)

#: the Maildir++ folder (``.duplicates``) that holds the copies not filed in the inbox
DUPLICATES = "duplicates"
#: on a filed duplicate: how many copies of its Message-ID the sink had received before
DUPLICATE_HEADER = "X-Tessera-Duplicate"

#: the end of the header section (RFC 5322 §2.1: an empty line), in a CRLF or LF text
_HEADER_END = re.compile(rb"\r?\n\r?\n")


def header_value(head: bytes, name: bytes) -> str:
    """The value of the first header ``name`` in the header section ``head`` (bytes,
    CRLF or LF), unfolded (RFC 5322 §2.2.3) and stripped; "" when it has none."""
    match = re.search(rb"^" + re.escape(name) + rb"[ \t]*:(.*(?:\r?\n[ \t].*)*)", head,
                      re.IGNORECASE | re.MULTILINE)
    if match is None:
        return ""
    return re.sub(rb"\r?\n(?=[ \t])", b"", match.group(1)).decode("utf-8", "replace").strip()


class DedupingMailbox(Mailbox):
    """A Maildir handler that files a second message with a Message-ID it holds in the
    ``duplicates`` folder instead of the inbox, and logs it."""

    def __init__(self, mail_dir: os.PathLike) -> None:
        super().__init__(mail_dir)
        self.duplicates = self.mailbox.add_folder(DUPLICATES)  # existing: opened as it is
        self.inbox_dir, self.duplicates_dir = Path(mail_dir), Path(mail_dir) / f".{DUPLICATES}"
        self._host = socket.gethostname().replace("/", r"\057").replace(":", r"\072")  # as mailbox.Maildir
        self._count = itertools.count(1)
        self.seen: Counter[str] = Counter()
        for folder in (self.mailbox, self.duplicates):
            for key in folder.iterkeys():
                with folder.get_file(key) as f:
                    message_id = header_value(_head(f.read(65536)), b"Message-ID")
                if message_id:
                    self.seen[message_id] += 1

    async def handle_EHLO(self, server, session, envelope, hostname: str, responses: list[str]) -> list[str]:
        """aiosmtpd's EHLO answer with PIPELINING (RFC 2920) before its last line."""
        session.host_name = hostname  # what aiosmtpd does itself when no hook answers EHLO
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_DATA(self, server, session, envelope) -> str:
        """File the message (see the module's docstring); 250 once it is in ``new``."""
        data = bytes(envelope.original_content).replace(b"\r\n", b"\n")
        head = _head(data)
        message_id = header_value(head, b"Message-ID")
        trace = (f"X-Peer: {session.peer}\nX-MailFrom: {envelope.mail_from}\n"
                 f"X-RcptTo: {', '.join(envelope.rcpt_tos)}\n")
        if message_id and self.seen[message_id]:
            trace += f"{DUPLICATE_HEADER}: {self.seen[message_id]}\n"
            self._file(self.duplicates_dir, head + trace.encode() + data[len(head):])
            logger.warning("duplicate %s of %s to %s: filed in %s, not in the inbox",
                           self.seen[message_id], message_id, header_value(head, b"To"), DUPLICATES)
        else:
            self._file(self.inbox_dir, head + trace.encode() + data[len(head):])
        if message_id:
            self.seen[message_id] += 1
        return "250 OK"

    def _file(self, folder: Path, data: bytes) -> None:
        """Write ``data`` into ``folder``'s ``tmp`` under a new unique name (Maildir:
        ``<seconds>.M<microseconds>P<pid>Q<n>.<host>``) and rename it into ``new``."""
        now = time.time()
        name = f"{int(now)}.M{int(now % 1 * 1e6)}P{os.getpid()}Q{next(self._count)}.{self._host}"
        temporary = folder / "tmp" / name
        with open(temporary, "xb") as f:
            f.write(data)
        os.rename(temporary, folder / "new" / name)


def _head(data: bytes) -> bytes:
    """The header section of the message ``data`` with its last line end, without the
    empty line after it (all of ``data`` when it has no body)."""
    match = _HEADER_END.search(data)
    if match is None:
        return data if data.endswith(b"\n") or not data else data + b"\n"
    return data[:match.start()] + (b"\r\n" if data[match.start():match.start() + 1] == b"\r" else b"\n")
