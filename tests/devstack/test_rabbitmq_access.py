"""RabbitMQ itself keeps each service to the queues it needs (provision.rabbitmq_definitions,
written for the local stack by devstack.rabbitmq_access): the broker refuses, not our code."""
from __future__ import annotations

import json

import pika
import pytest

from common.amqp import queue_specs, service_user
from common.config import etcd_client, read_namespace
from common.queues import AM_SYNC, MAIL, SMS, WORK_QUEUES
from devstack import rabbitmq_access
from provision.rabbitmq_definitions import definitions

AM_QUEUE, MAIL_QUEUE, SMS_QUEUE = AM_SYNC.name, MAIL.name, SMS.name


def _channel(stack, service: str):
    parameters = pika.URLParameters(read_namespace(etcd_client(), "common")["amqp_url"])
    parameters.credentials = pika.PlainCredentials(service_user(service), rabbitmq_access.passwords(stack)[service])
    connection = pika.BlockingConnection(parameters)
    return connection, connection.channel()


def _refused(stack, service: str, action) -> int:
    connection, channel = _channel(stack, service)
    try:
        with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
            action(channel)
        return refused.value.reply_code
    finally:
        connection.close()


def test_a_service_cannot_take_the_mail_jobs(stack) -> None:
    # the mails carry verification codes: only msg may read them
    for queue in (MAIL_QUEUE, SMS_QUEUE):
        assert _refused(stack, "signup", lambda ch, q=queue: ch.basic_get(q)) == 403
    assert _refused(stack, "msg", lambda ch: ch.basic_get(AM_QUEUE)) == 403
    assert _refused(stack, "am", lambda ch: ch.basic_get(MAIL_QUEUE)) == 403


def test_no_service_or_worker_may_declare_or_delete_a_queue(stack) -> None:
    # the definitions declare the work queues; declaring one that dead-letters would
    # take read permission on it, which a publisher must not have
    arguments = dict(queue_specs(AM_QUEUE))[AM_QUEUE]
    assert _refused(stack, "signup", lambda ch: ch.queue_declare(AM_QUEUE, durable=True, arguments=arguments)) == 403
    assert _refused(stack, "am", lambda ch: ch.queue_delete(MAIL_QUEUE)) == 403
    assert _refused(stack, "msg", lambda ch: ch.queue_declare("msg.other", durable=True)) == 403


def test_jsconfig_may_use_no_queue(stack) -> None:
    def publish(channel) -> None:
        channel.confirm_delivery()
        channel.basic_publish("", MAIL_QUEUE, b"{}")

    assert _refused(stack, "jsconfig", publish) == 403


def test_each_worker_reads_its_own_queue(stack) -> None:
    for service, queue in (("am", AM_QUEUE), ("msg", MAIL_QUEUE), ("msg", SMS_QUEUE)):
        connection, channel = _channel(stack, service)
        try:
            channel.queue_declare(queue, passive=True)
            channel.basic_qos(prefetch_count=1)
            channel.basic_cancel(channel.basic_consume(queue, lambda *_: None))
        finally:
            connection.close()


def test_the_definitions_declare_every_queue_the_services_use(stack) -> None:
    document = json.loads(rabbitmq_access.definitions_path(stack).read_text())
    declared = {queue["name"]: queue["arguments"] for queue in document["queues"]}
    for work_queue in WORK_QUEUES:
        for name, arguments in queue_specs(work_queue):
            assert declared[name] == arguments
            # and the running broker has it: a passive declare needs no permission
            connection, channel = _channel(stack, "signup")
            try:
                channel.queue_declare(name, passive=True)
            finally:
                connection.close()
    quorum = definitions({}, kind="quorum")["queues"]
    assert {queue["arguments"]["x-queue-type"] for queue in quorum} == {"quorum"}


def test_the_definitions_hold_hashes_not_passwords(stack) -> None:
    path = rabbitmq_access.definitions_path(stack)
    assert path.stat().st_mode & 0o077 == 0
    text = path.read_text()
    for password in rabbitmq_access.passwords(stack).values():
        assert password not in text
    users = {user["name"] for user in json.loads(text)["users"]}
    assert users == {service_user(name) for name in rabbitmq_access.principals()} | {"guest"}
