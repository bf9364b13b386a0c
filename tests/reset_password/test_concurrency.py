"""Parallel reset requests of one session never undo each other's step."""
from __future__ import annotations

from argon2 import PasswordHasher

from tests.helpers import code_in, text_of
from tests.parallel import post_together
from tests.users import central_user

START = "/api/reset-password/start"
VERIFY = "/api/reset-password/verify"
NEW = "/api/reset-password/new-password"
NEW_PASSWORD = "tangerine submarine orchestra 51"


def test_parallel_verifies_keep_the_permission(http, new_user, outbox, stack):
    user = new_user()
    assert http.post(START, {"email": user.email}).status == 200
    code = code_in(text_of(outbox.wait_for_mail(user.email)[-1]))
    answers = post_together(http, VERIFY, [{"email": user.email, "code": code}] * 10)
    assert [a.status for a in answers].count(200) == 1, answers
    assert {a.message for a in answers if a.status != 200} == {"reset_password.code_expired"}, answers
    r = http.post(NEW, {"password": NEW_PASSWORD})
    assert r.status == 200, r
    [credential] = central_user(stack, user.user_id)["credentials"]
    assert PasswordHasher().verify(credential["hash"], NEW_PASSWORD)
