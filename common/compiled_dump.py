"""A marshmallow schema's ``dump``, planned once per schema instead of on every call.

``Schema.dump`` walks the same plan for every answer: the pre/post-dump hook checks,
then for each field ``Field.serialize`` → ``get_value`` → ``utils.get_value`` (a
``hasattr``, a ``try``) → the field's ``_serialize``, and for a nested schema all of it
again. For the answers of this API — dicts of strings, booleans, dates and lists of
nested dicts — that walk was ~5% of an authenticated read's CPU (issue 15).

``compiled_dump(schema)`` returns a function with exactly ``schema.dump``'s result: it
still calls each field's own ``_serialize`` (so every field type, Tessera's included,
formats as marshmallow would) and only takes the value out of a ``dict`` directly, in
marshmallow's own order of lookups (``obj[key]``, then ``getattr``). Whatever it cannot
plan faithfully is left to marshmallow: a schema with dump hooks, ``many``, its own
``get_attribute`` or ``dict_class``, a field that overrides ``serialize``/``get_value``,
has a ``dump_default``, a dotted ``attribute`` or no attribute at all (``Method``,
``Function``); and any object that is not a plain ``dict``.
"""
from __future__ import annotations

from typing import Any, Callable

from marshmallow import Schema, fields, missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP

#: ``convert(value, obj)``: one field's dumped value from its raw value in ``obj``
Convert = Callable[[Any, Any], Any]


def compiled_dump(schema: Schema) -> Callable[[Any], Any]:
    """A function equal to ``schema.dump`` (one object, not ``many``), planned now."""
    if (schema.many or schema._hooks[PRE_DUMP] or schema._hooks[POST_DUMP]
            or type(schema).get_attribute is not Schema.get_attribute or schema.dict_class is not dict):
        return schema.dump
    dump_with_marshmallow = schema.dump
    accessor = schema.get_attribute
    plan: list[tuple[str, str | None, Any]] = []
    for attr_name, field in schema.dump_fields.items():
        key = field.data_key if field.data_key is not None else attr_name
        source = field.attribute if field.attribute is not None else attr_name
        if _plain(field) and "." not in source:
            plan.append((key, source, _converter(field, attr_name)))
        else:  # marshmallow's own per-field path: serialize(attr, obj, accessor)
            plan.append((key, None, _field_serializer(field, attr_name, accessor)))

    def dump(obj: Any) -> Any:
        if type(obj) is not dict:
            return dump_with_marshmallow(obj)
        result: dict[str, Any] = {}
        for key, source, convert in plan:
            if source is None:
                value = convert(obj)
            else:
                # utils.get_value's lookups, in its order: obj[key], then getattr
                value = obj[source] if source in obj else getattr(obj, source, missing)
                if value is missing:
                    continue
                value = convert(value, obj)
            if value is not missing:
                result[key] = value
        return result

    return dump


def _plain(field: fields.Field) -> bool:
    """Whether ``field`` dumps as ``Field.serialize`` does for any field: the value under
    its attribute, missing when absent (no ``dump_default``), then ``_serialize``."""
    cls = type(field)
    return (cls.serialize is fields.Field.serialize and cls.get_value is fields.Field.get_value
            and field._CHECK_ATTRIBUTE and field.dump_default is missing)


def _field_serializer(field: fields.Field, attr_name: str, accessor: Callable) -> Callable[[Any], Any]:
    def serialize(obj: Any) -> Any:
        return field.serialize(attr_name, obj, accessor=accessor)
    return serialize


def _converter(field: fields.Field, attr_name: str) -> Convert:
    """``convert(value, obj)`` = ``field._serialize(value, attr_name, obj)``, with the
    nested schemas of ``Nested`` and ``List(Nested)`` compiled too."""
    cls = type(field)
    if cls is fields.List:
        inner = _converter(field.inner, attr_name)

        def convert_list(value: Any, obj: Any) -> Any:
            return None if value is None else [inner(each, obj) for each in value]
        return convert_list
    if cls is fields.Nested and not field.schema.many:
        nested = compiled_dump(field.schema)
        if field.many:
            def convert_many(value: Any, obj: Any) -> Any:
                return None if value is None else [nested(each) for each in value]
            return convert_many

        def convert_nested(value: Any, obj: Any) -> Any:
            return None if value is None else nested(value)
        return convert_nested
    serialize = field._serialize

    def convert(value: Any, obj: Any) -> Any:
        return serialize(value, attr_name, obj)
    return convert
