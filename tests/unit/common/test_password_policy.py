"""The password policy's guessability check knows the platform's name and the user's own
words (NIST SP 800-63B §5.1.1.2: "context-specific words, such as the name of the service")."""
from __future__ import annotations

import pytest

from common.passwords import PasswordMsg, password_score, policy_problems

POLICY = {"min_length": 10, "max_length": 128, "min_score": 3}


@pytest.mark.parametrize("password", ["Tessera2024!", "tessera2024", "TESSERA-1234", "Tessera!2025"])
def test_the_platforms_name_and_a_year_is_too_guessable(password):
    assert policy_problems(password, POLICY) == [PasswordMsg.too_guessable]


def test_the_users_own_name_and_address_make_a_password_weaker():
    password = "Lovelace1815!"
    assert policy_problems(password, POLICY) == []
    assert policy_problems(password, POLICY, ["Ada", "Lovelace", "ada@example.org"]) == [PasswordMsg.too_guessable]


def test_a_long_unusual_passphrase_still_passes():
    assert password_score("a long and unusual passphrase for tessera 7") == 4
