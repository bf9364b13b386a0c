"""personal_data's routes: read the user, change names and language."""
from __future__ import annotations

from flask import Blueprint, g

from common.api import applied_or_pending, marshal, unmarshal
from common.authn import login_required
from common.schemas import EmptyRequest
from common.users import require_user, update_user
from services.personal_data.helpers import USER_FIELDS, personal_data, user_view
from services.personal_data.schemas import UpdateUserRequest, UserResponse

bp = Blueprint("personal_data", __name__)


@bp.get("/user")
@unmarshal(EmptyRequest)
@marshal(UserResponse)
@login_required
def get_user() -> dict:
    """The logged-in user from the central database (never the credentials)."""
    return user_view(require_user(g.user_id, USER_FIELDS))


@bp.post("/user")
@unmarshal(UpdateUserRequest)
@marshal(UserResponse)
@login_required
def update(given_name: str, surname: str, display_name: str | None, language: str):
    """Change names and language through the AM: 200 with the updated user, or 202
    ``am.sync_pending`` with the user as it will be when the AM has not answered in time."""
    # a session outliving its account gets 401, not an AM refusal; only the _id is
    # fetched for that, and only the fields shown afterwards (issue 15: the full
    # documents, argon2 hashes and WebAuthn keys included, were read twice per write)
    require_user(g.user_id, ("_id",))
    attributes = personal_data(given_name, surname, display_name, language)
    applied = update_user(g.user_id, attributes)
    user = require_user(g.user_id, USER_FIELDS)
    return applied_or_pending(applied, user_view(user if applied else {**user, **attributes}))
