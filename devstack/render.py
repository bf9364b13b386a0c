"""Generate the configuration files of a stack's run directory (and nginx/tessera.conf).

Every file is rebuilt at each start from the topology, so a port or a new service
never needs a hand edit. Templates use ``{{ name }}`` fields: nginx's and Erlang's own
``$`` syntax passes through untouched.
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from devstack import rabbitmq_access
from devstack.topology import ROOT, SERVICES, Stack

TEMPLATES = Path(__file__).resolve().parent / "templates"
NGINX_TEMPLATE = ROOT / "nginx" / "tessera.conf.template"
NGINX_CONTAINER_CONF = ROOT / "nginx" / "tessera.conf"
PLACEHOLDER_ROOT = ROOT / "nginx" / "placeholder"
FRONTEND_DIST = ROOT / "frontend" / "dist"

_FIELD = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def fill(template: str, **fields: object) -> str:
    """Replace every ``{{ name }}`` in ``template``; KeyError names a field not given."""
    return _FIELD.sub(lambda m: str(fields[m.group(1)]), template)


def write_if_changed(path: Path, text: str, mode: int = 0o644) -> bool:
    """Write ``text`` to ``path`` unless it already holds it; return True when written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text() == text:
        return False
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.chmod(mode)
    tmp.replace(path)
    return True


# --- nginx -------------------------------------------------------------------------


def spa_root() -> Path:
    """The built SPA when ``frontend/dist/index.html`` exists, else the placeholder page."""
    return FRONTEND_DIST if (FRONTEND_DIST / "index.html").exists() else PLACEHOLDER_ROOT


def _others_can_read(path: Path) -> bool:
    """True when an unprivileged user can reach ``path`` (x on every parent, r on it)."""
    for part in [path, *path.parents]:
        if not part.exists():
            return False
        need = stat.S_IXOTH | (stat.S_IROTH if part == path else 0)
        if part.stat().st_mode & need != need:
            return False
    return True


#: Seconds nginx leaves an instance alone after a failed connection to it. Short, so an
#: instance that comes back takes requests again soon: a rolling restart waits this
#: long after an instance is healthy before it stops the next.
UPSTREAM_FAIL_TIMEOUT = 2


#: The first lines of every /api/ location: a method no service answers never reaches
#: one (``return`` is one of the things that are safe inside nginx's ``if``).
_METHOD_CHECK = (
    "            if ($tessera_api_method = 0) {\n"
    "                return 405 '{\"type\":\"${tessera_fail_type}\",\"error\":true,"
    "\"payload\":{\"message\":\"http.method_not_allowed\"}}';\n"
    "            }\n"
)

#: Next in every location that proxies: what gunicorn would refuse with an HTML page of
#: its own (see the maps in the template) is refused here first, as an FSA.
_GUNICORN_REFUSALS = (
    "            if ($tessera_target_invalid) {\n"
    "                return 400 '{\"type\":\"${tessera_fail_type}\",\"error\":true,"
    "\"payload\":{\"message\":\"http.bad_request\"}}';\n"
    "            }\n"
    "            if ($tessera_header_invalid) {\n"
    "                return 400 '{\"type\":\"${tessera_fail_type}\",\"error\":true,"
    "\"payload\":{\"message\":\"http.bad_request\"}}';\n"
    "            }\n"
    "            if ($tessera_line_too_long) {\n"
    "                return 414 '{\"type\":\"${tessera_fail_type}\",\"error\":true,"
    "\"payload\":{\"message\":\"http.request_uri_too_large\"}}';\n"
    "            }\n"
)


