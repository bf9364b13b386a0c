"""Helpers for the tests: API clients that handle CSRF, the outbox, data wiping."""
from __future__ import annotations

import email
import email.policy
import json
import re
import time
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any, Callable

import redis
import requests
from flask.testing import FlaskClient

from common.amqp import AmqpClient, service_user
from devstack import mongo_access, rabbitmq_access
from devstack.mongo_access import admin_client
from devstack.topology import Stack

CODE_RE = re.compile(r"\b(\d{6})\b")


class Response:
    """What a test looks at: ``status``, ``body`` (the FSA), ``headers``; shortcuts
    ``type``, ``payload``, ``message`` (payload.message) and ``errors``."""

    def __init__(self, status: int, body: Any, headers: Any) -> None:
        self.status = status
        self.body = body
        self.headers = headers

    @property
    def type(self) -> str:
        return self.body["type"]

    @property
    def payload(self) -> dict[str, Any]:
        return self.body.get("payload", {})

    @property
    def message(self) -> str | None:
        return self.payload.get("message")

    @property
    def errors(self) -> dict[str, Any]:
        return self.payload.get("errors", {})

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.body!r}>"


class ApiClient:
    """A Flask test client that sends the session's CSRF token on every unsafe request.

    The token is planted in the server-side session the way jsconfig would create it;
    ``csrf=False`` on a call sends none.
    """

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def csrf_token(self) -> str:
        with self.client.session_transaction() as session:
            token = session.get("csrf_token")
            if not token:
                token = session["csrf_token"] = "test-csrf-token-" + str(time.time_ns())
        return token

    def get(self, path: str, **kwargs: Any) -> Response:
        r = self.client.get(path, **kwargs)
        return Response(r.status_code, r.get_json(silent=True), r.headers)

    def post(self, path: str, json: Any = None, *, csrf: bool = True, **kwargs: Any) -> Response:
        headers = dict(kwargs.pop("headers", {}))
        if csrf:
            headers["X-CSRF-Token"] = self.csrf_token()
        r = self.client.post(path, json=json if json is not None else {}, headers=headers, **kwargs)
        return Response(r.status_code, r.get_json(silent=True), r.headers)

    def login_as(self, user_id: str, auth_age: int = 0) -> None:
        """Make this client's session logged in as ``user_id``, authenticated ``auth_age`` s ago."""
        now = int(time.time())
        with self.client.session_transaction() as session:
            session.update(user_id=user_id, auth_time=now - auth_age, login_time=now)


