"""signup's logic: the flow kept in the session, the code mail, the account creation.

The flow lives in the server-side session as ``session["signup"]``::

    {"flow_id": hex, "email": normalised, "given_name", "surname", "language",
     "verified": bool, "taken": bool}          # before the account exists
    {"email": ..., "done": True}               # after it (the session is logged in)

``flow_id`` owns the verification code (there is no user id yet). ``taken`` records,
server-side only, that the address already belongs to an account: that address is sent
a "you already have an account" mail instead of a code, and the flow can never be
verified — yet every answer looks the same (OWASP Authentication Cheat Sheet,
"Authentication and Error Messages": no account enumeration).
"""
from __future__ import annotations

import logging
import secrets
from enum import unique
from typing import Any, Mapping

from flask import current_app, request, session

from common import codes, proofing, users
from common.domain import SyncRefused
from common.errors import ApiError
from common.messages import TranslatableMsg
from common.messaging import queue_mail
from common.session import login

logger = logging.getLogger(__name__)

PURPOSE = "signup"
SESSION_KEY = "signup"
STEPS = ("register", "verify", "password", "done")
#: attributes of a new account; all of them are in the AM whitelist for signup
ACCOUNT_ATTRIBUTES = ("given_name", "surname", "display_name", "language", "emails", "credentials", "tou",
                      "created")


@unique
class SignupMsg(TranslatableMsg):
    """signup's message keys (the code keys are raised by ``common.codes``)."""

    tou_required = "signup.tou_required"
    unknown_language = "signup.unknown_language"
    no_flow = "signup.no_flow"
    email_mismatch = "signup.email_mismatch"
    already_verified = "signup.already_verified"
    not_verified = "signup.not_verified"
    weak_password = "signup.weak_password"
    code_invalid = "signup.code_invalid"
    code_expired = "signup.code_expired"
    code_locked = "signup.code_locked"
    code_throttled = "signup.code_throttled"


def _config() -> Mapping[str, Any]:
    return current_app.config["TESSERA"]


def get_flow() -> dict[str, Any] | None:
    """This session's signup flow (a copy), or None."""
    flow = session.get(SESSION_KEY)
    return dict(flow) if flow else None


def save_flow(flow: Mapping[str, Any]) -> None:
    """Store ``flow`` in the session (reassigned, so the session is marked modified)."""
    session[SESSION_KEY] = dict(flow)


def require_flow(*, verified: bool | None = None) -> dict[str, Any]:
    """This session's unfinished flow. Raises ApiError 400 ``signup.no_flow`` without one,
    400 ``signup.already_verified`` when ``verified`` is False and the flow is verified."""
    flow = get_flow()
    if flow is None or flow.get("done"):
        raise ApiError(SignupMsg.no_flow, 400)
    if verified is False and flow.get("verified"):
        raise ApiError(SignupMsg.already_verified, 400)
    return flow


def require_verified_flow() -> dict[str, Any]:
    """This session's flow whose address is proven. Raises ApiError 400
    ``signup.not_verified`` otherwise (no flow, not verified yet, or already finished)."""
    flow = get_flow()
    if flow is None or flow.get("done") or not flow.get("verified"):
        raise ApiError(SignupMsg.not_verified, 400)
    return flow


def step_of(flow: Mapping[str, Any] | None) -> dict[str, Any]:
    """``{step, email?}`` for ``GET /state`` and ``POST /register``."""
    if flow is None:
        return {"step": "register"}
    step = "done" if flow.get("done") else "password" if flow.get("verified") else "verify"
    return {"step": step, "email": flow["email"]}


def choose_language(requested: str | None) -> str:
    """The flow's language: the requested one (already validated), else the session's,
    else the browser's best configured match (Accept-Language), else ``default_language``."""
    languages = _config()["languages"]
    chosen = session.get("language")
    return (requested or (chosen if chosen in languages else None)
            or request.accept_languages.best_match(languages) or _config()["default_language"])


def start_flow(email: str, given_name: str, surname: str, language: str) -> dict[str, Any]:
    """Start (or restart) this session's flow for ``email`` and mail it.

    Registering the same address again in the same session keeps the flow id, so the
    code's resend rules (``common.codes.issue_code``) apply. Raises ApiError 429
    ``signup.code_throttled`` (with Retry-After) from those rules.
    """
    address = users.normalize_email(email)
    previous = get_flow()
    same = previous is not None and not previous.get("done") and previous["email"] == address
    flow = {"flow_id": previous["flow_id"] if same else secrets.token_hex(16), "email": address,
            "given_name": given_name, "surname": surname, "language": language, "verified": False,
            "taken": users.find_user_by_email(address) is not None}
    send_code(flow)
    save_flow(flow)
    return flow


