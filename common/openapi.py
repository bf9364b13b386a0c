"""The OpenAPI 3 document of a service, generated from its marshmallow schemas (apispec).

Every route decorated with ``common.api.unmarshal``/``marshal`` is described: its request
body schema and, wrapped in the FSA envelope, its response payload schema (200), the
202 ``am.sync_pending`` answer of a change the attribute manager has not confirmed yet,
and every failure (``default``). A field type whose accepted values come from the
configuration says so through ``openapi_properties(config)`` (``common.fields``: the
configured languages become an ``enum``). The document is checked against the running
services by ``tests/api/test_schemathesis.py``.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema, fields

from common.api import REQUEST_LOCATION_ATTR, REQUEST_SCHEMA_ATTR, RESPONSE_SCHEMA_ATTR
from common.csrf import PROTOCOL_ATTR

#: a Flask path variable with or without its converter: ``<id>``, ``<string:id>``
_PATH_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")

FAIL_ENVELOPE = {
    "type": "object",
    "required": ["type", "error", "payload"],
    "properties": {
        "type": {"type": "string", "example": "POST_SERVICE_ROUTE_FAIL"},
        "error": {"type": "boolean", "enum": [True]},
        "payload": {
            "type": "object",
            "required": ["message"],
            "properties": {
                "message": {"type": "string", "description": "translation key"},
                # field → messages; a nested schema's or a list's errors nest (field → index → messages)
                "errors": {"type": "object"},
            },
        },
        "meta": {"type": "object"},
    },
}


def _success_envelope(schema_cls: type) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["type", "payload"],
        "properties": {
            "type": {"type": "string", "example": "GET_SERVICE_ROUTE_SUCCESS"},
            "payload": schema_cls,
            "meta": {"type": "object"},
        },
    }


#: 202: the change is queued for the attribute manager; the payload is the answer as it
#: will be, with ``message: am.sync_pending`` (``applied_or_pending``).
PENDING_ENVELOPE = {
    "type": "object",
    "required": ["type", "payload"],
    "properties": {
        "type": {"type": "string", "example": "POST_SERVICE_ROUTE_SUCCESS"},
        "payload": {"type": "object", "required": ["message"],
                    "properties": {"message": {"type": "string", "enum": ["am.sync_pending"]}}},
        "meta": {"type": "object"},
    },
}


def _configured_properties(config: Mapping[str, Any]) -> Callable[..., dict[str, Any]]:
    """An apispec attribute function: the field's own ``openapi_properties(config)``."""
    def configured_properties(self: Any, field: fields.Field, **kwargs: Any) -> dict[str, Any]:
        describe = getattr(field, "openapi_properties", None)
        return describe(config) if describe is not None else {}
    return configured_properties


def _body_required(schema_cls: type[Schema]) -> bool:
    """A body is required when its schema has a required field (an empty body is ``{}``)."""
    return any(f.required for f in schema_cls().fields.values())


def build_spec(app: Flask, title: str, version: str) -> dict[str, Any]:
    """The OpenAPI 3.0.3 document of ``app`` as a dict (its configuration fills in the
    values that depend on it, e.g. the ``language`` enum)."""
    plugin = MarshmallowPlugin()
    spec = APISpec(title=title, version=version, openapi_version="3.0.3", plugins=[plugin])
    plugin.converter.add_attribute_function(_configured_properties(app.config["TESSERA"]))
    spec.components.schema("Fail", FAIL_ENVELOPE)
    paths: dict[str, dict[str, Any]] = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        if view is None or rule.endpoint == "static" or getattr(view, PROTOCOL_ATTR, False):
            continue
        request_schema = getattr(view, REQUEST_SCHEMA_ATTR, None)
        response_schema = getattr(view, RESPONSE_SCHEMA_ATTR, None)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation: dict[str, Any] = {
                "operationId": f"{method.lower()}_{rule.endpoint.replace('.', '_')}",
                "summary": (view.__doc__ or "").strip().split("\n")[0],
                "responses": {"default": {"description": "FAIL FSA",
                                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Fail"}}}}},
            }
            if response_schema is not None:
                operation["responses"]["200"] = {
                    "description": "SUCCESS FSA",
                    "content": {"application/json": {"schema": _success_envelope(response_schema)}},
                }
                if method != "GET":
                    operation["responses"]["202"] = {
                        "description": "SUCCESS FSA, the attribute manager's confirmation pending",
                        "content": {"application/json": {"schema": PENDING_ENVELOPE}},
                    }
            if request_schema is not None and getattr(view, REQUEST_LOCATION_ATTR, "json") == "query":
                operation["parameters"] = plugin.converter.schema2parameters(request_schema, location="query")
            elif request_schema is not None and method not in ("GET", "DELETE"):
                operation["requestBody"] = {"required": _body_required(request_schema),
                                            "content": {"application/json": {"schema": request_schema}}}
            if method != "GET":
                operation["parameters"] = [{"in": "header", "name": "X-CSRF-Token", "required": True,
                                            "schema": {"type": "string"}}]
            if rule.arguments:  # a Flask path variable, <request_id>, is an OpenAPI {request_id}
                operation["parameters"] = [*operation.get("parameters", []), *(
                    {"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
                    for name in sorted(rule.arguments))]
            paths.setdefault(_PATH_VARIABLE.sub(r"{\1}", rule.rule), {})[method.lower()] = operation
    for path, operations in sorted(paths.items()):
        spec.path(path=path, operations=operations)
    return spec.to_dict()
