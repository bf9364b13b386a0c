"""reset_password's message keys and the reset flow kept in the session.

The flow lives in ``session["reset"]``: ``{"flow_id"}`` after ``/start`` (the owner of
the code), then ``{"flow_id", "user_id", "verified_until"}`` (epoch seconds) after
``/verify``. Nothing in it says whether the address belongs to an account until the
mailed code has been proven.

The permission ``/verify`` gives is single use. Two requests of one session may run at
the same moment (on two gunicorn workers or instances), each with its own copy of the
session, so the session cannot be what makes it single use: ``/verify`` also stores a
permission key in Redis, and ``/new-password`` deletes it — Redis's DEL is atomic, so
exactly one request finds the key there.
"""
from __future__ import annotations

import logging
import secrets
import time
from enum import unique
from typing import Any

from flask import current_app, session

from common.codes import issue_code, verify_code
from common.errors import ApiError
from common.messages import TranslatableMsg
from common.messaging import queue_mail
from common.proofing import log_proofing
from common.redis_store import redis_client
from common.users import find_user_by_email, get_user

logger = logging.getLogger(__name__)

PURPOSE = "reset"
FLOW_KEY = "reset"


@unique
class ResetPasswordMsg(TranslatableMsg):
    """Message keys of the reset-password service, the code keys (``common.codes.CodeMsgs``) included."""

    not_verified = "reset_password.not_verified"
    weak_password = "reset_password.weak_password"
    code_invalid = "reset_password.code_invalid"
    code_expired = "reset_password.code_expired"
    code_locked = "reset_password.code_locked"
    code_throttled = "reset_password.code_throttled"


def start(address: str) -> None:
    """Mail a reset code to ``address`` if it is a verified address of an account.

    No enumeration (OWASP Forgot Password Cheat Sheet): a code record is issued either
    way, so the work, the throttling (429 ``reset_password.code_throttled``) and the
    answer are the same; only the mail is left out for an unknown address.
    A new start drops any permission a previous verify gave this session.
    """
    flow_id = (session.get(FLOW_KEY) or {}).get("flow_id") or secrets.token_hex(16)
    session[FLOW_KEY] = {"flow_id": flow_id}
    user = find_user_by_email(address)
    code = issue_code(PURPOSE, flow_id, address, msgs=ResetPasswordMsg)
    if user is None:
        logger.info("reset requested for an address of no account; no mail")
        return
    config = current_app.config["TESSERA"]
    queue_mail("reset_code", address, user.get("language") or config["default_language"],
               {"code": code, "ttl_minutes": config["verification_code"]["ttl"] // 60})


def verify(address: str, code: str) -> None:
    """Prove ``address`` with ``code``: this session may then set the password of its
    account for the code's ``ttl`` seconds. The proof goes to the proofing log.

    Raises the ApiErrors of ``common.codes.verify_code`` (code_invalid, code_expired,
    code_locked); ``reset_password.code_expired`` as well when this session started no
    reset or the address no longer belongs to an account.
    """
    flow_id = (session.get(FLOW_KEY) or {}).get("flow_id")
    if not flow_id:
        raise ApiError(ResetPasswordMsg.code_expired, 400)
    verify_code(PURPOSE, flow_id, address, code, msgs=ResetPasswordMsg)
    user = find_user_by_email(address)
    if user is None:
        raise ApiError(ResetPasswordMsg.code_expired, 400)
    log_proofing(user["_id"], "password_reset", address, "code_by_mail")
    ttl = current_app.config["TESSERA"]["verification_code"]["ttl"]
    redis_client().set(_permission_key(flow_id), 1, ex=ttl)
    session[FLOW_KEY] = {"flow_id": flow_id, "user_id": user["_id"], "verified_until": int(time.time()) + ttl}


def _permission_key(flow_id: str) -> str:
    return f"reset_password:permission:{flow_id}"


def verified_user() -> dict[str, Any]:
    """The central document of the user this session proved an address of.

    Raises ApiError 400 ``reset_password.not_verified`` when there was no verify, it has
    expired, or the account is gone.
    """
    flow = session.get(FLOW_KEY) or {}
    user_id = flow.get("user_id")
    user = get_user(user_id) if user_id and flow.get("verified_until", 0) > time.time() else None
    if user is None:
        raise ApiError(ResetPasswordMsg.not_verified, 400)
    return user


def use_permission() -> None:
    """Use up the permission ``verify`` gave, once: the first request to get here wins.

    Call it after every check that keeps the permission (a weak password does) and
    before the password changes. The flow is forgotten either way.
    Raises ApiError 400 ``reset_password.not_verified`` when another request used it
    first or it expired; redis errors (→ 503) when Redis is down.
    """
    flow = session.pop(FLOW_KEY, None) or {}
    if not flow.get("flow_id") or redis_client().delete(_permission_key(flow["flow_id"])) != 1:
        raise ApiError(ResetPasswordMsg.not_verified, 400)
