"""Short exclusive locks in Redis, for one-shot actions that must not run twice at once.

A lock is ``SET tessera:lock:<name> <token> NX PX <ttl_ms>`` with a random token, and is
released by a compare-and-delete (a Lua script: delete only if the value is still our
token), so a holder whose lock has already expired can never release the next holder's
(the single-instance algorithm of the Redis documentation, "Distributed Locks with
Redis"). The TTL bounds how long a crashed holder blocks the action.

There is no waiting: a request that finds the lock held fails at once (``LockBusy``),
because the action is being done right now by a request of the same user.
"""
from __future__ import annotations

import secrets
from contextlib import contextmanager
from typing import Iterator

from common.redis_store import redis_client

KEY_PREFIX = "tessera:lock:"
#: Long enough for the slowest one-shot action (argon2 hashing, a bounded AM wait of at
#: most 60 s by the config schema, mails queued) to finish under its lock.
DEFAULT_TTL_MS = 90_000

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class LockBusy(Exception):
    """Another holder has the lock ``name`` right now."""

    def __init__(self, name: str) -> None:
        super().__init__(f"lock {name} is held")
        self.name = name


@contextmanager
def exclusive(name: str, *, ttl_ms: int = DEFAULT_TTL_MS) -> Iterator[None]:
    """Hold the lock ``name`` (e.g. ``user:<user_id>``) for the ``with`` block.

    ``ttl_ms``: milliseconds after which Redis frees the lock if the holder never
    releases it. Raises LockBusy when it is held; redis errors (→ 503) when Redis is down.
    The lock is released on the way out, whatever the block raised.
    """
    client = redis_client()
    key = KEY_PREFIX + name
    token = secrets.token_hex(16)
    if not client.set(key, token, nx=True, px=ttl_ms):
        raise LockBusy(name)
    try:
        yield
    finally:
        client.eval(_RELEASE, 1, key, token)
