"""The Authlib authorization server: grants, endpoints and the storage they call.

Authlib (≥ 1.7.1) does the protocol: the code grant with PKCE (S256 only; required for
public clients) and OpenID Connect's ID token, refresh tokens, revocation (RFC 7009),
introspection (RFC 7662) and UserInfo; joserfc signs (RS256). We supply storage
(``services.oidc.store``), clients (``services.oidc.clients``) and the user.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidGrantError, MissingAuthorizationError
from authlib.oauth2.rfc6750 import BearerTokenValidator, InvalidTokenError
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oidc.core import OpenIDCode, UserInfo, UserInfoEndpoint
from authlib.oidc.core.models import AuthorizationCodeMixin
from flask import Flask, current_app, request

from common.redis_store import redis_client
from common.session import KEY_PREFIX
from common.users import get_user, primary_email
from services.oidc import store
from services.oidc.clients import Client, load_clients
from services.oidc.keys import SigningKeys, load_signing_keys


class User:
    """The end user as Authlib sees it: the central user document."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def get_user_id(self) -> str:
        return self.document["_id"]


def oidc_state() -> dict[str, Any]:
    """``app.extensions['tessera.oidc']``: clients, keys, server, protector."""
    return current_app.extensions["tessera.oidc"]


def config() -> dict[str, Any]:
    return current_app.config["TESSERA"]


def issuer() -> str:
    """The issuer identifier: the platform's public URL (no trailing slash)."""
    return config()["public_url"].rstrip("/")


def public_sid(session_id: str) -> str:
    """The ``sid`` claim: an HMAC of the Tessera session id, so the id itself (the
    cookie's secret) never leaves the server."""
    mac = hmac.new(config()["secret_key"].encode(), session_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:16]).rstrip(b"=").decode()


def query_client(client_id: str) -> Client | None:
    return oidc_state()["clients"].get(client_id)


#: the central user's fields that ``user_info`` reads: what the token endpoint and UserInfo
#: fetch (a projection: the credentials and the rest are neither sent nor decoded)
CLAIM_FIELDS = ("given_name", "surname", "display_name", "language", "emails", "phones")


def user_info(user: User, scope: str) -> UserInfo:
    """The claims of ``scope`` from the central user (OIDC Core §5.4)."""
    doc = user.document
    scopes = set((scope or "").split())
    info = UserInfo(sub=doc["_id"])
    if "profile" in scopes:
        for claim, attribute in (("given_name", "given_name"), ("family_name", "surname"),
                                 ("name", "display_name"), ("locale", "language")):
            if doc.get(attribute):
                info[claim] = doc[attribute]
    if "email" in scopes:
        address = primary_email(doc)
        if address:
            entry = next((e for e in doc.get("emails", []) if e.get("email") == address), {})
            info["email"] = address
            info["email_verified"] = bool(entry.get("verified"))
    if "phone" in scopes:
        phones = doc.get("phones", [])
        phone = next((p for p in phones if p.get("primary")), phones[0] if phones else None)
        if phone:
            info["phone_number"] = phone.get("number")
            info["phone_number_verified"] = bool(phone.get("verified"))
    return info


def save_token(token: dict[str, Any], oauth_request) -> None:
    """Store a token response (hashes only). A refresh token is issued only with
    ``offline_access`` (OIDC Core §11); a refresh keeps the grant's family."""
    scopes = (token.get("scope") or "").split()
    if "offline_access" not in scopes:
        token.pop("refresh_token", None)
    previous = getattr(oauth_request, "refresh_token", None)
    code = getattr(oauth_request, "authorization_code", None)
    family = previous["family"] if previous else str(uuid.uuid4())
    expires = datetime.now(timezone.utc) + timedelta(seconds=int(token["expires_in"]))
    store.save_tokens({
        "access_hash": store.digest(token["access_token"]),
        **({"refresh_hash": store.digest(token["refresh_token"]), "refresh_used": False}
           if "refresh_token" in token else {}),
        "client_id": oauth_request.client.get_client_id(), "user_id": oauth_request.user.get_user_id(),
        "scope": token.get("scope") or "", "family": family, "code_hash": code.code_hash if code else None,
        "issued_at": store.now(), "access_expires_at": expires, "revoked": False,
        "refresh_expires_at": datetime.now(timezone.utc) + timedelta(seconds=config()["refresh_token_lifetime"]),
        "auth_time": (previous or code).auth_time if (previous or code) else None,
    })


