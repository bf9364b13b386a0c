"""security's configuration, request and response schemas."""
from __future__ import annotations

from marshmallow import fields, validate

from common.config.schema import CommonConfigSchema, WebauthnConfigSchema, mfa_encryption_key_field
from common.fields import Code
from common.schemas import TesseraSchema, name_field
from common.webauthn_rp import RegistrationCredentialSchema


class ConfigSchema(CommonConfigSchema):
    """``/tessera/security/*``.

    ``change_password_limit``: Flask-Limiter string, per client address, bounding the
    argon2id hashing one client can make the service do (e.g. ``"10 per hour"``).
    """

    change_password_limit = fields.String(required=True)
    mfa_encryption_key = mfa_encryption_key_field()
    webauthn = fields.Nested(WebauthnConfigSchema, required=True)
    #: the issuer an authenticator app shows next to the account (otpauth URI)
    totp_issuer = fields.String(required=True, validate=validate.Length(min=1, max=64))


class ChangePasswordRequest(TesseraSchema):
    """``POST /change-password``. The length is checked by the policy, not here, so a
    too short password gets the policy's reason (``password.too_short``)."""

    new_password = fields.String(required=True)


class CredentialResponse(TesseraSchema):
    """One credential as the user may see it: never a hash, secret or key. ``name`` and
    ``passkey`` for WebAuthn credentials only."""

    credential_id = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(["password", "totp", "webauthn"]))
    name = fields.String()
    created = fields.DateTime(required=True)
    last_used = fields.DateTime(required=True, allow_none=True)
    passkey = fields.Boolean()


class CredentialsResponse(TesseraSchema):
    """``GET /credentials`` and every route that changes them."""

    credentials = fields.List(fields.Nested(CredentialResponse), required=True)
    recovery_codes_left = fields.Integer(required=True)


class TotpBeginResponse(TesseraSchema):
    """``POST /totp/begin``: the new secret for manual entry, the ``otpauth://`` URI and
    the same URI as a QR code (SVG)."""

    secret = fields.String(required=True, metadata={"doc": "base32"})
    otpauth_uri = fields.String(required=True)
    qr_svg = fields.String(required=True)


class TotpCompleteRequest(TesseraSchema):
    """``POST /totp/complete``: a code the authenticator app shows for the new secret."""

    code = Code(required=True, validate=validate.Length(equal=6))


class WebauthnRegisterBeginRequest(TesseraSchema):
    """``POST /webauthn/register/begin``: ``passkey`` asks for a discoverable credential with
    user verification (passwordless login); else a security key (a second factor)."""

    passkey = fields.Boolean(load_default=False)


class WebauthnRegisterBeginResponse(TesseraSchema):
    """``PublicKeyCredentialCreationOptions`` in the WebAuthn JSON form (base64url), for
    ``navigator.credentials.create()``."""

    options = fields.Dict(required=True)


class WebauthnRegisterCompleteRequest(TesseraSchema):
    """``POST /webauthn/register/complete``: the response as ``credential.toJSON()`` gives it,
    and the name the user gives the key."""

    credential = fields.Nested(RegistrationCredentialSchema, required=True)
    name = name_field(required=True)


class RemoveCredentialRequest(TesseraSchema):
    """``POST /credentials/remove``."""

    credential_id = fields.String(required=True, validate=validate.Length(min=1, max=256))


class RecoveryCodesResponse(CredentialsResponse):
    """``POST /recovery-codes``: the new codes, shown this once, and the credentials."""

    codes = fields.List(fields.String(), required=True)
