"""common.codes' rules as pure functions (NIST SP 800-63B §5.1.3 out-of-band codes):
expiry, the lock after ``max_attempts`` wrong tries, the resend throttle's arithmetic and
the HMAC that is all the database keeps — no database, no Flask."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from enum import unique

import pytest

from common.codes import CodeRules, check_attempt, digest, new_code, next_window, resend_wait
from common.domain import CodeExpired, CodeInvalid, CodeLocked, CodeThrottled
from common.messages import TranslatableMsg

RULES = CodeRules(length=6, ttl=600, max_attempts=5, resend_interval=30, max_sends=5)
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
SECRET = b"unit-test secret"


@unique
class DemoMsg(TranslatableMsg):
    """A service's code keys, as ``common.codes.CodeMsgs`` wants them."""

    code_invalid = "demo.code_invalid"
    code_expired = "demo.code_expired"
    code_locked = "demo.code_locked"
    code_throttled = "demo.code_throttled"


def record(*, age: float = 0, attempts: int = 0, sends: int = 1, code: str = "123456",
           window_left: float | None = None) -> dict:
    """A code record as ``issue_code`` stores it, sent ``age`` seconds before NOW."""
    sent = NOW - timedelta(seconds=age)
    window_ends = NOW + timedelta(seconds=window_left) if window_left is not None else sent + timedelta(seconds=RULES.ttl)
    return {"code_hash": digest(SECRET, "email", "a@example.org", code), "attempts": attempts, "sent_at": sent,
            "sends": sends, "window_ends": window_ends, "expires_at": sent + timedelta(seconds=RULES.ttl)}


def attempt(rec: dict | None, code: str) -> dict:
    return check_attempt(rec, digest(SECRET, "email", "a@example.org", code), RULES, NOW, DemoMsg)


def test_rules_are_read_from_the_config_and_ignore_other_keys():
    config = {"length": 8, "ttl": 300, "max_attempts": 3, "resend_interval": 10, "max_sends": 2, "other": 1}
    assert CodeRules.of(config) == CodeRules(length=8, ttl=300, max_attempts=3, resend_interval=10, max_sends=2)


@pytest.mark.parametrize("length", [6, 8, 10])
def test_a_new_code_is_length_digits(length):
    codes = {new_code(length) for _ in range(200)}
    assert all(len(c) == length and c.isdigit() for c in codes)
    assert len(codes) > 150  # random, not a counter or a constant


def test_the_digest_binds_the_code_to_its_purpose_subject_and_secret():
    base = digest(SECRET, "email", "a@example.org", "123456")
    assert len(base) == 64 and int(base, 16) >= 0  # hex SHA-256, never the code itself
    assert "123456" not in base
    assert base == digest(SECRET, "email", "a@example.org", "123456")
    assert len({base, digest(SECRET, "phone", "a@example.org", "123456"),
                digest(SECRET, "email", "b@example.org", "123456"),
                digest(SECRET, "email", "a@example.org", "123457"),
                digest(b"other secret", "email", "a@example.org", "123456")}) == 5


def test_the_right_code_passes_and_returns_the_record():
    rec = record(attempts=1)
    assert attempt(rec, "123456") is rec


@pytest.mark.parametrize("rec", [None, record(age=600), record(age=601)], ids=["none", "at-ttl", "past-ttl"])
def test_no_code_or_an_expired_code_is_expired(rec):
    with pytest.raises(CodeExpired) as raised:
        attempt(rec, "123456")
    assert raised.value.key is DemoMsg.code_expired


def test_wrong_codes_count_down_and_the_fifth_locks():
    rec = record()
    for left in (4, 3, 2, 1):
        rec["attempts"] += 1  # verify_code counts the try in the database first
        with pytest.raises(CodeInvalid) as raised:
            attempt(rec, "654321")
        assert raised.value.key is DemoMsg.code_invalid
        assert raised.value.details == {"attempts_left": left} and raised.value.field == "code"
    rec["attempts"] += 1
    with pytest.raises(CodeLocked) as raised:
        attempt(rec, "654321")
    assert raised.value.key is DemoMsg.code_locked


