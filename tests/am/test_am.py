"""The attribute manager against the real RabbitMQ and MongoDB of the test stack."""
from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pika
import pytest


from common.config import etcd_client, read_namespace
from devstack import manager
from services.am.central import verified_emails, verified_phones
from tests.broker import wait_until
from tests.helpers import service_amqp
from tests.users import central_user


def _sync(service: str, user_id: str, attributes: list[str], version: int) -> dict:
    return {"op": "sync", "service": service, "user_id": user_id, "attributes": attributes, "version": version}


def _email(address: str, verified: bool = True, primary: bool = False) -> dict:
    return {"email": address, "verified": verified, "primary": primary,
            "created": datetime(2026, 1, 1, tzinfo=timezone.utc)}


def _phone(number: str, verified: bool = True, primary: bool = False) -> dict:
    return {"number": number, "verified": verified, "primary": primary}


def test_derived_lists():
    emails = [_email("Ada@Example.org", primary=True), _email("x@example.org", verified=False),
              _email("ada@example.org")]
    assert verified_emails(emails) == ["ada@example.org"]
    phones = [_phone("+46701234567", primary=True), _phone("+46707654321", verified=False)]
    assert verified_phones(phones) == ["+46701234567"]
    assert verified_emails([]) == [] and verified_phones(None) == []


def test_copies_whitelisted_attributes(stack, make_user, write_private, am_call):
    user = make_user()
    before = central_user(stack, user.user_id)
    version = write_private("personal_data", user.user_id, given_name="Grace", surname="Hopper",
                            display_name="Amazing Grace", language="sv")
    reply = am_call(_sync("personal_data", user.user_id, ["given_name", "surname", "display_name", "language"],
                          version))
    assert reply == {"ok": True}
    after = central_user(stack, user.user_id)
    assert (after["given_name"], after["surname"], after["display_name"], after["language"]) == (
        "Grace", "Hopper", "Amazing Grace", "sv")
    assert after["modified"] > before["modified"]
    assert after["emails"] == before["emails"] and after["credentials"] == before["credentials"]
    assert "version" not in after


def test_signup_first_sync_creates_the_user(stack, write_private, am_call):
    user_id = uuid.uuid4().hex
    version = write_private("signup", user_id, given_name="Ada", surname="Lovelace", display_name="Ada Lovelace",
                            language="en", emails=[_email("Ada@Example.org", primary=True)],
                            credentials=[{"credential_id": "c1", "type": "password", "hash": "$argon2id$x"}],
                            tou={"version": "2024-01"})
    attributes = ["given_name", "surname", "display_name", "language", "emails", "credentials", "tou"]
    assert am_call(_sync("signup", user_id, attributes, version)) == {"ok": True}
    user = central_user(stack, user_id)
    assert user["given_name"] == "Ada" and user["credentials"][0]["credential_id"] == "c1"
    assert user["verified_emails"] == ["ada@example.org"]
    assert user["created"] == user["modified"]
    # redelivered / repeated: harmless, created stays
    time.sleep(0.01)
    assert am_call(_sync("signup", user_id, attributes, version)) == {"ok": True}
    again = central_user(stack, user_id)
    assert again["created"] == user["created"] and again["modified"] >= user["modified"]


def test_refuses_an_attribute_outside_the_whitelist(stack, make_user, write_private, am_call):
    user = make_user()
    before = central_user(stack, user.user_id)
    version = write_private("personal_data", user.user_id, given_name="Mallory",
                            emails=[_email("mallory@example.org", primary=True)])
    reply = am_call(_sync("personal_data", user.user_id, ["given_name", "emails"], version))
    assert reply == {"ok": False, "error": "am.attribute_not_allowed"}
    assert central_user(stack, user.user_id) == before  # not even the allowed part


def test_refuses_an_unknown_service(stack, make_user, write_private, am_call):
    user = make_user()
    before = central_user(stack, user.user_id)
    # a service that does not exist has no user to send as: it can only pretend
    version = write_private("evil", user.user_id, given_name="Mallory")
    assert am_call(_sync("evil", user.user_id, ["given_name"], version), as_service="personal_data") == {
        "ok": False, "error": "am.sender_not_allowed"}
    # a worker that sends as itself has no whitelist entry
    assert am_call(_sync("msg", user.user_id, ["given_name"], version), as_service="msg") == {
        "ok": False, "error": "am.attribute_not_allowed"}
    # and jsconfig, which has no use for queues, may not publish at all
    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
        am_call(_sync("jsconfig", user.user_id, ["given_name"], version), as_service="jsconfig")
    assert refused.value.reply_code == 403
    assert central_user(stack, user.user_id) == before


