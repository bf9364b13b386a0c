"""Start, stop and inspect a local stack: the API behind ``python -m devstack`` and
the test suite's ``stack`` fixture.

``stack`` arguments take a name (``"dev"``, ``"test"``), a ``topology.Stack`` or None
(``$TESSERA_STACK``, else dev). Failures raise ``StackError`` with a message that names
the failed check and ends with the tail of that program's log.

Start order: supervisord with epmd, mongo, redis, etcd, smtp and nginx → rabbitmq once
epmd listens → mongo's replica set initiated and its users created → mongo, redis, etcd and smtp pass their
checks → etcd seeded (``python -m provision.seed``) → the ``services`` group boots
while RabbitMQ finishes booting → the ``workers`` group → each service's
``/status/healthy`` answers 200 and each worker has run for 3 s.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
import xmlrpc.client

from devstack import health as checks
from devstack import install as installer
from devstack import mongo_access, rabbitmq_access, render, supervisor
from devstack.credentials import rotate_signing_keys, stored_secret, stored_signing_keys
from devstack.topology import ROOT, Stack, get_stack, service_of

log = logging.getLogger("tessera.stack")

#: Seconds ``start`` waits for every check; a busy machine may need more.
START_TIMEOUT = float(os.environ.get("TESSERA_START_TIMEOUT", "90"))
#: A worker has no HTTP health: RUNNING this long counts as healthy.
WORKER_SETTLE = 3.0
#: Alternative names accepted by ``control``.
ALIASES = {"mongod": "mongo", "redis-server": "redis", "rabbit": "rabbitmq", "amqp": "rabbitmq"}


class StackError(RuntimeError):
    """A stack could not be started, stopped or controlled; the message says why."""


def _stack(stack: Stack | str | None) -> Stack:
    return stack if isinstance(stack, Stack) else get_stack(stack)


def log_tail(stack: Stack, program: str, lines: int = 20) -> str:
    """The last ``lines`` lines of ``<run>/log/<program>.log`` ('' when there is none)."""
    path = stack.run_dir / "log" / f"{program}.log"
    if not path.exists():
        return ""
    with path.open("rb") as f:
        f.seek(max(0, path.stat().st_size - 16384))
        text = f.read().decode(errors="replace")
    return "\n".join(text.splitlines()[-lines:])


def _failure(stack: Stack, failed: dict[str, str], what: str) -> StackError:
    parts = [f"{what}:"]
    for name, reason in failed.items():
        parts.append(f"  {name}: {reason}")
    for name in failed:
        tail = log_tail(stack, name.split(":")[-1])
        if tail:
            parts.append(f"--- tail of {stack.run_dir / 'log' / (name.split(':')[-1] + '.log')}")
            parts.append(tail)
    return StackError("\n".join(parts))


def install() -> float:
    """Install what is missing (Debian packages, .venv, frontend build); return seconds."""
    return installer.install()


def _process_info(stack: Stack) -> dict[str, dict]:
    """supervisord's view: full name (``redis``, ``services:jsconfig``) → process info."""
    try:
        infos = supervisor.rpc(stack).supervisor.getAllProcessInfo()
    except OSError as exc:
        raise StackError(f"the {stack.name} stack is not running (supervisord: {exc})") from exc
    return {
        (info["name"] if info["group"] == info["name"] else f"{info['group']}:{info['name']}"): info
        for info in infos
    }


def _wait(stack: Stack, pending: dict[str, checks.Check], deadline: float, what: str) -> None:
    """Poll every check of ``pending`` until all pass; fail at ``deadline`` or as soon as
    supervisord gives a program up (FATAL)."""
    failed: dict[str, str] = {}
    while pending:
        failed = {}
        info = _process_info(stack)
        for name, check in list(pending.items()):
            state = info.get(name, {}).get("statename", "RUNNING")
            # A check can pass thanks to a stranger on the port: the program must run too.
            reason = check(stack) if state == "RUNNING" else f"supervisord: {state}"
            if reason is None:
                del pending[name]
                log.debug("%s ready", name)
            else:
                failed[name] = reason
        if not pending:
            return
        fatal = {n: "supervisord: FATAL (exited too quickly)" for n in pending if info.get(n, {}).get("statename") == "FATAL"}
        if fatal:
            raise _failure(stack, fatal, what)
        if time.monotonic() > deadline:
            raise _failure(stack, failed, f"{what}: timed out")
        time.sleep(0.25)


def _worker_check(full_name: str) -> checks.Check:
    def check(stack: Stack) -> str | None:
        info = _process_info(stack).get(full_name)
        if info is None:
            return "not configured"
        if info["statename"] != "RUNNING":
            return f"supervisord: {info['statename']}"
        if info["now"] - info["start"] < WORKER_SETTLE:
            return "starting"
        return None

    return check


