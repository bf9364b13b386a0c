"""Issue 15's request-path shortcuts keep their answers: the projection of personal
data's read holds every field its response shows, and the FSA type folded once is the
type folded every time."""
from __future__ import annotations

from common.fsa import _action_type
from services.personal_data.helpers import USER_FIELDS
from services.personal_data.schemas import UserResponse


def test_the_read_projection_is_exactly_what_the_response_shows() -> None:
    shown = {field.attribute or name for name, field in UserResponse().fields.items()}
    assert shown - {"_id"} == set(USER_FIELDS)  # _id comes with every MongoDB projection


def test_the_folded_type_is_the_same_from_the_cache() -> None:
    _action_type.cache_clear()
    first = _action_type("POST", "emails", "/api/emails/resend-code", "SUCCESS")
    assert first == "POST_EMAILS_RESEND_CODE_SUCCESS"
    assert _action_type("POST", "emails", "/api/emails/resend-code", "SUCCESS") == first
    assert _action_type.cache_info().hits == 1
    assert _action_type("GET", "personal-data", None, "SUCCESS") == "GET_PERSONAL_DATA_FAIL"
    assert _action_type("GET", "emails", "/api/emails/<path:x>/verify", "FAIL") == "GET_EMAILS_VERIFY_FAIL"
