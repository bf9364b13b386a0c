"""common.api.parse_body: every malformed body is a 400 ApiError, never an exception that
becomes a 500. A bare Flask app, no stack."""
from __future__ import annotations

import json

import pytest
from flask import Flask

from common.api import MAX_DEPTH, check_json_values, parse_body
from common.errors import ApiError

APP = Flask(__name__)


def parse(data: bytes | str, content_type: str = "application/json", method: str = "POST"):
    with APP.test_request_context("/", method=method, data=data, content_type=content_type):
        return parse_body()


def refusal(data: bytes | str, **kwargs) -> tuple[int, str]:
    with pytest.raises(ApiError) as info:
        parse(data, **kwargs)
    return info.value.status, info.value.message


def test_an_object_is_parsed_and_an_empty_body_is_an_empty_object():
    assert parse('{"a": ["b", {"c": 1}]}') == {"a": ["b", {"c": 1}]}
    assert parse(b"") == {}
    assert parse(b"ignored", method="GET") == {}


@pytest.mark.parametrize("data", [b"[]", b'"text"', b"1", b"null", b"{", b"{'a': 1}", b'{"a": NaN}',
                                  b'{"a": Infinity}', b'{"a": 1' + b"0" * 5000 + b"}",
                                  '{"a": "ä"}'.encode("latin-1"), b'\xef\xbb\xbf{"a": 1}',
                                  '{"a": 1}'.encode("utf-16")])
def test_what_is_not_a_json_object_in_utf8_is_not_json(data):
    assert refusal(data) == (400, "request.not_json")


def test_a_body_not_sent_as_json_is_not_json():
    assert refusal(b'{"a": 1}', content_type="text/plain") == (400, "request.not_json")


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 900, 5000, 100_000])
def test_nesting_of_any_depth_is_invalid(depth):
    # ~1000 levels raised RecursionError out of request.get_json(silent=True): a 500
    assert refusal(b'{"a": ' + b"[" * depth + b"]" * depth + b"}") == (400, "request.invalid")
    assert refusal(b'{"a": ' + b'{"b": ' * depth + b"1" + b"}" * depth + b"}") == (400, "request.invalid")


def test_nesting_up_to_the_bound_is_parsed():
    body = json.dumps({"a": json.loads("[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))})
    assert parse(body)["a"] == json.loads("[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))


@pytest.mark.parametrize("data", [b'{"given_name": "Ada\\ud800"}', b'{"\\udfff": 1}',
                                  b'{"a": [{"b": "\\ud83d"}]}'])
def test_a_lone_surrogate_anywhere_is_invalid(data):
    assert refusal(data) == (400, "request.invalid")


def test_a_surrogate_pair_is_a_character():
    assert parse(b'{"a": "\\ud83d\\ude00"}') == {"a": "\U0001F600"}


def test_the_value_check_is_iterative():
    deep: list = []
    for _ in range(50_000):
        deep = [deep]
    with pytest.raises(ApiError):
        check_json_values({"a": deep})
