"""reset_password's message keys and logic: the reset flow (``services.reset_password.flow``).

The session holds only the flow's id (``session["reset_flow"]``); the flow is its own
Redis record, changed only through ``common.flows`` (compare-and-set). ``/verify`` moves
it to ``new_password`` — the permission to set a password, valid for the code's ``ttl``;
``/new-password`` moves it to ``done``, which exactly one request can do, so the
permission is single use even when requests of one session run at the same moment on
several gunicorn workers. Setting the password also holds the user's lock
(``common.locks``), so it never runs alongside a password change or a deletion.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from enum import unique
from typing import Any, Iterator

from flask import current_app, session

from common import flows, locks
from common.codes import issue_code, verify_code, wait_before_resend
from common.errors import ApiError
from common.messages import TranslatableMsg
from common.messaging import queue_mail
from common.proofing import log_proofing
from common.users import find_user_by_email, get_user
from services.reset_password.flow import ResetFlow, ResetState

logger = logging.getLogger(__name__)

PURPOSE = "reset"
SESSION_KEY = "reset_flow"


@unique
class ResetPasswordMsg(TranslatableMsg):
    """Message keys of the reset-password service, the code keys (``common.codes.CodeMsgs``) included."""

    not_verified = "reset_password.not_verified"
    weak_password = "reset_password.weak_password"
    code_invalid = "reset_password.code_invalid"
    code_expired = "reset_password.code_expired"
    code_locked = "reset_password.code_locked"
    code_throttled = "reset_password.code_throttled"
    in_progress = "reset_password.in_progress"


def _code_ttl() -> int:
    return current_app.config["TESSERA"]["verification_code"]["ttl"]


def start(address: str) -> None:
    """Mail a reset code to ``address`` if it is a verified address of an account.

    No enumeration (OWASP Forgot Password Cheat Sheet): a code record is issued either
    way, so the work, the throttling (429 ``reset_password.code_throttled``) and the
    answer are the same; only the mail is left out for an unknown address.
    A new start in the same session keeps the flow (the code's resend rules apply to
    it) and drops any permission a previous verify gave. The flow is stored before the
    code is issued.
    """
    try:
        flow = flows.transition(ResetFlow, session.get(SESSION_KEY), tuple(ResetState), ResetState.verify,
                                lifetime=_code_ttl(), user_id=None, email=address)
    except flows.FlowError:  # none, expired, or changing right now: a new flow
        flow = ResetFlow.new(ResetState.verify, lifetime=_code_ttl(), email=address)
        flows.save_new(flow)
        session[SESSION_KEY] = flow.id
    user = find_user_by_email(address)
    code = issue_code(PURPOSE, flow.id, address, msgs=ResetPasswordMsg)
    if user is None:
        logger.info("reset requested for an address of no account; no mail")
        return
    config = current_app.config["TESSERA"]
    queue_mail("reset_code", address, user.get("language") or config["default_language"],
               {"code": code, "ttl_minutes": _code_ttl() // 60})


def state_of() -> dict[str, Any]:
    """Where this session's reset is, for a page that was reloaded: ``{step}`` — ``start``
    (none, or expired), ``verify`` (a code was issued; with ``email``, the address the user
    typed, and ``resend_in``, seconds until ``/start`` may issue a new one), ``new_password``
    (with ``email``) or ``done``. Says nothing about whether the address is an account's."""
    try:
        flow = flows.load(ResetFlow, session.get(SESSION_KEY))
    except flows.FlowNotFound:
        return {"step": "start"}
    answer: dict[str, Any] = {"step": flow.state.value}
    email = flow.data.get("email")
    if flow.state is not ResetState.done and isinstance(email, str):
        answer["email"] = email
        if flow.state is ResetState.verify:
            answer["resend_in"] = wait_before_resend(PURPOSE, flow.id, email)
    return answer


def verify(address: str, code: str) -> None:
    """Prove ``address`` with ``code``: this session may then set the password of its
    account for the code's ``ttl`` seconds. The proof goes to the proofing log.

    Raises the ApiErrors of ``common.codes.verify_code`` (code_invalid, code_expired,
    code_locked); ``reset_password.code_expired`` as well when this session started no
    reset, the address no longer belongs to an account, or the flow was restarted
    meanwhile.
    """
    try:
        flow = flows.load(ResetFlow, session.get(SESSION_KEY))
    except flows.FlowNotFound:
        raise ApiError(ResetPasswordMsg.code_expired, 400) from None
    verify_code(PURPOSE, flow.id, address, code, msgs=ResetPasswordMsg)
    user = find_user_by_email(address)
    if user is None:
        raise ApiError(ResetPasswordMsg.code_expired, 400)
    log_proofing(user["_id"], "password_reset", address, "code_by_mail")
    try:
        flows.transition(ResetFlow, flow.id, ResetState.verify, ResetState.new_password,
                         lifetime=_code_ttl(), user_id=user["_id"])
    except flows.FlowError:
        raise ApiError(ResetPasswordMsg.code_expired, 400) from None


def verified_flow() -> tuple[ResetFlow, dict[str, Any]]:
    """This session's flow that may set a password, and the central document of its user.

    Raises ApiError 400 ``reset_password.not_verified`` when there was no verify, it has
    expired or was used, or the account is gone.
    """
    try:
        flow = flows.load(ResetFlow, session.get(SESSION_KEY))
    except flows.FlowNotFound:
        raise ApiError(ResetPasswordMsg.not_verified, 400) from None
    user = get_user(flow.data["user_id"]) if flow.state is ResetState.new_password else None
    if user is None:
        raise ApiError(ResetPasswordMsg.not_verified, 400)
    return flow, user


@contextmanager
def using_permission(flow: ResetFlow) -> Iterator[None]:
    """Hold the user's lock and use up the permission of ``flow``, once: of parallel
    requests exactly one gets into the block.

    Enter it after every check that keeps the permission (a weak password does) and
    set the password inside. Raises ApiError 400 ``reset_password.not_verified`` when
    another request used it first or it expired; 409 ``reset_password.in_progress`` while
    another request changes this user's password or deletes the account; redis errors
    (→ 503) when Redis is down.
    """
    try:
        with locks.exclusive(f"user:{flow.data['user_id']}"):
            try:
                # the used-up flow no longer names the user (nothing of a deleted account stays)
                flows.transition(ResetFlow, flow.id, ResetState.new_password, ResetState.done, user_id=None)
            except flows.FlowError:
                raise ApiError(ResetPasswordMsg.not_verified, 400) from None
            yield
    except locks.LockBusy:
        raise ApiError(ResetPasswordMsg.in_progress, 409) from None
