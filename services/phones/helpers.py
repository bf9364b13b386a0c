"""phones' message keys and its contact list: codes by SMS, the primary removable."""
from __future__ import annotations

from enum import unique
from typing import Any, Mapping

from common.contact_list import ContactList
from common.messages import TranslatableMsg
from common.messaging import queue_sms, user_language


@unique
class PhonesMsg(TranslatableMsg):
    """phones' message keys: the contact list's (``common.contact_list.ContactMsgs``), the
    code keys (``common.codes.CodeMsgs``), and the number field's errors."""

    duplicate = "phones.duplicate"
    not_found = "phones.not_found"
    not_verified = "phones.not_verified"
    already_verified = "phones.already_verified"
    too_many = "phones.too_many"
    code_invalid = "phones.code_invalid"
    code_expired = "phones.code_expired"
    code_locked = "phones.code_locked"
    code_throttled = "phones.code_throttled"
    invalid_number = "phones.invalid_number"
    not_mobile = "phones.not_mobile"


def sms_code(user: Mapping[str, Any], number: str, code: str, ttl_minutes: int) -> None:
    """Send ``phone_code`` by SMS to the number being proved (E.164)."""
    queue_sms("phone_code", number, user_language(user), {"code": code, "ttl_minutes": ttl_minutes})


#: A phone is not a login identity, so its primary may be removed: the next verified
#: number (if any) becomes primary — the rule the AM applies when it moves a number away.
PHONES = ContactList(attribute="phones", key="number", purpose="phone", method="code_by_sms",
                     msgs=PhonesMsg, send_code=sms_code)
