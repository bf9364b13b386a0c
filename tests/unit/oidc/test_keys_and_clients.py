"""services.oidc's keys and clients: rotation keeps the previous key published; the dev
secrets are refused in production; redirect URIs compare exactly."""
from __future__ import annotations

import hashlib
import json

import pytest
from joserfc import jwt

from services.oidc.clients import DevSecretInProduction, load_clients
from services.oidc.keys import load_signing_keys, rotated

DEV_CLIENT = {"client_id": "demo-rp", "name": "Demo", "first_party": True,
              "secret_sha256": hashlib.sha256(b"demo-rp-secret").hexdigest(),
              "redirect_uris": ["http://127.0.0.1:8090/callback"], "scopes": ["openid"]}


def test_a_rotation_signs_with_a_new_key_and_keeps_the_previous_published() -> None:
    first = rotated(None)
    old = load_signing_keys(first)
    token = jwt.encode({"alg": "RS256", "kid": old.current.kid}, {"sub": "u"}, old.current)
    new = load_signing_keys(rotated(rotated(first)))
    published = [k["kid"] for k in new.public_jwks["keys"]]
    assert len(published) == 2 and new.current.kid == published[0] != old.current.kid
    assert old.current.kid not in published  # two rotations later the oldest is gone
    once = load_signing_keys(rotated(first))
    assert [k["kid"] for k in once.public_jwks["keys"]][1] == old.current.kid
    assert jwt.decode(token, once.key_set, algorithms=["RS256"]).claims == {"sub": "u"}
    assert all("d" not in k for k in once.public_jwks["keys"])


def test_signing_keys_must_be_private_rsa_keys() -> None:
    public = load_signing_keys(rotated(None)).public_jwks["keys"]
    with pytest.raises(ValueError):
        load_signing_keys(json.dumps(public))


@pytest.mark.parametrize(("environment", "secure"), [("production", False), ("development", True)])
def test_production_refuses_the_dev_secrets(environment: str, secure: bool) -> None:
    with pytest.raises(DevSecretInProduction):
        load_clients({"clients": [DEV_CLIENT], "environment": environment, "session_cookie_secure": secure})


def test_redirect_uris_compare_exactly_and_public_clients_use_none() -> None:
    config = {"clients": [DEV_CLIENT, {**DEV_CLIENT, "client_id": "spa", "secret_sha256": None}],
              "environment": "development", "session_cookie_secure": False}
    clients = load_clients(config)
    rp = clients["demo-rp"]
    assert rp.check_redirect_uri("http://127.0.0.1:8090/callback")
    assert not rp.check_redirect_uri("http://127.0.0.1:8090/callback/")
    assert not rp.check_redirect_uri("http://127.0.0.1:8090/callback?x=1")
    assert rp.check_client_secret("demo-rp-secret") and not rp.check_client_secret("demo-rp-secreT")
    assert rp.check_endpoint_auth_method("client_secret_basic", "token")
    assert not rp.check_endpoint_auth_method("none", "token")
    assert clients["spa"].check_endpoint_auth_method("none", "token")
    assert not clients["spa"].check_client_secret("")
