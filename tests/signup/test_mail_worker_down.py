"""Acceptance: with the msg worker stopped, signups still answer at once; the mails
queued meanwhile are all sent once when it is back, none twice (proved by a marker
queued behind them, not by waiting a while)."""
from __future__ import annotations

import time

from devstack import manager
from tests.broker import broker_channel, message_count  # noqa: F401  (fixture)
from tests.helpers import HttpClient, code_in, text_of
from tests.signup.conftest import person, unique_address

MSG_WORKER = "workers:msg"  # its program name in devstack/supervisor.py


def test_signups_answer_while_the_mail_worker_is_down(stack, outbox, broker_channel):
    addresses = [unique_address(f"queued{i}") for i in range(4)]
    manager.control(stack, "stop", MSG_WORKER)
    try:
        for address in addresses:
            client = HttpClient(stack.base_url)
            try:
                started = time.monotonic()
                r = client.post("/api/signup/register", person(address))
                took = time.monotonic() - started
            finally:
                client.close()
            assert r.status == 200, r
            assert took < 2.0, f"register took {took:.1f} s with the mail worker down"
        # really queued, not sent: the jobs wait in the queue (publishing was confirmed
        # before each answer), and nothing consumes it
        assert message_count(broker_channel, "msg.mail") >= len(addresses)
        assert all(outbox.mails(a) == [] for a in addresses)
    finally:
        manager.control(stack, "start", MSG_WORKER)
    for address in addresses:
        [mail] = outbox.wait_for_mail(address, timeout=90)
        assert code_in(text_of(mail))
    outbox.drain(stack)  # a duplicate would have arrived before the marker
    assert [len(outbox.mails(a)) for a in addresses] == [1] * len(addresses)
