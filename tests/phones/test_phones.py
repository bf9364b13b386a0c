"""/api/phones: what is the phones service's own — numbers in any common format stored as
E.164, numbers that cannot get an SMS refused, the primary removable, numbers moving
between accounts — against the real stack (AM, msg worker writing .run/<stack>/sms.jsonl).
The contact-list rules it shares with emails (codes, limits, login, CSRF) are in
tests/common/test_contact_list.py."""
from __future__ import annotations

import pytest

from tests.contacts import PHONES, new_sms
from tests.helpers import code_in
from tests.users import central_user

NUMBER, OTHER = PHONES.value, PHONES.other


def test_all_is_empty_for_a_new_account(signed_in):
    client, _ = signed_in("phones")
    r = client.get("/api/phones/all")
    assert r.status == 200 and r.type == "GET_PHONES_ALL_SUCCESS", r
    assert r.payload == {"phones": []}


@pytest.mark.parametrize("body,e164,display", [
    ({"number": "070-123 45 67", "default_region": "SE"}, "+46701234567", "+46 70 123 45 67"),
    ({"number": "070-123 45 67"}, "+46701234567", "+46 70 123 45 67"),  # the configured region, SE
    ({"number": "+46 70 123 45 67"}, "+46701234567", "+46 70 123 45 67"),
    ({"number": "+1 202 555 0143"}, "+12025550143", "+1 202-555-0143"),
    ({"number": "(202) 555-0143", "default_region": "US"}, "+12025550143", "+1 202-555-0143"),
])
def test_new_normalises_common_formats_to_e164(signed_in, outbox, stack, body, e164, display):
    client, user = signed_in("phones")
    r, sms = new_sms(outbox, e164, lambda: client.post("/api/phones/new", body))
    assert r.status == 200 and r.type == "POST_PHONES_NEW_SUCCESS", r
    # stored and keyed in E.164; display: grouped as its numbering plan writes it (issue 14)
    assert r.payload == {"phones": [{"number": e164, "verified": False, "primary": False, "display": display}]}
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
    PHONES.add(client, outbox)
    r = client.post("/api/phones/remove", {"number": "070 123 45 67"})
    assert r.status == 200 and r.payload == {"phones": []}, r
    r = client.post("/api/phones/primary", {"number": "abc"})
    assert r.status == 400 and r.errors == {"number": ["phones.invalid_number"]}, r


def test_verifying_another_accounts_number_moves_it_even_their_primary(signed_in, outbox, stack):
    client_a, _ = signed_in("phones")
    PHONES.add_verified(client_a, outbox, NUMBER)
    PHONES.add_verified(client_a, outbox, OTHER)
    client_b, b = signed_in("phones")
    PHONES.add_verified(client_b, outbox, NUMBER)
    assert central_user(stack, b.user_id)["verified_phones"] == [NUMBER]
    # A keeps the number unverified; their other verified number is promoted (AM's rule)
    assert PHONES.entries(client_a.get("/api/phones/all")) == {NUMBER: (False, False), OTHER: (True, True)}


def test_primary_moves_to_another_verified_number(signed_in, outbox, stack):
    client, user = signed_in("phones")
    PHONES.add_verified(client, outbox, NUMBER)
    r = PHONES.add_verified(client, outbox, OTHER)
    assert PHONES.entries(r) == {NUMBER: (True, True), OTHER: (True, False)}
    r = client.post("/api/phones/primary", {"number": OTHER})
    assert r.status == 200, r
    assert PHONES.entries(r) == {NUMBER: (True, False), OTHER: (True, True)}
    assert [p["number"] for p in central_user(stack, user.user_id)["phones"] if p["primary"]] == [OTHER]


def test_removing_the_primary_promotes_the_next_verified_number(signed_in, outbox, stack):
    client, user = signed_in("phones")
    PHONES.add_verified(client, outbox, NUMBER)
    PHONES.add_verified(client, outbox, OTHER)
    r = client.post("/api/phones/remove", {"number": NUMBER})
    assert r.status == 200 and PHONES.entries(r) == {OTHER: (True, True)}, r
    r = client.post("/api/phones/remove", {"number": OTHER})
    assert r.status == 200 and r.payload == {"phones": []}, r
    assert central_user(stack, user.user_id)["verified_phones"] == []


def test_through_nginx_add_and_verify_a_phone(http, make_user, outbox):
    user = make_user()
    assert http.post("/api/authn/login", {"email": user.email, "password": user.password}).status == 200
    r, sms = new_sms(outbox, NUMBER, lambda: http.post("/api/phones/new", {"number": "070-123 45 67",
                                                                           "default_region": "SE"}))
    assert r.status == 200 and r.type == "POST_PHONES_NEW_SUCCESS", r
    r = http.post("/api/phones/verify", {"number": NUMBER, "code": code_in(sms["text"])})
    assert r.status == 200, r
    assert http.get("/api/phones/all").payload == {"phones": [{"number": NUMBER, "verified": True, "primary": True,
                                                               "display": "+46 70 123 45 67"}]}
    r = http.post("/api/phones/verify", {"number": NUMBER, "code": "000000"}, csrf=False)
    assert r.status == 403 and r.message == "csrf.invalid", r