def send_code(flow: Mapping[str, Any]) -> None:
    """Issue a code for ``flow`` and queue its mail: ``signup_code``, or for an address of
    an existing account ``signup_already_registered`` (its language, a reset link).

    The code is issued in both cases, so both take the same time and are throttled alike.
    Raises ApiError 429 ``signup.code_throttled``.
    """
    code = codes.issue_code(PURPOSE, flow["flow_id"], flow["email"], msgs=SignupMsg)
    config = _config()
    owner = users.find_user_by_email(flow["email"]) if flow["taken"] else None
    if owner is not None:
        queue_mail("signup_already_registered", flow["email"], owner.get("language") or flow["language"],
                   {"given_name": owner.get("given_name", ""),
                    "reset_url": config["public_url"].rstrip("/") + config["reset_password_path"]})
        return
    queue_mail("signup_code", flow["email"], flow["language"],
               {"code": code, "given_name": flow["given_name"],
                "ttl_minutes": config["verification_code"]["ttl"] // 60})


def verify(flow: dict[str, Any], email: str, code: str) -> None:
    """Check ``code`` for the flow's address and mark the flow verified.

    Raises ApiError 400 ``signup.email_mismatch`` (not this flow's address), and the
    ``common.codes.verify_code`` errors (invalid, expired or used, locked after
    ``max_attempts``). A taken address fails like a wrong code, even on a lucky guess.
    """
    if users.normalize_email(email) != flow["email"]:
        raise ApiError(SignupMsg.email_mismatch, 400, errors={"email": [SignupMsg.email_mismatch.value]})
    codes.verify_code(PURPOSE, flow["flow_id"], flow["email"], code, msgs=SignupMsg)
    if flow["taken"]:
        # The code was never mailed; whoever guessed it does not own the address.
        raise ApiError(SignupMsg.code_invalid, 400, errors={"code": [SignupMsg.code_invalid.value]})
    flow["verified"] = True
    save_flow(flow)


def create_account(flow: Mapping[str, Any], password: str) -> tuple[str, bool]:
    """Create the account of a verified ``flow`` and return ``(user_id, applied)``;
    ``applied`` is False when the AM did not confirm within ``am_sync_timeout``.

    Raises ApiError 400 ``signup.weak_password`` with ``errors.password`` = the policy's
    reasons (``password.too_short`` …); 409 with the AM's key (e.g. ``emails.in_use``)
    when the AM refuses: then the private copy is removed and the flow forgotten (the
    address is someone else's by now).
    """
    config = _config()
    user_id = users.new_user_id()
    now = users.now()
    emails = [{"email": flow["email"], "verified": True, "primary": True, "created": now, "verified_at": now}]
    # NIST SP 800-63B §5.1.1.2 policy with the person's own names and address; argon2id
    credentials = users.new_password_credentials(
        {"given_name": flow["given_name"], "surname": flow["surname"], "emails": emails},
        password, SignupMsg.weak_password.value)
    attributes = {
        "given_name": flow["given_name"], "surname": flow["surname"],
        "display_name": f"{flow['given_name']} {flow['surname']}", "language": flow["language"],
        "emails": emails, "credentials": credentials,
        "tou": {"version": config["tou_version"], "accepted_at": now},
        "created": now,
    }
    version = users.save_private(user_id, attributes)
    try:
        applied = users.sync_to_central(user_id, ACCOUNT_ATTRIBUTES, version)
    except SyncRefused:
        users.forget_private(user_id)
        session.pop(SESSION_KEY, None)
        logger.warning("the AM refused the new account %s", user_id)
        raise
    proofing.log_proofing(user_id, "email", flow["email"], "code_by_mail")
    return user_id, applied


def finish(flow: Mapping[str, Any], user_id: str) -> str:
    """Log the new account in (new session id), mail ``welcome``; return the CSRF token."""
    token = login(user_id)
    save_flow({"email": flow["email"], "done": True})
    config = _config()
    queue_mail("welcome", flow["email"], flow["language"],
               {"given_name": flow["given_name"], "login_url": config["public_url"].rstrip("/") + config["login_path"]})
    return token
