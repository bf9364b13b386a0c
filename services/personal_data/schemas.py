"""personal_data's configuration, request and response schemas."""
from __future__ import annotations

import unicodedata
from typing import Any

from flask import current_app
from marshmallow import ValidationError, fields, validate

from common.config.schema import CommonConfigSchema
from common.schemas import TesseraSchema
from services.personal_data.helpers import PersonalDataMsg

NAME_MAX_CHARS = 100

#: Bidirectional embedding/override/isolate controls (category Cf): they can make a
#: name display as something else (Unicode TR #36 §2.3, "bidirectional text spoofing").
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class ConfigSchema(CommonConfigSchema):
    """``/tessera/personal_data/*``: nothing beyond the common keys (``languages`` is the
    list a user may choose from)."""


class Name(fields.String):
    """A personal name: trimmed and NFC-normalised before it is validated, so that
    ``"  Ada "`` is stored as ``"Ada"`` and the same name has one form (Unicode UAX #15)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return unicodedata.normalize("NFC", super()._deserialize(value, attr, data, **kwargs).strip())


def no_control_characters(value: str) -> None:
    """Reject C0/C1 controls (newlines, NUL, ESC…), surrogates and bidi controls."""
    if any(unicodedata.category(c) in ("Cc", "Cs") or c in _BIDI_CONTROLS for c in value):
        raise ValidationError(str(PersonalDataMsg.name_invalid))


def configured_language(value: str) -> None:
    """The language must be one of the configured ``languages`` (etcd, common)."""
    if value not in current_app.config["TESSERA"]["languages"]:
        raise ValidationError(str(PersonalDataMsg.language_invalid))


def name_field(**kwargs: Any) -> Name:
    """A name of 1–NAME_MAX_CHARS characters after trimming, without control characters."""
    return Name(validate=[validate.Length(min=1, max=NAME_MAX_CHARS), no_control_characters], **kwargs)


class UpdateUserRequest(TesseraSchema):
    """``POST /user``; ``display_name`` defaults to "given_name surname"."""

    given_name = name_field(required=True)
    surname = name_field(required=True)
    display_name = name_field(load_default=None)
    language = fields.String(required=True, validate=configured_language)


class EmailEntry(TesseraSchema):
    email = fields.String(required=True)
    verified = fields.Boolean(required=True)
    primary = fields.Boolean(required=True)


class PhoneEntry(TesseraSchema):
    number = fields.String(required=True)
    verified = fields.Boolean(required=True)
    primary = fields.Boolean(required=True)


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
