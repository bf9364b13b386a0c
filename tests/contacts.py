"""Fixtures and helpers shared by the contact-list tests (emails, phones).

``signed_in(service, **config_overrides)`` → ``(ApiClient, TestUser)``: a user made the
way the AM would (``tests.users.make_user``) and an in-process client of ``service``
logged in as that user; ``mongo`` is a pymongo client for looking at what the services
stored; ``new_mail``/``new_sms`` return the message an action sent.

``ContactKind`` says how a test drives one contact-list service (``EMAILS``, ``PHONES``):
the rules both share (``common.contact_list``) are tested once, for both, in
``tests/common/test_contact_list.py``; ``tests/emails`` and ``tests/phones`` test what is
each service's own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Callable, Iterator

import pytest
from pymongo import MongoClient
from pymongo.collection import Collection

from devstack.topology import Stack
from tests.helpers import ApiClient, Outbox, Response, code_in, text_of
from tests.users import TestUser, mongo_client

#: ``verification_code`` config with the longest codes (10 digits): a test that proves
#: an old code stopped working needs the new code to differ from it, and two random
#: 10-digit codes are equal once in 10^10 runs; ``resend_interval`` 0 allows resends.
LONG_CODES = {"length": 10, "ttl": 600, "max_attempts": 5, "resend_interval": 0, "max_sends": 5}
_LONG_CODE_RE = re.compile(r"\b(\d{10})\b")
#: seconds a test waits for the AM's answer or for a mail or SMS to arrive: generous, as
#: waiting costs nothing when things work and a short deadline fails on a busy machine
AM_WAIT = 30.0
DELIVERY_WAIT = 60.0


@pytest.fixture
def signed_in(api: Callable[..., ApiClient], make_user: Callable[..., TestUser]
              ) -> Callable[..., tuple[ApiClient, TestUser]]:
    """``signed_in("emails", max_entries=2)`` → (logged-in client, its user).

    The app waits up to ``AM_WAIT`` s for the AM (unless ``am_sync_timeout`` is given), so
    that a busy machine gives the 200 the test expects, not a 202."""
    def factory(service: str, email: str | None = None, **overrides: Any) -> tuple[ApiClient, TestUser]:
        overrides.setdefault("am_sync_timeout", AM_WAIT)
        user = make_user(email)
        client = api(service, **overrides)
        client.login_as(user.user_id)
        return client, user
    return factory


@pytest.fixture
def mongo(stack: Stack) -> Iterator[MongoClient]:
    """A pymongo client on the stack's MongoDB."""
    client = mongo_client(stack)
    yield client
    client.close()


def new_mail(outbox: Outbox, to: str, action: Callable[[], Any]) -> tuple[Any, EmailMessage]:
    """Run ``action`` and return its result and the mail it made reach ``to``.

    The outbox outlives the per-test wipe, so mails of earlier tests are counted first."""
    before = len(outbox.mails(to))
    result = action()
    return result, outbox.wait_for_mail(to, count=before + 1, timeout=DELIVERY_WAIT)[before]


def new_sms(outbox: Outbox, to: str, action: Callable[[], Any]) -> tuple[Any, dict[str, Any]]:
    """Run ``action`` and return its result and the SMS it made reach ``to`` (as ``new_mail``)."""
    before = len(outbox.sms(to))
    result = action()
    return result, outbox.wait_for_sms(to, count=before + 1, timeout=DELIVERY_WAIT)[before]


def wrong(code: str) -> str:
    """A code of the same length that is surely not ``code``."""
    return f"{(int(code) + 1) % 10 ** len(code):0{len(code)}d}"


def long_code_in(text: str) -> str:
    """The 10-digit code (``LONG_CODES``) in ``text``. AssertionError if there is none."""
    match = _LONG_CODE_RE.search(text)
    assert match, f"no 10-digit code in {text!r}"
    return match.group(1)


@dataclass(frozen=True)
class ContactKind:
    """How the tests drive one contact-list service.

    ``service`` (``emails``), ``key`` (the value's field, ``email``), ``attribute`` (the
    list's name in answers and documents), ``kind``/``method`` (what the proofing log
    records), ``value``/``other`` (two values a new user does not have), ``spelling``
    (``value`` written another way the service reads as the same), ``initial`` (entries
    a new user has: the primary address, or no number) and ``by_sms`` (codes go by SMS).
    """

    service: str
    key: str
    attribute: str
    kind: str
    method: str
    value: str
    other: str
    spelling: str
    initial: int
    by_sms: bool

    def __str__(self) -> str:
        return self.service

    @property
    def database(self) -> str:
        """The service's own MongoDB database."""
        return f"tessera_{self.service}"

    def path(self, route: str) -> str:
        """``/api/<service>/<route>``."""
        return f"/api/{self.service}/{route}"

    def routes(self) -> list[tuple[str, str, dict[str, Any] | None]]:
        """Every route as ``(method, path, a valid body)``."""
        return [("get", self.path("all"), None)] + [
            ("post", self.path(route), body) for route, body in [
                ("new", {self.key: self.value}), ("verify", {self.key: self.value, "code": "123456"}),
                ("primary", {self.key: self.value}), ("remove", {self.key: self.value}),
                ("resend-code", {self.key: self.value})]]

    def post(self, client: ApiClient, route: str, value: str, **more: Any) -> Response:
        """``POST /api/<service>/<route>`` with ``{<key>: value, **more}``."""
        return client.post(self.path(route), {self.key: value, **more})

    def sent(self, outbox: Outbox, to: str, action: Callable[[], Response]) -> tuple[Response, str]:
        """Run ``action``; return its response and the text of the mail or SMS it sent ``to``."""
        if self.by_sms:
            response, sms = new_sms(outbox, to, action)
            return response, sms["text"]
        response, mail = new_mail(outbox, to, action)
        return response, text_of(mail)

    def add(self, client: ApiClient, outbox: Outbox, value: str | None = None, *, long: bool = False) -> str:
        """Add ``value`` (default ``self.value``) and return the code sent to it
        (``long``: the app runs with ``LONG_CODES``)."""
        value = value or self.value
        r, text = self.sent(outbox, value, lambda: self.post(client, "new", value))
        assert r.status == 200, r
        return long_code_in(text) if long else code_in(text)

    def add_verified(self, client: ApiClient, outbox: Outbox, value: str | None = None) -> Response:
        """Add ``value`` and verify it with the code sent; the 200 response."""
        value = value or self.value
        r = self.post(client, "verify", value, code=self.add(client, outbox, value))
        assert r.status == 200, r
        return r

    def entries(self, response: Response) -> dict[str, tuple[bool, bool]]:
        """The answer's list as ``{value: (verified, primary)}``."""
        return {e[self.key]: (e["verified"], e["primary"]) for e in response.payload[self.attribute]}

    def codes(self, mongo: MongoClient) -> Collection:
        """The service's pending codes."""
        return mongo[self.database].verification_codes


EMAILS = ContactKind(service="emails", key="email", attribute="emails", kind="email", method="code_by_mail",
                     value="second@example.org", other="third@example.org", spelling="Second@Example.ORG",
                     initial=1, by_sms=False)
PHONES = ContactKind(service="phones", key="number", attribute="phones", kind="phone", method="code_by_sms",
                     value="+46701234567", other="+46701234568", spelling="070-123 45 67",
                     initial=0, by_sms=True)
