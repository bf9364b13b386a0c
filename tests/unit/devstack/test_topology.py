"""The topology's ports and instance names: no two stacks, services or replicas collide."""
from __future__ import annotations

import dataclasses

import pytest

from common import catalog
from devstack import topology
from devstack.topology import SERVICES, get_stack, service_of

STACKS = ["dev", "test", *(f"test-{n}" for n in range(1, 10))]


def test_no_two_ports_of_any_stacks_collide_even_at_max_replicas() -> None:
    owners: dict[int, str] = {}
    for name in STACKS:
        stack = get_stack(name)
        stack = dataclasses.replace(stack, replicas={n: topology.MAX_REPLICAS
                                                     for n in [*(s.name for s in SERVICES), *topology.WORKERS]})
        ports = {f"{name}:{key}": port for key, port in stack.ports.items()}
        for service in SERVICES:
            for program, port in zip(stack.instances(service.name), stack.instance_ports(service.name)):
                ports[f"{name}:{program}"] = port
                ports[f"{name}:{program}:metrics"] = stack.metrics_port(program)
        for worker in topology.WORKERS:
            for program in stack.instances(worker):
                ports[f"{name}:{program}:metrics"] = stack.metrics_port(program)
        for owner, port in ports.items():
            assert port not in owners, f"{owner} and {owners.get(port)} share port {port}"
            owners[port] = owner


def test_test_stacks_run_replicas_and_dev_runs_one_of_each() -> None:
    test, dev = get_stack("test-3"), get_stack("dev")
    assert test.instances("personal_data") == ["personal_data-1", "personal_data-2"]
    assert test.instance_ports("personal_data") == [test.service_ports["personal_data"],
                                                    test.service_ports["personal_data"] + 10]
    assert test.instances("am") == ["am-1", "am-2"]
    assert test.instances("jsconfig") == ["jsconfig"]
    assert dev.instances("personal_data") == ["personal_data"]
    assert dev.instance_port("personal_data") == 8104


def test_instance_names() -> None:
    assert service_of("am-2") == "am"
    assert service_of("reset_password") == "reset_password"
    stack = get_stack("test")
    with pytest.raises(KeyError):
        stack.instance_port("personal_data")  # replicated: name an instance
    with pytest.raises(KeyError):
        stack.instance_port("jsconfig-2")
    with pytest.raises(KeyError):
        stack.instance_port("am-1")  # a worker has no port


def test_every_service_of_the_catalog_has_a_port_and_nothing_else_does() -> None:
    assert set(topology.SERVICE_PORTS) == set(catalog.SERVICES)
    assert [s.name for s in SERVICES] == list(catalog.SERVICES)
    assert topology.WORKERS == catalog.WORKERS


def test_metrics_ports_are_internal_and_below_the_ephemeral_range() -> None:
    for name in STACKS:
        stack = get_stack(name)
        programs = [p for s in SERVICES for p in stack.instances(s.name)]
        programs += [p for w in topology.WORKERS for p in stack.instances(w)]
        ports = [stack.metrics_port(program) for program in programs] + [stack.ports["prometheus"]]
        assert len(set(ports)) == len(ports)
        # Linux hands out 32768 and up to outgoing connections (ip_local_port_range)
        assert all(1024 < port < 32768 for port in ports), ports
    test = get_stack("test")
    assert test.metrics_port("jsconfig") == test.instance_port("jsconfig") + topology.METRICS_SHIFT
    assert test.metrics_port("am-2") == test.metrics_port("am-1") + topology.REPLICA_PORT_STEP
    with pytest.raises(KeyError):
        test.metrics_port("am-3")
