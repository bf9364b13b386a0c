"""signup's routes: register → verify (code by mail) → password (account created, logged in).

Every answer of ``/register`` is the same whether or not the address is taken (see
``helpers``). Throttling: per client address (``common.throttle.client_address``), per
e-mail address across sessions (``common.throttle.address_key``) and by the code's own resend
and attempt rules (``common.codes``).
"""
from __future__ import annotations

from flask import Blueprint

from common.api import applied_or_pending, marshal, unmarshal
from common.authn import current_user_id
from common.schemas import EmptyRequest
from common.throttle import configured, failure_limit, limiter, per_client_and_address
from services.signup import helpers
from services.signup.schemas import (AccountResponse, PasswordRequest, RegisterRequest, StateResponse,
                                     VerifyRequest)

bp = Blueprint("signup", __name__)


@bp.post("/register")
@unmarshal(RegisterRequest)
@marshal(StateResponse)
@per_client_and_address("register_limit", "register_limit_per_address", "signup")
def register(email: str, given_name: str, surname: str, tou_accepted: bool, language: str | None) -> dict:
    """Start a flow and mail a code (or, for a taken address, the "already registered" mail)."""
    flow = helpers.start_flow(email, given_name, surname, helpers.choose_language(language))
    return helpers.step_of(flow)


@bp.post("/verify")
@unmarshal(VerifyRequest)
@marshal(StateResponse)
@failure_limit(configured("verify_limit"))
def verify(email: str, code: str) -> dict:
    """Prove the flow's address with the mailed code."""
    flow = helpers.verify(helpers.require_flow(), email, code)
    return helpers.step_of(flow)


@bp.post("/password")
@unmarshal(PasswordRequest)
@marshal(AccountResponse)
def password(password: str):
    """Create the account of a verified flow, log it in and mail a welcome."""
    user_id, applied, csrf_token = helpers.sign_up(password)
    return applied_or_pending(applied, {"csrf_token": csrf_token, "user_id": user_id})


@bp.post("/resend-code")
@unmarshal(EmptyRequest)
@marshal(StateResponse)
@limiter.limit(configured("resend_limit"))
def resend_code() -> dict:
    """Mail a new code for this session's unverified flow (the code's resend rules apply)."""
    flow = helpers.require_flow(verified=False)
    helpers.send_code(flow)
    return helpers.step_of(flow)


@bp.get("/state")
@unmarshal(EmptyRequest)
@marshal(StateResponse)
def state() -> dict:
    """Where this session is: register, verify, password or done."""
    flow = helpers.get_flow()
    if flow is None and current_user_id():
        return {"step": "done"}
    return helpers.step_of(flow)
