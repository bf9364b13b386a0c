"""RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): the end_session endpoint
validates the request and asks the user on the SPA's ``/logout?request=<id>`` page
(§3: the OP SHOULD ask) — ``GET/POST /api/oidc/logout/<id>`` — before it ends the
Tessera session; a GET alone never logs anyone out."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.oidc.conftest import query_of

TARGET = "http://127.0.0.1:8090/"


def _end_session(party, **params) -> str:
    """GET end_session in the browser; the logout page's request id."""
    r = party.browser.get(party.metadata["end_session_endpoint"], params=params, allow_redirects=False, timeout=30)
    assert r.status_code == 302, r.text
    location = r.headers["Location"]
    assert location.startswith("/logout?request="), location
    return query_of(location)["request"]


def _answer(party, request_id: str, confirm: bool):
    return party.browser.post(f"{party.base_url}/api/oidc/logout/{request_id}", json={"confirm": confirm},
                              headers={"X-CSRF-Token": party.csrf()}, timeout=30)


def test_end_session_asks_then_signs_out_and_returns_with_state(stack, new_user, rp) -> None:
    party = rp()
    party.login(new_user())
    token = party.code_flow(party.oauth())
    request_id = _end_session(party, id_token_hint=token["id_token"], post_logout_redirect_uri=TARGET, state="bye")
    assert party.logged_in()  # asked, not yet signed out
    shown = party.browser.get(f"{stack.base_url}/api/oidc/logout/{request_id}", timeout=30)
    assert shown.status_code == 200 and shown.json()["type"] == "GET_OIDC_LOGOUT_SUCCESS"
    assert shown.json()["payload"] == {"client": {"client_id": "demo-rp", "name": "Tessera demo"}}
    r = _answer(party, request_id, confirm=True)
    assert r.status_code == 200 and r.json()["type"] == "POST_OIDC_LOGOUT_SUCCESS", r.text
    assert r.json()["payload"]["redirect_to"] == TARGET + "?state=bye"
    assert not party.logged_in()
    # the ended session's tokens are no longer exchanged: a new authorize asks for a login
    location, _ = party.authorize(party.oauth())
    assert location.startswith("/login?next=")


def test_staying_signed_in_keeps_the_session_and_the_request_is_used_up(stack, new_user, rp) -> None:
    party = rp()
    party.login(new_user())
    request_id = _end_session(party, client_id="demo-rp", post_logout_redirect_uri=TARGET, state="s1")
    r = _answer(party, request_id, confirm=False)
    assert r.status_code == 200 and r.json()["payload"]["redirect_to"] == TARGET + "?state=s1"
    assert party.logged_in()
    again = _answer(party, request_id, confirm=True)
    assert again.status_code == 404 and again.json()["payload"]["message"] == "oidc.logout_unknown"
    assert party.logged_in()


def test_without_a_client_the_answer_leads_to_tessera(stack, new_user, rp) -> None:
    party = rp()
    party.login(new_user())
    request_id = _end_session(party)
    shown = party.browser.get(f"{stack.base_url}/api/oidc/logout/{request_id}", timeout=30)
    assert shown.json()["payload"] == {"client": None}
    assert _answer(party, request_id, confirm=False).json()["payload"]["redirect_to"] == "/dashboard"
    request_id = _end_session(party)
    assert _answer(party, request_id, confirm=True).json()["payload"]["redirect_to"] == "/"
    assert not party.logged_in()


def test_a_browser_without_a_session_goes_straight_back(stack, rp) -> None:
    party = rp()
    r = party.browser.get(party.metadata["end_session_endpoint"], allow_redirects=False, timeout=30,
                          params={"client_id": "demo-rp", "post_logout_redirect_uri": TARGET, "state": "x"})
    assert r.status_code == 302 and r.headers["Location"] == TARGET + "?state=x"


def test_an_unregistered_target_is_refused_and_nothing_is_asked(stack, new_user, rp) -> None:
    from tests.users import mongo_client

    party = rp()
    party.login(new_user())
    token = party.code_flow(party.oauth())
    for params in ({"id_token_hint": token["id_token"], "post_logout_redirect_uri": "http://evil.example/"},
                   {"post_logout_redirect_uri": TARGET},  # no client to check it against
                   {"client_id": "demo-third-party", "post_logout_redirect_uri": "http://127.0.0.1:8090/x"}):
        r = party.browser.get(party.metadata["end_session_endpoint"], params=params, allow_redirects=False, timeout=30)
        assert r.status_code == 400 and "Location" not in r.headers, params
        assert r.json()["payload"]["message"] == "oidc.request_invalid"
    forged = party.browser.get(party.metadata["end_session_endpoint"], allow_redirects=False, timeout=30,
                               params={"id_token_hint": token["id_token"][:-4] + "AAAA"})
    assert forged.status_code == 400
    client = mongo_client(stack)
    try:
        assert client.tessera_oidc.logouts.count_documents({}) == 0
    finally:
        client.close()
    assert party.logged_in()


def test_only_the_session_that_was_asked_can_answer(stack, new_user, rp) -> None:
    """Another browser of the same user (or of another) finds no such request."""
    user = new_user()
    party, other, stranger = rp(), rp(), rp()
    party.login(user)
    other.login(user)
    stranger.login(new_user())
    request_id = _end_session(party, client_id="demo-rp", post_logout_redirect_uri=TARGET)
    for browser in (other, stranger):
        r = browser.browser.get(f"{stack.base_url}/api/oidc/logout/{request_id}", timeout=30)
        assert r.status_code == 404 and r.json()["payload"]["message"] == "oidc.logout_unknown"
        assert _answer(browser, request_id, confirm=True).status_code == 404
        assert browser.logged_in()
    assert _answer(party, request_id, confirm=True).json()["payload"]["redirect_to"] == TARGET
    assert other.logged_in()  # RP-initiated logout ends the one session that was asked


def test_an_expired_request_is_unknown(stack, new_user, rp) -> None:
    """A request past its lifetime (the record aged, not slept) is refused before MongoDB's TTL monitor removes it."""
    from tests.users import mongo_client

    party = rp()
    party.login(new_user())
    request_id = _end_session(party, client_id="demo-rp", post_logout_redirect_uri=TARGET)
    client = mongo_client(stack)
    try:
        aged = client.tessera_oidc.logouts.update_one(
            {"_id": request_id}, {"$set": {"expire_at": datetime.now(timezone.utc) - timedelta(seconds=1)}})
        assert aged.modified_count == 1
    finally:
        client.close()
    r = party.browser.get(f"{stack.base_url}/api/oidc/logout/{request_id}", timeout=30)
    assert r.status_code == 404 and r.json()["payload"]["message"] == "oidc.logout_unknown"
    assert _answer(party, request_id, confirm=True).status_code == 404
    assert party.logged_in()


def test_answering_needs_the_csrf_token_and_a_boolean(stack, new_user, rp) -> None:
    party = rp()
    party.login(new_user())
    request_id = _end_session(party, client_id="demo-rp", post_logout_redirect_uri=TARGET)
    url = f"{stack.base_url}/api/oidc/logout/{request_id}"
    r = party.browser.post(url, json={"confirm": True}, timeout=30)
    assert r.status_code == 403 and r.json()["payload"]["message"] == "csrf.invalid"
    r = party.browser.post(url, json={"confirm": "yes"}, headers={"X-CSRF-Token": party.csrf()}, timeout=30)
    assert r.status_code == 400 and "confirm" in r.json()["payload"]["errors"]
    assert party.logged_in()
    assert _answer(party, request_id, confirm=True).status_code == 200  # still waiting after the refusals
    assert not party.logged_in()
