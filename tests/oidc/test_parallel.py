"""Parallel uses of one code or one refresh token: the compare-and-set in tessera_oidc
lets exactly one through, and a parallel reuse of a refresh token is a reuse."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.oidc.conftest import REDIRECT_URI, query_of


def _together(url: str, forms: list[dict]) -> list[requests.Response]:
    """POST each form to ``url`` with demo-rp's credentials, released together by a barrier."""
    barrier = threading.Barrier(len(forms))

    def one(form: dict) -> requests.Response:
        barrier.wait()
        return requests.post(url, data=form, auth=("demo-rp", "demo-rp-secret"), timeout=30)

    with ThreadPoolExecutor(len(forms)) as pool:
        return list(pool.map(one, forms))


def test_a_code_exchanged_twice_at_once_issues_one_token(stack, new_user, rp) -> None:
    party = rp()
    party.login(new_user())
    location, _ = party.authorize(party.oauth())
    form = {"grant_type": "authorization_code", "code": query_of(location)["code"], "redirect_uri": REDIRECT_URI}
    answers = _together(party.metadata["token_endpoint"], [form, form])
    assert sorted(a.status_code for a in answers) == [200, 400]


def test_a_refresh_token_used_twice_at_once_revokes_the_grant(stack, new_user, rp) -> None:
    """RFC 9700 §4.14.2: two uses of one refresh token are a reuse, whatever the order:
    one answer may carry new tokens, but the grant (those included) is revoked."""
    party = rp()
    party.login(new_user())
    token = party.code_flow(party.oauth(scope="openid offline_access"))
    form = {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]}
    answers = _together(party.metadata["token_endpoint"], [form, form])
    assert sorted(a.status_code for a in answers) == [200, 400]
    issued = next(a.json() for a in answers if a.status_code == 200)
    r = requests.get(party.metadata["userinfo_endpoint"], timeout=30,
                     headers={"Authorization": f"Bearer {issued['access_token']}"})
    assert r.status_code == 401
    r = requests.post(party.metadata["token_endpoint"], auth=("demo-rp", "demo-rp-secret"), timeout=30,
                      data={"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
