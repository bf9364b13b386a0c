"""Field errors of request schemas as translation keys, one per rule.

marshmallow answers a failed field with English text ("Missing data for required
field.", "Length must be between 1 and 1024.", "Unknown field."). The SPA cannot
translate free text, so every request schema that ``common.api.unmarshal`` loads with is
given keyed messages (``keyed``) and its answer is checked once more (``as_keys``):

==========================  ==========================================================
``validation.required``     missing, ``null``, or shorter than a minimum of 1 (a blank
                            password or name: the user entered nothing)
``validation.too_long``     longer than the field's maximum
``validation.invalid``      any other rule: a wrong JSON type, a pattern, a choice,
                            an exact length
``validation.unknown_field`` a field the route does not take
==========================  ==========================================================

A field type with a rule of its own keeps its own key (``common.fields.FieldMsg``:
``validation.email``, ``validation.name_invalid`` …; a schema's own ``error=`` key, e.g.
``signup.tou_required``). The SPA shows a key per field where it has one
(``validation.required.given_name`` → "Enter your given name") and the rule's general
sentence otherwise. Config schemas are not touched: their errors are for operators.
"""
from __future__ import annotations

import copy
import logging
from enum import unique
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from common.messages import TranslatableMsg, translatable_keys

logger = logging.getLogger(__name__)


@unique
class ValidationMsg(TranslatableMsg):
    """The rule keys of request field errors (``payload.errors.<field>``)."""

    required = "validation.required"
    too_long = "validation.too_long"
    invalid = "validation.invalid"
    unknown_field = "validation.unknown_field"


#: marshmallow's error names that mean "nothing was given"; every other name is ``invalid``
_MISSING = frozenset({"required", "null"})


class KeyedLength(validate.Length):
    """``validate.Length`` whose failures are keys: below a minimum of 1 → ``required``
    (a blank value), below a higher minimum or not the exact length → ``invalid``, above the
    maximum → ``too_long``. marshmallow's own class has one ``error`` for every case."""

    def __call__(self, value: Any) -> Any:
        length = len(value)
        if self.equal is not None and length != self.equal:
            raise ValidationError(ValidationMsg.invalid.value)
        if self.min is not None and length < self.min:
            raise ValidationError((ValidationMsg.required if self.min <= 1 else ValidationMsg.invalid).value)
        if self.max is not None and length > self.max:
            raise ValidationError(ValidationMsg.too_long.value)
        return value


def _known_keys() -> frozenset[str]:
    # the keys of the Enums imported so far: a service's own are, once its schemas are
    return frozenset(translatable_keys())


def _is_key(message: Any, keys: frozenset[str]) -> bool:
    return isinstance(message, str) and message in keys


def _keyed_validator(validator: Any, keys: frozenset[str]) -> Any:
    if isinstance(validator, validate.Length) and not _is_key(validator.error, keys):
        return KeyedLength(min=validator.min, max=validator.max, equal=validator.equal)
    if isinstance(validator, validate.Validator) and not _is_key(getattr(validator, "error", None), keys):
        keyed = copy.copy(validator)  # the schema class's own validator is shared: never mutate it
        keyed.error = ValidationMsg.invalid.value
        return keyed
    return validator  # a function, or already keyed: ``as_keys`` is the safety net


def _key_field(field: fields.Field, keys: frozenset[str]) -> None:
    field.error_messages = {
        name: message if _is_key(message, keys)
        else (ValidationMsg.required if name in _MISSING else ValidationMsg.invalid).value
        for name, message in field.error_messages.items()
    }
    field.validators = [_keyed_validator(v, keys) for v in field.validators]
    if isinstance(field, fields.Nested) and isinstance(field.schema, Schema):
        keyed(field.schema, keys)
    for inner in (getattr(field, "inner", None), getattr(field, "key_field", None), getattr(field, "value_field", None)):
        if isinstance(inner, fields.Field):
            _key_field(inner, keys)


def keyed(schema: Schema, keys: frozenset[str] | None = None) -> Schema:
    """Give ``schema`` (an instance; nested schemas and list items included) keyed error
    messages in place and return it. Call it once, where the schema is instantiated."""
    keys = _known_keys() if keys is None else keys
    schema.error_messages = {**schema.error_messages, "unknown": ValidationMsg.unknown_field.value,
                             "type": ValidationMsg.invalid.value}
    for field in schema.fields.values():
        _key_field(field, keys)
    return schema


def as_keys(errors: Any, keys: frozenset[str] | None = None) -> Any:
    """``errors`` (marshmallow's normalised messages: dicts of lists, nested) with any
    message that is not a translation key replaced by ``validation.invalid`` — a validator
    function's free text must not reach the SPA (it is logged instead)."""
    keys = _known_keys() if keys is None else keys
    if isinstance(errors, dict):
        return {name: as_keys(value, keys) for name, value in errors.items()}
    if isinstance(errors, list):
        return [as_keys(value, keys) for value in errors]
    if _is_key(errors, keys):
        return errors
    logger.info("field error %r answered as %s", errors, ValidationMsg.invalid.value)
    return ValidationMsg.invalid.value
