"""security's message keys and the shape of the credentials it shows."""
from __future__ import annotations

from enum import unique
from typing import Any, Iterable, Mapping

from common.messages import TranslatableMsg


@unique
class SecurityMsg(TranslatableMsg):
    """Message keys of the security service."""

    weak_password = "security.weak_password"


def public_credentials(credentials: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``credentials`` as the user may see them: ``[{credential_id, type, created,
    last_used}]`` — the hash never leaves the server (OWASP ASVS V2.4)."""
    return [{"credential_id": c["credential_id"], "type": c["type"], "created": c["created"],
             "last_used": c.get("last_used")} for c in credentials]
