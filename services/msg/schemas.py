"""The msg worker's configuration (its jobs' shapes: ``common.queues.MAIL`` and ``SMS``)."""
from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from common.config.schema import CommonConfigSchema, StrictSchema


class SmtpSchema(StrictSchema):
    """How mail leaves: an SMTP server (``timeout`` in seconds, per network operation).

    ``ssl`` is implicit TLS (port 465), ``starttls`` upgrades a plain connection; not
    both. An empty ``username`` means no authentication (the password is the top-level
    secret ``smtp_password``)."""

    host = fields.String(required=True, validate=validate.Length(min=1))
    port = fields.Integer(required=True, validate=validate.Range(min=1, max=65535))
    starttls = fields.Boolean(required=True)
    ssl = fields.Boolean(required=True)
    username = fields.String(required=True)
    timeout = fields.Float(required=True, validate=validate.Range(min=0.5, max=120), metadata={"unit": "s"})
    from_address = fields.Email(required=True)
    from_name = fields.String(required=True)

    @validates_schema
    def _one_tls(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("ssl") and data.get("starttls"):
            raise ValidationError("choose ssl or starttls, not both", "starttls")


class SmsSchema(StrictSchema):
    """How SMS leave: ``provider`` ``file`` appends JSON lines to ``file`` (the local
    stack's outbox); ``http`` POSTs to ``url`` with the bearer token ``sms_token``."""

    provider = fields.String(required=True, validate=validate.OneOf(["file", "http"]))
    file = fields.String(required=True, allow_none=True)
    url = fields.Url(required=True, allow_none=True, require_tld=False)
    timeout = fields.Float(required=True, validate=validate.Range(min=0.5, max=120), metadata={"unit": "s"})

    @validates_schema
    def _provider_target(self, data: dict[str, Any], **_kwargs: Any) -> None:
        needed = "file" if data.get("provider") == "file" else "url"
        if not data.get(needed):
            raise ValidationError(f"required by provider {data.get('provider')!r}", needed)


class ConfigSchema(CommonConfigSchema):
    """``/tessera/msg/*``. The two secrets are top-level keys because
    ``common.config`` takes secrets from ``TESSERA_SECRET_<KEY>`` for top-level keys only
    (``TESSERA_SECRET_SMTP_PASSWORD``, ``TESSERA_SECRET_SMS_TOKEN``)."""

    smtp = fields.Nested(SmtpSchema, required=True)
    smtp_password = fields.String(required=True, metadata={"secret": True})
    sms = fields.Nested(SmsSchema, required=True)
    sms_token = fields.String(required=True, metadata={"secret": True})
    sent_ttl = fields.Integer(required=True, validate=validate.Range(min=3600), metadata={
        "unit": "s", "doc": "how long the idempotency record of a sent job is kept"})
