"""A user's verified contact list — ``emails`` or ``phones`` — as the emails and phones
services change it: add, verify by code, choose the primary, remove, resend the code.

A list is ``[{<key>: value, verified, primary, created, verified_at?}]`` (``key`` is
``email`` or ``number``). Invariants kept here: a value appears once; at most one entry
is primary and it is verified; a verified entry becomes primary when there is none.

Every change starts from the central document (the source of truth, which the AM may
have changed behind this service's back, e.g. by moving a verified address to another
account) and writes the whole list through ``common.users.update_user``. When the AM
refuses it, the private copy is rolled back to the central list, so that this service
never claims what the central database does not hold.

The routes are each service's own views (``services/emails/views.py``,
``services/phones/views.py``); they call one ``ContactList`` operation each. Failures
are ``common.domain`` errors with the service's own message keys (``NotOnList`` with
``EmailsMsg.not_found`` …), answered by ``common.errors``; a change returns a ``Change``
(``applied`` False: the AM has not answered in time, a 202 for the view).

Codes follow ``common.codes`` (NIST SP 800-63B §5.1.3: single use, expiring, locked after
``max_attempts`` tries, sends throttled). /new is also limited per account (config
``add_limit``), because removing an address forgets its code and with it the code's send
counter: add/remove in a loop must not become a way to mail or text anyone.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable, Mapping, NamedTuple, Protocol

from flask import current_app
from marshmallow import Schema, fields, validate

from common.codes import CodeMsgs, discard_code, issue_code, verify_code
from common.config.schema import CommonConfigSchema
from common.domain import (AlreadyOnList, AlreadyVerified, ListFull, NotOnList, NotVerified, PrimaryNotRemovable,
                           SyncRefused, VersionConflict)
from common import events
from common.events import EventType
from common.messages import TranslatableMsg
from common.messaging import user_language
from common.proofing import log_proofing
from common.schemas import TesseraSchema, code_field
from common.users import get_user, now, require_user, save_private, update_user

logger = logging.getLogger(__name__)

#: ``queue(template, to, language, context)``: ``common.messaging.queue_mail`` or ``queue_sms``
Queue = Callable[[str, str, str, Mapping[str, Any]], Any]
#: ``primary_changed(user, old_value, new_value)``: tell the owner the primary changed.
PrimaryChanged = Callable[[Mapping[str, Any], str, str], None]
#: ``{<attribute>: [{<key>, verified, primary}]}``, the list as the API shows it
Listing = dict[str, list[dict[str, Any]]]


class ContactListConfigSchema(CommonConfigSchema):
    """Config keys of a service that keeps a contact list (emails, phones)."""

    max_entries = fields.Integer(required=True, validate=validate.Range(min=1, max=100),
                                 metadata={"doc": "entries an account may have"})
    add_limit = fields.String(required=True, metadata={"doc": "Flask-Limiter limit on /new per account"})


class ContactMsgs(CodeMsgs, Protocol):
    """The members a contact-list service's ``@unique`` message Enum needs (``EmailsMsg``,
    ``PhonesMsg``): ``<service>.duplicate`` and the like, and the code keys."""

    duplicate: TranslatableMsg
    not_found: TranslatableMsg
    not_verified: TranslatableMsg
    already_verified: TranslatableMsg
    too_many: TranslatableMsg


class ContactEvents(NamedTuple):
    """The security events (``common.events``) a contact list records: when an entry is
    added, verified, removed and made primary (None: that change is not an event)."""

    added: EventType
    verified: EventType
    removed: EventType
    primary: EventType | None = None


class Change(NamedTuple):
    """What a change gives: ``applied`` (False: saved and queued, the AM has not answered
    within ``am_sync_timeout``) and the ``listing`` as it is or will be."""

    applied: bool
    listing: Listing


@dataclass(frozen=True)
class ContactList:
    """The operations on one kind of contact list.

    ``attribute``: the user attribute (``emails``); ``key``: the value's name in an entry
    and in requests (``email``); ``purpose``: code purpose and proofing kind (``email``);
    ``method``: proofing method (``code_by_mail``); ``msgs``: the service's message Enum;
    ``queue``/``code_template``: how the code is sent (``queue_mail``, ``email_code``), to
    the value being proved — not to the primary: the point is to show that the user reads
    that mailbox or phone; ``primary_changed``: how the service tells of a new primary;
    ``cannot_remove_primary``: the key that refuses to remove the primary, or
    None when the primary may be removed (then the first other verified entry, if any,
    becomes primary); ``events``: the security events its changes record.

    Every operation takes the user's ``user_id`` and a normalised ``value``. The changing
    ones return a ``Change``; they raise ``UserNotFound`` (the account is gone),
    ``NotOnList`` (``not_found``), ``AlreadyOnList`` (``duplicate``), ``ListFull``
    (``too_many``), ``NotVerified``, ``AlreadyVerified``, ``PrimaryNotRemovable``, the
    ``common.codes`` errors, and ``VersionConflict``/``SyncRefused`` (the AM's key) when
    the change cannot be applied. They need an app context (config, databases, broker).
    """

    attribute: str
    key: str
    purpose: str
    method: str
    msgs: ContactMsgs
    queue: Queue
    code_template: str
    primary_changed: PrimaryChanged | None = None
    cannot_remove_primary: TranslatableMsg | None = None
    events: ContactEvents | None = None

    # -- reading ------------------------------------------------------------------------
    def listing(self, user_id: str) -> Listing:
        """The user's list as the API shows it, from the central database."""
        return self._public(self._entries(require_user(user_id)))

    def _public(self, entries: list[dict[str, Any]]) -> Listing:
        return {self.attribute: [{self.key: e[self.key], "verified": bool(e.get("verified")),
                                  "primary": bool(e.get("primary"))} for e in entries]}

    def _entries(self, user: Mapping[str, Any]) -> list[dict[str, Any]]:
        # copies, so that a change is never half-made on the document just read
        return [dict(entry) for entry in user.get(self.attribute) or []]

    def _find(self, entries: list[dict[str, Any]], value: str) -> dict[str, Any]:
        entry = next((e for e in entries if e[self.key] == value), None)
        if entry is None:
            raise NotOnList(self.msgs.not_found, field=self.key)
        return entry

    # -- changing -----------------------------------------------------------------------
    def add(self, user_id: str, value: str) -> Change:
        """Add ``value`` unverified and send it a code. Whether another account has it
        is not looked at here (no enumeration): that is settled at verification."""
        user = require_user(user_id)
        entries = self._entries(user)
        if any(e[self.key] == value for e in entries):
            raise AlreadyOnList(self.msgs.duplicate, field=self.key)
        if len(entries) >= current_app.config["TESSERA"]["max_entries"]:
            raise ListFull(self.msgs.too_many)
        code = issue_code(self.purpose, user_id, value, msgs=self.msgs)
        entries.append({self.key: value, "verified": False, "primary": False, "created": now()})
        change = self._save(user_id, entries)
        self._send(user, value, code)
        self._record("added", user_id, value)
        return change

    def verify(self, user_id: str, value: str, code: str) -> Change:
        """Mark ``value`` verified when ``code`` is its pending code; log the proof."""
        entries = self._entries(require_user(user_id))
        entry = self._find(entries, value)
        if entry.get("verified"):
            raise AlreadyVerified(self.msgs.already_verified)
        verify_code(self.purpose, user_id, value, code, msgs=self.msgs)
        # the proof of possession happened whatever the AM says next (as eduID: log, then save)
        log_proofing(user_id, self.purpose, value, self.method)
        entry.update(verified=True, verified_at=now())
        if not any(e.get("primary") for e in entries):
            entry["primary"] = True
        change = self._save(user_id, entries)
        self._record("verified", user_id, value)
        return change

    def make_primary(self, user_id: str, value: str) -> Change:
        """Make the verified ``value`` the primary; the old primary is told."""
        user = require_user(user_id)
        entries = self._entries(user)
        entry = self._find(entries, value)
        if not entry.get("verified"):
            raise NotVerified(self.msgs.not_verified, field=self.key)
        old = next((e[self.key] for e in entries if e.get("primary")), None)
        if old == value:
            return Change(True, self._public(entries))
        for e in entries:
            e["primary"] = e is entry
        change = self._save(user_id, entries)
        if old is not None and self.primary_changed is not None:
            self.primary_changed(user, old, value)
        self._record("primary", user_id, value)
        return change

    def remove(self, user_id: str, value: str) -> Change:
        """Remove ``value`` and forget its pending code."""
        entries = self._entries(require_user(user_id))
        entry = self._find(entries, value)
        if entry.get("primary"):
            if self.cannot_remove_primary is not None:
                raise PrimaryNotRemovable(self.cannot_remove_primary)
            successor = next((e for e in entries if e is not entry and e.get("verified")), None)
            if successor is not None:
                successor["primary"] = True
        entries.remove(entry)
        discard_code(self.purpose, user_id, value)
        change = self._save(user_id, entries)
        self._record("removed", user_id, value)
        return change

    def resend(self, user_id: str, value: str) -> Listing:
        """Send a new code for the unverified ``value`` (throttled by ``common.codes``)."""
        user = require_user(user_id)
        entries = self._entries(user)
        if self._find(entries, value).get("verified"):
            raise AlreadyVerified(self.msgs.already_verified)
        self._send(user, value, issue_code(self.purpose, user_id, value, msgs=self.msgs))
        return self._public(entries)

    # -- writing ------------------------------------------------------------------------
    def _record(self, change: str, user_id: str, value: str) -> None:
        """Record the security event of ``change`` (a field of ``ContactEvents``), if any."""
        event_type = getattr(self.events, change) if self.events is not None else None
        if event_type is not None:
            events.record(event_type, user_id, {self.key: value})

    def _send(self, user: Mapping[str, Any], value: str, code: str) -> None:
        ttl_minutes = max(1, current_app.config["TESSERA"]["verification_code"]["ttl"] // 60)
        self.queue(self.code_template, value, user_language(user), {"code": code, "ttl_minutes": ttl_minutes})

    def _save(self, user_id: str, entries: list[dict[str, Any]]) -> Change:
        try:
            applied = update_user(user_id, {self.attribute: entries})
        except (VersionConflict, SyncRefused):
            self._roll_back(user_id)
            raise
        return Change(applied, self._public(entries))

    def _roll_back(self, user_id: str) -> None:
        """Make the private copy hold the central list again after a refused change."""
        user = get_user(user_id)
        if user is None:
            return
        try:
            save_private(user_id, {self.attribute: self._entries(user)})
        except VersionConflict:
            # a concurrent change got there first; it was written from the central list too
            logger.warning("could not roll back the private %s of %s", self.attribute, user_id)


@dataclass(frozen=True)
class ContactSchemas:
    """A contact-list service's schemas: ``value`` (``{<key>}``: /primary, /remove,
    /resend-code), ``new`` (/new), ``verify`` (``{<key>, code}``) and ``response``
    (``{<attribute>: [{<key>, verified, primary}]}``)."""

    value: type[Schema]
    new: type[Schema]
    verify: type[Schema]
    response: type[Schema]

    @classmethod
    def build(cls, contacts: ContactList, value_field: Callable[[], fields.Field], name: str,
              new: type[Schema] | None = None, display: fields.Field | None = None) -> ContactSchemas:
        """The schemas of ``contacts`` whose value is loaded by ``value_field()``; ``name``
        prefixes the schema names in the OpenAPI document (``Email`` → ``EmailVerifyRequest``);
        ``new`` replaces ``value`` for /new; ``display`` (a dump-only field) adds the entry
        field ``display``: the value formatted for people (``common.fields.PhoneDisplay``)."""
        key = contacts.key
        value = TesseraSchema.from_dict({key: value_field()}, name=f"{name}Request")
        entry_fields: dict[str, fields.Field] = {
            key: fields.String(required=True), "verified": fields.Boolean(required=True),
            "primary": fields.Boolean(required=True)}
        if display is not None:
            entry_fields["display"] = display
        entry = TesseraSchema.from_dict(entry_fields, name=f"{name}Entry")
        return cls(value=value, new=new or value,
                   verify=TesseraSchema.from_dict({key: value_field(), "code": code_field()},
                                                  name=f"{name}VerifyRequest"),
                   response=TesseraSchema.from_dict(
                       {contacts.attribute: fields.List(fields.Nested(entry), required=True)},
                       name=f"{name}ListResponse"))
