"""The OpenID provider's pages in Chromium (issue 13): a relying party's authorization
request driven from the browser — login with ``next``, the consent page (allow, deny),
Connected apps on the security page (disconnect), and the RP-initiated logout's
"Sign out of Tessera?" page.

The relying party is Authlib's *client* (as in tests/oidc) with the registered
redirect URI ``http://127.0.0.1:8090/callback``; nothing need listen there: the test
answers the browser's visit to it (``page.route``: the SPA loads the answer's
``redirect_to`` as a page) and reads the code from the URL, then exchanges it at the
token endpoint as the client would.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from playwright.sync_api import Page, Route, expect

from devstack.topology import Stack
from tests.e2e.steps import log_in, unique_email

pytestmark = pytest.mark.e2e

RP = "http://127.0.0.1:8090"
REDIRECT_URI = f"{RP}/callback"
SECRETS = {"demo-rp": "demo-rp-secret", "demo-third-party": "demo-third-party-secret"}


@pytest.fixture
def metadata(stack: Stack) -> dict[str, Any]:
    return requests.get(f"{stack.base_url}/.well-known/openid-configuration", timeout=30).json()


def relying_party(page: Page) -> None:
    """Answer the browser's visits to the relying party (its callback, its home) with a stub page."""
    def answer(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>RP</title><h1>Back at the RP</h1>")
    page.route(f"{RP}/**", answer)


def client(client_id: str, scope: str) -> OAuth2Session:
    return OAuth2Session(client_id, SECRETS[client_id], scope=scope, redirect_uri=REDIRECT_URI)


def start(page: Page, metadata: dict[str, Any], session: OAuth2Session, **params: Any) -> str:
    """Open the authorization URL in the browser; returns its ``state``."""
    url, state = session.create_authorization_url(metadata["authorization_endpoint"], **params)
    page.goto(url)
    return state


def back_at_the_rp(page: Page, state: str) -> dict[str, str]:
    """Wait for the browser at the relying party's callback; its query (state checked)."""
    page.wait_for_url(f"{REDIRECT_URI}?**")
    query = {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}
    assert query["state"] == state, page.url
    return query


def logged_in(page: Page, stack: Stack) -> bool:
    return page.request.get(f"{stack.base_url}/api/authn/session").json()["payload"]["logged_in"]


def test_login_then_consent_then_code_and_connected_app_disconnected(page: Page, stack: Stack, metadata, make_user):
    """Not logged in: the provider sends the browser to the login page, which goes on to the
    authorization request and from there to the consent page; Allow → a code for the
    relying party. The security page lists the app; Disconnect revokes its tokens."""
    user = make_user(email=unique_email())
    relying_party(page)
    session = client("demo-third-party", "openid email offline_access")
    state = start(page, metadata, session, nonce="n1")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert page.url.startswith(f"{stack.base_url}/login?next=%2Fapi%2Foidc%2Fauthorize%3F"), page.url
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(user.password)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Allow Demo third party to use your Tessera account?")).to_be_visible()
    assert page.url.startswith(f"{stack.base_url}/consent?request="), page.url
    asked = page.get_by_role("list").filter(has_text="Know who you are").get_by_role("listitem")
    expect(asked).to_have_text(["Know who you are: a permanent identifier of your Tessera account",
                                "See your primary email address and whether it is verified",
                                "Keep access while you are not signed in, until you disconnect it"])
    page.get_by_role("button", name="Allow").click()

    query = back_at_the_rp(page, state)
    token = session.fetch_token(metadata["token_endpoint"], code=query["code"])
    assert session.get(metadata["userinfo_endpoint"]).json()["email"] == user.email

    page.goto("/dashboard/security")
    app = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Demo third party"))
    expect(app.get_by_text("See your primary email address and whether it is verified")).to_be_visible()
    app.get_by_role("button", name="Disconnect Demo third party").click()
    expect(app.get_by_text("Disconnect Demo third party? It loses access to your data")).to_be_visible()
    app.get_by_role("button", name="Disconnect", exact=True).click()
    expect(page.get_by_text("No apps are connected to your account.")).to_be_visible()
    expect(page.get_by_text("The app was disconnected.")).to_be_visible()
    r = requests.get(metadata["userinfo_endpoint"], headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=30)
    assert r.status_code == 401  # its tokens went with it
    refreshed = requests.post(metadata["token_endpoint"], auth=("demo-third-party", SECRETS["demo-third-party"]), timeout=30,
                              data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]})
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"


def test_denied_consent_returns_access_denied_and_connects_nothing(page: Page, stack: Stack, metadata, make_user):
    user = make_user(email=unique_email())
    relying_party(page)
    log_in(page, user)
    state = start(page, metadata, client("demo-third-party", "openid profile"))
    expect(page.get_by_role("heading", name="Allow Demo third party to use your Tessera account?")).to_be_visible()
    expect(page.get_by_text("See your name and language")).to_be_visible()
    page.get_by_role("button", name="Deny").click()
    query = back_at_the_rp(page, state)
    assert query["error"] == "access_denied" and "code" not in query
    page.goto("/dashboard/security")
    expect(page.get_by_text("No apps are connected to your account.")).to_be_visible()
    assert logged_in(page, stack)  # denying an app is not leaving Tessera


