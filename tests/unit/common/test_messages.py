"""``python -m common.messages``: every user-facing message key, for the SPA's catalogue
test — read from the Enums, not from the source text."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def message_keys() -> list[str]:
    result = subprocess.run([sys.executable, "-m", "common.messages"], cwd=ROOT, capture_output=True,
                            text=True, check=True, timeout=120)
    return json.loads(result.stdout)


def test_the_command_prints_every_key_sorted_once():
    keys = message_keys()
    assert all(isinstance(key, str) for key in keys)
    assert keys == sorted(set(keys))
    # one of each kind: common, the services' own, the code and contact-list keys, the
    # policy's reasons and the AM's refusals
    assert {"authn.required", "am.sync_pending", "authn.invalid_credentials", "emails.in_use",
            "emails.duplicate", "phones.not_mobile", "phones.code_throttled", "signup.code_locked",
            "reset_password.code_throttled", "password.too_guessable", "security.weak_password",
            "am.user_not_found"} <= set(keys)


def test_keys_for_operators_are_left_out():
    assert not [key for key in message_keys() if key.startswith("msg.")]
