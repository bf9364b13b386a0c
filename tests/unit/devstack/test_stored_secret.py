"""The per-stack secret of authn's and security's TOTP encryption (``MFA_ENCRYPTION_KEY``):
made once, private, and the same at every seed (a new one would make stored secrets unreadable)."""
from __future__ import annotations

import stat

from common.config.schema import mfa_encryption_key_field
from devstack.credentials import stored_secret


def test_the_secret_is_made_once_private_and_kept(tmp_path):
    path = tmp_path / "run" / "mfa-encryption.key"
    first = stored_secret(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stored_secret(path) == first
    assert mfa_encryption_key_field().deserialize(first) == first  # long enough for the config
    assert stored_secret(tmp_path / "other.key") != first
