"""The msg worker of the test stack: delivery to the Maildir and the SMS file,
idempotency, retries and the dead-letter queue; the idempotency ledger on its own."""
from __future__ import annotations

import json
import os
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from common.queues import AM_SYNC, MAIL, SMS, InvalidMessage
from devstack import manager
from services.msg.ledger import RESEND, SEND, SKIP, Leased, SentLedger
from tests.helpers import code_in, service_amqp, text_of
from tests.broker import wait_until
from tests.msg.conftest import MSG_PROGRAM


def unique_address(name: str) -> str:
    """A fresh address: the Maildir keeps every mail of earlier runs."""
    return f"{name}-{uuid.uuid4().hex[:10]}@example.org"


def unique_number() -> str:
    """A fresh E.164 number: the SMS file keeps every SMS of earlier runs."""
    return "+4670" + str(uuid.uuid4().int)[:7]


def _mail(template: str, to: str, language: str = "en", **context) -> dict:
    return {"template": template, "to": to, "language": language, "context": context}


def _dead_letter(channel, queue: str, message_id: str, timeout: float = 30.0) -> dict:
    """Take the message ``message_id`` out of ``queue`` (waiting for it); return its body."""
    def take():
        while True:
            method, properties, body = channel.basic_get(queue, auto_ack=False)
            if method is None:
                return None
            channel.basic_ack(method.delivery_tag)
            if properties.message_id == message_id:
                return json.loads(body)
    return wait_until(take, timeout, 0.2)


def test_mail_in_english_and_swedish_reaches_the_maildir(stack, publisher, outbox):
    ada, asa = unique_address("ada"), unique_address("asa")
    key = publisher.publish("msg.mail", _mail("signup_code", ada, "en", code="123456", given_name="Ada",
                                              ttl_minutes=10))
    publisher.publish("msg.mail", _mail("signup_code", asa, "sv", code="654321", given_name="Åsa", ttl_minutes=10))
    [en] = outbox.wait_for_mail(ada)
    [sv] = outbox.wait_for_mail(asa)
    assert en["Subject"] == "Your Tessera verification code"
    assert sv["Subject"] == "Din verifieringskod för Tessera"
    assert code_in(text_of(en)) == "123456" and code_in(text_of(sv)) == "654321"
    assert "Hej Åsa" in text_of(sv)
    assert en["From"] == "Tessera <no-reply@tessera.example>"
    assert en["Message-ID"] == f"<{key}@tessera.example>"
    assert en["Auto-Submitted"] == "auto-generated" and en["Date"]
    assert "654321" in sv.get_body(("html",)).get_content()


def test_sms_lands_in_the_file(stack, publisher, outbox):
    number = unique_number()
    publisher.publish("msg.sms", {"template": "phone_code", "to": number, "language": "sv",
                                  "context": {"code": "987654", "ttl_minutes": 10}})
    [sms] = outbox.wait_for_sms(number)
    assert sms["text"] == "Din Tessera-kod är 987654. Den är giltig i 10 minuter."
    assert sms["sent_at"].endswith("Z")


def test_a_redelivered_job_is_sent_once(stack, publisher, outbox, mongo):
    once, after, once_number, after_number = (unique_address("once"), unique_address("after"),
                                              unique_number(), unique_number())
    key = uuid.uuid4().hex
    job = _mail("email_code", once, code="111111", ttl_minutes=10)
    publisher.publish("msg.mail", job, message_id=key)
    publisher.publish("msg.mail", job, message_id=key)
    sms_key = uuid.uuid4().hex
    sms = {"template": "phone_code", "to": once_number, "language": "en", "context": {"code": "1", "ttl_minutes": 1}}
    publisher.publish("msg.sms", sms, message_id=sms_key)
    publisher.publish("msg.sms", sms, message_id=sms_key)
    # jobs of a queue are handled in order: once these have arrived, so have the duplicates
    publisher.publish("msg.mail", _mail("email_code", after, code="222222", ttl_minutes=10))
    publisher.publish("msg.sms", dict(sms, to=after_number))
    outbox.wait_for_mail(after)
    outbox.wait_for_sms(after_number)
    assert len(outbox.mails(once)) == 1
    assert len(outbox.sms(once_number)) == 1
    assert mongo.tessera_msg.sent.find_one({"key": f"msg.mail:{key}"})["state"] == "sent"


