"""oidc's configuration, message keys and the schemas of its FSA routes (the consent API).

The protocol endpoints (authorize, token, userinfo, revoke, introspect, JWKS, discovery)
speak OAuth 2.0 / OIDC, not FSA (API.md), and have no marshmallow schemas here.
"""
from __future__ import annotations

from enum import unique

from marshmallow import fields, validate

from common.config.schema import CommonConfigSchema, StrictSchema
from common.messages import TranslatableMsg
from common.schemas import TesseraSchema

#: the scopes Tessera grants (API.md, *oidc*)
SCOPES = ("openid", "profile", "email", "phone", "offline_access")


@unique
class OidcMsg(TranslatableMsg):
    """User-facing keys of the oidc service."""

    request_invalid = "oidc.request_invalid"
    request_unknown = "oidc.request_unknown"
    consent_unknown = "oidc.consent_unknown"
    logout_unknown = "oidc.logout_unknown"


class ClientSchema(StrictSchema):
    """One registered relying party. ``secret_sha256``: the hex SHA-256 of its secret
    (client secrets are random and long, so a fast hash is enough — unlike passwords);
    absent for a public client, which must use PKCE. Redirect URIs are compared exactly
    (RFC 9700 §4.1.3)."""

    client_id = fields.String(required=True, validate=validate.Regexp(r"\A[A-Za-z0-9._-]{1,64}\Z"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    secret_sha256 = fields.String(load_default=None, validate=validate.Regexp(r"\A[0-9a-f]{64}\Z"))
    first_party = fields.Boolean(required=True)
    redirect_uris = fields.List(fields.Url(require_tld=False, schemes={"http", "https"}), required=True,
                                validate=validate.Length(min=1))
    post_logout_redirect_uris = fields.List(fields.Url(require_tld=False, schemes={"http", "https"}),
                                            load_default=list)
    scopes = fields.List(fields.String(validate=validate.OneOf(SCOPES)), required=True)


class ConfigSchema(CommonConfigSchema):
    """``/tessera/oidc/*``: the clients, the signing keys and token lifetimes (seconds).

    ``signing_keys``: a JSON array of private RSA JWKs, newest first — the first signs,
    all are published in the JWKS (rotation: ``python -m devstack rotate-oidc-keys``).
    A secret, filled by the seed from ``${OIDC_SIGNING_KEYS}``.
    ``environment``: ``production`` refuses the dev clients' secrets at start.
    """

    clients = fields.List(fields.Nested(ClientSchema), required=True, validate=validate.Length(min=1))
    signing_keys = fields.String(required=True, metadata={"secret": True})
    environment = fields.String(required=True, validate=validate.OneOf(["development", "production"]))
    access_token_lifetime = fields.Integer(required=True, validate=validate.Range(min=30, max=3600))
    id_token_lifetime = fields.Integer(required=True, validate=validate.Range(min=30, max=3600))
    refresh_token_lifetime = fields.Integer(required=True, validate=validate.Range(min=300))
    code_lifetime = fields.Integer(required=True, validate=validate.Range(min=5, max=60))
    token_rate_limit = fields.String(required=True)


class ConsentClient(TesseraSchema):
    client_id = fields.String(required=True)
    name = fields.String(required=True)


class ConsentRequestResponse(TesseraSchema):
    """``GET /consent/<id>``: who asks for what."""

    client = fields.Nested(ConsentClient, required=True)
    scopes = fields.List(fields.String(), required=True)


class ConsentDecisionRequest(TesseraSchema):
    """``POST /consent/<id>``."""

    approve = fields.Boolean(required=True, truthy={True}, falsy={False})


class LogoutRequestResponse(TesseraSchema):
    """``GET /logout/<id>``: the client that asks Tessera to sign the user out (null when
    the request named none)."""

    client = fields.Nested(ConsentClient, required=True, allow_none=True)


class LogoutDecisionRequest(TesseraSchema):
    """``POST /logout/<id>``: ``confirm`` true signs out of Tessera, false stays."""

    confirm = fields.Boolean(required=True, truthy={True}, falsy={False})


class RedirectResponse(TesseraSchema):
    """Where the SPA sends the browser next."""

    redirect_to = fields.String(required=True)


class ConsentEntry(TesseraSchema):
    client_id = fields.String(required=True)
    name = fields.String(required=True)
    scopes = fields.List(fields.String(), required=True)
    granted_at = fields.DateTime(required=True)


class ConsentsResponse(TesseraSchema):
    """``GET /consents``: the user's connected apps."""

    consents = fields.List(fields.Nested(ConsentEntry), required=True)


class RevokeConsentRequest(TesseraSchema):
    """``POST /consents/revoke``."""

    client_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
