"""emails' message keys and its contact list: codes by mail, the old primary told by mail."""
from __future__ import annotations

import logging
from enum import unique
from typing import Any, Mapping

from common.contact_list import ContactEvents, ContactList
from common.events import EventType
from common.messages import TranslatableMsg
from common.messaging import queue_mail, user_language

logger = logging.getLogger(__name__)


@unique
class EmailsMsg(TranslatableMsg):
    """emails' message keys: the contact list's (``common.contact_list.ContactMsgs``), the
    code keys (``common.codes.CodeMsgs``), and the AM's refusal of an address that is
    another account's primary."""

    duplicate = "emails.duplicate"
    not_found = "emails.not_found"
    not_verified = "emails.not_verified"
    already_verified = "emails.already_verified"
    too_many = "emails.too_many"
    cannot_remove_primary = "emails.cannot_remove_primary"
    code_invalid = "emails.code_invalid"
    code_expired = "emails.code_expired"
    code_locked = "emails.code_locked"
    code_throttled = "emails.code_throttled"
    in_use = "emails.in_use"


def mail_primary_changed(user: Mapping[str, Any], old: str, new: str) -> None:
    """Tell the OLD primary address that ``new`` replaced it, so that a hijacked session
    moving the account's login identity does not go unnoticed (OWASP ASVS V2.2.3)."""
    queue_mail("email_primary_changed", old, user_language(user), {"new_email": new})
    logger.info("primary address of %s changed", user["_id"])


#: The primary address is the login identity: it cannot be removed, only replaced.
EMAILS = ContactList(attribute="emails", key="email", purpose="email", method="code_by_mail",
                     msgs=EmailsMsg, queue=queue_mail, code_template="email_code",
                     primary_changed=mail_primary_changed,
                     cannot_remove_primary=EmailsMsg.cannot_remove_primary,
                     events=ContactEvents(EventType.email_added, EventType.email_verified,
                                          EventType.email_removed, EventType.primary_email_changed))
