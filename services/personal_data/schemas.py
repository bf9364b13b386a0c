"""personal_data's configuration, request and response schemas."""
from __future__ import annotations

from marshmallow import fields

from common.config.schema import CommonConfigSchema
from common.schemas import EmailEntry, PhoneEntry, TesseraSchema, language_field, name_field


class ConfigSchema(CommonConfigSchema):
    """``/tessera/personal_data/*``: nothing beyond the common keys (``languages`` is the
    list a user may choose from)."""


class UpdateUserRequest(TesseraSchema):
    """``POST /user``; ``display_name`` defaults to "given_name surname". Names follow
    the one name rule of every service (``common.fields.Name``)."""

    given_name = name_field(required=True)
    surname = name_field(required=True)
    display_name = name_field(load_default=None)
    language = language_field(required=True)


class UserResponse(TesseraSchema):
    """The user as the central database has it, without credentials or derived lists."""

    user_id = fields.String(required=True, attribute="_id")
    given_name = fields.String(required=True)
    surname = fields.String(required=True)
    display_name = fields.String(required=True)
    language = fields.String(required=True)
    emails = fields.List(fields.Nested(EmailEntry), required=True)
    phones = fields.List(fields.Nested(PhoneEntry), required=True)
    created = fields.DateTime(required=True, metadata={"doc": "ISO 8601, UTC"})
    modified = fields.DateTime(required=True, metadata={"doc": "ISO 8601, UTC"})
