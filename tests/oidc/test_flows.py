"""The provider's flows beyond the Basic OP plan: consent, connected apps, revocation,
introspection, an aged login, a deleted user, a revoked session (RP-initiated logout:
test_logout.py; acr_values step-up: test_step_up.py)."""
from __future__ import annotations

import time

import requests

from tests.oidc.conftest import REDIRECT_URI, query_of


def _csrf(party) -> str:
    return party.browser.get(f"{party.base_url}/api/jsconfig/config", timeout=30).json()["payload"]["csrf_token"]


def _consent(party, location: str, approve: bool) -> str:
    request_id = query_of(location)["request"]
    shown = party.browser.get(f"{party.base_url}/api/oidc/consent/{request_id}", timeout=30)
    assert shown.status_code == 200
    assert shown.json()["payload"]["client"] == {"client_id": "demo-third-party", "name": "Demo third party"}
    r = party.browser.post(f"{party.base_url}/api/oidc/consent/{request_id}", json={"approve": approve},
                           headers={"X-CSRF-Token": _csrf(party)}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["type"] == "POST_OIDC_CONSENT_SUCCESS"
    return r.json()["payload"]["redirect_to"]


def test_third_party_asks_consent_once_and_lists_and_revokes_it(stack, new_user, rp) -> None:
    party = rp("demo-third-party")
    user = new_user()
    party.login(user)
    session = party.oauth(scope="openid email")
    location, state = party.authorize(session)
    assert location.startswith("/consent?request=")
    redirect_to = _consent(party, location, approve=True)
    assert redirect_to.startswith(REDIRECT_URI) and query_of(redirect_to)["state"] == state
    token = session.fetch_token(party.metadata["token_endpoint"], authorization_response=redirect_to)
    # the same scopes again: no consent page
    assert party.code_flow(party.oauth(scope="openid email"))["access_token"]
    listed = party.browser.get(f"{stack.base_url}/api/oidc/consents", timeout=30).json()["payload"]["consents"]
    assert [(c["client_id"], sorted(c["scopes"])) for c in listed] == [("demo-third-party", ["email", "openid"])]
    r = party.browser.post(f"{stack.base_url}/api/oidc/consents/revoke", json={"client_id": "demo-third-party"},
                           headers={"X-CSRF-Token": _csrf(party)}, timeout=30)
    assert r.status_code == 200 and r.json()["payload"]["consents"] == []
    r = requests.get(party.metadata["userinfo_endpoint"], timeout=30,
                     headers={"Authorization": f"Bearer {token['access_token']}"})
    assert r.status_code == 401  # revoking the app revoked its tokens
    location, _ = party.authorize(party.oauth(scope="openid email"))
    assert location.startswith("/consent?request=")  # asked again


def test_denied_consent_sends_access_denied(stack, new_user, rp) -> None:
    party = rp("demo-third-party")
    party.login(new_user())
    location, state = party.authorize(party.oauth())
    redirect_to = _consent(party, location, approve=False)
    query = query_of(redirect_to)
    assert redirect_to.startswith(REDIRECT_URI) and "code" not in query
    assert query["error"] == "access_denied" and query["state"] == state


def test_prompt_none_without_consent_is_consent_required(stack, new_user, rp) -> None:
    party = rp("demo-third-party")
    party.login(new_user())
    location, _ = party.authorize(party.oauth(), prompt="none")
    assert query_of(location)["error"] == "consent_required"


def test_consent_of_another_user_is_not_found(stack, new_user, rp) -> None:
    party, other = rp("demo-third-party"), rp("demo-third-party")
    party.login(new_user())
    other.login(new_user())
    location, _ = party.authorize(party.oauth())
    request_id = query_of(location)["request"]
    r = other.browser.get(f"{stack.base_url}/api/oidc/consent/{request_id}", timeout=30)
    assert r.status_code == 404 and r.json()["payload"]["message"] == "oidc.request_unknown"


def test_revocation_stops_the_access_token(stack, new_user, rp) -> None:
    party = rp()
    party.login(new_user())
    session = party.oauth()
    token = party.code_flow(session)
    r = session.revoke_token(party.metadata["revocation_endpoint"], token["access_token"])
    assert r.status_code == 200
    r = requests.get(party.metadata["userinfo_endpoint"], timeout=30,
                     headers={"Authorization": f"Bearer {token['access_token']}"})
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")


def test_introspection_for_the_client_itself(stack, new_user, rp) -> None:
    party = rp()
    user = new_user()
    party.login(user)
    session = party.oauth()
    token = party.code_flow(session)
    r = session.introspect_token(party.metadata["introspection_endpoint"], token["access_token"])
    assert r.status_code == 200
    body = r.json()
    assert body["active"] is True and body["sub"] == user.user_id and body["client_id"] == "demo-rp"
    assert r.headers["Cache-Control"] == "no-store"
    other = requests.post(party.metadata["introspection_endpoint"], auth=("demo-third-party", "demo-third-party-secret"),
                          data={"token": token["access_token"]}, timeout=30)
    assert other.status_code == 200 and other.json() == {"active": False}
    anonymous = requests.post(party.metadata["introspection_endpoint"], data={"token": token["access_token"]}, timeout=30)
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "invalid_client"


def test_token_responses_are_not_stored(stack, new_user, rp) -> None:
    party = rp()
    party.login(new_user())
    session = party.oauth()
    location, _ = party.authorize(session)
    r = requests.post(party.metadata["token_endpoint"], auth=("demo-rp", "demo-rp-secret"), timeout=30,
                      data={"grant_type": "authorization_code", "code": query_of(location)["code"],
                            "redirect_uri": REDIRECT_URI})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    bad = requests.post(party.metadata["token_endpoint"], auth=("demo-rp", "wrong"), timeout=30,
                        data={"grant_type": "authorization_code", "code": "x", "redirect_uri": REDIRECT_URI})
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"


def test_oidcc_max_age_1(stack, new_user, rp, make_app) -> None:
    """``max_age=1`` with a login 5 s old (the session's auth_time set back, not slept)."""
    party = rp()
    party.login(new_user())
    app = make_app("oidc")
    interface = app.session_interface
    cookie = party.browser.cookies.get("tessera_session")
    key = "tessera:session:" + interface.signer.unsign(cookie.encode()).decode()
    data = interface.serializer.decode(interface.client.get(key))
    data["auth_time"] = int(time.time()) - 5
    interface.client.set(key, interface.serializer.encode(data), keepttl=True)
    location, _ = party.authorize(party.oauth(), max_age="1")
    assert location.startswith("/login?next=")


def test_a_deleted_user_gets_no_tokens(stack, new_user, rp) -> None:
    from tests.users import mongo_client

    party = rp()
    user = new_user()
    party.login(user)
    session = party.oauth()
    location, _ = party.authorize(session)
    client = mongo_client(stack)
    client.tessera_central.users.delete_one({"_id": user.user_id})
    client.close()
    r = requests.post(party.metadata["token_endpoint"], auth=("demo-rp", "demo-rp-secret"), timeout=30,
                      data={"grant_type": "authorization_code", "code": query_of(location)["code"],
                            "redirect_uri": REDIRECT_URI})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_a_session_ended_before_the_exchange_gets_no_tokens(stack, new_user, rp) -> None:
    party = rp()
    party.login(new_user())
    session = party.oauth()
    location, _ = party.authorize(session)
    r = party.browser.post(f"{stack.base_url}/api/authn/logout", json={}, headers={"X-CSRF-Token": _csrf(party)}, timeout=30)
    assert r.status_code == 200
    r = requests.post(party.metadata["token_endpoint"], auth=("demo-rp", "demo-rp-secret"), timeout=30,
                      data={"grant_type": "authorization_code", "code": query_of(location)["code"],
                            "redirect_uri": REDIRECT_URI})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_unknown_client_is_tessera_s_error_not_a_redirect(stack, rp) -> None:
    party = rp()
    r = party.browser.get(party.metadata["authorization_endpoint"], allow_redirects=False, timeout=30, params={
        "response_type": "code", "client_id": "nobody", "redirect_uri": REDIRECT_URI, "scope": "openid"})
    assert r.status_code == 400 and "Location" not in r.headers
    assert r.json()["type"] == "GET_OIDC_AUTHORIZE_FAIL"


def test_token_endpoint_is_throttled_per_client_in_oauth_s_shape(stack, make_app) -> None:
    """Past the client's allowance: 429 with Retry-After and an OAuth error body; another
    client is not affected."""
    client = make_app("oidc", token_rate_limit="2 per minute").test_client()
    form = {"grant_type": "authorization_code", "code": "x", "redirect_uri": REDIRECT_URI}
    answers = [client.post("/api/oidc/token", data=form, auth=("demo-rp", "demo-rp-secret")) for _ in range(3)]
    assert [a.status_code for a in answers] == [400, 400, 429]
    assert answers[2].get_json()["error"] == "too_many_requests"
    assert 1 <= int(answers[2].headers["Retry-After"]) <= 60
    other = client.post("/api/oidc/token", data=form, auth=("demo-third-party", "demo-third-party-secret"))
    assert other.status_code == 400 and other.get_json()["error"] == "invalid_grant"


def test_terminating_the_account_purges_its_grants_and_consents(stack, new_user, rp) -> None:
    """Account deletion (the AM's purge) leaves nothing of the user in tessera_oidc."""
    from tests.users import mongo_client

    party = rp("demo-third-party")
    user = new_user()
    party.login(user)
    session = party.oauth(scope="openid offline_access")
    location, _ = party.authorize(session)
    token = session.fetch_token(party.metadata["token_endpoint"],
                                authorization_response=_consent(party, location, approve=True))
    party.authorize(party.oauth(scope="openid phone"))  # a request left waiting for consent
    client = mongo_client(stack)
    try:
        def left() -> dict[str, int]:
            counts = {name: client.tessera_oidc[name].count_documents({"user_id": user.user_id})
                      for name in ("codes", "tokens", "consents", "requests")}
            return {name: n for name, n in counts.items() if n}

        assert set(left()) == {"codes", "tokens", "consents", "requests"}
        r = party.browser.post(f"{stack.base_url}/api/security/terminate", json={},
                               headers={"X-CSRF-Token": _csrf(party)}, timeout=30)
        assert r.status_code == 200, r.text
        assert left() == {}
    finally:
        client.close()
    r = requests.post(party.metadata["token_endpoint"], auth=("demo-third-party", "demo-third-party-secret"),
                      data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]}, timeout=30)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_an_expired_access_token_is_refused_at_userinfo(stack, new_user, rp) -> None:
    """Access tokens are short-lived: past their expiry (the record aged, not slept) UserInfo refuses them."""
    from datetime import datetime, timedelta, timezone

    from tests.users import mongo_client

    party = rp()
    party.login(new_user())
    session = party.oauth()
    token = party.code_flow(session)
    assert 0 < token["expires_in"] <= 300
    assert session.get(party.metadata["userinfo_endpoint"]).status_code == 200
    client = mongo_client(stack)
    client.tessera_oidc.tokens.update_many({}, {"$set": {"access_expires_at": datetime.now(timezone.utc) - timedelta(seconds=1)}})
    client.close()
    r = session.get(party.metadata["userinfo_endpoint"])
    assert r.status_code == 401 and 'error="invalid_token"' in r.headers["WWW-Authenticate"]


