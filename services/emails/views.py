"""emails' routes (API.md, "emails"): the user's addresses — list, add, verify by the
mailed code, choose the primary, remove, resend the code.

Each view is one operation of ``EMAILS`` (``common.contact_list.ContactList``). Every
route needs a login (401 ``authn.required``) and, being a POST apart from /all, the CSRF
token (403 ``csrf.invalid``, checked by ``common.csrf``). A change the AM has not
confirmed in time answers 202 ``am.sync_pending``.
"""
from __future__ import annotations

from flask import Blueprint, g

from common.api import Result, applied_or_pending, marshal, unmarshal
from common.authn import login_required
from common.contact_list import Listing
from common.schemas import EmptyRequest
from common.throttle import account_or_client, configured, limiter
from services.emails.helpers import EMAILS
from services.emails.schemas import SCHEMAS

bp = Blueprint("emails", __name__)


@bp.get("/all")
@unmarshal(EmptyRequest)
@marshal(SCHEMAS.response)
@login_required
def listing() -> Listing:
    """The user's addresses, from the central database."""
    return EMAILS.listing(g.user_id)


@bp.post("/new")
@unmarshal(SCHEMAS.new)
@marshal(SCHEMAS.response)
@login_required
@limiter.limit(configured("add_limit"), key_func=account_or_client)
def add(email: str) -> Result | Listing:
    """Add an address, unverified, and mail it a code.

    Whether another account has the address is settled at verification, so the answer
    tells nothing about other accounts. Fails with 409 ``emails.duplicate`` (on this
    account already), 400 ``emails.too_many`` (``max_entries``), 429
    ``emails.code_throttled`` (a code was mailed just now) or 429 ``request.throttled``
    (``add_limit`` per account: adding and removing must not become a way to mail anyone)."""
    return applied_or_pending(*EMAILS.add(g.user_id, email))


@bp.post("/verify")
@unmarshal(SCHEMAS.verify)
@marshal(SCHEMAS.response)
@login_required
def verify(email: str, code: str) -> Result | Listing:
    """Verify an address with the mailed code; the first verified one becomes primary.

    Another account's secondary address moves here (the AM's rule), its primary is
    refused: 409 ``emails.in_use``. Other failures: 404 ``emails.not_found``, 400
    ``emails.already_verified``, the code's 400 ``emails.code_invalid`` (with
    ``attempts_left``) and ``emails.code_expired``, 429 ``emails.code_locked``."""
    return applied_or_pending(*EMAILS.verify(g.user_id, email, code))


@bp.post("/primary")
@unmarshal(SCHEMAS.value)
@marshal(SCHEMAS.response)
@login_required
def make_primary(email: str) -> Result | Listing:
    """Make a verified address the primary (the login identity).

    The old primary is told by mail, so that a hijacked session moving the login does
    not go unnoticed. Fails with 404 ``emails.not_found`` or 400 ``emails.not_verified``."""
    return applied_or_pending(*EMAILS.make_primary(g.user_id, email))


@bp.post("/remove")
@unmarshal(SCHEMAS.value)
@marshal(SCHEMAS.response)
@login_required
def remove(email: str) -> Result | Listing:
    """Remove an address and forget its pending code.

    The primary stays (400 ``emails.cannot_remove_primary``): make another address the
    primary first. 404 ``emails.not_found``."""
    return applied_or_pending(*EMAILS.remove(g.user_id, email))


@bp.post("/resend-code")
@unmarshal(SCHEMAS.value)
@marshal(SCHEMAS.response)
@login_required
def resend(email: str) -> Listing:
    """Mail a new code for an unverified address.

    Fails with 404 ``emails.not_found``, 400 ``emails.already_verified`` or 429
    ``emails.code_throttled`` (``common.codes``' resend rules, with ``Retry-After``)."""
    return EMAILS.resend(g.user_id, email)
