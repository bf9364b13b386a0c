"""The demo relying party: a web app that signs its users in with Tessera (issue 13).

Dev tooling, run by the local stack's supervisor (``demo-rp``, http://127.0.0.1:8090 on
the dev stack) and by docker-compose.yml; no service imports it. Everything OpenID
Connect is Authlib's Flask *client* (not the provider's code): discovery, the code flow
with state, nonce and PKCE (S256), the ID token's signature, ``iss``, ``aud``, ``exp``
and ``nonce`` checked against the provider's JWKS, UserInfo, and RP-initiated logout
(``id_token_hint``, ``post_logout_redirect_uri``, ``state``).

Two registered clients (etcd-seed/oidc.json): ``demo-rp``, first party (no consent),
and ``demo-third-party`` (Tessera asks for consent). Their secrets are the published dev
secrets of API.md, which a production Tessera refuses.

Environment: ``TESSERA_ISSUER`` (Tessera's public URL, default http://localhost:8080),
``DEMO_RP_URL`` (this app's own origin, default http://127.0.0.1:8090; its redirect URI
is ``<DEMO_RP_URL>/callback``) and ``DEMO_RP_BIND`` (the address to listen on, default
127.0.0.1). ``python -m devstack.demo_rp`` serves it.
"""
from __future__ import annotations

import os
import secrets
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, Response, redirect, render_template_string, request, session
from joserfc.errors import JoseError

