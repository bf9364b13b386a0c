"""Configuration from the real etcd: validation at start, the seeder, and a re-seeded
value served after a restart (issue 2, "Done when" 2)."""
from __future__ import annotations

import json
import shutil
import socket
import time
from pathlib import Path

import etcd
import pytest
import requests

from common.config import ConfigError, CommonConfigSchema, etcd_client, etcd_members, load_config
from provision.seed import SEED_DIR, expand, seed
from devstack import manager
from services.jsconfig.schemas import ConfigSchema as JsConfigSchema
from tests.helpers import borrowed_login


@pytest.fixture
def client(stack) -> etcd.Client:
    return etcd_client()


@pytest.fixture
def scratch(client: etcd.Client, stack):
    """A throw-away service namespace in etcd: ``/tessera/scratch``, with the keys every
    service sets in its own namespace."""
    for key, value in borrowed_login(stack).items():
        client.write(f"/tessera/scratch/{key}", json.dumps(value))
    yield "scratch"
    try:
        client.delete("/tessera/scratch", recursive=True)
    except etcd.EtcdKeyNotFound:
        pass


def test_service_config_overlays_common(client: etcd.Client, scratch: str) -> None:
    client.write("/tessera/scratch/log_level", json.dumps("DEBUG"))
    config = load_config(scratch, CommonConfigSchema, client=client)
    assert config["log_level"] == "DEBUG"
    assert config["session_cookie_name"] == "tessera_session"


def test_missing_key_names_the_key(client: etcd.Client, scratch: str) -> None:
    with pytest.raises(ConfigError, match=r"services.*Missing data"):
        load_config(scratch, JsConfigSchema, client=client)


def test_invalid_value_names_the_key(client: etcd.Client, scratch: str) -> None:
    client.write("/tessera/scratch/reauthn_max_age", json.dumps("soon"))
    with pytest.raises(ConfigError, match=r"/tessera/scratch/reauthn_max_age: Not a valid integer"):
        load_config(scratch, CommonConfigSchema, client=client)


def test_unknown_key_is_refused(client: etcd.Client, scratch: str) -> None:
    client.write("/tessera/scratch/sesion_idle_lifetime", json.dumps(60))
    with pytest.raises(ConfigError, match=r"/tessera/scratch/sesion_idle_lifetime: Unknown field"):
        load_config(scratch, CommonConfigSchema, client=client)


def test_value_that_is_not_json(client: etcd.Client, scratch: str) -> None:
    client.write("/tessera/scratch/log_level", "DEBUG")
    with pytest.raises(ConfigError, match=r"/tessera/scratch/log_level: value is not JSON"):
        load_config(scratch, CommonConfigSchema, client=client)


def test_secret_comes_from_environment_only_for_secret_keys(client: etcd.Client, scratch: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TESSERA_SECRET_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("TESSERA_SECRET_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("TESSERA_SECRET_MONGO_PASSWORD", "from the environment")
    monkeypatch.setenv("TESSERA_SECRET_MONGO_USERNAME", "not a secret")
    config = load_config(scratch, CommonConfigSchema, client=client)
    assert config["secret_key"] == "s" * 40
    assert config["mongo_password"] == "from the environment"
    assert config["mongo_username"] == "svc_jsconfig"
    assert config["log_level"] == "INFO"


def test_placeholders_expand_from_environment_then_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    assert expand({"a": ["${X_PORT}", "${NOPE:-dflt}"]}, {"X_PORT": "1"}) == {"a": ["1", "dflt"]}
    monkeypatch.setenv("X_PORT", "2")
    assert expand("h:${X_PORT}", {"X_PORT": "1"}) == "h:2"
    with pytest.raises(ConfigError, match=r"\$\{MISSING\}"):
        expand("${MISSING}", {})


def test_seed_is_idempotent(client: etcd.Client, stack) -> None:
    seed(client, SEED_DIR, manager.seed_variables(stack))
    counts = seed(client, SEED_DIR, manager.seed_variables(stack))
    assert counts["written"] == 0 and counts["deleted"] == 0 and counts["unchanged"] > 10


def test_seed_refuses_an_invalid_file_and_writes_nothing(client: etcd.Client, stack, tmp_path: Path) -> None:
    shutil.copytree(SEED_DIR, tmp_path / "seed")
    common = json.loads((tmp_path / "seed" / "common.json").read_text())
    common["reauthn_max_age"] = -1
    common["version"] = "should-not-be-written"
    (tmp_path / "seed" / "common.json").write_text(json.dumps(common))
    with pytest.raises(ConfigError, match="reauthn_max_age"):
        seed(client, tmp_path / "seed", manager.seed_variables(stack))
    assert json.loads(client.read("/tessera/common/version").value) != "should-not-be-written"


def test_reseeded_value_is_served_after_restart(client: etcd.Client, stack, tmp_path: Path) -> None:
    shutil.copytree(SEED_DIR, tmp_path / "seed")
    path = tmp_path / "seed" / "jsconfig.json"
    data = json.loads(path.read_text())
    data["services"]["extra"] = "/api/extra/"
    path.write_text(json.dumps(data))
    try:
        seed(client, tmp_path / "seed", manager.seed_variables(stack))
        manager.control(stack, "restart", "services:jsconfig")
        served = _wait_for_config(stack)
        assert served["services"]["extra"] == "/api/extra/"
    finally:
        seed(client, SEED_DIR, manager.seed_variables(stack))
        manager.control(stack, "restart", "services:jsconfig")
    assert "extra" not in _wait_for_config(stack)["services"]


def _wait_for_config(stack) -> dict:
    deadline = time.monotonic() + 30
    while True:
        try:
            r = requests.get(f"{stack.base_url}/api/jsconfig/config", timeout=5)
            if r.status_code == 200:
                return r.json()["payload"]
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, "jsconfig did not come back"
        time.sleep(0.2)


def test_etcd_members_of_a_cluster_parse() -> None:
    assert etcd_members("10.0.0.1:2379,etcd-2:2379, etcd-3:2379") == [
        ("10.0.0.1", 2379), ("etcd-2", 2379), ("etcd-3", 2379)]
    for bad in ("etcd", "etcd:x", "a:1,,b:2", ":2379"):
        with pytest.raises(ConfigError, match="TESSERA_ETCD"):
            etcd_members(bad)


def test_config_loads_when_the_first_etcd_member_is_down(stack, monkeypatch, scratch) -> None:
    """TESSERA_ETCD names a cluster whose first member is down: the next one serves."""
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        dead = closed.getsockname()[1]
    monkeypatch.setenv("TESSERA_ETCD", f"127.0.0.1:{dead},{stack.etcd_address}")
    config = load_config(scratch, CommonConfigSchema)
    assert config["log_level"] in ("DEBUG", "INFO", "WARNING", "ERROR")
    assert config["mongo_username"] == borrowed_login(stack)["mongo_username"]
