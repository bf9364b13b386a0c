"""Sensitive one-shot actions never run twice in parallel: one password, one mail."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

from tests.helpers import HttpClient
from tests.parallel import post_together
from tests.users import central_user


def _logged_in(http: HttpClient, user) -> None:
    assert http.post("/api/authn/login", {"email": user.email, "password": user.password}).status == 200


def _not_alerts(mails: list) -> list:
    """The mails but the new sign-in alert of the test's own first login."""
    return [m for m in mails if m["Subject"] != "New sign-in to your Tessera account"]


def _logs_in(stack, email: str, password: str) -> bool:
    client = HttpClient(stack.base_url)
    try:
        return client.post("/api/authn/login", {"email": email, "password": password}).status == 200
    finally:
        client.close()


def _matches(hash_: str, password: str) -> bool:
    try:
        return PasswordHasher().verify(hash_, password)
    except VerifyMismatchError:
        return False


def test_parallel_password_changes_leave_exactly_one_password(http, new_user, outbox, stack):
    user = new_user()
    _logged_in(http, user)
    passwords = [f"periwinkle lighthouse acrobat {n}{n}" for n in range(10)]
    answers = post_together(http, "/api/security/change-password", [{"new_password": p} for p in passwords])
    assert [a.status for a in answers].count(200) == 1, answers
    # the others fail clearly: the change is under way, or (arriving later) their session
    # has been given a new id by the winner, so they are in a fresh one
    assert {(a.status, a.message) for a in answers if a.status != 200} <= {
        (409, "security.in_progress"), (403, "csrf.invalid"), (401, "authn.required")}, answers
    [winner] = [p for p, a in zip(passwords, answers) if a.status == 200]
    [credential] = central_user(stack, user.user_id)["credentials"]
    assert [p for p in [user.password, *passwords] if _matches(credential["hash"], p)] == [winner]
    assert _logs_in(stack, user.email, winner)
    outbox.drain(stack)
    assert len(_not_alerts(outbox.mails(user.email))) == 1
    # the browser is still logged in: no loser handed back the replaced session id
    assert http.get("/api/security/credentials").status == 200


def test_parallel_terminations_mail_once(http, new_user, outbox, stack):
    user = new_user()
    _logged_in(http, user)
    answers = post_together(http, "/api/security/terminate", [{}] * 5)
    assert [a.status for a in answers].count(200) == 1, answers
    assert {(a.status, a.message) for a in answers if a.status != 200} <= {
        (409, "security.in_progress"), (403, "csrf.invalid"), (401, "authn.required")}, answers
    outbox.drain(stack)
    assert len(_not_alerts(outbox.mails(user.email))) == 1
    assert not _logs_in(stack, user.email, user.password)
