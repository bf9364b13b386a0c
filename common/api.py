"""View decorators: request unmarshalling and response marshalling with marshmallow.

One decorator order for every view, as in eduID::

    @bp.post("/new")
    @unmarshal(NewEmailRequest)      # JSON body → validated kwargs, else 400 request.invalid
    @marshal(EmailListResponse)      # return value → SUCCESS FSA (payload dumped by the schema)
    @login_required                  # common.authn
    def add_email(email: str): ...

The schemas are recorded on the view so that ``common.openapi`` can describe the route.
A view returns the payload (a mapping), or a ``Result`` to choose status and meta.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Callable, Mapping

from flask import Response, request
from marshmallow import Schema, ValidationError

from common import fsa
from common.errors import ApiError
from common.messages import CommonMsg

# functools.wraps copies __dict__, so these survive every decorator stacked above.
REQUEST_SCHEMA_ATTR = "_tessera_request_schema"
RESPONSE_SCHEMA_ATTR = "_tessera_response_schema"


@dataclass
class Result:
    """What a view returns when the status or meta is not the default 200/none."""

    payload: Mapping[str, Any]
    status: int = 200
    meta: Mapping[str, Any] = field(default_factory=dict)
    #: a translation key added to the dumped payload as ``payload.message`` (e.g. a 202's)
    message: str | None = None



def unmarshal(schema_cls: type[Schema]) -> Callable:
    """Load the JSON body with ``schema_cls`` and pass its fields to the view as kwargs.

    Errors: 400 ``request.not_json`` when the body is not a JSON object (an empty body
    counts as ``{}``); 400 ``request.invalid`` with ``errors`` (field → messages) when
    validation fails, unknown fields included.
    """
    schema = schema_cls()

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            if request.method in ("GET", "HEAD") or not request.get_data(cache=True):
                body: Any = {}
            else:
                body = request.get_json(silent=True)
                if not isinstance(body, dict):
                    raise ApiError(CommonMsg.request_not_json, 400)
            try:
                loaded = schema.load(body)
            except ValidationError as exc:
                raise ApiError(CommonMsg.request_invalid, 400, errors=exc.normalized_messages())
            return view(*args, **kwargs, **loaded)

        setattr(wrapper, REQUEST_SCHEMA_ATTR, schema_cls)
        return wrapper

    return decorator


def marshal(schema_cls: type[Schema]) -> Callable:
    """Dump the view's return value with ``schema_cls`` into a SUCCESS FSA response.

    The view returns a mapping (status 200) or a ``Result``; a ``Response`` passes through.
    """
    schema = schema_cls()

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            value = view(*args, **kwargs)
            if isinstance(value, Response):
                return value
            result = value if isinstance(value, Result) else Result(payload=value or {})
            payload = schema.dump(result.payload)
            if result.message:
                payload["message"] = str(result.message)
            return fsa.success(payload, status=result.status, meta=result.meta)

        setattr(wrapper, RESPONSE_SCHEMA_ATTR, schema_cls)
        return wrapper

    return decorator
