"""Every field error a request schema can answer is a translation key (common.validation):
each request schema of every service, fed what a user or a script could send, answers
only keys that ``python -m common.messages`` lists (and so the SPA translates)."""
from __future__ import annotations

import pytest
from flask import Flask
from marshmallow import Schema, ValidationError, fields, validate

from common.messages import import_all, translatable_keys
from common.schemas import TesseraSchema
from common.validation import ValidationMsg, as_keys, keyed


def request_schemas() -> list[type[Schema]]:
    import_all()
    found, pending = [], list(TesseraSchema.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__name__.endswith("Request"):
            found.append(cls)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


def bad_bodies(schema: Schema) -> list[dict]:
    """Missing fields, an unknown one, and each field as null, blank, huge or of a wrong type."""
    bodies: list[dict] = [{}, {"surely_unknown": 1}]
    for name in schema.fields:
        for value in (None, "", " ", "x" * 5000, {}, [], 12, True, {"a": {"b": []}}):
            bodies.append({name: value})
    return bodies


def messages_of(errors) -> list[str]:
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in messages_of(value)]
    if isinstance(errors, list):
        return [m for value in errors for m in messages_of(value)]
    return [errors]


@pytest.fixture(scope="module")
def app_context():
    app = Flask("probe")
    app.config["TESSERA"] = {"languages": ["en", "sv"], "phone_default_region": "SE"}
    with app.app_context():
        yield


@pytest.mark.parametrize("schema_cls", request_schemas(), ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_every_field_error_of_a_request_schema_is_a_translation_key(schema_cls, app_context):
    keys = set(translatable_keys())
    schema = keyed(schema_cls())
    seen: set[str] = set()
    for body in bad_bodies(schema):
        try:
            schema.load(body)
        except ValidationError as exc:
            messages = messages_of(as_keys(exc.normalized_messages()))
            assert [m for m in messages if m not in keys] == [], body
            seen.update(messages)
    assert ValidationMsg.unknown_field.value in seen
    if any(field.required for field in schema.fields.values()):
        assert ValidationMsg.required.value in seen


def test_the_rules_have_keys_of_their_own():
    class Probe(TesseraSchema):
        name = fields.String(required=True, validate=validate.Length(min=1, max=5))
        code = fields.String(validate=validate.Length(equal=6))
        kind = fields.String(validate=validate.OneOf(["a"]))

    schema = keyed(Probe())
    def errors(body):
        with pytest.raises(ValidationError) as info:
            schema.load(body)
        return info.value.normalized_messages()

    assert errors({}) == {"name": ["validation.required"]}
    assert errors({"name": None}) == {"name": ["validation.required"]}
    assert errors({"name": ""}) == {"name": ["validation.required"]}
    assert errors({"name": "toolong"}) == {"name": ["validation.too_long"]}
    assert errors({"name": 5}) == {"name": ["validation.invalid"]}
    assert errors({"name": "a", "code": "123"}) == {"code": ["validation.invalid"]}
    assert errors({"name": "a", "kind": "b"}) == {"kind": ["validation.invalid"]}
    assert errors({"name": "a", "x": 1}) == {"x": ["validation.unknown_field"]}
    # the class's own validator is untouched: a schema made without keyed() keeps its text
    assert "Length" in str(Probe().validate({"name": "toolong"}))


def test_free_text_that_slips_through_is_answered_as_invalid():
    assert as_keys({"a": ["Not a rate limit: x"], "b": {"0": ["validation.required"]}}) == {
        "a": ["validation.invalid"], "b": {"0": ["validation.required"]}}
