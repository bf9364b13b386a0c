"""Second factors in the credentials list, without a stack: login methods, recovery code
format, removal and what the user may see."""
from __future__ import annotations

from datetime import datetime, timezone

from common import factors

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
PASSWORD = {"credential_id": "p", "type": "password", "hash": "$argon2id$…", "created": T0, "last_used": None}
TOTP = {"credential_id": "t", "type": "totp", "secret_enc": "gAAA…", "created": T0, "last_used": None}
KEY = {"credential_id": "w", "type": "webauthn", "name": "YubiKey", "public_key": "pk", "sign_count": 3,
       "passkey": False, "created": T0, "last_used": None}


def codes(used: int = 0, unused: int = 2) -> list[dict]:
    made = factors.recovery_code_credentials([f"h{i}" for i in range(used + unused)], T0)
    for entry in made[:used]:
        entry["last_used"] = T0
    return made


def test_the_password_alone_needs_no_second_step():
    assert factors.mfa_methods([PASSWORD]) == []
    assert factors.mfa_methods([PASSWORD, *codes()]) == []  # codes back up nothing


def test_methods_follow_the_factors_and_unused_codes():
    assert factors.mfa_methods([PASSWORD, TOTP]) == ["totp"]
    assert factors.mfa_methods([PASSWORD, KEY, TOTP, *codes()]) == ["totp", "webauthn", "recovery_code"]
    assert factors.mfa_methods([PASSWORD, TOTP, *codes(used=2, unused=0)]) == ["totp"]


def test_recovery_codes_are_ten_distinct_80_bit_codes_in_groups():
    made = factors.new_recovery_codes()
    assert len(made) == 10 and len(set(made)) == 10
    for code in made:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 4, 4]
        assert all(c in factors.ALPHABET for c in "".join(groups))


def test_a_code_is_read_back_whatever_its_case_spacing_and_confusable_letters():
    assert factors.normalize_recovery_code("ab1c-0def-ghjk-mnpq") == "ab1c0defghjkmnpq"
    assert factors.normalize_recovery_code(" AB1C 0DEF-GHJK mnpq ") == "ab1c0defghjkmnpq"
    assert factors.normalize_recovery_code("abIc-Odef-ghjk-mnpq") == "ab1c0defghjkmnpq"


def test_what_cannot_be_a_code_is_refused_before_any_hash():
    for text in ("", "abc", "ab1c-0def-ghjk-mnp", "ab1c-0def-ghjk-mnpqr", "ab1c-0def-ghjk-mnpu", "123456"):
        assert factors.normalize_recovery_code(text) is None


def test_new_codes_replace_every_earlier_code():
    before = [PASSWORD, TOTP, *codes(used=1, unused=1)]
    after = factors.with_recovery_codes(before, codes(unused=10))
    assert [c["type"] for c in after].count("recovery_code") == 10
    assert not any(c["credential_id"] in {x["credential_id"] for x in before[2:]} for c in after)
    assert after[:2] == [PASSWORD, TOTP]


def test_removing_a_factor_keeps_the_codes_while_another_factor_remains():
    kept = factors.without_factor([PASSWORD, TOTP, KEY, *codes()], "t")
    assert [c["type"] for c in kept] == ["password", "webauthn", "recovery_code", "recovery_code"]


def test_removing_the_last_factor_removes_the_recovery_codes():
    assert factors.without_factor([PASSWORD, TOTP, *codes()], "t") == [PASSWORD]


def test_the_password_a_code_or_an_unknown_id_is_never_removed():
    credentials = [PASSWORD, TOTP, *codes()]
    for credential_id in ("p", credentials[2]["credential_id"], "nope"):
        assert factors.without_factor(credentials, credential_id) is None


def test_the_public_view_never_shows_a_secret_hash_or_key():
    assert factors.public_view(TOTP) == {"credential_id": "t", "type": "totp", "created": T0, "last_used": None}
    assert factors.public_view(KEY) == {"credential_id": "w", "type": "webauthn", "name": "YubiKey",
                                        "passkey": False, "created": T0, "last_used": None}
