"""Message keys shared by every service.

A user-facing message is never free text: it is a stable, dotted translation key that
the SPA looks up in its catalogue (API.md, "Envelope"). Each service keeps its own keys
in an Enum of the same kind (see eduID's ``TranslatableMsg``); ``@unique`` makes a
copy-pasted duplicate value fail at import time.
"""
from __future__ import annotations

from enum import Enum, unique


class TranslatableMsg(str, Enum):
    """Base class for message-key enums: members compare equal to their key string."""

    def __str__(self) -> str:
        return self.value


@unique
class CommonMsg(TranslatableMsg):
    """Keys produced by ``common`` itself, whatever the service."""

    csrf_invalid = "csrf.invalid"
    authn_required = "authn.required"
    reauthn_required = "authn.reauthn_required"
    request_invalid = "request.invalid"
    request_not_json = "request.not_json"
    throttled = "request.throttled"
    backend_unavailable = "backend.unavailable"
    internal_error = "http.internal_server_error"
    conflict = "request.conflict"
    am_pending = "am.sync_pending"
