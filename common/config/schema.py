"""The configuration keys every service shares (``/tessera/common/*``).

A service's ``ConfigSchema`` subclasses ``CommonConfigSchema`` and adds its own keys.
Unknown keys are an error, so a typo in ``etcd-seed/`` stops the start instead of
being silently ignored.
"""
from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from common.amqp import QUEUE_TYPES
from common.fields import PHONE_REGIONS


class StrictSchema(Schema):
    """Base for config schemas: unknown keys are rejected."""

    class Meta:
        unknown = RAISE


class PasswordPolicySchema(StrictSchema):
    """NIST SP 800-63B §5.1.1.2: a minimum length of at least 8 (we use 10), a maximum of
    at least 64, a check against guessable passwords (zxcvbn score) and no composition rules."""

    min_length = fields.Integer(required=True, validate=validate.Range(min=8, max=128))
    max_length = fields.Integer(required=True, validate=validate.Range(min=64, max=1024))
    min_score = fields.Integer(required=True, validate=validate.Range(min=0, max=4))


class Argon2Schema(StrictSchema):
    """argon2id cost. OWASP Password Storage Cheat Sheet: at least m=19 MiB, t=2, p=1."""

    time_cost = fields.Integer(required=True, validate=validate.Range(min=2))
    memory_cost_kib = fields.Integer(required=True, validate=validate.Range(min=19 * 1024))
    parallelism = fields.Integer(required=True, validate=validate.Range(min=1, max=16))


class VerificationCodeSchema(StrictSchema):
    """Rules for the numeric codes mailed or sent by SMS."""

    length = fields.Integer(required=True, validate=validate.Range(min=6, max=10))
    ttl = fields.Integer(required=True, validate=validate.Range(min=60), metadata={"unit": "s"})
    max_attempts = fields.Integer(required=True, validate=validate.Range(min=1, max=20))
    resend_interval = fields.Integer(required=True, validate=validate.Range(min=0), metadata={"unit": "s"})
    max_sends = fields.Integer(required=True, validate=validate.Range(min=1),
                               metadata={"doc": "codes sent for one address per ttl"})


#: at least 32 characters per secret, as for ``secret_key`` (a random string of that
#: length holds well over the 128 bits an AES-128 key needs)
MFA_KEY_MIN_CHARS = 32


def _encryption_secrets(value: str) -> None:
    """Validate one or more secrets of at least MFA_KEY_MIN_CHARS characters, comma-separated."""
    if any(len(part.strip()) < MFA_KEY_MIN_CHARS for part in value.split(",")):
        raise ValidationError(f"Each comma-separated secret must have at least {MFA_KEY_MIN_CHARS} characters.")


def mfa_encryption_key_field() -> fields.String:
    """``mfa_encryption_key``: the secret(s) from which the keys that encrypt TOTP secrets
    at rest are derived (``common.totp``; the first encrypts, all decrypt, for rotation),
    for the services that read or write them (authn, security) only.
    A secret: the seed fills it from ``${MFA_ENCRYPTION_KEY}`` (generated per stack by
    devstack, in ``.env`` for containers) and ``TESSERA_SECRET_MFA_ENCRYPTION_KEY``
    overrides it (``common.config.apply_secrets``)."""
    return fields.String(required=True, validate=_encryption_secrets, metadata={"secret": True})


class WebauthnConfigSchema(StrictSchema):
    """``webauthn``: Tessera as a WebAuthn relying party (``common.webauthn_rp``), for the
    services that register or check keys (security, authn). ``rp_id``: a registrable
    domain (never an IP address: browsers refuse one), e.g. ``localhost`` on the dev
    stack; ``origins``: every origin the SPA is served from (``http://localhost:8080``),
    checked against the browser's ``clientDataJSON.origin`` (WebAuthn §7.1 step 9)."""

    rp_id = fields.String(required=True, validate=validate.Regexp(
        r"\A(?=.*[a-z])[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\Z", error="Not a domain name (an IP address is refused)."))
    rp_name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    origins = fields.List(fields.Url(require_tld=False, schemes={"http", "https"}), required=True,
                          validate=validate.Length(min=1))


#: Keys every service must have but sets in its own namespace, as they differ per service.
PER_SERVICE_KEYS = ("mongo_username", "mongo_password", "amqp_username", "amqp_password")


class CommonConfigSchema(StrictSchema):
    """Keys under ``/tessera/common``. Durations are in seconds."""

    secret_key = fields.String(required=True, validate=validate.Length(min=32), metadata={"secret": True})
    mongo_uri = fields.String(required=True, metadata={"secret": True})
    # Each service's own MongoDB user: set in its namespace, never in the common one.
    mongo_username = fields.String(required=True, validate=validate.Length(min=1))
    mongo_password = fields.String(required=True, validate=validate.Length(min=1), metadata={"secret": True})
    redis_url = fields.String(required=True, metadata={"secret": True})
    amqp_url = fields.String(required=True, metadata={"secret": True})
    # Each service's own RabbitMQ user (svc_<name>): set in its namespace, like Mongo's.
    amqp_username = fields.String(required=True, validate=validate.Length(min=1))
    amqp_password = fields.String(required=True, validate=validate.Length(min=1), metadata={"secret": True})
    # classic on one node, quorum on a cluster (common.amqp.queue_specs)
    amqp_queue_type = fields.String(required=True, validate=validate.OneOf(QUEUE_TYPES))
    public_url = fields.Url(required=True, require_tld=False)
    session_cookie_name = fields.String(required=True)
    session_cookie_secure = fields.Boolean(required=True)
    session_idle_lifetime = fields.Integer(required=True, validate=validate.Range(min=60))
    session_absolute_lifetime = fields.Integer(required=True, validate=validate.Range(min=60))
    reauthn_max_age = fields.Integer(required=True, validate=validate.Range(min=10))
    max_content_length = fields.Integer(required=True, validate=validate.Range(min=1024))
    am_sync_timeout = fields.Float(required=True, validate=validate.Range(min=0.1, max=60))
    log_level = fields.String(required=True, validate=validate.OneOf(["DEBUG", "INFO", "WARNING", "ERROR"]))
    languages = fields.List(fields.String(validate=validate.Length(equal=2)), required=True,
                            validate=validate.Length(min=1))
    default_language = fields.String(required=True, validate=validate.Length(equal=2))
    # the deployment's region (phones reads numbers without + in it; jsconfig tells the SPA)
    phone_default_region = fields.String(required=True, validate=validate.OneOf(
        PHONE_REGIONS, error="Not an ISO 3166-1 alpha-2 region that libphonenumber supports."))
    password_policy = fields.Nested(PasswordPolicySchema, required=True)
    argon2 = fields.Nested(Argon2Schema, required=True)
    verification_code = fields.Nested(VerificationCodeSchema, required=True)
    version = fields.String(required=True)
