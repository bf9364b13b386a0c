"""Second factors of the logged-in user: TOTP enrolment, WebAuthn registration (security
keys and passkeys), removal of a factor and recovery codes.

A TOTP enrolment is a flow (``common.flows``) bound to the session: ``/totp/begin`` makes
a secret and keeps it — encrypted, like a stored one — in the flow's record only;
``/totp/complete`` stores the credential once a code of that secret matches, moving the
flow ``begun`` → ``done`` by compare-and-set so that parallel completions store one
credential. Every change of the factors is written through the AM (``update_user``)
under the user's lock (``helpers.one_at_a_time``) and mailed to the user.
"""
from __future__ import annotations

import logging
from enum import Enum
from typing import Any, Mapping

from flask import current_app, g, session

from common import events, factors, flows, totp, webauthn_rp
from common.db import central_db
from common.errors import ApiError
from common.events import EventType
from common.flows import Flow
from common.messaging import mail_user
from common.passwords import hash_password
from common.users import now, primary_email, require_user, update_user
from services.security.helpers import SecurityMsg, one_at_a_time

logger = logging.getLogger(__name__)

#: seconds an enrolment may take from the QR code to the first code
ENROLMENT_LIFETIME = 600
SESSION_KEY = "totp_enrolment"


class EnrolmentState(str, Enum):
    """Where a TOTP enrolment is."""

    begun = "begun"  # a secret was shown; nothing stored as a credential
    done = "done"    # the credential was stored


class TotpEnrolment(Flow, kind="totp_enrolment", transitions={EnrolmentState.begun: {EnrolmentState.done},
                                                               EnrolmentState.done: set()}):
    """``data``: ``user_id``, ``secret_enc`` (the new secret, encrypted)."""


def begin_totp(user: Mapping[str, Any]) -> dict[str, Any]:
    """Start a TOTP enrolment in this session (a new secret; an earlier unfinished one of
    the session is dropped). Returns ``{secret, otpauth_uri, qr_svg}``. Raises ApiError
    409 ``security.totp_exists`` when the account has a TOTP credential already."""
    if factors.of_type(user.get("credentials", []), factors.TOTP):
        raise ApiError(SecurityMsg.totp_exists, 409)
    secret = totp.new_secret()
    flow = TotpEnrolment.new(EnrolmentState.begun, lifetime=ENROLMENT_LIFETIME, user_id=user["_id"],
                             secret_enc=totp.encrypt_secret(secret))
    flows.save_new(flow)
    flows.delete(TotpEnrolment, session.get(SESSION_KEY))
    session[SESSION_KEY] = flow.id
    uri = totp.provisioning_uri(secret, primary_email(user) or user["_id"],
                                current_app.config["TESSERA"]["totp_issuer"])
    return {"secret": secret, "otpauth_uri": uri, "qr_svg": totp.qr_svg(uri)}


def complete_totp(code: str) -> tuple[bool, list[dict[str, Any]]]:
    """Store the TOTP credential of this session's enrolment when ``code`` is a code of its
    secret (±1 step); the code is used (not accepted again at login). Mails ``mfa_added``.
    Returns (applied centrally, the new credentials).

    Raises ApiError 400 ``security.totp_not_begun`` (no enrolment, expired, done, of
    another user, or encrypted with a key no longer configured), 400
    ``security.totp_code_invalid``, 409 ``security.totp_exists``, 409 ``security.in_progress``.
    """
    try:
        flow = flows.load(TotpEnrolment, session.get(SESSION_KEY))
    except flows.FlowNotFound:
        flow = None
    if flow is None or flow.state is not EnrolmentState.begun or flow.data["user_id"] != g.user_id:
        raise ApiError(SecurityMsg.totp_not_begun, 400)
    try:
        secret = totp.decrypt_secret(flow.data["secret_enc"])
    except totp.SecretUnreadable:  # the key was rotated away during the enrolment
        raise ApiError(SecurityMsg.totp_not_begun, 400) from None
    step = totp.matching_step(secret, code)
    if step is None:
        raise ApiError(SecurityMsg.totp_code_invalid, 400, errors={"code": [SecurityMsg.totp_code_invalid]})
    with one_at_a_time(g.user_id):
        user = require_user(g.user_id)
        if factors.of_type(user.get("credentials", []), factors.TOTP):
            raise ApiError(SecurityMsg.totp_exists, 409)
        try:
            flows.transition(TotpEnrolment, flow.id, EnrolmentState.begun, EnrolmentState.done)
        except flows.FlowError:
            raise ApiError(SecurityMsg.totp_not_begun, 400) from None
        credential = {"credential_id": factors.new_credential_id(), "type": factors.TOTP,
                      "secret_enc": flow.data["secret_enc"], "created": now(), "last_used": None}
        totp.claim_step(credential["credential_id"], step)  # the enrolment code is not a login code
        credentials = [dict(c) for c in user.get("credentials", [])] + [credential]
        applied = update_user(g.user_id, {"credentials": credentials})
        mail_user(user, "mfa_added", {"factor": "totp"})
        events.record(EventType.credential_added, g.user_id, event_details(credential))
    session.pop(SESSION_KEY, None)
    logger.info("TOTP credential %s added for %s", credential["credential_id"], g.user_id)
    return applied, credentials


