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


class SessionResponse(TesseraSchema):
    """One live session of the user: ``id`` a public handle (never the cookie), whether it
    is ``current``, ``created`` (its login) and ``last_seen`` (to the minute), the client
    address, the browser as ``"Firefox on Linux"`` and ``amr`` (RFC 8176) of its login."""

    id = fields.String(required=True)
    current = fields.Boolean(required=True)
    created = fields.DateTime(required=True, allow_none=True)
    last_seen = fields.DateTime(required=True, allow_none=True)
    ip = fields.String(required=True, allow_none=True)
    user_agent = fields.String(required=True, allow_none=True)
    amr = fields.List(fields.String(), required=True)


class SessionsResponse(TesseraSchema):
    """``GET /sessions`` and both revokes: the remaining live sessions."""

    sessions = fields.List(fields.Nested(SessionResponse), required=True)


class RevokeSessionRequest(TesseraSchema):
    """``POST /sessions/revoke``: the session's public ``id`` (base64url, 22 characters)."""

    id = fields.String(required=True, validate=validate.Regexp(r"\A[A-Za-z0-9_-]{22}\Z"))


class KnownDeviceResponse(TesseraSchema):
    """A browser known for the account (``common.known_devices``): a public ``id`` (never
    the cookie), its ``label`` (``"Firefox on Linux"``), when it first and last logged in,
    and whether it is this browser (``current``)."""

    id = fields.String(required=True)
    label = fields.String(required=True, allow_none=True)
    first_seen = fields.DateTime(required=True, allow_none=True)
    last_seen = fields.DateTime(required=True, allow_none=True)
    current = fields.Boolean(required=True)


class DevicesResponse(TesseraSchema):
    """``GET /devices`` and ``/devices/forget``: the browsers known for the account, most
    recently seen first."""

    devices = fields.List(fields.Nested(KnownDeviceResponse), required=True)


class ForgetDeviceRequest(TesseraSchema):
    """``POST /devices/forget``: the known device's public ``id`` (base64url, 16 characters)."""

    id = fields.String(required=True, validate=validate.Regexp(r"\A[A-Za-z0-9_-]{16}\Z"))


class EventsQuery(TesseraSchema):
    """``GET /events?before=<cursor>``: the ``next`` of the previous page."""

    before = fields.String(load_default=None, validate=validate.Regexp(r"\A[0-9]{1,15}\.[0-9a-f]{24}\Z"))


class EventResponse(TesseraSchema):
    """One security event: ``type`` (API.md's list), when, from where, with which browser,
    and ``details`` (e.g. the address added; never a secret)."""

    id = fields.String(required=True)
    type = fields.String(required=True)
    at = fields.DateTime(required=True)
    ip = fields.String(required=True, allow_none=True)
    user_agent = fields.String(required=True, allow_none=True)
    details = fields.Dict(required=True)


class EventsResponse(TesseraSchema):
    """``GET /events``: a page of events, newest first, and the cursor of the next (or null)."""

    events = fields.List(fields.Nested(EventResponse), required=True)
    next = fields.String(required=True, allow_none=True)


class ExportResponse(TesseraSchema):
    """``GET /export``: ``export`` = ``{user, services, events, sessions, consents, devices}``
    (``services.security.export.build``), as plain JSON."""

    export = fields.Dict(required=True)
