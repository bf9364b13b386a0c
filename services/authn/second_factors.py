"""Checking a second-step code against the account's factors: TOTP and recovery codes.

Both raise ApiError 401 ``authn.invalid_code`` for any code that does not log in —
wrong, replayed, outside the time window or used up alike — which the login's failure
limits count (``helpers.is_failure``).
"""
from __future__ import annotations

import logging
from typing import Any, Mapping

import pika.exceptions
from flask import current_app

from common import factors, totp
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
