"""An unknown account costs the same argon2 work as a wrong password (OWASP Authentication
Cheat Sheet, "Authentication and Error Messages"): counted, not timed — a timing
assertion would flake on a busy machine, and the time itself is measured by bench/."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher, extract_parameters

from common.passwords import hash_password, verify_password

ARGON2 = {"time_cost": 2, "memory_cost_kib": 1024, "parallelism": 1}


@pytest.fixture
def verifications(monkeypatch) -> list:
    """The parameters of every argon2 verification made, in order."""
    made: list = []
    real = PasswordHasher.verify

    def spy(self, hash_, password):
        made.append(extract_parameters(hash_))
        return real(self, hash_, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    return made


def test_an_unknown_account_costs_one_verification_at_the_configured_cost(verifications):
    configured = extract_parameters(hash_password("anything", ARGON2))
    assert verify_password(None, "wrong password 123", ARGON2) is False
    assert verify_password(None, "tessera dummy password for unknown accounts", ARGON2) is False
    assert verifications == [configured, configured]


def test_a_wrong_password_costs_the_same_one_verification(verifications):
    stored = hash_password("the right password 42", ARGON2)
    assert verify_password(stored, "wrong password 123", ARGON2) is False
    assert verify_password(stored, "the right password 42", ARGON2) is True
    assert verifications == [extract_parameters(stored)] * 2
    assert extract_parameters(stored) == extract_parameters(hash_password("x", ARGON2))
