"""``common.session``'s check of the signed cookie: a worker remembers the ids of the
cookies that verified (issue 15), and that memory never lets an altered cookie in."""
from __future__ import annotations

import redis
from flask import Flask

from common import session as sessions


def interface() -> sessions.SignedRedisSessionInterface:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "unit-test-secret"
    # no connection is made: the client connects on its first command
    return sessions.SignedRedisSessionInterface(app, redis.Redis(port=1))


def test_a_good_cookie_gives_its_id_and_is_remembered() -> None:
    iface = interface()
    cookie = iface.signer.sign(b"the-session-id").decode()
    assert iface._verified_sid(cookie) == "the-session-id"
    assert iface._verified == {cookie: "the-session-id"}
    assert iface._verified_sid(cookie) == "the-session-id"


def test_an_altered_cookie_is_refused_every_time_and_never_remembered() -> None:
    iface = interface()
    cookie = iface.signer.sign(b"the-session-id").decode()
    assert iface._verified_sid(cookie) == "the-session-id"
    sid, signature = cookie.rsplit(".", 1)
    forgeries = [f"other-id.{signature}", f"{sid}.{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
                 sid, f"{sid}.", "\ud800.x", interface().signer.sign(b"x").decode().replace("x", "y", 1)]
    for forged in forgeries:
        assert iface._verified_sid(forged) is None
        assert iface._verified_sid(forged) is None
    assert list(iface._verified) == [cookie]


def test_a_cookie_signed_with_another_key_is_refused() -> None:
    other = Flask(__name__)
    other.config["SECRET_KEY"] = "another-secret"
    foreign = sessions.SignedRedisSessionInterface(other, redis.Redis(port=1)).signer.sign(b"sid").decode()
    assert interface()._verified_sid(foreign) is None


def test_the_memory_is_bounded() -> None:
    iface = interface()
    for n in range(sessions.VERIFIED_CACHE + 5):
        cookie = iface.signer.sign(f"sid-{n}".encode()).decode()
        assert iface._verified_sid(cookie) == f"sid-{n}"
        assert len(iface._verified) <= sessions.VERIFIED_CACHE
