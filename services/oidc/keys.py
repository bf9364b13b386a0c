"""The ID-token signing keys (RS256), from the ``signing_keys`` secret.

The first key signs; every key is published in the JWKS, so tokens signed by the
previous key still verify after a rotation (``python -m devstack rotate-oidc-keys``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from joserfc.jwk import KeySet, RSAKey


@dataclass(frozen=True)
class SigningKeys:
    """``current`` signs; ``public_jwks`` is the JWKS document (public parts only)."""

    current: RSAKey
    public_jwks: dict
    key_set: KeySet


def load_signing_keys(secret: str) -> SigningKeys:
    """Parse ``secret`` (a JSON array of private RSA JWKs with ``kid``, newest first).

    Raises ValueError when it is not such an array or a key is not a private RSA key.
    """
    entries = json.loads(secret)
    if not isinstance(entries, list) or not entries:
        raise ValueError("signing_keys must be a non-empty JSON array of JWKs")
    keys = [RSAKey.import_key(entry) for entry in entries]
    if any(not key.is_private or not key.kid for key in keys):
        raise ValueError("every signing key must be a private RSA key with a kid")
    public = {"keys": [{**key.as_dict(private=False), "use": "sig", "alg": "RS256"} for key in keys]}
    return SigningKeys(current=keys[0], public_jwks=public, key_set=KeySet(keys))


def new_signing_key() -> dict:
    """A new private RSA-2048 JWK with a ``kid`` (its RFC 7638 thumbprint)."""
    key = RSAKey.generate_key(2048, private=True, auto_kid=True)
    return key.as_dict(private=True)


def rotated(secret: str | None) -> str:
    """The ``signing_keys`` secret after a rotation: a new key first, the previous
    current key kept (published, so its ID tokens still verify), older ones dropped."""
    previous = json.loads(secret)[:1] if secret else []
    return json.dumps([new_signing_key(), *previous])


def main(argv: list[str] | None = None) -> int:
    """``python -m services.oidc.keys [CURRENT]``: print the rotated key set (a new key
    first, the current one kept), e.g. for a container deployment's OIDC_SIGNING_KEYS."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    print(rotated(args[0] if args else None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
