"""signup's configuration, request and response schemas."""
from __future__ import annotations

from marshmallow import fields, validate

from common.config.schema import CommonConfigSchema
from common.schemas import TesseraSchema, code_field, email_field, language_field, name_field
from services.signup.helpers import STEPS, SignupMsg

_LIMIT = validate.Regexp(r"\A[0-9]+ per ([0-9]+ )?(second|minute|hour|day)s?\Z",
                         error="Not a Flask-Limiter limit string such as '10 per minute'.")
_PATH = validate.Regexp(r"\A/[A-Za-z0-9/_-]*\Z", error="Not an absolute path of the SPA.")


class ConfigSchema(CommonConfigSchema):
    """``/tessera/signup/*``. Limits are Flask-Limiter strings, counted in Redis."""

    tou_version = fields.String(required=True, validate=validate.Length(min=1),
                                metadata={"doc": "the terms of use a new account accepts"})
    register_limit = fields.String(required=True, validate=_LIMIT, metadata={"doc": "per client address"})
    register_limit_per_address = fields.String(required=True, validate=_LIMIT,
                                               metadata={"doc": "per e-mail address, whoever asks"})
    verify_limit = fields.String(required=True, validate=_LIMIT,
                                 metadata={"doc": "failed verifications per client address"})
    resend_limit = fields.String(required=True, validate=_LIMIT, metadata={"doc": "per client address"})
    login_path = fields.String(required=True, validate=_PATH, metadata={"doc": "SPA path, after public_url"})
    reset_password_path = fields.String(required=True, validate=_PATH,
                                        metadata={"doc": "SPA path, after public_url"})


class RegisterRequest(TesseraSchema):
    """``POST /register``. The shared field types trim and check the address and names
    (``common.fields``: a name printed into the code mail is safe to print);
    ``language`` must be a configured one."""

    email = email_field()
    given_name = name_field(required=True)
    surname = name_field(required=True)
    tou_accepted = fields.Boolean(required=True, validate=validate.Equal(True, error=SignupMsg.tou_required.value))
    language = language_field(load_default=None)


class VerifyRequest(TesseraSchema):
    """``POST /verify``: the flow's address and the code mailed to it."""

    email = email_field()
    code = code_field()


class PasswordRequest(TesseraSchema):
    """``POST /password``: the new account's password (policy checked by the view's helper)."""

    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class StateResponse(TesseraSchema):
    """Where this session is in the flow; ``email`` once there is a flow."""

    step = fields.String(required=True, validate=validate.OneOf(STEPS))
    email = fields.String()
    resend_in = fields.Integer(metadata={"doc": "seconds until /resend-code may send a new code (verify step)"})


class AccountResponse(TesseraSchema):
    """``POST /password``: the logged-in session's new CSRF token and the new user id."""

    csrf_token = fields.String(required=True)
    user_id = fields.String(required=True)
