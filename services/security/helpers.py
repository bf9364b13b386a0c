"""security's message keys, the shape of the credentials it shows, and the guard of its
one-shot actions."""
from __future__ import annotations

from contextlib import contextmanager
from enum import unique
from typing import Any, Iterable, Iterator, Mapping

from common import factors, locks
from common import session as sessions
from common.errors import ApiError
from common.messages import TranslatableMsg


@unique
class SecurityMsg(TranslatableMsg):
    """Message keys of the security service."""

    weak_password = "security.weak_password"
    in_progress = "security.in_progress"
    #: the account has a TOTP credential already (one per account)
    totp_exists = "security.totp_exists"
    #: /totp/complete without a /totp/begin of this session (or it expired or was used)
    totp_not_begun = "security.totp_not_begun"
    totp_code_invalid = "security.totp_code_invalid"
    #: no second factor of the user has this id (a password is never removed)
    credential_not_found = "security.credential_not_found"
    #: recovery codes need a second factor to back up
    no_second_factor = "security.no_second_factor"
    #: a WebAuthn registration that does not verify (or has no challenge of this session)
    webauthn_invalid = "security.webauthn_invalid"
    #: the security key or passkey is registered already
    webauthn_exists = "security.webauthn_exists"
    #: /sessions/revoke with an id that is none of the user's live sessions
    session_not_found = "security.session_not_found"
    #: /devices/forget with an id that is none of the account's known browsers
    device_not_found = "security.device_not_found"


def credentials_payload(credentials: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """``{credentials, recovery_codes_left}``: the password and second factors as the user
    may see them (``common.factors.public_view``: never a hash, secret or key, OWASP
    ASVS V2.4) and how many recovery codes are unused (the codes themselves are not
    listed)."""
    credentials = list(credentials)
    shown = [factors.public_view(c) for c in credentials if c.get("type") != factors.RECOVERY_CODE]
    return {"credentials": shown, "recovery_codes_left": len(factors.unused_recovery_codes(credentials))}


@contextmanager
def one_at_a_time(user_id: str) -> Iterator[None]:
    """Run a sensitive one-shot action of ``user_id`` (password change, deletion) alone.

    Holds the user's lock (``common.locks``, shared with the reset's new password) and
    then checks that this request's session is still stored: a parallel request of the
    same session that did the action first has ended or replaced it. So of parallel
    requests exactly one acts — one password in force, one mail.
    Raises ApiError 409 ``security.in_progress`` for the others; redis errors (→ 503).
    """
    try:
        with locks.exclusive(f"user:{user_id}"):
            if not sessions.is_stored():
                raise ApiError(SecurityMsg.in_progress, 409)
            yield
    except locks.LockBusy:
        raise ApiError(SecurityMsg.in_progress, 409) from None
