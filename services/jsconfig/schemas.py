"""jsconfig's configuration and response schemas."""
from __future__ import annotations

from marshmallow import fields, validate

from common.config.schema import CommonConfigSchema
from common.schemas import TesseraSchema


class ConfigSchema(CommonConfigSchema):
    """``/tessera/jsconfig/*``: the service map the SPA calls (name → base URL)."""

    services = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.Regexp(r"^/api/[a-z-]+/$")),
                           required=True)


class PasswordPolicyResponse(TesseraSchema):
    min_length = fields.Integer(required=True)
    max_length = fields.Integer(required=True)
    min_score = fields.Integer(required=True)


class JsConfigResponse(TesseraSchema):
    """``GET /config``: everything the SPA needs before its first call."""

    csrf_token = fields.String(required=True)
    services = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    languages = fields.List(fields.String(), required=True)
    default_language = fields.String(required=True)
    password_policy = fields.Nested(PasswordPolicyResponse, required=True)
    version = fields.String(required=True)
