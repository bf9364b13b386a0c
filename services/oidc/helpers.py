"""What oidc's views share: the server, the discovery document, the login redirect,
the protocol-endpoint marker and RP-initiated logout (asked, then ended)."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from authlib.common.urls import add_params_to_uri
from flask import Response, current_app, g, jsonify, redirect, request, session
from joserfc import jwt
from joserfc.errors import JoseError

from common import events, throttle
from common.csrf import protocol_endpoint  # noqa: F401  (re-exported for the views)
from common.errors import ApiError
from common.events import EventType
from common.session import logout
from services.oidc import store
from services.oidc.schemas import SCOPES, OidcMsg
from services.oidc.server import ACR_VALUES, issuer, oidc_state, query_client

#: the OAuth/OIDC endpoints, under /api/oidc/
PREFIX = "/api/oidc"


def authorization_server():
    """This app's Authlib ``AuthorizationServer``."""
    return oidc_state()["server"]


def discovery() -> dict[str, Any]:
    """OpenID Connect Discovery 1.0 §3 metadata of this provider."""
    base = issuer()
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}{PREFIX}/authorize",
        "token_endpoint": f"{base}{PREFIX}/token",
        "userinfo_endpoint": f"{base}{PREFIX}/userinfo",
        "jwks_uri": f"{base}{PREFIX}/jwks",
        "revocation_endpoint": f"{base}{PREFIX}/revoke",
        "introspection_endpoint": f"{base}{PREFIX}/introspect",
        "end_session_endpoint": f"{base}{PREFIX}/end-session",
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "acr", "sid",
                             "email", "email_verified", "given_name", "family_name", "name", "locale",
                             "phone_number", "phone_number_verified"],
        "prompt_values_supported": ["none", "login", "consent"],
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "claims_parameter_supported": False,
        "acr_values_supported": list(ACR_VALUES),
    }


def token_client_key() -> str:
    """The token endpoint's throttle key: the client id the request names (Basic auth
    or the form), so one client cannot starve the others."""
    auth = request.authorization
    client_id = auth.username if auth and auth.username else request.form.get("client_id", "")
    return f"oidc-token:{client_id}"


def token_throttle() -> int | None:
    """Count one token request against the client's ``token_rate_limit``
    (``common.throttle.count_request``): None while within it, else the Retry-After
    seconds of its 429 (``oauth_throttled``)."""
    return throttle.count_request(current_app.config["TESSERA"]["token_rate_limit"], token_client_key())


def oauth_throttled(retry_after: int) -> Response:
    """429 in OAuth's error shape (RFC 6749 §5.2 names no code for it; RFC 6585 §4 and
    Retry-After as everywhere in Tessera), so that a client's OAuth library can read it."""
    response = jsonify(error="too_many_requests", error_description="Too many token requests of this client.")
    response.status_code = 429
    response.headers["Retry-After"] = str(retry_after)
    return response


def login_url(again: str | None = None) -> str:
    """``/login?next=<this authorize URL, relative>``, without ``prompt=login`` (the login
    that follows satisfies it; kept, it would send the browser round in a loop).

    ``again`` (``login`` or ``mfa``) tells the SPA to log in anew although the browser is
    logged in (``prompt=login``, a login older than ``max_age``, an ``id_token_hint`` of
    another user; ``mfa``: ``acr_values`` asks for a second factor the session lacks) —
    appended as ``&reauthn=…`` after ``next``."""
    args = [(k, v) for k, v in request.values.items(multi=True)
            if not (k == "prompt" and "login" in v.split())]
    target = f"{PREFIX}/authorize?{urlencode(args)}"
    query = [("next", target)] + ([("reauthn", again)] if again else [])
    return f"/login?{urlencode(query)}"


def connected_apps(user_id: str) -> list[dict[str, Any]]:
    """``user_id``'s consents to clients still registered, oldest first."""
    clients = oidc_state()["clients"]
    return [{"client_id": c["client_id"], "name": clients[c["client_id"]].name, "scopes": c["scopes"],
             "granted_at": c["granted_at"]}
            for c in store.list_consents(user_id) if c["client_id"] in clients]


def hint_claims(id_token_hint: str) -> dict[str, Any]:
    """The claims of an ID token we issued (signature checked; expiry not: OIDC
    RP-Initiated Logout §2 accepts an expired hint)."""
    try:
        token = jwt.decode(id_token_hint, oidc_state()["keys"].key_set, algorithms=["RS256"])
    except (JoseError, ValueError):
        raise ApiError(OidcMsg.request_invalid, 400, errors={"id_token_hint": ["invalid"]})
    if token.claims.get("iss") != issuer():
        raise ApiError(OidcMsg.request_invalid, 400, errors={"id_token_hint": ["invalid"]})
    return token.claims


#: seconds a logout request waits for the user's answer on the SPA's /logout page
LOGOUT_REQUEST_LIFETIME = 300


def end_session() -> Response:
    """RP-Initiated Logout 1.0 §2–3: validate the request (a ``post_logout_redirect_uri``
    only when registered for the client named by the hint or ``client_id``), then — the
    OP SHOULD ask the End-User (§3), and a GET that logged out at once would let any page
    sign the user out — keep it for ``LOGOUT_REQUEST_LIFETIME`` s and send the browser to
    the SPA's ``/logout?request=<id>``, which asks "Sign out of Tessera?" (``decide_logout``).
    A browser with no logged-in session has nothing to end: straight to the target.

    We ask even with a valid ``id_token_hint`` of the current session: the hint proves
    the RP once got a token, not that this user wants to leave Tessera now (an old
    token replayed by any page would do). Raises ApiError 400 ``oidc.request_invalid``."""
    hint = request.values.get("id_token_hint")
    claims = hint_claims(hint) if hint else {}
    audience = claims.get("aud")
    client_id = (audience[0] if isinstance(audience, list) else audience) or request.values.get("client_id")
    client = query_client(client_id) if client_id else None
    target = request.values.get("post_logout_redirect_uri")
    if target and (client is None or target not in client.post_logout_redirect_uris):
        raise ApiError(OidcMsg.request_invalid, 400, errors={"post_logout_redirect_uri": ["not registered"]})
    state = request.values.get("state")
    if not session.get("user_id"):
        return redirect(after_logout(target, state), 302)
    request_id = store.save_logout(session["user_id"], session.sid, client.client_id if client else None,
                                   target, state, LOGOUT_REQUEST_LIFETIME)
    return redirect(f"/logout?{urlencode({'request': request_id})}", 302)


def after_logout(target: str | None, state: str | None) -> str:
    """Where the browser goes once the user answered: the registered target with the RP's
    ``state`` (RP-Initiated Logout §3), or Tessera's start page."""
    if not target:
        return "/"
    return add_params_to_uri(target, [("state", state)]) if state else target


def decide_logout(request_id: str, confirm: bool) -> str:
    """The user's answer to a logout request (single use): ``confirm`` ends the Tessera
    session (a ``logout`` security event, as at authn's logout). Either way the browser
    goes to the RP's registered target: the RP has ended its own session already and waits
    for the browser back; with no target, to the start page (or the dashboard when the
    user stays). Raises ApiError 404 ``oidc.logout_unknown`` for an unknown, expired,
    answered or another session's request."""
    pending = store.take_logout(request_id, g.user_id, session.sid)
    if pending is None:
        raise ApiError(OidcMsg.logout_unknown, 404)
    if confirm:
        logout()
        events.record(EventType.logout, pending["user_id"], {"client_id": pending["client_id"]})
    elif not pending["target"]:
        return "/dashboard"
    return after_logout(pending["target"], pending["state"])
