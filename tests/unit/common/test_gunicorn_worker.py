"""common.gunicorn_worker: gunicorn's errors classified as gunicorn does, answered as FSAs."""
from __future__ import annotations

import json

import pytest
from gunicorn.http import errors

from common.fsa import GatewayMsg
from common.gunicorn_worker import classify, error_response, request_method


@pytest.mark.parametrize(("exc", "status", "key"), [
    (errors.LimitRequestHeaders("More than 100 headers"), 431, GatewayMsg.request_header_fields_too_large),
    (errors.LimitRequestLine(5000, 4094), 414, GatewayMsg.request_uri_too_large),
    (errors.InvalidHeader("X-Note"), 400, GatewayMsg.bad_request),
    (errors.InvalidRequestLine("GET"), 400, GatewayMsg.bad_request),
    (errors.UnsupportedTransferCoding("gzip"), 501, GatewayMsg.not_implemented),
    (errors.InvalidResponseHeader("X"), 500, GatewayMsg.internal_server_error),
    (RuntimeError("boom"), 500, GatewayMsg.internal_server_error),
])
def test_statuses_are_gunicorns(exc, status, key):
    assert classify(exc)[0] == status
    assert classify(exc)[2] is key


def test_the_answer_is_a_json_fsa_that_is_not_stored():
    raw = error_response(431, "Request Header Fields Too Large", "GET_AUTHN_FAIL",
                         GatewayMsg.request_header_fields_too_large)
    head, body = raw.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 431 Request Header Fields Too Large"
    assert "Content-Type: application/json" in lines and "Cache-Control: no-store" in lines
    assert f"Content-Length: {len(body)}" in lines
    assert json.loads(body) == {"type": "GET_AUTHN_FAIL", "error": True,
                                "payload": {"message": "http.request_header_fields_too_large"}}


def test_the_method_is_read_from_the_request_being_parsed():
    from gunicorn.config import Config
    from gunicorn.http.parser import RequestParser

    raw = [b"POST /api/emails/all HTTP/1.1\r\nHost: x\r\nX-Note: a\x01b\r\n\r\n"]
    with pytest.raises(errors.ParseException) as caught:
        next(iter(RequestParser(Config(), iter(raw), ("127.0.0.1", 1))))
    assert request_method(None, caught.value) == "POST"


def test_no_method_when_the_request_line_was_unreadable():
    assert request_method(None, errors.InvalidRequestLine("\x00")) is None
