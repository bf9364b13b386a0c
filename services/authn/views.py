"""authn's routes: login, logout, the session, re-authentication."""
from __future__ import annotations

import logging

from flask import Blueprint, g, session

from common import events, known_devices
from common import session as sessions
from common.api import marshal, unmarshal
from common.authn import login_required
from common.csrf import get_csrf_token
from common.errors import ApiError
from common.events import EventType
from common import webauthn_rp
from common.factors import RECOVERY_CODE, TOTP, WEBAUTHN, mfa_methods
from common.metrics import LOGINS, SECOND_FACTORS, counted_failure
from common.schemas import CsrfTokenResponse, EmptyRequest
from common.throttle import account_or_client, address_key, configured, failure_limit
from common.users import find_user_by_email, require_user
from services.authn import mfa
from services.authn.helpers import check_password, is_failure, record_use, session_payload
from services.authn.passkeys import passkey_login
from services.authn.schemas import (LoginRequest, LoginResponse, ReauthenticateRequest, RecoveryCodeRequest,
                                    SessionResponse, TotpCodeRequest, WebauthnCompleteRequest,
                                    WebauthnOptionsResponse)
from services.authn.second_factors import check_recovery_code, check_totp, check_webauthn

logger = logging.getLogger(__name__)

bp = Blueprint("authn", __name__)


@bp.post("/login")
@unmarshal(LoginRequest)
@marshal(LoginResponse)
@failure_limit(configured("login_failures_per_account"), key_func=address_key("login"), counts=is_failure)
@failure_limit(configured("login_failures_per_client"), counts=is_failure)
def login(email: str, password: str) -> dict:
    """Log in with a verified address and the password; the session id is replaced
    (OWASP Session Management Cheat Sheet: renew the id at login, against fixation).

    An account with a second factor is not logged in by its password: the answer is
    ``mfa_required: true`` with the ``methods``, and the session holds a pending second
    step (``services.authn.mfa``) that an ``/mfa/*`` route completes."""
    user = find_user_by_email(email)
    with counted_failure(LOGINS, ApiError, method="password"), \
            events.recorded_on_failure(EventType.login_failed, user and user["_id"], {"method": "password"}):
        credential = check_password(user, password)
    record_use(user, credential, password)
    methods = mfa_methods(user.get("credentials", []))
    if methods:
        LOGINS.labels(method="password", outcome="mfa_required").inc()
        return mfa.begin(user, methods, purpose=mfa.LOGIN, password_id=credential["credential_id"],
                         throttle_scope="authn.login", throttle_key=address_key("login")())
    token = sessions.login(user["_id"], amr=["pwd"])
    with events.batch():
        events.record(EventType.login, user["_id"], {"amr": ["pwd"], "method": "password"})
        known_devices.signed_in(user)  # a browser new to the account: a mail and an event
    LOGINS.labels(method="password", outcome="success").inc()
    logger.info("user %s logged in", user["_id"])
    return {**session_payload(token), "mfa_required": False, "methods": []}


@bp.post("/mfa/totp")
@unmarshal(TotpCodeRequest)
@marshal(LoginResponse)
@mfa.second_step_limits
def mfa_totp(code: str) -> dict:
    """Complete the pending login (or re-authentication) with a TOTP code: ±1 step, each
    code once (RFC 6238 §5.2); ``amr`` ``["pwd", "otp", "mfa"]``."""
    flow, user = mfa.require_pending(TOTP)
    with counted_failure(SECOND_FACTORS, ApiError, method=TOTP), \
            events.recorded_on_failure(EventType.mfa_failed, flow.data["user_id"], {"method": TOTP}):
        check_totp(user, code)
    return mfa.complete(flow, user, ["pwd", "otp", "mfa"], method=TOTP)


@bp.post("/mfa/recovery-code")
@unmarshal(RecoveryCodeRequest)
@marshal(LoginResponse)
@mfa.second_step_limits
def mfa_recovery_code(code: str) -> dict:
    """Complete the pending login (or re-authentication) with a recovery code, which is
    used up. ``amr`` ``["pwd", "otp", "mfa"]``: a look-up secret is a one-time password
    of the kind RFC 8176 §2 calls ``otp``."""
    flow, user = mfa.require_pending(RECOVERY_CODE)
    with counted_failure(SECOND_FACTORS, ApiError, method=RECOVERY_CODE), \
            events.recorded_on_failure(EventType.mfa_failed, flow.data["user_id"], {"method": RECOVERY_CODE}):
        check_recovery_code(user, code)
    return mfa.complete(flow, user, ["pwd", "otp", "mfa"], method=RECOVERY_CODE)


