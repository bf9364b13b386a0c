"""POST /api/security/terminate (*recent*): the account is gone from every database."""
from __future__ import annotations

import redis
from bson import json_util

from devstack import rabbitmq_access
from devstack.mongo_access import admin_client
from tests.helpers import HttpClient, code_in, text_of
from tests.users import central_user

TERMINATE = "/api/security/terminate"


def _traces(stack, *needles: str) -> list[str]:
    """Every ``db.collection`` document of every ``tessera_*`` database that mentions a needle."""
    client = admin_client(stack)
    found = []
    try:
        for name in client.list_database_names():
            if not name.startswith("tessera_"):
                continue
            for collection in client[name].list_collection_names():
                for document in client[name][collection].find():
                    text = json_util.dumps(document).lower()
                    found += [f"{name}.{collection}: {needle}" for needle in needles if needle.lower() in text]
    finally:
        client.close()
    return found


def _redis_traces(stack, user_id: str) -> list[str]:
    """Every Redis key whose name or (string) value mentions ``user_id``."""
    r = redis.Redis(port=stack.ports["redis"])
    found = []
    try:
        for key in r.scan_iter():
            value = r.get(key) if r.type(key) == b"string" else b""
            if user_id.encode() in key or user_id.encode() in (value or b""):
                found.append(key.decode())
    finally:
        r.close()
    return found


def test_terminate_through_nginx_leaves_no_trace(http, new_user, stack, outbox):
    user = new_user(given_name="Ada", language="sv")
    # leave data in several services' databases the real way: a reset (code, proofing log,
    # private copy), a password change (private copy), a reset that is still pending
    http.post("/api/reset-password/start", {"email": user.email})
    code = code_in(text_of(outbox.wait_for_mail(user.email)[-1]))
    assert http.post("/api/reset-password/verify", {"email": user.email, "code": code}).status == 200
    password = "nebula crossword harbour 604"
    assert http.post("/api/reset-password/new-password", {"password": password}).status == 200
    assert http.post("/api/authn/login", {"email": user.email, "password": password}).status == 200
    password, old = "gravel saxophone umbrella 17", password
    assert http.post("/api/security/change-password", {"new_password": password}).status == 200
    pending = HttpClient(stack.base_url)
    other = HttpClient(stack.base_url)
    try:
        assert pending.post("/api/reset-password/start", {"email": user.email}).status == 200
        assert other.post("/api/authn/login", {"email": user.email, "password": password}).status == 200
        assert _traces(stack, user.user_id, user.email)  # the check below can see traces

        r = http.post(TERMINATE)
        assert r.status == 200 and r.type == "POST_SECURITY_TERMINATE_SUCCESS"
        assert set(r.payload) == {"csrf_token"} and r.payload["csrf_token"]

        assert central_user(stack, user.user_id) is None
        assert _traces(stack, user.user_id, user.email) == []
        assert _redis_traces(stack, user.user_id) == []
        # every session ended, this one is logged out but usable (its new CSRF token works)
        for client in (http, other):
            gone = client.get("/api/security/credentials")
            assert gone.status == 401 and gone.message == "authn.required"
        assert http.post("/api/reset-password/start", {"email": "someone-else@example.org"}).status == 200
    finally:
        pending.close()
        other.close()
    for secret in (password, old, user.password):
        login = http.post("/api/authn/login", {"email": user.email, "password": secret})
        assert login.status == 401 and login.message == "authn.invalid_credentials"
    mails = outbox.wait_for_mail(user.email, 5)  # code, reset, changed, code, terminated
    assert any("Ada" in text_of(m) and m["Subject"] for m in mails[3:])
    assert _traces(stack, user.user_id, user.email) == []  # and none came back since


def test_terminate_mail_is_sent(api, new_user, outbox, stack):
    user = new_user(given_name="Barbara")
    client = api("security")
    client.login_as(user.user_id)
    assert client.post(TERMINATE).status == 200
    [mail] = outbox.wait_for_mail(user.email)
    assert "Barbara" in text_of(mail)
    assert central_user(stack, user.user_id) is None


def test_terminate_needs_recent_authentication(api, new_user, stack):
    user = new_user()
    client = api("security")
    client.login_as(user.user_id, auth_age=301)
    r = client.post(TERMINATE)
    assert r.status == 403 and r.message == "authn.reauthn_required"
    assert r.body["meta"] == {"reauthn_required": True}
    assert central_user(stack, user.user_id) is not None


def test_terminate_needs_login_csrf_and_an_empty_body(api, new_user, stack):
    r = api("security").post(TERMINATE)
    assert r.status == 401 and r.message == "authn.required"
    user = new_user()
    client = api("security")
    client.login_as(user.user_id)
    r = client.post(TERMINATE, csrf=False)
    assert r.status == 403 and r.message == "csrf.invalid"
    r = client.post(TERMINATE, {"user_id": "someone-else"})
    assert r.status == 400 and r.message == "request.invalid" and "user_id" in r.errors
    assert central_user(stack, user.user_id) is not None


def test_am_refusal_keeps_the_account(make_app, new_user, stack, outbox):
    from tests.helpers import ApiClient

    user = new_user()
    # a service that the AM's delete_allowed does not list asks for the deletion (as
    # itself: its own RabbitMQ login, its own name in the message)
    app = make_app("security", amqp_username="svc_personal_data",
                   amqp_password=rabbitmq_access.passwords(stack)["personal_data"])
    app.extensions["tessera"].name = "personal_data"
    client = ApiClient(app.test_client())
    client.login_as(user.user_id)
    r = client.post(TERMINATE)
    assert r.status == 409 and r.message == "am.operation_not_allowed"
    assert central_user(stack, user.user_id) is not None
    assert client.get("/api/security/credentials").status == 200  # still logged in
    outbox.drain(stack)
    assert outbox.mails(user.email) == []  # no mail claims a deletion that did not happen