def test_refuses_a_malformed_request(stack, am_call):
    assert am_call({"op": "sync", "service": "signup"}) == {"ok": False, "error": "am.message_invalid"}
    assert am_call({"op": "rename", "user_id": "x"}) == {"ok": False, "error": "am.message_invalid"}


def test_user_not_found(stack, write_private, am_call):
    ghost = uuid.uuid4().hex
    # no private copy at all
    assert am_call(_sync("personal_data", ghost, ["given_name"], 1)) == {"ok": False, "error": "am.user_not_found"}
    # a private copy, but only signup may create a central user
    version = write_private("personal_data", ghost, given_name="Ghost")
    assert am_call(_sync("personal_data", ghost, ["given_name"], version)) == {
        "ok": False, "error": "am.user_not_found"}
    assert central_user(stack, ghost) is None


def test_a_copy_not_yet_at_the_version_is_retried(stack, make_user, write_private, am_call, mongo):
    user = make_user()
    write_private("personal_data", user.user_id, version=1, given_name="Old")

    def catch_up() -> None:  # the service's write becomes visible after the request
        time.sleep(0.5)
        write_private("personal_data", user.user_id, version=2, given_name="New")

    thread = threading.Thread(target=catch_up)
    thread.start()
    reply = am_call(_sync("personal_data", user.user_id, ["given_name"], 2), timeout=15)
    thread.join()
    assert reply == {"ok": True}
    assert central_user(stack, user.user_id)["given_name"] == "New"


def test_a_copy_older_than_the_applied_one_is_not_written(stack, make_user, write_private, am_call):
    """Two AM consumers: one reads the private copy at version 1, the other applies
    version 2 first; the late one must not take the central copy back to version 1."""
    user = make_user()
    write_private("personal_data", user.user_id, given_name="Old")
    version = write_private("personal_data", user.user_id, given_name="Newer")
    assert am_call(_sync("personal_data", user.user_id, ["given_name"], version)) == {"ok": True}
    # what the overtaken consumer read: an older copy of the same service
    write_private("personal_data", user.user_id, version=version - 1, given_name="Older")
    assert am_call(_sync("personal_data", user.user_id, ["given_name"], version - 1)) == {"ok": True}
    central = central_user(stack, user.user_id)
    assert central["given_name"] == "Newer"
    assert central["sync_versions"]["personal_data"] == version
    # a newer copy is written again
    write_private("personal_data", user.user_id, version=version + 1, given_name="Newest")
    assert am_call(_sync("personal_data", user.user_id, ["given_name"], version + 1)) == {"ok": True}
    assert central_user(stack, user.user_id)["given_name"] == "Newest"


def test_delete(stack, make_user, am_call):
    user = make_user()
    assert am_call({"op": "delete", "service": "personal_data", "user_id": user.user_id}) == {
        "ok": False, "error": "am.operation_not_allowed"}
    assert central_user(stack, user.user_id) is not None
    assert am_call({"op": "delete", "service": "security", "user_id": user.user_id}) == {"ok": True}
    assert central_user(stack, user.user_id) is None
    # again (a redelivery): nothing left to do, still fine
    assert am_call({"op": "delete", "service": "security", "user_id": user.user_id}) == {"ok": True}


def test_a_verified_address_moves_to_the_newest_owner(stack, make_user, write_private, am_call):
    alice = make_user("alice@example.org")
    bob = make_user("bob@example.org")
    # alice also has shared@ verified (not primary)
    alice_emails = alice.document["emails"] + [_email("shared@example.org")]
    version = write_private("emails", alice.user_id, emails=alice_emails)
    assert am_call(_sync("emails", alice.user_id, ["emails"], version)) == {"ok": True}
    assert central_user(stack, alice.user_id)["verified_emails"] == ["alice@example.org", "shared@example.org"]

    version = write_private("emails", bob.user_id, emails=bob.document["emails"] + [_email("Shared@Example.org")])
    assert am_call(_sync("emails", bob.user_id, ["emails"], version)) == {"ok": True}

    alice_now, bob_now = central_user(stack, alice.user_id), central_user(stack, bob.user_id)
    assert alice_now["verified_emails"] == ["alice@example.org"]
    assert [(e["email"], e["verified"]) for e in alice_now["emails"]] == [
        ("alice@example.org", True), ("shared@example.org", False)]
    assert bob_now["verified_emails"] == ["bob@example.org", "shared@example.org"]


