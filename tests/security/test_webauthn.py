"""Registering security keys and passkeys (API.md, *security*; issue 12): the options, a
response that verifies, single-use challenges bound to the session, names, several per
account, a notification mail."""
from __future__ import annotations

from tests.factors import LOGIN, REGISTER_BEGIN, REGISTER_COMPLETE, origin, register_key
from tests.helpers import HttpClient, text_of
from tests.parallel import post_each_together
from tests.soft_authenticator import SoftAuthenticator, b64url
from tests.users import central_user


def keys(stack, user):
    return [c for c in central_user(stack, user.user_id)["credentials"] if c["type"] == "webauthn"]


def logged_in(api, user, **kwargs):
    client = api("security")
    client.login_as(user.user_id, **kwargs)
    return client


def test_a_security_key_is_registered_with_its_name(api, new_user, stack, outbox):
    user = new_user(given_name="Grace")
    client = logged_in(api, user)
    r = client.post(REGISTER_BEGIN)
    assert r.status == 200 and r.type == "POST_SECURITY_WEBAUTHN_REGISTER_BEGIN_SUCCESS", r
    options = r.payload["options"]
    assert options["rp"] == {"id": "localhost", "name": "Tessera"}
    assert options["user"]["name"] == user.email and options["attestation"] == "none"
    assert options["authenticatorSelection"]["residentKey"] == "discouraged"
    key = SoftAuthenticator(origin=origin(stack))
    done = client.post(REGISTER_COMPLETE, {"credential": key.create(options), "name": "  Blue YubiKey "})
    assert done.status == 200 and done.type == "POST_SECURITY_WEBAUTHN_REGISTER_COMPLETE_SUCCESS", done
    [shown] = [c for c in done.payload["credentials"] if c["type"] == "webauthn"]
    assert shown["name"] == "Blue YubiKey" and shown["passkey"] is False and shown["last_used"] is None
    assert set(shown) == {"credential_id", "type", "name", "created", "last_used", "passkey"}
    [stored] = keys(stack, user)
    assert stored["credential_id"] == shown["credential_id"] and stored["sign_count"] == 1
    assert stored["webauthn_id"] == b64url(key.credential_id) and stored["passkey"] is False
    [mail] = outbox.wait_for_mail(user.email)
    assert "security key" in text_of(mail) and "Grace" in text_of(mail)


def test_a_passkey_asks_for_a_discoverable_credential_and_user_verification(api, new_user, stack):
    user = new_user()
    client = logged_in(api, user)
    options = client.post(REGISTER_BEGIN, {"passkey": True}).payload["options"]
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    without_uv = SoftAuthenticator(origin=origin(stack), verifies_user=False)
    r = client.post(REGISTER_COMPLETE, {"credential": without_uv.create(options), "name": "Phone"})
    assert (r.status, r.message) == (400, "security.webauthn_invalid"), r
    register_key(client, stack, passkey=True, name="Phone", counts=False)
    [stored] = keys(stack, user)
    assert stored["passkey"] is True and stored["backup_eligible"] is True and stored["sign_count"] == 0


def test_several_keys_each_with_a_name_and_the_registered_ones_are_excluded(api, new_user, stack):
    user = new_user()
    client = logged_in(api, user)
    first = register_key(client, stack, name="Key one")
    register_key(client, stack, name="Key two", passkey=True)
    listed = client.get("/api/security/credentials").payload["credentials"]
    assert [(c["type"], c.get("name")) for c in listed] == [("password", None), ("webauthn", "Key one"),
                                                            ("webauthn", "Key two")]
    options = client.post(REGISTER_BEGIN).payload["options"]
    assert len(options["excludeCredentials"]) == 2
    # an authenticator that ignores the exclusion list still cannot register twice
    r = client.post(REGISTER_COMPLETE, {"credential": first.create(options), "name": "Again"})
    assert (r.status, r.message) == (409, "security.webauthn_exists"), r


def test_a_challenge_is_used_once(api, new_user, stack):
    user = new_user()
    client = logged_in(api, user)
    options = client.post(REGISTER_BEGIN).payload["options"]
    response = SoftAuthenticator(origin=origin(stack)).create(options)
    assert client.post(REGISTER_COMPLETE, {"credential": response, "name": "Key"}).status == 200
    replay = client.post(REGISTER_COMPLETE, {"credential": response, "name": "Key"})
    assert (replay.status, replay.message) == (400, "security.webauthn_invalid"), replay
    assert len(keys(stack, user)) == 1


