"""The second step of a login or re-authentication: a pending-login flow.

After the password of an account that has a second factor, the session holds a
``PendingLogin`` flow (``common.flows``: its own Redis record, at most
``PENDING_LIFETIME`` seconds, the session holds its id) and is NOT logged in — every
login-only route still answers 401 (API.md, *authn*). A re-authentication's pending step
leaves the session logged in with its old ``auth_time``. One of the ``/mfa/*`` routes
completes it: the flow moves ``pending`` → ``done`` by compare-and-set, so of parallel
completions exactly one logs in, with a new session id and the ``amr`` (RFC 8176).

Wrong second-step codes are failures of the same throttles as the password that
started the step (``throttle_scope``/``throttle_key`` in the flow's data): a guesser
gets no fresh allowance by passing the password step (NIST SP 800-63B §5.2.2).
"""
from __future__ import annotations

import logging
from enum import Enum
from typing import Any, Callable, Mapping

from flask import g, session

from common import events, flows, known_devices
from common import session as sessions
from common.csrf import get_csrf_token
from common.errors import ApiError
from common.events import EventType
from common.flows import Flow
from common.metrics import SECOND_FACTORS
from common.throttle import client_address, configured, failure_limit
from common.users import get_user
from services.authn.helpers import AuthnMsg, is_failure, password_credential, session_payload

logger = logging.getLogger(__name__)

#: API.md: "the session holds a pending login for at most 300 s"
PENDING_LIFETIME = 300
LOGIN, REAUTHENTICATE = "login", "reauthenticate"


class PendingState(str, Enum):
    """Where a second step is."""

    pending = "pending"  # the password was right; a second factor is asked for
    done = "done"        # completed (used up: a second completion is refused)


class PendingLogin(Flow, kind="mfa_login", transitions={PendingState.pending: {PendingState.done},
                                                         PendingState.done: set()}):
    """``data``: ``user_id``; ``purpose`` (``login`` or ``reauthenticate``); ``methods``
    (``common.factors.mfa_methods``); ``password_id``, the password credential the first
    step proved; ``throttle_scope`` and ``throttle_key``, the endpoint and key of the
    per-account failure limit that the password step counted on."""


def begin(user: Mapping[str, Any], methods: list[str], *, purpose: str, password_id: str,
          throttle_scope: str, throttle_key: str) -> dict[str, Any]:
    """Start the second step for ``user`` (whose password credential ``password_id`` was
    just proved) in this session; return the response payload ``{logged_in, user_id,
    auth_time, mfa_required: true, methods, csrf_token}`` (for a login ``logged_in`` is
    false and the user is not named). Redis errors (→ 503)."""
    flow = PendingLogin.new(PendingState.pending, lifetime=PENDING_LIFETIME, user_id=user["_id"],
                            purpose=purpose, methods=methods, password_id=password_id,
                            throttle_scope=throttle_scope, throttle_key=throttle_key)
    flows.save_new(flow)
    token = sessions.begin_second_step(flow.id, logged_in=purpose == REAUTHENTICATE)
    logger.info("second step of %s for %s pending (%s)", purpose, user["_id"], ", ".join(methods))
    payload = session_payload(token or get_csrf_token())
    payload.update(mfa_required=True, methods=methods)
    return payload


def pending() -> PendingLogin | None:
    """This session's pending second step, or None (none started, expired or done).
    Cached for the request on ``g``."""
    if "pending_login" not in g:
        try:
            flow = flows.load(PendingLogin, session.get(sessions.PENDING_MFA))
        except flows.FlowNotFound:
            flow = None
        g.pending_login = flow if flow is not None and flow.state is PendingState.pending else None
    return g.pending_login


