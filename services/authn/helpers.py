"""authn's logic: checking a password, recording its use, the throttling keys."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from enum import unique
from typing import Any, Mapping

import pika.exceptions
from flask import Response, current_app, session

from common.domain import VersionConflict
from common.errors import ApiError
from common.messages import TranslatableMsg
from common.passwords import hash_password, needs_rehash, verify_password
from common.users import now, save_private, sync_to_central

logger = logging.getLogger(__name__)


@unique
class AuthnMsg(TranslatableMsg):
    """authn's message keys."""

    #: one answer for an unknown address and a wrong password alike (no enumeration)
    invalid_credentials = "authn.invalid_credentials"
    #: a wrong (or replayed, or out-of-window) second-step code
    invalid_code = "authn.invalid_code"
    #: an /mfa/ route without a pending second step (none, expired or completed)
    mfa_not_pending = "authn.mfa_not_pending"
    #: an /mfa/ route for a kind of factor the account does not have
    mfa_method_unavailable = "authn.mfa_method_unavailable"


def password_credential(user: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The user's password credential ``{credential_id, type, hash, created, last_used}``, or None."""
    if user is None:
        return None
    return next((dict(c) for c in user.get("credentials", []) if c.get("type") == "password"), None)


def check_password(user: Mapping[str, Any] | None, password: str) -> dict[str, Any]:
    """Verify ``password`` against ``user``'s password credential and return the credential.

    ``user`` may be None (no account has the address): a dummy hash is verified then,
    so both failures cost the same argon2 work (OWASP Authentication Cheat Sheet,
    "Authentication and Error Messages"). Raises ApiError 401
    ``authn.invalid_credentials`` on any failure, with the same body whatever the cause.
    """
    credential = password_credential(user)
    argon2 = current_app.config["TESSERA"]["argon2"]
    if not verify_password(credential["hash"] if credential else None, password, argon2):
        raise ApiError(AuthnMsg.invalid_credentials, 401)
    return credential


def record_use(user: Mapping[str, Any], credential: Mapping[str, Any], password: str | None = None, *,
               sign_count: int | None = None) -> None:
    """Set the credential's ``last_used`` (and, given the ``password``, re-hash it when the
    argon2 cost changed, OWASP Password Storage Cheat Sheet, "Upgrading legacy hashes";
    given a WebAuthn ``sign_count``, store it) in authn's private copy, and ask the AM to
    copy ``credentials`` without waiting for it (the AM takes only these fields from authn).

    Bookkeeping must never cost the user the login: a concurrent login that wrote the
    private copy first (409) or a broker that is down is logged and skipped.
    """
    argon2 = current_app.config["TESSERA"]["argon2"]
    credentials = [dict(c) for c in user.get("credentials", [])]
    for entry in credentials:
        if entry.get("credential_id") == credential.get("credential_id"):
            entry["last_used"] = now()
            if sign_count is not None:
                entry["sign_count"] = sign_count
            if password is not None and needs_rehash(entry["hash"], argon2):
                entry["hash"] = hash_password(password, argon2)
                logger.info("re-hashed the password of %s with the configured argon2 cost", user["_id"])
    try:
        version = save_private(user["_id"], {"credentials": credentials})
        sync_to_central(user["_id"], ["credentials"], version, wait=False)
    except VersionConflict:
        logger.info("credential use of %s not recorded: a concurrent change came first", user["_id"])
    except pika.exceptions.AMQPError as exc:
        logger.warning("credential use of %s not sent to the AM: %s", user["_id"], exc)


def session_payload(csrf_token: str | None = None) -> dict[str, Any]:
    """``{logged_in, user_id, auth_time, amr}`` of the current session (``auth_time`` a
    UTC datetime, ``amr`` the RFC 8176 method references of the last login or
    re-authentication; None when not logged in), plus ``csrf_token`` when given."""
    user_id = session.get("user_id")
    auth_time = session.get("auth_time")
    payload: dict[str, Any] = {
        "logged_in": bool(user_id),
        "user_id": user_id or None,
        "auth_time": datetime.fromtimestamp(auth_time, timezone.utc) if user_id and auth_time else None,
        # a session from before amr was kept proved the password only
        "amr": list(session.get("amr") or ["pwd"]) if user_id else None,
    }
    if csrf_token is not None:
        payload["csrf_token"] = csrf_token
    return payload


# -- throttling (common.throttle.failure_limit); the limit strings come from the config ---

def is_failure(response: Response) -> bool:
    """``counts`` of the login limits: only a rejected password or second-step code uses
    up the allowance (not a 401 ``authn.required`` of a logged-out re-authentication,
    nor a 400)."""
    if response.status_code != 401:
        return False
    body = response.get_json(silent=True) or {}
    return body.get("payload", {}).get("message") in (AuthnMsg.invalid_credentials, AuthnMsg.invalid_code)
