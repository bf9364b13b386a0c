"""signup's logic: the flow (``services.signup.flow``), the code mail, the account creation.

The session holds only the flow's id (``session["signup_flow"]``); the flow itself is
its own Redis record, changed only through ``common.flows`` (compare-and-set), so two
requests of one session can never undo each other's step. ``flow_id`` owns the
verification code (there is no user id yet). Every change of a flow is stored before
its side effects (a code issued, a mail queued), so a flow that cannot be stored leaves
no mail behind. Creating the account holds the flow's lock (``common.locks``): it is a
one-shot action with side effects that a compare-and-set alone cannot take back.
"""
from __future__ import annotations

import logging
from enum import unique
from typing import Any, Mapping

from flask import current_app, request, session

from common import codes, events, flows, known_devices, locks, proofing, users
from common.domain import SyncRefused
from common.errors import ApiError
from common.events import EventType
from common.messages import CommonMsg, TranslatableMsg
from common.messaging import queue_mail
from common.session import login
from services.signup.flow import SignupFlow, SignupState

logger = logging.getLogger(__name__)

PURPOSE = "signup"
SESSION_KEY = "signup_flow"
STEPS = ("register", *(state.value for state in SignupState))
#: attributes of a new account; all of them are in the AM whitelist for signup
ACCOUNT_ATTRIBUTES = ("given_name", "surname", "display_name", "language", "emails", "credentials", "tou",
                      "created")


@unique
class SignupMsg(TranslatableMsg):
    """signup's message keys (the code keys are raised by ``common.codes``)."""

    tou_required = "signup.tou_required"
    no_flow = "signup.no_flow"
    email_mismatch = "signup.email_mismatch"
    already_verified = "signup.already_verified"
    not_verified = "signup.not_verified"
    weak_password = "signup.weak_password"
    code_invalid = "signup.code_invalid"
    code_expired = "signup.code_expired"
    code_locked = "signup.code_locked"
    code_throttled = "signup.code_throttled"
    in_progress = "signup.in_progress"


def _config() -> Mapping[str, Any]:
    return current_app.config["TESSERA"]


def _lifetime() -> int:
    """Seconds a signup flow lives after its last step: as long as an idle session."""
    return _config()["session_idle_lifetime"]


def _lock_name(flow_id: str) -> str:
    return f"signup:{flow_id}"


def get_flow() -> SignupFlow | None:
    """This session's signup flow, or None (none started, or expired)."""
    try:
        return flows.load(SignupFlow, session.get(SESSION_KEY))
    except flows.FlowNotFound:
        return None


def require_flow(*, verified: bool | None = None) -> SignupFlow:
    """This session's unfinished flow. Raises ApiError 400 ``signup.no_flow`` without one,
    400 ``signup.already_verified`` when ``verified`` is False and the flow is verified."""
    flow = get_flow()
    if flow is None or flow.state is SignupState.done:
        raise ApiError(SignupMsg.no_flow, 400)
    if verified is False and flow.state is SignupState.password:
        raise ApiError(SignupMsg.already_verified, 400)
    return flow


def require_verified_flow() -> SignupFlow:
    """This session's flow whose address is proven. Raises ApiError 400
    ``signup.not_verified`` otherwise (no flow, not verified yet, or already finished)."""
    flow = get_flow()
    if flow is None or flow.state is not SignupState.password:
        raise ApiError(SignupMsg.not_verified, 400)
    return flow


def step_of(flow: SignupFlow | None) -> dict[str, Any]:
    """``{step, email?, resend_in?}`` for ``GET /state``, ``/register``, ``/verify`` and
    ``/resend-code``; ``resend_in``: seconds until ``/resend-code`` may send (verify step)."""
    if flow is None:
        return {"step": "register"}
    answer: dict[str, Any] = {"step": flow.state.value, "email": flow.email}
    if flow.state.value == "verify":
        answer["resend_in"] = codes.wait_before_resend(PURPOSE, flow.id, flow.email)
    return answer


