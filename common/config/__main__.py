"""``python -m common.config seed [--dir DIR] [--check]``: seed etcd from ``etcd-seed/``.

``--check`` validates without writing. Exit status 1 with the offending key on error.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from common.config import ConfigError, etcd_client
from common.config.seed import SEED_DIR, read_seed, seed, stack_variables, validate_seed
from devstack.topology import get_stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m common.config")
    sub = parser.add_subparsers(dest="command", required=True)
    seed_cmd = sub.add_parser("seed", help="validate etcd-seed/ and write it into etcd")
    seed_cmd.add_argument("--dir", type=Path, default=SEED_DIR)
    seed_cmd.add_argument("--check", action="store_true", help="validate only")
    args = parser.parse_args(argv)
    try:
        if args.check:
            validate_seed(read_seed(args.dir, stack_variables(get_stack())))
            print("etcd-seed is valid")
            return 0
        counts = seed(etcd_client(), args.dir)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("seeded etcd: {written} written, {deleted} deleted, {unchanged} unchanged".format(**counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
