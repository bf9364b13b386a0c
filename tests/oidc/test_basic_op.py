"""The OpenID conformance suite's Basic OP test plan, module by module (each test is
named after its module), driven by Authlib's client through nginx."""
from __future__ import annotations

import hashlib
import secrets

import requests

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from tests.oidc.conftest import REDIRECT_URI, query_of


def test_oidcc_server(stack, rp) -> None:
    """Discovery: the metadata names the issuer, the code flow and RS256."""
    metadata = rp().metadata
    assert metadata["issuer"] == stack.base_url
    assert metadata["response_types_supported"] == ["code"]
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert "RS256" in metadata["id_token_signing_alg_values_supported"]
    keys = requests.get(metadata["jwks_uri"], timeout=30).json()["keys"]
    assert keys and all(k["kty"] == "RSA" and "d" not in k for k in keys)


def test_oidcc_response_type_missing(stack, new_user, rp) -> None:
    """No ``response_type``: an error back to the registered redirect URI, no code."""
    party = rp()
    party.login(new_user())
    url = (f"{party.metadata['authorization_endpoint']}?client_id=demo-rp&scope=openid"
           f"&redirect_uri={REDIRECT_URI}&state=s1")
    r = party.browser.get(url, allow_redirects=False, timeout=30)
    assert r.status_code == 302
    query = query_of(r.headers["Location"])
    assert "error" in query and "code" not in query and query["state"] == "s1"


def test_oidcc_userinfo_get(stack, new_user, rp) -> None:
    party = rp()
    user = new_user()
    party.login(user)
    session = party.oauth()
    party.code_flow(session, nonce="n1")
    info = session.get(party.metadata["userinfo_endpoint"]).json()
    assert info["sub"] == user.user_id and info["email"] == user.email


def test_oidcc_userinfo_post_header(stack, new_user, rp) -> None:
    party = rp()
    user = new_user()
    party.login(user)
    session = party.oauth()
    party.code_flow(session)
    assert session.post(party.metadata["userinfo_endpoint"]).json()["sub"] == user.user_id


def test_oidcc_userinfo_post_body(stack, new_user, rp) -> None:
    party = rp()
    user = new_user()
    party.login(user)
    token = party.code_flow(party.oauth())
    r = requests.post(party.metadata["userinfo_endpoint"], data={"access_token": token["access_token"]}, timeout=30)
    assert r.status_code == 200 and r.json()["sub"] == user.user_id


def test_oidcc_scope_profile_email(stack, new_user, rp) -> None:
    """Claims per scope, from the central user; ``sub`` is the user id, not the email."""
    party = rp()
    user = new_user(given_name="Grace", surname="Hopper")
    party.login(user)
    session = party.oauth(scope="openid profile")
    token = party.code_flow(session, nonce="n2")
    claims = party.id_claims(token["id_token"])
    assert claims["sub"] == user.user_id and claims["nonce"] == "n2"
    assert claims["given_name"] == "Grace" and claims["family_name"] == "Hopper"
    assert "email" not in claims
    assert claims["iss"] == stack.base_url and claims["aud"] == ["demo-rp"]
    assert claims["amr"] == ["pwd"] and claims["sid"] and claims["auth_time"]
    assert claims["acr"] == "https://refeds.org/profile/sfa"  # one factor (REFEDS SFA)


def test_oidcc_prompt_login(stack, new_user, rp) -> None:
    """``prompt=login`` with a session: to the login page, with the request as ``next``
    (without the prompt, so that the login that follows satisfies it)."""
    party = rp()
    party.login(new_user())
    location, _ = party.authorize(party.oauth(), prompt="login")
    assert location.startswith("/login?next=%2Fapi%2Foidc%2Fauthorize%3F")
    assert "prompt" not in query_of(location)["next"]
    assert query_of(location)["reauthn"] == "login"  # the SPA logs in anew although logged in


def test_oidcc_prompt_login_is_not_skipped_by_following_next(stack, new_user, rp) -> None:
    """The login page is the way to a new login, not its proof: a browser that follows
    ``next`` without logging in is sent to the login page again, and a login (or a
    re-authentication) of the session then brings the code (OIDC Core §3.1.2.1: the OP
    MUST prompt for re-authentication)."""
    party = rp()
    user = new_user()
    party.login(user)
    location, _ = party.authorize(party.oauth(), prompt="login")
    target = query_of(location)["next"]
    skipped = party.browser.get(f"{stack.base_url}{target}", allow_redirects=False, timeout=30)
    assert skipped.status_code == 302 and skipped.headers["Location"].startswith("/login?next=")
    assert query_of(skipped.headers["Location"])["reauthn"] == "login"
    r = party.browser.post(f"{stack.base_url}/api/authn/reauthenticate", json={"password": user.password},
                           headers={"X-CSRF-Token": party.csrf()}, timeout=30)
    assert r.status_code == 200, r.text
    after = party.browser.get(f"{stack.base_url}{target}", allow_redirects=False, timeout=30)
    assert after.status_code == 302 and after.headers["Location"].startswith(REDIRECT_URI)
    assert "code" in query_of(after.headers["Location"])


