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

``add_routes`` gives a service's blueprint the six routes of API.md ("emails",
"phones"), so that the two services declare them once, here.

Codes follow ``common.codes`` (NIST SP 800-63B §5.1.3: single use, expiring, locked after
``max_attempts`` tries, sends throttled). /new is also limited per account
(``add_limit``), because removing an address forgets its code and with it the code's
send counter: add/remove in a loop must not become a way to mail or text anyone.

Every route needs a logged-in session (401 ``authn.required``) and, being a POST apart
from ``/all``, the CSRF token (403, checked by ``common.csrf``).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import unique
from typing import Any, Callable, Mapping

from flask import Blueprint, current_app, g
from marshmallow import Schema, fields, validate

from common.api import Result, marshal, unmarshal
from common.authn import login_required
from common.codes import discard_code, issue_code, verify_code
from common.config.schema import CommonConfigSchema
from common.errors import ApiError
from common.messages import TranslatableMsg
from common.proofing import log_proofing
from common.schemas import EmptyRequest, TesseraSchema, code_field
from common.throttle import account_or_client, limiter
from common.users import applied_or_pending, get_user, now, require_user, save_private, update_user

logger = logging.getLogger(__name__)

#: ``send_code(user, value, code, ttl_minutes)``: queue the message that carries the code.
SendCode = Callable[[Mapping[str, Any], str, str, int], None]
#: ``primary_changed(user, old_value, new_value)``: tell the owner the primary changed.
PrimaryChanged = Callable[[Mapping[str, Any], str, str], None]


class ContactListConfigSchema(CommonConfigSchema):
    """Config keys of a service that keeps a contact list (emails, phones)."""

    max_entries = fields.Integer(required=True, validate=validate.Range(min=1, max=100),
                                 metadata={"doc": "entries an account may have"})
    add_limit = fields.String(required=True, metadata={"doc": "Flask-Limiter limit on /new per account"})


#: the message keys every contact list answers with, as ``<service>.<name>``; the
#: ``code_*`` ones are made by ``common.codes``
MESSAGE_NAMES = ("duplicate", "not_found", "not_verified", "already_verified", "too_many",
                 "code_invalid", "code_expired", "code_locked", "code_throttled")


def contact_messages(service: str, *extra: str) -> type[TranslatableMsg]:
    """The service's ``@unique`` message-key Enum (``EmailsMsg``): ``<service>.<name>`` for
    each of ``MESSAGE_NAMES`` and of the service's own ``extra`` names."""
    members = {name: f"{service}.{name}" for name in MESSAGE_NAMES + extra}
    return unique(TranslatableMsg(f"{service.title()}Msg", members))  # type: ignore[call-overload]


