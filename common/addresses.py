"""How e-mail addresses are stored and compared (a leaf module: anything may import it).

Internationalised addresses (the lead's decision, README "Rules"): a non-ASCII *domain*
is accepted and kept as its IDNA 2008 A-label (RFC 5891, the ``idna`` package with the
UTS #46 mapping), so ``x@bücher.example`` and ``x@xn--bcher-kva.example`` are one
address, stored, compared and mailed in ASCII. A non-ASCII *local part* would need
SMTPUTF8 (RFC 6531) on every hop of our mail path, which it does not have: the shared
``common.fields.Email`` refuses it at input.
"""
from __future__ import annotations

import idna


def idna_domain(domain: str) -> str | None:
    """``domain`` as an ASCII, lower-case domain: an IDN as its A-label
    (``Bücher.Example`` → ``xn--bcher-kva.example``), an ASCII one lower-cased as it is;
    None when a non-ASCII domain is not a valid IDNA 2008 name (e.g. holds symbols or
    bidi controls)."""
    if domain.isascii():
        return domain.lower()
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return None


def normalize_email(address: str) -> str:
    """The form in which addresses are stored and compared: trimmed, lower case, the
    domain as its IDNA A-label (``idna_domain``).

    Total on any string (it also keys throttles on raw input): an address whose domain is
    not a valid IDN keeps its lower-cased domain — ``common.fields.Email`` refuses such
    input, so that form is never stored.

    The local part is case-sensitive in RFC 5321 §2.4, but no mailbox provider in use
    treats it so, and two accounts for ``Ada@`` and ``ada@`` would be a trap.
    """
    local, at, domain = address.strip().lower().rpartition("@")
    if not at:
        return domain
    return f"{local}@{idna_domain(domain) or domain}"
