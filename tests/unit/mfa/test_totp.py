"""TOTP without a stack: the ±1 step window at chosen times, the RFC 6238 test vector,
the QR code, and the secrets' encryption at rest."""
from __future__ import annotations

import base64

import pyotp
import pytest

from common import totp
from common.config.schema import mfa_encryption_key_field

CONFIG = {"mfa_encryption_key": "k" * 40}


def test_the_rfc_6238_test_vector():
    # RFC 6238 Appendix B, SHA-1, T = 59 s: 94287082 (8 digits); our 6 digits are its last six
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp.code_at_step(secret, totp.step_at(59)) == "287082"


@pytest.mark.parametrize("offset, accepted", [(-2, False), (-1, True), (0, True), (1, True), (2, False)])
def test_a_code_is_accepted_one_step_either_side_and_no_further(offset, accepted):
    secret = totp.new_secret()
    moment = 1_800_000_015.0  # the middle of a step
    code = pyotp.TOTP(secret).at(moment + offset * totp.PERIOD)
    step = totp.matching_step(secret, code, moment)
    assert (step == totp.step_at(moment) + offset) if accepted else step is None


def test_codes_of_another_form_never_match():
    secret = totp.new_secret()
    moment = 1_800_000_000.0
    code = pyotp.TOTP(secret).at(moment)
    for wrong in ("", code[:5], code + "0", " " + code, "abcdef"):
        assert totp.matching_step(secret, wrong, moment) is None


def test_a_secret_has_160_bits():
    secret = totp.new_secret()
    assert len(base64.b32decode(secret)) == 20


def test_the_otpauth_uri_and_its_qr_code():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "ada@example.org", "Tessera")
    assert uri.startswith("otpauth://totp/Tessera:ada%40example.org?")
    assert "secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" in uri and "issuer=Tessera" in uri
    svg = totp.qr_svg(uri)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")


def test_a_secret_is_encrypted_and_reads_back():
    token = totp.encrypt_secret("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", CONFIG)
    assert "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" not in token
    assert totp.decrypt_secret(token, CONFIG) == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_rotation_the_first_key_encrypts_every_key_decrypts():
    old = totp.encrypt_secret("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", CONFIG)
    rotated = {"mfa_encryption_key": "n" * 40 + "," + "k" * 40}
    assert totp.decrypt_secret(old, rotated) == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    new = totp.encrypt_secret("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", rotated)
    with pytest.raises(totp.SecretUnreadable):
        totp.decrypt_secret(new, CONFIG)


def test_the_config_key_needs_32_characters_per_secret():
    field = mfa_encryption_key_field()
    assert field.metadata["secret"] is True
    field.deserialize("x" * 32 + "," + "y" * 40)
    with pytest.raises(Exception, match="at least 32"):
        field.deserialize("x" * 40 + ",short")