class Code(AuthorizationCodeMixin):
    """A stored authorization code."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record
        self.code_hash = record["_id"]
        self.auth_time = record["auth_time"]

    def get_redirect_uri(self) -> str:
        return self.record["redirect_uri"]

    def get_scope(self) -> str:
        return self.record["scope"]

    def get_nonce(self) -> str | None:
        return self.record.get("nonce")

    def get_auth_time(self) -> int:
        return self.record["auth_time"]

    def get_acr(self) -> str:
        return self.record["acr"]

    def get_amr(self) -> list[str]:
        return self.record["amr"]


class Token:
    """A stored token response as Authlib's TokenMixin wants it (dict-like ``family``)."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record
        self.scope = record["scope"]
        self.auth_time = record.get("auth_time")

    def __getitem__(self, key: str) -> Any:
        return self.record[key]

    def check_client(self, client: Client) -> bool:
        return self.record["client_id"] == client.get_client_id()

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return config()["access_token_lifetime"]

    def get_expires_at(self) -> int:
        return int(self.record["access_expires_at"].replace(tzinfo=timezone.utc).timestamp())

    def is_expired(self) -> bool:
        return self.get_expires_at() <= store.now()

    def is_revoked(self) -> bool:
        return bool(self.record.get("revoked"))

    def get_user(self) -> User | None:
        """The token's user (the fields its claims come from), or None when deleted."""
        document = get_user(self.record["user_id"], CLAIM_FIELDS)
        return User(document) if document else None

    def get_client(self) -> Client | None:
        return query_client(self.record["client_id"])


#: ``acr`` values (OIDC Core §2): the REFEDS assurance profiles that eduID and the research
#: and education federations use — MFA (https://refeds.org/profile/mfa: two factors of
#: different kinds, RFC 8176 ``mfa``) and SFA (https://refeds.org/profile/sfa: one factor)
ACR_MFA = "https://refeds.org/profile/mfa"
ACR_SFA = "https://refeds.org/profile/sfa"
ACR_VALUES = (ACR_MFA, ACR_SFA)


def acr_of(amr: list[str]) -> str:
    """``acr`` of a login whose methods were ``amr``: MFA with a second factor, else SFA."""
    return ACR_MFA if "mfa" in amr else ACR_SFA


def mfa_asked(acr_values: str | None) -> bool:
    """Whether an authorization request's ``acr_values`` (space-separated, in order of
    preference, OIDC Core §3.1.2.1) can only be met by MFA: it names ``ACR_MFA`` and not
    ``ACR_SFA``. Values we do not know are ignored (acr_values asks, it does not demand:
    a request of only unknown values gets what the login was)."""
    values = (acr_values or "").split()
    return ACR_MFA in values and ACR_SFA not in values


