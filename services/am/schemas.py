"""The attribute manager's configuration (its messages' shapes: ``common.queues.AM_SYNC``)."""
from __future__ import annotations

from marshmallow import fields, validate

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
