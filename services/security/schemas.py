"""security's configuration, request and response schemas."""
from __future__ import annotations

from marshmallow import fields

from common.config.schema import CommonConfigSchema
from common.schemas import TesseraSchema


class ConfigSchema(CommonConfigSchema):
    """``/tessera/security/*``.

    ``change_password_limit``: Flask-Limiter string, per client address, bounding the
    argon2id hashing one client can make the service do (e.g. ``"10 per hour"``).
    """

    change_password_limit = fields.String(required=True)


class ChangePasswordRequest(TesseraSchema):
    """``POST /change-password``. The length is checked by the policy, not here, so a
    too short password gets the policy's reason (``password.too_short``)."""

    new_password = fields.String(required=True)


class CredentialResponse(TesseraSchema):
    """One credential as the user may see it: never the hash."""

    credential_id = fields.String(required=True)
    type = fields.String(required=True)
    created = fields.DateTime(required=True)
    last_used = fields.DateTime(required=True, allow_none=True)


class CredentialsResponse(TesseraSchema):
    """``GET /credentials`` and ``POST /change-password``."""

    credentials = fields.List(fields.Nested(CredentialResponse), required=True)
