"""emails' routes (API.md, "emails"): the contact-list routes of ``common.contact_list``
on this service's blueprint — /all, /new, /verify, /primary, /remove, /resend-code."""
from __future__ import annotations

from flask import Blueprint

from common.contact_list import add_routes
from services.emails.helpers import EMAILS
from services.emails.schemas import SCHEMAS

bp = Blueprint("emails", __name__)

add_routes(bp, EMAILS, SCHEMAS)
