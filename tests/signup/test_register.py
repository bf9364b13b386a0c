"""POST /api/signup/register: validation, CSRF, no enumeration, throttling."""
from __future__ import annotations

import time

from tests.helpers import CODE_RE, code_in, text_of
from tests.signup.conftest import person, unique_address


def test_register_starts_a_flow(api, mongo):
    client = api("signup")
    r = client.post("/api/signup/register", person("Ada@Example.org "))
    assert r.status == 200
    assert r.type == "POST_SIGNUP_REGISTER_SUCCESS"
    # resend_in: seconds until a new code may be sent (resend_interval 30 s)
    assert r.payload == {"step": "verify", "email": "ada@example.org", "resend_in": r.payload["resend_in"]}
    assert 1 <= r.payload["resend_in"] <= 31
    state = client.get("/api/signup/state").payload
    assert (state["step"], state["email"], 1 <= state["resend_in"] <= 31) == ("verify", "ada@example.org", True)
    record = mongo.tessera_signup.verification_codes.find_one({"subject": "ada@example.org"})
    assert record is not None and record["purpose"] == "signup"
    assert "code" not in record  # only an HMAC is stored


def test_unknown_field_is_rejected(api):
    r = api("signup").post("/api/signup/register", person("ada@example.org", admin=True))
    assert r.status == 400
    assert r.type == "POST_SIGNUP_REGISTER_FAIL"
    assert r.message == "request.invalid"
    assert "admin" in r.errors


def test_terms_of_use_must_be_accepted(api):
    r = api("signup").post("/api/signup/register", person("ada@example.org", tou_accepted=False))
    assert r.status == 400
    assert r.message == "request.invalid"
    assert r.errors == {"tou_accepted": ["signup.tou_required"]}


def test_missing_and_malformed_fields(api):
    client = api("signup")
    r = client.post("/api/signup/register", {"email": "not-an-address", "given_name": "  ", "tou_accepted": True})
    assert r.status == 400
    assert set(r.errors) == {"email", "given_name", "surname"}
    assert client.get("/api/signup/state").payload == {"step": "register"}


def test_language_must_be_configured(api):
    client = api("signup")
    r = client.post("/api/signup/register", person("ada@example.org", language="xx"))
    assert r.status == 400
    assert r.errors == {"language": ["validation.language"]}
    assert client.post("/api/signup/register", person("ada@example.org", language="sv")).status == 200


def test_body_must_be_json_object(api):
    client = api("signup")
    r = client.post("/api/signup/register", ["ada@example.org"])
    assert r.status == 400
    assert r.message == "request.not_json"


def test_missing_csrf_token_is_refused(api, mongo):
    client = api("signup")
    r = client.post("/api/signup/register", person("ada@example.org"), csrf=False)
    assert r.status == 403
    assert r.message == "csrf.invalid"
    assert mongo.tessera_signup.verification_codes.count_documents({}) == 0


def test_taken_address_gets_the_same_answer(api, signed_up, mongo):
    before = api("signup").post("/api/signup/register", person("ada@example.org"))
    signed_up("ada@example.org")
    after = api("signup").post("/api/signup/register", person("ada@example.org"))
    assert before.status == after.status == 200
    assert after.body == before.body
    assert sorted(after.headers.keys()) == sorted(before.headers.keys())
    # a code record exists either way, so the code's throttling behaves the same too
    assert mongo.tessera_signup.verification_codes.count_documents({"subject": "ada@example.org"}) == 2


def test_taken_address_takes_comparable_time(api, signed_up):
    signed_up("taken@example.org")

    def duration(email: str) -> float:
        client = api("signup")
        started = time.perf_counter()
        assert client.post("/api/signup/register", person(email)).status == 200
        return time.perf_counter() - started

    duration("warm-up@example.org")
    taken = sorted(duration("taken@example.org") for _ in range(3))
    free = sorted(duration(f"free{i}@example.org") for i in range(3))
    # the same work is done either way; a gap of a password hash (~50 ms) would show
    assert abs(taken[1] - free[1]) < 0.04 + 0.5 * free[1]


def test_taken_address_is_mailed_a_reset_link_not_a_code(http, signed_up, outbox, stack):
    taken, free = unique_address("taken"), unique_address("free")
    signed_up(taken, language="sv")
    earlier = {m["Message-ID"] for m in outbox.wait_for_mail(taken, 2, timeout=90)}  # its code and welcome
    r = http.post("/api/signup/register", person(taken, given_name="Mallory"))
    assert r.status == 200
    [mail] = [m for m in outbox.wait_for_mail(taken, 3, timeout=90) if m["Message-ID"] not in earlier]
    body = text_of(mail)
    assert mail["Subject"] == "Du har redan ett Tessera-konto"  # in the account's language
    assert f"{stack.base_url}/reset-password" in body
    assert "Ada" in body and "Mallory" not in body  # the account's name, not the form's
    assert not CODE_RE.search(body)
    assert http.post("/api/signup/register", person(free)).status == 200
    [code_mail] = outbox.wait_for_mail(free, timeout=90)
    assert code_in(text_of(code_mail))
    assert "/reset-password" not in text_of(code_mail)
    outbox.drain(stack)
    assert len(outbox.mails(taken)) == 3  # no code went to the taken address


def test_registering_again_in_the_same_session_is_throttled(api):
    client = api("signup")
    assert client.post("/api/signup/register", person("ada@example.org")).status == 200
    r = client.post("/api/signup/register", person("ada@example.org"))
    assert r.status == 429
    assert r.message == "signup.code_throttled"
    assert 1 <= int(r.headers["Retry-After"]) <= 31


def test_throttled_per_client_address(api):
    client = api("signup", register_limit="2 per minute")
    assert client.post("/api/signup/register", person("a1@example.org")).status == 200
    assert client.post("/api/signup/register", person("a2@example.org")).status == 200
    r = api("signup", register_limit="2 per minute").post("/api/signup/register", person("a3@example.org"))
    assert r.status == 429
    assert r.message == "request.throttled"
    assert r.type == "POST_SIGNUP_REGISTER_FAIL"
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    other = api("signup", register_limit="2 per minute").post(
        "/api/signup/register", person("a3@example.org"), headers={"X-Real-IP": "192.0.2.7"})
    assert other.status == 200


def test_throttled_per_address_across_sessions(api):
    def register(email: str, ip: str):
        return api("signup", register_limit_per_address="2 per hour").post(
            "/api/signup/register", person(email), headers={"X-Real-IP": ip})

    assert register("ada@example.org", "192.0.2.1").status == 200
    assert register("ADA@example.org", "192.0.2.2").status == 200
    r = register("ada@example.org", "192.0.2.3")
    assert r.status == 429
    assert r.message == "request.throttled"
    assert int(r.headers["Retry-After"]) >= 1
    assert register("grace@example.org", "192.0.2.3").status == 200


def test_invalid_requests_do_not_count_against_the_address(api):
    client = api("signup", register_limit_per_address="1 per hour")
    assert client.post("/api/signup/register", person("ada@example.org", tou_accepted=False)).status == 400
    assert client.post("/api/signup/register", person("ada@example.org")).status == 200
