"""Base marshmallow schemas for requests and responses.

Request schemas RAISE on unknown fields (API.md: "Unknown fields in a request body are
rejected (400), not ignored"), as eduID's ``EduidSchema`` does.
"""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate


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


def email_field(**kwargs) -> fields.Email:
    """An e-mail address field: at most 254 characters (RFC 5321 §4.5.3.1.3 path limit)."""
    return fields.Email(required=True, validate=validate.Length(max=254), **kwargs)


def code_field() -> fields.String:
    """A verification code field: digits only, 4 to 10 of them."""
    return fields.String(required=True, validate=validate.Regexp(r"^[0-9]{4,10}$", error="Not a valid code."))


class HealthResponse(TesseraSchema):
    """``/status/healthy``: each backing service → ``ok`` or ``down``."""

    status = fields.String(required=True)
    checks = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
