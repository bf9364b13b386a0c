"""Server-side sessions in Redis (Flask-Session), shared by every service.

The browser holds only the cookie ``tessera_session``: an opaque 256-bit random id,
signed with the shared secret key (HttpOnly, SameSite=Lax, Secure when configured).
The session id is replaced at login, logout, password change and reset (OWASP Session
Management Cheat Sheet, "Renew the Session ID After Any Privilege Level Change").

Lifetimes: the idle lifetime is the Redis TTL, renewed on every request; the absolute
lifetime counts from login and is checked on every request.

Concurrency: a request writes the session back only if it changed it, and never
revives a session that a parallel request ended (``SignedRedisSessionInterface``). State
that parallel requests advance (the signup and reset flows) is not kept in the session
at all but in records of its own (``common.flows``); the session holds their ids.

Every logged-in session id is also listed in ``tessera:user-sessions:<user_id>`` so that
a password change can end a user's other sessions and a reset or deletion all of them,
and the user can list and end their sessions (``user_sessions``, ``end_session``). A
session records when it logged in (``login_time``), the client address and User-Agent of
its login (``ip``, ``ua``) and how (``amr``); when it was last seen lives beside it in
``tessera:session-seen:<sid>`` — read with the session in one round trip and written at
most once a ``SEEN_INTERVAL`` — so that noting activity never writes the session itself
(which could undo what a parallel request of it wrote). The user sees a session only by
its ``public_id``, an HMAC of the id that cannot be turned back into the cookie.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from datetime import datetime, timedelta, timezone

from flask import Flask, current_app, request, session
from flask_session import Session
from flask_session.redis import RedisSession, RedisSessionInterface
from itsdangerous import BadSignature, Signer

from common.csrf import new_csrf_token
from common.errors import failed_backend
from common.redis_store import redis_client
from common.throttle import client_address

KEY_PREFIX = "tessera:session:"
USER_SESSIONS_PREFIX = "tessera:user-sessions:"
#: ``{"at": epoch seconds, "ip": address}`` of a session's latest request, by session id
SEEN_PREFIX = "tessera:session-seen:"
#: seconds between two writes of a session's last-seen record (activity is noted, not logged)
SEEN_INTERVAL = 60
#: a User-Agent longer than this is cut before it is kept
MAX_USER_AGENT = 512
#: how many verified session cookies a worker remembers (``_verified_sid``)
VERIFIED_CACHE = 1024


class TesseraSession(RedisSession):
    """A server-side session that remembers under which id it was read from Redis
    (``stored_sid``; None for a session that is new in this request)."""

    stored_sid: str | None = None
    #: the last-seen record read with it (``SEEN_PREFIX``), or None
    seen: dict | None = None


class SignedRedisSessionInterface(RedisSessionInterface):
    """Flask-Session's Redis sessions, opened and saved through Flask's public
    ``SessionInterface`` hooks (``open_session``/``save_session``).

    * The cookie value is the session id signed by itsdangerous (our own Signer:
      Flask-Session 0.8 deprecates its ``use_signer``), so a tampered cookie is treated
      as no cookie before Redis is even asked, as API.md requires ("an opaque, signed id").
    * The session is written to Redis only when this request changed it; its idle
      lifetime is renewed when it is read (``GETEX``, in the one round trip that also
      reads its last-seen record). A request never writes back a session it
      only read, so it cannot overwrite what a parallel request of the same session
      wrote (API.md: "concurrent requests in one session never undo each other").
    * A session read from Redis is written back only if it still exists there (``SET
      XX``): one that a parallel request ended (logout, password change, deletion) is
      not revived.
    * The cookie is set only when the id is new (a new session, a rotation), so no late
      answer hands back an id that a parallel request replaced; it lives for the
      absolute lifetime, the idle one being the Redis TTL.
    * Nothing is written when this very response says Redis is down
      (``common.errors.failed_backend``).
    """

    session_class = TesseraSession

    def __init__(self, app: Flask, client) -> None:
        super().__init__(app, client=client, key_prefix=KEY_PREFIX, use_signer=False,
                         permanent=True, sid_length=32, serialization_format="msgpack")
        self.signer = Signer(app.config["SECRET_KEY"], salt="tessera-session", key_derivation="hmac")
        self._verified: dict[str, str] = {}

    def _verified_sid(self, cookie: str) -> str | None:
        """The session id that ``cookie`` carries if its signature is good, else None.

        A browser sends the same cookie with each of its requests, and the check of one
        value gives the same answer every time (the key is fixed for the worker's life), so
        the ids of the last ``VERIFIED_CACHE`` good cookies are kept: two HMAC-SHA1s and
        the base64 work were ~3% of an authenticated read's CPU (issue 15). Only cookies
        that verified are kept, keyed by their whole value: a forged or altered cookie is
        checked every time and never matches an entry."""
        sid = self._verified.get(cookie)
        if sid is not None:
            return sid
        try:
            sid = self.signer.unsign(cookie.encode()).decode()
        except (BadSignature, UnicodeError):
            return None
        if len(self._verified) >= VERIFIED_CACHE:
            self._verified.clear()  # bounded; the next requests fill it again
        self._verified[cookie] = sid
        return sid

    def _new_session(self) -> TesseraSession:
        return self.session_class(sid=secrets.token_urlsafe(self.sid_length), permanent=self.permanent)

    def open_session(self, app: Flask, request) -> TesseraSession:
        """The session named by the request's signed cookie, or a new empty one."""
        cookie = request.cookies.get(self.get_cookie_name(app))
        sid = self._verified_sid(cookie) if cookie else None
        if sid is None:
            return self._new_session()
        # One round trip reads the session, renews its idle lifetime (GETEX: Redis ≥ 6.2)
        # and reads its last-seen record; a request that leaves the session as it was
        # then writes nothing at all (issue 15: an EXPIRE at the end was a second trip).
        pipe = self.client.pipeline(transaction=False)
        pipe.getex(KEY_PREFIX + sid, ex=int(app.permanent_session_lifetime.total_seconds()))
        pipe.get(SEEN_PREFIX + sid)
        raw, seen = pipe.execute()
        if raw is None:
            return self._new_session()
        session = self.session_class(self.serializer.decode(raw), sid=sid)
        session.stored_sid = sid
        session.seen = _seen_record(seen)
        return session

    def save_session(self, app: Flask, session: TesseraSession, response) -> None:
        """Store the session if changed (else renew its TTL) and set the cookie."""
        if failed_backend() == "redis":
            return
        name, domain, path = self.get_cookie_name(app), self.get_cookie_domain(app), self.get_cookie_path(app)
        if session.accessed:
            response.vary.add("Cookie")
        key = KEY_PREFIX + session.sid
        if not session:
            if session.modified:
                self.client.delete(key)
                response.delete_cookie(name, domain=domain, path=path)
                response.vary.add("Cookie")
            return
        ttl = int(app.permanent_session_lifetime.total_seconds())
        if session.sid != session.stored_sid:  # new in this request (or a new id)
            alive = bool(self.client.set(key, self.serializer.encode(session), ex=ttl))
        elif session.modified:
            alive = bool(self.client.set(key, self.serializer.encode(session), ex=ttl, xx=True))
        else:
            return  # unchanged: open_session's GETEX has renewed the idle lifetime
        # The cookie is sent only with a new id. Re-sending an unchanged id on every answer
        # would let the late answer of a parallel request hand back an id that the winner
        # of the race (a password change, a login) has just replaced, logging the browser
        # out. The idle lifetime is the Redis TTL, so the cookie may live for the
        # absolute lifetime without being renewed.
        if not alive or session.sid == session.stored_sid:
            return
        lifetime = app.config["TESSERA"]["session_absolute_lifetime"]
        response.set_cookie(name, self.signer.sign(session.sid.encode()).decode(),
                            expires=datetime.now(timezone.utc) + timedelta(seconds=lifetime),
                            httponly=self.get_cookie_httponly(app), domain=domain, path=path,
                            secure=self.get_cookie_secure(app), samesite=self.get_cookie_samesite(app))
        response.vary.add("Cookie")


def init_app(app: Flask) -> None:
    """Configure cookies and lifetimes from ``TESSERA`` and install the session interface."""
    config = app.config["TESSERA"]
    app.config.update(
        SESSION_TYPE="redis",
        SESSION_COOKIE_NAME=config["session_cookie_name"],
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config["session_cookie_secure"],
        SESSION_COOKIE_PATH="/",
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=config["session_idle_lifetime"]),
        SESSION_REFRESH_EACH_REQUEST=True,  # the TTL on every request; data and cookie only when changed
    )
    Session()  # validates the config keys; the interface below replaces its default
    app.session_interface = SignedRedisSessionInterface(app, app.extensions["tessera.redis"])
    app.before_request(_enforce_absolute_lifetime)
    app.before_request(_note_activity)


