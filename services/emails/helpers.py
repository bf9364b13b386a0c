"""emails' message keys and its contact list: codes by mail, the old primary told by mail."""
from __future__ import annotations

import logging
from typing import Any, Mapping

from common.contact_list import ContactList, contact_messages
from common.messaging import queue_mail, user_language

logger = logging.getLogger(__name__)


#: ``emails.<name>`` for the contact-list keys (``common.contact_list.MESSAGE_NAMES``),
#: ``cannot_remove_primary`` and the AM's refusal ``in_use``
EmailsMsg = contact_messages("emails", "cannot_remove_primary", "in_use")


def mail_code(user: Mapping[str, Any], email: str, code: str, ttl_minutes: int) -> None:
    """Mail ``email_code`` to the address being proved (not to the primary: the point
    is to show that the user reads this mailbox)."""
    queue_mail("email_code", email, user_language(user), {"code": code, "ttl_minutes": ttl_minutes})


def mail_primary_changed(user: Mapping[str, Any], old: str, new: str) -> None:
    """Tell the OLD primary address that ``new`` replaced it, so that a hijacked session
    moving the account's login identity does not go unnoticed (OWASP ASVS V2.2.3)."""
    queue_mail("email_primary_changed", old, user_language(user), {"new_email": new})
    logger.info("primary address of %s changed", user["_id"])


EMAILS = ContactList(attribute="emails", key="email", purpose="email", method="code_by_mail",
                     msgs=EmailsMsg, send_code=mail_code, primary_changed=mail_primary_changed)
