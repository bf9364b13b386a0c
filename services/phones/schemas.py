"""phones' configuration, request and response schemas; numbers are parsed here."""
from __future__ import annotations

from typing import Any, Mapping

import phonenumbers
from flask import current_app
from marshmallow import fields, post_load
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from common.contact_list import ContactListConfigSchema, ContactSchemas
from common.fields import PhoneDisplay, PhoneRegion, is_phone_region
from common.schemas import TesseraSchema
from services.phones.helpers import PHONES, PhonesMsg


class ConfigSchema(ContactListConfigSchema):
    """``/tessera/phones/*``: ``max_entries`` (numbers per account) and ``add_limit``; the
    region of numbers written without ``+`` is the common ``phone_default_region``."""


class PhoneNumber(fields.String):
    """A phone number in any common format (``070-123 45 67``, ``+46 70 123 45 67``),
    loaded as E.164 (``+46701234567``, ITU-T E.164) with Google's libphonenumber rules.

    A number without ``+`` is read in the request's ``default_region`` if that is a
    supported region, else in the configured ``phone_default_region`` (a bad
    ``default_region`` is the error of its own field, whatever its JSON type).
    Errors: ``phones.invalid_number`` (not a number, impossible or unassigned),
    ``phones.not_mobile`` (a number that cannot receive SMS, e.g. a fixed line).
    """

    #: what a valid number must be to receive the code by SMS
    SMS_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE,
                           PhoneNumberType.PERSONAL_NUMBER})
    #: longer input is not a phone number; libphonenumber need not parse it
    MAX_INPUT = 64
    default_error_messages = {"invalid_number": PhonesMsg.invalid_number.value,
                              "not_mobile": PhonesMsg.not_mobile.value}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        region = (data or {}).get("default_region")
        if not is_phone_region(region):
            region = current_app.config["TESSERA"]["phone_default_region"]
        if len(text) > self.MAX_INPUT:
            raise self.make_error("invalid_number")
        try:
            parsed = phonenumbers.parse(text, region)
        except NumberParseException as exc:
            raise self.make_error("invalid_number") from exc
        if not phonenumbers.is_valid_number(parsed):
            raise self.make_error("invalid_number")
        if phonenumbers.number_type(parsed) not in self.SMS_TYPES:
            raise self.make_error("not_mobile")
        return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


class NewNumberRequest(TesseraSchema):
    """``/new``: ``default_region`` only says how to read ``number``."""

    number = PhoneNumber()
    default_region = PhoneRegion(load_default=None)

    @post_load
    def _drop_region(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        # already applied by PhoneNumber; the view gets the E.164 number only
        data.pop("default_region", None)
        return data


#: ``{number}``, ``{number, default_region?}``, ``{number, code}`` and
#: ``{phones: [{number, verified, primary}]}``
SCHEMAS = ContactSchemas.build(PHONES, PhoneNumber, "Phone", new=NewNumberRequest, display=PhoneDisplay())