@bp.post("/mfa/webauthn/begin")
@unmarshal(EmptyRequest)
@marshal(WebauthnOptionsResponse)
def mfa_webauthn_begin() -> dict:
    """Options to complete the pending login (or re-authentication) with one of the
    account's security keys or passkeys; a new single-use challenge in this session."""
    _, user = mfa.require_pending(WEBAUTHN)
    return {"options": webauthn_rp.authentication_options(user.get("credentials", []), webauthn_rp.SECOND_FACTOR,
                                                           user["_id"])}


@bp.post("/mfa/webauthn/complete")
@unmarshal(WebauthnCompleteRequest)
@marshal(LoginResponse)
@mfa.second_step_limits
def mfa_webauthn_complete(credential: dict) -> dict:
    """Complete the pending login (or re-authentication) with an assertion of one of the
    account's keys: 401 ``authn.invalid_credentials`` when it does not verify (a key of
    another account, a replay, a cloned key's sign count). ``amr`` ``["pwd", "hwk", "mfa"]``."""
    flow, user = mfa.require_pending(WEBAUTHN)
    with counted_failure(SECOND_FACTORS, ApiError, method=WEBAUTHN), \
            events.recorded_on_failure(EventType.mfa_failed, flow.data["user_id"], {"method": WEBAUTHN}):
        amr = check_webauthn(user, credential, webauthn_rp.SECOND_FACTOR)
    return mfa.complete(flow, user, ["pwd", *amr, "mfa"], method=WEBAUTHN)


@bp.post("/passkey/begin")
@unmarshal(EmptyRequest)
@marshal(WebauthnOptionsResponse)
def passkey_begin() -> dict:
    """Options for a passwordless login with a discoverable credential (no list of keys,
    ``userVerification: required``); a new single-use challenge in this session."""
    return {"options": webauthn_rp.authentication_options(None, webauthn_rp.PASSKEY, None)}


@bp.post("/passkey/complete")
@unmarshal(WebauthnCompleteRequest)
@marshal(LoginResponse)
@failure_limit(configured("login_failures_per_client"), counts=is_failure, scope=lambda: "authn.login")
def passkey_complete(credential: dict) -> dict:
    """Log in with a passkey alone (new session id), or re-authenticate when this session
    is already logged in as the passkey's user; ``amr`` ``["hwk", "mfa"]``. 401
    ``authn.invalid_credentials`` for an unknown or failing credential (the user handle
    names no account, the credential is not one of its passkeys, no user verification)."""
    with counted_failure(LOGINS, ApiError, method="passkey"):
        payload = passkey_login(credential)
    LOGINS.labels(method="passkey", outcome="success").inc()
    return payload


@bp.post("/logout")
@unmarshal(EmptyRequest)
@marshal(CsrfTokenResponse)
def logout() -> dict:
    """End the session server-side; the caller gets a fresh anonymous session.

    Not login_required: logging out twice (two tabs) must not be an error.
    """
    user_id = session.get("user_id")
    token = sessions.logout()
    if user_id:
        events.record(EventType.logout, user_id)
    return {"csrf_token": token}


@bp.get("/session")
@unmarshal(EmptyRequest)
@marshal(SessionResponse)
def get_session() -> dict:
    """Who this session belongs to, when and how (``amr``) they last proved it, and
    whether a second step is pending — with its ``mfa_methods`` then, so that a page
    reloaded during the second step can show it again."""
    return {**session_payload(), **mfa.pending_state()}


@bp.post("/reauthenticate")
@unmarshal(ReauthenticateRequest)
@marshal(LoginResponse)
@login_required
@failure_limit(configured("login_failures_per_account"), key_func=account_or_client, counts=is_failure)
@failure_limit(configured("login_failures_per_client"), counts=is_failure)
def reauthenticate(password: str) -> dict:
    """Prove the password again for *recent* routes (NIST SP 800-63B §7.2); refreshes
    ``auth_time`` and replaces the session id.

    For an account with a second factor the answer is ``mfa_required: true`` as at
    login; the session stays logged in with its old ``auth_time`` until an ``/mfa/*``
    route completes the step."""
    user = require_user(g.user_id)
    credential = check_password(user, password)
    methods = mfa_methods(user.get("credentials", []))
    if methods:
        return mfa.begin(user, methods, purpose=mfa.REAUTHENTICATE, password_id=credential["credential_id"],
                         throttle_scope="authn.reauthenticate", throttle_key=account_or_client())
    sessions.reauthenticated(amr=["pwd"])
    return {**session_payload(get_csrf_token()), "mfa_required": False, "methods": []}
