"""No regular expression that checks input ends in Python's ``$``: it also matches before a
final newline, so ``^[0-9]{4,10}$`` accepted ``"123456\\n"`` as a code. Anchors are
``\\A``/``\\Z`` (or ``fullmatch``)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
#: the runtime code: what services and workers run on input
PACKAGES = ("common", "services")


def dollar_anchored_patterns() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(), str(path))
            # a JSON Schema "pattern" (OpenAPI) is ECMA-262, where $ is the true end
            ecma = {id(value) for node in ast.walk(tree) if isinstance(node, ast.Dict)
                    for key, value in zip(node.keys, node.values)
                    if isinstance(key, ast.Constant) and key.value == "pattern"}
            for node in ast.walk(tree):
                if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in ecma
                        and node.value.startswith("^") and re.search(r"(?<!\\)\$\Z", node.value)):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    return found


def test_no_input_pattern_is_anchored_with_dollar():
    assert dollar_anchored_patterns() == []


def test_the_reason():
    assert re.match(r"^[0-9]{4,10}$", "123456\n")
    assert not re.match(r"\A[0-9]{4,10}\Z", "123456\n")
