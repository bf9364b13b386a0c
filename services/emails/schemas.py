"""emails' configuration and request/response schemas."""
from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from common.contact_list import ContactListConfigSchema, ContactSchemas
from common.users import normalize_email
from services.emails.helpers import EMAILS


class ConfigSchema(ContactListConfigSchema):
    """``/tessera/emails/*``: ``max_entries`` (addresses per account) and ``add_limit``."""


class NormalizedEmail(fields.Email):
    """An address, stored and compared as ``common.users.normalize_email`` makes it;
    at most 254 characters (RFC 5321 §4.5.3.1.3)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=True, validate=validate.Length(max=254), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return normalize_email(super()._deserialize(value, attr, data, **kwargs))


#: ``{email}``, ``{email, code}`` and ``{emails: [{email, verified, primary}]}``
SCHEMAS = ContactSchemas.build(EMAILS, NormalizedEmail, "Email")