class CodeGrant(grants.AuthorizationCodeGrant):
    """The code grant: 60-second single-use codes; a replay revokes what the code issued."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def save_authorization_code(self, code: str, oauth_request) -> None:
        from flask import session

        data = oauth_request.payload.data
        amr = list(session.get("amr") or ["pwd"])
        store.save_code({
            "_id": store.digest(code), "client_id": oauth_request.client.get_client_id(),
            "user_id": oauth_request.user.get_user_id(), "redirect_uri": oauth_request.payload.redirect_uri,
            "scope": oauth_request.payload.scope or "", "nonce": data.get("nonce"),
            "code_challenge": data.get("code_challenge"),
            "code_challenge_method": data.get("code_challenge_method"),
            "auth_time": int(session.get("auth_time")), "amr": amr, "acr": acr_of(amr),
            "session_token": session.sid, "used": False,
            "expire_at": datetime.now(timezone.utc) + timedelta(seconds=config()["code_lifetime"]),
        })

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        record, replayed = store.use_code(code, client.get_client_id())
        if replayed is not None:
            store.revoke_code_tokens(code)
            return None
        return Code(record) if record else None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        """Kept (marked used) so that a replay is recognised."""

    def authenticate_user(self, authorization_code: Code) -> User | None:
        """The code's user, if the account and the session that logged in still exist
        (a deleted user or a revoked session gets no tokens)."""
        if not redis_client().exists(KEY_PREFIX + authorization_code.record["session_token"]):
            return None
        document = get_user(authorization_code.record["user_id"], CLAIM_FIELDS)
        return User(document) if document else None


class PkceS256(CodeChallenge):
    """PKCE with S256 only (RFC 9700 §2.1.1: ``plain`` refused); required for public clients."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        from authlib.oauth2.rfc6749.errors import InvalidRequestError

        if grant.request.client.public and not grant.request.payload.data.get("code_challenge"):
            raise InvalidRequestError("Public clients must use PKCE (code_challenge, S256).",
                                      redirect_uri=redirect_uri)
        return super().validate_code_challenge(grant, redirect_uri)

    def get_authorization_code_challenge(self, authorization_code: Code) -> str | None:
        return authorization_code.record.get("code_challenge")

    def get_authorization_code_challenge_method(self, authorization_code: Code) -> str | None:
        return authorization_code.record.get("code_challenge_method")


class IdToken(OpenIDCode):
    """OIDC's ID token: RS256 with the current key's ``kid``; ``iss``, ``aud``, ``exp``,
    ``auth_time``, ``nonce``, ``amr``, ``acr``, ``sid`` (OIDC Core §2)."""

    def exists_nonce(self, nonce: str, oauth_request) -> bool:
        return False  # a nonce is the client's to check; codes are single use anyway

    def resolve_client_private_key(self, client: Client):
        return oidc_state()["keys"].current

    def get_client_algorithm(self, client: Client) -> str:
        return "RS256"

    def get_encode_header(self, client: Client) -> dict[str, str]:
        return {"alg": "RS256", "kid": oidc_state()["keys"].current.kid, "typ": "JWT"}

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        return {"iss": issuer(), "aud": [client.get_client_id()],
                "exp": store.now() + config()["id_token_lifetime"]}

    def get_authorization_code_claims(self, authorization_code: Code) -> dict[str, Any]:
        claims = super().get_authorization_code_claims(authorization_code)
        claims["sid"] = public_sid(authorization_code.record["session_token"])
        return claims

    def generate_user_info(self, user: User, scope: str) -> UserInfo:
        return user_info(user, scope)


class RefreshGrant(grants.RefreshTokenGrant):
    """Refresh tokens rotate; a used one presented again revokes the grant (RFC 9700 §4.14.2)."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        record = store.find_by_refresh(refresh_token)
        if record is None:
            return None
        if record.get("refresh_used"):  # a rotated token again: stolen, or its copy is
            store.revoke_family(record["family"])
            return None
        if record.get("revoked"):
            return None
        if record["refresh_expires_at"].replace(tzinfo=timezone.utc) <= datetime.now(timezone.utc):
            return None
        return Token(record)

    def authenticate_user(self, refresh_token: Token) -> User | None:
        """The token's user if the account still exists (only its ``_id`` is read: a
        refresh issues no ID token, so no claims are needed)."""
        document = get_user(refresh_token["user_id"], ("_id",))
        return User(document) if document else None

    def revoke_old_credential(self, refresh_token: Token) -> None:
        if not store.retire_refreshed(refresh_token["_id"]):
            store.revoke_family(refresh_token["family"])
            raise InvalidGrantError("The refresh token was used already.")


class _TokenLookup:
    """Revocation and introspection find a token by either of its strings."""

    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        lookups = [store.find_by_access, store.find_by_refresh]
        if token_type_hint == "refresh_token":
            lookups.reverse()
        for lookup in lookups:
            record = lookup(token_string)
            if record is not None:
                return Token(record)
        return None


class Revocation(_TokenLookup, RevocationEndpoint):
    """RFC 7009: revoking either token of a grant revokes the grant's tokens."""

    def revoke_token(self, token: Token, oauth_request) -> None:
        store.revoke_family(token["family"])


