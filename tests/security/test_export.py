"""GET /api/security/export (*recent*): everything Tessera holds about the user, from the
same databases account deletion purges, and nothing that proves an identity."""
from __future__ import annotations

import base64
import json
from datetime import datetime, timezone

from common.catalog import EVENTS_COLLECTION, EVENTS_DB, USER_DATA_DATABASES
from tests.contacts import AM_WAIT, new_mail
from tests.factors import away_from_a_step_boundary, code_at, register_key
from tests.helpers import code_in, text_of, wait_for
from tests.users import mongo_client

EXPORT = "/api/security/export"
PROBE = "h11_probe"


def _logged_in(api, user, **kwargs):
    client = api("security", am_sync_timeout=AM_WAIT)
    client.login_as(user.user_id, **kwargs)
    return client


def _stored_secrets(stack, user_id: str) -> set[str]:
    """Every hash, encrypted secret and public key that MongoDB holds for the user, as
    text (and bytes also in base64url and hex)."""
    found: set[str] = set()

    def walk(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif key in ("hash", "secret_enc", "public_key", "code_hash"):
            if isinstance(value, bytes):
                found.update({base64.urlsafe_b64encode(value).rstrip(b"=").decode(), value.hex()})
            else:
                found.add(str(value))

    client = mongo_client(stack)
    try:
        for name in ("tessera_central", *USER_DATA_DATABASES):
            for collection in client[name].list_collection_names():
                mine = {"$or": [{"_id": user_id}, {"user_id": user_id}, {"owner": user_id}]}
                walk(list(client[name][collection].find(mine)))
    finally:
        client.close()
    return found


def test_the_export_holds_the_user_and_no_hash_secret_or_code(api, new_user, stack, outbox):
    user = new_user(given_name="Hedy")
    client = _logged_in(api, user)
    # a second address with a pending code, a TOTP, recovery codes and a security key
    second = f"more.{user.user_id[:10]}@example.org"
    emails = api("emails", am_sync_timeout=AM_WAIT)
    emails.login_as(user.user_id)
    _, mail = new_mail(outbox, second, lambda: emails.post("/api/emails/new", {"email": second}))
    pending_code = code_in(text_of(mail))
    away_from_a_step_boundary()
    secret = client.post("/api/security/totp/begin").payload["secret"]
    assert client.post("/api/security/totp/complete", {"code": code_at(secret)}).status == 200
    codes = client.post("/api/security/recovery-codes").payload["codes"]
    register_key(client, stack, name="Blue key")
    r = client.get(EXPORT)
    assert r.status == 200 and r.type == "GET_SECURITY_EXPORT_SUCCESS", r
    export = r.payload["export"]
    assert set(export) == {"user", "services", "events", "sessions", "consents", "devices"}
    assert export["user"]["_id"] == user.user_id and export["user"]["given_name"] == "Hedy"
    assert {e["email"] for e in export["user"]["emails"]} == {user.email, second}
    assert {c["type"] for c in export["user"]["credentials"]} == {"password", "totp", "webauthn", "recovery_code"}
    assert "Blue key" in [c.get("name") for c in export["user"]["credentials"]]
    assert export["services"]["emails"]["users"][0]["_id"] == user.user_id
    assert [e["type"] for e in export["events"]] == [
        "email_added", "credential_added", "recovery_codes_generated", "credential_added"]
    assert export["events"][-1]["details"] == {"type": "webauthn", "passkey": False, "name": "Blue key"}
    assert export["consents"] == [] and isinstance(export["sessions"], list)
    text = json.dumps(r.body)
    secrets = _stored_secrets(stack, user.user_id)
    assert len(secrets) >= 14  # password, TOTP secret, 10 codes, the key, the mailed code
    leaked = [s for s in secrets | {secret, pending_code, *codes} if s in text]
    assert leaked == []
    assert not [k for k in ("hash", "secret", "secret_enc", "code_hash", "public_key") if f'"{k}"' in text]
    # the export is itself a security event (after it was built)
    newest = client.get("/api/security/events").payload["events"][0]
    assert newest["type"] == "data_exported"


def test_the_export_needs_a_recent_login(api, new_user, http):
    assert http.get(EXPORT).status == 401
    client = _logged_in(api, new_user(), auth_age=301)
    r = client.get(EXPORT)
    assert r.status == 403 and r.body["meta"] == {"reauthn_required": True}


def test_export_and_deletion_cover_the_same_databases(api, new_user, stack):
    """A document of the user in each database of the one list: the export shows every one,
    and deleting the account removes every one."""
    user = new_user()
    admin = mongo_client(stack)
    try:
        for name in USER_DATA_DATABASES:
            collection = EVENTS_COLLECTION if name == EVENTS_DB else PROBE
            admin[name][collection].insert_one({"user_id": user.user_id, "type": "login", "probe": name,
                                                "at": datetime.now(timezone.utc)})
        client = _logged_in(api, user)
        export = client.get(EXPORT).payload["export"]
        shown = {d["probe"] for service in export["services"].values() for d in service.get(PROBE, [])}
        shown |= {e["probe"] for e in export["events"] if "probe" in e}
        assert shown == set(USER_DATA_DATABASES)
        assert client.post("/api/security/terminate").status in (200, 202)

        def left() -> list[str]:
            return [name for name in USER_DATA_DATABASES
                    if admin[name][EVENTS_COLLECTION if name == EVENTS_DB else PROBE]
                    .count_documents({"user_id": user.user_id})]
        assert wait_for(lambda: left() == [], timeout=AM_WAIT), left()
    finally:
        admin.close()
