"""The shared field types (common.fields) and address normalisation (common.addresses):
pure rules, no stack."""
from __future__ import annotations

import pytest
from flask import Flask
from marshmallow import ValidationError

from common.addresses import idna_domain, normalize_email
from common.config.schema import CommonConfigSchema
from common.fields import Code, Email, Language, Name, PhoneRegion, is_phone_region


def load(field, value):
    return field.deserialize(value, "f", {"f": value})


def errors_of(field, value) -> list[str]:
    with pytest.raises(ValidationError) as info:
        load(field, value)
    return info.value.messages


# -- names --------------------------------------------------------------------------------
@pytest.mark.parametrize("value, stored", [
    ("  Ada ", "Ada"),
    ("Å" * 100, "Å" * 100),
    ("A\u030angström", "Ångström"),              # NFC: one stored form of the same name
    ("Ødegård-Ñúñez 李", "Ødegård-Ñúñez 李"),
    ("Jean Luc", "Jean Luc"),
    ("\tKing\r\n", "King"),                      # surrounding white space is trimmed
])
def test_a_name_is_trimmed_and_nfc_normalised(value, stored):
    assert load(Name(), value) == stored


@pytest.mark.parametrize("value", [
    "Ada\r\nBcc: eve@example.org",   # Cc: header/line injection into the code mail
    "Ada\x00",                       # Cc: NUL
    "Ada\u202egnik",                 # Cf: right-to-left override (TR #36 bidi spoofing)
    "\u2066Ada\u2069",               # Cf: isolates
    "\u200b",                        # Cf: zero-width space only
    "A\u200dda",                     # Cf: zero-width joiner
    "Ada\ud800",                     # Cs: a lone surrogate
    "Ada\ue000",                     # Co: private use
    "Ada\u0378",                     # Cn: unassigned
    "Ada\u2028Lovelace",             # Zl: line separator
])
def test_a_name_with_unprintable_characters_is_refused(value):
    assert errors_of(Name(), value) == ["validation.name_invalid"]


@pytest.mark.parametrize("value", ["", "   ", "\u3000"])
def test_a_blank_name_is_a_missing_one(value):
    assert errors_of(Name(), value) == ["validation.required"]


def test_a_long_name_is_refused():
    assert errors_of(Name(), "x" * 101) == ["validation.name_length"]


@pytest.mark.parametrize("value", [{}, [], 42, True])
def test_a_name_of_another_json_type_is_a_field_error(value):
    assert errors_of(Name(), value) == ["Not a valid string."]


# -- e-mail addresses ---------------------------------------------------------------------
@pytest.mark.parametrize("value, stored", [
    (" Ada@Example.ORG ", "ada@example.org"),
    ("x@bücher.example", "x@xn--bcher-kva.example"),
    ("x@BÜCHER.example", "x@xn--bcher-kva.example"),
    ("x@xn--bcher-kva.example", "x@xn--bcher-kva.example"),
    ("ada+tag@sub.example.se", "ada+tag@sub.example.se"),
])
def test_an_address_is_stored_in_ascii_with_its_domain_as_an_a_label(value, stored):
    assert load(Email(), value) == stored


def test_an_idn_and_its_a_label_are_one_address():
    assert normalize_email("x@bücher.example") == normalize_email("X@XN--BCHER-KVA.example")


@pytest.mark.parametrize("value", ["иван@example.com", "jöran@example.se", "δοκιμή@παράδειγμα.δοκιμή"])
def test_a_non_ascii_local_part_is_refused_with_its_own_key(value):
    assert errors_of(Email(), value) == ["validation.email_not_ascii"]


@pytest.mark.parametrize("value", [
    "bad", "@example.org", "ada@", "ada@@example.org", "ada@exa mple.org",
    '"ada\x01"@example.org',                 # a control in a quoted local part
    "ada@☃.example",                         # not a valid IDNA 2008 label
    "ada@bü\u202echer.example",              # a bidi control in the domain
    "a" * 64 + "@" + ("b" * 60 + ".") * 3 + "example.org",  # > 254 characters
])
def test_an_unusable_address_is_refused(value):
    assert errors_of(Email(), value) == ["validation.email"]


@pytest.mark.parametrize("value", [{}, [], 1, None])
def test_an_address_of_another_json_type_is_a_field_error(value):
    assert errors_of(Email(allow_none=False), value)


def test_normalize_email_is_total_on_any_string():
    assert normalize_email("no at sign") == "no at sign"
    assert normalize_email("x@☃.example") == "x@☃.example"  # refused by Email, never stored
    assert idna_domain("Bücher.Example") == "xn--bcher-kva.example"
    assert idna_domain("EXAMPLE.org") == "example.org"
    assert idna_domain("bad\u202e.example") is None


# -- codes --------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["1234", "0123456789", "000000"])
def test_a_code_is_4_to_10_digits(value):
    assert load(Code(), value) == value


@pytest.mark.parametrize("value", ["123456\n", "123", "12345678901", "12 34", "١٢٣٤٥٦", "１２３４５６", "12345a", ""])
def test_anything_else_is_not_a_code(value):
    # "123456\n" passed the former Regexp(r"^[0-9]{4,10}$"): Python's $ matches before a final \n
    assert errors_of(Code(), value) == ["validation.code"]


# -- languages and regions ------------------------------------------------------------------
def test_a_language_must_be_a_configured_one():
    app = Flask(__name__)
    app.config["TESSERA"] = {"languages": ["en", "sv"]}
    with app.app_context():
        assert load(Language(), "sv") == "sv"
        assert errors_of(Language(), "de") == ["validation.language"]
        assert errors_of(Language(), {}) == ["Not a valid string."]
    assert Language().openapi_properties({"languages": ["en", "sv"]}) == {"enum": ["en", "sv"]}


@pytest.mark.parametrize("value", ["SE", "US", "GB"])
def test_a_region_libphonenumber_supports(value):
    assert load(PhoneRegion(), value) == value and is_phone_region(value)


@pytest.mark.parametrize("value", ["se", "XX", "SWE", ""])
def test_anything_else_is_not_a_region(value):
    assert errors_of(PhoneRegion(), value) == ["validation.region"]


@pytest.mark.parametrize("value", [{}, [], 1, None])
def test_a_region_check_takes_any_json_value(value):
    # the former `value in phonenumbers.SUPPORTED_REGIONS` raised TypeError on {} and []
    assert is_phone_region(value) is False


@pytest.mark.parametrize("value, valid", [("SE", True), ("US", True), ("XX", False), ("se", False), ({}, False)])
def test_the_configured_phone_region_must_be_one_libphonenumber_supports(value, valid):
    errors = CommonConfigSchema().validate({"phone_default_region": value}, partial=True)
    assert ("phone_default_region" not in errors) is valid
