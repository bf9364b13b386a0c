"""The issue's acceptance test: killing the msg worker (SIGKILL) in the middle of a
burst of mail and SMS loses none and sends none twice — and the one window where a
mail is sent twice is visible.

"None twice" holds exactly for SMS (the file outbox can be asked after a crash). For
mail it holds except for the one job that may be between the SMTP server's "250" and
the ledger's record when the kill lands (services/msg/ledger.py): that job is sent
again, flagged ``resent`` in the ledger, with the same Message-ID, and the dev SMTP
sink files the copy in its ``duplicates`` folder instead of the inbox. The tests
assert exactly that, so they cannot pass with a duplicate the design does not account
for, nor with one that nobody could see.
"""
from __future__ import annotations

import email.parser
import email.policy
import json
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

from devstack import manager
from services.msg.worker import CRASH_AFTER_SEND_ENV
from tests.msg.conftest import MSG_PROGRAM, msg_pid, sink_duplicates, wait_for_consumer, wait_until

#: A third of it, queued while the worker is stopped, must outlast the moment between
#: "3 sent" and the kill, however slow this test process is and however fast the worker
#: (issue 15 made it send hundreds a second: 200 mails and 200 SMS take it a second or more).
BURST = 600


def message_id_of(path: Path) -> str:
    """The Message-ID header of the mail file at ``path``."""
    with path.open("rb") as f:
        return str(email.parser.BytesHeaderParser(policy=email.policy.default).parse(f)["Message-ID"])


def recipients(outbox) -> tuple[dict[str, list[Path]], Counter]:
    """The mail files each address got, and how many SMS each number got, reading the
    outbox once (mail headers only)."""
    parser = email.parser.BytesHeaderParser(policy=email.policy.default)
    mails: dict[str, list[Path]] = {}
    for path in (outbox.mail_dir / "new").iterdir():
        with path.open("rb") as f:
            mails.setdefault(str(parser.parse(f).get("To", "")).lower(), []).append(path)
    sms = Counter(json.loads(line)["to"] for line in outbox.sms_file.read_text().splitlines() if line.strip())
    return mails, sms


def test_killing_the_worker_mid_burst_loses_nothing_and_doubles_nothing(stack, publisher, broker_channel, outbox,
                                                                       mongo):
    run = uuid.uuid4().hex[:8]
    addresses = [f"crash-{run}-{i}@example.org" for i in range(BURST)]
    numbers = [f"+4673{int(run, 16) % 10 ** 5:05d}{i:03d}" for i in range(BURST)]
    def publish(i: int) -> None:  # mail and SMS interleaved, as the services queue them
        publisher.publish("msg.mail", {"template": "email_code", "to": addresses[i], "language": "en",
                                       "context": {"code": f"{i:06d}", "ttl_minutes": 10}})
        publisher.publish("msg.sms", {"template": "phone_code", "to": numbers[i], "language": "sv",
                                      "context": {"code": f"{i:06d}", "ttl_minutes": 10}})

    def sent_so_far() -> int:
        return mongo.tessera_msg.sent.count_documents({"state": "sent"})

    first = BURST // 3
    manager.control(stack, "stop", MSG_PROGRAM)  # the first part waits: the worker cannot be through it yet
    try:
        for i in range(first):
            publish(i)
    finally:
        manager.control(stack, "start", MSG_PROGRAM)
    old_pid = msg_pid(stack)
    assert old_pid
    wait_until(lambda: sent_so_far() >= 3, timeout=20, interval=0.005)
    os.kill(old_pid, signal.SIGKILL)
    assert sent_so_far() < 2 * first, "the first part was over before the kill: nothing was tested"
    for i in range(first, BURST):  # the rest of the burst arrives while the worker is down
        publish(i)

    wait_until(lambda: msg_pid(stack) not in (0, old_pid), timeout=30, interval=0.2)  # supervisord restarts it
    wait_for_consumer(broker_channel, "msg.mail")
    wait_for_consumer(broker_channel, "msg.sms")
    wait_until(lambda: sent_so_far() == 2 * BURST, timeout=240, interval=0.2)
    outbox.drain(stack)  # anything sent twice has arrived by now
    mails, sms = recipients(outbox)
    ours = [path for address in addresses for path in mails.get(address, [])]
    message_ids = {message_id_of(path) for path in ours}
    for path in ours:  # the outbox outlives the data wipe, and Outbox.mails reads it all
        path.unlink()
    assert {number: sms[number] for number in numbers} == dict.fromkeys(numbers, 1)
    assert [len(mails.get(address, [])) for address in addresses] == [1] * BURST, "a mail was lost (or filed twice)"
    doubled = {mid: count for mid, count in sink_duplicates(stack).items() if mid in message_ids}
    resent = {record["key"].split(":", 1)[1]
              for record in mongo.tessera_msg.sent.find({"key": {"$regex": "^msg\\.mail:"}, "resent": True})}
    assert sum(doubled.values()) <= 1, f"more than the one mail in flight was sent twice: {doubled}"
    for message_id in doubled:
        assert message_id.strip("<>").split("@")[0] in resent, f"{message_id}: a duplicate the ledger did not flag"


