"""Writing the files that provisioning hands to a backing service or keeps secrets in."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def write_json(path: Path, document: Any, mode: int = 0o600) -> None:
    """Replace ``path`` atomically with ``document`` as JSON, created with ``mode`` (so a
    secret is never readable by others, not even for a moment)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as f:
        json.dump(document, f, indent=2, sort_keys=True)
    os.replace(tmp, path)
