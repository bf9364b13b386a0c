"""Why the attribute manager refused a request, and when it asks for a retry."""
from __future__ import annotations

from enum import unique

from common.messages import TranslatableMsg


@unique
class AmMsg(TranslatableMsg):
    """Why the AM refused a request (the ``error`` of its RPC reply)."""

    message_invalid = "am.message_invalid"
    attribute_not_allowed = "am.attribute_not_allowed"
    operation_not_allowed = "am.operation_not_allowed"
    #: the message names a service other than the RabbitMQ user that sent it
    sender_not_allowed = "am.sender_not_allowed"
    user_not_found = "am.user_not_found"
    email_in_use = "emails.in_use"
    #: the security key or passkey is registered to another account (``WEBAUTHN_ID_INDEX``)
    webauthn_in_use = "security.webauthn_exists"


class NotYetVisible(Exception):
    """The private copy is older than the version the sync names: try again later."""
