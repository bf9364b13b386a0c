"""The signup flow: register → verify (code by mail) → password (account created) → done.

``data``: ``email`` (normalised), ``given_name``, ``surname``, ``language``, ``taken``.
``taken`` records, server-side only, that the address
already belongs to an account: that address is sent a "you already have an account"
mail instead of a code, and the flow can never be verified — yet every answer looks the
same (OWASP Authentication Cheat Sheet, "Authentication and Error Messages": no account
enumeration).
"""
from __future__ import annotations

from enum import Enum

from common.flows import Flow


class SignupState(str, Enum):
    """Where a signup flow is (``register`` is having none)."""

    verify = "verify"      # a code was mailed; the address is not proven yet
    password = "password"  # the address is proven; the account is not created yet
    done = "done"          # the account exists and the session is logged in


#: registering again (same address, same session) restarts with a new code
TRANSITIONS = {
    SignupState.verify: {SignupState.verify, SignupState.password},
    SignupState.password: {SignupState.verify, SignupState.done},
    SignupState.done: set(),
}


class SignupFlow(Flow, kind="signup", transitions=TRANSITIONS):
    """A signup flow (see the module docstring for its data)."""

    @property
    def email(self) -> str:
        """The normalised address being signed up."""
        return self.data["email"]