def test_a_challenge_belongs_to_its_session(api, new_user, stack):
    user = new_user()
    client, other = logged_in(api, user), logged_in(api, user)
    options = client.post(REGISTER_BEGIN).payload["options"]
    r = other.post(REGISTER_COMPLETE, {"credential": SoftAuthenticator(origin=origin(stack)).create(options),
                                       "name": "Key"})
    assert (r.status, r.message) == (400, "security.webauthn_invalid"), r
    assert keys(stack, user) == []


def test_a_response_from_another_origin_or_for_another_challenge_is_refused(api, new_user, stack):
    user = new_user()
    client = logged_in(api, user)
    options = client.post(REGISTER_BEGIN).payload["options"]
    phished = SoftAuthenticator(origin="http://localhost.evil.example").create(options)
    r = client.post(REGISTER_COMPLETE, {"credential": phished, "name": "Key"})
    assert (r.status, r.message) == (400, "security.webauthn_invalid"), r
    options = client.post(REGISTER_BEGIN).payload["options"]
    wrong_challenge = SoftAuthenticator(origin=origin(stack)).create({**options, "challenge": "AAAA"})
    r = client.post(REGISTER_COMPLETE, {"credential": wrong_challenge, "name": "Key"})
    assert (r.status, r.message) == (400, "security.webauthn_invalid"), r
    assert keys(stack, user) == []


def test_registration_needs_a_recent_login_and_a_valid_body(api, new_user, stack):
    user = new_user()
    stale = logged_in(api, user, auth_age=301)
    r = stale.post(REGISTER_BEGIN)
    assert (r.status, r.message) == (403, "authn.reauthn_required"), r
    client = logged_in(api, user)
    client.post(REGISTER_BEGIN)
    for body in ({"credential": {"id": "x"}, "name": "Key"}, {"credential": "text", "name": "Key"},
                 {"credential": {}, "name": "\u202eKey"}):
        r = client.post(REGISTER_COMPLETE, body)
        assert (r.status, r.message) == (400, "request.invalid"), (body, r)


def test_removing_a_key_mails_and_keeps_the_codes_while_another_factor_remains(api, new_user, stack, outbox):
    user = new_user()
    client = logged_in(api, user)
    register_key(client, stack, name="One")
    register_key(client, stack, name="Two", passkey=True)
    codes = client.post("/api/security/recovery-codes").payload["codes"]
    assert len(codes) == 10
    one = next(c for c in keys(stack, user) if c["name"] == "One")
    r = client.post("/api/security/credentials/remove", {"credential_id": one["credential_id"]})
    assert r.status == 200 and r.payload["recovery_codes_left"] == 10, r
    assert [c["name"] for c in keys(stack, user)] == ["Two"]
    mails = outbox.wait_for_mail(user.email, 4)  # two added, codes, one removed
    assert "security key" in text_of(mails[-1]) and "no longer has a second factor" not in text_of(mails[-1])


def test_one_key_registered_by_two_accounts_at_once_goes_to_one(http, new_user, stack, outbox):
    """The check before registering cannot see a parallel registration for another account
    (each holds only its own user's lock): the central database's unique index refuses
    the second, and the user gets a clean 409 — not a key that logs in to two accounts."""
    users = [new_user(), new_user()]
    second = HttpClient(stack.base_url)
    try:
        clients = [http, second]
        for client, user in zip(clients, users):
            assert client.post(LOGIN, {"email": user.email, "password": user.password}).status == 200
        key = SoftAuthenticator(origin=origin(stack))  # one authenticator, one credential id
        responses = [key.create(client.post(REGISTER_BEGIN).payload["options"]) for client in clients]
        answers = post_each_together([(client, REGISTER_COMPLETE, {"credential": response, "name": "Shared"})
                                      for client, response in zip(clients, responses)])
    finally:
        second.close()
    assert sorted((a.status, a.message) for a in answers) == [(200, None), (409, "security.webauthn_exists")], answers
    holders = [user for user in users if keys(stack, user)]
    assert len(holders) == 1 and keys(stack, holders[0])[0]["webauthn_id"] == b64url(key.credential_id)
    # only the account that got the key is told it was added
    outbox.drain(stack)
    added = [[m for m in outbox.mails(user.email) if m["Subject"] == "A sign-in method was added to your account"]
             for user in users]
    assert [len(mails) for mails in added] == [int(user in holders) for user in users]
