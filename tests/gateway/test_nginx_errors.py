"""Every error nginx answers itself is an FSA (API.md, "Envelope"), through the real nginx
of the test stack: raw requests where ``requests`` would refuse or rewrite them."""
from __future__ import annotations

import pytest

from tests.gateway.raw import RawResponse, exchange, request

#: the methods the services answer, as nginx's Allow on /api/ lists them
API_METHODS = "GET, HEAD, POST"


def port(stack) -> int:
    return stack.ports["http"]


def assert_fsa(r: RawResponse, status: int, type_: str, message: str) -> None:
    """``r`` is the FAIL FSA of ``status`` with ``type_`` and ``message``, JSON, not cached."""
    assert r.status == status, (r.status, r.body[:300])
    assert r.headers["Content-Type"] == "application/json"
    assert r.headers.get_all("Cache-Control") == ["no-store"]
    assert r.json() == {"type": type_, "error": True, "payload": {"message": message}}


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "OPTIONS", "PUT", "DELETE", "PATCH", "PROPFIND"])
def test_a_method_no_service_answers_is_a_405_fsa_with_allow(stack, method):
    r = request(port(stack), method, "/api/personal-data/user")
    assert_fsa(r, 405, f"{method}_PERSONAL_DATA_FAIL", "http.method_not_allowed")
    assert r.headers["Allow"] == API_METHODS


def test_a_method_with_a_dash_is_folded_like_the_services_fold_it(stack):
    r = request(port(stack), "M-SEARCH", "/api/emails/all")
    assert_fsa(r, 405, "M_SEARCH_EMAILS_FAIL", "http.method_not_allowed")


def test_trace_on_an_unknown_api_path_names_no_service(stack):
    r = request(port(stack), "TRACE", "/api/nothing/here")
    assert_fsa(r, 405, "TRACE_API_FAIL", "http.method_not_allowed")
    assert r.headers["Allow"] == API_METHODS


def test_the_methods_the_services_use_still_reach_them(stack):
    get = request(port(stack), "GET", "/api/authn/session")
    assert get.status == 200 and get.json()["type"] == "GET_AUTHN_SESSION_SUCCESS"
    head = request(port(stack), "HEAD", "/api/authn/session")
    assert head.status == 200 and head.body == b""
    post = request(port(stack), "POST", "/api/authn/logout", {"Content-Type": "application/json"}, b"{}")
    # the service's own answer (no CSRF token): it reached authn
    assert post.status == 403 and post.json()["type"] == "POST_AUTHN_LOGOUT_FAIL"


def test_a_service_405_lists_only_the_methods_of_the_route(stack):
    r = request(port(stack), "GET", "/api/authn/login")
    assert r.status == 405
    assert r.json()["type"] == "GET_AUTHN_FAIL"
    assert r.headers.get_all("Allow") == ["POST"]  # no OPTIONS: nobody answers it
    assert r.headers.get_all("Cache-Control") == ["no-store"]


def test_a_nul_byte_in_the_path_is_a_400_fsa(stack):
    assert_fsa(request(port(stack), "GET", "/api/authn/session%00"), 400, "GET_AUTHN_FAIL", "http.bad_request")


def test_a_malformed_request_line_is_a_400_fsa(stack):
    r = exchange(port(stack), b"GET /api/emails/all HTTP/1.1 junk\r\nHost: localhost\r\n")
    assert_fsa(r, 400, "GET_EMAILS_FAIL", "http.bad_request")


def test_a_request_line_without_a_method_nginx_knows_says_http(stack):
    r = exchange(port(stack), b"G@T /api/emails/all HTTP/1.1\r\nHost: localhost\r\n")
    assert_fsa(r, 400, "HTTP_API_FAIL", "http.bad_request")


def test_a_malformed_header_is_a_400_fsa(stack):
    r = exchange(port(stack), b"GET /api/emails/all HTTP/1.1\r\nHost: localhost\r\nBad Header: x\r\n")
    assert_fsa(r, 400, "GET_EMAILS_FAIL", "http.bad_request")