def choose_language(requested: str | None) -> str:
    """The flow's language: the requested one (already validated), else the session's,
    else the browser's best configured match (Accept-Language), else ``default_language``."""
    languages = _config()["languages"]
    chosen = session.get("language")
    return (requested or (chosen if chosen in languages else None)
            or request.accept_languages.best_match(languages) or _config()["default_language"])


def start_flow(email: str, given_name: str, surname: str, language: str) -> SignupFlow:
    """Start (or restart) this session's flow for ``email`` and mail it.

    Registering the same address again in the same session keeps the flow id, so the
    code's resend rules (``common.codes.issue_code``) apply; the flow goes back to
    ``verify`` (even when the new code is then throttled: the flow is stored first, so
    the code's rules are the ones that end the request). Raises ApiError
    429 ``signup.code_throttled`` (with Retry-After) from those rules; 409
    ``signup.in_progress`` while the account of this flow is being created; 400
    ``request.invalid`` for data that cannot be stored.
    """
    address = users.normalize_email(email)
    data = {"email": address, "given_name": given_name, "surname": surname, "language": language,
            "taken": users.find_user_by_email(address) is not None}
    previous = get_flow()
    try:
        if previous is not None and previous.state is not SignupState.done and previous.email == address:
            with locks.exclusive(_lock_name(previous.id)):
                flow = flows.transition(SignupFlow, previous.id, (SignupState.verify, SignupState.password),
                                        SignupState.verify, lifetime=_lifetime(), **data)
        else:
            flow = SignupFlow.new(SignupState.verify, lifetime=_lifetime(), **data)
            flows.save_new(flow)
            session[SESSION_KEY] = flow.id
            if previous is not None:
                flows.delete(SignupFlow, previous.id)
    except flows.FlowDataInvalid:
        raise ApiError(CommonMsg.request_invalid, 400) from None
    except (flows.FlowConflict, locks.LockBusy):
        # the account of this flow was created (or is being created) meanwhile
        raise ApiError(SignupMsg.in_progress, 409) from None
    send_code(flow)
    return flow


