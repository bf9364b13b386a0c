"""Fixtures of the OIDC tests: a relying party on Authlib's *client* (code we did not
write) that logs a user in through the real ``/api/authn/login`` and follows the
provider's redirects through nginx."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import KeySet

REDIRECT_URI = "http://127.0.0.1:8090/callback"
SECRETS = {"demo-rp": "demo-rp-secret", "demo-third-party": "demo-third-party-secret", "demo-spa": None}


@dataclass
class RelyingParty:
    """One client of the provider and the browser of its user (``browser``, a
    requests.Session holding Tessera's session cookie)."""

    base_url: str
    client_id: str
    browser: requests.Session
    metadata: dict[str, Any]

    def oauth(self, scope: str = "openid profile email", **kwargs: Any) -> OAuth2Session:
        secret = SECRETS[self.client_id]
        return OAuth2Session(self.client_id, secret, scope=scope, redirect_uri=REDIRECT_URI,
                             token_endpoint_auth_method=kwargs.pop("auth_method", "client_secret_basic" if secret else "none"),
                             **kwargs)

    def csrf(self) -> str:
        """The browser session's CSRF token (from jsconfig, as the SPA reads it)."""
        return self.browser.get(f"{self.base_url}/api/jsconfig/config", timeout=30).json()["payload"]["csrf_token"]

    def logged_in(self) -> bool:
        """What ``GET /api/authn/session`` says of the browser's session."""
        return self.browser.get(f"{self.base_url}/api/authn/session", timeout=30).json()["payload"]["logged_in"]

    def login(self, user) -> None:
        """Log ``user`` in as the SPA does: the CSRF token from jsconfig, then the password."""
        token = self.browser.get(f"{self.base_url}/api/jsconfig/config", timeout=30).json()["payload"]["csrf_token"]
        r = self.browser.post(f"{self.base_url}/api/authn/login", json={"email": user.email, "password": user.password},
                              headers={"X-CSRF-Token": token}, timeout=30)
        assert r.status_code == 200, r.text

    def authorize(self, session: OAuth2Session, **params: Any) -> tuple[str, str]:
        """GET the authorization URL in the browser; returns (Location, state)."""
        url, state = session.create_authorization_url(self.metadata["authorization_endpoint"], **params)
        r = self.browser.get(url, allow_redirects=False, timeout=30)
        assert r.status_code == 302, r.text
        return r.headers["Location"], state

    def code_flow(self, session: OAuth2Session, **params: Any) -> dict[str, Any]:
        """A whole code flow for the logged-in browser; returns the token response."""
        location, _ = self.authorize(session, **params)
        assert location.startswith(REDIRECT_URI), location
        return session.fetch_token(self.metadata["token_endpoint"], authorization_response=location,
                                   code_verifier=params.get("code_verifier"))

    def id_claims(self, id_token: str) -> dict[str, Any]:
        keys = KeySet.import_key_set(requests.get(self.metadata["jwks_uri"], timeout=30).json())
        return jwt.decode(id_token, keys, algorithms=["RS256"]).claims


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}


@pytest.fixture
def rp(stack) -> Callable[[str], RelyingParty]:
    """``rp("demo-rp")`` → a RelyingParty with a fresh browser."""
    metadata = requests.get(f"{stack.base_url}/.well-known/openid-configuration", timeout=30).json()
    browsers: list[requests.Session] = []

    def factory(client_id: str = "demo-rp") -> RelyingParty:
        browser = requests.Session()
        browsers.append(browser)
        return RelyingParty(stack.base_url, client_id, browser, metadata)

    yield factory
    for browser in browsers:
        browser.close()


__all__ = ["create_s256_code_challenge", "query_of", "REDIRECT_URI"]
