"""The OpenAPI 3 document of a service, generated from its marshmallow schemas (apispec).

Every route decorated with ``common.api.unmarshal``/``marshal`` is described: its request
body schema and, wrapped in the FSA envelope, its response payload schema.
"""
from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from common.api import REQUEST_SCHEMA_ATTR, RESPONSE_SCHEMA_ATTR

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
                "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
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


def build_spec(app: Flask, title: str, version: str) -> dict[str, Any]:
    """The OpenAPI 3.0.3 document of ``app`` as a dict."""
    spec = APISpec(title=title, version=version, openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()])
    spec.components.schema("Fail", FAIL_ENVELOPE)
    paths: dict[str, dict[str, Any]] = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        if view is None or rule.endpoint == "static":
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
            if request_schema is not None and method not in ("GET", "DELETE"):
                operation["requestBody"] = {"required": True,
                                            "content": {"application/json": {"schema": request_schema}}}
            if method != "GET":
                operation["parameters"] = [{"in": "header", "name": "X-CSRF-Token", "required": True,
                                            "schema": {"type": "string"}}]
            paths.setdefault(rule.rule, {})[method.lower()] = operation
    for path, operations in sorted(paths.items()):
        spec.path(path=path, operations=operations)
    return spec.to_dict()
