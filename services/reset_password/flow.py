"""The reset-password flow: start (code mailed) → verify → new password → done.

``data``: from ``verify`` to ``done`` the ``user_id`` whose address was proven. Nothing in the
flow says whether the address belongs to an account until the mailed code has been
proven (OWASP Forgot Password Cheat Sheet: no enumeration). The ``new_password``
state is the permission ``verify`` gives; moving it to ``done`` (a compare-and-set,
``common.flows.transition``) uses it up, so exactly one request can use it.
"""
from __future__ import annotations

from enum import Enum

from common.flows import Flow


class ResetState(str, Enum):
    """Where a reset flow is."""

    verify = "verify"              # a code was issued (mailed if the address is an account's)
    new_password = "new_password"  # the address is proven: the password may be set, once
    done = "done"                  # the password was set


#: a new /start in the same session sends a new code and drops any permission
TRANSITIONS = {
    ResetState.verify: {ResetState.verify, ResetState.new_password},
    ResetState.new_password: {ResetState.verify, ResetState.done},
    ResetState.done: {ResetState.verify},
}


class ResetFlow(Flow, kind="reset_password", transitions=TRANSITIONS):
    """A password reset flow (see the module docstring for its data)."""
