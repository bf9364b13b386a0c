"""Per-stack passwords of the backing services' users, kept in the run dir.

MongoDB's users are in ``<run>/mongo/users.json``, RabbitMQ's in
``<run>/rabbitmq/users.json``: ``{user: password}``, mode 600, made at first use.
"""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from provision.files import write_json


def stored_passwords(path: Path, users: list[str], create: bool = True) -> dict[str, str]:
    """User name → password for ``users`` from the JSON file ``path``.

    A user the file does not know yet gets a random password (32 URL-safe characters),
    written back at once, unless ``create`` is False: then only what the file holds
    ({} without one). The file is replaced atomically and never readable by others.
    """
    known: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    missing = [user for user in users if user not in known]
    if missing and create:
        known.update({user: secrets.token_urlsafe(24) for user in missing})
        write_json(path, known)
    return known


def stored_secret(path: Path) -> str:
    """The secret in the file ``path`` (one line), made at first use: 43 URL-safe random
    characters (256 bits), written mode 600. Kept for the stack's life: a new one would
    leave what was encrypted with the old one unreadable."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(32) + "\n")
    return path.read_text().strip()



def stored_signing_keys(path: Path) -> str:
    """The OIDC provider's signing keys (``services.oidc.keys``: a JSON array of private
    RSA JWKs, newest first) in the file ``path``, made at first use, mode 600."""
    from services.oidc.keys import rotated

    if not path.exists():
        _write_secret(path, rotated(None))
    return path.read_text().strip()


def rotate_signing_keys(path: Path) -> str:
    """Rotate the keys in ``path``: a new key signs, the previous one stays published."""
    from services.oidc.keys import rotated

    keys = rotated(path.read_text().strip() if path.exists() else None)
    path.unlink(missing_ok=True)
    _write_secret(path, keys)
    return keys


def _write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")
