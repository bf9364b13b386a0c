"""oidc's routes: the protocol endpoints (OAuth/OIDC answers, API.md's one exception to
the FSA envelope; no session CSRF — clients authenticate themselves) and the consent API
of the SPA (FSA, session, CSRF)."""
from __future__ import annotations

import time
from urllib.parse import urlencode

from authlib.common.urls import add_params_to_uri
from authlib.integrations.flask_oauth2.requests import FlaskOAuth2Request
from authlib.oauth2 import OAuth2Error
from flask import Blueprint, Response, g, jsonify, redirect, request, session
from werkzeug.wrappers import Request as WerkzeugRequest

from common import events
from common.api import marshal, unmarshal
from common.authn import login_required
from common.errors import ApiError
from common.events import EventType
from common.factors import mfa_methods
from common.schemas import EmptyRequest
from common.session import ask_for_login, login_owed
from common.users import get_user
from services.oidc import store
from services.oidc.helpers import (authorization_server, connected_apps, decide_logout, discovery, end_session,
                                   hint_claims, login_url, oauth_throttled, protocol_endpoint, token_throttle)
from services.oidc.schemas import (ConsentDecisionRequest, ConsentRequestResponse, ConsentsResponse,
                                   LogoutDecisionRequest, LogoutRequestResponse, OidcMsg, RedirectResponse,
                                   RevokeConsentRequest)
from services.oidc.server import User, mfa_asked, oidc_state, query_client

bp = Blueprint("oidc", __name__)


@bp.get("/.well-known/openid-configuration")
@protocol_endpoint
def openid_configuration() -> Response:
    """OpenID Connect Discovery 1.0 metadata (nginx also serves it at the root)."""
    return jsonify(discovery())


@bp.get("/jwks")
@protocol_endpoint
def jwks() -> Response:
    """The public signing keys: the current one and the previous one (rotation)."""
    return jsonify(oidc_state()["keys"].public_jwks)


@bp.route("/authorize", methods=["GET", "POST"])
@protocol_endpoint
def authorize() -> Response:
    """The authorization endpoint (code flow; GET or a form POST, OIDC Core §3.1.2.1):
    login (again, with the second factor when ``acr_values`` asks for MFA), consent, then
    the code. (A cross-site POST carries no SameSite=Lax cookie, so
    it can only ever lead to the login page.)"""
    server = authorization_server()
    user_doc = get_user(session["user_id"]) if session.get("user_id") else None
    user = User(user_doc) if user_doc else None
    prompts = set(request.values.get("prompt", "").split())
    max_age = request.values.get("max_age", "")
    too_old = bool(user and max_age.isdigit() and time.time() - session.get("auth_time", 0) > int(max_age))
    # OIDC Core §3.1.2.1 id_token_hint: logged in as someone else is no login for this request
    hint = request.values.get("id_token_hint")
    if user and hint and hint_claims(hint).get("sub") != user.get_user_id():
        too_old = True
    try:
        grant = server.get_consent_grant(end_user=user)
    except OAuth2Error as error:
        return _authorization_error(server, error)
    unsupported = next((name for name in ("request", "request_uri") if name in request.values), None)
    if unsupported:  # OIDC Core §6: request objects are not supported (discovery says so)
        return _redirect_error(grant, f"{unsupported}_not_supported")
    # prompt=login leaves the prompt out of ``next`` (the login satisfies it); the session
    # remembers that a login is owed, so following ``next`` without one gets no code
    if user is None or too_old or "login" in prompts or login_owed():
        if "none" in prompts:
            return _redirect_error(grant, "login_required")
        if user is not None:
            ask_for_login()
        return redirect(login_url(again="login" if user else None), 302)
    if mfa_asked(request.values.get("acr_values")) and "mfa" not in (session.get("amr") or []):
        # step-up: the code waits for a login with the second factor (its ID token says acr MFA)
        if not mfa_methods(user.document.get("credentials", [])):
            # OpenID Connect Core Unmet Authentication Requirements 1.0 §2: no factor to ask for
            return _redirect_error(grant, "unmet_authentication_requirements")
        if "none" in prompts:
            return _redirect_error(grant, "login_required")
        return redirect(login_url(again="mfa"), 302)
    client = grant.client
    scopes = (grant.request.payload.scope or "").split()
    if not client.first_party and ("consent" in prompts or not set(scopes) <= store.consented_scopes(user.get_user_id(), client.client_id)):
        if "none" in prompts:
            return _redirect_error(grant, "consent_required")
        request_id = store.save_request(user.get_user_id(), client.client_id, scopes,
                                        urlencode(list(request.values.items(multi=True))), 600)
        return redirect(f"/consent?{urlencode({'request': request_id})}", 302)
    return server.create_authorization_response(grant=grant, grant_user=user)


def _authorization_error(server, error: OAuth2Error) -> Response:
    """An error about a known client and a registered redirect URI goes back to the
    client (RFC 6749 §4.1.2.1); any other is Tessera's own answer, never a redirect."""
    if getattr(error, "redirect_uri", None):
        return server.handle_error_response(None, error)
    raise ApiError(OidcMsg.request_invalid, 400, errors={"request": [error.error]})