def _die_in_the_window(stack, publisher, tmp_path: Path, queue: str, body: dict) -> str:
    """Queue ``body`` on ``queue`` for a msg worker of our own (the supervised one
    stopped) that kills itself right after the provider took the job and before the
    ledger records it (``CRASH_AFTER_SEND_ENV``); return the job's key once it is dead.
    The caller starts the supervised worker again (``MSG_PROGRAM``)."""
    log = tmp_path / "worker.log"
    manager.control(stack, "stop", MSG_PROGRAM)
    with log.open("wb") as output:
        worker = subprocess.Popen([sys.executable, "-m", "services.msg.worker"], stdout=output,
                                  stderr=subprocess.STDOUT,
                                  env={**os.environ, "TESSERA_ETCD": stack.etcd_address, "TESSERA_STACK": stack.name,
                                       CRASH_AFTER_SEND_ENV: body["to"]})
        key = publisher.publish(queue, body)
        try:
            status = worker.wait(timeout=60)
        finally:
            worker.kill()
    assert status == -signal.SIGKILL, log.read_text()
    return key


def test_a_mail_sent_but_not_recorded_is_sent_again_flagged_and_visible(stack, publisher, outbox, mongo, tmp_path):
    """The crash window itself: a worker killed after the SMTP server took the mail and
    before the ledger recorded it. Its successor cannot know the mail left, so it sends
    it again (at least once, never zero times) with the same Message-ID and flags the
    ledger record ``resent``; the sink keeps the copy out of the inbox and shows it."""
    to = f"window-{uuid.uuid4().hex[:10]}@example.org"
    try:
        key = _die_in_the_window(stack, publisher, tmp_path, "msg.mail", {
            "template": "email_code", "to": to, "language": "en", "context": {"code": "424242", "ttl_minutes": 10}})
        record = mongo.tessera_msg.sent.find_one({"key": f"msg.mail:{key}"})
        assert record["state"] == "sending", "the kill did not land between sending and recording"
        [first] = outbox.wait_for_mail(to)
    finally:
        manager.control(stack, "start", MSG_PROGRAM)
    message_id = str(first["Message-ID"])
    wait_until(lambda: mongo.tessera_msg.sent.find_one({"key": f"msg.mail:{key}", "state": "sent"}), timeout=60)
    outbox.drain(stack)
    assert mongo.tessera_msg.sent.find_one({"key": f"msg.mail:{key}"})["resent"] is True
    assert len(outbox.mails(to)) == 1  # what the person sees
    assert sink_duplicates(stack).get(message_id) == 1  # what was sent: once more, flagged
    smtp_log = Path(stack.run_dir) / "log" / "smtp.log"  # written by supervisord from the sink's stderr
    wait_until(lambda: f"duplicate 1 of {message_id}" in smtp_log.read_text(errors="replace"), timeout=10)


def test_an_sms_sent_but_not_recorded_is_not_sent_again(stack, publisher, outbox, mongo, tmp_path):
    """The same window for SMS: the file outbox can tell what it sent, so the successor
    records the job (flagged ``resent``, it took the claim over) without sending it twice."""
    number = f"+4672{uuid.uuid4().int % 10 ** 7:07d}"
    try:
        key = _die_in_the_window(stack, publisher, tmp_path, "msg.sms", {
            "template": "phone_code", "to": number, "language": "en", "context": {"code": "4242", "ttl_minutes": 10}})
        assert mongo.tessera_msg.sent.find_one({"key": f"msg.sms:{key}"})["state"] == "sending"
        assert len(outbox.sms(number)) == 1
    finally:
        manager.control(stack, "start", MSG_PROGRAM)
    wait_until(lambda: mongo.tessera_msg.sent.find_one({"key": f"msg.sms:{key}", "state": "sent"}), timeout=60)
    outbox.drain(stack)
    assert mongo.tessera_msg.sent.find_one({"key": f"msg.sms:{key}"})["resent"] is True
    assert len(outbox.sms(number)) == 1
