"""A browser as people name it: "Firefox on Linux", from its User-Agent header.

Shared by the list of sessions (``services.security.devices``) and the new sign-in alert
(``common.known_devices``), so that a session and a known device of the same browser
are named alike.
"""
from __future__ import annotations

import functools

from ua_parser import parse


@functools.lru_cache(maxsize=1024)
def describe(user_agent: str | None) -> str | None:
    """``"Firefox on Linux"`` for a User-Agent string (ua-parser, uap-core's rules):
    the browser family, and the OS family when it is known; None for no header."""
    if not user_agent:
        return None
    result = parse(user_agent)
    browser = result.user_agent.family if result.user_agent else "Other"
    system = result.os.family if result.os else None
    return f"{browser} on {system}" if system and system != "Other" else browser