def _redirect_error(grant, error: str) -> Response:
    """OIDC Core §3.1.2.6 errors (``login_required``, ``consent_required``) to the client."""
    params = [("error", error)]
    if grant.request.payload.state:
        params.append(("state", grant.request.payload.state))
    return redirect(add_params_to_uri(grant.redirect_uri, params), 302)


@bp.post("/token")
@protocol_endpoint
def token() -> Response:
    """The token endpoint: code and refresh_token grants (RFC 6749 §3.2), throttled per
    client; a throttled client gets an OAuth error with Retry-After, not an FSA."""
    retry_after = token_throttle()
    if retry_after is not None:
        return oauth_throttled(retry_after)
    return authorization_server().create_token_response()


@bp.route("/userinfo", methods=["GET", "POST"])
@protocol_endpoint
def userinfo() -> Response:
    """UserInfo (OIDC Core §5.3): bearer token in the header or the POST body."""
    return authorization_server().create_endpoint_response("userinfo")


@bp.post("/revoke")
@protocol_endpoint
def revoke() -> Response:
    """Token revocation (RFC 7009)."""
    return authorization_server().create_endpoint_response("revocation")


@bp.post("/introspect")
@protocol_endpoint
def introspect() -> Response:
    """Token introspection (RFC 7662), for registered clients."""
    return authorization_server().create_endpoint_response("introspection")


@bp.route("/end-session", methods=["GET", "POST"])
@protocol_endpoint
def logout() -> Response:
    """RP-initiated logout 1.0: a logged-in browser is asked first (the SPA's ``/logout``
    page, ``answer_logout``), then goes back to a registered ``post_logout_redirect_uri``
    (with ``state``) or to Tessera's start page."""
    return end_session()


@bp.get("/consent/<request_id>")
@unmarshal(EmptyRequest)
@marshal(ConsentRequestResponse)
@login_required
def get_consent(request_id: str) -> dict:
    """The pending authorization request the consent page shows."""
    pending = store.find_request(request_id, g.user_id)
    if pending is None:
        raise ApiError(OidcMsg.request_unknown, 404)
    client = query_client(pending["client_id"])
    return {"client": {"client_id": client.client_id, "name": client.name}, "scopes": pending["scopes"]}


@bp.post("/consent/<request_id>")
@unmarshal(ConsentDecisionRequest)
@marshal(RedirectResponse)
@login_required
def decide_consent(request_id: str, approve: bool) -> dict:
    """Approve or deny: where the browser goes next (the client's redirect URI with a
    code, or with ``error=access_denied``)."""
    pending = store.take_request(request_id, g.user_id)
    if pending is None:
        raise ApiError(OidcMsg.request_unknown, 404)
    server = authorization_server()
    original = WerkzeugRequest.from_values(query_string=pending["query"], base_url=request.host_url)
    oauth_request = FlaskOAuth2Request(original)  # the stored request, not this one
    user = User(get_user(g.user_id))
    grant = server.get_authorization_grant(oauth_request)
    if approve:
        store.add_consent(g.user_id, pending["client_id"], pending["scopes"])
        events.record(EventType.consent_granted, g.user_id,
                      {"client_id": pending["client_id"], "scopes": pending["scopes"]})
    response = server.create_authorization_response(oauth_request, grant_user=user if approve else None, grant=grant)
    if "Location" not in response.headers:  # the request no longer validates (e.g. the client went)
        raise ApiError(OidcMsg.request_invalid, 400)
    return {"redirect_to": response.headers["Location"]}


@bp.get("/logout/<request_id>")
@unmarshal(EmptyRequest)
@marshal(LogoutRequestResponse)
@login_required
def get_logout(request_id: str) -> dict:
    """The pending RP-initiated logout the SPA's ``/logout`` page asks about."""
    pending = store.find_logout(request_id, g.user_id, session.sid)
    if pending is None:
        raise ApiError(OidcMsg.logout_unknown, 404)
    client = query_client(pending["client_id"]) if pending["client_id"] else None
    return {"client": {"client_id": client.client_id, "name": client.name} if client else None}


@bp.post("/logout/<request_id>")
@unmarshal(LogoutDecisionRequest)
@marshal(RedirectResponse)
@login_required
def answer_logout(request_id: str, confirm: bool) -> dict:
    """Sign out of Tessera (``confirm``) or stay; where the browser goes next."""
    return {"redirect_to": decide_logout(request_id, confirm)}


@bp.get("/consents")
@unmarshal(EmptyRequest)
@marshal(ConsentsResponse)
@login_required
def consents() -> dict:
    """The user's connected apps."""
    return {"consents": connected_apps(g.user_id)}


@bp.post("/consents/revoke")
@unmarshal(RevokeConsentRequest)
@marshal(ConsentsResponse)
@login_required
def revoke_consent(client_id: str) -> dict:
    """Remove a connected app and revoke its tokens; answers the remaining list."""
    if not store.remove_consent(g.user_id, client_id):
        raise ApiError(OidcMsg.consent_unknown, 404)
    store.revoke_client_tokens(g.user_id, client_id)
    events.record(EventType.consent_revoked, g.user_id, {"client_id": client_id})
    return {"consents": connected_apps(g.user_id)}
