"""``acr_values`` step-up (OIDC Core §3.1.2.1, §2 ``acr``): a relying party that asks for
``https://refeds.org/profile/mfa`` gets a code only after a login with the second factor;
its ID token says ``acr`` MFA and the ``amr`` of that login. An account with no second
factor cannot meet it: ``error=unmet_authentication_requirements`` (OpenID Connect Core
Unmet Authentication Requirements 1.0)."""
from __future__ import annotations

from tests.factors import add_totp, away_from_a_step_boundary, code_at
from tests.oidc.conftest import REDIRECT_URI, query_of

MFA = "https://refeds.org/profile/mfa"
SFA = "https://refeds.org/profile/sfa"


def _login_with_totp(party, user, secret: str) -> None:
    """The SPA's login with the second step: the password, then a TOTP code."""
    r = party.browser.post(f"{party.base_url}/api/authn/login", json={"email": user.email, "password": user.password},
                           headers={"X-CSRF-Token": party.csrf()}, timeout=30)
    assert r.status_code == 200 and r.json()["payload"]["mfa_required"] is True, r.text
    away_from_a_step_boundary()
    r = party.browser.post(f"{party.base_url}/api/authn/mfa/totp", json={"code": code_at(secret)},
                           headers={"X-CSRF-Token": r.json()["payload"]["csrf_token"]}, timeout=30)
    assert r.status_code == 200 and r.json()["payload"]["logged_in"] is True, r.text


def test_discovery_names_the_acr_values(stack, rp) -> None:
    assert rp().metadata["acr_values_supported"] == [MFA, SFA]


def test_a_password_session_steps_up_to_mfa_before_the_code(stack, new_user, rp) -> None:
    """Logged in with the password before the factor was added: MFA asked → the login page
    (``reauthn=mfa``); after password + TOTP the same request yields a code, acr MFA."""
    party = rp()
    user = new_user()
    party.login(user)
    _, secret = add_totp(stack, user.user_id)
    session = party.oauth()
    location, state = party.authorize(session, acr_values=MFA, nonce="n-mfa")
    assert location.startswith("/login?next=%2Fapi%2Foidc%2Fauthorize%3F"), location
    query = query_of(location)
    assert query["reauthn"] == "mfa" and "acr_values=" in query["next"]
    _login_with_totp(party, user, secret)
    r = party.browser.get(f"{stack.base_url}{query['next']}", allow_redirects=False, timeout=30)
    assert r.status_code == 302 and r.headers["Location"].startswith(REDIRECT_URI), r.text
    assert query_of(r.headers["Location"])["state"] == state
    token = session.fetch_token(party.metadata["token_endpoint"], authorization_response=r.headers["Location"])
    claims = party.id_claims(token["id_token"])
    assert claims["acr"] == MFA and claims["amr"] == ["pwd", "otp", "mfa"] and claims["nonce"] == "n-mfa"


def test_an_mfa_session_gets_the_code_at_once(stack, new_user, rp) -> None:
    party = rp()
    user = new_user()
    _, secret = add_totp(stack, user.user_id)
    _login_with_totp(party, user, secret)
    token = party.code_flow(party.oauth(), acr_values=MFA)
    assert party.id_claims(token["id_token"])["acr"] == MFA


def test_an_account_without_a_second_factor_cannot_meet_mfa(stack, new_user, rp) -> None:
    party = rp()
    party.login(new_user())
    location, state = party.authorize(party.oauth(), acr_values=MFA)
    query = query_of(location)
    assert location.startswith(REDIRECT_URI) and "code" not in query
    assert query["error"] == "unmet_authentication_requirements" and query["state"] == state


def test_mfa_or_sfa_is_met_by_the_password(stack, new_user, rp) -> None:
    """acr_values lists preferences: with SFA among them the password is enough; unknown
    values alone ask for nothing in particular."""
    party = rp()
    user = new_user()
    party.login(user)
    add_totp(stack, user.user_id)
    for values in (f"{MFA} {SFA}", "urn:example:unknown"):
        token = party.code_flow(party.oauth(), acr_values=values)
        assert party.id_claims(token["id_token"])["acr"] == SFA, values


def test_prompt_none_cannot_step_up(stack, new_user, rp) -> None:
    party = rp()
    user = new_user()
    party.login(user)
    add_totp(stack, user.user_id)
    location, state = party.authorize(party.oauth(), acr_values=MFA, prompt="none")
    assert location.startswith(REDIRECT_URI)
    assert query_of(location)["error"] == "login_required" and query_of(location)["state"] == state
