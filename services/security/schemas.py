"""security's configuration, request and response schemas."""
from __future__ import annotations

from marshmallow import fields, validate

from common.config.schema import CommonConfigSchema, mfa_encryption_key_field
from common.schemas import TesseraSchema


class ConfigSchema(CommonConfigSchema):
    """``/tessera/security/*``.

    ``change_password_limit``: Flask-Limiter string, per client address, bounding the
    argon2id hashing one client can make the service do (e.g. ``"10 per hour"``).
    """

    change_password_limit = fields.String(required=True)
    mfa_encryption_key = mfa_encryption_key_field()
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

    code = fields.String(required=True, validate=validate.Regexp(r"\A[0-9]{6}\Z", error="Not a 6-digit code."))


class RemoveCredentialRequest(TesseraSchema):
    """``POST /credentials/remove``."""

    credential_id = fields.String(required=True, validate=validate.Length(min=1, max=256))


class RecoveryCodesResponse(CredentialsResponse):
    """``POST /recovery-codes``: the new codes, shown this once, and the credentials."""

    codes = fields.List(fields.String(), required=True)
