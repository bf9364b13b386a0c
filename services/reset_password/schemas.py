"""reset_password's configuration, request and response schemas."""
from __future__ import annotations

from marshmallow import fields, validate

from common.config.schema import CommonConfigSchema
from common.schemas import TesseraSchema, code_field, email_field


class ConfigSchema(CommonConfigSchema):
    """``/tessera/reset_password/*``: Flask-Limiter strings.

    ``start_limit_per_client`` / ``start_limit_per_address``: ``POST /start`` per client
    address and per e-mail address (mail bombing, enumeration by timing at scale).
    ``verify_limit_per_client``: wrong codes per client address, across flows (the code's
    own ``max_attempts`` bounds the guesses at one code).
    """

    start_limit_per_client = fields.String(required=True)
    start_limit_per_address = fields.String(required=True)
    verify_limit_per_client = fields.String(required=True)


class StartRequest(TesseraSchema):
    """``POST /start``."""

    email = email_field()


class VerifyRequest(TesseraSchema):
    """``POST /verify``."""

    email = email_field()
    code = code_field()


class NewPasswordRequest(TesseraSchema):
    """``POST /new-password``. The length is the policy's to judge (``password.too_short``)."""

    password = fields.String(required=True)



class StateResponse(TesseraSchema):
    """``GET /state``: where this session's reset is (``helpers.state_of``)."""

    step = fields.String(required=True, validate=validate.OneOf(["start", "verify", "new_password", "done"]))
    email = fields.String(metadata={"doc": "the address the code was sent for (verify, new_password)"})
    resend_in = fields.Integer(metadata={"doc": "seconds until /start may send a new code (verify)"})
