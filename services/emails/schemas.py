"""emails' configuration and request/response schemas."""
from __future__ import annotations

from common.contact_list import ContactListConfigSchema, ContactSchemas
from common.schemas import email_field
from services.emails.helpers import EMAILS


class ConfigSchema(ContactListConfigSchema):
    """``/tessera/emails/*``: ``max_entries`` (addresses per account) and ``add_limit``."""


#: ``{email}``, ``{email, code}`` and ``{emails: [{email, verified, primary}]}``; the
#: address is normalised and mailable (``common.fields.Email``)
SCHEMAS = ContactSchemas.build(EMAILS, email_field, "Email")