def test_a_transfer_encoding_nginx_does_not_implement_is_a_501_fsa(stack):
    r = exchange(port(stack), b"POST /api/authn/login HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n")
    assert_fsa(r, 501, "POST_AUTHN_FAIL", "http.not_implemented")


def test_an_http_version_nginx_does_not_speak_is_a_505_fsa(stack):
    r = exchange(port(stack), b"GET /api/authn/session HTTP/2.0\r\nHost: localhost\r\n")
    assert_fsa(r, 505, "GET_AUTHN_FAIL", "http.http_version_not_supported")


def test_a_16_kb_cookie_is_a_431_fsa(stack):
    r = request(port(stack), "GET", "/api/personal-data/user", {"Cookie": "tessera_session=" + "x" * 16384})
    assert_fsa(r, 431, "GET_PERSONAL_DATA_FAIL", "http.request_header_fields_too_large")


def test_headers_over_all_buffers_are_a_431_fsa(stack):
    headers = {f"X-Filler-{n}": "x" * 7000 for n in range(6)}  # each fits a buffer, all do not
    r = request(port(stack), "POST", "/api/signup/register", headers)
    assert_fsa(r, 431, "POST_SIGNUP_FAIL", "http.request_header_fields_too_large")


def test_an_over_long_uri_is_a_414_fsa(stack):
    r = request(port(stack), "GET", "/api/security/events?before=" + "a" * 20000)
    assert_fsa(r, 414, "GET_SECURITY_FAIL", "http.request_uri_too_large")


def test_a_uri_longer_than_gunicorn_takes_is_a_414_fsa_from_nginx(stack):
    # under nginx's 8 KB buffer, over gunicorn's 4094-byte request line: gunicorn would
    # answer with an HTML page of its own
    r = request(port(stack), "GET", "/api/security/events?before=" + "a" * 4500)
    assert_fsa(r, 414, "GET_SECURITY_FAIL", "http.request_uri_too_large")


def test_a_byte_outside_printable_ascii_in_the_target_is_a_400_fsa_from_nginx(stack):
    # nginx takes it, gunicorn would refuse it with HTML (RFC 9112 §3.2)
    r = exchange(port(stack), b"GET /api/authn/s\xffession HTTP/1.1\r\nHost: localhost\r\n")
    assert_fsa(r, 400, "GET_AUTHN_FAIL", "http.bad_request")


@pytest.mark.parametrize("header", ["X-CSRF-Token", "Cookie", "Accept-Language", "User-Agent"])
def test_a_control_character_in_a_header_the_services_read_is_a_400_fsa_from_nginx(stack, header):
    head = f"POST /api/emails/new HTTP/1.1\r\nHost: localhost\r\n{header}: a\x01b\r\n".encode()
    assert_fsa(exchange(port(stack), head), 400, "POST_EMAILS_FAIL", "http.bad_request")


def test_a_body_over_the_limit_is_a_413_fsa(stack):
    r = request(port(stack), "POST", "/api/authn/login", {"Content-Type": "application/json"}, b"x" * 1_100_000)
    assert_fsa(r, 413, "POST_AUTHN_FAIL", "http.request_entity_too_large")


@pytest.mark.parametrize("path, type_", [
    ("/api", "GET_API_FAIL"),
    ("/api/", "GET_API_FAIL"),
    ("/api/nothing", "GET_API_FAIL"),
    ("/api/authn", "GET_AUTHN_FAIL"),  # no redirect to the slash
    ("/api/personal-data?x=1", "GET_PERSONAL_DATA_FAIL"),
])
def test_api_paths_that_are_no_route_are_a_404_fsa_not_the_spa(stack, path, type_):
    assert_fsa(request(port(stack), "GET", path), 404, type_, "http.not_found")


def test_the_error_uris_cannot_be_asked_for(stack):
    assert_fsa(request(port(stack), "GET", "/api/.nginx/400"), 404, "GET_API_FAIL", "http.not_found")


def test_an_nginx_error_keeps_the_security_headers(stack):
    r = request(port(stack), "TRACE", "/api/authn/session")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert len(r.headers.get_all("X-Request-Id")) == 1
