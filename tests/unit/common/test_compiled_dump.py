"""``common.compiled_dump``: the planned dump equals marshmallow's ``Schema.dump`` for
every schema of every service, on full objects, sparse ones and ``None`` values, and for
the field features it leaves to marshmallow."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from marshmallow import Schema, fields, post_dump

import services
from common import schemas as common_schemas
from common.compiled_dump import compiled_dump


def _schema_classes() -> list[type[Schema]]:
    modules = [common_schemas]
    for info in pkgutil.iter_modules(services.__path__):
        try:
            modules.append(importlib.import_module(f"services.{info.name}.schemas"))
        except ModuleNotFoundError:
            continue
    found = {cls for module in modules for _, cls in inspect.getmembers(module, inspect.isclass)
             if issubclass(cls, Schema) and cls.__module__ == module.__name__}
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


SCHEMAS = _schema_classes()
MOMENT = datetime(2026, 12, 1, 13, 53, 44, 708000, tzinfo=timezone.utc)


def sample(field: fields.Field, depth: int = 0) -> Any:
    """A value of the type ``field`` dumps (a nested schema's sample for ``Nested``)."""
    if isinstance(field, fields.Nested):
        one = sample_object(field.schema, depth + 1) if depth < 3 else {}
        return [one, one] if field.many else one
    if isinstance(field, fields.List):
        return [sample(field.inner, depth + 1), sample(field.inner, depth + 1)]
    if isinstance(field, fields.Dict):
        return {"a": "b"}
    if isinstance(field, fields.Boolean):
        return True
    if isinstance(field, (fields.Integer, fields.Float, fields.Decimal)):
        return 3
    if isinstance(field, fields.DateTime):
        return MOMENT
    if isinstance(field, fields.Date):
        return MOMENT.date()
    if isinstance(field, fields.TimeDelta):
        return timedelta(seconds=5)
    if isinstance(field, fields.String):
        return "+46701234567" if "phone" in type(field).__name__.lower() else "text"
    return "text"


def sample_object(schema: Schema, depth: int = 0) -> dict[str, Any]:
    """Every dumped field of ``schema`` with a sample value, under its attribute."""
    return {(field.attribute or name): sample(field, depth) for name, field in schema.dump_fields.items()
            if "." not in (field.attribute or name)}


@pytest.mark.parametrize("schema_cls", SCHEMAS, ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_equals_marshmallow_for_every_schema(schema_cls: type[Schema]) -> None:
    schema = schema_cls()
    dump = compiled_dump(schema)
    full = sample_object(schema)
    sparse = {key: value for index, (key, value) in enumerate(full.items()) if index % 2}
    nones = dict.fromkeys(full)
    for obj in (full, sparse, nones, {}):
        assert dump(obj) == schema.dump(obj)


def test_the_user_answer_is_the_same() -> None:
    from services.personal_data.schemas import UserResponse

    user = {"_id": "u1", "given_name": "Ada", "surname": "Lovelace", "display_name": "Ada L", "language": "sv",
            "emails": [{"email": "ada@example.org", "verified": True, "primary": True, "created": MOMENT}],
            "phones": [{"number": "+46701234567", "verified": False, "primary": False}],
            "created": MOMENT, "modified": MOMENT + timedelta(seconds=1)}
    schema = UserResponse()
    dumped = compiled_dump(schema)(user)
    assert dumped == schema.dump(user)
    assert dumped["user_id"] == "u1" and dumped["phones"][0]["display"] == "+46 70 123 45 67"
    assert dumped["created"] == "2026-12-01T13:53:44.708000+00:00"


class Inner(Schema):
    name = fields.String()


class Features(Schema):
    renamed = fields.String(data_key="shown")
    from_attr = fields.String(attribute="elsewhere")
    dotted = fields.String(attribute="deep.value")
    defaulted = fields.String(dump_default="fallback")
    method = fields.Method("shout")
    function = fields.Function(lambda obj: len(obj))
    flag = fields.Boolean()
    when = fields.Date()
    inner = fields.Nested(Inner)
    inners = fields.Nested(Inner, many=True)
    listed = fields.List(fields.Nested(Inner))
    numbers = fields.List(fields.Integer())
    items = fields.String()  # a dict method's name: marshmallow falls back to getattr

    def shout(self, obj: Any) -> str:
        return str(obj.get("renamed", "")).upper()


class Hooked(Schema):
    value = fields.String()

    @post_dump
    def add(self, data: dict, **kwargs: Any) -> dict:
        return {**data, "hooked": True}


@pytest.mark.parametrize("obj", [
    {"renamed": "r", "elsewhere": "e", "deep": {"value": "d"}, "flag": 1, "when": date(2026, 1, 2),
     "inner": {"name": "n"}, "inners": [{"name": "a"}, {"name": "b"}], "listed": [{"name": "c"}],
     "numbers": [1, "2"], "items": "i"},
    {"flag": "yes", "inner": None, "inners": None, "listed": None, "numbers": None},
    {},
], ids=["full", "nones", "empty"])
def test_features_left_to_marshmallow_still_match(obj: dict) -> None:
    schema = Features()
    assert compiled_dump(schema)(obj) == schema.dump(obj)


def test_hooks_and_other_objects_are_marshmallows() -> None:
    hooked = Hooked()
    assert compiled_dump(hooked)({"value": "v"}) == {"value": "v", "hooked": True}

    class Thing:
        value = "attribute"

    schema = Inner()
    assert compiled_dump(Hooked())(Thing()) == {"value": "attribute", "hooked": True}
    assert compiled_dump(schema)(Thing()) == schema.dump(Thing()) == {}