def _enforce_absolute_lifetime() -> None:
    """End a logged-in session older than ``session_absolute_lifetime`` seconds."""
    login_time = session.get("login_time")
    if login_time is None:
        return
    if time.time() - login_time > current_app.config["TESSERA"]["session_absolute_lifetime"]:
        user_id = session.get("user_id")
        _forget_sid(user_id, session.sid)
        session.clear()


def _seen_record(raw: bytes | None) -> dict | None:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _note_activity() -> None:
    """Write a logged-in session's last-seen record when it is older than
    ``SEEN_INTERVAL`` s (or missing): at most one small write a minute per session, and
    never the session itself."""
    if session.get("user_id") is None:
        return
    now = int(time.time())
    seen = getattr(session, "seen", None)
    if seen and now - int(seen.get("at", 0)) < SEEN_INTERVAL:
        return
    ttl = int(current_app.permanent_session_lifetime.total_seconds())
    record = {"at": now, "ip": client_address()}
    redis_client().set(SEEN_PREFIX + session.sid, json.dumps(record), ex=ttl)
    session.seen = record


def public_id(sid: str) -> str:
    """The handle the user sees for session ``sid``: HMAC-SHA256 of it under the secret
    key, 128 bits in base64url. It names the session without revealing the id (nor the
    cookie, which is the id signed); a new id (a rotation) gives a new handle."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    mac = hmac.new(key, b"tessera-session-handle:" + sid.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:16]).rstrip(b"=").decode()


def user_sessions(user_id: str) -> list[dict]:
    """The live sessions of ``user_id``, each ``{id (public_id), current, created,
    last_seen (epoch seconds), ip, user_agent (the raw header), amr}``; ``ip`` is the
    latest request's address (the login's until one was seen). Ids in the user's set
    whose session expired are dropped from it."""
    client = redis_client()
    key = _user_key(user_id)
    sids = sorted(s.decode() for s in client.smembers(key))
    if not sids:
        return []
    values = client.mget([KEY_PREFIX + sid for sid in sids] + [SEEN_PREFIX + sid for sid in sids])
    interface = current_app.session_interface
    found, gone = [], []
    for sid, raw, seen_raw in zip(sids, values[:len(sids)], values[len(sids):]):
        if raw is None:
            gone.append(sid)
            continue
        data = interface.serializer.decode(raw)
        if data.get("user_id") != user_id:
            gone.append(sid)
            continue
        seen = _seen_record(seen_raw) or {}
        created = data.get("login_time") or data.get("auth_time")
        found.append({"id": public_id(sid), "current": sid == session.sid, "created": created,
                      "last_seen": seen.get("at", created), "ip": seen.get("ip") or data.get("ip"),
                      "user_agent": data.get("ua"), "amr": list(data.get("amr") or [])})
    if gone:
        client.srem(key, *gone)
    return found


def end_session(user_id: str, handle: str) -> bool:
    """End the session of ``user_id`` whose ``public_id`` is ``handle`` (its next request
    is not logged in); False when none of the user's sessions has it."""
    client = redis_client()
    key = _user_key(user_id)
    for raw_sid in client.smembers(key):
        sid = raw_sid.decode()
        if hmac.compare_digest(public_id(sid), handle):
            pipe = client.pipeline()
            pipe.delete(KEY_PREFIX + sid, SEEN_PREFIX + sid)
            pipe.srem(key, sid)
            pipe.execute()
            return True
    return False