def _platform_checks(progs: list[supervisor.Program]) -> dict[str, checks.Check]:
    pending: dict[str, checks.Check] = {}
    for prog in progs:
        if prog.group == "services":
            pending[prog.full_name] = checks.service_check(prog.name)
        elif prog.group == "workers":
            pending[prog.full_name] = _worker_check(prog.full_name)
    return pending


def _start_infra(stack: Stack, deadline: float) -> list[supervisor.Program]:
    """Bring supervisord and the infrastructure programs up; return every program."""
    if supervisor.is_running(stack):
        nginx_conf = stack.run_dir / "nginx" / "nginx.conf"
        before = nginx_conf.read_text() if nginx_conf.exists() else ""
        progs = supervisor.write_configs(stack)
        changed = supervisor.apply_config(stack)
        if changed:
            log.info("supervisord picked up: %s", ", ".join(changed))
        server = supervisor.rpc(stack).supervisor
        info = _process_info(stack)
        for name in supervisor.INFRA:
            if name != "rabbitmq" and info.get(name, {}).get("statename") not in ("RUNNING", "STARTING"):
                server.startProcess(name, False)
        if nginx_conf.read_text() != before and info.get("nginx", {}).get("statename") == "RUNNING":
            server.signalProcess("nginx", "HUP")
    else:
        leftover = supervisor.kill_orphans(stack)
        if leftover:
            log.info("stopped %d processes left by a supervisord that died", len(leftover))
        progs = supervisor.write_configs(stack)
        supervisor.launch(stack)
    _wait(stack, {"epmd": checks.check_epmd}, deadline, "epmd")
    server = supervisor.rpc(stack).supervisor
    if _process_info(stack)["rabbitmq"]["statename"] not in ("RUNNING", "STARTING"):
        server.startProcess("rabbitmq", False)
    # A one-node replica set: MongoDB refuses transactions without one.
    _wait(stack, {"mongo": lambda s: checks._tcp(s.ports["mongo"])}, deadline, "mongod")
    # The replica set and the users of access control (idempotent: after a restart
    # there is nothing to do).
    try:
        created = mongo_access.prepare(stack, timeout=max(1.0, deadline - time.monotonic()))
    except mongo_access.AccessControlError as exc:
        raise StackError(str(exc)) from exc
    if created:
        log.info("created MongoDB users: %s", ", ".join(created))
    # RabbitMQ boots slowest (10 s and more): the services do not need it to start
    # (their AMQP client connects on first use), so they boot meanwhile.
    infra = {name: checks.INFRA_CHECKS[name] for name in ("mongo", "redis", "etcd", "smtp")}
    _wait(stack, infra, deadline, "infrastructure")
    return progs


def start(stack: Stack | str | None = None, timeout: float | None = None) -> float:
    """Start ``stack`` (or complete a partly running one) and wait until it is healthy.

    Leaves supervisord running in the background, also after a failure (to look at).
    Return the seconds it took. Raises StackError when a check still fails after
    ``timeout`` seconds (default ``$TESSERA_START_TIMEOUT`` or 90) or a program is
    given up by supervisord; the message has the tail of that program's log.
    """
    stack = _stack(stack)
    started = time.monotonic()
    deadline = started + (timeout or START_TIMEOUT)
    # A node that boots imports the users' definitions itself; one already running
    # imports them below, after they may have changed (a new service).
    rabbitmq_was_up = (supervisor.is_running(stack)
                       and _process_info(stack).get("rabbitmq", {}).get("statename") == "RUNNING")
    progs = _start_infra(stack, deadline)
    seed(stack)
    _start_group(stack, progs, "services")
    _wait(stack, {"rabbitmq": checks.check_rabbitmq}, deadline, "rabbitmq")
    if rabbitmq_was_up:
        import_rabbitmq_definitions(stack)
    log.info("infrastructure up in %.1f s", time.monotonic() - started)
    _start_group(stack, progs, "workers")
    _wait_platform(stack, progs, deadline)
    took = time.monotonic() - started
    log.info("%s stack healthy in %.1f s: %s", stack.name, took, stack.base_url)
    return took


def _start_group(stack: Stack, progs: list[supervisor.Program], group: str) -> None:
    """Start the programs of ``group`` that are not running, without waiting."""
    server = supervisor.rpc(stack).supervisor
    info = _process_info(stack)
    for prog in progs:
        if prog.group == group and info[prog.full_name]["statename"] not in ("RUNNING", "STARTING"):
            server.startProcess(prog.full_name, False)


