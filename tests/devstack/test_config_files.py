"""The generated configuration files are valid for the programs that read them."""
from __future__ import annotations

import configparser
import dataclasses
import subprocess
from pathlib import Path

from supervisor.options import ServerOptions

from devstack import render, supervisor
from devstack.topology import SERVICES, Stack, get_stack, gunicorn_workers, service_of


def _stack_in(tmp_path: Path) -> Stack:
    return dataclasses.replace(get_stack("test"), run_dir=tmp_path / "run")


def test_generated_nginx_conf_passes_nginx_t(tmp_path: Path) -> None:
    stack = _stack_in(tmp_path)
    supervisor.write_configs(stack)
    conf = stack.run_dir / "nginx" / "nginx.conf"
    result = subprocess.run(
        ["nginx", "-t", "-e", str(tmp_path / "error.log"), "-c", str(conf)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    text = conf.read_text()
    for service in SERVICES:
        assert f"location ^~ /api/{service.url_name}/ {{" in text
        assert f"proxy_pass http://{service.name};" in text
        for port in stack.instance_ports(service.name):
            assert f"server 127.0.0.1:{port} max_fails=1 fail_timeout={render.UPSTREAM_FAIL_TIMEOUT}s;" in text
    assert len(stack.instance_ports("personal_data")) == 2  # the test stacks' replicas
    for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        assert f"{temp}_temp_path {stack.run_dir / 'nginx'}/" in text


def test_container_nginx_conf_is_the_rendered_template() -> None:
    # nginx/tessera.conf is checked in for docker-compose; `python -m devstack
    # render-nginx` rewrites it after a template or topology change.
    assert render.NGINX_CONTAINER_CONF.read_text() == render.nginx_container_conf()


def test_template_fill_names_a_missing_field() -> None:
    assert render.fill("a {{ x }} ${y}", x=1) == "a 1 ${y}"
    try:
        render.fill("{{ nope }}")
    except KeyError as exc:
        assert exc.args == ("nope",)
    else:
        raise AssertionError("a missing field must raise")


def test_generated_supervisord_conf_parses(tmp_path: Path) -> None:
    stack = _stack_in(tmp_path)
    progs = supervisor.write_configs(stack)
    options = ServerOptions()
    options.configfile = str(stack.run_dir / "supervisord.conf")
    options.process_config(do_usage=False)
    groups = {group.name: [p.name for p in group.process_configs] for group in options.process_group_configs}
    for name in ("epmd", "mongo", "redis", "etcd", "smtp", "rabbitmq", "nginx"):
        assert groups[name] == [name]
    assert sorted(groups.get("services", [])) == sorted(p.name for p in progs if p.group == "services")
    assert {"personal_data-1", "personal_data-2"} <= set(groups["services"])
    assert {"am-1", "am-2", "msg"} <= set(groups["workers"])
    parser = configparser.RawConfigParser()
    parser.read(options.configfile)
    # each gunicorn forks its service's worker count (topology.GUNICORN_WORKERS): two
    # where logins and the SPA's reads land, one elsewhere (issue 15, memory)
    for prog in progs:
        if prog.group == "services":
            workers = gunicorn_workers(service_of(prog.name))
            assert f" --workers {workers} " in parser[f"program:{prog.name}"]["command"], prog.name
    assert gunicorn_workers("authn") == 2 and gunicorn_workers("jsconfig") == 1
    # the services that hash rarely return argon2's memory to the kernel (RARE_HASH_ENV)
    assert "MALLOC_MMAP_THRESHOLD_" in parser["program:signup"]["environment"]
    assert "MALLOC_MMAP_THRESHOLD_" not in parser["program:authn"]["environment"]
    assert parser["inet_http_server"]["port"] == f"127.0.0.1:{stack.ports['supervisor']}"
    assert (stack.run_dir / "supervisord.conf").stat().st_mode & 0o077 == 0  # holds a password


def test_rabbitmq_node_is_private(tmp_path: Path) -> None:
    stack = _stack_in(tmp_path)
    supervisor.write_configs(stack)
    env = render.rabbitmq_env(stack)
    assert env["RABBITMQ_NODENAME"] == "tessera-test@localhost"
    assert env["ERL_EPMD_PORT"] == str(stack.ports["epmd"])
    assert Path(env["HOME"], ".erlang.cookie").stat().st_mode & 0o777 == 0o600
    assert Path(env["RABBITMQ_ENABLED_PLUGINS_FILE"]).read_text() == "[].\n"
    assert f"127.0.0.1:{stack.ports['amqp']}" in Path(env["RABBITMQ_CONFIG_FILE"]).read_text()
