"""Known browsers per account and the new sign-in alert (issue 14).

A browser is recognised by a long-lived cookie, ``tessera_device``: a random 128-bit
browser id signed with an HMAC (itsdangerous, SHA-256) under a key derived from the
platform's ``secret_key`` (a secret: ``TESSERA_SECRET_SECRET_KEY`` overrides it, as for
the session cookie) with a salt of its own — a forged or altered cookie is no cookie.
It is HttpOnly, SameSite=Lax, Secure when the public URL is https, and lives
``COOKIE_LIFETIME`` (a year, renewed at each login).

The server keeps, per account, the browsers it has seen log in (``tessera_devices.devices``,
``common.catalog.DEVICES_DB``): ``{_id (public id), user_id, browser_hash, label
("Firefox on Linux"), first_seen, last_seen, ip}``. ``browser_hash`` is an HMAC of the
browser id, so neither the database nor the data export (which drops ``*_hash``) gives
out a cookie. A browser is known *for an account*: another account's login in the same
browser is a new browser for that account.

A successful login (``signed_in``: password, second step, passkey) from a browser not
known for the account mails the user (template ``new_device_login``: time, browser,
client address and a "this wasn't me" link to the reset-password page), records the
security event ``new_device_login`` and remembers the browser. The unique index on
``(user_id, browser_hash)`` (``provision.mongo_users.ensure_devices_collection``) makes
parallel logins from one new browser alert once. Signup's automatic login remembers its
browser without an alert (``alert=False``): the very first login is not news.

Like the security events, this bookkeeping never costs the user a login that has
succeeded: a MongoDB or broker failure is logged at ERROR and the answer goes out.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timezone
from typing import Any, Mapping

import pika.exceptions
import pymongo.errors
from flask import Response, after_this_request, current_app, request
from itsdangerous import BadSignature, Signer
from pymongo import ReturnDocument

from common import events
from common.catalog import DEVICES_COLLECTION, DEVICES_DB
from common.db import mongo
from common.events import EventType
from common.messaging import mail_user
from common.throttle import client_address
from common.user_agents import describe

logger = logging.getLogger(__name__)

COOKIE = "tessera_device"
#: seconds the device cookie lives (a year; every login renews it)
COOKIE_LIFETIME = 365 * 24 * 3600
#: the SPA's page to choose a new password: the "this wasn't me" link of the alert
RESET_PASSWORD_PATH = "/reset-password"
_BROWSER_ID_BYTES = 16


def devices_collection():
    """The known devices' collection as this service's MongoDB user sees it (read and
    write for ``common.catalog.DEVICE_WRITERS``)."""
    return mongo().client[DEVICES_DB][DEVICES_COLLECTION]


def _signer() -> Signer:
    return Signer(current_app.config["SECRET_KEY"], salt="tessera-device-cookie", key_derivation="hmac",
                  digest_method=hashlib.sha256)


def browser_hash(browser_id: str) -> str:
    """What the server stores of a browser id: its HMAC-SHA256 under a key derived from
    ``secret_key`` (base64url), so the stored records cannot be turned back into cookies."""
    return _signer().get_signature(b"browser:" + browser_id.encode()).decode()


def cookie_browser_id() -> str | None:
    """The browser id of the request's device cookie, or None (no cookie, or one whose
    signature does not verify: forged, altered, or signed with another key)."""
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return None
    try:
        return _signer().unsign(cookie.encode()).decode()
    except (BadSignature, UnicodeError):
        return None


def _set_cookie(browser_id: str) -> None:
    """Send (or renew) the device cookie with this request's answer."""
    value = _signer().sign(browser_id.encode()).decode()
    secure = current_app.config["TESSERA"]["public_url"].startswith("https:")

    @after_this_request
    def set_cookie(response: Response) -> Response:
        response.set_cookie(COOKIE, value, max_age=COOKIE_LIFETIME, path="/", httponly=True, samesite="Lax",
                            secure=secure)
        return response


def _now() -> datetime:
    moment = datetime.now(timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def remember(user_id: str) -> tuple[dict[str, Any], bool]:
    """Remember this request's browser for ``user_id`` (a new device cookie when it has
    none that verifies; the cookie renewed either way): ``(record, new)`` — the stored
    record and whether the browser was new for the account. Raises pymongo's errors."""
    browser_id = cookie_browser_id() or secrets.token_urlsafe(_BROWSER_ID_BYTES)
    _set_cookie(browser_id)
    now = _now()
    label = describe(request.headers.get("User-Agent")) or "Unknown browser"
    query = {"user_id": user_id, "browser_hash": browser_hash(browser_id)}
    # the record's id is chosen here: the upsert returns the record as written, and it is
    # new exactly when it carries this id (one round trip, where a read of the record
    # before and another after took two — issue 15)
    device_id = secrets.token_urlsafe(12)
    update = {"$set": {"last_seen": now, "ip": client_address(), "label": label},
              "$setOnInsert": {"_id": device_id, "first_seen": now}}
    collection = devices_collection()
    try:
        record = collection.find_one_and_update(query, update, upsert=True, return_document=ReturnDocument.AFTER)
    except pymongo.errors.DuplicateKeyError:
        # a parallel login from this browser inserted it first: it is known now
        record = collection.find_one_and_update(query, {"$set": update["$set"]}, return_document=ReturnDocument.AFTER)
    return record or {}, record is not None and record["_id"] == device_id


def signed_in(user: Mapping[str, Any], *, alert: bool = True) -> None:
    """Note a successful login of ``user`` (a central user document) from this request's
    browser: remember it, and when it was not known for the account (and ``alert``) mail
    ``new_device_login`` to the primary address and record ``new_device_login``.

    Never raises for MongoDB or broker failures (logged at ERROR): the login has
    happened, and a failed alert must not turn it into an error.
    """
    try:
        record, new = remember(user["_id"])
        if not (new and alert):
            return
        base = current_app.config["TESSERA"]["public_url"].rstrip("/")
        mail_user(user, "new_device_login", {
            "time": record["first_seen"].strftime("%Y-%m-%d %H:%M UTC"),
            "browser": record["label"], "ip": record.get("ip") or "?",
            "reset_url": base + RESET_PASSWORD_PATH})
        events.record(EventType.new_device_login, user["_id"], {"device": record["_id"], "label": record["label"]})
        logger.info("login of %s from a new browser (%s)", user["_id"], record["label"])
    except (pymongo.errors.PyMongoError, pika.exceptions.AMQPError) as exc:
        logger.error("known device of %s not noted: %s", user.get("_id"), exc)


def listing(user_id: str) -> list[dict[str, Any]]:
    """The browsers known for ``user_id``, most recently seen first, as the user sees
    them: ``{id, label, first_seen, last_seen, current}`` (``current``: this request's
    browser). Raises pymongo's errors."""
    current = cookie_browser_id()
    mine = browser_hash(current) if current else None
    found = devices_collection().find({"user_id": user_id}).sort([("last_seen", -1), ("_id", 1)])
    return [{"id": d["_id"], "label": d.get("label"), "first_seen": d.get("first_seen"),
             "last_seen": d.get("last_seen"), "current": d.get("browser_hash") == mine} for d in found]


def forget(user_id: str, device_id: str) -> bool:
    """Forget the known browser ``device_id`` of ``user_id`` (its next login alerts
    again); False when the account has no such device. Raises pymongo's errors."""
    return devices_collection().delete_one({"_id": device_id, "user_id": user_id}).deleted_count == 1
