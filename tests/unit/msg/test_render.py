"""Templates, messages and the file SMS provider: pure logic, no stack (the HTTP SMS
provider, which needs a local HTTP server, is tested in tests/msg/test_sms_gateway.py)."""
from __future__ import annotations

import json
import threading

import pytest

from common.consumer import PermanentError
from services.msg.mailer import build_message, message_id_for
from services.msg.sms import FileSmsProvider
from services.msg.templates import MAIL_TEMPLATES, SMS_TEMPLATES, Renderer
from tests.helpers import code_in

SAMPLE = {"code": "493027", "given_name": "<b>Åsa</b>", "ttl_minutes": 10,
          "reset_url": "http://127.0.0.1:8080/reset-password?x=1&y=2", "login_url": "http://127.0.0.1:8080/login",
          "new_email": "new@example.org", "factor": "passkey", "last": True,
          "time": "2026-12-01 10:55 UTC", "browser": "Firefox on Linux", "ip": "192.0.2.7"}


@pytest.fixture
def renderer() -> Renderer:
    return Renderer(["en", "sv"], "en")


@pytest.mark.parametrize("name", sorted(MAIL_TEMPLATES))
def test_every_mail_renders_in_both_languages(renderer, name):
    context = {key: SAMPLE[key] for key in MAIL_TEMPLATES[name]}
    en, sv = renderer.render_mail(name, "en", context), renderer.render_mail(name, "sv", context)
    assert (en.language, sv.language) == ("en", "sv")
    assert en.subject and sv.subject and en.subject != sv.subject and "\n" not in en.subject
    assert en.text != sv.text
    for mail in (en, sv):
        assert '<html lang="%s">' % mail.language in mail.html
        if "code" in context:
            assert code_in(mail.text) == "493027" and "493027" in mail.html
        if "given_name" in context:  # text as is, HTML escaped
            assert "<b>Åsa</b>" in mail.text
            assert "&lt;b&gt;Åsa&lt;/b&gt;" in mail.html and "<b>Åsa" not in mail.html
        for url_key in ("reset_url", "login_url"):
            if url_key in context:
                assert context[url_key] in mail.text
                assert context[url_key].replace("&", "&amp;") in mail.html


def test_sms_renders_in_both_languages(renderer):
    assert set(SMS_TEMPLATES) == {"phone_code"}
    en = renderer.render_sms("phone_code", "en", {"code": "123456", "ttl_minutes": 10})
    sv = renderer.render_sms("phone_code", "sv", {"code": "123456", "ttl_minutes": 10})
    assert en == "Your Tessera code is 123456. It is valid for 10 minutes."
    assert "123456" in sv and "minuter" in sv


def test_an_unknown_language_falls_back_to_the_default(renderer):
    mail = renderer.render_mail("email_code", "de", {"code": "111111", "ttl_minutes": 5})
    assert mail.language == "en"
    assert renderer.render_mail("email_code", None, {"code": "111111", "ttl_minutes": 5}).language == "en"


@pytest.mark.parametrize("name, context, key", [
    ("no_such_template", {}, "msg.unknown_template"),
    ("signup_code", {"code": "123456", "given_name": "Ada"}, "msg.context_missing"),
    ("phone_code", {"code": "123456", "ttl_minutes": 10}, "msg.unknown_template"),  # an SMS, not a mail
])
def test_bad_jobs_are_permanent_errors(renderer, name, context, key):
    with pytest.raises(PermanentError) as info:
        renderer.render_mail(name, "en", context)
    assert info.value.message == key


def test_the_message(renderer):
    mail = renderer.render_mail("signup_code", "sv", {"code": "654321", "given_name": "Åsa", "ttl_minutes": 10})
    message = build_message(mail, "asa@example.org", "Tessera <no-reply@tessera.example>",
                            "no-reply@tessera.example", "0123abcd")
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Message-ID"] == "<0123abcd@tessera.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"] and message["Content-Language"] == "sv"
    assert message["Subject"] == "Din verifieringskod för Tessera"
    assert "654321" in message.get_body(("plain",)).get_content()
    # keys that are not safe in a Message-ID are hashed, stably
    assert message_id_for("a b<c>", "x@y.org") == message_id_for("a b<c>", "x@y.org")
    assert "<c>" not in message_id_for("a b<c>", "x@y.org")


def test_the_file_provider_never_interleaves(tmp_path):
    provider = FileSmsProvider(tmp_path / "sms.jsonl")
    text = "x" * 5000  # longer than a pipe buffer: interleaving would show

    def writer(n: int) -> None:
        for i in range(40):
            provider.send(f"+4670{n:03d}{i:04d}", text)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = (tmp_path / "sms.jsonl").read_text().splitlines()
    assert len(lines) == 320
    records = [json.loads(line) for line in lines]
    assert len({r["to"] for r in records}) == 320
    assert all(r["text"] == text and r["sent_at"].endswith("Z") for r in records)


def test_the_file_provider_knows_what_it_sent(tmp_path):
    provider = FileSmsProvider(tmp_path / "sms.jsonl")
    assert provider.has_sent("k1") is False  # no file yet
    provider.send("+46701234567", "hello", "k1")
    provider.send("+46701234567", "hello")
    assert provider.has_sent("k1") is True and provider.has_sent("k2") is False
    assert json.loads((tmp_path / "sms.jsonl").read_text().splitlines()[0])["message_id"] == "k1"
