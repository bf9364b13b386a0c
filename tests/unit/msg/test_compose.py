"""``services.msg.compose``: every mail, composed as bytes, reads (stdlib ``email``
parser) exactly as ``build_message``'s — same headers, same text and HTML — and is
conformant: CRLF lines within RFC 5322's limits, 7-bit only (RFC 2045), non-ASCII
headers as RFC 2047 encoded-words, no parser defects."""
from __future__ import annotations

import email
import email.policy
import re

import pytest

from services.msg.compose import ComposedMail, compose, composable
from services.msg.mailer import build_message, message_for, message_id_for
from services.msg.templates import MAIL_TEMPLATES, RenderedMail, Renderer
from tests.unit.msg.test_render import SAMPLE

SENDER, FROM = "Tessera <no-reply@tessera.example>", "no-reply@tessera.example"
HEADERS = ("Subject", "From", "To", "Message-ID", "Auto-Submitted", "X-Auto-Response-Suppress",
           "Content-Language", "MIME-Version")


def _parsed(data: bytes) -> email.message.EmailMessage:
    # as the sink files it (LF) and as a mail client reads it
    return email.message_from_bytes(data.replace(b"\r\n", b"\n"), policy=email.policy.default)


def _reference(mail: RenderedMail, to: str, key: str) -> email.message.EmailMessage:
    return _parsed(build_message(mail, to, SENDER, FROM, key).as_bytes(policy=email.policy.SMTP))


@pytest.mark.parametrize("language", ["en", "sv"])
@pytest.mark.parametrize("name", sorted(MAIL_TEMPLATES))
def test_every_mail_reads_as_build_message_writes_it(name, language):
    mail = Renderer(["en", "sv"], "en").render_mail(name, language, {key: SAMPLE[key] for key in MAIL_TEMPLATES[name]})
    composed = compose(mail, "asa@example.org", SENDER, FROM, message_id_for("job-1", FROM))
    ours, theirs = _parsed(composed.data), _reference(mail, "asa@example.org", "job-1")
    for header in HEADERS:
        assert str(ours[header]) == str(theirs[header]), header
    assert ours["Date"].datetime.tzinfo is not None
    assert ours.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in ours.iter_parts()] == ["text/plain", "text/html"]
    for kind in ("plain", "html"):
        assert ours.get_body((kind,)).get_content() == theirs.get_body((kind,)).get_content(), kind
    assert all(not part.defects for part in ours.walk())
    # the wire form: 7-bit, CRLF only, header lines of at most 78 and body lines of at
    # most 76 characters (quoted-printable) or 78 (7bit text)
    assert composed.data.isascii() and b"\n" not in composed.data.replace(b"\r\n", b"")
    head, _, body = composed.data.partition(b"\r\n\r\n")
    assert max(map(len, head.split(b"\r\n"))) <= 78
    assert max(map(len, body.split(b"\r\n"))) <= 78
    if not mail.subject.isascii():
        assert re.search(rb"^Subject: .*=\?utf-8\?[qb]\?", head, re.MULTILINE)
    assert (composed.mail_from, composed.to, composed.message_id) == (FROM, "asa@example.org", "<job-1@tessera.example>")


def test_each_message_has_its_own_date_and_boundary_and_a_text_cannot_end_a_part():
    boundaryish = "--=_ and =_0123 in a text part, 7bit"
    mail = RenderedMail("Hi", f"{boundaryish}\n", "<p>=_ too</p>", "en")
    first, second = (compose(mail, "ada@example.org", SENDER, FROM, f"<{n}@x>") for n in (1, 2))
    assert _parsed(first.data).get_boundary() != _parsed(second.data).get_boundary()
    assert _parsed(first.data).get_body(("plain",)).get_content() == f"{boundaryish}\n"
    assert _parsed(first.data).get_body(("html",)).get_content() == "<p>=_ too</p>\n"


def test_a_display_name_and_long_lines_are_encoded():
    subject = ("Återställ lösenordet " * 5).strip()  # as the renderer gives it: one line, stripped
    mail = RenderedMail(subject, "x" * 120 + "\nÅsa\r\n", "<p>" + "y" * 200 + "</p>", "sv")
    composed = compose(mail, "ada@example.org", "Tessera Åtkomst <no-reply@tessera.example>", FROM, "<k@x>")
    parsed = _parsed(composed.data)
    assert parsed["Subject"] == subject
    assert parsed["From"].addresses[0].display_name == "Tessera Åtkomst"
    assert parsed.get_body(("plain",)).get_content() == "x" * 120 + "\nÅsa\n"
    assert parsed.get_body(("plain",))["Content-Transfer-Encoding"] == "quoted-printable"
    assert max(map(len, composed.data.split(b"\r\n"))) <= 78


@pytest.mark.parametrize("to", ["ключ@example.org", "x@bücher.example", "a b@example.org",
                                "a@example.org\r\nBcc: eve@example.org", ""])
def test_only_a_plain_ascii_address_is_composed(to):
    assert not composable(to)
    with pytest.raises(ValueError):
        compose(RenderedMail("Hi", "x", "<p>x</p>", "en"), to, SENDER, FROM, "<k@x>")


def test_message_for_composes_what_it_can_and_builds_the_rest():
    mail = RenderedMail("Hi", "x", "<p>x</p>", "en")
    assert isinstance(message_for(mail, "ada@example.org", SENDER, FROM, "k"), ComposedMail)
    built = message_for(mail, "ключ@example.org", SENDER, FROM, "k")
    assert not isinstance(built, ComposedMail) and built["To"] == "ключ@example.org"
