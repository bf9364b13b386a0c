"""The pure parts of the account console: how a browser is named, what an export drops."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from bson import ObjectId

from common.user_data import ownership_query
from services.security.devices import describe
from services.security.export import plain


@pytest.mark.parametrize("agent, shown", [
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Linux"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.5 Mobile/15E148 Safari/604.1", "Mobile Safari on iOS"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36 Edg/131.0.0.0", "Edge on Windows"),
    ("curl/8.5.0", "curl"),
    (None, None),
    ("", None),
])
def test_a_browser_is_named_by_family_and_system(agent, shown):
    assert describe(agent) == shown


def test_an_export_drops_every_hash_secret_code_token_and_key_at_any_depth():
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    oid = ObjectId()
    document = {
        "_id": oid, "created": moment, "webauthn_id": b"\x01\x02",
        "credentials": [{"credential_id": "c1", "type": "password", "hash": "$argon2id$x"},
                        {"credential_id": "c2", "type": "totp", "secret_enc": "gAAAA"},
                        {"credential_id": "c3", "type": "webauthn", "public_key": b"k", "passkey": True}],
        "code_hash": "ab", "code": "123456", "refresh_token": "t", "nested": [{"deep": {"client_secret": "s"}}],
    }
    assert plain(document) == {
        "_id": str(oid), "created": "2026-01-02T03:04:05+00:00", "webauthn_id": "AQI",
        "credentials": [{"credential_id": "c1", "type": "password"}, {"credential_id": "c2", "type": "totp"},
                        {"credential_id": "c3", "type": "webauthn", "passkey": True}],
        "nested": [{"deep": {}}],
    }


def test_a_users_documents_are_found_by_id_owner_or_address():
    query = ownership_query("u1", {"emails": [{"email": "A@Example.org "}], "phones": [{"number": "+46701"}]})
    assert query == {"$or": [{"_id": "u1"}, {"user_id": "u1"}, {"owner": "u1"},
                             {"subject": {"$in": ["a@example.org", "+46701"]}}]}
    assert ownership_query("u1", None) == {"$or": [{"_id": "u1"}, {"user_id": "u1"}, {"owner": "u1"}]}
