"""POST /api/reset-password/new-password: only after verify, once; every session ends."""
from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import redis
import requests
from argon2 import PasswordHasher

from services.reset_password.flow import ResetFlow
from tests.helpers import HttpClient, code_in, text_of
from tests.users import central_user

START = "/api/reset-password/start"
VERIFY = "/api/reset-password/verify"
NEW = "/api/reset-password/new-password"
NEW_PASSWORD = "tangerine submarine orchestra 51"


def _verified(api, user, outbox):
    client = api("reset_password")
    client.post(START, {"email": user.email})
    code = code_in(text_of(outbox.wait_for_mail(user.email)[-1]))
    assert client.post(VERIFY, {"email": user.email, "code": code}).status == 200
    return client


def _password_hash(stack, user) -> str:
    [credential] = [c for c in central_user(stack, user.user_id)["credentials"] if c["type"] == "password"]
    return credential["hash"]


def test_new_password_needs_verify(api, new_user, outbox):
    r = api("reset_password").post(NEW, {"password": NEW_PASSWORD})
    assert r.status == 400 and r.message == "reset_password.not_verified"
    user = new_user()
    started = api("reset_password")
    started.post(START, {"email": user.email})  # a code was sent, but not proven
    r = started.post(NEW, {"password": NEW_PASSWORD})
    assert r.status == 400 and r.message == "reset_password.not_verified"


def test_new_password_sets_the_password_once(api, new_user, outbox, stack):
    user = new_user(given_name="Hedy")
    client = _verified(api, user, outbox)
    old_cookie = client.client.get_cookie("tessera_session").value
    r = client.post(NEW, {"password": NEW_PASSWORD})
    assert r.status == 200 and r.type == "POST_RESET_PASSWORD_NEW_PASSWORD_SUCCESS"
    assert PasswordHasher().verify(_password_hash(stack, user), NEW_PASSWORD)
    credential = central_user(stack, user.user_id)["credentials"][0]
    assert credential["credential_id"] != user.document["credentials"][0]["credential_id"]
    assert credential["last_used"] is None
    assert client.client.get_cookie("tessera_session").value != old_cookie  # a new session id
    # single use: the permission is gone
    again = client.post(NEW, {"password": "yet another fine pass phrase 3"})
    assert again.status == 400 and again.message == "reset_password.not_verified"
    [mail] = outbox.wait_for_mail(user.email, 2)[1:]
    assert "Hedy" in text_of(mail)


def test_weak_password_is_refused_and_the_permission_kept(api, new_user, outbox, stack):
    user = new_user(given_name="Katherine", surname="Johnson")
    client = _verified(api, user, outbox)
    short = client.post(NEW, {"password": "short"})
    assert short.status == 400 and short.message == "reset_password.weak_password"
    assert short.errors == {"password": ["password.too_short"]}
    guessable = client.post(NEW, {"password": "katherinejohnson"})
    assert guessable.status == 400 and guessable.errors == {"password": ["password.too_guessable"]}
    assert _password_hash(stack, user) == user.document["credentials"][0]["hash"]
    assert client.post(NEW, {"password": NEW_PASSWORD}).status == 200


def test_permission_expires_with_the_code_ttl(api, new_user, outbox, stack):
    user = new_user()
    client = _verified(api, user, outbox)
    with client.client.session_transaction() as session:
        key = ResetFlow.key(session["reset_flow"])
    store = redis.Redis(port=stack.ports["redis"])
    try:  # the permission's expiry has passed (Redis has not dropped the record yet)
        record = json.loads(store.get(key))
        store.set(key, json.dumps({**record, "expires_at": time.time() - 1}), keepttl=True)
    finally:
        store.close()
    r = client.post(NEW, {"password": NEW_PASSWORD})
    assert r.status == 400 and r.message == "reset_password.not_verified"
    assert _password_hash(stack, user) == user.document["credentials"][0]["hash"]


def test_new_password_rejects_bad_input(api, new_user, outbox):
    user = new_user()
    client = _verified(api, user, outbox)
    r = client.post(NEW, {"password": NEW_PASSWORD, "user_id": "someone-else"})
    assert r.status == 400 and r.message == "request.invalid" and "user_id" in r.errors
    r = client.post(NEW, {"password": 12345678901})
    assert r.status == 400 and "password" in r.errors
    r = client.post(NEW, {"password": NEW_PASSWORD}, csrf=False)
    assert r.status == 403 and r.message == "csrf.invalid"
    assert client.post(NEW, {"password": NEW_PASSWORD}).status == 200


def test_forgotten_password_reset_through_nginx(http, new_user, outbox, stack):
    user = new_user()
    # a browser where the user is still logged in (e.g. a stolen or forgotten session)
    elsewhere = HttpClient(stack.base_url)
    try:
        assert elsewhere.post("/api/authn/login", {"email": user.email, "password": user.password}).status == 200
        assert elsewhere.get("/api/authn/session").payload["logged_in"] is True
        outbox.wait_for_mail(user.email)  # that browser was new: a sign-in alert, queued first

        assert http.post(START, {"email": user.email}).status == 200
        code = code_in(text_of(outbox.wait_for_mail(user.email, 2)[-1]))
        assert http.post(VERIFY, {"email": user.email, "code": code}).status == 200
        before = http.cookie
        assert http.post(NEW, {"password": NEW_PASSWORD}).status == 200
        assert http.cookie != before
        # not logged in by the reset
        assert http.get("/api/authn/session").payload["logged_in"] is False
        assert http.get("/api/security/credentials").status == 401
        # every session of the user has ended
        r = elsewhere.get("/api/security/credentials")
        assert r.status == 401 and r.message == "authn.required"
    finally:
        elsewhere.close()
    old = http.post("/api/authn/login", {"email": user.email, "password": user.password})
    assert old.status == 401 and old.message == "authn.invalid_credentials"
    new = http.post("/api/authn/login", {"email": user.email, "password": NEW_PASSWORD})
    assert new.status == 200
    assert http.get("/api/security/credentials").status == 200
    outbox.drain(stack)
    # the other browser's sign-in alert, the code, the notification, this browser's alert
    assert len(outbox.mails(user.email)) == 4


def test_the_permission_is_used_once_by_concurrent_requests(http, new_user, outbox, stack):
    """Four new-password requests of one verified session at the same moment (nginx
    spreads them over gunicorn workers): exactly one sets its password."""
    user = new_user()
    assert http.post(START, {"email": user.email}).status == 200
    code = code_in(text_of(outbox.wait_for_mail(user.email)[-1]))
    assert http.post(VERIFY, {"email": user.email, "code": code}).status == 200
    passwords = [f"tangerine submarine orchestra {n}{n}" for n in range(4)]
    barrier = threading.Barrier(len(passwords))

    def attempt(password: str) -> tuple[int, str | None]:
        with requests.Session() as session:
            session.cookies.update(http.session.cookies)
            barrier.wait()
            r = session.post(stack.base_url + NEW, json={"password": password},
                             headers={"X-CSRF-Token": http.token}, timeout=30)
            return r.status_code, r.json()["payload"].get("message")

    with ThreadPoolExecutor(len(passwords)) as pool:
        answers = list(pool.map(attempt, passwords))
    assert sorted(status for status, _ in answers)[0] == 200
    assert [status for status, _ in answers].count(200) == 1, answers
    # the others are refused: the permission is gone (or, later still, so is the session)
    assert all(status in (400, 401, 403, 409) for status, _ in answers if status != 200), answers
    [winner] = [p for p, (status, _) in zip(passwords, answers) if status == 200]
    assert PasswordHasher().verify(_password_hash(stack, user), winner)
