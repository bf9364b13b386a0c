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

from common.api import add_guards
from common.errors import ApiError
from common.messages import CommonMsg


def current_user_id() -> str | None:
    """The logged-in user's id, or None."""
    return session.get("user_id")


def require_login() -> str:
    """Raise ApiError 401 ``authn.required`` unless the session is logged in; set and
    return ``g.user_id``."""
    user_id = current_user_id()
    if not user_id:
        raise ApiError(CommonMsg.authn_required, 401)
    g.user_id = user_id
    return user_id


def require_recent_authn() -> None:
    """Raise ApiError 403 ``authn.reauthn_required`` (``meta.reauthn_required: true``)
    when the session's ``auth_time`` is older than ``reauthn_max_age`` seconds."""
    max_age = current_app.config["TESSERA"]["reauthn_max_age"]
    if time.time() - session.get("auth_time", 0) > max_age:
        raise ApiError(CommonMsg.reauthn_required, 403, meta={"reauthn_required": True})


def login_required(view: Callable) -> Callable:
    """401 ``authn.required`` unless the session is logged in; sets ``g.user_id``.

    The check is also recorded on the view (``common.api.add_guards``), so that
    ``unmarshal``, stacked above, makes it before it validates the body."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        require_login()
        return view(*args, **kwargs)

    add_guards(wrapper, require_login)
    return wrapper


def recent_authn_required(view: Callable) -> Callable:
    """As ``login_required``, and 403 ``authn.reauthn_required`` with
    ``meta.reauthn_required: true`` when ``auth_time`` is older than ``reauthn_max_age``;
    both checks are made before the body is validated (``add_guards``)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        require_login()
        require_recent_authn()
        return view(*args, **kwargs)

    add_guards(wrapper, require_login, require_recent_authn)
    return wrapper
