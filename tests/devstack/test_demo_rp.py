"""The demo relying party (devstack/demo_rp.py) as its own program of the stack: what it
asks Tessera for and what it refuses. The whole sign-in and sign-out in a browser is
tests/e2e/test_demo_rp.py."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from devstack import manager
from devstack.topology import Stack

pytestmark = pytest.mark.filterwarnings("error")


def test_it_is_a_healthy_program_of_the_stack(stack: Stack) -> None:
    assert manager.is_program_healthy(stack, "demo-rp")
    assert stack.demo_rp_url == f"http://127.0.0.1:{stack.ports['demo_rp']}"


@pytest.mark.parametrize(("button", "client_id"), [("tessera", "demo-rp"), ("third_party", "demo-third-party")])
def test_sign_in_asks_for_a_code_with_state_nonce_and_pkce(stack: Stack, button: str, client_id: str) -> None:
    with requests.Session() as browser:
        r = browser.post(f"{stack.demo_rp_url}/login/{button}", allow_redirects=False, timeout=30)
        assert r.status_code == 302, r.text
        url = urlsplit(r.headers["Location"])
        assert f"{url.scheme}://{url.netloc}{url.path}" == f"{stack.base_url}/api/oidc/authorize"
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert query["client_id"] == client_id and query["response_type"] == "code"
        assert query["redirect_uri"] == f"{stack.demo_rp_url}/callback"
        assert query["scope"].split() == ["openid", "profile", "email"]
        assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
        assert len(query["state"]) >= 20 and len(query["nonce"]) >= 20
        cookie = next(c for c in browser.cookies if c.name == "demo_rp_session")
        assert cookie.domain.lstrip(".") == "127.0.0.1" and cookie.has_nonstandard_attr("HttpOnly")
        assert "samesite=lax" in r.headers["Set-Cookie"].lower()

        # a callback whose state is not the one sent is refused before any code is exchanged
        r = browser.get(f"{stack.demo_rp_url}/callback", params={"code": "x", "state": "forged"}, timeout=30)
        assert r.status_code == 400
        assert "Tessera did not sign you in: mismatching_state" in r.text
        assert "Sign in with Tessera" in browser.get(f"{stack.demo_rp_url}/", timeout=30).text


def test_an_unknown_client_and_another_host_name(stack: Stack) -> None:
    r = requests.post(f"{stack.demo_rp_url}/login/evil", allow_redirects=False, timeout=30)
    assert r.status_code == 404 and "Unknown client." in r.text
    # localhost is not where the redirect URI sends the browser back: the cookie would be lost
    r = requests.get(f"http://localhost:{stack.ports['demo_rp']}/?x=1", allow_redirects=False, timeout=30)
    assert r.status_code == 302 and r.headers["Location"] == f"{stack.demo_rp_url}/?x=1"


def test_sign_out_without_a_sign_in_stays_home(stack: Stack) -> None:
    r = requests.post(f"{stack.demo_rp_url}/logout", allow_redirects=False, timeout=30)
    assert r.status_code == 302 and r.headers["Location"] == "/"