def test_a_primary_address_is_never_taken(stack, make_user, write_private, am_call):
    alice = make_user("alice@example.org")
    bob = make_user("bob@example.org")
    alice_before, bob_before = central_user(stack, alice.user_id), central_user(stack, bob.user_id)
    version = write_private("emails", bob.user_id, emails=bob.document["emails"] + [_email("alice@example.org")])
    assert am_call(_sync("emails", bob.user_id, ["emails"], version)) == {"ok": False, "error": "emails.in_use"}
    assert central_user(stack, alice.user_id) == alice_before
    assert central_user(stack, bob.user_id) == bob_before
    # a new account (signup) cannot take it either
    newcomer = uuid.uuid4().hex
    version = write_private("signup", newcomer, given_name="Eve", emails=[_email("alice@example.org", primary=True)])
    assert am_call(_sync("signup", newcomer, ["given_name", "emails"], version)) == {
        "ok": False, "error": "emails.in_use"}
    assert central_user(stack, newcomer) is None


def test_a_verified_number_moves_and_the_old_owner_keeps_a_primary(stack, make_user, write_private, am_call):
    alice = make_user(phones=(_phone("+46701111111", primary=True), _phone("+46702222222")))
    bob = make_user()
    version = write_private("phones", bob.user_id, phones=[_phone("+46701111111", primary=True)])
    assert am_call(_sync("phones", bob.user_id, ["phones"], version)) == {"ok": True}
    alice_now = central_user(stack, alice.user_id)
    assert alice_now["verified_phones"] == ["+46702222222"]
    assert alice_now["phones"] == [_phone("+46701111111", verified=False, primary=False),
                                   _phone("+46702222222", primary=True)]
    assert central_user(stack, bob.user_id)["verified_phones"] == ["+46701111111"]


def test_the_unique_indexes(stack, make_user, mongo):
    indexes = mongo.tessera_central.users.index_information()
    for field in ("verified_emails", "verified_phones"):
        index = indexes[f"{field}_unique"]
        assert index["unique"] and index["key"] == [(field, 1)]
        assert index["partialFilterExpression"] == {field: {"$type": "string"}}
    # users without any verified address or number coexist
    make_user(email_verified=False)
    make_user(email_verified=False)


def test_the_holders_of_claimed_values_are_found_through_the_unique_indexes(stack, make_user, mongo):
    """Every sync that claims a verified value asks who else holds it; MongoDB answers that
    from the partial unique indexes, never by scanning every account (issue 15)."""
    import json

    from services.am.central import holders_filter

    ada, grace = make_user("ada@example.org"), make_user("grace@example.org")
    query = holders_filter(ada.user_id, {"verified_emails": ["grace@example.org"], "verified_phones": ["+46701234567"]})
    plan = json.dumps(mongo.tessera_central.users.find(query).explain()["queryPlanner"]["winningPlan"])
    assert "COLLSCAN" not in plan and "verified_emails_unique" in plan and "verified_phones_unique" in plan, plan
    assert [u["_id"] for u in mongo.tessera_central.users.find(query, {"_id": 1})] == [grace.user_id]
    assert holders_filter(ada.user_id, {"verified_emails": [], "verified_phones": []}) is None


def test_a_refusal_is_an_answer_unless_nobody_listens(stack, make_user, write_private, am_call):
    url = read_namespace(etcd_client(), "common")["amqp_url"]
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    channel.queue_purge("am.sync.dead")
    user = make_user()
    version = write_private("personal_data", user.user_id, emails=[])
    refused = _sync("personal_data", user.user_id, ["emails"], version)
    assert am_call(refused) == {"ok": False, "error": "am.attribute_not_allowed"}  # answered, acknowledged
    publisher = service_amqp(stack, "personal_data")
    key = publisher.publish("am.sync", refused)  # nobody listens: kept for a human
    publisher.close()
    def first_dead() -> str | None:
        method, properties, _body = channel.basic_get("am.sync.dead", auto_ack=True)
        return properties.message_id if method is not None else None

    try:
        dead = wait_until(first_dead, timeout=30)
        assert channel.basic_get("am.sync.dead", auto_ack=True)[0] is None  # and nothing else
    finally:
        connection.close()
    assert dead == key


