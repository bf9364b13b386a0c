"""Message keys shared by every service, and the command that lists every key.

A user-facing message is never free text: it is a stable, dotted translation key that
the SPA looks up in its catalogue (API.md, "Envelope"). Each service keeps its own keys
in an Enum of the same kind (see eduID's ``TranslatableMsg``); ``@unique`` makes a
copy-pasted duplicate value fail at import time. Keys are raised as literal members
(``EmailsMsg.code_invalid``), never built from strings, so that this module can list them.

``python -m common.messages`` prints every user-facing key of common and of every service
as a sorted JSON array of strings on stdout (the frontend's test checks that each one has
a translation). It imports every module of the ``common`` and ``services`` packages and
collects the members of every ``TranslatableMsg`` subclass. Keys meant for operators only
(the msg worker's dead-letter reasons) are ``OperatorMsg`` members and are left out.
"""
from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from enum import Enum, unique
from typing import Iterable

#: the packages whose modules define message Enums
PACKAGES = ("common", "services")


class MessageKey(str, Enum):
    """A dotted key as an Enum member that compares equal to, and prints as, its string."""

    def __str__(self) -> str:
        return self.value


class TranslatableMsg(MessageKey):
    """Base class of the Enums of keys a client may be answered with (translated by the SPA)."""


class OperatorMsg(MessageKey):
    """Base class of the Enums of keys for operators only (logs, dead-letter reasons)."""


@unique
class CommonMsg(TranslatableMsg):
    """Keys produced by ``common`` itself, whatever the service."""

    csrf_invalid = "csrf.invalid"
    authn_required = "authn.required"
    reauthn_required = "authn.reauthn_required"
    request_invalid = "request.invalid"
    request_not_json = "request.not_json"
    throttled = "request.throttled"
    backend_unavailable = "backend.unavailable"
    internal_error = "http.internal_server_error"
    conflict = "request.conflict"
    am_pending = "am.sync_pending"


def import_all(packages: Iterable[str] = PACKAGES) -> None:
    """Import every module of ``packages`` (and their subpackages), so that every Enum
    they define exists. Raises ImportError when a module does not import."""
    for name in packages:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            if not module.name.endswith(".__main__"):
                importlib.import_module(module.name)


def translatable_keys() -> list[str]:
    """Every member value of every ``TranslatableMsg`` subclass imported so far, sorted,
    without duplicates (two Enums may list the same key, e.g. the AM's refusals)."""
    keys: set[str] = set()
    pending = list(TranslatableMsg.__subclasses__())
    while pending:
        enum_cls = pending.pop()
        pending.extend(enum_cls.__subclasses__())
        keys.update(member.value for member in enum_cls)
    return sorted(keys)


def main() -> int:
    """Print ``translatable_keys()`` of every module of ``PACKAGES`` as a JSON array."""
    import_all()
    json.dump(translatable_keys(), sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    # Run as a script this file is ``__main__``, a second copy of the module: the service
    # Enums subclass ``common.messages.TranslatableMsg``, so collect through that one.
    from common import messages

    sys.exit(messages.main())