class HttpClient:
    """A requests session on nginx that behaves like the SPA: it reads the CSRF token from
    jsconfig (and from any payload that carries a new one) and sends it on unsafe calls."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.token: str | None = None

    def close(self) -> None:
        self.session.close()

    def receive(self, r: requests.Response) -> Response:
        """``r`` as a Response; a payload's new CSRF token becomes this client's token."""
        try:
            body = r.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("payload"), dict) and "csrf_token" in body["payload"]:
            self.token = body["payload"]["csrf_token"]
        return Response(r.status_code, body, r.headers)

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.receive(self.session.get(self.base_url + path, timeout=30, **kwargs))

    def post(self, path: str, json: Any = None, *, csrf: bool = True, **kwargs: Any) -> Response:
        headers = dict(kwargs.pop("headers", {}))
        if csrf:
            if self.token is None:
                self.get("/api/jsconfig/config")
            headers["X-CSRF-Token"] = self.token or ""
        return self.receive(self.session.post(self.base_url + path, json=json if json is not None else {},
                                            headers=headers, timeout=30, **kwargs))

    @property
    def cookie(self) -> str | None:
        return self.session.cookies.get("tessera_session")


class Outbox:
    """The development outbox: mails in ``<run>/mail/new/``, SMS in ``<run>/sms.jsonl``.

    The Maildir outlives the per-test data wipe, so each file's recipients are parsed
    once and remembered: polling stays cheap however many mails earlier tests left.
    """

    def __init__(self, stack: Stack) -> None:
        self.mail_dir = stack.mail_dir
        self.sms_file = stack.sms_file
        self._recipients: dict[str, str] = {}

    def _to(self, path: Path) -> str:
        recipients = self._recipients.get(path.name)
        if recipients is None:
            headers = BytesHeaderParser(policy=email.policy.default).parsebytes(path.read_bytes())
            recipients = self._recipients[path.name] = str(headers.get("To", "")).lower()
        return recipients

    def mails(self, to: str) -> list[EmailMessage]:
        """Every mail delivered so far to ``to`` (case-insensitive), oldest first."""
        new = self.mail_dir / "new"
        paths = sorted(new.iterdir(), key=lambda p: p.stat().st_mtime) if new.is_dir() else []
        return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                for path in paths if to.lower() in self._to(path)]

    def wait_for_mail(self, to: str, count: int = 1, timeout: float = 20) -> list[EmailMessage]:
        """Wait until at least ``count`` mails reached ``to``; return them. AssertionError on time-out."""
        return _wait_for_count(lambda: self.mails(to), count, timeout, f"mail(s) to {to}")

    def sms(self, to: str) -> list[dict[str, Any]]:
        """Every SMS sent so far to ``to`` (E.164)."""
        if not self.sms_file.exists():
            return []
        lines = self.sms_file.read_text().splitlines()
        return [m for m in (json.loads(line) for line in lines if line.strip()) if m["to"] == to]

    def wait_for_sms(self, to: str, count: int = 1, timeout: float = 20) -> list[dict[str, Any]]:
        """Wait until at least ``count`` SMS reached ``to``; return them. AssertionError on time-out."""
        return _wait_for_count(lambda: self.sms(to), count, timeout, f"SMS to {to}")

    def drain(self, stack: Stack, timeout: float = 30) -> None:
        """Wait until the msg worker has handled every job queued before this call.

        How a test proves that something was *not* sent, without sleeping: a marker mail
        and a marker SMS are queued behind everything queued so far, as a service would
        queue them, and this waits until both are delivered. The worker takes each queue
        in order, one job after the other, so anything queued earlier has been sent by
        then (or has failed and is waiting for a retry, which a test that provokes
        failures must wait for itself).
        """
        marker = f"marker-{time.time_ns()}"
        address, number = f"{marker}@marker.test", f"+4670{time.time_ns() % 10**7:07d}"
        publisher = service_amqp(stack, "signup")
        try:
            publisher.publish("msg.mail", {"template": "email_code", "to": address, "language": "en",
                                           "context": {"code": "000000", "ttl_minutes": 10}})
            publisher.publish("msg.sms", {"template": "phone_code", "to": number, "language": "en",
                                          "context": {"code": "000000", "ttl_minutes": 10}})
        finally:
            publisher.close()
        self.wait_for_mail(address, timeout=timeout)
        self.wait_for_sms(number, timeout=timeout)


def _wait_for_count(fetch: Callable[[], list[Any]], count: int, timeout: float, what: str) -> list[Any]:
    deadline = time.monotonic() + timeout
    while len(found := fetch()) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(found) >= count, f"expected {count} {what}, found {len(found)}"
    return found


def text_of(message: EmailMessage) -> str:
    """The plain-text body of a mail."""
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def code_in(text: str) -> str:
    """The 6-digit verification code in ``text``. AssertionError if there is none."""
    match = CODE_RE.search(text)
    assert match, f"no code in {text!r}"
    return match.group(1)


def wait_for(predicate: Callable[[], Any], timeout: float = 15.0) -> Any:
    """Poll ``predicate`` until it returns something truthy; return that (or the last
    falsy value after ``timeout`` seconds), e.g. for what the AM writes later."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def borrowed_login(stack: Stack) -> dict[str, str]:
    """The MongoDB and RabbitMQ logins for a service that exists only in the tests
    (``probe``, ``scratch``) and so has no users of its own: jsconfig's, whose roles are
    those of any service (its own database, the central one read-only) and which may
    use no queue."""
    return {"mongo_username": mongo_access.service_user("jsconfig"),
            "mongo_password": mongo_access.passwords(stack)[mongo_access.service_user("jsconfig")],
            "amqp_username": service_user("jsconfig"),
            "amqp_password": rabbitmq_access.passwords(stack)["jsconfig"]}


def service_amqp(stack: Stack, service: str) -> AmqpClient:
    """An AMQP client logged in as ``service``'s own RabbitMQ user and, like the service,
    declaring nothing (the broker's definitions declare the queues)."""
    from common.config import etcd_client, read_namespace

    return AmqpClient(read_namespace(etcd_client(), "common")["amqp_url"], declare=False,
                      username=service_user(service), password=rabbitmq_access.passwords(stack)[service])


def wipe_data(stack: Stack) -> None:
    """Empty every collection of every ``tessera_*`` database (indexes stay) and Redis."""
    client = admin_client(stack)
    try:
        for name in client.list_database_names():
            if name.startswith("tessera_"):
                database = client[name]
                for collection in database.list_collection_names():
                    database[collection].delete_many({})
    finally:
        client.close()
    r = redis.Redis(port=stack.ports["redis"])
    try:
        r.flushdb()
    finally:
        r.close()
