"""Passwordless login with a passkey (a discoverable WebAuthn credential with user
verification): the assertion names its account by the user handle given at
registration (the opaque user id), and must verify with one of that account's passkeys.
"""
from __future__ import annotations

import binascii
import logging
from typing import Any, Mapping

from flask import session
from webauthn import base64url_to_bytes

from common import session as sessions
from common import events, known_devices, webauthn_rp
from common.csrf import get_csrf_token
from common.errors import ApiError
from common.events import EventType
from common.users import get_user
from services.authn.helpers import AuthnMsg, session_payload
from services.authn.second_factors import check_webauthn

logger = logging.getLogger(__name__)


def _user_of(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The account the assertion's user handle names. Raises ApiError 401
    ``authn.invalid_credentials`` (no handle, not UTF-8, no such account) after using up
    the challenge, so a failed attempt cannot be retried with it."""
    handle = (credential.get("response") or {}).get("userHandle")
    try:
        user_id = base64url_to_bytes(handle).decode("utf-8") if handle else None
    except (binascii.Error, ValueError):
        user_id = None
    user = get_user(user_id) if user_id else None
    if user is None:
        try:
            webauthn_rp.take_challenge(webauthn_rp.PASSKEY)
        except webauthn_rp.CeremonyFailed:
            pass
        raise ApiError(AuthnMsg.invalid_credentials, 401)
    return user


def passkey_login(credential: Mapping[str, Any]) -> dict[str, Any]:
    """Log in (or re-authenticate, when this session is logged in as the same user) with
    the passkey assertion ``credential``; return the response payload. Raises ApiError 401
    ``authn.invalid_credentials``."""
    user = _user_of(credential)
    amr = check_webauthn(user, credential, webauthn_rp.PASSKEY, passkeys_only=True)
    if session.get("user_id") == user["_id"]:
        sessions.reauthenticated(amr=amr)
        token = get_csrf_token()
    else:
        token = sessions.login(user["_id"], amr=amr)
        with events.batch():
            events.record(EventType.login, user["_id"], {"amr": amr, "method": "passkey"})
            known_devices.signed_in(user)
    logger.info("user %s logged in with a passkey", user["_id"])
    return {**session_payload(token), "mfa_required": False, "methods": []}
