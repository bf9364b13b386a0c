"""Tessera as a WebAuthn relying party (W3C Web Authentication Level 2), with py_webauthn:
ceremony options, single-use challenges bound to the session, verification, and the
sign-count rule — shared by security (registration) and authn (assertions).

* The relying-party id, name and origins come from the service's config key ``webauthn``
  (``common.config.schema.WebauthnConfigSchema``). Browsers refuse an IP address as an
  RP id, so the dev stack's is ``localhost`` (ARCHITECTURE.md, "Known gotchas").
* A challenge is 32 random bytes (WebAuthn §13.4.3: at least 16) kept in a ``Challenge``
  flow (``common.flows``: its own Redis record, ``CHALLENGE_LIFETIME`` seconds) whose id
  the session holds under the ceremony's name; ``take_challenge`` moves it ``issued`` →
  ``used`` by compare-and-set before anything is verified, so a challenge answers one
  response only (§13.4.3) and never one of another session.
* Sign counts (§6.1.1, §13.4.8): ``sign_count_ok``. Synced passkeys (backup eligible)
  report 0 for ever; a key that counts must count up, else it may be a clone.
* Credentials are stored in the user's ``credentials`` (``common.factors``):
  ``webauthn_id`` (base64url credential id), ``public_key`` (base64url COSE key),
  ``sign_count``, ``passkey``, ``backup_eligible``, ``transports``, ``name``.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from enum import Enum
from typing import Any, Iterable, Mapping

import webauthn
from flask import current_app, session
from marshmallow import fields, validate
from webauthn.helpers import bytes_to_base64url, options_to_json_dict
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (AttestationConveyancePreference, AuthenticatorSelectionCriteria,
                                      AuthenticatorTransport, PublicKeyCredentialDescriptor, ResidentKeyRequirement,
                                      UserVerificationRequirement)

from common import factors, flows
from common.flows import Flow
from common.schemas import TesseraSchema

#: seconds from the options to the response (the browser's own timeout is the same)
CHALLENGE_LIFETIME = 300
CHALLENGE_BYTES = 32
#: ceremonies, each with its own challenge in the session
REGISTER, SECOND_FACTOR, PASSKEY = "register", "second_factor", "passkey"

_B64URL_CHARS = re.compile(r"[A-Za-z0-9_-]*={0,2}")
_TRANSPORTS = [t.value for t in AuthenticatorTransport]


class CeremonyFailed(Exception):
    """A response that does not verify: wrong challenge, origin, RP id, signature, user
    verification, an unknown credential or a sign count that went back."""


class ChallengeState(str, Enum):
    """A challenge is issued once and used once."""

    issued = "issued"
    used = "used"


class Challenge(Flow, kind="webauthn_challenge", transitions={ChallengeState.issued: {ChallengeState.used},
                                                               ChallengeState.used: set()}):
    """``data``: ``challenge`` (base64url), ``ceremony``, ``user_id`` (None for a passkey
    login, where the user is not known yet), ``passkey`` (registration: a discoverable
    credential with user verification was asked for)."""


# -- the credential JSON of navigator.credentials.create()/get() (toJSON()) --------------

class Base64Url(fields.String):
    """A base64url string (RFC 4648 §5; WebAuthn's JSON encoding of bytes), padding optional.

    Checked with ``fullmatch`` (Python's ``$`` would let a final newline through)."""

    default_error_messages = {"not_base64url": "Not base64url."}

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not _B64URL_CHARS.fullmatch(text):
            raise self.make_error("not_base64url")
        return text

    def openapi_properties(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """The same rule as a JSON Schema (ECMA-262) pattern, where ``$`` is the true end."""
        return {"pattern": "^[A-Za-z0-9_-]*={0,2}$"}


def _b64url(required: bool = True, max_chars: int = 16384, **kwargs: Any) -> Base64Url:
    return Base64Url(required=required, validate=validate.Length(max=max_chars), **kwargs)


class AttestationResponseSchema(TesseraSchema):
    """``AuthenticatorAttestationResponseJSON``."""

    clientDataJSON = _b64url()
    attestationObject = _b64url()
    authenticatorData = _b64url(required=False)
    publicKey = _b64url(required=False)
    publicKeyAlgorithm = fields.Integer()
    transports = fields.List(fields.String(validate=validate.Length(max=32)), validate=validate.Length(max=16))


class AssertionResponseSchema(TesseraSchema):
    """``AuthenticatorAssertionResponseJSON``."""

    clientDataJSON = _b64url()
    authenticatorData = _b64url()
    signature = _b64url(max_chars=1024)
    userHandle = _b64url(required=False, max_chars=128, allow_none=True)


class _CredentialSchema(TesseraSchema):
    id = _b64url(max_chars=1400)
    rawId = _b64url(max_chars=1400)
    type = fields.String(required=True, validate=validate.Equal("public-key"))
    authenticatorAttachment = fields.String(allow_none=True, validate=validate.OneOf(["platform", "cross-platform"]))
    clientExtensionResults = fields.Dict(keys=fields.String(validate=validate.Length(max=64)))


class RegistrationCredentialSchema(_CredentialSchema):
    """``RegistrationResponseJSON`` (what ``credential.toJSON()`` gives after create())."""

    response = fields.Nested(AttestationResponseSchema, required=True)


class AuthenticationCredentialSchema(_CredentialSchema):
    """``AuthenticationResponseJSON`` (what ``credential.toJSON()`` gives after get())."""

    response = fields.Nested(AssertionResponseSchema, required=True)


# -- configuration and challenges --------------------------------------------------------

def _config() -> Mapping[str, Any]:
    return current_app.config["TESSERA"]["webauthn"]


def _session_key(ceremony: str) -> str:
    return f"webauthn_{ceremony}"


def issue_challenge(ceremony: str, *, user_id: str | None, passkey: bool = False) -> bytes:
    """A new challenge for ``ceremony`` in this session (replacing an earlier one of the
    same ceremony). Redis errors (→ 503)."""
    challenge = secrets.token_bytes(CHALLENGE_BYTES)
    flow = Challenge.new(ChallengeState.issued, lifetime=CHALLENGE_LIFETIME, challenge=bytes_to_base64url(challenge),
                         ceremony=ceremony, user_id=user_id, passkey=passkey)
    flows.save_new(flow)
    flows.delete(Challenge, session.get(_session_key(ceremony)))
    session[_session_key(ceremony)] = flow.id
    return challenge


def take_challenge(ceremony: str) -> Challenge:
    """Use up this session's challenge of ``ceremony`` and return it (as it was issued).
    Raises CeremonyFailed when there is none, it expired or was used already."""
    flow_id = session.pop(_session_key(ceremony), None)
    try:
        used = flows.transition(Challenge, flow_id, ChallengeState.issued, ChallengeState.used)
    except flows.FlowError:
        raise CeremonyFailed("no challenge") from None
    return used


def _descriptors(credentials: Iterable[Mapping[str, Any]]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(
        id=webauthn.base64url_to_bytes(c["webauthn_id"]),
        transports=[AuthenticatorTransport(t) for t in c.get("transports") or [] if t in _TRANSPORTS])
        for c in factors.of_type(credentials, factors.WEBAUTHN)]


def registration_options(user: Mapping[str, Any], user_name: str, *, passkey: bool) -> dict[str, Any]:
    """``PublicKeyCredentialCreationOptions`` (JSON form) for a new credential of ``user``
    and a challenge in this session. A passkey asks for a discoverable credential with
    user verification; a security key for neither. The user's credentials are excluded
    (one registration per authenticator). ``user.id`` is the opaque user id (§14.6.1: no
    personal data in the user handle)."""
    config = _config()
    challenge = issue_challenge(REGISTER, user_id=user["_id"], passkey=passkey)
    options = webauthn.generate_registration_options(
        rp_id=config["rp_id"], rp_name=config["rp_name"], user_name=user_name, user_id=user["_id"].encode(),
        user_display_name=user.get("display_name") or user_name, challenge=challenge,
        timeout=CHALLENGE_LIFETIME * 1000, attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED if passkey else ResidentKeyRequirement.DISCOURAGED,
            user_verification=(UserVerificationRequirement.REQUIRED if passkey
                               else UserVerificationRequirement.DISCOURAGED)),
        exclude_credentials=_descriptors(user.get("credentials", [])))
    return options_to_json_dict(options)


def verify_registration(credential: Mapping[str, Any], challenge: Challenge) -> dict[str, Any]:
    """Verify a registration response against ``challenge`` (origin, RP id, user presence,
    user verification for a passkey) and return the credential to store (without
    ``credential_id``, ``name``, ``created``). Raises CeremonyFailed."""
    config = _config()
    passkey = bool(challenge.data["passkey"])
    try:
        verified = webauthn.verify_registration_response(
            credential=dict(credential), expected_challenge=webauthn.base64url_to_bytes(challenge.data["challenge"]),
            expected_rp_id=config["rp_id"], expected_origin=list(config["origins"]),
            require_user_verification=passkey)
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise CeremonyFailed(str(exc)) from exc
    transports = [t for t in credential.get("response", {}).get("transports") or [] if t in _TRANSPORTS]
    return {"type": factors.WEBAUTHN, "webauthn_id": bytes_to_base64url(verified.credential_id),
            "public_key": bytes_to_base64url(verified.credential_public_key), "sign_count": verified.sign_count,
            "passkey": passkey, "backup_eligible": verified.credential_device_type.value == "multi_device",
            "transports": transports}


def authentication_options(credentials: Iterable[Mapping[str, Any]] | None, ceremony: str,
                           user_id: str | None) -> dict[str, Any]:
    """``PublicKeyCredentialRequestOptions`` (JSON form) and a challenge in this session.
    ``credentials``: the user's (a second factor: any of its keys, user verification
    preferred) or None (a passkey login: no list, the browser offers the discoverable
    credentials it has, user verification required)."""
    passkey = credentials is None
    challenge = issue_challenge(ceremony, user_id=user_id)
    options = webauthn.generate_authentication_options(
        rp_id=_config()["rp_id"], challenge=challenge, timeout=CHALLENGE_LIFETIME * 1000,
        allow_credentials=[] if passkey else _descriptors(credentials),
        user_verification=UserVerificationRequirement.REQUIRED if passkey else UserVerificationRequirement.PREFERRED)
    return options_to_json_dict(options)


def sign_count_ok(stored: int, received: int) -> bool:
    """WebAuthn §6.1.1 / §7.2 step 21: an authenticator that keeps a counter must report
    more than the last count seen; 0 after 0 is an authenticator without a counter (synced
    passkeys, which are backup eligible, always send 0). Anything else — a count that
    stays or goes back, or 0 after a count — may come from a cloned authenticator."""
    if stored == 0 and received == 0:
        return True
    return received > stored


@dataclass(frozen=True)
class Assertion:
    """A verified assertion: the stored ``credential`` it was made with and the
    authenticator's new sign count."""

    credential: dict[str, Any]
    sign_count: int


def verify_assertion(credential: Mapping[str, Any], challenge: Challenge, candidates: Iterable[Mapping[str, Any]],
                     *, require_user_verification: bool) -> Assertion:
    """Verify an assertion against ``challenge`` with the one of ``candidates`` (stored
    WebAuthn credentials) whose id it names. Raises CeremonyFailed for an id that is not
    among them (a key of another account), a failing signature, origin, RP id or user
    verification, or a sign count that did not go up (``sign_count_ok``)."""
    config = _config()
    stored = next((dict(c) for c in factors.of_type(candidates, factors.WEBAUTHN)
                   if c.get("webauthn_id") == credential.get("id")), None)
    if stored is None:
        raise CeremonyFailed("unknown credential")
    try:
        verified = webauthn.verify_authentication_response(
            credential=dict(credential), expected_challenge=webauthn.base64url_to_bytes(challenge.data["challenge"]),
            expected_rp_id=config["rp_id"], expected_origin=list(config["origins"]),
            credential_public_key=webauthn.base64url_to_bytes(stored["public_key"]),
            # the library's own counter check is ours (sign_count_ok), made below
            credential_current_sign_count=0, require_user_verification=require_user_verification)
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise CeremonyFailed(str(exc)) from exc
    if not sign_count_ok(int(stored.get("sign_count") or 0), verified.new_sign_count):
        raise CeremonyFailed(f"sign count {verified.new_sign_count} after {stored.get('sign_count')}: "
                             "possibly a cloned authenticator")
    return Assertion(credential=stored, sign_count=verified.new_sign_count)