def test_authn_credential_usage_never_restores_a_replaced_password(stack, make_user, write_private, am_call):
    """A login's bookkeeping (last_used, re-hash) that reaches the AM after a password
    change must not bring the old password back, nor drop the new one."""
    user = make_user()
    old = central_user(stack, user.user_id)["credentials"][0]
    used_at = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
    # the login read the old credential and reports its use...
    stale = write_private("authn", user.user_id, credentials=[{**old, "last_used": used_at}])
    # ...but a password change lands first
    new = {"credential_id": "new-cred", "type": "password", "hash": "$argon2id$new", "created": used_at,
           "last_used": None}
    changed = write_private("security", user.user_id, credentials=[new])
    assert am_call(_sync("security", user.user_id, ["credentials"], changed)) == {"ok": True}
    assert am_call(_sync("authn", user.user_id, ["credentials"], stale)) == {"ok": True}
    credentials = central_user(stack, user.user_id)["credentials"]
    assert [c["credential_id"] for c in credentials] == ["new-cred"]
    assert credentials[0]["hash"] == "$argon2id$new" and credentials[0]["last_used"] is None


def test_authn_credential_usage_updates_last_used_and_rehash(stack, make_user, write_private, am_call):
    user = make_user()
    current = central_user(stack, user.user_id)["credentials"][0]
    used_at = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
    version = write_private("authn", user.user_id, credentials=[
        {**current, "last_used": used_at, "hash": "$argon2id$rehashed"},
        {"credential_id": "invented", "type": "password", "hash": "$argon2id$evil"}])
    assert am_call(_sync("authn", user.user_id, ["credentials"], version)) == {"ok": True}
    credentials = central_user(stack, user.user_id)["credentials"]
    assert [c["credential_id"] for c in credentials] == [current["credential_id"]]
    assert credentials[0]["last_used"] == used_at and credentials[0]["hash"] == "$argon2id$rehashed"


def test_a_service_cannot_pass_as_another(stack, make_user, write_private, am_call):
    """The whitelist is applied to the service that really sent the sync: RabbitMQ
    checks the ``user_id`` stamp against the login, so personal_data's user cannot
    send signup's create, security's delete or another service's attributes."""
    user = make_user()
    version = write_private("security", user.user_id, credentials=[])
    forged = _sync("security", user.user_id, ["credentials"], version)
    assert am_call(forged, as_service="personal_data") == {"ok": False, "error": "am.sender_not_allowed"}
    delete = {"op": "delete", "service": "security", "user_id": user.user_id}
    assert am_call(delete, as_service="personal_data") == {"ok": False, "error": "am.sender_not_allowed"}
    assert central_user(stack, user.user_id)["credentials"] == user.document["credentials"]
    # and the broker refuses a stamp that is not the publisher's own login
    client = service_amqp(stack, "personal_data")
    client.username = "svc_security"
    try:
        with pytest.raises(pika.exceptions.AMQPError):
            client.publish("am.sync", forged)
    finally:
        client.close()
    # the real sender is believed, and its whitelist applies
    assert am_call(forged) == {"ok": True}


def test_a_sync_right_after_rabbitmq_is_back_is_answered(stack, make_user, write_private, am_call):
    """Issue 10: the AM's reconnect back-off (1, 2, 4, 8, 16 s) left it idle for ~9 s
    after RabbitMQ was back, and an ``am.sync`` in that gap timed out. However long the
    broker was down, the AM answers a sync made the moment it is back."""
    user = make_user()
    logs = [Path(stack.run_dir) / "log" / f"{program}.log" for program in stack.instances("am")]

    def failed_connections() -> int:
        return sum(path.read_text(errors="replace").count('"msg": "connection failed') for path in logs)

    before = failed_connections()
    manager.control(stack, "stop", "rabbitmq")
    try:  # down long enough that a growing back-off would now wait 16 s or more
        wait_until(lambda: failed_connections() - before >= 6 * len(logs), timeout=120, interval=0.2)
    finally:
        manager.control(stack, "start", "rabbitmq")
    wait_until(lambda: manager.health(stack)["rabbitmq"]["healthy"], timeout=60, interval=0.1)
    version = write_private("personal_data", user.user_id, given_name="Prompt")
    sync = {"op": "sync", "service": "personal_data", "user_id": user.user_id, "attributes": ["given_name"],
            "version": version}
    assert am_call(sync, timeout=8) == {"ok": True}  # reconnecting takes ~2 s at most
    assert central_user(stack, user.user_id)["given_name"] == "Prompt"
