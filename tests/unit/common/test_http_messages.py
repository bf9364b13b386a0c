"""common.errors' keys for the HTTP errors Werkzeug raises: literal members, the same as
nginx's for the same error, and a key the SPA translates for any other status."""
from __future__ import annotations

import pytest
from werkzeug.exceptions import default_exceptions

from common.errors import http_message
from common.fsa import GatewayMsg
from common.messages import CommonMsg


@pytest.mark.parametrize("status,key", [
    (400, "http.bad_request"), (401, "authn.required"), (404, "http.not_found"), (405, "http.method_not_allowed"),
    (413, "http.request_entity_too_large"), (429, "request.throttled"), (500, "http.internal_server_error"),
    (415, "http.bad_request"), (418, "http.bad_request"), (502, "http.internal_server_error"),
])
def test_a_status_has_one_key(status, key):
    assert http_message(status) == key


def test_every_werkzeug_error_gets_a_listed_key():
    listed = {member.value for member in GatewayMsg} | {member.value for member in CommonMsg}
    assert {http_message(status) for status in default_exceptions} <= listed
