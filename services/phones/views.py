"""phones' routes (API.md, "phones"): the contact-list routes of ``common.contact_list``
on this service's blueprint — /all, /new (with ``default_region``), /verify, /primary,
/remove, /resend-code."""
from __future__ import annotations

from flask import Blueprint

from common.contact_list import add_routes
from services.phones.helpers import PHONES
from services.phones.schemas import SCHEMAS

bp = Blueprint("phones", __name__)

add_routes(bp, PHONES, SCHEMAS)
