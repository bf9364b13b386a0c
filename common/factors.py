"""Second factors in the user's ``credentials`` list: their types, the login methods they
give, recovery codes, and removal — pure functions, shared by authn (login) and
security (enrolment), tested in ``tests/unit/mfa``.

Credential shapes (the central user's ``credentials``, next to the password)::

    {credential_id, type: "totp", secret_enc (Fernet token), created, last_used}
    {credential_id, type: "webauthn", name, public_key, sign_count, passkey,
     backup_eligible, transports, created, last_used}
    {credential_id, type: "recovery_code", hash (argon2id), created, last_used}

A recovery code whose ``last_used`` is set is used up (authn reports the use the way it
reports a password's: ``last_used``, which the AM merges for existing credentials only).

Recovery codes follow OWASP ASVS 4.0 §2.6 (look-up secrets): single use (2.6.1),
random (2.6.2: 80 bits here, from ``secrets``) and stored with a salted slow hash
(argon2id at the configured cost, ASVS 6.5.2 / 2.6.2).
"""
from __future__ import annotations

import re
import secrets
import uuid
from datetime import datetime
from typing import Any, Iterable, Mapping

PASSWORD = "password"
TOTP = "totp"
WEBAUTHN = "webauthn"
RECOVERY_CODE = "recovery_code"
#: types that are a second factor on their own (recovery codes only back them up)
SECOND_FACTOR_TYPES = (TOTP, WEBAUTHN)
#: the ``methods`` of a pending login, in the order the API lists them
METHODS = (TOTP, WEBAUTHN, RECOVERY_CODE)

RECOVERY_CODE_COUNT = 10
#: Crockford's base32 alphabet: no I, L, O, U, so a code read aloud or retyped is not
#: mistaken (I/L → 1 and O → 0 are folded when a code is read back)
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
GROUPS, GROUP_LENGTH = 4, 4  # 16 characters × 5 bits = 80 bits
_FOLD = str.maketrans({"i": "1", "l": "1", "o": "0"})
_SEPARATORS = re.compile(r"[\s-]+")


def new_credential_id() -> str:
    """A new random credential id (128 bits, hex)."""
    return uuid.uuid4().hex


def of_type(credentials: Iterable[Mapping[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The credentials of type ``kind``, as new dicts, in order."""
    return [dict(c) for c in credentials if c.get("type") == kind]


def second_factors(credentials: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The TOTP and WebAuthn credentials."""
    return [dict(c) for c in credentials if c.get("type") in SECOND_FACTOR_TYPES]


def unused_recovery_codes(credentials: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The recovery codes not used yet."""
    return [c for c in of_type(credentials, RECOVERY_CODE) if c.get("last_used") is None]


def mfa_methods(credentials: Iterable[Mapping[str, Any]]) -> list[str]:
    """The second-step methods of an account: ``totp``/``webauthn`` for each type it has,
    ``recovery_code`` when it has a second factor and an unused code. Empty: the
    password alone logs in."""
    credentials = list(credentials)
    types = {c.get("type") for c in second_factors(credentials)}
    if not types:
        return []
    methods = [m for m in METHODS if m in types]
    if unused_recovery_codes(credentials):
        methods.append(RECOVERY_CODE)
    return methods


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """``count`` new codes, each 16 random characters of ``ALPHABET`` in four groups of
    four (``7k3q-…``)."""
    def one() -> str:
        chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
        return "-".join(chars[i:i + GROUP_LENGTH] for i in range(0, len(chars), GROUP_LENGTH))
    return [one() for _ in range(count)]


def normalize_recovery_code(text: str) -> str | None:
    """``text`` as the canonical form that is hashed (16 characters of ``ALPHABET``, no
    separators), or None when it cannot be a recovery code. Case, spaces and hyphens do
    not matter; I and L read as 1, O as 0."""
    compact = _SEPARATORS.sub("", text).lower().translate(_FOLD)
    if len(compact) != GROUPS * GROUP_LENGTH or any(c not in ALPHABET for c in compact):
        return None
    return compact


def recovery_code_credentials(hashes: Iterable[str], created: datetime) -> list[dict[str, Any]]:
    """One ``recovery_code`` credential per hash (of ``normalize_recovery_code``'s form)."""
    return [{"credential_id": new_credential_id(), "type": RECOVERY_CODE, "hash": h, "created": created,
             "last_used": None} for h in hashes]


def with_recovery_codes(credentials: Iterable[Mapping[str, Any]], new_codes: Iterable[Mapping[str, Any]]
                        ) -> list[dict[str, Any]]:
    """``credentials`` with every recovery code replaced by ``new_codes`` (earlier codes,
    used or not, stop working)."""
    return [dict(c) for c in credentials if c.get("type") != RECOVERY_CODE] + [dict(c) for c in new_codes]


def without_factor(credentials: Iterable[Mapping[str, Any]], credential_id: str) -> list[dict[str, Any]] | None:
    """``credentials`` without the second factor ``credential_id``; when it was the last
    second factor, without the recovery codes too (they back up a factor that is gone).
    None when ``credential_id`` is not a second factor of the list (a password, a
    recovery code or an unknown id are never removed this way)."""
    credentials = [dict(c) for c in credentials]
    if not any(c.get("credential_id") == credential_id for c in second_factors(credentials)):
        return None
    kept = [c for c in credentials if c.get("credential_id") != credential_id]
    if not second_factors(kept):
        kept = [c for c in kept if c.get("type") != RECOVERY_CODE]
    return kept


def public_view(credential: Mapping[str, Any]) -> dict[str, Any]:
    """A credential as its owner may see it: ``{credential_id, type, name?, created,
    last_used, passkey?}`` — never a hash, secret or key (OWASP ASVS V2.4)."""
    view = {"credential_id": credential["credential_id"], "type": credential["type"],
            "created": credential["created"], "last_used": credential.get("last_used")}
    if credential.get("type") == WEBAUTHN:
        view["name"] = credential.get("name")
        view["passkey"] = bool(credential.get("passkey"))
    return view
