"""/api/phones: numbers in any common format stored as E.164, verified by an SMS code —
against the real stack (AM, msg worker writing .run/<stack>/sms.jsonl)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.contacts import new_sms
from tests.helpers import code_in
from tests.users import central_user

NUMBER = "+46701234567"
OTHER = "+46701234568"
ROUTES = [("get", "/api/phones/all", None)] + [
    ("post", f"/api/phones/{route}", body) for route, body in [
        ("new", {"number": NUMBER}), ("verify", {"number": NUMBER, "code": "123456"}),
        ("primary", {"number": NUMBER}), ("remove", {"number": NUMBER}),
        ("resend-code", {"number": NUMBER})]]


def entries(response):
    return {p["number"]: (p["verified"], p["primary"]) for p in response.payload["phones"]}


def add(client, outbox, number=NUMBER, **body):
    """Add ``number`` and return the code sent to it by SMS."""
    r, sms = new_sms(outbox, number, lambda: client.post("/api/phones/new", {"number": number, **body}))
    assert r.status == 200, r
    return code_in(sms["text"])


def add_verified(client, outbox, number=NUMBER):
    r = client.post("/api/phones/verify", {"number": number, "code": add(client, outbox, number)})
    assert r.status == 200, r
    return r


def test_all_is_empty_for_a_new_account(signed_in):
    client, _ = signed_in("phones")
    r = client.get("/api/phones/all")
    assert r.status == 200 and r.type == "GET_PHONES_ALL_SUCCESS", r
    assert r.payload == {"phones": []}


@pytest.mark.parametrize("method,path,body", ROUTES)
def test_every_route_needs_a_login(api, stack, method, path, body):
    client = api("phones")
    r = client.get(path) if method == "get" else client.post(path, body)
    assert r.status == 401 and r.message == "authn.required", r


@pytest.mark.parametrize("method,path,body", ROUTES[1:])
def test_every_post_needs_the_csrf_token(signed_in, method, path, body):
    client, _ = signed_in("phones")
    r = client.post(path, body, csrf=False)
    assert r.status == 403 and r.message == "csrf.invalid", r


@pytest.mark.parametrize("body,e164", [
    ({"number": "070-123 45 67", "default_region": "SE"}, "+46701234567"),
    ({"number": "070-123 45 67"}, "+46701234567"),  # the configured region, SE
    ({"number": "+46 70 123 45 67"}, "+46701234567"),
    ({"number": "+1 202 555 0143"}, "+12025550143"),
    ({"number": "(202) 555-0143", "default_region": "US"}, "+12025550143"),
])
def test_new_normalises_common_formats_to_e164(signed_in, outbox, stack, body, e164):
    client, user = signed_in("phones")
    r, sms = new_sms(outbox, e164, lambda: client.post("/api/phones/new", body))
    assert r.status == 200, r
    assert r.type == "POST_PHONES_NEW_SUCCESS"
    assert r.payload == {"phones": [{"number": e164, "verified": False, "primary": False}]}
    assert len(code_in(sms["text"])) == 6
    assert [p["number"] for p in central_user(stack, user.user_id)["phones"]] == [e164]


@pytest.mark.parametrize("number,message", [
    ("12", "phones.invalid_number"),
    ("abc", "phones.invalid_number"),
    ("+4670123", "phones.invalid_number"),
    ("+46 70 123 45 67 89 01", "phones.invalid_number"),
    ("1" * 100, "phones.invalid_number"),
    ("08-123 456 78", "phones.not_mobile"),  # a Stockholm fixed line cannot get the SMS
])
def test_new_refuses_bad_numbers(signed_in, stack, number, message):
    client, user = signed_in("phones")
    r = client.post("/api/phones/new", {"number": number})
    assert r.status == 400 and r.message == "request.invalid", r
    assert r.errors == {"number": [message]}
    assert central_user(stack, user.user_id)["phones"] == []


@pytest.mark.parametrize("body,field", [
    ({"number": "070-123 45 67", "default_region": "XX"}, "default_region"),
    ({"number": "070-123 45 67", "default_region": "se"}, "default_region"),
    ({"number": 46701234567}, "number"),
    ({}, "number"),
    ({"number": NUMBER, "primary": True}, "primary"),
])
def test_new_rejects_invalid_bodies(signed_in, body, field):
    client, _ = signed_in("phones")
    r = client.post("/api/phones/new", body)
    assert r.status == 400 and r.message == "request.invalid", r
    assert field in r.errors


def test_every_route_reads_numbers_the_same_way(signed_in, outbox):
    client, _ = signed_in("phones")
    add(client, outbox, NUMBER)
    r = client.post("/api/phones/remove", {"number": "070 123 45 67"})
    assert r.status == 200 and r.payload == {"phones": []}, r
    r = client.post("/api/phones/primary", {"number": "abc"})
    assert r.status == 400 and r.errors == {"number": ["phones.invalid_number"]}, r


def test_new_refuses_a_number_already_on_the_account(signed_in, outbox):
    client, _ = signed_in("phones")
    add(client, outbox)
    r = client.post("/api/phones/new", {"number": "0701234567"})
    assert r.status == 409 and r.message == "phones.duplicate", r


def test_new_refuses_more_than_max_entries(signed_in, outbox):
    client, _ = signed_in("phones", max_entries=1)
    add(client, outbox)
    r = client.post("/api/phones/new", {"number": OTHER})
    assert r.status == 400 and r.message == "phones.too_many", r


def test_new_is_limited_per_account(signed_in):
    client, _ = signed_in("phones", add_limit="1 per hour")
    assert client.post("/api/phones/new", {"number": NUMBER}).status == 200
    r = client.post("/api/phones/new", {"number": OTHER})
    assert r.status == 429 and r.message == "request.throttled", r
    assert int(r.headers["Retry-After"]) > 0


def test_verify_by_sms_code_makes_the_first_number_primary_and_logs_it(signed_in, outbox, stack, mongo):
    client, user = signed_in("phones")
    code = add(client, outbox)
    r = client.post("/api/phones/verify", {"number": "070-123 45 67", "code": code})
    assert r.status == 200 and r.type == "POST_PHONES_VERIFY_SUCCESS", r
    assert entries(r) == {NUMBER: (True, True)}
    central = central_user(stack, user.user_id)
    assert central["verified_phones"] == [NUMBER]
    assert abs(datetime.now(timezone.utc) - central["phones"][0]["verified_at"]) < timedelta(seconds=30)
    log = list(mongo.tessera_phones.proofing_log.find({"user_id": user.user_id}))
    assert [(p["kind"], p["value"], p["method"]) for p in log] == [("phone", NUMBER, "code_by_sms")]
    # the code was used up
    r = client.post("/api/phones/verify", {"number": NUMBER, "code": code})
    assert r.status == 400 and r.message == "phones.already_verified", r


def test_verify_wrong_code_then_locked(signed_in, outbox):
    client, _ = signed_in("phones")
    code = add(client, outbox)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for left in (4, 3, 2, 1):
        r = client.post("/api/phones/verify", {"number": NUMBER, "code": wrong})
        assert r.status == 400 and r.message == "phones.code_invalid" and r.payload["attempts_left"] == left, r
    r = client.post("/api/phones/verify", {"number": NUMBER, "code": wrong})
    assert r.status == 429 and r.message == "phones.code_locked", r
    assert int(r.headers["Retry-After"]) > 0
    r = client.post("/api/phones/verify", {"number": NUMBER, "code": code})
    assert r.status == 429 and r.message == "phones.code_locked", r


def test_verify_expired_code_and_unknown_number(signed_in, outbox, mongo):
    client, user = signed_in("phones")
    code = add(client, outbox)
    mongo.tessera_phones.verification_codes.update_one(
        {"owner": user.user_id, "subject": NUMBER},
        {"$set": {"expires_at": datetime.now(timezone.utc) - timedelta(seconds=1)}})
    r = client.post("/api/phones/verify", {"number": NUMBER, "code": code})
    assert r.status == 400 and r.message == "phones.code_expired", r
    r = client.post("/api/phones/verify", {"number": OTHER, "code": code})
    assert r.status == 404 and r.message == "phones.not_found", r


def test_verifying_another_accounts_number_moves_it_even_their_primary(signed_in, outbox, stack):
    client_a, a = signed_in("phones")
    add_verified(client_a, outbox, NUMBER)
    add_verified(client_a, outbox, OTHER)
    client_b, b = signed_in("phones")
    r = client_b.post("/api/phones/verify", {"number": NUMBER, "code": add(client_b, outbox, NUMBER)})
    assert r.status == 200, r
    assert central_user(stack, b.user_id)["verified_phones"] == [NUMBER]
    # A keeps the number unverified; their other verified number is promoted (AM's rule)
    assert entries(client_a.get("/api/phones/all")) == {NUMBER: (False, False), OTHER: (True, True)}


def test_primary_must_be_on_the_account_and_verified(signed_in, outbox):
    client, _ = signed_in("phones")
    r = client.post("/api/phones/primary", {"number": NUMBER})
    assert r.status == 404 and r.message == "phones.not_found", r
    add(client, outbox)
    r = client.post("/api/phones/primary", {"number": NUMBER})
    assert r.status == 400 and r.message == "phones.not_verified", r


def test_primary_moves_to_another_verified_number(signed_in, outbox, stack):
    client, user = signed_in("phones")
    add_verified(client, outbox, NUMBER)
    r = add_verified(client, outbox, OTHER)
    assert entries(r) == {NUMBER: (True, True), OTHER: (True, False)}
    r = client.post("/api/phones/primary", {"number": OTHER})
    assert r.status == 200, r
    assert entries(r) == {NUMBER: (True, False), OTHER: (True, True)}
    assert [p["number"] for p in central_user(stack, user.user_id)["phones"] if p["primary"]] == [OTHER]


def test_removing_the_primary_promotes_the_next_verified_number(signed_in, outbox, stack):
    client, user = signed_in("phones")
    add_verified(client, outbox, NUMBER)
    add_verified(client, outbox, OTHER)
    r = client.post("/api/phones/remove", {"number": NUMBER})
    assert r.status == 200, r
    assert entries(r) == {OTHER: (True, True)}
    r = client.post("/api/phones/remove", {"number": OTHER})
    assert r.status == 200 and r.payload == {"phones": []}, r
    assert central_user(stack, user.user_id)["verified_phones"] == []
    r = client.post("/api/phones/remove", {"number": OTHER})
    assert r.status == 404 and r.message == "phones.not_found", r


def test_removing_forgets_the_pending_code(signed_in, outbox, mongo):
    client, user = signed_in("phones")
    add(client, outbox)
    assert client.post("/api/phones/remove", {"number": NUMBER}).status == 200
    assert mongo.tessera_phones.verification_codes.count_documents({"owner": user.user_id}) == 0


def test_resend_rules(signed_in, outbox):
    client, _ = signed_in("phones")
    r = client.post("/api/phones/resend-code", {"number": NUMBER})
    assert r.status == 404 and r.message == "phones.not_found", r
    add(client, outbox)
    r = client.post("/api/phones/resend-code", {"number": NUMBER})
    assert r.status == 429 and r.message == "phones.code_throttled", r
    assert 0 < int(r.headers["Retry-After"]) <= 31
    add_verified(client, outbox, OTHER)
    r = client.post("/api/phones/resend-code", {"number": OTHER})
    assert r.status == 400 and r.message == "phones.already_verified", r


def test_resend_sends_a_new_code(signed_in, outbox):
    client, _ = signed_in("phones", verification_code={
        "length": 6, "ttl": 600, "max_attempts": 5, "resend_interval": 0, "max_sends": 5})
    add(client, outbox)
    r, sms = new_sms(outbox, NUMBER, lambda: client.post("/api/phones/resend-code", {"number": NUMBER}))
    assert r.status == 200, r
    r = client.post("/api/phones/verify", {"number": NUMBER, "code": code_in(sms["text"])})
    assert r.status == 200, r


def test_through_nginx_add_and_verify_a_phone(http, make_user, outbox):
    user = make_user()
    assert http.post("/api/authn/login", {"email": user.email, "password": user.password}).status == 200
    r, sms = new_sms(outbox, NUMBER, lambda: http.post("/api/phones/new", {"number": "070-123 45 67",
                                                                           "default_region": "SE"}))
    assert r.status == 200 and r.type == "POST_PHONES_NEW_SUCCESS", r
    r = http.post("/api/phones/verify", {"number": NUMBER, "code": code_in(sms["text"])})
    assert r.status == 200, r
    assert http.get("/api/phones/all").payload == {"phones": [{"number": NUMBER, "verified": True, "primary": True}]}
    r = http.post("/api/phones/verify", {"number": NUMBER, "code": "000000"}, csrf=False)
    assert r.status == 403 and r.message == "csrf.invalid", r