def _service_blocks(servers: dict[str, list[str]]) -> dict[str, str]:
    """The per-service parts of the template from ``servers``: service name → the
    ``host:port`` of each of its instances."""
    service_map, backend_map, upstreams, locations = [], [], [], []
    for service in SERVICES:
        prefix = f"/api/{service.url_name}/"
        upper = re.sub(r"[^A-Za-z0-9]", "_", service.url_name).upper()
        # matched on the request line; /api/<service> without the slash is the
        # service's path too (a 404 naming it)
        service_map.append(f'        "~^[A-Z_-]+ /api/{service.url_name}(?:[/? ]|$)" {upper};')
        backend_map.append(f'        "~^{prefix}" {service.url_name};')
        upstreams.append(
            f"    upstream {service.name} {{\n"
            + "".join(f"        server {address} max_fails=1 fail_timeout={UPSTREAM_FAIL_TIMEOUT}s;\n" for address in servers[service.name])
            + "    }"
        )
        locations.append(
            f"        location = /api/{service.url_name} {{\n"
            f"{_METHOD_CHECK}"
            f"            default_type application/json;\n"
            f"            return 404 '{{\"type\":\"${{tessera_fail_type}}\",\"error\":true,"
            f"\"payload\":{{\"message\":\"http.not_found\"}}}}';\n"
            f"        }}\n\n"
            f"        location ^~ {prefix} {{\n"
            f"{_METHOD_CHECK}"
            f"{_GUNICORN_REFUSALS}"
            f"            default_type application/json;\n"
            f"            proxy_pass http://{service.name};\n"
            f"            proxy_set_header Host $http_host;\n"
            # the client address the services throttle by (common.throttle): always
            # nginx's own view of it, never a header the client sent
            f"            proxy_set_header X-Real-IP $remote_addr;\n"
            f"            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
            f"            proxy_set_header X-Forwarded-Proto $scheme;\n"
            f"            proxy_set_header X-Forwarded-Host $http_host;\n"
            f"            proxy_set_header X-Request-Id $request_id;\n"
            f"            proxy_connect_timeout 2s;\n"
            f"            proxy_read_timeout 35s;\n"
            # no error_page here: it would replace the server's whole list
            f"        }}"
        )
    return {
        "service_map": "\n".join(service_map),
        "backend_map": "\n".join(backend_map),
        "service_upstreams": "\n\n".join(upstreams),
        "service_locations": "\n\n".join(locations),
    }


def nginx_conf(stack: Stack, *, run: Path | None = None, listen: str | None = None,
               servers: dict[str, list[str]] | None = None) -> str:
    """nginx.conf of the private instance of ``stack`` (paths under its run dir).

    ``run``, ``listen`` and ``servers`` (service name → ``host:port`` of each instance)
    replace the stack's own: ``make bench`` runs a second nginx from the same template,
    with its bare "hello" app behind every location (``bench/lib/twin.py``).
    """
    run = run or stack.run_dir
    root = spa_root()
    # Running as root, nginx's workers become "nobody"; a checkout under /root is
    # unreadable to them, so then (local stack on 127.0.0.1 only) they stay root.
    user = ""
    if os.geteuid() == 0 and not _others_can_read(root):
        user = "user root;  # the checkout is not readable by nobody"
    if servers is None:
        servers = {s.name: [f"127.0.0.1:{port}" for port in stack.instance_ports(s.name)] for s in SERVICES}
    return fill(
        NGINX_TEMPLATE.read_text(),
        user=user,
        daemon="off",
        pid_file=run / "nginx" / "nginx.pid",
        error_log=run / "log" / "nginx-error.log",
        access_log=run / "log" / "nginx-access.log",
        mime_types="/etc/nginx/mime.types",
        temp_dir=f"{run / 'nginx'}/",
        listen=listen or f"127.0.0.1:{stack.ports['http']}",
        root=root,
        **_service_blocks(servers),
    )


def nginx_container_conf() -> str:
    """nginx.conf for the ``web`` container of docker-compose.yml (nginx/tessera.conf)."""
    # One name per service: Docker's DNS answers it with every replica's address
    # (``docker compose up --scale``), and nginx makes each a server of the upstream.
    servers = {s.name: [f"{s.url_name}:{s.port}"] for s in SERVICES}
    return fill(
        NGINX_TEMPLATE.read_text(),
        user="",
        daemon="off",
        pid_file="/var/run/nginx.pid",
        error_log="stderr",
        access_log="/dev/stdout",
        mime_types="/etc/nginx/mime.types",
        temp_dir="/var/cache/nginx/",
        listen="8080",
        root="/usr/share/nginx/html",
        **_service_blocks(servers),
    )


# --- redis and rabbitmq ------------------------------------------------------------


def redis_conf(stack: Stack) -> str:
    return fill(
        (TEMPLATES / "redis.conf").read_text(),
        port=stack.ports["redis"],
        dir=stack.run_dir / "redis",
    )


def rabbitmq_conf(stack: Stack) -> str:
    return fill((TEMPLATES / "rabbitmq.conf").read_text(), amqp_port=stack.ports["amqp"],
                definitions=rabbitmq_access.definitions_path(stack))


