"""Self-service flows as typed objects, each its own Redis record changed atomically.

A flow (Ory Kratos's ``selfservice/flow/*`` is the model) is an object with an ``id``, a
``state`` (a member of the flow type's ``State`` enum), an expiry (``expires_at``, epoch
seconds) and its ``data`` (a JSON object). Each flow type declares the transitions it
allows; ``Flow.advance`` is the one place that changes a flow, and it is pure (unit
tested without Redis). The session holds only the flow's id.

Storage: ``tessera:flow:<kind>:<id>`` (JSON) with a Redis TTL at the flow's expiry.
``transition`` is a compare-and-set: ``WATCH`` the record, read it, check that its state
is the one the caller expects, ``MULTI``/``EXEC`` the new record. Why optimistic rather
than a lock: a transition is a pure function of the record, a request that dies
mid-way leaves nothing held, and the loser of a race learns the state that won
(``FlowConflict.flow``) instead of overwriting it — a success once answered is never
undone by a request that read the record before it.
"""
from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, ClassVar, Collection, Mapping, TypeVar

import redis

from common.redis_store import redis_client

KEY_PREFIX = "tessera:flow:"
#: WATCH retries when other writers keep changing the record between our read and EXEC
MAX_ATTEMPTS = 5

F = TypeVar("F", bound="Flow")


class FlowError(Exception):
    """Base of the flow domain errors (services map them to their message keys)."""


class FlowNotFound(FlowError):
    """No such flow: never started, expired (Redis dropped the record) or deleted."""


class FlowConflict(FlowError):
    """The flow is not in the state the caller expected (another request moved it first).

    ``flow`` is the flow as it is now."""

    def __init__(self, flow: "Flow") -> None:
        super().__init__(f"{flow.KIND} flow {flow.id} is {flow.state.value}")
        self.flow = flow


class TransitionRefused(FlowError):
    """The flow type does not allow this transition at all (a programming error)."""


class FlowDataInvalid(FlowError, ValueError):
    """The flow's data cannot be stored (not JSON, or a string that is not valid UTF-8,
    such as a lone surrogate). Raised before anything is written."""


