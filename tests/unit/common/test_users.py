"""common.users without a database or a request: the password rules raise a domain error
(answered 400 by common.errors), and a new password replaces only the password credential."""
from __future__ import annotations

import pytest
from flask import Flask

from common.domain import WeakPassword
from common.passwords import PasswordMsg, verify_password
from common.users import new_password_credentials, password_inputs, with_new_password

USER = {"given_name": "Ada", "surname": "Lovelace", "emails": [{"email": "ada@example.org"}],
        "credentials": [{"credential_id": "old", "type": "password", "hash": "x"},
                        {"credential_id": "key1", "type": "webauthn"}]}
#: the cheapest argon2id cost argon2-cffi accepts: the rules, not the cost, are under test
CONFIG = {"password_policy": {"min_length": 10, "max_length": 128, "min_score": 3},
          "argon2": {"time_cost": 1, "memory_cost_kib": 8, "parallelism": 1}}


@pytest.fixture
def app_context():
    app = Flask(__name__)
    app.config["TESSERA"] = CONFIG
    with app.app_context():
        yield


@pytest.mark.parametrize("password,reasons", [
    ("short", [PasswordMsg.too_short]),
    ("x" * 129, [PasswordMsg.too_long]),
    ("adalovelace", [PasswordMsg.too_guessable]),  # long enough, but the user's own words
])
def test_a_weak_password_raises_the_callers_key_with_the_policys_reasons(app_context, password, reasons):
    with pytest.raises(WeakPassword) as raised:
        new_password_credentials(USER, password, "security.weak_password")
    assert raised.value.key == "security.weak_password"
    assert raised.value.field == "password" and raised.value.reasons == reasons


def test_a_good_password_replaces_only_the_password_credential(app_context):
    credentials = new_password_credentials(USER, "correct horse battery staple 42", "security.weak_password")
    assert [c["type"] for c in credentials] == ["webauthn", "password"]
    assert credentials[1]["credential_id"] != "old"
    assert verify_password(credentials[1]["hash"], "correct horse battery staple 42", CONFIG["argon2"])


def test_the_users_own_words_are_names_and_addresses():
    assert password_inputs(USER) == ["Ada", "Lovelace", "ada@example.org"]


def test_with_new_password_keeps_other_credentials_in_order():
    result = with_new_password(USER["credentials"], "hash")
    assert [(c["credential_id"], c["type"]) for c in result[:1]] == [("key1", "webauthn")]
    assert result[1]["hash"] == "hash" and result[1]["last_used"] is None
