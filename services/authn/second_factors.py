"""Checking a second step against the account's factors: TOTP, recovery codes and
WebAuthn assertions (security keys or passkeys).

The code checks raise ApiError 401 ``authn.invalid_code`` for any code that does not log
in — wrong, replayed, outside the time window or used up alike — and the WebAuthn checks
401 ``authn.invalid_credentials`` for any assertion that does not verify; the login's
failure limits count both (``helpers.is_failure``).
"""
from __future__ import annotations

import logging
from typing import Any, Mapping

import pika.exceptions
from flask import current_app

from common import factors, totp, webauthn_rp
from common.domain import VersionConflict
from common.errors import ApiError
from common.passwords import verify_password
from common.redis_store import redis_client
from common.users import now, save_private, sync_to_central
from services.authn.helpers import AuthnMsg, record_use

logger = logging.getLogger(__name__)

#: A recovery code is claimed in Redis (SET NX) before its use reaches the central user
#: through the AM; the claim must outlive the AM's slowest apply (a queued sync while the
#: AM is down), so it is kept a week.
USED_CODE_TTL = 7 * 24 * 3600
USED_CODE_PREFIX = "tessera:recovery-code-used:"
#: optimistic-lock retries when a parallel login of the same user writes authn's copy
WRITE_ATTEMPTS = 3


def check_totp(user: Mapping[str, Any], code: str) -> dict[str, Any]:
    """The user's TOTP credential when ``code`` is its code within ±1 step of now and no
    later or equal step was accepted before (``common.totp.claim_step``); records its
    use. Raises ApiError 401 ``authn.invalid_code``."""
    for credential in factors.of_type(user.get("credentials", []), factors.TOTP):
        try:
            secret = totp.decrypt_secret(credential["secret_enc"])
        except totp.SecretUnreadable:
            # an operator removed the key this secret was encrypted with: the factor cannot
            # be checked, the user must use a recovery code (the log says why)
            logger.error("TOTP secret of credential %s cannot be decrypted with the configured keys",
                         credential["credential_id"])
            continue
        step = totp.matching_step(secret, code)
        if step is not None and totp.claim_step(credential["credential_id"], step):
            record_use(user, credential)
            return credential
    raise ApiError(AuthnMsg.invalid_code, 401)


def check_recovery_code(user: Mapping[str, Any], code: str) -> dict[str, Any]:
    """The unused recovery code of the user that ``code`` is, used up now — exactly once
    even under parallel requests (a Redis SET NX claim, then ``last_used`` written through
    the AM). Raises ApiError 401 ``authn.invalid_code``; ``VersionConflict`` when authn's
    copy keeps changing (409)."""
    normalized = factors.normalize_recovery_code(code)
    if normalized is not None:
        argon2 = current_app.config["TESSERA"]["argon2"]
        for credential in factors.unused_recovery_codes(user.get("credentials", [])):
            if verify_password(credential["hash"], normalized, argon2):
                if not redis_client().set(USED_CODE_PREFIX + credential["credential_id"], "1",
                                          nx=True, ex=USED_CODE_TTL):
                    break  # a parallel request used it first
                _record_used(user, credential["credential_id"])
                return credential
    raise ApiError(AuthnMsg.invalid_code, 401)


def _record_used(user: Mapping[str, Any], credential_id: str) -> None:
    """Write ``last_used`` of the code into authn's copy and ask the AM to apply it (not
    waiting: the Redis claim already refuses the code again). Retries a lost optimistic
    lock; a broker that is down is logged (the claim holds for ``USED_CODE_TTL``)."""
    credentials = [dict(c) for c in user.get("credentials", [])]
    for entry in credentials:
        if entry.get("credential_id") == credential_id:
            entry["last_used"] = now()
    for attempt in range(WRITE_ATTEMPTS):
        try:
            version = save_private(user["_id"], {"credentials": credentials})
            break
        except VersionConflict:
            if attempt == WRITE_ATTEMPTS - 1:
                raise
    try:
        sync_to_central(user["_id"], ["credentials"], version, wait=False)
    except pika.exceptions.AMQPError as exc:
        logger.warning("use of recovery code %s of %s not sent to the AM: %s", credential_id, user["_id"], exc)


def check_webauthn(user: Mapping[str, Any], credential: Mapping[str, Any], ceremony: str, *,
                   passkeys_only: bool = False) -> list[str]:
    """Verify the assertion ``credential`` (``AuthenticationResponseJSON``) made for this
    session's challenge of ``ceremony`` with one of ``user``'s WebAuthn credentials (only
    its passkeys, and with user verification, when ``passkeys_only``); record its use and
    new sign count. Returns the ``amr`` it proves: ``["hwk", "mfa"]`` for a passkey with
    user verification (possession plus the authenticator's PIN or biometric), ``["hwk"]``
    for a security key alone.

    Raises ApiError 401 ``authn.invalid_credentials`` for any failure: no or a used
    challenge, a challenge issued for another user, a key of another account, a bad
    signature, origin or RP id, a sign count that did not go up (a cloned key)."""
    try:
        challenge = webauthn_rp.take_challenge(ceremony)
        if challenge.data["user_id"] not in (None, user["_id"]):
            raise webauthn_rp.CeremonyFailed("challenge of another user")
        candidates = [c for c in factors.of_type(user.get("credentials", []), factors.WEBAUTHN)
                      if c.get("passkey") or not passkeys_only]
        assertion = webauthn_rp.verify_assertion(credential, challenge, candidates,
                                                 require_user_verification=passkeys_only)
    except webauthn_rp.CeremonyFailed as exc:
        logger.info("WebAuthn assertion for %s refused: %s", user["_id"], exc)
        raise ApiError(AuthnMsg.invalid_credentials, 401) from None
    record_use(user, assertion.credential, sign_count=assertion.sign_count)
    return ["hwk", "mfa"] if passkeys_only else ["hwk"]