def _wait_platform(stack: Stack, progs: list[supervisor.Program], deadline: float) -> None:
    pending = _platform_checks(progs)
    pending["nginx"] = checks.check_nginx
    pending["demo-rp"] = checks.check_demo_rp
    pending["prometheus"] = checks.check_prometheus
    _wait(stack, pending, deadline, "services")


def stop(stack: Stack | str | None = None) -> bool:
    """Stop every program of ``stack`` and its supervisord; data stays in the run dir.

    Also ends processes orphaned by a supervisord that was killed. Return True when
    something was running. Raises StackError if supervisord does not exit in 2 minutes.
    """
    stack = _stack(stack)
    was_running = supervisor.is_running(stack)
    if was_running:
        supervisor.shutdown(stack)
        if supervisor.is_running(stack):
            raise StackError(f"supervisord of the {stack.name} stack did not exit")
    leftover = supervisor.kill_orphans(stack)
    if leftover:
        log.info("stopped %d processes left outside supervisord", len(leftover))
    return was_running or bool(leftover)


def health(stack: Stack | str | None = None) -> dict[str, dict]:
    """Each program's state and health.

    Return ``{program: {"state": "RUNNING", "healthy": True, "detail": None}}`` with
    program names as supervisord knows them (``redis``, ``services:jsconfig``,
    ``workers:msg``). ``detail`` says why a program is not healthy. An empty dict when
    the stack's supervisord is not running.
    """
    stack = _stack(stack)
    if not supervisor.is_running(stack):
        return {}
    info = _process_info(stack)
    result = {}
    for name, proc in info.items():
        if ":" in name:
            group, short = name.split(":", 1)
            check = checks.service_check(short) if group == "services" else _worker_check(name)
        else:
            check = checks.INFRA_CHECKS[name]
        detail = check(stack) if proc["statename"] == "RUNNING" else f"supervisord: {proc['statename']}"
        result[name] = {"state": proc["statename"], "healthy": detail is None, "detail": detail}
    return result


def is_healthy(stack: Stack | str | None = None) -> bool:
    """True when supervisord runs and every program of ``stack`` passes its check."""
    states = health(stack)
    return bool(states) and all(s["healthy"] for s in states.values())


def _resolve(info: dict[str, dict], program: str) -> list[str]:
    """The supervisord names ``program`` means: itself (``redis``, ``services:jsconfig``,
    ``jsconfig``, ``am-2``) or, for a service or worker that runs several instances,
    every instance (``workers:am`` → ``workers:am-1``, ``workers:am-2``).

    Raises StackError when nothing, or more than one program, matches.
    """
    exact = [n for n in info if n == program or n.split(":")[-1] == program]
    if len(exact) == 1:
        return exact
    group, _, name = program.rpartition(":")
    instances = sorted(
        full for full in info
        if ":" in full and (not group or full.split(":")[0] == group)
        and full.split(":")[1] != name and service_of(full.split(":")[1]) == name
    )
    if exact or not instances:
        raise StackError(f"unknown program {program!r}; known: {', '.join(sorted(info))}")
    return instances


def control(stack: Stack | str | None, action: str, program: str, wait: bool = True) -> None:
    """``start``, ``stop`` or ``restart`` one program (``redis``, ``jsconfig``,
    ``services:jsconfig``), every instance of a replicated one (``workers:am``), one
    instance (``workers:am-2``) or a whole group (``services``, ``workers``).

    With ``wait`` (default), start/restart return once supervisord reports RUNNING
    (not once the program's health check passes: poll ``health`` for that).
    Raises ValueError for an unknown action and StackError for an unknown program or
    when supervisord refuses (e.g. the program exits at once).
    """
    stack = _stack(stack)
    if action not in ("start", "stop", "restart"):
        raise ValueError(f"unknown action {action!r}: expected start, stop or restart")
    program = ALIASES.get(program, program)
    info = _process_info(stack)
    server = supervisor.rpc(stack).supervisor
    if program in supervisor.GROUPS:
        targets = [n for n in info if n.startswith(program + ":")]
        group = program
    else:
        targets, group = _resolve(info, program), None
    try:
        if action in ("stop", "restart"):
            if group and any(info[n]["statename"] in ("RUNNING", "STARTING", "BACKOFF") for n in targets):
                server.stopProcessGroup(group, True)
            for name in targets if not group else ():
                if info[name]["statename"] in ("RUNNING", "STARTING", "BACKOFF"):
                    server.stopProcess(name, True)
        if action in ("start", "restart"):
            if group:
                server.startProcessGroup(group, wait)
            for name in targets if not group else ():
                # ``info`` was read before the stop above: after a restart's stop the
                # program is down whatever ``info`` says
                if action == "restart" or info[name]["statename"] not in ("RUNNING", "STARTING"):
                    server.startProcess(name, wait)
    except xmlrpc.client.Fault as exc:
        raise StackError(f"supervisord: {action} {program}: {exc.faultString}") from exc


