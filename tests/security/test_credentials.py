"""GET /api/security/credentials: what the user may know of their credentials."""
from __future__ import annotations

from datetime import datetime

CREDENTIALS = "/api/security/credentials"


def test_credentials_without_the_hash(api, new_user):
    user = new_user()
    client = api("security")
    client.login_as(user.user_id)
    r = client.get(CREDENTIALS)
    assert r.status == 200 and r.type == "GET_SECURITY_CREDENTIALS_SUCCESS"
    [credential] = r.payload["credentials"]
    assert set(credential) == {"credential_id", "type", "created", "last_used"}
    stored = user.document["credentials"][0]
    assert credential["credential_id"] == stored["credential_id"]
    assert credential["type"] == "password"
    assert datetime.fromisoformat(credential["created"]) == stored["created"]
    assert credential["last_used"] is None
    assert "argon2" not in str(r.body)


def test_credentials_need_login(api, stack):
    r = api("security").get(CREDENTIALS)
    assert r.status == 401 and r.message == "authn.required"
    assert r.type == "GET_SECURITY_CREDENTIALS_FAIL"


def test_credentials_of_a_deleted_account(api, stack):
    client = api("security")
    client.login_as("0" * 32)  # a session that outlived its account
    r = client.get(CREDENTIALS)
    assert r.status == 401 and r.message == "authn.required"
