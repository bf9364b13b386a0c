"""Second factors for the tests: TOTP codes at chosen steps, a TOTP credential or recovery
codes planted in the central user, and the pending-login flow record in Redis."""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import Any

import pyotp
import redis

from common import factors, totp
from common.config import etcd_client, read_namespace
from common.passwords import hash_password
from devstack.topology import Stack
from tests.helpers import wait_for
from tests.users import mongo_client

LOGIN = "/api/authn/login"
MFA_TOTP = "/api/authn/mfa/totp"
MFA_RECOVERY = "/api/authn/mfa/recovery-code"


def code_at(secret: str, step_offset: int = 0) -> str:
    """The TOTP code of ``secret`` ``step_offset`` steps from now."""
    return pyotp.TOTP(secret).at(time.time() + step_offset * totp.PERIOD)


def away_from_a_step_boundary(margin: float = 4.0) -> None:
    """Wait until the current step has at least ``margin`` seconds left, so that a code
    made now is checked by the service within the same step (no fixed sleep: at most
    ``margin`` seconds, only when the test starts right at the end of a step)."""
    assert wait_for(lambda: totp.PERIOD - time.time() % totp.PERIOD > margin, timeout=margin + 1)


def add_totp(stack: Stack, user_id: str, secret: str | None = None) -> tuple[str, str]:
    """Give the central user a TOTP credential (encrypted with authn's key, as security
    stores it); return ``(credential_id, secret)``."""
    secret = secret or totp.new_secret()
    config = read_namespace(etcd_client(), "authn")
    credential = {"credential_id": factors.new_credential_id(), "type": factors.TOTP,
                  "secret_enc": totp.encrypt_secret(secret, config), "created": _now(), "last_used": None}
    _push(stack, user_id, [credential])
    return credential["credential_id"], secret


def add_recovery_codes(stack: Stack, user_id: str, count: int = 3) -> list[str]:
    """Give the central user ``count`` recovery codes (hashed as security does); return them."""
    argon2 = read_namespace(etcd_client(), "common")["argon2"]
    codes = factors.new_recovery_codes(count)
    hashes = [hash_password(factors.normalize_recovery_code(c), argon2) for c in codes]
    _push(stack, user_id, factors.recovery_code_credentials(hashes, _now()))
    return codes


def _now() -> datetime:
    moment = datetime.now(timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _push(stack: Stack, user_id: str, credentials: list[dict[str, Any]]) -> None:
    client = mongo_client(stack)
    try:
        client.tessera_central.users.update_one({"_id": user_id}, {"$push": {"credentials": {"$each": credentials}}})
    finally:
        client.close()


def pending_flows(stack: Stack) -> list[dict[str, Any]]:
    """Every pending-login flow record in the stack's Redis, decoded."""
    r = redis.Redis(port=stack.ports["redis"])
    try:
        return [json.loads(r.get(key)) for key in r.scan_iter("tessera:flow:mfa_login:*")]
    finally:
        r.close()


def age_pending_flows(stack: Stack, seconds: float) -> int:
    """Move the expiry of every pending-login flow ``seconds`` into the past (its record
    kept, as if Redis had not dropped it yet): the service must refuse it by its expiry.
    Returns how many flows were aged."""
    r = redis.Redis(port=stack.ports["redis"])
    try:
        keys = list(r.scan_iter("tessera:flow:mfa_login:*"))
        for key in keys:
            record = json.loads(r.get(key))
            record["expires_at"] -= seconds
            r.set(key, json.dumps(record), keepttl=True)
        return len(keys)
    finally:
        r.close()


REGISTER_BEGIN = "/api/security/webauthn/register/begin"
REGISTER_COMPLETE = "/api/security/webauthn/register/complete"


def origin(stack: Stack) -> str:
    """The origin the browser sees: the relying party's (``localhost``, the stack's port)."""
    return f"http://localhost:{stack.ports['http']}"


def register_key(client: Any, stack: Stack, *, passkey: bool = False, name: str = "My key", **authenticator: Any):
    """Register a new ``SoftAuthenticator`` through security's API as the logged-in (and
    recent) user of ``client``; return it. AssertionError when the API refuses."""
    from tests.soft_authenticator import SoftAuthenticator

    key = SoftAuthenticator(origin=origin(stack), **authenticator)
    options = client.post(REGISTER_BEGIN, {"passkey": passkey})
    assert options.status == 200, options
    r = client.post(REGISTER_COMPLETE, {"credential": key.create(options.payload["options"]), "name": name})
    assert r.status == 200, r
    return key
