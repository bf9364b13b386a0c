"""``nginx -t`` on nginx/tessera.conf, the configuration of the ``web`` container.

The configuration names its upstreams by container (``personal-data:8104``), which only
Docker's DNS resolves, and nginx -t resolves them. So nginx runs in a private mount
namespace (``unshare --mount``) where a hosts file of ours is bind-mounted over
/etc/hosts, and a tmpfs over /var/cache takes the temp directories nginx creates: the
names resolve for that one nginx, and nothing changes on this machine.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from devstack.topology import ROOT, SERVICES

pytestmark = pytest.mark.filterwarnings("error")

CONF = ROOT / "nginx" / "tessera.conf"

# Inside the namespace: $1 hosts file, $2 nginx, $3 the configuration, then the temp dirs.
_NAMESPACE_SCRIPT = r"""
set -e
mount --bind "$1" /etc/hosts
mount -t tmpfs -o size=1m,mode=755 tmpfs /var/cache
nginx=$2 conf=$3
shift 3
for dir in "$@"; do mkdir -p "$(dirname "$dir")"; done
exec "$nginx" -t -e stderr -c "$conf"
"""


def upstream_hosts(conf: str) -> set[str]:
    """Host names that nginx resolves when it loads ``conf``: upstream servers and
    proxy_pass targets given as ``host:port``."""
    found = re.findall(r"\bserver\s+([A-Za-z][\w.-]*):\d+", conf)
    found += re.findall(r"proxy_pass\s+https?://([A-Za-z][\w.-]*):\d+", conf)
    return set(found)


def _required(program: str, hint: str) -> str:
    path = shutil.which(program)
    if path is None:
        pytest.fail(f"{program} is not installed: {hint}")
    return path


def test_container_conf_passes_nginx_t(tmp_path: Path) -> None:
    nginx = _required("nginx", "Debian's nginx-light (make install puts it in)")
    unshare = _required("unshare", "util-linux's unshare")
    conf = CONF.read_text()
    hosts = upstream_hosts(conf)
    assert {s.url_name for s in SERVICES} <= hosts, f"upstreams in {CONF}: {sorted(hosts)}"
    for include in re.findall(r"^\s*include\s+(\S+);", conf, re.M):
        # the official nginx image has these where Debian's nginx has them
        assert Path(include).exists(), f"{CONF} includes {include}, missing here (install nginx-light)"
    temp_dirs = re.findall(r"_temp_path\s+(\S+);", conf)
    assert temp_dirs and all(d.startswith("/var/cache/") for d in temp_dirs), temp_dirs

    hosts_file = tmp_path / "hosts"
    hosts_file.write_text("127.0.0.1 localhost\n" + "".join(f"127.0.0.1 {h}\n" for h in sorted(hosts)))
    # As root a mount namespace is enough; otherwise a user namespace maps us to root in it.
    user_ns = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
    result = subprocess.run(
        [unshare, *user_ns, "--mount", "--propagation", "private", "sh", "-c", _NAMESPACE_SCRIPT,
         "sh", str(hosts_file), nginx, str(CONF), *temp_dirs],
        capture_output=True, text=True, timeout=60,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0 and "test failed" not in output and "emerg" not in output:
        pytest.fail(f"could not run nginx in a private mount namespace (unshare --mount needs root "
                    f"or user namespaces):\n{output}")
    assert result.returncode == 0, f"nginx -t {CONF}:\n{output}"
    assert "test is successful" in output
