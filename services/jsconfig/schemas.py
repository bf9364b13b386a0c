"""jsconfig's configuration and response schemas."""
from __future__ import annotations

from marshmallow import fields, validate

from common.config.schema import CommonConfigSchema, PasswordPolicySchema
from common.schemas import TesseraSchema


class ConfigSchema(CommonConfigSchema):
    """``/tessera/jsconfig/*``: the service map the SPA calls (name → base URL)."""

    services = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.Regexp(r"\A/api/[a-z-]+/\Z")),
                           required=True)


class JsConfigResponse(TesseraSchema):
    """``GET /config``: everything the SPA needs before its first call (the password
    policy as configured: ``common.config.schema.PasswordPolicySchema``)."""

    csrf_token = fields.String(required=True)
    services = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    languages = fields.List(fields.String(), required=True)
    default_language = fields.String(required=True)
    password_policy = fields.Nested(PasswordPolicySchema, required=True)
    phone_default_region = fields.String(required=True, metadata={
        "description": "ISO 3166-1 alpha-2 region of phone numbers written without +"})
    version = fields.String(required=True)