def test_consent_in_swedish(new_page, stack: Stack, metadata, make_user):
    page = new_page()
    user = make_user(email=unique_email(), language="sv")
    relying_party(page)
    page.goto("/login")
    page.get_by_role("button", name="Svenska").click()  # the user's choice, kept for the pages that follow
    page.get_by_label("E-postadress").fill(user.email)
    page.get_by_label("Lösenord", exact=True).fill(user.password)
    page.get_by_role("button", name="Logga in", exact=True).click()
    expect(page.get_by_text(f"Hej, {user.document['display_name']}")).to_be_visible()
    start(page, metadata, client("demo-third-party", "openid phone"))
    expect(page.get_by_role("heading", name="Vill du låta Demo third party använda ditt Tessera-konto?")).to_be_visible()
    expect(page.get_by_text("Se ditt primära telefonnummer och om det är bekräftat")).to_be_visible()
    expect(page.get_by_role("button", name="Tillåt")).to_be_visible()
    expect(page.get_by_role("button", name="Neka")).to_be_visible()


def test_an_unsafe_next_goes_to_the_dashboard(page: Page, stack: Stack, make_user):
    """An open-redirect attempt on the login page ends on Tessera's dashboard."""
    user = make_user(email=unique_email())
    page.goto("/login?" + urlencode({"next": "//evil.example/phish"}))
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(user.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Hello, {user.document['display_name']}")).to_be_visible()
    assert page.url.startswith(f"{stack.base_url}/dashboard"), page.url


def _id_token(page: Page, metadata: dict[str, Any]) -> str:
    """An ID token of the first-party demo-rp (no consent) for the browser's Tessera session:
    the authorization request sent with the browser's cookie, the code read from the
    redirect (``page.route`` does not see a redirect's target, so the browser cannot be
    sent there), then exchanged."""
    session = client("demo-rp", "openid")
    url, state = session.create_authorization_url(metadata["authorization_endpoint"])
    cookies = {c["name"]: c["value"] for c in page.context.cookies() if c["name"] == "tessera_session"}
    r = requests.get(url, cookies=cookies, allow_redirects=False, timeout=30)
    assert r.status_code == 302 and r.headers["Location"].startswith(REDIRECT_URI), r.text
    query = {k: v[0] for k, v in parse_qs(urlparse(r.headers["Location"]).query).items()}
    assert query["state"] == state
    return session.fetch_token(metadata["token_endpoint"], code=query["code"])["id_token"]


def test_rp_initiated_logout_asks_stay_then_sign_out(page: Page, stack: Stack, metadata, make_user):
    """end_session no longer signs out on a GET: "Sign out of Tessera?" names the client;
    Stay signed in keeps the session, Sign out ends it; both go back to the registered
    post-logout URI with the client's state."""
    user = make_user(email=unique_email())
    relying_party(page)
    log_in(page, user)
    hint = _id_token(page, metadata)
    params = {"id_token_hint": hint, "post_logout_redirect_uri": f"{RP}/", "state": "bye"}
    end_session = f"{metadata['end_session_endpoint']}?{urlencode(params)}"

    page.goto(end_session)
    expect(page.get_by_role("heading", name="Sign out of Tessera?")).to_be_visible()
    expect(page.get_by_text("Tessera demo has signed you out. Do you want to sign out of Tessera too?")).to_be_visible()
    assert logged_in(page, stack)  # asked, not signed out by the visit
    page.get_by_role("button", name="Stay signed in").click()
    page.wait_for_url(f"{RP}/?state=bye")
    assert logged_in(page, stack)

    page.goto(end_session)
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(f"{RP}/?state=bye")
    assert not logged_in(page, stack)
    page.goto("/dashboard")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_acr_mfa_steps_up_a_password_login_with_the_second_factor(page: Page, stack: Stack, metadata, make_user):
    """Logged in with the password before a TOTP factor was added; a relying party asks for
    REFEDS MFA: the login page says why it asks again, the password leads to the second
    step, and the code that follows carries acr MFA. (The provider's answer is a redirect
    to the relying party, which ``page.route`` does not see: the request is read instead.)"""
    from joserfc import jwt
    from joserfc.jwk import KeySet

    from tests.factors import add_totp, away_from_a_step_boundary, code_at

    user = make_user(email=unique_email())
    log_in(page, user)
    _, secret = add_totp(stack, user.user_id)
    session = client("demo-rp", "openid")
    url, state = session.create_authorization_url(metadata["authorization_endpoint"],
                                                  acr_values="https://refeds.org/profile/mfa")
    page.goto(url)
    expect(page.get_by_text("The application asks for a login with your second factor. Log in again to continue.")).to_be_visible()
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(user.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    away_from_a_step_boundary()
    page.get_by_label("Code from your authenticator app").fill(code_at(secret))
    with page.expect_request(lambda request: request.url.startswith(REDIRECT_URI)) as callback:
        page.get_by_role("button", name="Verify").click()
    query = {k: v[0] for k, v in parse_qs(urlparse(callback.value.url).query).items()}
    assert query["state"] == state
    token = session.fetch_token(metadata["token_endpoint"], code=query["code"])
    keys = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=30).json())
    claims = jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims
    assert claims["acr"] == "https://refeds.org/profile/mfa" and claims["amr"] == ["pwd", "otp", "mfa"]
