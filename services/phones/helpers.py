"""phones' message keys and its contact list: codes by SMS, the primary removable."""
from __future__ import annotations

from enum import unique

from common.contact_list import ContactEvents, ContactList
from common.events import EventType
from common.messages import TranslatableMsg
from common.messaging import queue_sms


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


#: A phone is not a login identity, so its primary may be removed: the next verified
#: number (if any) becomes primary — the rule the AM applies when it moves a number away.
PHONES = ContactList(attribute="phones", key="number", purpose="phone", method="code_by_sms",
                     msgs=PhonesMsg, queue=queue_sms, code_template="phone_code",
                     events=ContactEvents(EventType.phone_added, EventType.phone_verified, EventType.phone_removed))
