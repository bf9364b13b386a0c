"""phones' message keys and its contact list: codes by SMS, the primary removable."""
from __future__ import annotations

from typing import Any, Mapping

from common.contact_list import ContactList, contact_messages
from common.messaging import queue_sms, user_language


#: ``phones.<name>`` for the contact-list keys (``common.contact_list.MESSAGE_NAMES``)
#: and the number field's ``invalid_number`` and ``not_mobile``
PhonesMsg = contact_messages("phones", "invalid_number", "not_mobile")


def sms_code(user: Mapping[str, Any], number: str, code: str, ttl_minutes: int) -> None:
    """Send ``phone_code`` by SMS to the number being proved (E.164)."""
    queue_sms("phone_code", number, user_language(user), {"code": code, "ttl_minutes": ttl_minutes})


#: A phone is not a login identity, so its primary may be removed: the next verified
#: number (if any) becomes primary — the rule the AM applies when it moves a number away.
PHONES = ContactList(attribute="phones", key="number", purpose="phone", method="code_by_sms",
                     msgs=PhonesMsg, send_code=sms_code, primary_removable=True)
