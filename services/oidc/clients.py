"""Registered relying parties, from the configuration (``etcd-seed/oidc.json``)."""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any, Mapping

from authlib.oauth2.rfc6749 import ClientMixin, scope_to_list

#: SHA-256 of the dev clients' published secrets (API.md): refused in production.
DEV_SECRET_HASHES = frozenset(hashlib.sha256(s.encode()).hexdigest()
                              for s in ("demo-rp-secret", "demo-third-party-secret"))


class DevSecretInProduction(ValueError):
    """A client of a production configuration uses a published dev secret."""


@dataclass(frozen=True)
class Client(ClientMixin):
    """A relying party as Authlib's ``ClientMixin`` wants it."""

    client_id: str
    name: str
    first_party: bool
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    scopes: tuple[str, ...]
    secret_sha256: str | None = None
    client_metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def public(self) -> bool:
        """A public client has no secret and must use PKCE (RFC 7636, RFC 9700 §2.1.1)."""
        return self.secret_sha256 is None

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        # OIDC Core §3.1.2.1: redirect_uri is required; no default
        return None

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in scope_to_list(scope or "") if s in self.scopes)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris  # exact string comparison

    def check_client_secret(self, client_secret: str) -> bool:
        if self.secret_sha256 is None:
            return False
        digest = hashlib.sha256(client_secret.encode()).hexdigest()
        return hmac.compare_digest(digest, self.secret_sha256)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.public:
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


def load_clients(config: Mapping[str, Any]) -> dict[str, Client]:
    """``config['clients']`` as Client objects by id.

    Raises DevSecretInProduction in production (``environment: production``, or secure
    session cookies: a deployment behind HTTPS) when a client's secret is one of the
    dev secrets published in API.md.
    """
    production = config["environment"] == "production" or config["session_cookie_secure"]
    clients: dict[str, Client] = {}
    for entry in config["clients"]:
        if production and entry.get("secret_sha256") in DEV_SECRET_HASHES:
            raise DevSecretInProduction(f"client {entry['client_id']} uses a dev secret in production")
        clients[entry["client_id"]] = Client(
            client_id=entry["client_id"], name=entry["name"], first_party=entry["first_party"],
            redirect_uris=tuple(entry["redirect_uris"]),
            post_logout_redirect_uris=tuple(entry.get("post_logout_redirect_uris") or ()),
            scopes=tuple(entry["scopes"]), secret_sha256=entry.get("secret_sha256"))
    return clients
