"""Fixtures and helpers shared by the emails and phones tests (contact lists).

``signed_in(service, **config_overrides)`` → ``(ApiClient, TestUser)``: a user made the
way the AM would (``tests.users.make_user``) and an in-process client of ``service``
logged in as that user; ``mongo`` is a pymongo client for looking at what the services
stored; ``new_mail``/``new_sms`` return the message an action sent.
"""
from __future__ import annotations

from email.message import EmailMessage
from typing import Any, Callable, Iterator

import pytest
from pymongo import MongoClient

from devstack.topology import Stack
from tests.helpers import ApiClient, Outbox
from tests.users import TestUser, mongo_client


@pytest.fixture
def signed_in(api: Callable[..., ApiClient], make_user: Callable[..., TestUser]
              ) -> Callable[..., tuple[ApiClient, TestUser]]:
    """``signed_in("emails", max_entries=2)`` → (logged-in client, its user)."""
    def factory(service: str, email: str | None = None, **overrides: Any) -> tuple[ApiClient, TestUser]:
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
    return result, outbox.wait_for_mail(to, count=before + 1)[before]


def new_sms(outbox: Outbox, to: str, action: Callable[[], Any]) -> tuple[Any, dict[str, Any]]:
    """Run ``action`` and return its result and the SMS it made reach ``to`` (as ``new_mail``)."""
    before = len(outbox.sms(to))
    result = action()
    return result, outbox.wait_for_sms(to, count=before + 1)[before]
