"""Base marshmallow schemas for requests and responses.

Request schemas RAISE on unknown fields (API.md: "Unknown fields in a request body are
rejected (400), not ignored"), as eduID's ``EduidSchema`` does.
"""
from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields

from common.fields import Code, Email, Language, Name, PhoneDisplay


class TesseraSchema(Schema):
    """Base of every request and response schema: unknown fields are an error."""

    class Meta:
        unknown = RAISE


class EmptyRequest(TesseraSchema):
    """A request with no body fields (an empty JSON object or no body)."""


class EmptyResponse(TesseraSchema):
    """A response with an empty payload."""


class CsrfTokenResponse(TesseraSchema):
    """A response that carries the (new) CSRF token of the session."""

    csrf_token = fields.String(required=True)


def email_field(**kwargs: Any) -> Email:
    """A required e-mail address, normalised and mailable (``common.fields.Email``)."""
    return Email(required=True, **kwargs)


def code_field() -> Code:
    """A required verification code: 4 to 10 ASCII digits (``common.fields.Code``)."""
    return Code(required=True)


def name_field(**kwargs: Any) -> Name:
    """A personal name (``common.fields.Name``); pass ``required=True`` or ``load_default``."""
    return Name(**kwargs)


def language_field(**kwargs: Any) -> Language:
    """One of the configured languages (``common.fields.Language``)."""
    return Language(**kwargs)


class EmailEntry(TesseraSchema):
    """An address of a user as the API shows it (``emails``, ``personal-data``)."""

    email = fields.String(required=True)
    verified = fields.Boolean(required=True)
    primary = fields.Boolean(required=True)


class PhoneEntry(TesseraSchema):
    """A number of a user as the API shows it, in E.164 (``phones``, ``personal-data``)."""

    number = fields.String(required=True)
    verified = fields.Boolean(required=True)
    primary = fields.Boolean(required=True)
    display = PhoneDisplay()  # the number grouped for people: +46 70 123 45 67


class HealthResponse(TesseraSchema):
    """``/status/healthy``: each backing service → ``ok`` or ``down``."""

    status = fields.String(required=True)
    checks = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