def rabbitmq_env(stack: Stack) -> dict[str, str]:
    """Environment of the private RabbitMQ node and of its CLI tools (rabbitmqctl...)."""
    run = stack.run_dir
    base = run / "rabbitmq"
    return {
        "RABBITMQ_NODENAME": f"tessera-{stack.name}@localhost",
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(stack.ports["amqp"]),
        "RABBITMQ_DIST_PORT": str(stack.ports["amqp_dist"]),
        "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
        "RABBITMQ_LOG_BASE": str(run / "log" / "rabbitmq"),
        "RABBITMQ_LOGS": "-",  # to stdout: supervisord's rabbitmq.log
        "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq.conf"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
        "RABBITMQ_CONF_ENV_FILE": str(base / "rabbitmq-env.conf"),
        "RABBITMQ_PID_FILE": str(base / "rabbitmq.pid"),
        "HOME": str(base / "home"),
        "ERL_EPMD_PORT": str(stack.ports["epmd"]),
        "ERL_EPMD_ADDRESS": "127.0.0.1",
        # The Erlang VM allocates its process table for this many processes up front:
        # RabbitMQ's default of 1,048,576 cost 8 MiB more than 65,536 (a bare VM with
        # RabbitMQ's flags, RssAnon 30 -> 19 MiB; issue 15). A local node runs a few
        # hundred: a process per queue, a few per connection and channel.
        "RABBITMQ_MAX_NUMBER_OF_PROCESSES": "65536",
    }


def write_rabbitmq_files(stack: Stack) -> None:
    """rabbitmq.conf, the users' definitions, an empty plugin list, an empty env file
    and the Erlang cookie."""
    base = stack.run_dir / "rabbitmq"
    rabbitmq_access.write_definitions(stack)
    write_if_changed(base / "rabbitmq.conf", rabbitmq_conf(stack))
    write_if_changed(base / "enabled_plugins", "[].\n")
    # Debian's /etc/rabbitmq/rabbitmq-env.conf would otherwise be read.
    write_if_changed(base / "rabbitmq-env.conf", "# Tessera: everything is set in the environment.\n")
    home = base / "home"
    home.mkdir(parents=True, exist_ok=True)
    cookie = home / ".erlang.cookie"
    if not cookie.exists():
        cookie.write_text(os.urandom(20).hex().upper())
    cookie.chmod(0o600)


# --- Prometheus ------------------------------------------------------------------------

#: seconds between two scrapes on the local stack: short, so a test sees a target up soon
PROMETHEUS_SCRAPE_INTERVAL = 5


def prometheus_conf(stack: Stack) -> str:
    """prometheus.yml of the stack's Prometheus: itself, and every service and worker
    instance from ``targets.json`` (``prometheus_targets``), which Prometheus re-reads
    by itself when it changes (file-based service discovery), so a new service or
    replica needs no reload. JSON is YAML, so the file is written as JSON."""
    import json

    config = {
        "global": {"scrape_interval": f"{PROMETHEUS_SCRAPE_INTERVAL}s",
                   "scrape_timeout": f"{PROMETHEUS_SCRAPE_INTERVAL - 1}s",
                   "evaluation_interval": "15s"},
        "scrape_configs": [
            {"job_name": "prometheus",
             "static_configs": [{"targets": [f"127.0.0.1:{stack.ports['prometheus']}"]}]},
            {"job_name": "tessera",
             "file_sd_configs": [{"files": [str(stack.run_dir / "prometheus" / "targets.json")],
                                  "refresh_interval": f"{PROMETHEUS_SCRAPE_INTERVAL}s"}]},
        ],
    }
    return f"# Generated by devstack/render.py for the {stack.name} stack: do not edit.\n" + json.dumps(
        config, indent=2) + "\n"


def prometheus_targets(stack: Stack, programs: list) -> str:
    """targets.json: one target group per service or worker instance of ``programs``
    (``devstack.supervisor.Program``), ``job`` = the service or worker, ``program`` = the
    supervisord program, at its metrics port (``Stack.metrics_port``)."""
    import json

    from devstack.topology import service_of

    groups = [{"targets": [f"127.0.0.1:{stack.metrics_port(prog.name)}"],
               "labels": {"job": service_of(prog.name), "program": prog.name}}
              for prog in programs if prog.group in ("services", "workers")]
    return json.dumps(groups, indent=2) + "\n"
