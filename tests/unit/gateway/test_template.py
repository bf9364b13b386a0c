"""The nginx template's own answers, read without running nginx: every key it answers
with is a ``GatewayMsg`` the SPA can translate, and the container file is rendered from it."""
from __future__ import annotations

import json
import re

from common.fsa import GatewayMsg
from devstack import render
from devstack.topology import ROOT

MESSAGE = re.compile(r'\\"message\\":\\"([^"\\]+)\\"|"message":"([^"]+)"')


def keys_in(text: str) -> set[str]:
    return {a or b for a, b in MESSAGE.findall(text)}


def test_every_key_nginx_answers_with_is_a_gateway_key():
    conf = render.nginx_container_conf()
    keys = keys_in(conf)
    assert {"http.bad_request", "http.method_not_allowed", "http.request_header_fields_too_large",
            "http.request_uri_too_large", "http.not_found", "http.not_implemented",
            "http.http_version_not_supported", "backend.unavailable"} <= keys
    assert keys <= {member.value for member in GatewayMsg}


def test_every_gateway_key_is_translated():
    for language in ("en", "sv"):
        catalogue = json.loads((ROOT / "frontend" / "src" / "translations" / f"{language}.json").read_text())
        assert [m.value for m in GatewayMsg if m.value not in catalogue] == [], language


def test_no_api_location_sets_its_own_error_page():
    # a location's error_page replaces the server's whole list (nginx inherits none then)
    conf = render.nginx_container_conf()
    for block in re.findall(r"location \^~ /api/[a-z-]+/ \{.*?\n        \}", conf, re.S):
        assert "error_page" not in block
        assert "$tessera_api_method = 0" in block


def test_every_service_path_has_its_exact_404_location():
    conf = render.nginx_container_conf()
    for service in ("authn", "personal-data", "reset-password"):
        assert f"location = /api/{service} {{" in conf