ISSUER = os.environ.get("TESSERA_ISSUER", "http://localhost:8080").rstrip("/")
OWN_URL = os.environ.get("DEMO_RP_URL", "http://127.0.0.1:8090").rstrip("/")
#: client name → (client_id, dev secret from API.md, what the home page's button says)
CLIENTS = {
    "tessera": ("demo-rp", "demo-rp-secret", "Sign in with Tessera"),
    "third_party": ("demo-third-party", "demo-third-party-secret", "Sign in as a third-party app"),
}
#: what a failed sign-in or sign-out raises: an OAuth error answer or a refused state
#: (Authlib), an ID token that does not validate (joserfc), UserInfo's HTTP error
FAILURES = (AuthlibBaseError, JoseError, requests.RequestException)
#: claims that are seconds since the epoch, shown as a UTC time too
TIMES = {"exp", "iat", "auth_time", "updated_at"}

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tessera demo relying party</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;margin-bottom:1.5rem}th,td{border:1px solid #ccc;padding:.3rem .6rem;
text-align:left;vertical-align:top}td{word-break:break-all}button{font-size:1rem;margin:.2rem}
.notice{padding:.5rem;border:1px solid #999;background:#f4f4f4}</style></head>
<body><main><h1>Tessera demo relying party</h1>
{% if notice %}<p class="notice" role="status">{{ notice }}</p>{% endif %}
{% if login %}
  <p>Signed in through the client <code>{{ login.client_id }}</code>.</p>
  {% for title, rows in (("ID token claims", login.claims), ("UserInfo", login.userinfo)) %}
  <table aria-label="{{ title }}"><caption><h2>{{ title }}</h2></caption>
    <tr><th scope="col">Claim</th><th scope="col">Value</th></tr>
    {% for name, value in rows %}<tr><th scope="row">{{ name }}</th><td>{{ value }}</td></tr>{% endfor %}
  </table>
  {% endfor %}
  <form method="post" action="/logout"><button>Sign out</button></form>
{% else %}
  <p>This app knows nobody: it lets Tessera sign you in, at {{ issuer }}.</p>
  {% for name, (client_id, _, label) in clients.items() %}
  <form method="post" action="/login/{{ name }}"><button>{{ label }}</button></form>
  {% endfor %}
{% endif %}
</main></body></html>"""


def readable(claims: dict[str, Any]) -> list[tuple[str, str]]:
    """Claims as sorted (name, text) rows; epoch seconds also as an ISO 8601 UTC time."""
    rows = []
    for name, value in sorted(claims.items()):
        text = " ".join(value) if isinstance(value, list) else str(value)
        if name in TIMES and isinstance(value, int):
            text += f" ({datetime.fromtimestamp(value, timezone.utc):%Y-%m-%d %H:%M:%S} UTC)"
        rows.append((name, text))
    return rows


def why(error: Exception) -> str:
    """An error's OAuth code and description (``access_denied: …``), or its text."""
    code, description = getattr(error, "error", None), getattr(error, "description", None)
    return ": ".join(str(part) for part in (code, description) if part) or str(error)


app = Flask(__name__)
# A cookie session of its own (127.0.0.1, never Tessera's localhost cookie); Lax keeps a
# cross-site form POST (sign in, sign out) from carrying it. A key per start: a restart
# signs everyone out of the demo, which is all a demo needs.
app.config.update(SECRET_KEY=secrets.token_bytes(32), SESSION_COOKIE_NAME="demo_rp_session",
                  SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True)
oauth = OAuth(app)
for _name, (_client_id, _secret, _label) in CLIENTS.items():
    oauth.register(_name, client_id=_client_id, client_secret=_secret,
                   server_metadata_url=f"{ISSUER}/.well-known/openid-configuration",
                   client_kwargs={"scope": "openid profile email", "code_challenge_method": "S256"})


def home(notice: str | None = None) -> str:
    return render_template_string(PAGE, notice=notice, login=session.get("login"), issuer=ISSUER, clients=CLIENTS)


@app.before_request
def canonical_origin() -> Response | None:
    """The registered redirect URIs name OWN_URL's host: the session cookie must be there."""
    if request.host != urlsplit(OWN_URL).netloc:
        return redirect(OWN_URL + request.full_path.rstrip("?"), 302)
    return None


@app.get("/")
def index() -> str:
    """Home; also the post-logout redirect URI, where Tessera's ``state`` is checked."""
    if "state" not in request.args:
        return home()
    try:
        oauth.create_client(session.pop("logout_client", "tessera")).validate_logout_response()
    except FAILURES as error:
        return home(f"Sign-out answer refused: {why(error)}")
    return home("You are signed out of Tessera and of this app.")


@app.post("/login/<name>")
def login(name: str) -> Response | tuple[str, int]:
    """Off to Tessera's authorization endpoint (Authlib keeps state, nonce and the PKCE
    verifier in the session)."""
    if name not in CLIENTS:
        return home("Unknown client."), 404
    session["client"] = name
    return oauth.create_client(name).authorize_redirect(f"{OWN_URL}/callback")


@app.get("/callback")
def callback() -> Response | tuple[str, int]:
    """The redirect URI: the code exchanged, the ID token validated, UserInfo asked."""
    client = oauth.create_client(session.pop("client", "tessera"))
    try:
        token = client.authorize_access_token()
        userinfo = client.userinfo(token=token)
    except FAILURES as error:
        return home(f"Tessera did not sign you in: {why(error)}"), 400
    session["login"] = {"client": client.name, "client_id": client.client_id, "id_token": token["id_token"],
                        "claims": readable(token["userinfo"]), "userinfo": readable(userinfo)}
    return redirect("/", 302)


@app.post("/logout")
def logout() -> Response:
    """This app forgets the user at once, then RP-initiated logout at Tessera, which
    comes back to the home page with ``state``."""
    login = session.pop("login", None)
    if login is None:
        return redirect("/", 302)
    session["logout_client"] = login["client"]
    return oauth.create_client(login["client"]).logout_redirect(
        post_logout_redirect_uri=f"{OWN_URL}/", id_token_hint=login["id_token"])


if __name__ == "__main__":
    app.run(host=os.environ.get("DEMO_RP_BIND", "127.0.0.1"), port=urlsplit(OWN_URL).port or 80, threaded=True)
