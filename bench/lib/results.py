"""The RESULT line: one figure of a bench script, for ``devstack.bench``'s summary."""
from __future__ import annotations

import json
from typing import Any

PREFIX = "RESULT "


def result(figure: str, value: float, unit: str, *, ceiling: str | None = None,
           ceiling_value: float | None = None, target: str | None = None,
           command: str | None = None, **extra: Any) -> dict[str, Any]:
    """Print (flushed) and return one figure as ``RESULT {json}``.

    ``value`` in ``unit``; ``ceiling`` names what it is measured against and
    ``ceiling_value`` is that in the same unit, so ``ratio`` = value / ceiling_value
    (rounded to 3 places). ``target`` is the issue's goal, e.g. ``">= 0.6"`` (on the
    ratio when there is one, else on the value). ``command`` is what produced it.
    ``extra`` keys (p50_ms, p99_ms…) are carried along.
    """
    entry: dict[str, Any] = {"figure": figure, "value": round(float(value), 3), "unit": unit}
    if ceiling is not None:
        entry["ceiling"] = ceiling
    if ceiling_value is not None:
        entry["ceiling_value"] = round(float(ceiling_value), 3)
        if ceiling_value:
            entry["ratio"] = round(float(value) / float(ceiling_value), 3)
    if target is not None:
        entry["target"] = target
    if command is not None:
        entry["command"] = command
    entry.update(extra)
    print(PREFIX + json.dumps(entry), flush=True)
    return entry
