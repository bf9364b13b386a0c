"""security's fixtures: ``new_user`` — ``make_user`` (tests/users.py) with an address no
earlier test used, since the outbox (Maildir) is not wiped between tests."""
from __future__ import annotations

import uuid
from typing import Any, Callable

import pytest

from tests.users import TestUser, make_user  # noqa: F401  (re-exported fixture)


@pytest.fixture
def new_user(make_user: Callable[..., TestUser]) -> Callable[..., TestUser]:  # noqa: F811
    """``new_user(**make_user_options)`` → a TestUser with a never-used address."""
    def factory(**options: Any) -> TestUser:
        options.setdefault("email", f"u{uuid.uuid4().hex[:16]}@example.org")
        return make_user(**options)
    return factory
