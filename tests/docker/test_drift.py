"""Every service and worker is in docker-compose.yml, nginx/tessera.conf and etcd-seed/.

``devstack.topology`` is the source of truth (the local stack runs from it); a new
service that is missing from one of the container files fails here, naming the file.
"""
from __future__ import annotations

import importlib.util
import re
from typing import Any

import pytest

from devstack import topology
from devstack.topology import ROOT, SERVICES, WORKERS, gunicorn_workers
from tests.docker import compose as compose_file

pytestmark = pytest.mark.filterwarnings("error")

SERVICES_DIR = ROOT / "services"
SEED_DIR = ROOT / "etcd-seed"
#: rendered by devstack/render.py:nginx_container_conf
NGINX_CONTAINER_CONF = ROOT / "nginx" / "tessera.conf"


def _packages_with(filename: str) -> set[str]:
    return {path.parent.name for path in SERVICES_DIR.glob(f"*/{filename}")}


def _bind(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg in ("--bind", "-b") and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--bind="):
            return arg.partition("=")[2]
    return None


def test_topology_names_every_package_under_services() -> None:
    assert _packages_with("app.py") == {s.name for s in SERVICES}
    assert _packages_with("worker.py") == set(WORKERS)
    assert all(module == f"services.{name}.worker" for name, module in WORKERS.items())


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_service_has_its_container(service, services: dict[str, dict[str, Any]]) -> None:
    assert service.url_name in services, f"docker-compose.yml has no service {service.url_name!r}"
    spec = services[service.url_name]
    argv = compose_file.command(spec)
    assert argv[:1] == ["gunicorn"], f"{service.url_name}: {argv}"
    assert f"services.{service.name}.app:create_app()" in argv, f"{service.url_name}: {argv}"
    assert _bind(argv) == f"0.0.0.0:{service.port}", f"{service.url_name}: {argv}"
    health = compose_file.environment(spec).get("HEALTH_URL")
    assert health == f"http://127.0.0.1:{service.port}/api/{service.url_name}/status/healthy"
    assert spec.get("healthcheck", {}).get("test"), f"{service.url_name} has no health check"


def _workers(argv: list[str]) -> int | None:
    for i, arg in enumerate(argv):
        if arg in ("--workers", "-w") and i + 1 < len(argv):
            return int(argv[i + 1])
        if arg.startswith("--workers="):
            return int(arg.partition("=")[2])
    return None


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_service_container_forks_as_many_workers_as_the_local_stack(service, services: dict[str, dict[str, Any]]) -> None:
    # the container's own --workers wins over the Dockerfile's GUNICORN_CMD_ARGS (gunicorn
    # reads the command line last)
    [image_args] = re.findall(r'GUNICORN_CMD_ARGS="([^"]*)"', (ROOT / "Dockerfile").read_text())
    argv = compose_file.command(services[service.url_name])
    workers = _workers(argv) or _workers(image_args.split())
    assert workers == gunicorn_workers(service.name), f"{service.url_name}: {argv} after {image_args}"


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_service_container_has_the_local_stacks_allocator_settings(service, services: dict[str, dict[str, Any]]) -> None:
    env = compose_file.environment(services[service.url_name])
    expected = topology.malloc_env(service.name)
    assert {k: v for k, v in env.items() if k.startswith("MALLOC_")} == expected, service.url_name


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_service_has_its_nginx_route(service) -> None:
    conf = NGINX_CONTAINER_CONF.read_text()
    assert f"location ^~ /api/{service.url_name}/ {{" in conf, f"{NGINX_CONTAINER_CONF} has no route for {service.url_name}"
    # an upstream server, or (before upstream blocks) the proxy_pass itself
    server = re.compile(rf"(?:\bserver\s+|proxy_pass\s+http://){re.escape(service.url_name)}:{service.port}\b")
    assert server.search(conf), f"{NGINX_CONTAINER_CONF} does not send to {service.url_name}:{service.port}"


@pytest.mark.parametrize("name", [s.name for s in SERVICES] + list(WORKERS))
def test_service_or_worker_has_its_seed_file(name: str) -> None:
    assert (SEED_DIR / f"{name}.json").is_file(), f"etcd-seed/{name}.json is missing"


@pytest.mark.parametrize("name", sorted(WORKERS))
def test_worker_has_its_container(name: str, services: dict[str, dict[str, Any]]) -> None:
    assert name in services, f"docker-compose.yml has no service {name!r}"
    assert compose_file.command(services[name]) == ["python", "-m", WORKERS[name]]


def test_every_route_in_nginx_is_a_service() -> None:
    routes = set(re.findall(r"location \^~ /api/([^/\s]+)/ \{", NGINX_CONTAINER_CONF.read_text()))
    assert routes == {s.url_name for s in SERVICES}


def test_no_container_runs_a_module_that_does_not_exist(services: dict[str, dict[str, Any]]) -> None:
    missing = []
    for name, spec in services.items():
        argv = compose_file.command(spec)
        modules = []
        if argv[:2] in (["python", "-m"], ["python3", "-m"]):
            modules.append(argv[2])
        elif argv[:1] == ["gunicorn"]:
            modules += [arg.partition(":")[0] for arg in argv[1:] if ":" in arg and "(" in arg]
            assert modules, f"{name}: no app to serve in {argv}"
        missing += [f"{name}: {m}" for m in modules if importlib.util.find_spec(m) is None]
    assert not missing, f"containers run modules that do not exist: {missing}"


@pytest.mark.parametrize(("variable", "job"), [("MONGO_PASSWORD", "mongo-users"), ("AMQP_PASSWORD", "rabbitmq-users")])
def test_every_service_and_worker_gets_its_passwords(compose: dict[str, Any], variable: str, job: str) -> None:
    # provision.mongo_users and provision.rabbitmq_definitions make a user for each; the seed fills
    # mongo_password and amqp_password.
    wanted = {f"{variable}_{name.upper()}" for name in [s.name for s in SERVICES] + list(WORKERS)}
    for name in (job, "seed"):
        env = compose_file.environment(compose["services"][name])
        assert wanted <= env.keys(), f"{name} lacks {sorted(wanted - env.keys())}"
    assert wanted <= compose_file.example_env().keys()


def test_prometheus_scrapes_every_service_and_worker_on_its_metrics_port(compose: dict[str, Any]) -> None:
    from ruamel.yaml import YAML

    config = YAML(typ="safe").load(compose["configs"]["prometheus"]["content"])
    scraped = {}
    for job in config["scrape_configs"]:
        for sd in job.get("dns_sd_configs", []):
            for name in sd["names"]:
                scraped[name] = sd["port"]
    containers = {s.url_name for s in SERVICES} | set(WORKERS)
    assert set(scraped) == containers
    for name in containers:
        env = compose_file.environment(compose["services"][name])
        assert env.get("TESSERA_METRICS_PORT") == str(scraped[name]), name
        assert env.get("TESSERA_METRICS_ADDR") == "0.0.0.0", name
        # gunicorn sums its workers' metrics from files (common/gunicorn_conf.py)
        assert ("PROMETHEUS_MULTIPROC_DIR" in env) == (name not in WORKERS), name
    assert "ports" not in compose["services"]["am"]  # metrics stay on the compose network
