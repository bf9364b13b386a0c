"""WebAuthn without a stack: the sign-count rule (WebAuthn §6.1.1) and the credential JSON
schemas that stand before py_webauthn."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError

from common.config.schema import WebauthnConfigSchema
from common.webauthn_rp import AuthenticationCredentialSchema, RegistrationCredentialSchema, sign_count_ok


@pytest.mark.parametrize("stored, received, ok", [
    (0, 0, True),    # no counter: synced passkeys (backup eligible) always send 0
    (0, 1, True),    # the first count
    (5, 6, True),
    (5, 50, True),   # counters may jump (shared between credentials of one key)
    (5, 5, False),   # did not count up: a clone used in between, or a replay
    (5, 4, False),
    (5, 0, False),   # a counting key that suddenly sends 0
])
def test_the_sign_count_rule(stored, received, ok):
    assert sign_count_ok(stored, received) is ok


ASSERTION = {"id": "AbC-_1", "rawId": "AbC-_1", "type": "public-key",
             "response": {"clientDataJSON": "eyJ9", "authenticatorData": "AAAA", "signature": "MEUC",
                          "userHandle": None},
             "clientExtensionResults": {}, "authenticatorAttachment": "platform"}


def test_an_assertion_as_chrome_s_to_json_gives_it_loads():
    assert AuthenticationCredentialSchema().load(ASSERTION)["response"]["signature"] == "MEUC"


@pytest.mark.parametrize("change", [
    {"type": "password"},
    {"id": "not base64url!"},
    {"id": "AbC-_1\n"},  # Python's $ would let this through
    {"response": {**ASSERTION["response"], "signature": 5}},
    {"response": {**ASSERTION["response"], "extra": "x"}},
    {"surprise": True},
    {"authenticatorAttachment": "usb"},
])
def test_malformed_assertions_are_refused(change):
    with pytest.raises(ValidationError):
        AuthenticationCredentialSchema().load({**ASSERTION, **change})


def test_a_registration_needs_its_attestation_object():
    registration = {**ASSERTION, "response": {"clientDataJSON": "eyJ9", "transports": ["usb", "internal"]}}
    with pytest.raises(ValidationError, match="attestationObject"):
        RegistrationCredentialSchema().load(registration)
    registration["response"]["attestationObject"] = "o2Nm"
    assert RegistrationCredentialSchema().load(registration)["response"]["transports"] == ["usb", "internal"]


@pytest.mark.parametrize("rp_id, ok", [("localhost", True), ("id.example.org", True), ("127.0.0.1", False),
                                       ("", False), ("Example.org", False)])
def test_the_relying_party_id_is_a_domain_never_an_ip_address(rp_id, ok):
    config = {"rp_id": rp_id, "rp_name": "Tessera", "origins": ["http://localhost:8080"]}
    if ok:
        assert WebauthnConfigSchema().load(config)["rp_id"] == rp_id
    else:
        with pytest.raises(ValidationError):
            WebauthnConfigSchema().load(config)
