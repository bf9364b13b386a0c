"""A software WebAuthn authenticator for the API tests, on ``cryptography`` and ``cbor2``:
it answers the options of ``navigator.credentials.create()`` and ``.get()`` as a browser
with an authenticator would (the JSON of ``credential.toJSON()``), with an ES256 key,
``none`` attestation, and a sign count the test controls (a cloned key replays an old one;
a synced passkey counts 0 and is backup eligible).

WebAuthn Level 2: authenticator data §6.1 (rpIdHash, flags UP 0x01, UV 0x04, BE 0x08,
BS 0x10, AT 0x40, signCount), attested credential data §6.5.1, COSE EC2 key (RFC 9053),
the assertion signature over ``authenticatorData || SHA-256(clientDataJSON)`` §6.3.3.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class SoftAuthenticator:
    """One credential of one authenticator. ``counts``: it keeps a signature counter
    (False: a synced passkey, always 0, backup eligible and backed up); ``verifies_user``:
    it sets UV (a PIN or biometric was checked)."""

    origin: str
    counts: bool = True
    verifies_user: bool = True
    sign_count: int = 0
    credential_id: bytes = field(default_factory=lambda: os.urandom(32))
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    user_handle: bytes | None = None
    rp_id: str | None = None

    def clone(self) -> "SoftAuthenticator":
        """A copy of this authenticator with the same key and counter (a cloned key)."""
        twin = copy.copy(self)
        return twin

    def _flags(self, *extra: int) -> int:
        flags = UP | (UV if self.verifies_user else 0)
        if not self.counts:
            flags |= BE | BS
        for bit in extra:
            flags |= bit
        return flags

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _client_data(self, kind: str, challenge: str, origin: str | None = None) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin or self.origin,
                           "crossOrigin": False}).encode()

    def create(self, options: dict[str, Any], origin: str | None = None) -> dict[str, Any]:
        """The ``RegistrationResponseJSON`` for ``options`` (PublicKeyCredentialCreationOptionsJSON)."""
        self.rp_id = options["rp"]["id"]
        self.user_handle = unb64url(options["user"]["id"])
        if self.counts:
            self.sign_count += 1
        attested = (b"\0" * 16 + struct.pack(">H", len(self.credential_id)) + self.credential_id + self._cose_key())
        auth_data = (hashlib.sha256(self.rp_id.encode()).digest() + bytes([self._flags(AT)])
                     + struct.pack(">I", self.sign_count) + attested)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        return {"id": b64url(self.credential_id), "rawId": b64url(self.credential_id), "type": "public-key",
                "response": {"clientDataJSON": b64url(client_data), "attestationObject": b64url(attestation),
                             "transports": ["usb"]},
                "clientExtensionResults": {}, "authenticatorAttachment": "cross-platform"}

    def get(self, options: dict[str, Any], origin: str | None = None, *, sign_count: int | None = None,
            rp_id: str | None = None) -> dict[str, Any]:
        """The ``AuthenticationResponseJSON`` for ``options`` (PublicKeyCredentialRequestOptionsJSON).
        ``sign_count`` overrides the counter (else it goes up by one when it counts)."""
        if sign_count is not None:
            self.sign_count = sign_count
        elif self.counts:
            self.sign_count += 1
        auth_data = (hashlib.sha256((rp_id or options.get("rpId") or self.rp_id).encode()).digest()
                     + bytes([self._flags()]) + struct.pack(">I", self.sign_count))
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {"id": b64url(self.credential_id), "rawId": b64url(self.credential_id), "type": "public-key",
                "response": {"clientDataJSON": b64url(client_data), "authenticatorData": b64url(auth_data),
                             "signature": b64url(signature),
                             "userHandle": b64url(self.user_handle) if self.user_handle else None},
                "clientExtensionResults": {}, "authenticatorAttachment": "cross-platform"}
