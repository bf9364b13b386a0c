"""The attribute manager's decision (``services.am.plan.plan``) without a database:
the README's "One owner per verified address or number" rules, versions, rights."""
from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest

from services.am.errors import AmMsg
from services.am.plan import (EMAILS, PHONES, Move, Outcome, ServiceRights, SyncRequest, Write,
                              merge_credential_usage, plan, screen, stands_alone, version_guard)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
EARLIER = datetime(2026, 1, 1, tzinfo=timezone.utc)
EMAILS_RIGHTS = ServiceRights(frozenset({"emails"}))
PHONES_RIGHTS = ServiceRights(frozenset({"phones"}))


def email(address: str, verified: bool = True, primary: bool = False) -> dict:
    return {"email": address, "verified": verified, "primary": primary, "verified_at": EARLIER}


def phone(number: str, verified: bool = True, primary: bool = False) -> dict:
    return {"number": number, "verified": verified, "primary": primary}


def request(service: str, attributes: tuple[str, ...], version: int = 2, user_id: str = "bob") -> SyncRequest:
    return SyncRequest(service, user_id, attributes, version)


def user(user_id: str, *, emails=(), phones=(), **fields) -> dict:
    return {"_id": user_id, "emails": list(emails), "phones": list(phones), **fields}


def the_write(decided, user_id: str) -> Write:
    [write] = [w for w in decided.writes if w.user_id == user_id]
    return write


def test_a_whitelisted_copy_is_written_with_its_version_and_derived_lists():
    private = {"_id": "bob", "version": 3, "emails": [email("Bob@Example.org", primary=True),
                                                       email("new@example.org", verified=False)]}
    decided = plan(request("emails", ("emails",), 3), EMAILS_RIGHTS, private, user("bob"), [], NOW)
    assert decided.outcome is Outcome.WRITE and decided.moves == () and decided.copied == 3
    assert decided.writes == (Write("bob", {
        "$set": {"emails": private["emails"], "verified_emails": ["bob@example.org"],
                 "sync_versions.emails": 3, "modified": NOW},
        "$setOnInsert": {"created": NOW}}),)


def test_an_attribute_outside_the_whitelist_refuses_the_whole_sync():
    wanted = request("personal_data", ("given_name", "emails"))
    rights = ServiceRights(frozenset({"given_name"}))
    decided = plan(wanted, rights, {"version": 2, "given_name": "M"}, user("bob"), [], NOW)
    assert (decided.outcome, decided.refusal, decided.writes) == (Outcome.REFUSED, AmMsg.attribute_not_allowed, ())
    assert screen(wanted, rights) == decided  # decided before anything is read
    assert screen(request("personal_data", ("given_name",)), rights) is None


def test_no_private_copy_or_no_central_user_is_user_not_found():
    rights = ServiceRights(frozenset({"given_name"}))
    assert plan(request("personal_data", ("given_name",)), rights, None, user("bob"), [], NOW).refusal \
        is AmMsg.user_not_found
    missing = plan(request("personal_data", ("given_name",)), rights, {"version": 2, "given_name": "G"},
                   None, [], NOW)
    assert (missing.outcome, missing.refusal) == (Outcome.REFUSED, AmMsg.user_not_found)


def test_a_service_that_may_create_upserts_and_keeps_created():
    rights = ServiceRights(frozenset({"given_name", "created"}), may_create=True)
    decided = plan(request("signup", ("given_name", "created")), rights,
                   {"version": 2, "given_name": "Ada", "created": EARLIER}, None, [], NOW)
    write = the_write(decided, "bob")
    assert write.upsert and write.update["$set"]["created"] == EARLIER and "$setOnInsert" not in write.update


def test_an_attribute_the_copy_lacks_is_removed_centrally():
    rights = ServiceRights(frozenset({"given_name", "display_name"}))
    decided = plan(request("personal_data", ("given_name", "display_name")), rights,
                   {"version": 2, "given_name": "G"}, user("bob"), [], NOW)
    assert the_write(decided, "bob").update["$unset"] == {"display_name": ""}


def test_a_copy_older_than_the_request_waits():
    rights = ServiceRights(frozenset({"given_name"}))
    decided = plan(request("personal_data", ("given_name",), version=5), rights,
                   {"version": 4, "given_name": "G"}, user("bob"), [], NOW)
    assert decided.outcome is Outcome.NOT_YET_VISIBLE and decided.writes == ()


def test_a_copy_not_newer_than_the_applied_one_writes_nothing():
    rights = ServiceRights(frozenset({"given_name"}))
    current = user("bob", sync_versions={"personal_data": 7})
    for copied in (6, 7):
        decided = plan(request("personal_data", ("given_name",), version=copied), rights,
                       {"version": copied, "given_name": "Old"}, current, [], NOW)
        assert (decided.outcome, decided.writes) == (Outcome.CURRENT, ())
    newer = plan(request("personal_data", ("given_name",), version=8), rights,
                 {"version": 8, "given_name": "New"}, current, [], NOW)
    assert newer.outcome is Outcome.WRITE


