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

    The number is read in ``default_region`` (else the deployment's) and must be able to
    get an SMS (400 ``request.invalid``: ``phones.invalid_number``, ``phones.not_mobile``).
    Fails with 409 ``phones.duplicate``, 400 ``phones.too_many``, 429
    ``phones.code_throttled`` or 429 ``request.throttled`` (``add_limit`` per account)."""
    return applied_or_pending(*PHONES.add(g.user_id, number))


@bp.post("/verify")
@unmarshal(SCHEMAS.verify)
@marshal(SCHEMAS.response)
@login_required
def verify(number: str, code: str) -> Result | Listing:
    """Verify a number with the SMS code; the first verified one becomes primary.

    A number that another account had verified moves here, even its primary (the AM's
    rule: whoever proves a number last owns it). Fails with 404 ``phones.not_found``,
    400 ``phones.already_verified``, 400 ``phones.code_invalid``/``phones.code_expired``
    or 429 ``phones.code_locked``."""
    return applied_or_pending(*PHONES.verify(g.user_id, number, code))


@bp.post("/primary")
@unmarshal(SCHEMAS.value)
@marshal(SCHEMAS.response)
@login_required
def make_primary(number: str) -> Result | Listing:
    """Make a verified number the primary.

    Fails with 404 ``phones.not_found`` or 400 ``phones.not_verified``."""
    return applied_or_pending(*PHONES.make_primary(g.user_id, number))


@bp.post("/remove")
@unmarshal(SCHEMAS.value)
@marshal(SCHEMAS.response)
@login_required
def remove(number: str) -> Result | Listing:
    """Remove a number and forget its pending code.

    A number is not a login identity: removing the primary promotes the next verified
    number, if any. 404 ``phones.not_found``."""
    return applied_or_pending(*PHONES.remove(g.user_id, number))


@bp.post("/resend-code")
@unmarshal(SCHEMAS.value)
@marshal(SCHEMAS.response)
@login_required
def resend(number: str) -> Listing:
    """Send a new SMS code for an unverified number.

    Fails with 404 ``phones.not_found``, 400 ``phones.already_verified`` or 429
    ``phones.code_throttled`` (``common.codes``' resend rules, with ``Retry-After``)."""
    return PHONES.resend(g.user_id, number)