def is_stored() -> bool:
    """Whether this request's session is still in Redis under its id: False once a
    parallel request of the same session has ended it or given it a new id."""
    return bool(redis_client().exists(KEY_PREFIX + session.sid))


def rotate_session_id() -> None:
    """Give the current session a new id; the old id stops working at once."""
    user_id = session.get("user_id")
    _forget_sid(user_id, session.sid)
    if not session:
        session["_fresh"] = True  # an empty session is not regenerated by Flask-Session
    current_app.session_interface.regenerate(session)
    session.pop("_fresh", None)
    if user_id:
        _remember_sid(user_id, session.sid)
        session.seen = None
        _note_activity()  # the last-seen record follows the new id at once


#: the session key of a pending second step (``services.authn.mfa``): the id of its flow
PENDING_MFA = "mfa_flow"
#: a relying party asked for a new login (OIDC ``prompt=login``); any login or
#: re-authentication of this session clears it
LOGIN_ASKED = "login_asked"


def login(user_id: str, amr: list[str] | None = None) -> str:
    """Log ``user_id`` in: a new session id, a new CSRF token, ``auth_time`` = now, and
    ``amr`` (RFC 8176 method references, e.g. ``["pwd", "otp", "mfa"]``; default
    ``["pwd"]``) kept for the OpenID provider, and the client address and User-Agent that
    the user's list of sessions shows.

    Everything the anonymous session held is dropped except its language choice (so a
    pending second step ends too). Returns the new CSRF token (for ``payload.csrf_token``).
    """
    language = session.get("language")
    rotate_session_id()
    session.clear()
    now = int(time.time())
    session.update(user_id=user_id, auth_time=now, login_time=now, amr=list(amr or ["pwd"]),
                   ip=client_address(), ua=(request.headers.get("User-Agent") or "")[:MAX_USER_AGENT] or None)
    if language:
        session["language"] = language
    token = new_csrf_token()
    _remember_sid(user_id, session.sid)
    return token