def test_a_failed_smtp_send_is_retried_until_it_succeeds(stack, publisher, outbox, mongo):
    manager.control(stack, "stop", "smtp")
    try:
        to = unique_address("retry")
        key = publisher.publish("msg.mail", _mail("password_changed", to, given_name="Ada"))
        record = wait_until(lambda: mongo.tessera_msg.sent.find_one({"key": f"msg.mail:{key}", "state": "failed"}))
        assert record is not None and outbox.mails(to) == []
    finally:
        manager.control(stack, "start", "smtp")
    [mail] = outbox.wait_for_mail(to, timeout=30)
    assert "Ada" in text_of(mail)
    assert wait_until(lambda: mongo.tessera_msg.sent.find_one({"key": f"msg.mail:{key}", "state": "sent"}))


def test_a_job_that_failed_once_is_not_sent_behind_the_backlog(stack, publisher, outbox, mongo):
    """Issue 10: a job that failed once (there: during a MongoDB restart) waited 111 s
    behind the whole backlog, because its retry went to the tail of the queue. Here the
    first job of a queued burst fails transiently — another worker holds its claim
    (``Leased``) until the test releases it, as that worker would after a failed send —
    and must be sent a moment later (quick retries in place: 0.25 s, then 0.5 s, …), not
    after the 400 jobs behind it (the old way: through ``.retry`` to the tail)."""
    first, backlog = unique_address("first"), [unique_address(f"backlog{i}") for i in range(400)]
    key = uuid.uuid4().hex
    now = datetime.now(timezone.utc)
    mongo.tessera_msg.sent.insert_one({"key": f"msg.mail:{key}", "state": "sending", "owner": "elsewhere:1:other",
                                       "claimed_at": now, "lease_until": now + timedelta(hours=1), "created": now})
    log = Path(stack.run_dir) / "log" / "msg.log"
    manager.control(stack, "stop", MSG_PROGRAM)
    try:
        publisher.publish("msg.mail", _mail("password_changed", first, given_name="Ada"), message_id=key)
        for address in backlog:
            publisher.publish("msg.mail", _mail("password_changed", address, given_name="Bo"))
    finally:
        manager.control(stack, "start", MSG_PROGRAM)
    wait_until(lambda: f"message {key} failed" in log.read_text(errors="replace"), timeout=60, interval=0.1)
    mongo.tessera_msg.sent.update_one({"key": f"msg.mail:{key}"}, {"$set": {"state": "failed"}})  # released
    outbox.wait_for_mail(first, timeout=120)
    for address in backlog:
        outbox.wait_for_mail(address, timeout=120)
    ours = {first, *backlog}
    arrived = sorted((path.stat().st_mtime_ns, to) for path in (outbox.mail_dir / "new").iterdir()
                     if (to := outbox._to(path)) in ours)
    position = [to for _mtime, to in arrived].index(first)
    # the worker sends ~70 mails/s here: a few seconds of quick retries cost at most ~300
    assert position < 300, f"the job that failed once came {position + 1}th of {len(arrived)}"


@pytest.mark.parametrize("queue, body, reason", [
    ("msg.mail", _mail("no_such_template", "x@example.org"), "unknown template"),
    ("msg.mail", _mail("signup_code", "x@example.org", code="123456"), "context key missing"),
    ("msg.mail", {"template": "welcome", "to": "not an address", "context": {}}, "bad address"),
    ("msg.sms", {"template": "phone_code", "to": "0701234567", "context": {"code": "1", "ttl_minutes": 1}},
     "not E.164"),
])
def test_a_job_that_can_never_be_sent_is_dead_lettered(stack, publisher, broker_channel, mongo, queue, body, reason):
    key = publisher.publish(queue, body)
    assert _dead_letter(broker_channel, f"{queue}.dead", key) == body, reason
    assert mongo.tessera_msg.sent.find_one({"key": f"{queue}:{key}"}) is None