def test_a_verified_address_moves_from_its_other_owner():
    alice = user("alice", emails=[email("alice@example.org", primary=True), email("shared@example.org")])
    private = {"version": 2, "emails": [email("bob@example.org", primary=True), email("Shared@Example.org")]}
    before = copy.deepcopy(alice)
    decided = plan(request("emails", ("emails",)), EMAILS_RIGHTS, private, user("bob"), [alice], NOW)
    assert decided.outcome is Outcome.WRITE
    assert decided.moves == (Move("emails", "shared@example.org", "alice", "bob"),)
    assert [w.user_id for w in decided.writes] == ["alice", "bob"]  # the old owner first: unique index
    released = the_write(decided, "alice").update["$set"]
    assert released["verified_emails"] == ["alice@example.org"] and released["modified"] == NOW
    assert [(e["email"], e["verified"], "verified_at" in e) for e in released["emails"]] == [
        ("alice@example.org", True, True), ("shared@example.org", False, False)]
    assert the_write(decided, "bob").update["$set"]["verified_emails"] == ["bob@example.org", "shared@example.org"]
    assert alice == before  # the inputs are not changed


def test_a_primary_address_is_never_taken():
    alice = user("alice", emails=[email("alice@example.org", primary=True)])
    private = {"version": 2, "emails": [email("bob@example.org", primary=True), email("ALICE@example.org")]}
    decided = plan(request("emails", ("emails",)), EMAILS_RIGHTS, private, user("bob"), [alice], NOW)
    assert (decided.outcome, decided.refusal, decided.writes) == (Outcome.REFUSED, AmMsg.email_in_use, ())
    # not by a new account either
    signup = ServiceRights(frozenset({"emails"}), may_create=True)
    newcomer = plan(request("signup", ("emails",), user_id="eve"), signup,
                    {"version": 2, "emails": [email("alice@example.org", primary=True)]}, None, [alice], NOW)
    assert newcomer.refusal is AmMsg.email_in_use


def test_an_unverified_or_own_address_is_not_a_move():
    alice = user("alice", emails=[email("shared@example.org", verified=False)])
    bob = user("bob", emails=[email("shared@example.org")])
    private = {"version": 2, "emails": [email("shared@example.org", primary=True)]}
    decided = plan(request("emails", ("emails",)), EMAILS_RIGHTS, private, bob, [alice, bob], NOW)
    assert decided.moves == () and [w.user_id for w in decided.writes] == ["bob"]


def test_a_verified_number_moves_and_the_old_owner_keeps_a_primary():
    alice = user("alice", phones=[phone("+46701111111", primary=True), phone("+46702222222")])
    private = {"version": 2, "phones": [phone("+46701111111", primary=True)]}
    decided = plan(request("phones", ("phones",)), PHONES_RIGHTS, private, user("bob"), [alice], NOW)
    assert decided.moves == (Move("phones", "+46701111111", "alice", "bob"),)
    released = the_write(decided, "alice").update["$set"]
    assert released["phones"] == [phone("+46701111111", verified=False, primary=False),
                                  phone("+46702222222", primary=True)]
    assert released["verified_phones"] == ["+46702222222"]
    assert "emails" not in released


def test_an_owner_of_several_claimed_values_is_written_once_with_all_of_them():
    alice = user("alice", emails=[email("alice@example.org", primary=True), email("a@example.org")],
                 phones=[phone("+46701111111", primary=True)])
    rights = ServiceRights(frozenset({"emails", "phones"}))
    private = {"version": 2, "emails": [email("bob@example.org", primary=True), email("a@example.org")],
               "phones": [phone("+46701111111")]}
    decided = plan(request("scratch", ("emails", "phones")), rights, private, user("bob"), [alice], NOW)
    assert [m.value for m in decided.moves] == ["a@example.org", "+46701111111"]
    released = the_write(decided, "alice").update["$set"]
    assert released["verified_emails"] == ["alice@example.org"] and released["verified_phones"] == []
    assert released["phones"] == [phone("+46701111111", verified=False, primary=False)]


def test_credential_usage_only_merges_into_the_central_credentials():
    rights = ServiceRights(frozenset({"credentials"}), credential_usage_only=True)
    current = user("bob", credentials=[{"credential_id": "new", "hash": "h2", "last_used": None}])
    stale = {"version": 2, "credentials": [{"credential_id": "old", "hash": "h1", "last_used": NOW}]}
    decided = plan(request("authn", ("credentials",)), rights, stale, current, [], NOW)
    assert the_write(decided, "bob").update["$set"]["credentials"] == current["credentials"]
    assert plan(request("authn", ("credentials",)), rights, stale, None, [], NOW).refusal is AmMsg.user_not_found


def test_merge_credential_usage_takes_the_later_use_and_the_new_hash():
    central = [{"credential_id": "c", "hash": "old", "last_used": EARLIER}]
    assert merge_credential_usage(central, [{"credential_id": "c", "hash": "new", "last_used": NOW},
                                            {"credential_id": "invented", "hash": "x"}]) == [
        {"credential_id": "c", "hash": "new", "last_used": NOW}]
    assert merge_credential_usage(central, [{"credential_id": "c", "last_used": None}]) == central