def require_pending(method: str) -> tuple[PendingLogin, dict[str, Any]]:
    """This session's pending second step, which must allow ``method``, and its user's
    central document (read once here for the whole step: the factor check and the
    completion use it too, issue 15).

    Raises ApiError 401 ``authn.mfa_not_pending`` when there is none (or it expired, or
    was completed), or when the password the first step proved is no longer the
    account's — changed or reset meanwhile: like the user's sessions, a half-finished
    login with the old password ends (OWASP Session Management Cheat Sheet), before any
    factor is checked or used up; 400 ``authn.mfa_method_unavailable`` when the account
    has no such factor. A re-authentication's step must belong to the session's own user.
    """
    flow = pending()
    if flow is None or (flow.data["purpose"] == REAUTHENTICATE
                        and session.get("user_id") != flow.data["user_id"]):
        raise ApiError(AuthnMsg.mfa_not_pending, 401)
    user = get_user(flow.data["user_id"])
    if (password_credential(user) or {}).get("credential_id") != flow.data["password_id"]:
        flows.delete(PendingLogin, flow.id)
        raise ApiError(AuthnMsg.mfa_not_pending, 401)
    if method not in flow.data["methods"]:
        raise ApiError(AuthnMsg.mfa_method_unavailable, 400)
    return flow, user


def throttle_scope() -> str:
    """``scope`` of the second step's failure limits: the endpoint the password step
    counted on (``authn.login`` or ``authn.reauthenticate``); ``authn.mfa`` without one."""
    flow = pending()
    return flow.data["throttle_scope"] if flow is not None else "authn.mfa"


def throttle_key() -> str:
    """``key_func`` of the second step's per-account failure limit: the password step's key."""
    flow = pending()
    return flow.data["throttle_key"] if flow is not None else client_address()


def second_step_limits(view: Callable) -> Callable:
    """Decorator: the failure limits of an ``/mfa/*`` route are those of the password step
    that started it (per account and per client, on the same counters), so that wrong
    codes and wrong passwords share one allowance (NIST SP 800-63B §5.2.2)."""
    per_account = failure_limit(configured("login_failures_per_account"), key_func=throttle_key,
                                counts=is_failure, scope=throttle_scope)
    per_client = failure_limit(configured("login_failures_per_client"), counts=is_failure, scope=throttle_scope)
    return per_account(per_client(view))


def complete(flow: PendingLogin, user: Mapping[str, Any], amr: list[str], *, method: str) -> dict[str, Any]:
    """Use up ``flow`` and log its user in (login: new session id and CSRF token, a
    ``login`` security event naming the factor ``method``, the browser noted by
    ``known_devices.signed_in`` with ``user``, the central document ``require_pending``
    read) or record the re-authentication (new ``auth_time``, new session id), with
    ``amr``. Returns the response payload (``session_payload`` with ``csrf_token``,
    ``mfa_required: false``).

    Raises ApiError 401 ``authn.mfa_not_pending`` when a parallel request completed (or
    the expiry ended) it first.
    """
    user_id = flow.data["user_id"]
    try:
        flows.transition(PendingLogin, flow.id, PendingState.pending, PendingState.done)
    except flows.FlowError:
        raise ApiError(AuthnMsg.mfa_not_pending, 401) from None
    SECOND_FACTORS.labels(method=method, outcome="success").inc()
    if flow.data["purpose"] == LOGIN:
        token = sessions.login(user_id, amr=amr)
        with events.batch():
            events.record(EventType.login, user_id, {"amr": amr, "method": method})
            known_devices.signed_in(user)
    else:
        sessions.reauthenticated(amr=amr)
        token = get_csrf_token()
    logger.info("second step of %s for %s completed (%s)", flow.data["purpose"], user_id, ", ".join(amr))
    payload = session_payload(token)
    payload.update(mfa_required=False, methods=[])
    return payload


def pending_state() -> dict[str, Any]:
    """``{mfa_pending}`` of ``GET /session``, and ``mfa_methods`` (the pending step's
    methods) only while a second step is pending."""
    flow = pending()
    if flow is None:
        return {"mfa_pending": False}
    return {"mfa_pending": True, "mfa_methods": list(flow.data["methods"])}
