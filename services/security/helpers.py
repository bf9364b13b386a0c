"""security's message keys, the shape of the credentials it shows, and the guard of its
one-shot actions."""
from __future__ import annotations

from contextlib import contextmanager
from enum import unique
from typing import Any, Iterable, Iterator, Mapping

from common import locks
from common import session as sessions
from common.errors import ApiError
from common.messages import TranslatableMsg


@unique
class SecurityMsg(TranslatableMsg):
    """Message keys of the security service."""

    weak_password = "security.weak_password"
    in_progress = "security.in_progress"


def public_credentials(credentials: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``credentials`` as the user may see them: ``[{credential_id, type, created,
    last_used}]`` — the hash never leaves the server (OWASP ASVS V2.4)."""
    return [{"credential_id": c["credential_id"], "type": c["type"], "created": c["created"],
             "last_used": c.get("last_used")} for c in credentials]


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
