"""``python3 -m devstack.docker_env [--force]``: the secrets of docker-compose.yml.

Writes ``.env`` from ``.env.example``, giving every variable left empty there a random
value, and ``mongo-keyfile`` (the replica set's shared key), both mode 600 next to
docker-compose.yml. Existing files are kept unless ``--force``: replacing them under
existing volumes locks the services out (MongoDB and RabbitMQ keep the first
passwords; ``docker compose down -v`` starts over).

Standard library only, like ``install``, but for the OIDC signing keys (RSA, made
with the venv's joserfc: run it with ``.venv/bin/python`` when .env has none yet).
"""
from __future__ import annotations

import argparse
import base64
import os
import re
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_EMPTY_ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)=\s*$")


def _oidc_signing_keys() -> str:
    """A new OIDC signing key set (``services.oidc.keys``; needs the venv's joserfc)."""
    from services.oidc.keys import rotated

    return rotated(None)


#: values that are no random string: name → what makes one
GENERATED = {"OIDC_SIGNING_KEYS": _oidc_signing_keys}


def fill_env(example: str) -> str:
    """``example`` (the text of .env.example) with every ``NAME=`` that has no value
    given a random one: 48 hex digits, which need no quoting or escaping in a URL, a
    shell or YAML (``GENERATED`` ones: what their function makes, single-quoted). Comments and preset values are kept."""
    lines = []
    for line in example.splitlines():
        match = _EMPTY_ASSIGNMENT.match(line)
        if match and match.group(1) in GENERATED:
            lines.append(f"{match.group(1)}='{GENERATED[match.group(1)]()}'")
        else:
            lines.append(f"{match.group(1)}={secrets.token_hex(24)}" if match else line)
    return "\n".join(lines) + "\n"


def mongo_keyfile() -> str:
    """A MongoDB keyfile: 756 random bytes in base64 (mongod accepts 6 to 1024 characters)."""
    return base64.b64encode(secrets.token_bytes(756)).decode() + "\n"


def write_private(path: Path, text: str, force: bool = False) -> bool:
    """Write ``text`` to ``path`` with mode 600 from the start; keep an existing file
    unless ``force``. Return True when written."""
    if path.exists() and not force:
        return False
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)
    return True


def main(argv: list[str] | None = None) -> int:
    """Write ``.env`` and ``mongo-keyfile`` in ``--dir`` (default: the checkout)."""
    parser = argparse.ArgumentParser(prog="python3 -m devstack.docker_env", description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=ROOT, help="where docker-compose.yml is")
    parser.add_argument("--force", action="store_true", help="replace existing files (new passwords)")
    args = parser.parse_args(argv)
    example = ROOT / ".env.example"
    for name, text in ((".env", fill_env(example.read_text())), ("mongo-keyfile", mongo_keyfile())):
        path = args.dir / name
        if write_private(path, text, args.force):
            print(f"wrote {path}")
        else:
            print(f"kept {path} (--force replaces it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
