"""reset_password's routes: start (mail a code), verify (prove it), new-password."""
from __future__ import annotations

import logging

from flask import Blueprint

from common import events
from common import session as sessions
from common.api import applied_or_pending, marshal, unmarshal
from common.events import EventType
from common.messaging import mail_user
from common.schemas import EmptyRequest, EmptyResponse
from common.throttle import configured, failure_limit, per_client_and_address
from common.users import new_password_credentials, normalize_email, update_user
from services.reset_password import helpers
from services.reset_password.helpers import ResetPasswordMsg
from services.reset_password.schemas import NewPasswordRequest, StartRequest, StateResponse, VerifyRequest

logger = logging.getLogger(__name__)

bp = Blueprint("reset_password", __name__)


@bp.post("/start")
@unmarshal(StartRequest)
@marshal(EmptyResponse)
@per_client_and_address("start_limit_per_client", "start_limit_per_address", "reset")
def start(email: str) -> dict:
    """Always the same 200 answer; a code is mailed if the address belongs to an account."""
    helpers.start(normalize_email(email))
    return {}


@bp.get("/state")
@unmarshal(EmptyRequest)
@marshal(StateResponse)
def state() -> dict:
    """Where this session's reset is, so a reloaded page keeps its step."""
    return helpers.state_of()


@bp.post("/verify")
@unmarshal(VerifyRequest)
@marshal(EmptyResponse)
@failure_limit(configured("verify_limit_per_client"))
def verify(email: str, code: str) -> dict:
    """Prove the address with the mailed code; this session may then set a password."""
    helpers.verify(normalize_email(email), code)
    return {}


@bp.post("/new-password")
@unmarshal(NewPasswordRequest)
@marshal(EmptyResponse)
def new_password(password: str):
    """Set the new password (after verify); every session of the user ends.

    The user is not logged in by this (they log in with the new password), but this
    session's id is still renewed: its privilege changed (OWASP Session Management).
    """
    flow, user = helpers.verified_flow()
    credentials = new_password_credentials(user, password, ResetPasswordMsg.weak_password)
    with helpers.using_permission(flow):
        applied = update_user(user["_id"], {"credentials": credentials})
        ended = sessions.end_user_sessions(user["_id"], keep_current=False)
        sessions.rotate_session_id()
        mail_user(user, "password_reset")
        events.record(EventType.password_reset, user["_id"], {"sessions_ended": ended})
    logger.info("password of %s reset; %s sessions ended", user["_id"], ended)
    return applied_or_pending(applied, {})
