"""``python -m devstack <command>``: install and run the local stack.

``install`` needs only the standard library (``make`` runs it with the system python3
before ``.venv`` exists); every other command runs in ``.venv``. The stack is
``$TESSERA_STACK`` (dev by default, test for ``make test``).
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time

COMMANDS = {
    "install": "install what is missing: Debian packages, .venv, the frontend build",
    "up": "install, start and stay in the foreground until Ctrl-C, then stop",
    "start": "start (or complete) the stack and return once it is healthy",
    "stop": "stop every program and supervisord (data is kept)",
    "status": "each program's state and health",
    "seed": "load etcd-seed/ into etcd again",
    "restart-services": "restart the services and workers (picks up new ones)",
    "bench": "run every bench/*.py against the test stack (started and stopped if needed)",
    "rotate-oidc-keys": "a new OIDC signing key signs, the previous stays published (seeds, restarts)",
    "render-nginx": "write nginx/tessera.conf (the containers' config) from the template",
}


def _up(manager, stack) -> int:
    manager.install()

    def on_signal(signum, _frame):
        raise KeyboardInterrupt  # also ends a start that is still waiting

    # Both set explicitly: a shell that starts `make up &` hands SIGINT over ignored.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        took = manager.start(stack)
        print(f"Tessera is up at {stack.base_url} (started in {took:.1f} s); Ctrl-C stops it.\n"
              f"Try single sign-on: the demo relying party is at {stack.demo_rp_url}\n"
              f"Metrics: Prometheus is at {stack.prometheus_url}", flush=True)
        while manager.supervisor.is_running(stack):
            time.sleep(1)
        print("supervisord has gone away", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        # A second Ctrl-C must not cut the stop short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("stopping...", flush=True)
        manager.stop(stack)
        print("stopped.", flush=True)


def _bench(manager, quick: bool = False, only: list[str] | None = None) -> int:
    """Run each ``bench/*.py`` (or those named in ``only``) with the venv python, env
    TESSERA_STACK/TESSERA_BASE_URL/TESSERA_ETCD, ``--quick`` passed on; print the summary
    table of their RESULT lines (``devstack.bench``). Non-zero only when a script failed."""
    import os
    from pathlib import Path

    from devstack import bench
    from devstack.topology import ROOT, get_stack, is_test_stack

    name = os.environ.get("TESSERA_STACK", "")
    stack = get_stack(name if is_test_stack(name) else "test")
    try:
        scripts = bench.select(sorted(Path(ROOT, "bench").glob("*.py")), only or [])
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not scripts:
        print("no bench/*.py yet")
        return 0
    was_running = manager.is_healthy(stack)
    if not was_running:
        try:
            manager.start(stack)
        except manager.StackError:
            manager.stop(stack)
            raise
    env = dict(os.environ, TESSERA_STACK=stack.name, TESSERA_BASE_URL=stack.base_url,
               TESSERA_ETCD=stack.etcd_address)
    runs = []
    try:
        for script in scripts:
            print(f"== {script.relative_to(ROOT)}{' --quick' if quick else ''}", flush=True)
            runs.append(bench.run_script(script, ["--quick"] if quick else [], env, ROOT))
            print(f"== {script.name}: exit {runs[-1].returncode} in {runs[-1].seconds:.0f} s", flush=True)
    finally:
        if not was_running:
            manager.stop(stack)
    print(f"\n== summary ({stack.name} stack, {os.cpu_count()} cores)", flush=True)
    print(bench.summary(runs), flush=True)
    return 1 if any(run.failed for run in runs) else 0


def _status(manager, stack) -> int:
    states = manager.health(stack)
    if not states:
        print(f"the {stack.name} stack is not running")
        return 3
    width = max(len(name) for name in states)
    for name, state in states.items():
        mark = "ok" if state["healthy"] else "FAIL"
        detail = f"  {state['detail']}" if state["detail"] else ""
        print(f"{name:<{width}}  {state['state']:<8}  {mark}{detail}")
    healthy = all(s["healthy"] for s in states.values())
    print(f"{stack.name} stack at {stack.base_url} (demo relying party {stack.demo_rp_url}, "
          f"Prometheus {stack.prometheus_url}): "
          f"{'healthy' if healthy else 'NOT healthy'}")
    return 0 if healthy else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=COMMANDS, metavar="command",
                        help="; ".join(f"{k}: {v}" for k, v in COMMANDS.items()))
    parser.add_argument("--quick", action="store_true", help="bench: short runs of every script (a smoke run)")
    parser.add_argument("only", nargs="*", help="bench: run only these bench scripts (e.g. login request_path)")
    args = parser.parse_intermixed_args(argv)  # `bench --quick login memory` as well
    if args.only and args.command != "bench":
        parser.error(f"{args.command} takes no further arguments")

    if args.command == "install":
        from devstack import install

        return install.main()

    debug = os.environ.get("TESSERA_STACK_DEBUG") == "1"
    logging.basicConfig(level=logging.DEBUG if debug else logging.INFO,
                        format="%(asctime)s [stack] %(message)s" if debug else "[stack] %(message)s")
    for noisy in ("pika", "pymongo", "urllib3", "redis"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from devstack import manager, render
    from devstack.topology import get_stack

    if args.command == "render-nginx":
        render.write_if_changed(render.NGINX_CONTAINER_CONF, render.nginx_container_conf())
        print(f"wrote {render.NGINX_CONTAINER_CONF}")
        return 0
    stack = get_stack()
    try:
        if args.command == "bench":
            return _bench(manager, quick=args.quick, only=args.only)
        if args.command == "up":
            return _up(manager, stack)
        if args.command == "start":
            took = manager.start(stack)
            print(f"Tessera is up at {stack.base_url} (started in {took:.1f} s); "
                  f"demo relying party at {stack.demo_rp_url}; Prometheus at {stack.prometheus_url}")
        elif args.command == "stop":
            print(f"stopped the {stack.name} stack" if manager.stop(stack) else f"the {stack.name} stack was not running")
        elif args.command == "status":
            return _status(manager, stack)
        elif args.command == "seed":
            manager.seed(stack)
        elif args.command == "rotate-oidc-keys":
            manager.rotate_oidc_keys(stack)
            print("OIDC signing keys rotated; the services restarted")
        elif args.command == "restart-services":
            took = manager.restart_services(stack)
            print(f"services restarted in {took:.1f} s")
    except manager.StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