def send_code(flow: SignupFlow) -> None:
    """Issue a code for ``flow`` and queue its mail: ``signup_code``, or for an address of
    an existing account ``signup_already_registered`` (its language, a reset link).

    The code is issued in both cases, so both take the same time and are throttled alike.
    Raises ApiError 429 ``signup.code_throttled``.
    """
    data = flow.data
    code = codes.issue_code(PURPOSE, flow.id, flow.email, msgs=SignupMsg)
    config = _config()
    owner = users.find_user_by_email(flow.email) if data["taken"] else None
    if owner is not None:
        queue_mail("signup_already_registered", flow.email, owner.get("language") or data["language"],
                   {"given_name": owner.get("given_name", ""),
                    "reset_url": config["public_url"].rstrip("/") + config["reset_password_path"]})
        return
    queue_mail("signup_code", flow.email, data["language"],
               {"code": code, "given_name": data["given_name"],
                "ttl_minutes": config["verification_code"]["ttl"] // 60})


def verify(flow: SignupFlow, email: str, code: str) -> SignupFlow:
    """Check ``code`` for the flow's address and move the flow to ``password``.

    Raises ApiError 400 ``signup.email_mismatch`` (not this flow's address), and the
    ``common.codes.verify_code`` errors (invalid, expired or used, locked after
    ``max_attempts``). A taken address fails like a wrong code, even on a lucky guess.
    The code is single use, so of parallel verifications exactly one gets here; the
    flow moves by compare-and-set, so no other request of the session can undo it.
    """
    if users.normalize_email(email) != flow.email:
        raise ApiError(SignupMsg.email_mismatch, 400, errors={"email": [SignupMsg.email_mismatch.value]})
    codes.verify_code(PURPOSE, flow.id, flow.email, code, msgs=SignupMsg)
    if flow.data["taken"]:
        # The code was never mailed; whoever guessed it does not own the address.
        raise ApiError(SignupMsg.code_invalid, 400, errors={"code": [SignupMsg.code_invalid.value]})
    try:
        return flows.transition(SignupFlow, flow.id, SignupState.verify, SignupState.password,
                                lifetime=_lifetime())
    except (flows.FlowNotFound, flows.FlowConflict):
        # restarted or expired between our read and the code check: that code is spent
        raise ApiError(SignupMsg.code_expired, 400) from None


def create_account(flow: SignupFlow, password: str) -> tuple[str, bool]:
    """Create the account of a verified ``flow`` and return ``(user_id, applied)``;
    ``applied`` is False when the AM did not confirm within ``am_sync_timeout``.

    Raises ApiError 400 ``signup.weak_password`` with ``errors.password`` = the policy's
    reasons (``password.too_short`` …); 409 with the AM's key (e.g. ``emails.in_use``)
    when the AM refuses: then the private copy is removed and the flow forgotten (the
    address is someone else's by now).
    """
    data = flow.data
    config = _config()
    user_id = users.new_user_id()
    now = users.now()
    emails = [{"email": flow.email, "verified": True, "primary": True, "created": now, "verified_at": now}]
    # NIST SP 800-63B §5.1.1.2 policy with the person's own names and address; argon2id
    credentials = users.new_password_credentials(
        {"given_name": data["given_name"], "surname": data["surname"], "emails": emails},
        password, SignupMsg.weak_password.value)
    attributes = {
        "given_name": data["given_name"], "surname": data["surname"],
        "display_name": f"{data['given_name']} {data['surname']}", "language": data["language"],
        "emails": emails, "credentials": credentials,
        "tou": {"version": config["tou_version"], "accepted_at": now},
        "created": now,
    }
    version = users.save_private(user_id, attributes)
    try:
        applied = users.sync_to_central(user_id, ACCOUNT_ATTRIBUTES, version)
    except SyncRefused:
        users.forget_private(user_id)
        flows.delete(SignupFlow, flow.id)
        session.pop(SESSION_KEY, None)
        logger.warning("the AM refused the new account %s", user_id)
        raise
    proofing.log_proofing(user_id, "email", flow.email, "code_by_mail")
    return user_id, applied


def sign_up(password: str) -> tuple[str, bool, str]:
    """Create the account of this session's verified flow, log it in (new session id) and
    mail ``welcome``; return ``(user_id, applied, csrf_token)``.

    One-shot: the flow's lock is held throughout and the flow must still be in
    ``password`` once it is held. Raises ApiError 400 ``signup.not_verified`` (no verified
    flow, or a parallel request created the account), 409 ``signup.in_progress`` (a
    parallel request of this flow is creating it right now), and ``create_account``'s.
    """
    flow = require_verified_flow()
    try:
        with locks.exclusive(_lock_name(flow.id)):
            flow = require_verified_flow()  # re-read under the lock: not created meanwhile
            user_id, applied = create_account(flow, password)
            flow = flows.transition(SignupFlow, flow.id, SignupState.password, SignupState.done,
                                    lifetime=_lifetime())
    except locks.LockBusy:
        raise ApiError(SignupMsg.in_progress, 409) from None
    token = login(user_id)
    session[SESSION_KEY] = flow.id  # login starts a new session: the flow goes along to say "done"
    # the automatic login is a login like any other in the activity log; its browser is
    # the account's first known one, remembered without an alert (nothing to warn of)
    events.record(EventType.login, user_id, {"amr": ["pwd"], "method": "signup"})
    known_devices.signed_in({"_id": user_id}, alert=False)
    config = _config()
    queue_mail("welcome", flow.email, flow.data["language"],
               {"given_name": flow.data["given_name"],
                "login_url": config["public_url"].rstrip("/") + config["login_path"]})
    return user_id, applied, token