def test_oidcc_prompt_none_not_logged_in(stack, rp) -> None:
    party = rp()
    location, state = party.authorize(party.oauth(), prompt="none")
    query = query_of(location)
    assert location.startswith(REDIRECT_URI)
    assert query["error"] == "login_required" and query["state"] == state


def test_oidcc_prompt_none_logged_in(stack, new_user, rp) -> None:
    party = rp()
    party.login(new_user())
    location, _ = party.authorize(party.oauth(), prompt="none")
    assert location.startswith(REDIRECT_URI) and "code" in query_of(location)


def test_oidcc_no_session_redirects_to_login(stack, rp) -> None:
    party = rp()
    location, _ = party.authorize(party.oauth())
    assert location.startswith("/login?next=%2Fapi%2Foidc%2Fauthorize%3F")
    assert "reauthn" not in query_of(location)  # nobody to log in again


def test_oidcc_max_age_10000(stack, new_user, rp) -> None:
    party = rp()
    party.login(new_user())
    location, _ = party.authorize(party.oauth(), max_age="10000")
    assert location.startswith(REDIRECT_URI) and "code" in query_of(location)


def test_oidcc_codereuse(stack, new_user, rp) -> None:
    """A second use of a code is refused and revokes the tokens the first issued."""
    party = rp()
    party.login(new_user())
    session = party.oauth()
    location, _ = party.authorize(session)
    token = session.fetch_token(party.metadata["token_endpoint"], authorization_response=location)
    r = requests.post(party.metadata["token_endpoint"], auth=("demo-rp", "demo-rp-secret"), timeout=30,
                      data={"grant_type": "authorization_code", "code": query_of(location)["code"],
                            "redirect_uri": REDIRECT_URI})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    r = requests.get(party.metadata["userinfo_endpoint"], timeout=30,
                     headers={"Authorization": f"Bearer {token['access_token']}"})
    assert r.status_code == 401


def test_oidcc_ensure_registered_redirect_uri(stack, new_user, rp) -> None:
    """An unregistered redirect URI is Tessera's own error, never a redirect to it."""
    party = rp()
    party.login(new_user())
    session = party.oauth()
    session.redirect_uri = "http://127.0.0.1:8090/callback/evil"
    url, _ = session.create_authorization_url(party.metadata["authorization_endpoint"])
    r = party.browser.get(url, allow_redirects=False, timeout=30)
    assert r.status_code == 400 and "Location" not in r.headers
    assert r.json()["payload"]["message"] == "oidc.request_invalid"


def test_oidcc_client_secret_post(stack, new_user, rp) -> None:
    party = rp()
    party.login(new_user())
    token = party.code_flow(party.oauth(auth_method="client_secret_post"))
    assert token["token_type"].lower() == "bearer" and token["id_token"]


def test_oidcc_refresh_token(stack, new_user, rp) -> None:
    """``offline_access``: a refresh token that rotates; reusing the old one revokes the grant."""
    party = rp()
    party.login(new_user())
    session = party.oauth(scope="openid offline_access")
    first = party.code_flow(session)
    old_refresh = first["refresh_token"]
    second = session.refresh_token(party.metadata["token_endpoint"], refresh_token=old_refresh)
    assert second["refresh_token"] != old_refresh
    reuse = requests.post(party.metadata["token_endpoint"], auth=("demo-rp", "demo-rp-secret"), timeout=30,
                          data={"grant_type": "refresh_token", "refresh_token": old_refresh})
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    again = requests.post(party.metadata["token_endpoint"], auth=("demo-rp", "demo-rp-secret"), timeout=30,
                          data={"grant_type": "refresh_token", "refresh_token": second["refresh_token"]})
    assert again.status_code == 400  # the whole family went with the reuse


def test_oidcc_pkce(stack, new_user, rp) -> None:
    """The public client: PKCE S256 works, a wrong verifier and ``plain`` are refused."""
    party = rp("demo-spa")
    party.login(new_user())
    verifier = secrets.token_urlsafe(48)
    session = party.oauth(code_challenge_method="S256")
    token = party.code_flow(session, code_verifier=verifier)
    assert token["access_token"]
    location, _ = party.authorize(party.oauth(), code_challenge=verifier, code_challenge_method="plain")
    assert query_of(location)["error"] == "invalid_request"
    location, _ = party.authorize(party.oauth())  # no PKCE at all
    assert query_of(location)["error"] == "invalid_request"
    challenge = create_s256_code_challenge(verifier)
    location, _ = party.authorize(party.oauth(), code_challenge=challenge, code_challenge_method="S256")
    r = requests.post(party.metadata["token_endpoint"], timeout=30, data={
        "grant_type": "authorization_code", "code": query_of(location)["code"], "client_id": "demo-spa",
        "redirect_uri": REDIRECT_URI, "code_verifier": secrets.token_urlsafe(48)})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_oidcc_id_token_hint(stack, new_user, rp) -> None:
    """``id_token_hint`` of the logged-in user: a code with ``prompt=none``; of another
    user: ``login_required``."""
    first, second = rp(), rp()
    first.login(new_user())
    second.login(new_user())
    hint = first.code_flow(first.oauth())["id_token"]
    location, _ = first.authorize(first.oauth(), prompt="none", id_token_hint=hint)
    assert "code" in query_of(location)
    location, _ = second.authorize(second.oauth(), prompt="none", id_token_hint=hint)
    assert query_of(location)["error"] == "login_required"


