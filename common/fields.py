"""The field types every service's request schemas share: one name, one e-mail address,
one verification code, one language and one phone region type.

Each field normalises what it accepts (so a service stores one form of a value) and
answers anything else — whatever its JSON type — with a field error that is a stable
translation key (``FieldMsg``), never a 500. A field that needs the configuration to say
what it accepts (``Language``) also describes that in the service's OpenAPI document
through ``openapi_properties`` (read by ``common.openapi``).
"""
from __future__ import annotations

import unicodedata
from enum import unique
from typing import Any, Mapping

import phonenumbers
from marshmallow import fields, validate

from common.addresses import idna_domain, normalize_email
from common.messages import TranslatableMsg
from common.validation import ValidationMsg


@unique
class FieldMsg(TranslatableMsg):
    """Field error keys of the shared field types (``payload.errors.<field>``)."""

    name_invalid = "validation.name_invalid"
    name_length = "validation.name_length"
    email_invalid = "validation.email"
    email_not_ascii = "validation.email_not_ascii"
    code_invalid = "validation.code"
    language_invalid = "validation.language"
    region_invalid = "validation.region"


class Name(fields.String):
    """A personal name (given name, surname, display name): a JSON string, trimmed and
    NFC-normalised (Unicode UAX #15, so one name has one stored form), then 1–``MAX_CHARS``
    characters (code points) long.

    Refused (``validation.name_invalid``), because an accepted name is printed into mails
    and pages: controls (Cc: CR/LF, NUL, ESC…), format characters (Cf: the bidi
    embeddings/overrides/isolates of Unicode TR #36 §2.3 "bidirectional text spoofing",
    zero-width spaces and joiners), surrogates (Cs: a lone one cannot even be stored as
    UTF-8), private-use (Co) and unassigned (Cn) code points, and line/paragraph
    separators (Zl, Zp). Blank: ``validation.required`` (nothing was entered); too long:
    ``validation.name_length``.
    """

    MAX_CHARS = 100
    FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})

    default_error_messages = {"name_invalid": FieldMsg.name_invalid.value,
                              "name_blank": ValidationMsg.required.value,
                              "name_length": FieldMsg.name_length.value}

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        # surrounding white space (a pasted tab or newline) is trimmed, not refused
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if any(unicodedata.category(c) in self.FORBIDDEN_CATEGORIES for c in text):
            raise self.make_error("name_invalid")
        text = unicodedata.normalize("NFC", text)
        if not text:
            raise self.make_error("name_blank")
        if len(text) > self.MAX_CHARS:
            raise self.make_error("name_length")
        return text

    def openapi_properties(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """``minLength``/``maxLength`` of the trimmed name."""
        return {"minLength": 1, "maxLength": self.MAX_CHARS}


class Email(fields.String):
    """An e-mail address that the platform can mail, loaded in the form in which it is
    stored and compared (``common.addresses.normalize_email``): trimmed, lower case, the
    domain as its IDNA 2008 A-label (``x@bücher.example`` → ``x@xn--bcher-kva.example``).

    Refused with ``validation.email_not_ascii``: a local part with non-ASCII characters.
    Such an address needs SMTPUTF8 (RFC 6531) on every hop, which our mail path does not
    offer end to end, so it is refused at input rather than accepted and never delivered.
    Refused with ``validation.email``: anything else that is not an address
    (RFC 5322 §3.4.1 addr-spec as marshmallow checks it), a local part with control
    characters, a domain that is not a valid IDN, or more than 254 characters after
    normalisation (RFC 5321 §4.5.3.1.3, the path limit).
    """

    MAX_CHARS = 254
    default_error_messages = {"email_invalid": FieldMsg.email_invalid.value,
                              "email_not_ascii": FieldMsg.email_not_ascii.value}
    _SYNTAX = validate.Email()

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        local, at, domain = text.rpartition("@")
        if not at or not local or not domain:
            raise self.make_error("email_invalid")
        if not local.isascii():
            raise self.make_error("email_not_ascii")
        # quoted local parts may hold controls (RFC 5322 qtext obs-); none is mailable here
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in local):
            raise self.make_error("email_invalid")
        if idna_domain(domain) is None:
            raise self.make_error("email_invalid")
        address = normalize_email(text)
        if len(address) > self.MAX_CHARS:
            raise self.make_error("email_invalid")
        try:
            self._SYNTAX(address)
        except Exception as exc:  # marshmallow.ValidationError: one key for every syntax error
            raise self.make_error("email_invalid") from exc
        return address

    def openapi_properties(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """An ``email``-formatted string of at most 254 characters."""
        return {"format": "email", "maxLength": self.MAX_CHARS}


class Code(fields.String):
    """A verification code: 4 to 10 ASCII digits, nothing else (``validation.code``).

    Checked without a regular expression: Python's ``$`` also matches before a final
    newline, so the former ``Regexp(r"^[0-9]{4,10}$")`` accepted ``"123456\\n"``.
    """

    default_error_messages = {"code_invalid": FieldMsg.code_invalid.value}

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not (text.isascii() and text.isdigit() and 4 <= len(text) <= 10):
            raise self.make_error("code_invalid")
        return text

    def openapi_properties(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """The same rule as a JSON Schema (ECMA-262) pattern, where ``$`` is the true end."""
        return {"pattern": "^[0-9]{4,10}$"}


class Language(fields.String):
    """One of the configured ``languages`` (etcd, ``/tessera/common/languages``), else
    ``validation.language``; the OpenAPI document lists them as the field's ``enum``."""

    default_error_messages = {"language_invalid": FieldMsg.language_invalid.value}

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        # imported here: the config schema (and so every queue worker) uses this module,
        # and the queue workers run without Flask (issue 15: 41 → 35 MiB for the AM worker)
        from flask import current_app

        text = super()._deserialize(value, attr, data, **kwargs)
        if text not in current_app.config["TESSERA"]["languages"]:
            raise self.make_error("language_invalid")
        return text

    def openapi_properties(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """``enum``: the configured languages."""
        return {"enum": list(config["languages"])}


#: The ISO 3166-1 alpha-2 regions whose numbering plan libphonenumber knows.
PHONE_REGIONS = tuple(sorted(phonenumbers.SUPPORTED_REGIONS))


def display_phone(number: str) -> str:
    """An E.164 number as people write it, in the international format of its numbering
    plan (``+46701234567`` → ``+46 70 123 45 67``); unchanged when it cannot be parsed."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(number, None),
                                          phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return number


class PhoneDisplay(fields.String):
    """Dump only: the entry's E.164 ``number`` (or ``attribute``) as people write it
    (``display_phone``), a string in the OpenAPI document; the number stays the key."""

    def __init__(self, attribute: str = "number", **kwargs: Any) -> None:
        super().__init__(attribute=attribute, dump_only=True, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else display_phone(str(value))


def is_phone_region(value: Any) -> bool:
    """Whether ``value`` is a region code (``"SE"``) libphonenumber supports; any JSON
    value may be passed (a dict or list is simply not one)."""
    return isinstance(value, str) and value in phonenumbers.SUPPORTED_REGIONS


class PhoneRegion(fields.String):
    """An ISO 3166-1 alpha-2 region libphonenumber supports (``SE``), in which a number
    written without ``+`` is read; else ``validation.region``."""

    default_error_messages = {"region_invalid": FieldMsg.region_invalid.value}

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not is_phone_region(text):
            raise self.make_error("region_invalid")
        return text

    def openapi_properties(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """``enum``: the supported regions."""
        return {"enum": list(PHONE_REGIONS)}
