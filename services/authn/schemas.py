"""authn's configuration, request and response schemas."""
from __future__ import annotations

from limits import parse_many
from marshmallow import ValidationError, fields, validate

from common.config.schema import CommonConfigSchema, WebauthnConfigSchema, mfa_encryption_key_field
from common.factors import METHODS
from common.fields import Code
from common.schemas import CsrfTokenResponse, TesseraSchema, email_field
from common.webauthn_rp import AuthenticationCredentialSchema

#: Upper bound on a submitted password: far above the policy's max_length, low enough
#: that nobody can make argon2 chew on megabytes (OWASP Authentication Cheat Sheet).
PASSWORD_MAX_CHARS = 1024


def limit_string(value: str) -> None:
    """Validate a Flask-Limiter limit string such as ``"5 per 5 minutes"``."""
    try:
        parse_many(value)
    except ValueError as exc:
        raise ValidationError(f"Not a rate limit: {exc}") from exc


class ConfigSchema(CommonConfigSchema):
    """``/tessera/authn/*``: how many failed password checks are allowed.

    Only failures count (a 401), per account (the normalised address at login, the user
    at re-authentication) and per client address (NIST SP 800-63B §5.2.2, rate limiting).
    """

    login_failures_per_account = fields.String(required=True, validate=limit_string)
    login_failures_per_client = fields.String(required=True, validate=limit_string)
    mfa_encryption_key = mfa_encryption_key_field()
    webauthn = fields.Nested(WebauthnConfigSchema, required=True)


def password_field() -> fields.String:
    """A submitted password: not empty, at most PASSWORD_MAX_CHARS characters."""
    return fields.String(required=True, validate=validate.Length(min=1, max=PASSWORD_MAX_CHARS))


class LoginRequest(TesseraSchema):
    """``POST /login``."""

    email = email_field()
    password = password_field()


class ReauthenticateRequest(TesseraSchema):
    """``POST /reauthenticate``."""

    password = password_field()


class TotpCodeRequest(TesseraSchema):
    """``POST /mfa/totp``: the 6 digits the authenticator app shows."""

    code = Code(required=True, validate=validate.Length(equal=6))


class RecoveryCodeRequest(TesseraSchema):
    """``POST /mfa/recovery-code``: one recovery code as shown (case, spaces and hyphens
    do not matter)."""

    code = fields.String(required=True, validate=validate.Length(min=1, max=64))


class WebauthnCompleteRequest(TesseraSchema):
    """``POST /mfa/webauthn/complete`` and ``/passkey/complete``: the assertion, as
    ``credential.toJSON()`` gives it (base64url)."""

    credential = fields.Nested(AuthenticationCredentialSchema, required=True)


class WebauthnOptionsResponse(TesseraSchema):
    """``POST /mfa/webauthn/begin`` and ``/passkey/begin``: ``PublicKeyCredentialRequestOptions``
    in the WebAuthn JSON form (base64url), for ``navigator.credentials.get()``."""

    options = fields.Dict(required=True)


class SessionResponse(TesseraSchema):
    """``GET /session``: who is logged in; nulls and false when nobody is."""

    logged_in = fields.Boolean(required=True)
    user_id = fields.String(required=True, allow_none=True)
    auth_time = fields.DateTime(required=True, allow_none=True, metadata={"doc": "ISO 8601, UTC"})
    amr = fields.List(fields.String(), required=True, allow_none=True,
                      metadata={"doc": "RFC 8176 authentication method references, e.g. pwd, otp, hwk, mfa"})
    mfa_pending = fields.Boolean(required=True, metadata={"doc": "a second step is asked for"})
    mfa_methods = fields.List(fields.String(validate=validate.OneOf(METHODS)),
                              metadata={"doc": "only while a second step is pending: the methods it may be "
                                               "completed with (of totp, webauthn, recovery_code), as the "
                                               "password step answered them"})


class LoginResponse(CsrfTokenResponse):
    """``POST /login``, ``/reauthenticate`` and the ``/mfa/*`` completions: the session's
    CSRF token and state. With a second factor the password step answers
    ``mfa_required: true`` and the ``methods`` to complete it with (a login is then not
    logged in yet, and names no user)."""

    logged_in = fields.Boolean(required=True)
    user_id = fields.String(required=True, allow_none=True)
    auth_time = fields.DateTime(required=True, allow_none=True, metadata={"doc": "ISO 8601, UTC"})
    amr = fields.List(fields.String(), required=True, allow_none=True)
    mfa_required = fields.Boolean(required=True)
    methods = fields.List(fields.String(validate=validate.OneOf(METHODS)), required=True,
                          metadata={"doc": "of totp, webauthn, recovery_code"})
