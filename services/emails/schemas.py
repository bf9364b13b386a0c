"""emails' configuration, request and response schemas."""
from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from common.contact_list import ContactListConfigSchema
from common.schemas import TesseraSchema, code_field
from common.users import normalize_email


class ConfigSchema(ContactListConfigSchema):
    """``/tessera/emails/*``: ``max_entries`` (addresses per account) and ``add_limit``."""


class NormalizedEmail(fields.Email):
    """An address, stored and compared as ``common.users.normalize_email`` makes it;
    at most 254 characters (RFC 5321 §4.5.3.1.3)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=True, validate=validate.Length(max=254), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return normalize_email(super()._deserialize(value, attr, data, **kwargs))


class EmailRequest(TesseraSchema):
    """``/new``, ``/primary``, ``/remove``, ``/resend-code``."""

    email = NormalizedEmail()


class VerifyRequest(TesseraSchema):
    """``/verify``: the address and the code mailed to it."""

    email = NormalizedEmail()
    code = code_field()


class EmailEntry(TesseraSchema):
    email = fields.String(required=True)
    verified = fields.Boolean(required=True)
    primary = fields.Boolean(required=True)


class EmailsResponse(TesseraSchema):
    """The account's addresses (a 202 adds ``message``: ``am.sync_pending``)."""

    emails = fields.List(fields.Nested(EmailEntry), required=True)