def reauthenticated(amr: list[str] | None = None) -> None:
    """Record a fresh proof: ``auth_time`` = now, ``amr`` (default ``["pwd"]``), a new
    session id; a pending second step of this session ends."""
    rotate_session_id()
    session.pop(PENDING_MFA, None)
    session.pop(LOGIN_ASKED, None)
    session["auth_time"] = int(time.time())
    session["amr"] = list(amr or ["pwd"])


def ask_for_login() -> None:
    """Remember that a new login is owed before this session counts as logged in for a
    relying party (OIDC Core §3.1.2.1 ``prompt=login``: the OP MUST prompt the user for
    re-authentication). The login page is only the way there; this flag is the proof that
    it was taken, cleared by :func:`login` (the session is cleared) and
    :func:`reauthenticated`."""
    session[LOGIN_ASKED] = True


def login_owed() -> bool:
    """True while a login asked for by :func:`ask_for_login` has not happened."""
    return bool(session.get(LOGIN_ASKED))


def begin_second_step(flow_id: str, *, logged_in: bool) -> str | None:
    """Hold the pending second step ``flow_id`` in this session.

    Not logged in (a login's password step): the session gets a new id and keeps only
    its language, so nothing of the anonymous session survives the privilege change
    (OWASP Session Management Cheat Sheet), and a new CSRF token is returned. Logged in
    (a re-authentication): the session stays as it is (``auth_time`` unchanged) and None
    is returned.
    """
    if logged_in:
        session[PENDING_MFA] = flow_id
        return None
    language = session.get("language")
    rotate_session_id()
    session.clear()
    session[PENDING_MFA] = flow_id
    if language:
        session["language"] = language
    return new_csrf_token()


def logout() -> str:
    """Destroy the session server-side and start a fresh anonymous one.

    Returns the new anonymous session's CSRF token.
    """
    _forget_sid(session.get("user_id"), session.sid)
    session.pop("user_id", None)
    rotate_session_id()
    session.clear()
    return new_csrf_token()


def _user_key(user_id: str) -> str:
    return f"{USER_SESSIONS_PREFIX}{user_id}"


def _remember_sid(user_id: str, sid: str) -> None:
    key = _user_key(user_id)
    pipe = redis_client().pipeline()
    pipe.sadd(key, sid)
    pipe.expire(key, current_app.config["TESSERA"]["session_absolute_lifetime"])
    pipe.execute()


def _forget_sid(user_id: str | None, sid: str) -> None:
    if user_id:
        pipe = redis_client().pipeline()
        pipe.srem(_user_key(user_id), sid)
        pipe.delete(SEEN_PREFIX + sid)
        pipe.execute()


def end_user_sessions(user_id: str, *, keep_current: bool) -> int:
    """Delete every session of ``user_id`` from Redis (except this one if ``keep_current``).

    Returns how many sessions were ended. Used at password change (others end), reset
    and account deletion (all end).
    """
    client = redis_client()
    key = _user_key(user_id)
    sids = {s.decode() for s in client.smembers(key)}
    if keep_current and session.get("user_id") == user_id:
        sids.discard(session.sid)
    if not sids:
        return 0
    pipe = client.pipeline()
    for sid in sids:
        pipe.delete(KEY_PREFIX + sid, SEEN_PREFIX + sid)
        pipe.srem(key, sid)
    pipe.execute()
    return len(sids)
