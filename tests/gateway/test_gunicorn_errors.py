"""What gunicorn refuses itself, behind nginx, is an FSA too (common.gunicorn_worker):
requests nginx passes on but gunicorn cannot parse."""
from __future__ import annotations

from tests.gateway.raw import request
from tests.gateway.test_nginx_errors import assert_fsa


def test_more_header_fields_than_gunicorns_default_100_are_served(stack):
    headers = {f"X-Filler-{i}": "x" for i in range(300)}  # within nginx's header buffers
    r = request(stack.ports["http"], "GET", "/api/authn/session", headers)
    assert r.status == 200 and r.json()["type"] == "GET_AUTHN_SESSION_SUCCESS"


def test_headers_beyond_nginxs_buffers_are_a_431_fsa(stack):
    headers = {f"X-Filler-{i}": "x" * 100 for i in range(400)}  # 40 KB > 4 x 8 KB
    r = request(stack.ports["http"], "GET", "/api/authn/session", headers)
    assert_fsa(r, 431, "GET_AUTHN_FAIL", "http.request_header_fields_too_large")


def test_a_control_character_in_a_header_nginx_passes_on_is_a_400_fsa(stack):
    r = request(stack.ports["http"], "GET", "/api/emails/all", {"X-Note": "a\x01b"})
    assert_fsa(r, 400, "GET_EMAILS_FAIL", "http.bad_request")


def test_the_next_request_is_served_as_usual(stack):
    request(stack.ports["http"], "GET", "/api/emails/all", {"X-Note": "a\x01b"})
    r = request(stack.ports["http"], "GET", "/api/authn/session")
    assert r.status == 200 and r.json()["type"] == "GET_AUTHN_SESSION_SUCCESS"