def test_consents_granted_and_revoked_are_security_events(stack, new_user, rp) -> None:
    from common.catalog import EVENTS_COLLECTION, EVENTS_DB
    from tests.users import mongo_client

    party = rp("demo-third-party")
    user = new_user()
    party.login(user)
    location, _ = party.authorize(party.oauth(scope="openid email"))
    _consent(party, location, approve=True)
    r = party.browser.post(f"{stack.base_url}/api/oidc/consents/revoke", json={"client_id": "demo-third-party"},
                           headers={"X-CSRF-Token": _csrf(party)}, timeout=30)
    assert r.status_code == 200
    client = mongo_client(stack)
    try:
        logged = list(client[EVENTS_DB][EVENTS_COLLECTION].find({"user_id": user.user_id, "service": "oidc"})
                      .sort([("at", 1), ("_id", 1)]))
    finally:
        client.close()
    assert [(e["type"], e["details"]) for e in logged] == [
        ("consent_granted", {"client_id": "demo-third-party", "scopes": ["openid", "email"]}),
        ("consent_revoked", {"client_id": "demo-third-party"})]


def test_the_data_export_shows_the_consent_and_nothing_that_proves_a_grant(stack, new_user, rp) -> None:
    """GET /api/security/export lists the connected app but no code, token or session id
    the provider keeps."""
    party = rp("demo-third-party")
    party.login(new_user())
    session = party.oauth(scope="openid offline_access")
    location, _ = party.authorize(session)
    redirect_to = _consent(party, location, approve=True)
    token = session.fetch_token(party.metadata["token_endpoint"], authorization_response=redirect_to)
    party.authorize(party.oauth(scope="openid phone"))  # a request left waiting
    r = party.browser.get(f"{stack.base_url}/api/security/export", timeout=30)
    assert r.status_code == 200, r.text
    text = r.text
    assert [c["client_id"] for c in r.json()["payload"]["export"]["consents"]] == ["demo-third-party"]
    sid = party.browser.cookies.get("tessera_session").rsplit(".", 1)[0]
    for secret in (query_of(redirect_to)["code"], token["access_token"], token["refresh_token"], sid):
        assert secret not in text
