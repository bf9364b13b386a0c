"""A rendered mail as the bytes an SMTP ``DATA`` carries — without ``email.message``.

The stdlib's ``EmailMessage`` (``set_content``, ``add_alternative``) and its generator
took 4.8 of the msg worker's 9 ms of CPU per mail (py-spy, bench/mail.py): header
objects parsed and re-folded, parts built and walked. A Tessera mail always has the
same shape, so ``compose`` writes it directly:

* the headers of ``services.msg.mailer.build_message`` (RFC 5322), folded by the stdlib's
  ``email.policy.SMTP``: a short ASCII header as it is, a non-ASCII one (a Swedish
  subject, a display name) as RFC 2047 encoded-words — folded once per distinct value
  (``_header``, cached), since subjects and the sender repeat;
* ``Date`` (RFC 5322 §3.3, ``formatdate``) and ``Message-ID`` (from the job's key) per
  message;
* ``multipart/alternative`` (RFC 2046 §5.1.4): the text part, then the HTML part, each
  ``charset="utf-8"``; the text ``7bit`` when it is ASCII with lines of at most 78
  characters (what ``set_content`` chooses then), else ``quoted-printable`` (RFC 2045
  §6.7, ``binascii.b2a_qp``), and the HTML always ``quoted-printable`` — so the whole
  message is 7-bit and needs no 8BITMIME (RFC 6152) from the server;
* a random boundary that cannot occur in a quoted-printable body (``=_`` is not
  quoted-printable) and is checked against the 7-bit text.

Lines end in CRLF (RFC 5321 §2.3.8). Dot-stuffing (RFC 5321 §4.5.2) is the SMTP
client's job (``services.msg.mailer``). Only for a recipient address of printable ASCII
(``composable``); an internationalised address (RFC 6531) goes through
``build_message`` and ``smtplib``'s SMTPUTF8 handling. tests/unit/msg/test_compose.py
parses every template's output with the stdlib parser and compares it with
``build_message``'s.
"""
from __future__ import annotations

import binascii
import re
import secrets
from dataclasses import dataclass
from email.policy import SMTP
from email.utils import formatdate
from functools import lru_cache

from services.msg.templates import RenderedMail

#: an address that can stand in a header and an SMTP command as it is (no SMTPUTF8,
#: no spaces or line breaks); RFC 5321 §4.5.3.1.3: a path of at most 256 octets
_PLAIN_ADDRESS = re.compile(r"\A[\x21-\x7e]{3,254}\Z")
#: folds every header it is given (RFC 2047 encoded-words for non-ASCII); the default
#: "long" refolds only over-long lines and would leave a short Swedish subject raw
_FOLDING = SMTP.clone(refold_source="all")
#: the text part may stay 7bit with lines of at most this length (``email.policy``'s)
_MAX_LINE = 78


@dataclass(frozen=True)
class ComposedMail:
    """A message ready for SMTP: envelope ``mail_from`` and ``to`` (ASCII addresses),
    ``data`` (CRLF line ends, not dot-stuffed) and the ``message_id`` in it."""

    mail_from: str
    to: str
    data: bytes
    message_id: str


def composable(to: str) -> bool:
    """Whether ``compose`` can write a mail to ``to`` (printable ASCII, no spaces)."""
    return bool(_PLAIN_ADDRESS.match(to))


@lru_cache(maxsize=512)
def _header(name: str, value: str) -> str:
    """``Name: value`` folded by ``email.policy.SMTP`` (RFC 2047 for non-ASCII), CRLF-ended."""
    return _FOLDING.fold(name, value)


def _lines(text: str) -> str:
    """``text`` with LF line ends and a final line end (what ``set_content`` sends)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") else text + "\n"


def _part(subtype: str, text: str, *, qp_only: bool) -> tuple[str, str]:
    """The headers and body (LF line ends) of a ``text/<subtype>`` part in UTF-8."""
    text = _lines(text)
    if not qp_only and text.isascii() and max(map(len, text.split("\n"))) <= _MAX_LINE:
        return f'Content-Type: text/{subtype}; charset="utf-8"\nContent-Transfer-Encoding: 7bit\n', text
    body = binascii.b2a_qp(text.encode("utf-8"), istext=True).decode("ascii")
    return f'Content-Type: text/{subtype}; charset="utf-8"\nContent-Transfer-Encoding: quoted-printable\n', body


def compose(mail: RenderedMail, to: str, sender: str, mail_from: str, message_id: str) -> ComposedMail:
    """The message of ``build_message(mail, to, sender, …)`` as SMTP data.

    ``sender``: the ``From`` header (``formataddr`` of name and address); ``mail_from``:
    the envelope sender; ``message_id``: ``<…@…>``. Raises ValueError when ``to`` is not
    ``composable`` (the caller uses ``build_message`` then)."""
    if not composable(to):
        raise ValueError("the address needs build_message")
    text_headers, text_body = _part("plain", mail.text, qp_only=False)
    html_headers, html_body = _part("html", mail.html, qp_only=True)
    boundary = f"=_{secrets.token_hex(12)}"
    while boundary in text_body:  # only a 7bit text can hold it: draw again
        boundary = f"=_{secrets.token_hex(12)}"
    head = (_header("Subject", mail.subject) + _header("From", sender) + f"To: {to}\r\n"
            f"Date: {formatdate(usegmt=True)}\r\nMessage-ID: {message_id}\r\n"
            "Auto-Submitted: auto-generated\r\nX-Auto-Response-Suppress: All\r\nMIME-Version: 1.0\r\n"
            + _header("Content-Language", mail.language)
            + f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n')
    # each body ends in a line end of its own; the CRLF before a delimiter belongs to
    # the delimiter (RFC 2046 §5.1.1), as the stdlib's generator writes it too
    body = (f"--{boundary}\n{text_headers}\n{text_body}\n"
            f"--{boundary}\n{html_headers}\n{html_body}\n--{boundary}--\n")
    return ComposedMail(mail_from, to, (head + body.replace("\n", "\r\n")).encode("ascii"), message_id)