def is_program_healthy(stack: Stack | str | None, program: str) -> bool:
    """True when ``program`` (as ``control`` names it) and, for a replicated one, every
    instance is running and passes its check. Raises StackError for an unknown name."""
    stack = _stack(stack)
    states = health(stack)
    names = _resolve({name: {} for name in states}, ALIASES.get(program, program))
    return all(states[name]["healthy"] for name in names)


def import_rabbitmq_definitions(stack: Stack | str | None = None) -> None:
    """Make the running RabbitMQ node take ``<run>/rabbitmq/definitions.json`` (users and
    permissions; ``rabbitmqctl import_definitions``, about a second). Raises StackError
    when rabbitmqctl fails."""
    stack = _stack(stack)
    env = dict(os.environ, **render.rabbitmq_env(stack))
    result = subprocess.run(
        [str(supervisor.RABBITMQ_BIN / "rabbitmqctl"), "-q", "-n", env["RABBITMQ_NODENAME"],
         "import_definitions", str(rabbitmq_access.definitions_path(stack))],
        env=env, capture_output=True, text=True, timeout=60,
    )
    if result.returncode != 0:
        raise StackError(f"rabbitmqctl import_definitions failed:\n{result.stdout}{result.stderr}")


def seed_variables(stack: Stack) -> dict[str, str]:
    """The seed's placeholders that describe ``stack``: ``RUN_DIR``, ``<NAME>_PORT`` and
    each service's and worker's ``MONGO_PASSWORD_<NAME>`` and ``AMQP_PASSWORD_<NAME>``
    (those its run dir holds; see ``provision.seed``), ``MFA_ENCRYPTION_KEY`` (authn's
    and security's key for TOTP secrets) and ``OIDC_SIGNING_KEYS`` (oidc's RS256 keys),
    both made at first use and kept in the run dir."""
    variables = {f"{name.upper()}_PORT": str(port) for name, port in stack.ports.items()}
    variables["RUN_DIR"] = str(stack.run_dir)
    variables.update(mongo_access.seed_variables(stack))
    variables.update(rabbitmq_access.seed_variables(stack))
    variables["MFA_ENCRYPTION_KEY"] = stored_secret(stack.run_dir / "mfa-encryption.key")
    variables["OIDC_SIGNING_KEYS"] = stored_signing_keys(stack.run_dir / OIDC_KEYS_FILE)
    return variables


#: the OIDC provider's signing keys in a stack's run dir (``rotate_oidc_keys``)
OIDC_KEYS_FILE = "oidc-signing-keys.json"


def rotate_oidc_keys(stack: Stack | str | None = None) -> None:
    """Rotate the OIDC signing keys: a new key signs, the previous stays in the JWKS;
    then seed etcd and restart the services so that oidc loads them."""
    stack = _stack(stack)
    rotate_signing_keys(stack.run_dir / OIDC_KEYS_FILE)
    seed(stack)
    restart_services(stack)


def seed(stack: Stack | str | None = None) -> bool:
    """Load ``etcd-seed/`` into the stack's etcd with ``python -m provision.seed``, its
    placeholders filled from ``seed_variables`` (a variable set in the environment
    wins, as it does for containers); return True.

    A child process, so that the seed validates against the services' config schemas
    as they are on disk now. Raises StackError with the command's output when it fails.
    """
    stack = _stack(stack)
    env = {**seed_variables(stack), **os.environ, **supervisor.service_env(stack)}
    result = subprocess.run(
        [sys.executable, "-m", "provision.seed"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    if result.returncode != 0:
        raise StackError(f"seeding etcd failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    log.info("etcd seeded from etcd-seed/")
    return True


def restart_services(stack: Stack | str | None = None, timeout: float | None = None) -> float:
    """Restart every service and worker (picking up services added since the start)
    and wait until they are healthy; return the seconds it took. Raises StackError.

    etcd is seeded again first: code that now expects a configuration key added to (or
    removed from) ``etcd-seed/`` since the start would otherwise fail to start."""
    stack = _stack(stack)
    started = time.monotonic()
    if not supervisor.is_running(stack):
        raise StackError(f"the {stack.name} stack is not running")
    seed(stack)
    progs = supervisor.write_configs(stack)
    supervisor.apply_config(stack)
    import_rabbitmq_definitions(stack)  # a service new since the start needs its user
    server = supervisor.rpc(stack).supervisor
    for group in supervisor.GROUPS:
        if any(p.group == group for p in progs):
            server.stopProcessGroup(group, True)
    for group in supervisor.GROUPS:
        _start_group(stack, progs, group)
    _wait_platform(stack, progs, started + (timeout or START_TIMEOUT))
    return time.monotonic() - started