def test_oidcc_ensure_post_request_succeeds(stack, new_user, rp) -> None:
    """The authorization request as a form POST (OIDC Core §3.1.2.1)."""
    party = rp()
    party.login(new_user())
    session = party.oauth()
    url, state = session.create_authorization_url(party.metadata["authorization_endpoint"])
    endpoint = url.partition("?")[0]
    r = party.browser.post(endpoint, data=query_of(url), allow_redirects=False, timeout=30)
    assert r.status_code == 302 and r.headers["Location"].startswith(REDIRECT_URI)
    assert "code" in query_of(r.headers["Location"]) and query_of(r.headers["Location"])["state"] == state


def test_oidcc_unsigned_request_uri_refused(stack, new_user, rp) -> None:
    """``request_uri`` (and ``request``) are not supported: refused, never ignored."""
    party = rp()
    party.login(new_user())
    location, _ = party.authorize(party.oauth(), request_uri="http://127.0.0.1:8090/request.jwt")
    assert query_of(location)["error"] == "request_uri_not_supported" and "code" not in query_of(location)
    location, _ = party.authorize(party.oauth(), request="eyJhbGciOiJub25lIn0.e30.")
    assert query_of(location)["error"] == "request_not_supported"


def test_oidcc_ensure_other_scope_order_succeeds(stack, new_user, rp) -> None:
    party = rp()
    user = new_user()
    party.login(user)
    token = party.code_flow(party.oauth(scope="email openid"))
    assert party.id_claims(token["id_token"])["email"] == user.email


def test_oidcc_ensure_redirect_uri_in_authorization_request(stack, new_user, rp) -> None:
    """No ``redirect_uri``: Tessera's own error (OIDC Core requires it), no redirect."""
    party = rp()
    party.login(new_user())
    r = party.browser.get(party.metadata["authorization_endpoint"], allow_redirects=False, timeout=30,
                          params={"response_type": "code", "client_id": "demo-rp", "scope": "openid"})
    assert r.status_code == 400 and "Location" not in r.headers


def test_oidcc_login_hint(stack, rp) -> None:
    """``login_hint`` reaches the login page with the request (the SPA may prefill it)."""
    party = rp()
    location, _ = party.authorize(party.oauth(), login_hint="ada@example.org")
    assert "login_hint=ada%40example.org" in query_of(location)["next"]


def test_oidcc_display_page_and_ui_locales(stack, new_user, rp) -> None:
    party = rp()
    party.login(new_user())
    location, _ = party.authorize(party.oauth(), display="page", ui_locales="sv en")
    assert "code" in query_of(location)


def test_oidcc_codereuse_30seconds(stack, new_user, rp) -> None:
    """A code used once and presented again 30 s later (its record aged, not slept)."""
    from datetime import timedelta

    from tests.users import mongo_client

    party = rp()
    party.login(new_user())
    session = party.oauth()
    location, _ = party.authorize(session)
    token = session.fetch_token(party.metadata["token_endpoint"], authorization_response=location)
    client = mongo_client(stack)
    code = query_of(location)["code"]
    stored = {"_id": hashlib.sha256(code.encode()).hexdigest()}  # codes are kept hashed
    record = client.tessera_oidc.codes.find_one(stored)
    client.tessera_oidc.codes.update_one(stored, {"$set": {"expire_at": record["expire_at"] - timedelta(seconds=30)}})
    client.close()
    r = requests.post(party.metadata["token_endpoint"], auth=("demo-rp", "demo-rp-secret"), timeout=30,
                      data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    r = requests.get(party.metadata["userinfo_endpoint"], timeout=30,
                     headers={"Authorization": f"Bearer {token['access_token']}"})
    assert r.status_code == 401


def test_oidcc_scope_phone_and_profile_at_userinfo(stack, new_user, rp) -> None:
    """``phone``: the primary number in E.164 and whether it is verified; ``profile``:
    the names and the language as ``locale``."""
    party = rp()
    user = new_user(language="sv", phones=(
        {"number": "+46701111111", "verified": False, "primary": False},
        {"number": "+46702222222", "verified": True, "primary": True}))
    party.login(user)
    session = party.oauth(scope="openid phone profile")
    party.code_flow(session)
    info = session.get(party.metadata["userinfo_endpoint"]).json()
    assert info["phone_number"] == "+46702222222" and info["phone_number_verified"] is True
    assert info["locale"] == "sv" and info["name"] == "Ada Lovelace" and "email" not in info
