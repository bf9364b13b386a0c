"""authn's routes: login, logout, the session, re-authentication."""
from __future__ import annotations

import logging

from flask import Blueprint, g

from common import session as sessions
from common.api import marshal, unmarshal
from common.authn import login_required
from common.csrf import get_csrf_token
from common.schemas import CsrfTokenResponse, EmptyRequest
from common.throttle import account_or_client, address_key, configured, failure_limit
from common.users import find_user_by_email, require_user
from services.authn.helpers import check_password, is_failure, record_use, session_payload
from services.authn.schemas import LoginRequest, LoginResponse, ReauthenticateRequest, SessionResponse

logger = logging.getLogger(__name__)

bp = Blueprint("authn", __name__)


@bp.post("/login")
@unmarshal(LoginRequest)
@marshal(LoginResponse)
@failure_limit(configured("login_failures_per_account"), key_func=address_key("login"), counts=is_failure)
@failure_limit(configured("login_failures_per_client"), counts=is_failure)
def login(email: str, password: str) -> dict:
    """Log in with a verified address and the password; the session id is replaced
    (OWASP Session Management Cheat Sheet: renew the id at login, against fixation)."""
    user = find_user_by_email(email)
    credential = check_password(user, password)
    record_use(user, credential, password)
    token = sessions.login(user["_id"])
    logger.info("user %s logged in", user["_id"])
    return session_payload(token)


@bp.post("/logout")
@unmarshal(EmptyRequest)
@marshal(CsrfTokenResponse)
def logout() -> dict:
    """End the session server-side; the caller gets a fresh anonymous session.

    Not login_required: logging out twice (two tabs) must not be an error.
    """
    return {"csrf_token": sessions.logout()}


@bp.get("/session")
@unmarshal(EmptyRequest)
@marshal(SessionResponse)
def get_session() -> dict:
    """Who this session belongs to and when the password was last proved."""
    return session_payload()


@bp.post("/reauthenticate")
@unmarshal(ReauthenticateRequest)
@marshal(LoginResponse)
@login_required
@failure_limit(configured("login_failures_per_account"), key_func=account_or_client, counts=is_failure)
@failure_limit(configured("login_failures_per_client"), counts=is_failure)
def reauthenticate(password: str) -> dict:
    """Prove the password again for *recent* routes (NIST SP 800-63B §7.2); refreshes
    ``auth_time`` and replaces the session id."""
    user = require_user(g.user_id)
    check_password(user, password)
    sessions.reauthenticated()
    return session_payload(get_csrf_token())
