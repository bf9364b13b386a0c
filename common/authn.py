"""Access decorators: ``login_required`` and ``recent_authn_required``.

``recent_authn_required`` guards sensitive routes (API.md, *recent*): the last login or
re-authentication must be at most ``reauthn_max_age`` seconds old (NIST SP 800-63B §7.2:
re-authentication before sensitive operations).
"""
from __future__ import annotations

import time
from functools import wraps
from typing import Any, Callable

from flask import current_app, g, session

from common.errors import ApiError
from common.messages import CommonMsg


def current_user_id() -> str | None:
    """The logged-in user's id, or None."""
    return session.get("user_id")


def login_required(view: Callable) -> Callable:
    """401 ``authn.required`` unless the session is logged in; sets ``g.user_id``."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        user_id = current_user_id()
        if not user_id:
            raise ApiError(CommonMsg.authn_required, 401)
        g.user_id = user_id
        return view(*args, **kwargs)

    return wrapper


def recent_authn_required(view: Callable) -> Callable:
    """As ``login_required``, and 403 ``authn.reauthn_required`` with
    ``meta.reauthn_required: true`` when ``auth_time`` is older than ``reauthn_max_age``."""

    @login_required
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        max_age = current_app.config["TESSERA"]["reauthn_max_age"]
        if time.time() - session.get("auth_time", 0) > max_age:
            raise ApiError(CommonMsg.reauthn_required, 403, meta={"reauthn_required": True})
        return view(*args, **kwargs)

    return wrapper
