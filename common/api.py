"""View decorators: request unmarshalling and response marshalling with marshmallow.

One decorator order for every view, as in eduID::

    @bp.post("/new")
    @unmarshal(NewEmailRequest)      # JSON body → validated kwargs, else 400 request.invalid
    @marshal(EmailListResponse)      # return value → SUCCESS FSA (payload dumped by the schema)
    @login_required                  # common.authn; recorded on the view, so unmarshal
                                     # checks login BEFORE it validates the body
    def add_email(email: str): ...

The schemas are recorded on the view so that ``common.openapi`` can describe the route.
A view returns the payload (a mapping), or a ``Result`` to choose status and meta.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Callable, Mapping

from flask import Response, request
from marshmallow import Schema, ValidationError

from common import fsa
from common.compiled_dump import compiled_dump
from common.errors import ApiError
from common.messages import CommonMsg
from common.validation import as_keys, keyed

# functools.wraps copies __dict__, so these survive every decorator stacked above.
REQUEST_SCHEMA_ATTR = "_tessera_request_schema"
RESPONSE_SCHEMA_ATTR = "_tessera_response_schema"
#: where the request schema reads: ``"json"`` (the body) or ``"query"`` (the URL's query)
REQUEST_LOCATION_ATTR = "_tessera_request_location"
#: the access checks ``unmarshal`` runs before it reads the body (see ``add_guards``)
GUARDS_ATTR = "_tessera_guards"

#: Deeper request bodies are refused: no request of the API nests more than a few levels
#: (a WebAuthn credential is the deepest), and a bound keeps every later walk cheap.
MAX_DEPTH = 32
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass
class Result:
    """What a view returns when the status or meta is not the default 200/none."""

    payload: Mapping[str, Any]
    status: int = 200
    meta: Mapping[str, Any] = field(default_factory=dict)
    #: a translation key added to the dumped payload as ``payload.message`` (e.g. a 202's)
    message: str | None = None


def applied_or_pending(applied: bool, payload: Mapping[str, Any]) -> Result | Mapping[str, Any]:
    """The answer to a change sent to the attribute manager (``common.users.update_user``'s
    ``applied``): ``payload`` (200) when the central database has it, else 202 with
    ``payload.message`` = ``am.sync_pending`` (saved, queued, and it will appear shortly)."""
    return payload if applied else Result(payload=payload, status=202, message=CommonMsg.am_pending)


def add_guards(view: Callable, *checks: Callable[[], None]) -> None:
    """Record access ``checks`` on ``view`` (``common.authn.login_required`` does), so that
    ``unmarshal`` runs them before it reads the body: an anonymous request is answered
    401 ``authn.required``, never 400 field errors about a body it may not send.
    ``functools.wraps`` carries the record up through every decorator stacked above."""
    setattr(view, GUARDS_ATTR, (*getattr(view, GUARDS_ATTR, ()), *checks))


def parse_body() -> dict[str, Any]:
    """The request's JSON object body; ``{}`` for GET/HEAD and for an empty body.

    Whatever the bytes, the answer is this dict or a 400 (API.md v2, envelope rules):
    ``request.not_json`` when the body is not a JSON object in UTF-8 (RFC 8259 §8.1: JSON
    exchanged between systems MUST be UTF-8; ``NaN``/``Infinity`` are not JSON) or is not
    sent as ``application/json``; ``request.invalid`` when it nests deeper than
    ``MAX_DEPTH`` or a string (key or value) holds a lone surrogate (``"\\ud800"``
    decodes to one; it cannot be stored or mailed as UTF-8). Nesting too deep for
    the parser itself (``RecursionError``) is ``request.invalid`` too.
    """
    if request.method in ("GET", "HEAD"):
        return {}
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    if not request.is_json:
        raise ApiError(CommonMsg.request_not_json, 400)
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except RecursionError:
        raise ApiError(CommonMsg.request_invalid, 400) from None
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ApiError(CommonMsg.request_not_json, 400) from None
    if not isinstance(body, dict):
        raise ApiError(CommonMsg.request_not_json, 400)
    check_json_values(body)
    return body


def check_json_values(body: Any) -> None:
    """Raise ApiError 400 ``request.invalid`` when ``body`` (parsed JSON) nests deeper than
    ``MAX_DEPTH`` containers or holds a lone surrogate in any key or string. Iterative,
    so no depth of input can exhaust the stack here."""
    pending: list[tuple[Any, int]] = [(body, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                raise ApiError(CommonMsg.request_invalid, 400)
        elif isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise ApiError(CommonMsg.request_invalid, 400)
            items = value.items() if isinstance(value, dict) else ((None, item) for item in value)
            for key, item in items:
                if key is not None:
                    pending.append((key, depth))
                pending.append((item, depth + 1))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def unmarshal(schema_cls: type[Schema], *, location: str = "json") -> Callable:
    """Load the JSON body (or, with ``location="query"``, the query string of a GET: one
    value per name) with ``schema_cls`` and pass its fields to the view as kwargs.

    First the access checks recorded on the view (``add_guards``: login, recent login),
    then the body (``parse_body``: 400 ``request.not_json``/``request.invalid``), then the
    schema: 400 ``request.invalid`` with ``errors`` (field → translation keys, one per rule:
    ``common.validation``) when validation fails, unknown fields and wrong JSON types included.
    """
    schema = keyed(schema_cls())

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            for check in getattr(view, GUARDS_ATTR, ()):
                check()
            try:
                loaded = schema.load(request.args.to_dict() if location == "query" else parse_body())
            except ValidationError as exc:
                raise ApiError(CommonMsg.request_invalid, 400, errors=as_keys(exc.normalized_messages()))
            return view(*args, **kwargs, **loaded)

        setattr(wrapper, REQUEST_SCHEMA_ATTR, schema_cls)
        setattr(wrapper, REQUEST_LOCATION_ATTR, location)
        return wrapper

    return decorator


def marshal(schema_cls: type[Schema]) -> Callable:
    """Dump the view's return value with ``schema_cls`` into a SUCCESS FSA response.

    The view returns a mapping (status 200) or a ``Result``; a ``Response`` passes through.
    The dump is ``common.compiled_dump``'s: the schema's own result, planned once.
    """
    dump = compiled_dump(schema_cls())

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            value = view(*args, **kwargs)
            if isinstance(value, Response):
                return value
            result = value if isinstance(value, Result) else Result(payload=value or {})
            payload = dump(result.payload)
            if result.message:
                payload["message"] = str(result.message)
            return fsa.success(payload, status=result.status, meta=result.meta)

        setattr(wrapper, RESPONSE_SCHEMA_ATTR, schema_cls)
        return wrapper

    return decorator