@dataclass(frozen=True)
class ContactList:
    """The operations on one kind of contact list.

    ``attribute``: the user attribute (``emails``); ``key``: the value's name in an entry
    and in requests (``email``); ``purpose``: code purpose and proofing kind (``email``);
    ``method``: proofing method (``code_by_mail``); ``msgs``: the service's message Enum
    from ``contact_messages`` (with ``cannot_remove_primary`` unless ``primary_removable``);
    ``primary_removable``: whether the primary may be removed (then the first other
    verified entry, if any, becomes primary).

    Every operation takes the logged-in ``user_id`` and a normalised ``value``, returns
    ``{attribute: [{key, verified, primary}]}`` (200) or the 202 ``am.sync_pending``
    Result, and raises ApiError: 404 ``not_found``, 409 ``duplicate``, 400
    ``too_many``/``not_verified``/``already_verified``/``cannot_remove_primary``, the
    ``common.codes`` errors, and 409 with the AM's key when it refuses the change.
    """

    attribute: str
    key: str
    purpose: str
    method: str
    msgs: type[TranslatableMsg]
    send_code: SendCode
    primary_changed: PrimaryChanged | None = None
    primary_removable: bool = False

    # -- reading ------------------------------------------------------------------------
    def listing(self, user_id: str) -> dict[str, list[dict[str, Any]]]:
        """The user's list as the API shows it, from the central database."""
        return self._public(self._entries(require_user(user_id)))

    def _public(self, entries: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        return {self.attribute: [{self.key: e[self.key], "verified": bool(e.get("verified")),
                                  "primary": bool(e.get("primary"))} for e in entries]}

    def _entries(self, user: Mapping[str, Any]) -> list[dict[str, Any]]:
        # copies, so that a change is never half-made on the document just read
        return [dict(entry) for entry in user.get(self.attribute) or []]

    def _msg(self, name: str) -> str:
        return str(self.msgs[name])

    def _find(self, entries: list[dict[str, Any]], value: str) -> dict[str, Any]:
        entry = next((e for e in entries if e[self.key] == value), None)
        if entry is None:
            raise ApiError(self._msg("not_found"), 404, errors={self.key: [self._msg("not_found")]})
        return entry

    # -- changing -----------------------------------------------------------------------
    def add(self, user_id: str, value: str) -> Result | Mapping[str, Any]:
        """Add ``value`` unverified and send it a code. Whether another account has it
        is not looked at here (no enumeration): that is settled at verification."""
        user = require_user(user_id)
        entries = self._entries(user)
        if any(e[self.key] == value for e in entries):
            raise ApiError(self._msg("duplicate"), 409, errors={self.key: [self._msg("duplicate")]})
        if len(entries) >= current_app.config["TESSERA"]["max_entries"]:
            raise ApiError(self._msg("too_many"), 400)
        code = issue_code(self.purpose, user_id, value)
        entries.append({self.key: value, "verified": False, "primary": False, "created": now()})
        result = self._save(user_id, entries)
        self._send(user, value, code)
        return result

    def verify(self, user_id: str, value: str, code: str) -> Result | Mapping[str, Any]:
        """Mark ``value`` verified when ``code`` is its pending code; log the proof."""
        entries = self._entries(require_user(user_id))
        entry = self._find(entries, value)
        if entry.get("verified"):
            raise ApiError(self._msg("already_verified"), 400)
        verify_code(self.purpose, user_id, value, code)
        # the proof of possession happened whatever the AM says next (as eduID: log, then save)
        log_proofing(user_id, self.purpose, value, self.method)
        entry.update(verified=True, verified_at=now())
        if not any(e.get("primary") for e in entries):
            entry["primary"] = True
        return self._save(user_id, entries)

    def make_primary(self, user_id: str, value: str) -> Result | Mapping[str, Any]:
        """Make the verified ``value`` the primary; the old primary is told."""
        user = require_user(user_id)
        entries = self._entries(user)
        entry = self._find(entries, value)
        if not entry.get("verified"):
            raise ApiError(self._msg("not_verified"), 400, errors={self.key: [self._msg("not_verified")]})
        old = next((e[self.key] for e in entries if e.get("primary")), None)
        if old == value:
            return self._public(entries)
        for e in entries:
            e["primary"] = e is entry
        result = self._save(user_id, entries)
        if old is not None and self.primary_changed is not None:
            self.primary_changed(user, old, value)
        return result

    def remove(self, user_id: str, value: str) -> Result | Mapping[str, Any]:
        """Remove ``value`` and forget its pending code."""
        entries = self._entries(require_user(user_id))
        entry = self._find(entries, value)
        if entry.get("primary"):
            if not self.primary_removable:
                raise ApiError(self._msg("cannot_remove_primary"), 400)
            successor = next((e for e in entries if e is not entry and e.get("verified")), None)
            if successor is not None:
                successor["primary"] = True
        entries.remove(entry)
        discard_code(self.purpose, user_id, value)
        return self._save(user_id, entries)

    def resend(self, user_id: str, value: str) -> Mapping[str, Any]:
        """Send a new code for the unverified ``value`` (throttled by ``common.codes``)."""
        user = require_user(user_id)
        entries = self._entries(user)
        if self._find(entries, value).get("verified"):
            raise ApiError(self._msg("already_verified"), 400)
        self._send(user, value, issue_code(self.purpose, user_id, value))
        return self._public(entries)

    # -- writing ------------------------------------------------------------------------
    def _send(self, user: Mapping[str, Any], value: str, code: str) -> None:
        ttl_minutes = max(1, current_app.config["TESSERA"]["verification_code"]["ttl"] // 60)
        self.send_code(user, value, code, ttl_minutes)

    def _save(self, user_id: str, entries: list[dict[str, Any]]) -> Result | Mapping[str, Any]:
        try:
            applied = update_user(user_id, {self.attribute: entries})
        except ApiError:
            self._roll_back(user_id)
            raise
        return applied_or_pending(applied, self._public(entries))

    def _roll_back(self, user_id: str) -> None:
        """Make the private copy hold the central list again after a refused change."""
        user = get_user(user_id)
        if user is None:
            return
        try:
            save_private(user_id, {self.attribute: self._entries(user)})
        except ApiError:
            # a concurrent change got there first; it was written from the central list too
            logger.warning("could not roll back the private %s of %s", self.attribute, user_id)


def add_limit() -> str:
    """The ``add_limit`` of the current service, for ``limiter.limit(add_limit, ...)``."""
    return current_app.config["TESSERA"]["add_limit"]


@dataclass(frozen=True)
class ContactSchemas:
    """A service's schemas for ``add_routes``: ``value`` (``{<key>}``: /primary, /remove,
    /resend-code), ``new`` (/new), ``verify`` (``{<key>, code}``) and ``response``
    (``{<attribute>: [{<key>, verified, primary}]}``)."""

    value: type[Schema]
    new: type[Schema]
    verify: type[Schema]
    response: type[Schema]

    @classmethod
    def build(cls, contacts: ContactList, value_field: Callable[[], fields.Field], name: str,
              new: type[Schema] | None = None) -> ContactSchemas:
        """The schemas of ``contacts`` whose value is loaded by ``value_field()``; ``name``
        prefixes the schema names in the OpenAPI document (``Email`` → ``EmailVerifyRequest``);
        ``new`` replaces ``value`` for /new."""
        key = contacts.key
        value = TesseraSchema.from_dict({key: value_field()}, name=f"{name}Request")
        entry = TesseraSchema.from_dict({key: fields.String(required=True), "verified": fields.Boolean(required=True),
                                         "primary": fields.Boolean(required=True)}, name=f"{name}Entry")
        return cls(value=value, new=new or value,
                   verify=TesseraSchema.from_dict({key: value_field(), "code": code_field()},
                                                  name=f"{name}VerifyRequest"),
                   response=TesseraSchema.from_dict(
                       {contacts.attribute: fields.List(fields.Nested(entry), required=True)},
                       name=f"{name}ListResponse"))


#: rule, method, ContactList operation (also the endpoint), request schema, limited per account
ROUTES = (
    ("/all", "GET", "listing", None, False),
    ("/new", "POST", "add", "new", True),
    ("/verify", "POST", "verify", "verify", False),
    ("/primary", "POST", "make_primary", "value", False),
    ("/remove", "POST", "remove", "value", False),
    ("/resend-code", "POST", "resend", "value", False),
)


def add_routes(bp: Blueprint, contacts: ContactList, schemas: ContactSchemas) -> None:
    """Add the routes of ``ROUTES`` to ``bp``, each with the one decorator order of every
    view: unmarshal → marshal → login_required (→ the per-account ``add_limit``)."""
    for rule, method, operation, request_schema, limited in ROUTES:
        view = _view(bp, contacts, operation)
        if limited:
            view = limiter.limit(add_limit, key_func=account_or_client)(view)
        view = login_required(view)
        view = marshal(schemas.response)(view)
        view = unmarshal(getattr(schemas, request_schema) if request_schema else EmptyRequest)(view)
        bp.add_url_rule(rule, endpoint=operation, view_func=view, methods=[method])


def _view(bp: Blueprint, contacts: ContactList, operation: str) -> Callable[..., Any]:
    method = getattr(contacts, operation)

    def view(**fields: Any) -> Result | Mapping[str, Any]:
        value = fields.pop(contacts.key, None)
        return method(g.user_id) if value is None else method(g.user_id, value, **fields)

    # Flask-Limiter keys a decorated limit by its view's module and qualified name: make
    # them the service's, or the emails and phones views would share one registration.
    view.__module__ = bp.import_name
    view.__name__ = view.__qualname__ = operation
    view.__doc__ = getattr(ContactList, operation).__doc__
    return view