class Introspection(_TokenLookup, IntrospectionEndpoint):
    """RFC 7662, for registered confidential clients, about their own tokens."""

    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def check_permission(self, token: Token, client: Client, oauth_request) -> bool:
        return token.check_client(client)

    def introspect_token(self, token: Token) -> dict[str, Any]:
        active = not token.is_revoked() and not token.is_expired() and token.get_user() is not None
        if not active:
            return {"active": False}
        return {"active": True, "client_id": token["client_id"], "scope": token.scope,
                "sub": token["user_id"], "token_type": "Bearer", "exp": token.get_expires_at(),
                "iat": token["issued_at"], "iss": issuer()}


class AccessTokenValidator(BearerTokenValidator):
    """A bearer access token is valid while stored, unexpired, unrevoked and its user exists."""

    def authenticate_token(self, token_string: str) -> Token | None:
        record = store.find_by_access(token_string)
        return Token(record) if record else None

    def validate_token(self, token, scopes, oauth_request) -> None:
        super().validate_token(token, scopes, oauth_request)
        if token.get_user() is None:
            raise InvalidTokenError()


class BodyOrHeaderProtector(ResourceProtector):
    """Bearer tokens in the Authorization header or, for POST, the form body
    (RFC 6750 §2.1 and §2.2; OIDC Core §5.3.1 allows both at UserInfo)."""

    def parse_request_authorization(self, oauth_request):
        try:
            return super().parse_request_authorization(oauth_request)
        except MissingAuthorizationError:
            body_token = request.form.get("access_token") if request.method == "POST" else None
            if not body_token:
                raise
            return self.get_token_validator("bearer"), body_token


class UserInfoView(UserInfoEndpoint):
    def get_issuer(self) -> str:
        return issuer()

    def generate_user_info(self, user: User, scope: str) -> UserInfo:
        return user_info(user, scope)

    def resolve_private_key(self):
        return oidc_state()["keys"].current


def generate_token_string(*args: Any, **kwargs: Any) -> str:
    return secrets.token_urlsafe(32)


def init_app(app: Flask) -> None:
    """Build the server for ``app`` into ``app.extensions['tessera.oidc']``. Raises
    DevSecretInProduction or ValueError (bad keys) at start."""
    conf = app.config["TESSERA"]
    app.config.update(
        OAUTH2_ACCESS_TOKEN_GENERATOR=generate_token_string,
        OAUTH2_REFRESH_TOKEN_GENERATOR=generate_token_string,
        OAUTH2_TOKEN_EXPIRES_IN={"authorization_code": conf["access_token_lifetime"],
                                 "refresh_token": conf["access_token_lifetime"]},
    )
    keys: SigningKeys = load_signing_keys(conf["signing_keys"])
    server = AuthorizationServer(query_client=query_client, save_token=save_token)
    server.init_app(app)
    server.register_grant(CodeGrant, [PkceS256(required=True), IdToken(require_nonce=False)])
    server.register_grant(RefreshGrant)
    server.register_endpoint(Revocation)
    server.register_endpoint(Introspection)
    protector = BodyOrHeaderProtector()
    protector.register_token_validator(AccessTokenValidator())
    server.register_endpoint(UserInfoView(resource_protector=protector))
    app.extensions["tessera.oidc"] = {"clients": load_clients(conf), "keys": keys,
                                      "server": server, "protector": protector}
