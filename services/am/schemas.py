"""The attribute manager's configuration and the shapes of its ``am.sync`` messages."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from common.config.schema import CommonConfigSchema

_SERVICE = fields.String(validate=validate.Regexp(r"\A[a-z][a-z_]*\Z"))
_ATTRIBUTE = fields.String(validate=validate.Regexp(r"\A[a-z][a-z_]*\Z"))


class ConfigSchema(CommonConfigSchema):
    """``/tessera/am/*``.

    ``whitelist``: service name (``personal_data``, as the service calls itself) → the
    attributes that service may write into the central database. A service that is not
    listed may write nothing.
    ``create_allowed``: services whose sync may create the central document (signup's
    first sync); any other service's sync for a missing user is refused.
    ``delete_allowed``: services that may remove a user from the central database.
    ``credential_usage_only``: services whose ``credentials`` write may only update the
    usage (``last_used``) and re-hash (``hash``) of credentials that still exist
    centrally — authn's login bookkeeping, which must never bring back a password that
    a change or reset replaced in the meantime.
    """

    whitelist = fields.Dict(keys=_SERVICE, values=fields.List(_ATTRIBUTE), required=True)
    create_allowed = fields.List(_SERVICE, required=True)
    delete_allowed = fields.List(_SERVICE, required=True)
    credential_usage_only = fields.List(_SERVICE, required=True)


class _Message(Schema):
    class Meta:
        unknown = RAISE


class SyncMessage(_Message):
    """``{"op": "sync", "service", "user_id", "attributes": [...], "version"}``."""

    op = fields.String(required=True, validate=validate.Equal("sync"))
    service = fields.String(required=True, validate=validate.Length(min=1, max=64))
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    attributes = fields.List(fields.String(validate=validate.Length(min=1, max=64)), required=True,
                             validate=validate.Length(min=1))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class DeleteMessage(_Message):
    """``{"op": "delete", "service", "user_id"}``."""

    op = fields.String(required=True, validate=validate.Equal("delete"))
    service = fields.String(required=True, validate=validate.Length(min=1, max=64))
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
