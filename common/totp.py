"""TOTP second factors (RFC 6238) with pyotp: secrets, codes, the QR code, encryption at
rest and single use of each code.

* A secret is 160 random bits in base32 (RFC 4226 §4 R6 recommends 160 bits), 30-second
  steps, 6 digits, SHA-1 — the parameters every authenticator app supports.
* A code is accepted for the current step and one step either side (RFC 6238 §5.2
  allows "at most one time step" of network delay and clock drift).
* Each code is accepted once (RFC 6238 §5.2: "the verifier MUST NOT accept the second
  attempt of the same OTP"): the last accepted step of each credential is kept in Redis
  and only a LATER step is accepted (``claim_step``, an atomic compare-and-set). Redis
  rather than the credential in MongoDB because authn may change the central user only
  through the AM, asynchronously; the check-and-store must be one atomic step that two
  parallel requests cannot both pass. The record needs to live only as long as a code
  can still be inside the window (``STEP_RECORD_TTL``): after that every code it
  refuses is refused by the window anyway.
* The secret is stored encrypted (Fernet: AES-128-CBC + HMAC-SHA256, from
  ``cryptography``) with a key derived from the config key ``mfa_encryption_key`` (a
  secret from the environment, see ``common.config.schema.mfa_encryption_key_field``);
  several secrets separated by commas allow rotation (the first encrypts, all decrypt:
  ``MultiFernet``).
"""
from __future__ import annotations

import base64
import hmac
import io
import time
from typing import Mapping

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from common.redis_store import redis_client

PERIOD = 30  # seconds per step (RFC 6238 §4.1, X)
DIGITS = 6
#: steps accepted either side of the current one
WINDOW = 1
#: seconds a credential's last accepted step is remembered: a code is inside the window
#: for at most (2 * WINDOW + 1) steps, plus one step of margin
STEP_RECORD_TTL = (2 * WINDOW + 2) * PERIOD
STEP_KEY_PREFIX = "tessera:totp-step:"

#: KEYS: the credential's step record. ARGV: the step, the TTL (s). 1 when the step is
#: later than the one recorded (and is now recorded), else 0.
_CLAIM_STEP = """
local last = redis.call('get', KEYS[1])
if last and tonumber(last) >= tonumber(ARGV[1]) then return 0 end
redis.call('set', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
return 1
"""


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with any configured key (a key was removed
    from ``mfa_encryption_key`` while secrets encrypted with it were still stored)."""


def new_secret() -> str:
    """A new random secret: 32 base32 characters (160 bits)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://totp/<issuer>:<account>?secret=…&issuer=…`` URI that authenticator
    apps read (Google Authenticator's Key Uri Format)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """``uri`` as a QR code, an SVG document (text, no XML declaration), error
    correction M, 4 px per module with the standard quiet zone."""
    out = io.BytesIO()
    segno.make(uri, error="m", micro=False).save(out, kind="svg", xmldecl=False, scale=4)
    return out.getvalue().decode("ascii")


def step_at(moment: float) -> int:
    """The time step of ``moment`` (epoch seconds): ``floor(moment / PERIOD)`` (RFC 6238 §4.2, T)."""
    return int(moment // PERIOD)


def code_at_step(secret: str, step: int) -> str:
    """The code of ``secret`` for ``step``."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).generate_otp(step)


def matching_step(secret: str, code: str, moment: float | None = None) -> int | None:
    """The step within ±``WINDOW`` of ``moment`` (default: now) whose code is ``code``, or
    None. Compared in constant time; a code of any other length or form never matches."""
    current = step_at(time.time() if moment is None else moment)
    found = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(code_at_step(secret, step).encode(), code.encode()):
            found = step
    return found


def claim_step(credential_id: str, step: int) -> bool:
    """Record ``step`` as the last accepted one of ``credential_id`` if it is later than
    the one recorded; False when it is not (the code, or an earlier one, was used).
    Atomic (one Lua script). Redis errors (→ 503)."""
    claimed = redis_client().eval(_CLAIM_STEP, 1, STEP_KEY_PREFIX + credential_id, step, STEP_RECORD_TTL)
    return bool(claimed)


def fernet_key(secret: str) -> bytes:
    """The Fernet key derived from one configured secret: HKDF-SHA256 (RFC 5869) of its
    UTF-8 bytes to 32 bytes, base64url — so the secret may be any random string (such
    as the hex values ``devstack.docker_env`` writes), as long as it holds the entropy."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"tessera totp secrets").derive(
        secret.encode("utf-8"))
    return base64.urlsafe_b64encode(derived)


def _box(keys: str) -> MultiFernet:
    return MultiFernet([Fernet(fernet_key(key.strip())) for key in keys.split(",")])


def encrypt_secret(secret: str, config: Mapping | None = None) -> str:
    """``secret`` encrypted with the first key of ``mfa_encryption_key`` (a Fernet token,
    text). ``config``: the service's config (default: the current app's)."""
    config = config or current_app.config["TESSERA"]
    return _box(config["mfa_encryption_key"]).encrypt(secret.encode()).decode("ascii")


def decrypt_secret(token: str, config: Mapping | None = None) -> str:
    """The secret in ``token`` (see ``encrypt_secret``). Raises SecretUnreadable."""
    config = config or current_app.config["TESSERA"]
    try:
        return _box(config["mfa_encryption_key"]).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable() from exc
