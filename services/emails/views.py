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

    Limited per account (``add_limit``); whether another account has the address is
    settled at verification (no enumeration)."""
    return applied_or_pending(*EMAILS.add(g.user_id, email))


@bp.post("/verify")
@unmarshal(SCHEMAS.verify)
@marshal(SCHEMAS.response)
@login_required
def verify(email: str, code: str) -> Result | Listing:
    """Verify an address with the mailed code; the first verified one becomes primary.

    Another account's primary address is refused (409 ``emails.in_use``); another
    account's secondary address moves here (the AM's rule)."""
    return applied_or_pending(*EMAILS.verify(g.user_id, email, code))


@bp.post("/primary")
@unmarshal(SCHEMAS.value)
@marshal(SCHEMAS.response)
@login_required
def make_primary(email: str) -> Result | Listing:
    """Make a verified address the primary (the login identity); the old primary is told."""
    return applied_or_pending(*EMAILS.make_primary(g.user_id, email))


@bp.post("/remove")
@unmarshal(SCHEMAS.value)
@marshal(SCHEMAS.response)
@login_required
def remove(email: str) -> Result | Listing:
    """Remove an address that is not the primary, and forget its pending code."""
    return applied_or_pending(*EMAILS.remove(g.user_id, email))


@bp.post("/resend-code")
@unmarshal(SCHEMAS.value)
@marshal(SCHEMAS.response)
@login_required
def resend(email: str) -> Listing:
    """Mail a new code for an unverified address (throttled by ``common.codes``)."""
    return EMAILS.resend(g.user_id, email)