@dataclass(frozen=True)
class Flow:
    """One self-service flow. A flow type is declared with its kind (the key part) and
    its transitions (every state of its ``State`` enum → the states it may move to)::

        class SignupFlow(Flow, kind="signup", transitions={SignupState.verify: {...}, ...}): ...
    """

    KIND: ClassVar[str]
    State: ClassVar[type[Enum]]
    TRANSITIONS: ClassVar[Mapping[Any, Collection[Any]]]

    def __init_subclass__(cls, *, kind: str, transitions: Mapping[Enum, Collection[Enum]], **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.KIND, cls.TRANSITIONS = kind, transitions
        cls.State = type(next(iter(transitions)))
        if set(transitions) != set(cls.State):
            raise TypeError(f"{cls.__name__}: transitions must list every state of {cls.State.__name__}")

    id: str
    state: Any
    expires_at: float
    data: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def new(cls: type[F], state: Enum, *, lifetime: float, now: float | None = None, **data: Any) -> F:
        """A new flow with a random 128-bit id, in ``state``, expiring ``lifetime`` seconds
        after ``now`` (default: the current time)."""
        now = time.time() if now is None else now
        return cls(id=secrets.token_hex(16), state=cls.State(state), expires_at=now + lifetime, data=dict(data))

    def expired(self, now: float | None = None) -> bool:
        """Whether the flow's expiry has passed (Redis drops the record then as well)."""
        return (time.time() if now is None else now) >= self.expires_at

    def advance(self: F, expect: Enum | Collection[Enum], to: Enum, *, lifetime: float | None = None,
                now: float | None = None, **data: Any) -> F:
        """The flow moved to ``to``, with ``data`` merged into its data; a new object.

        ``expect``: the state (or states) the caller read the flow in. ``lifetime``: when
        given, the flow expires that many seconds after ``now`` (else its expiry stays).
        Raises FlowConflict when the flow is not in ``expect`` (or has expired),
        TransitionRefused when the type forbids ``self.state`` → ``to``.
        """
        expected = {expect} if isinstance(expect, Enum) else set(expect)
        now = time.time() if now is None else now
        if self.state not in expected or self.expired(now):
            raise FlowConflict(self)
        if to not in self.TRANSITIONS.get(self.state, ()):
            raise TransitionRefused(f"{self.KIND}: {self.state.value} -> {to.value}")
        expires_at = now + lifetime if lifetime is not None else self.expires_at
        return replace(self, state=to, expires_at=expires_at, data={**self.data, **data})

    def encode(self) -> bytes:
        """The record's bytes (JSON, UTF-8). Raises FlowDataInvalid."""
        record = {"id": self.id, "state": self.state.value, "expires_at": self.expires_at, "data": self.data}
        try:
            return json.dumps(record, ensure_ascii=False, allow_nan=False).encode("utf-8")
        except (TypeError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
            raise FlowDataInvalid(str(exc)) from exc

    @classmethod
    def decode(cls: type[F], raw: bytes) -> F:
        """The flow stored as ``raw`` (see ``encode``)."""
        record = json.loads(raw)
        return cls(id=record["id"], state=cls.State(record["state"]), expires_at=record["expires_at"],
                   data=record["data"])

    @classmethod
    def key(cls, flow_id: str) -> str:
        """The Redis key of flow ``flow_id``."""
        return f"{KEY_PREFIX}{cls.KIND}:{flow_id}"


def _expiry_ms(flow: Flow) -> int:
    return int(flow.expires_at * 1000)


def save_new(flow: Flow) -> None:
    """Store a flow made by ``Flow.new`` (nothing else has its random id).

    Raises FlowDataInvalid before anything is written; redis errors (→ 503)."""
    redis_client().set(flow.key(flow.id), flow.encode(), pxat=_expiry_ms(flow))


def load(cls: type[F], flow_id: str | None) -> F:
    """The stored flow ``flow_id`` of type ``cls``. Raises FlowNotFound (also for None
    and for a flow past its expiry)."""
    raw = redis_client().get(cls.key(flow_id)) if flow_id else None
    flow = cls.decode(raw) if raw is not None else None
    if flow is None or flow.expired():
        raise FlowNotFound(f"{cls.KIND} flow {flow_id}")
    return flow


def transition(cls: type[F], flow_id: str | None, expect: Enum | Collection[Enum], to: Enum, *,
               lifetime: float | None = None, **data: Any) -> F:
    """Atomically move stored flow ``flow_id`` from ``expect`` to ``to`` (``Flow.advance``)
    and return the new flow.

    Raises FlowNotFound, FlowConflict (carrying the current flow: another request moved
    it first, nothing written), TransitionRefused, FlowDataInvalid; FlowConflict as well
    after ``MAX_ATTEMPTS`` lost WATCH rounds; redis errors (→ 503).
    """
    if not flow_id:
        raise FlowNotFound(f"{cls.KIND} flow")
    key = cls.key(flow_id)
    with redis_client().pipeline() as pipe:
        for _ in range(MAX_ATTEMPTS):
            try:
                pipe.watch(key)
                raw = pipe.get(key)
                if raw is None:
                    raise FlowNotFound(f"{cls.KIND} flow {flow_id}")
                current = cls.decode(raw)
                changed = current.advance(expect, to, lifetime=lifetime, **data)
                pipe.multi()
                pipe.set(key, changed.encode(), pxat=_expiry_ms(changed))
                pipe.execute()
                return changed
            except redis.WatchError:
                continue  # someone wrote in between: read again and re-check the state
    raise FlowConflict(load(cls, flow_id))


def delete(cls: type[Flow], flow_id: str | None) -> None:
    """Forget flow ``flow_id`` (if stored)."""
    if flow_id:
        redis_client().delete(cls.key(flow_id))