def test_merge_credential_usage_takes_the_higher_sign_count_of_a_key():
    central = [{"credential_id": "k", "type": "webauthn", "sign_count": 7, "public_key": "pk", "last_used": EARLIER}]
    merged = merge_credential_usage(central, [{"credential_id": "k", "sign_count": 9, "public_key": "other",
                                               "last_used": NOW}])
    assert merged == [{"credential_id": "k", "type": "webauthn", "sign_count": 9, "public_key": "pk", "last_used": NOW}]
    # a report that arrives late never lowers the count
    assert merge_credential_usage(merged, [{"credential_id": "k", "sign_count": 8, "last_used": EARLIER}]) == merged


@pytest.mark.parametrize("kind, entries, expected", [
    (EMAILS, [email("A@X.org"), email("b@x.org", verified=False), email("a@x.org ")], ["a@x.org"]),
    (PHONES, [phone(" +46701 "), phone("+46702", verified=False)], ["+46701"]),
    (EMAILS, None, []),
])
def test_the_derived_lists(kind, entries, expected):
    assert kind.verified(entries) == expected


def test_credentials_come_with_their_webauthn_ids_for_the_unique_index():
    """The unique index that keeps one key on one account is on ``webauthn_ids``, a list
    of strings only: the password and TOTP credentials add nothing to it (an index on
    ``credentials.webauthn_id`` would hold a null for each, and two accounts collide)."""
    rights = ServiceRights(frozenset({"credentials"}))
    credentials = [{"credential_id": "p", "type": "password", "hash": "h"},
                   {"credential_id": "k1", "type": "webauthn", "webauthn_id": "AAA"},
                   {"credential_id": "t", "type": "totp", "secret_enc": "s"},
                   {"credential_id": "k2", "type": "webauthn", "webauthn_id": "BBB"}]
    private = {"version": 2, "credentials": credentials}
    written = the_write(plan(request("security", ("credentials",)), rights, private, user("bob"), [], NOW), "bob")
    assert written.update["$set"]["webauthn_ids"] == ["AAA", "BBB"]
    none_left = {"version": 2, "credentials": credentials[:1]}
    written = the_write(plan(request("security", ("credentials",)), rights, none_left, user("bob"), [], NOW), "bob")
    assert written.update["$set"]["webauthn_ids"] == []


# -- a sync that stands alone (one guarded update, no transaction: services.am.central) --
NAMES_RIGHTS = ServiceRights(frozenset({"given_name", "surname", "display_name", "language"}))


def test_only_a_sync_of_the_users_own_plain_attributes_stands_alone():
    names = request("personal_data", ("given_name", "surname"))
    assert stands_alone(names, NAMES_RIGHTS)
    # contact lists: another account may hold a claimed value; credentials: merged with
    # the central ones and uniquely indexed; creation: the document may not exist
    assert not stands_alone(request("emails", ("emails",)), EMAILS_RIGHTS)
    assert not stands_alone(request("phones", ("phones",)), PHONES_RIGHTS)
    assert not stands_alone(request("authn", ("credentials",)),
                            ServiceRights(frozenset({"credentials"}), credential_usage_only=True))
    assert not stands_alone(request("signup", ("given_name",)),
                            ServiceRights(frozenset({"given_name"}), may_create=True))


def test_the_guard_is_the_plans_test_of_a_copy_as_new_already():
    """The update's filter matches exactly the central documents for which ``plan``
    would write (not ``CURRENT``): a missing version counts as 0, as in ``plan``."""
    guard = version_guard("personal_data", 3)
    assert guard == {"sync_versions.personal_data": {"$not": {"$gte": 3}}}
    private = {"_id": "bob", "version": 3, "given_name": "Bob"}
    for central_version, writes in ((None, True), (2, True), (3, False), (4, False)):
        current = user("bob") if central_version is None else user("bob", sync_versions={"personal_data":
                                                                                         central_version})
        decided = plan(request("personal_data", ("given_name",), 3), NAMES_RIGHTS, private, current, [], NOW)
        assert (decided.outcome is Outcome.WRITE) is writes
        held = current.get("sync_versions", {}).get("personal_data")
        assert (held is None or not held >= 3) is writes  # what $not/$gte matches


def test_planned_as_if_older_it_is_the_one_write_of_the_full_plan():
    private = {"_id": "bob", "version": 3, "given_name": "Bob", "surname": "B"}
    wanted = request("personal_data", ("given_name", "surname", "display_name"), 3)
    alone = plan(wanted, NAMES_RIGHTS, private, {}, [], NOW)
    full = plan(wanted, NAMES_RIGHTS, private, user("bob", sync_versions={"personal_data": 1}), [], NOW)
    assert alone == full and len(alone.writes) == 1
    assert alone.writes[0].update["$unset"] == {"display_name": ""}
