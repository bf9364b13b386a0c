"""Domain errors: what the data layer (``common.users``, ``common.codes``,
``common.contact_list``) raises, in the terms of users, codes and contact lists.

They know nothing of HTTP: no status, no response. ``common.errors`` maps each class to
a status and a message key once (``DOMAIN_ANSWERS``), for every service. A leaf module
(standard library only), so the data layer and its unit tests need neither Flask nor a
request to raise or catch them.

Attributes every error may carry, all optional:

* ``key`` — the translation key the error is about when it belongs to the caller (a member
  of the service's own Enum, e.g. ``EmailsMsg.code_invalid``, or the AM's refusal key);
* ``field`` — the request field the error is about (``"code"``, ``"email"``);
* ``reasons`` — the field's list of reasons (a weak password's policy keys);
* ``details`` — more facts for the client (``{"attempts_left": 3}``);
* ``retry_after`` — whole seconds until trying again makes sense.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence


class DomainError(Exception):
    """Base class of the data layer's expected failures (see the module docstring)."""

    def __init__(self, key: str | None = None, *, field: str | None = None,
                 reasons: Sequence[str] | None = None, details: Mapping[str, Any] | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(str(key) if key is not None else type(self).__name__)
        self.key = key
        self.field = field
        self.reasons = list(reasons) if reasons is not None else None
        self.details = dict(details or {})
        self.retry_after = retry_after


# -- users (common.users) ---------------------------------------------------------------
class UserNotFound(DomainError):
    """The central database has no such user (e.g. deleted while a session lived)."""


class VersionConflict(DomainError):
    """The private copy changed between read and write (optimistic lock lost): a
    concurrent change of the same user got there first."""


class SyncRefused(DomainError):
    """The attribute manager refused the change; ``key`` is its reason
    (e.g. ``emails.in_use``, ``am.attribute_not_allowed``)."""


class WeakPassword(DomainError):
    """A new password breaks the policy; ``key`` is the caller's key (e.g.
    ``security.weak_password``), ``reasons`` the policy's (``password.too_short`` …)."""


# -- verification codes (common.codes) ---------------------------------------------------
class CodeExpired(DomainError):
    """No code is pending, or it is too old or already used."""


class CodeInvalid(DomainError):
    """A wrong code; ``details.attempts_left`` tries remain."""


class CodeLocked(DomainError):
    """Too many wrong tries: a new code must be asked for (``retry_after``: when)."""


class CodeThrottled(DomainError):
    """A new code was asked for too soon or too often (``retry_after``: when)."""


# -- contact lists (common.contact_list) -------------------------------------------------
class NotOnList(DomainError):
    """The address or number is not on the user's list."""


class AlreadyOnList(DomainError):
    """The address or number is on the user's list already."""


class ListFull(DomainError):
    """The list has ``max_entries`` entries already."""


class NotVerified(DomainError):
    """The entry must be verified first (to become primary)."""


class AlreadyVerified(DomainError):
    """The entry is verified already (no code to check or send)."""


class PrimaryNotRemovable(DomainError):
    """The primary entry of a list whose primary is a login identity cannot be removed."""