def test_a_locked_code_refuses_even_the_right_code_until_a_new_one_may_be_sent():
    rec = record(age=10, attempts=RULES.max_attempts + 1)
    with pytest.raises(CodeLocked) as raised:
        attempt(rec, "123456")
    # a new code may be asked for once resend_interval is over: 20 s, rounded up
    assert raised.value.retry_after == 21


def test_a_locked_code_says_at_least_one_second():
    with pytest.raises(CodeLocked) as raised:
        attempt(record(age=300, attempts=RULES.max_attempts + 1), "123456")
    assert raised.value.retry_after == 1


@pytest.mark.parametrize("age,wait", [(0, 31), (10, 21), (29.5, 1), (30, 0), (31, 0)])
def test_resend_waits_for_the_interval_rounded_up(age, wait):
    assert resend_wait(record(age=age), RULES, NOW) == wait


def test_resend_waits_for_the_window_once_max_sends_were_sent():
    assert resend_wait(record(age=60, sends=RULES.max_sends, window_left=240), RULES, NOW) == 241
    assert resend_wait(record(age=60, sends=RULES.max_sends - 1, window_left=240), RULES, NOW) == 0


def test_the_first_code_opens_a_window_of_ttl():
    assert next_window(None, RULES, NOW, DemoMsg) == (1, NOW + timedelta(seconds=RULES.ttl))


def test_an_expired_record_counts_as_none():
    assert next_window(record(age=700, sends=5), RULES, NOW, DemoMsg) == (1, NOW + timedelta(seconds=RULES.ttl))


def test_a_resend_within_the_window_counts_and_keeps_the_window():
    rec = record(age=40, sends=2, window_left=100)
    assert next_window(rec, RULES, NOW, DemoMsg) == (3, rec["window_ends"])


def test_a_resend_after_the_window_opens_a_new_one():
    rec = record(age=40, sends=5, window_left=0)
    assert next_window(rec, RULES, NOW, DemoMsg) == (1, NOW + timedelta(seconds=RULES.ttl))


def test_a_resend_too_soon_is_throttled_with_retry_after():
    with pytest.raises(CodeThrottled) as raised:
        next_window(record(age=5), RULES, NOW, DemoMsg)
    assert raised.value.key is DemoMsg.code_throttled and raised.value.retry_after == 26


def test_max_sends_within_the_window_are_throttled_until_it_ends():
    with pytest.raises(CodeThrottled) as raised:
        next_window(record(age=60, sends=RULES.max_sends, window_left=120), RULES, NOW, DemoMsg)
    assert raised.value.retry_after == 121


def test_guessing_stays_bounded_to_attempts_times_sends_per_window():
    """5 tries × 5 sends in one window of ``ttl``: at most 25 guesses (the module's promise)."""
    window_end = NOW + timedelta(seconds=RULES.ttl)
    rec, now, guesses = None, NOW, 0
    while now < window_end:
        try:
            sends, window_ends = next_window(rec, RULES, now, DemoMsg)
        except CodeThrottled as throttled:
            now += timedelta(seconds=throttled.retry_after)
            continue
        rec = {"code_hash": digest(SECRET, "email", "a@example.org", "000000"), "attempts": 0, "sent_at": now,
               "sends": sends, "window_ends": window_ends, "expires_at": now + timedelta(seconds=RULES.ttl)}
        for _ in range(RULES.max_attempts + 1):
            rec["attempts"] += 1  # counted first, as verify_code does
            try:
                attempt(rec, "999999")
            except CodeInvalid:
                guesses += 1
            except CodeLocked:
                # the try that reaches max_attempts was compared (and failed); later ones are not
                guesses += rec["attempts"] == RULES.max_attempts
                break
    assert guesses == RULES.max_attempts * RULES.max_sends