def test_an_address_the_smtp_server_cannot_take_is_dead_lettered_at_once(stack, publisher, broker_channel, mongo):
    """The dev sink, like many servers, offers no SMTPUTF8 (RFC 6531): a non-ASCII
    address can never be sent there, so the job is not retried for minutes first."""
    body = _mail("password_changed", "ключ@example.org", given_name="Ada")
    key = publisher.publish("msg.mail", body)  # the test's publisher does not validate
    assert _dead_letter(broker_channel, "msg.mail.dead", key, timeout=30) == body
    assert mongo.tessera_msg.sent.find_one({"key": f"msg.mail:{key}"})["state"] == "failed"


def test_a_bad_job_raises_at_the_publisher_and_is_never_queued(stack, broker_channel, outbox):
    """One contract per queue (``common.queues``): what the consumer would refuse, the
    publisher refuses first, in the request that made it."""
    client = service_amqp(stack, "signup")
    keys = [uuid.uuid4().hex, uuid.uuid4().hex]
    try:
        with pytest.raises(InvalidMessage):
            MAIL.publish(client, _mail("welcome", "not an address"), message_id=keys[0])
        with pytest.raises(InvalidMessage):
            SMS.publish(client, {"template": "phone_code", "to": "0701234567", "context": {}}, message_id=keys[1])
        with pytest.raises(InvalidMessage):
            AM_SYNC.call(client, {"op": "sync", "service": "signup"}, timeout=5)
    finally:
        client.close()
    outbox.drain(stack)  # had either job been queued, it would be dead by now

    def dead_ids(queue: str) -> set[str]:
        found = set()
        while (taken := broker_channel.basic_get(queue, auto_ack=True))[0] is not None:
            found.add(taken[1].message_id)
        return found
    assert not set(keys) & (dead_ids("msg.mail.dead") | dead_ids("msg.sms.dead"))


def test_the_ledger(stack, mongo):
    collection = mongo.tessera_msg.ledger_test
    collection.drop()
    ours = SentLedger(collection, ttl=3600, owner=f"{os.uname().nodename}:{os.getppid()}:ours")  # alive
    ours.ensure_indexes()
    live_other = SentLedger(collection, ttl=3600, owner="elsewhere:1:theirs")
    # first claim, then the same worker again (a retry), then another worker: leased
    assert ours.claim("k1", lease=30) == SEND and ours.claim("k1", lease=30) == SEND
    with pytest.raises(Leased):
        live_other.claim("k1", lease=30)
    ours.mark_sent("k1")
    assert live_other.claim("k1", lease=30) == SKIP and ours.claim("k1", lease=30) == SKIP
    # a failed send is released: anyone may claim it at once
    assert live_other.claim("k2", lease=30) == SEND
    live_other.release("k2")
    assert ours.claim("k2", lease=30) == SEND
    # an expired lease can be taken over: the earlier attempt may have left
    assert live_other.claim("k3", lease=0.001) == SEND
    time.sleep(0.01)
    assert ours.claim("k3", lease=30) == RESEND
    # a claim of a process of this host that no longer exists is taken over at once
    dead_pid = 2 ** 22 + 1  # above any pid_max default: never a live process
    dead = SentLedger(collection, ttl=3600, owner=f"{os.uname().nodename}:{dead_pid}:gone")
    assert dead.claim("k4", lease=300) == SEND
    assert ours.claim("k4", lease=30) == RESEND
    assert collection.find_one({"key": "k4"})["resent"] is True
    assert "resent" not in collection.find_one({"key": "k2"})
    index = collection.index_information()
    assert index["key_unique"]["unique"] and index["created_ttl"]["expireAfterSeconds"] == 3600
