"""The attribute manager's decision, as a pure function of what it has read.

``plan`` takes a sync request, the rights of the service that sent it, that service's
private copy of the user, the current central document and the other central accounts
that hold one of the addresses or numbers the copy verifies, and returns a ``Plan``:
the writes to make (other accounts first, then the user), the moves they amount to
(for the log), or why nothing may be written. ``services.am.central`` reads the inputs
and applies the plan in one MongoDB transaction; everything decided lives here, so the
rules are tested without a database (``tests/unit/am``).

The rules (README, "One owner per verified address or number"; as eduID does): a
verified address or number belongs to at most one account, and the newest proof of
possession wins — it is unverified on the account that had it — except that an
account's *primary* address, its login identity, is never taken away silently (the
sync is refused with ``emails.in_use``); a number moves even when it was the other
account's primary, and that account's next verified number becomes its primary.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping, Sequence

from services.am.errors import AmMsg


def _address(value: Any) -> str:
    return str(value or "").strip().lower()


def _number(value: Any) -> str:
    return str(value or "").strip()


@dataclass(frozen=True)
class ContactKind:
    """How one list of contacts (``emails`` or ``phones``) is kept.

    ``attribute``: the list in the user document (``[{<key>, verified, primary, ...}]``);
    ``key``: the entry's value; ``derived``: the uniquely indexed list of its verified
    values; ``normalise``: value → the form compared and indexed; ``primary_moves``:
    False when another account's primary entry must never be taken (emails), True when
    it moves and the next verified entry is promoted (phones).
    """

    attribute: str
    key: str
    derived: str
    normalise: Callable[[Any], str]
    primary_moves: bool

    def verified(self, entries: Iterable[Mapping[str, Any]] | None) -> list[str]:
        """The normalised values of the verified ``entries``, without duplicates, in order."""
        found: list[str] = []
        for entry in entries or ():
            value = self.normalise(entry.get(self.key))
            if entry.get("verified") and value and value not in found:
                found.append(value)
        return found


EMAILS = ContactKind("emails", "email", "verified_emails", _address, primary_moves=False)
PHONES = ContactKind("phones", "number", "verified_phones", _number, primary_moves=True)
KINDS = (EMAILS, PHONES)


@dataclass(frozen=True)
class SyncRequest:
    """An ``am.sync`` request: copy ``attributes`` of ``user_id`` from ``service``'s
    private copy, which must be at least at ``version``."""

    service: str
    user_id: str
    attributes: tuple[str, ...]
    version: int


@dataclass(frozen=True)
class ServiceRights:
    """What one service may do to the central database (the AM's configuration).

    ``attributes``: its whitelist; ``may_create``: its sync may create the central
    document; ``credential_usage_only``: its ``credentials`` only update ``last_used``
    and ``hash`` of credentials that exist centrally (``merge_credential_usage``)."""

    attributes: frozenset[str] = frozenset()
    may_create: bool = False
    credential_usage_only: bool = False


class Outcome(enum.Enum):
    """What the AM does with a sync."""

    WRITE = "write"                      # apply ``Plan.writes``
    CURRENT = "current"                  # the central copy is as new already: nothing to write
    REFUSED = "refused"                  # never: ``Plan.refusal`` says why
    NOT_YET_VISIBLE = "not_yet_visible"  # the private copy is older than the request: retry


@dataclass(frozen=True)
class Write:
    """One ``update_one({"_id": user_id}, update, upsert=upsert)``."""

    user_id: str
    update: Mapping[str, Any]
    upsert: bool = False


@dataclass(frozen=True)
class Move:
    """``value`` (of ``kind``: ``emails``/``phones``) unverified on ``from_user`` for ``to_user``."""

    kind: str
    value: str
    from_user: str
    to_user: str


@dataclass(frozen=True)
class Plan:
    """The decision for one sync. ``writes`` are applied in order (other accounts before
    the user, so the unique indexes never see a value twice); ``copied`` is the private
    version the user's write comes from; ``detail`` explains a refusal or a wait (log)."""

    outcome: Outcome
    writes: tuple[Write, ...] = ()
    moves: tuple[Move, ...] = ()
    refusal: AmMsg | None = None
    detail: str = ""
    copied: int = 0

    @classmethod
    def refuse(cls, reason: AmMsg, detail: str) -> Plan:
        return cls(Outcome.REFUSED, refusal=reason, detail=detail)


def screen(request: SyncRequest, rights: ServiceRights) -> Plan | None:
    """The refusal that needs no data (attributes outside the whitelist), or None.

    Checked before anything is read, so that a service is never the reason for a read
    of a database it has no business with."""
    refused = sorted(set(request.attributes) - rights.attributes)
    if refused:
        return Plan.refuse(AmMsg.attribute_not_allowed, f"{', '.join(refused)} not in its whitelist")
    return None


def stands_alone(request: SyncRequest, rights: ServiceRights) -> bool:
    """True when the plan of ``request`` can depend on the central database only through
    the user's own document existing and its ``sync_versions.<service>``: it copies no
    contact list (so no other account can hold a value it claims), no ``credentials``
    (no merge with the central ones, no WebAuthn index) and may not create the user.

    Such a sync (personal_data's names and language) needs no transaction:
    ``services.am.central`` plans it as if the central copy were older and applies the
    one write with ``version_guard`` in its filter, which makes the check ``plan`` makes
    on the document it read (``CURRENT``) atomic with the write."""
    return (not rights.may_create and "credentials" not in request.attributes
            and not any(kind.attribute in request.attributes for kind in KINDS))


def version_guard(service: str, copied: int) -> dict[str, Any]:
    """The filter clause "the central document holds an older copy from ``service`` than
    ``copied``, or none" — ``plan``'s test for ``Outcome.CURRENT``, negated, for MongoDB
    to check in the update itself (``$not``/``$gte`` also matches a missing field).
    Only valid for ``copied`` ≥ 1: ``plan`` takes a missing version as 0."""
    return {f"sync_versions.{service}": {"$not": {"$gte": copied}}}


def merge_credential_usage(central: Iterable[Mapping[str, Any]],
                           reported: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``central``'s credentials with ``last_used`` (the later of the two), ``hash`` and a
    WebAuthn ``sign_count`` (the higher of the two: a count only goes up) taken from the
    ``reported`` credential of the same ``credential_id``.

    A reported credential that no longer exists centrally (replaced by a password change
    or reset since the login that reported it) is ignored, and none is added or removed.
    """
    by_id = {c.get("credential_id"): c for c in reported}
    merged: list[dict[str, Any]] = []
    for credential in central:
        entry = dict(credential)
        report = by_id.get(entry.get("credential_id"))
        if report is not None:
            if report.get("hash"):
                entry["hash"] = report["hash"]
            used = [t for t in (entry.get("last_used"), report.get("last_used")) if t is not None]
            entry["last_used"] = max(used) if used else None
            if report.get("sign_count") is not None:
                entry["sign_count"] = max(int(entry.get("sign_count") or 0), int(report["sign_count"]))
        merged.append(entry)
    return merged


def claimed(request: SyncRequest, private: Mapping[str, Any]) -> dict[ContactKind, list[str]]:
    """The verified values the sync would give the user, per kind it copies
    (what the caller must look up other holders of)."""
    return {kind: kind.verified(private.get(kind.attribute, [])) for kind in KINDS
            if kind.attribute in request.attributes}


@dataclass
class _Holder:
    """Another account's contact lists while the plan takes values from it."""

    user_id: str
    lists: dict[str, list[dict[str, Any]]]
    changed: set[str] = field(default_factory=set)


def _release(holder: _Holder, kind: ContactKind, value: str) -> bool:
    """Unverify ``value`` on ``holder``; False when it is a primary that may not move."""
    entries = holder.lists.setdefault(kind.attribute, [])
    matching = [e for e in entries if kind.normalise(e.get(kind.key)) == value]
    if not kind.primary_moves and any(e.get("primary") for e in matching):
        return False
    for entry in matching:
        entry["verified"] = False
        entry.pop("verified_at", None)
        if kind.primary_moves:
            entry["primary"] = False
    if kind.primary_moves and not any(e.get("primary") for e in entries):
        successor = next((e for e in entries if e.get("verified")), None)
        if successor is not None:
            successor["primary"] = True
    holder.changed.add(kind.attribute)
    return True


#: The derived list of a user's WebAuthn credential ids, written with ``credentials``: a
#: unique index on it keeps one key on one account (``central.WEBAUTHN_ID_INDEX``). A
#: unique index on ``credentials.webauthn_id`` itself cannot: every credential without
#: one (the password) would index a null, and two accounts would collide on it.
WEBAUTHN_IDS = "webauthn_ids"


def webauthn_ids(credentials: Iterable[Mapping[str, Any]] | None) -> list[str]:
    """The ``webauthn_id`` of each WebAuthn credential of ``credentials``, in order, once."""
    return list(dict.fromkeys(c["webauthn_id"] for c in credentials or ()
                              if c.get("type") == "webauthn" and isinstance(c.get("webauthn_id"), str)))


def plan(request: SyncRequest, rights: ServiceRights, private: Mapping[str, Any] | None,
         current: Mapping[str, Any] | None, holders: Sequence[Mapping[str, Any]],
         now: datetime) -> Plan:
    """Decide one sync.

    ``private``: the service's copy (``tessera_<service>.users``), None when missing;
    ``current``: the central document (at least ``credentials`` and ``sync_versions``),
    None when missing; ``holders``: central documents of other accounts (at least
    ``_id``, ``emails``, ``phones``) — any that hold none of the ``claimed`` values are
    ignored; ``now``: the ``modified`` (and ``created``) time. The inputs are not changed.
    """
    screened = screen(request, rights)
    if screened is not None:
        return screened
    if private is None:
        return Plan.refuse(AmMsg.user_not_found, "no private copy")
    copied = private.get("version", 0)
    if copied < request.version:
        return Plan(Outcome.NOT_YET_VISIBLE, detail=f"{request.service} copy of {request.user_id} is at "
                                                    f"version {copied}, not yet {request.version}")
    if current is not None and current.get("sync_versions", {}).get(request.service, 0) >= copied:
        return Plan(Outcome.CURRENT, copied=copied)
    if current is None and not rights.may_create:
        return Plan.refuse(AmMsg.user_not_found, "no such user in the central db")

    values = {name: private[name] for name in request.attributes if name in private}
    if rights.credential_usage_only and "credentials" in values:
        if current is None:
            return Plan.refuse(AmMsg.user_not_found, "no central credentials to update")
        values["credentials"] = merge_credential_usage(current.get("credentials", []), values["credentials"])
    if "credentials" in values:
        values[WEBAUTHN_IDS] = webauthn_ids(values["credentials"])

    taken: dict[str, _Holder] = {}
    moves: list[Move] = []
    for kind, wanted in claimed(request, private).items():
        values[kind.derived] = wanted
        for value in wanted:
            owner = next((h for h in holders if h.get("_id") != request.user_id
                          and value in kind.verified(_lists(taken, h)[kind.attribute])), None)
            if owner is None:
                continue
            holder = taken.setdefault(owner["_id"], _Holder(owner["_id"], _lists(taken, owner)))
            if not _release(holder, kind, value):
                return Plan.refuse(AmMsg.email_in_use, f"{value} is the primary address of {owner['_id']}")
            moves.append(Move(kind.attribute, value, owner["_id"], request.user_id))

    writes = [Write(h.user_id, {"$set": {**{name: h.lists[name] for name in sorted(h.changed)},
                                         **{k.derived: k.verified(h.lists[k.attribute])
                                            for k in KINDS if k.attribute in h.changed},
                                         "modified": now}})
              for h in taken.values()]
    update: dict[str, Any] = {"$set": {**values, f"sync_versions.{request.service}": copied, "modified": now}}
    missing = [name for name in request.attributes if name not in private and name != "created"]
    if missing:
        update["$unset"] = dict.fromkeys(missing, "")
    if "created" not in values:
        update["$setOnInsert"] = {"created": now}
    writes.append(Write(request.user_id, update, upsert=rights.may_create))
    return Plan(Outcome.WRITE, writes=tuple(writes), moves=tuple(moves), copied=copied)


def _lists(taken: Mapping[str, _Holder], document: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """A holder's contact lists as the plan has changed them so far (copies, never the input)."""
    holder = taken.get(document.get("_id"))
    if holder is not None:
        return holder.lists
    return {kind.attribute: [dict(e) for e in document.get(kind.attribute) or []] for kind in KINDS}
