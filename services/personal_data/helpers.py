"""personal_data's attributes and the shape of the user it answers with."""
from __future__ import annotations

from typing import Any, Mapping

#: The attributes ``POST /user`` writes — exactly personal_data's AM whitelist.
ATTRIBUTES = ("given_name", "surname", "display_name", "language")


def personal_data(given_name: str, surname: str, display_name: str | None, language: str) -> dict[str, str]:
    """The attributes to store; ``display_name`` defaults to "given_name surname"."""
    return {"given_name": given_name, "surname": surname,
            "display_name": display_name or f"{given_name} {surname}", "language": language}


#: The central fields ``UserResponse`` shows: the projection of ``GET /user``'s read.
USER_FIELDS = ("given_name", "surname", "display_name", "language", "emails", "phones", "created", "modified")


def user_view(user: Mapping[str, Any]) -> dict[str, Any]:
    """``user`` with the lists the response needs present even when the document lacks them."""
    return {**user, "emails": user.get("emails", []), "phones": user.get("phones", [])}
