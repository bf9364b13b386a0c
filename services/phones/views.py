"""phones' routes (API.md, "phones"): the user's phone numbers — list, add (read in the
request's ``default_region``), verify by the SMS code, choose the primary, remove, resend.

Each view is one operation of ``PHONES`` (``common.contact_list.ContactList``); numbers
arrive as E.164 (``services.phones.schemas.PhoneNumber``). Every route needs a login
(401 ``authn.required``) and, being a POST apart from /all, the CSRF token (403
``csrf.invalid``, checked by ``common.csrf``). A change the AM has not confirmed in time
answers 202 ``am.sync_pending``.
"""
from __future__ import annotations

from flask import Blueprint, g

from common.api import Result, applied_or_pending, marshal, unmarshal
from common.authn import login_required
from common.contact_list import Listing
from common.schemas import EmptyRequest
from common.throttle import account_or_client, configured, limiter
from services.phones.helpers import PHONES
from services.phones.schemas import SCHEMAS

bp = Blueprint("phones", __name__)


@bp.get("/all")
@unmarshal(EmptyRequest)
@marshal(SCHEMAS.response)
@login_required
def listing() -> Listing:
    """The user's phone numbers, from the central database."""
    return PHONES.listing(g.user_id)


@bp.post("/new")
@unmarshal(SCHEMAS.new)
@marshal(SCHEMAS.response)
@login_required
@limiter.limit(configured("add_limit"), key_func=account_or_client)
def add(number: str) -> Result | Listing:
    """Add a number, unverified, and send it a code by SMS.

    Limited per account (``add_limit``); whether another account has the number is
    settled at verification (no enumeration)."""
    return applied_or_pending(*PHONES.add(g.user_id, number))


@bp.post("/verify")
@unmarshal(SCHEMAS.verify)
@marshal(SCHEMAS.response)
@login_required
def verify(number: str, code: str) -> Result | Listing:
    """Verify a number with the SMS code; the first verified one becomes primary.

    A number that another account had verified moves here (the AM's rule)."""
    return applied_or_pending(*PHONES.verify(g.user_id, number, code))


@bp.post("/primary")
@unmarshal(SCHEMAS.value)
@marshal(SCHEMAS.response)
@login_required
def make_primary(number: str) -> Result | Listing:
    """Make a verified number the primary."""
    return applied_or_pending(*PHONES.make_primary(g.user_id, number))


@bp.post("/remove")
@unmarshal(SCHEMAS.value)
@marshal(SCHEMAS.response)
@login_required
def remove(number: str) -> Result | Listing:
    """Remove a number and forget its pending code.

    Removing the primary promotes the next verified number, if any."""
    return applied_or_pending(*PHONES.remove(g.user_id, number))


@bp.post("/resend-code")
@unmarshal(SCHEMAS.value)
@marshal(SCHEMAS.response)
@login_required
def resend(number: str) -> Listing:
    """Send a new SMS code for an unverified number (throttled by ``common.codes``)."""
    return PHONES.resend(g.user_id, number)
