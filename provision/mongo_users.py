"""MongoDB users: one per service and worker, with the least roles each one needs.

Every service and worker connects as ``svc_<name>`` (``common.catalog.service_user``)
with exactly the roles of ``roles_for``, so the server itself, not only our Python,
keeps each service to its own database. ``tessera_admin`` (``root``) creates them; the
local stack (``devstack.mongo_access``) and the ``mongo-users`` job of
docker-compose.yml (``python -m provision.mongo_users``) both call
``ensure_service_users``.
"""
from __future__ import annotations

import os
import sys

from pymongo import MongoClient

from common.catalog import CENTRAL_DB, SERVICE_DATABASES, principals, private_db_name, service_user

#: the administrator (``root``) that creates the users; never used by a service
ADMIN_USER = "tessera_admin"


def roles_for(name: str) -> list[dict[str, str]]:
    """The roles of service or worker ``name``, the least each one needs.

    An HTTP service writes its own database and only reads the central one. The
    attribute manager writes the central database and, to purge an account, every
    service database (``readWrite`` includes the reads of its syncs). ``msg`` keeps its
    idempotency ledger and touches nothing else.
    """
    if name == "am":
        return [{"role": "readWrite", "db": db} for db in (CENTRAL_DB, *SERVICE_DATABASES)]
    if name == "msg":
        return [{"role": "readWrite", "db": private_db_name("msg")}]
    return [{"role": "readWrite", "db": private_db_name(name)}, {"role": "read", "db": CENTRAL_DB}]


def ensure_service_users(admin: MongoClient, known: dict[str, str]) -> list[str]:
    """As a user administrator, create the missing service users with the passwords of
    ``known`` (user → password, for every ``svc_<name>``) and put back the roles of any
    that differ; return the users created.

    Raises KeyError when ``known`` lacks the password of a user to create, and pymongo's
    errors when the server refuses.
    """
    existing = {u["user"]: u for u in admin.admin.command("usersInfo")["users"]}
    created = []
    for name in principals():
        user, roles = service_user(name), roles_for(name)
        if user not in existing:
            admin.admin.command("createUser", user, pwd=known[user], roles=roles)
            created.append(user)
        elif _role_set(existing[user]["roles"]) != _role_set(roles):
            admin.admin.command("updateUser", user, roles=roles)
    return created


def _role_set(roles: list[dict[str, str]]) -> set[tuple[str, str]]:
    return {(r["role"], r["db"]) for r in roles}


def main() -> int:
    """``python -m provision.mongo_users``: create the service users where there is no
    local stack (containers): the admin URI in ``MONGO_ADMIN_URI``, the passwords in
    ``MONGO_PASSWORD_<SERVICE>``. Exit status 1 naming the variables that are missing."""
    wanted = ["MONGO_ADMIN_URI", *(f"MONGO_PASSWORD_{name.upper()}" for name in principals())]
    missing = [variable for variable in wanted if not os.environ.get(variable)]
    if missing:
        print(f"missing: {', '.join(missing)}", file=sys.stderr)
        return 1
    known = {service_user(name): os.environ[f"MONGO_PASSWORD_{name.upper()}"] for name in principals()}
    admin = MongoClient(os.environ["MONGO_ADMIN_URI"], serverSelectionTimeoutMS=30000)
    try:
        print("created:", ", ".join(ensure_service_users(admin, known)) or "nothing")
    finally:
        admin.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
