"""POST /api/authn/login: credentials, no enumeration, throttling, CSRF, rehash, last_used."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from tests.helpers import wait_for
from tests.users import central_user

ARGON2 = {"time_cost": 2, "memory_cost_kib": 19456, "parallelism": 1}


def login(client, email, password, **kwargs):
    return client.post("/api/authn/login", {"email": email, "password": password}, **kwargs)


def test_login_succeeds_and_logs_the_session_in(api, make_user):
    user = make_user("ada@example.org")
    client = api("authn")
    r = login(client, "ada@example.org", user.password)
    assert r.status == 200, r
    assert r.type == "POST_AUTHN_LOGIN_SUCCESS"
    assert r.payload["user_id"] == user.user_id
    assert r.payload["csrf_token"]
    auth_time = datetime.fromisoformat(r.payload["auth_time"])
    assert auth_time.utcoffset() == timedelta(0)
    assert abs(datetime.now(timezone.utc) - auth_time) < timedelta(seconds=10)
    s = client.get("/api/authn/session")
    assert s.payload == {"logged_in": True, "user_id": user.user_id, "auth_time": r.payload["auth_time"],
                         "amr": ["pwd"], "mfa_pending": False}


def test_login_normalises_the_address(api, make_user):
    user = make_user("grace@example.org")
    r = login(api("authn"), "Grace@Example.ORG", user.password)
    assert r.status == 200, r
    assert r.payload["user_id"] == user.user_id


def test_new_csrf_token_is_the_one_that_works_after_login(api, make_user):
    user = make_user()
    client = api("authn")
    before = client.csrf_token()
    r = login(client, user.email, user.password)
    assert r.payload["csrf_token"] != before
    assert client.csrf_token() == r.payload["csrf_token"]
    old = client.post("/api/authn/logout", headers={"X-CSRF-Token": before}, csrf=False)
    assert old.status == 403 and old.message == "csrf.invalid"


def test_wrong_password_unknown_address_and_unverified_address_answer_alike(api, make_user):
    user = make_user("ada@example.org")
    make_user("unverified@example.org", email_verified=False)
    client = api("authn")
    answers = [login(client, "ada@example.org", "wrong password 123"),
               login(client, "nobody@example.org", "wrong password 123"),
               login(client, "nobody@example.org", user.password),
               login(client, "unverified@example.org", user.password)]
    for r in answers:
        assert r.status == 401, r
        assert r.body == {"type": "POST_AUTHN_LOGIN_FAIL", "error": True,
                          "payload": {"message": "authn.invalid_credentials"}}
    assert client.get("/api/authn/session").payload["logged_in"] is False


def test_invalid_bodies_are_rejected(api, make_user):
    client = api("authn")
    r = client.post("/api/authn/login", {"email": "ada@example.org"})
    assert r.status == 400 and r.message == "request.invalid" and "password" in r.errors
    r = client.post("/api/authn/login", {"email": "not an address", "password": "x"})
    assert r.status == 400 and "email" in r.errors
    r = client.post("/api/authn/login", {"email": "ada@example.org", "password": "x", "remember": True})
    assert r.status == 400 and "remember" in r.errors
    r = client.post("/api/authn/login", {"email": "ada@example.org", "password": ""})
    assert r.status == 400 and "password" in r.errors
    raw = client.client.post("/api/authn/login", data="[1]", content_type="application/json",
                             headers={"X-CSRF-Token": client.csrf_token()})
    assert raw.status_code == 400 and raw.get_json()["payload"]["message"] == "request.not_json"


def test_login_without_csrf_token_is_refused(api, make_user):
    user = make_user()
    client = api("authn")
    r = login(client, user.email, user.password, csrf=False)
    assert r.status == 403 and r.message == "csrf.invalid"
    r = login(client, user.email, user.password, csrf=False, headers={"X-CSRF-Token": "forged"})
    assert r.status == 403 and r.message == "csrf.invalid"
    assert client.get("/api/authn/session").payload["logged_in"] is False


def test_failures_per_account_are_throttled(api, make_user):
    victim = make_user("victim@example.org")
    other = make_user("other@example.org")
    client = api("authn", login_failures_per_account="3 per 5 minutes")
    for _ in range(3):
        assert login(client, "Victim@example.org", "guess 123456").status == 401
    r = login(client, "victim@example.org", "guess 123456")
    assert r.status == 429, r
    assert r.message == "request.throttled"
    assert 0 < int(r.headers["Retry-After"]) <= 300
    # even the right password waits: otherwise the 429 would only slow the guessing
    assert login(client, "victim@example.org", victim.password).status == 429
    # another account from the same client is not affected
    assert login(client, "other@example.org", other.password).status == 200


def test_the_account_limit_holds_for_its_whole_window_at_a_human_pace(api, make_user):
    # What the browser saw (issue 10), with a 6 s window for 5 minutes: a moving window
    # let the next guess through as soon as the OLDEST failure was a window old. The
    # failure that fills the allowance must lock the account for a whole window instead.
    user = make_user()
    client = api("authn", login_failures_per_account="3 per 6 seconds")
    assert login(client, user.email, "guess 1").status == 401
    first = time.monotonic()
    until(first + 3)  # the user types the next guesses a few seconds later
    assert [login(client, user.email, f"guess {n}").status for n in (2, 3)] == [401, 401]
    filled = time.monotonic()
    r = login(client, user.email, "guess 4")
    # the whole window from the 3rd failure (not the ~3 s until the first one expires)
    assert r.status == 429 and 4 <= int(r.headers["Retry-After"]) <= 6
    until(first + 6.5)  # the first failure is out of any 6 s window now; the lock is not
    assert time.monotonic() < filled + 6, "the machine was too slow to see the lock before its end"
    r = login(client, user.email, user.password)  # never checked: the right one waits too
    assert r.status == 429, r
    assert 1 <= int(r.headers["Retry-After"]) <= 6


def test_throttled_attempts_do_not_extend_the_lock(api, make_user):
    user = make_user()
    client = api("authn", login_failures_per_account="2 per 2 seconds")
    assert [login(client, user.email, f"guess {n}").status for n in (1, 2)] == [401, 401]
    locked_at = time.monotonic()
    # asking again and again while locked (each a 429, never checked, never counted)...
    statuses = []
    while (r := login(client, user.email, user.password)).status == 429:
        statuses.append(r.status)
        assert time.monotonic() < locked_at + 15, "the lock did not end"
        time.sleep(0.05)
    # ...neither prolongs the lock nor uses up the allowance that follows it
    assert statuses and r.status == 200, r
    assert time.monotonic() >= locked_at + 1.5


def until(moment: float) -> None:
    """Let the clock reach ``moment`` (time.monotonic): the subject of a window test."""
    while (left := moment - time.monotonic()) > 0:
        time.sleep(min(0.1, left))


def test_unknown_address_is_throttled_like_a_known_one(api, make_user):
    client = api("authn", login_failures_per_account="2 per 5 minutes")
    for _ in range(2):
        assert login(client, "nobody@example.org", "guess 123456").status == 401
    r = login(client, "nobody@example.org", "guess 123456")
    assert r.status == 429 and "Retry-After" in r.headers


def test_successful_logins_are_not_counted(api, make_user):
    user = make_user()
    client = api("authn", login_failures_per_account="2 per 5 minutes", login_failures_per_client="2 per minute")
    for _ in range(4):
        assert login(client, user.email, user.password).status == 200


def test_failures_per_client_are_throttled(api, make_user):
    user = make_user()
    client = api("authn", login_failures_per_client="3 per minute")
    attacker = {"X-Real-IP": "203.0.113.7"}
    for i in range(3):
        assert login(client, f"target{i}@example.org", "guess 123456", headers=attacker).status == 401
    r = login(client, user.email, user.password, headers=attacker)
    assert r.status == 429, r
    assert 0 < int(r.headers["Retry-After"]) <= 60
    # someone else (another address as nginx saw it) still gets in
    assert login(client, user.email, user.password, headers={"X-Real-IP": "198.51.100.2"}).status == 200


def test_login_records_last_used_in_the_central_db(stack, api, make_user):
    user = make_user()
    assert login(api("authn"), user.email, user.password).status == 200
    stored = wait_for(lambda: (central_user(stack, user.user_id) or {}).get("credentials", [{}])[0].get("last_used"))
    assert stored is not None, "the AM did not apply authn's credentials (is authn in am.json's whitelist?)"
    assert abs(datetime.now(timezone.utc) - stored) < timedelta(seconds=30)


def test_login_rehashes_when_the_argon2_cost_changes(stack, api, make_user):
    user = make_user(argon2=ARGON2)
    old_hash = user.document["credentials"][0]["hash"]
    stronger = {**ARGON2, "time_cost": 3}
    assert login(api("authn", argon2=stronger), user.email, user.password).status == 200

    def new_hash():
        found = central_user(stack, user.user_id)["credentials"][0]["hash"]
        return found if found != old_hash else None

    changed = wait_for(new_hash)
    assert changed, "the hash was not replaced in the central db"
    assert changed.startswith("$argon2id$") and ",t=3," in changed
    # the new hash still proves the same password, and it is not re-hashed again
    assert login(api("authn", argon2=stronger), user.email, user.password).status == 200
    assert login(api("authn", argon2=stronger), user.email, "wrong password 1").status == 401


def test_the_login_finds_the_account_through_the_unique_index(stack, api, make_user, monkeypatch):
    """The address lookup of every login is an index scan, not a scan of every account
    (issue 15): the query the login sends is explained by MongoDB itself."""
    import json

    from common import users
    from tests.users import mongo_client

    make_user("ada@example.org")
    make_user("grace@example.org")
    sent = []
    real_central_db = users.central_db

    class Recording:
        def __init__(self, collection):
            self._collection = collection

        def find_one(self, query, *args, **kwargs):
            sent.append(query)
            return self._collection.find_one(query, *args, **kwargs)

    monkeypatch.setattr(users, "central_db", lambda: type("Db", (), {"users": Recording(real_central_db().users)}))
    r = login(api("authn"), "Grace@Example.org", "wrong password 123")
    assert r.status == 401 and len(sent) == 1
    client = mongo_client(stack)
    try:
        plan = client.tessera_central.users.find(sent[0]).explain()["queryPlanner"]["winningPlan"]
        found = list(client.tessera_central.users.find(sent[0], {"_id": 0, "verified_emails": 1}))
    finally:
        client.close()
    assert '"IXSCAN"' in json.dumps(plan) and "verified_emails_unique" in json.dumps(plan), plan
    assert "COLLSCAN" not in json.dumps(plan), plan
    assert found == [{"verified_emails": ["grace@example.org"]}]