def register_begin(user: Mapping[str, Any], passkey: bool) -> dict[str, Any]:
    """``{options}``: ``PublicKeyCredentialCreationOptions`` for a new security key (or a
    passkey, ``passkey``) of ``user``, with a new single-use challenge in this session."""
    return {"options": webauthn_rp.registration_options(user, primary_email(user) or user["_id"], passkey=passkey)}


def register_complete(credential: Mapping[str, Any], name: str) -> tuple[bool, list[dict[str, Any]]]:
    """Verify the registration response ``credential`` against this session's challenge and
    store the key as ``name``; mails ``mfa_added``. Returns (applied centrally, the new
    credentials).

    Raises ApiError 400 ``security.webauthn_invalid`` (no or a used challenge, one of
    another user, a response that does not verify), 409 ``security.webauthn_exists``
    (the credential is registered already, to this account or another), 409
    ``security.in_progress``.
    """
    try:
        challenge = webauthn_rp.take_challenge(webauthn_rp.REGISTER)
        if challenge.data["user_id"] != g.user_id:
            raise webauthn_rp.CeremonyFailed("challenge of another user")
        stored = webauthn_rp.verify_registration(credential, challenge)
    except webauthn_rp.CeremonyFailed as exc:
        logger.info("WebAuthn registration of %s refused: %s", g.user_id, exc)
        raise ApiError(SecurityMsg.webauthn_invalid, 400) from None
    with one_at_a_time(g.user_id):
        if central_db().users.find_one({"credentials.webauthn_id": stored["webauthn_id"]}, {"_id": 1}):
            raise ApiError(SecurityMsg.webauthn_exists, 409)
        user = require_user(g.user_id)
        new = {"credential_id": factors.new_credential_id(), "name": name, "created": now(), "last_used": None,
               **stored}
        credentials = [dict(c) for c in user.get("credentials", [])] + [new]
        applied = update_user(g.user_id, {"credentials": credentials})
        mail_user(user, "mfa_added", {"factor": factor_name(new)})
        events.record(EventType.credential_added, g.user_id, event_details(new))
    logger.info("WebAuthn credential %s (passkey: %s) added for %s", new["credential_id"], new["passkey"], g.user_id)
    return applied, credentials


def factor_name(credential: Mapping[str, Any]) -> str:
    """The ``factor`` of the notification mails: ``totp``, ``passkey`` or ``security_key``."""
    if credential.get("type") == factors.TOTP:
        return "totp"
    return "passkey" if credential.get("passkey") else "security_key"


def event_details(credential: Mapping[str, Any]) -> dict[str, Any]:
    """A second factor as its security events describe it: ``type`` (``totp``,
    ``webauthn``), and for WebAuthn ``passkey`` and ``name`` — never its secret or key."""
    if credential.get("type") != factors.WEBAUTHN:
        return {"type": credential.get("type")}
    return {"type": factors.WEBAUTHN, "passkey": bool(credential.get("passkey")), "name": credential.get("name")}


def remove_factor(credential_id: str) -> tuple[bool, list[dict[str, Any]]]:
    """Remove the second factor ``credential_id`` (and the recovery codes with the last
    one); mails ``mfa_removed``. Returns (applied centrally, the new credentials).

    Raises ApiError 404 ``security.credential_not_found`` for an id that is not one of the
    user's second factors (the password is never removed), 409 ``security.in_progress``.
    """
    with one_at_a_time(g.user_id):
        user = require_user(g.user_id)
        credentials = user.get("credentials", [])
        kept = factors.without_factor(credentials, credential_id)
        if kept is None:
            raise ApiError(SecurityMsg.credential_not_found, 404)
        removed = next(c for c in credentials if c.get("credential_id") == credential_id)
        applied = update_user(g.user_id, {"credentials": kept})
        last = not factors.second_factors(kept)
        mail_user(user, "mfa_removed", {"factor": factor_name(removed), "last": last})
        events.record(EventType.credential_removed, g.user_id, {**event_details(removed), "last": last})
    logger.info("second factor %s of %s removed (last: %s)", credential_id, g.user_id, last)
    return applied, kept


def new_recovery_codes() -> tuple[bool, list[str], list[dict[str, Any]]]:
    """Replace the user's recovery codes by ``RECOVERY_CODE_COUNT`` new ones, hashed with
    argon2id (ASVS 6.5.2); mails ``recovery_codes_generated``. Returns (applied centrally,
    the codes in clear — shown this once, the new credentials).

    Raises ApiError 400 ``security.no_second_factor`` when the account has no second
    factor (codes would back up nothing), 409 ``security.in_progress``.
    """
    codes = factors.new_recovery_codes()
    argon2 = current_app.config["TESSERA"]["argon2"]
    hashes = [hash_password(factors.normalize_recovery_code(code), argon2) for code in codes]
    with one_at_a_time(g.user_id):
        user = require_user(g.user_id)
        if not factors.second_factors(user.get("credentials", [])):
            raise ApiError(SecurityMsg.no_second_factor, 400)
        credentials = factors.with_recovery_codes(user.get("credentials", []),
                                                  factors.recovery_code_credentials(hashes, now()))
        applied = update_user(g.user_id, {"credentials": credentials})
        mail_user(user, "recovery_codes_generated")
        events.record(EventType.recovery_codes_generated, g.user_id, {"count": len(codes)})
    logger.info("new recovery codes for %s", g.user_id)
    return applied, codes, credentials

