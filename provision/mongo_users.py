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

from common.catalog import (CENTRAL_DB, DEVICE_WRITERS, DEVICES_COLLECTION, DEVICES_DB, EVENTS_COLLECTION,
                            EVENTS_DB, EVENTS_RETENTION_SECONDS, USER_DATA_DATABASES, principals, private_db_name,
                            service_user)

#: the administrator (``root``) that creates the users; never used by a service
ADMIN_USER = "tessera_admin"

#: A custom role (in ``admin``): insert into the security event log and nothing else —
#: no find, update or remove, so no service can read, rewrite or erase the log it appends to.
EVENTS_APPEND_ROLE = "tessera_events_append"
EVENTS_APPEND_PRIVILEGES = [{"resource": {"db": EVENTS_DB, "collection": EVENTS_COLLECTION}, "actions": ["insert"]}]


def roles_for(name: str) -> list[dict[str, str]]:
    """The roles of service or worker ``name``, the least each one needs.

    An HTTP service writes its own database, only reads the central one and only
    appends to the security event log (``EVENTS_APPEND_ROLE``). ``security`` also reads
    the event log (it shows users their events) and, read-only, every other database
    that holds user data: the data export (GDPR Art. 15/20) shows all of it, and reading
    is the least that needs — it still writes only its own. The attribute manager writes
    the central database and, to purge an account (GDPR Art. 17), every database that
    holds user data, the event log included (``readWrite`` includes the reads of its
    syncs). ``msg`` keeps its idempotency ledger and touches nothing else. The services
    that log people in (``DEVICE_WRITERS``: authn, signup) remember browsers in the known
    devices' database, and security forgets them there (``common.known_devices``).
    """
    if name == "am":
        return [{"role": "readWrite", "db": db} for db in (CENTRAL_DB, *USER_DATA_DATABASES)]
    if name == "msg":
        return [{"role": "readWrite", "db": private_db_name("msg")}]
    own = private_db_name(name)
    roles = [{"role": "readWrite", "db": own}, {"role": "read", "db": CENTRAL_DB},
             {"role": EVENTS_APPEND_ROLE, "db": "admin"}]
    if name == "security":
        roles += [{"role": "read", "db": db} for db in USER_DATA_DATABASES if db not in (own, DEVICES_DB)]
    if name in DEVICE_WRITERS:
        roles.append({"role": "readWrite", "db": DEVICES_DB})
    return roles


def ensure_devices_collection(admin: MongoClient) -> None:
    """As an administrator, create the known devices' unique index: one record per
    account and browser (``user_id``, ``browser_hash``), so that parallel logins from one
    new browser record it — and alert — once. Idempotent; raises pymongo's errors."""
    admin[DEVICES_DB][DEVICES_COLLECTION].create_index([("user_id", 1), ("browser_hash", 1)],
                                                       name="user_browser_unique", unique=True)


def ensure_events_collection(admin: MongoClient) -> None:
    """As an administrator, create what the services may not: the append-only role
    (``EVENTS_APPEND_ROLE``, its privileges put back if they differ), and the event log's
    indexes — a TTL index on ``at`` (``EVENTS_RETENTION_SECONDS``: one year) and
    ``(user_id, at, _id)`` for a user's events newest first. Idempotent; raises pymongo's
    errors when the server refuses."""
    roles = admin.admin.command("rolesInfo", EVENTS_APPEND_ROLE, showPrivileges=True)["roles"]
    if not roles:
        admin.admin.command("createRole", EVENTS_APPEND_ROLE, privileges=EVENTS_APPEND_PRIVILEGES, roles=[])
    elif [{"resource": p["resource"], "actions": sorted(p["actions"])} for p in roles[0]["privileges"]] \
            != EVENTS_APPEND_PRIVILEGES:
        admin.admin.command("updateRole", EVENTS_APPEND_ROLE, privileges=EVENTS_APPEND_PRIVILEGES, roles=[])
    events = admin[EVENTS_DB][EVENTS_COLLECTION]
    events.create_index("at", name="ttl_at", expireAfterSeconds=EVENTS_RETENTION_SECONDS)
    events.create_index([("user_id", 1), ("at", -1), ("_id", -1)], name="user_newest_first")


def ensure_service_users(admin: MongoClient, known: dict[str, str]) -> list[str]:
    """As a user administrator, create the event log's role and indexes
    (``ensure_events_collection``), the missing service users with the passwords of
    ``known`` (user → password, for every ``svc_<name>``) and put back the roles of any
    that differ; return the users created.

    Raises KeyError when ``known`` lacks the password of a user to create, and pymongo's
    errors when the server refuses.
    """
    ensure_events_collection(admin)  # the role must exist before a user is given it
    ensure_devices_collection(admin)
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
