"""How e-mail addresses are stored and compared (a leaf module: anything may import it)."""
from __future__ import annotations


def normalize_email(address: str) -> str:
    """The form in which addresses are stored and compared: trimmed, lower case.

    The local part is case-sensitive in RFC 5321 §2.4, but no mailbox provider in use
    treats it so, and two accounts for ``Ada@`` and ``ada@`` would be a trap.
    """
    return address.strip().lower()
