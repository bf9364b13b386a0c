"""The bare Flask "hello" the bench measures the stack's request path against: no
config, session, CSRF, limiter, database or log line — what Flask and gunicorn cost.
Every path answers 200 with a tiny JSON object (``gunicorn bench.lib.hello:app``)."""
from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/", defaults={"path": ""})
@app.get("/<path:path>")
def hello(path: str) -> dict:
    """``{"type": "GET_HELLO_SUCCESS", "payload": {"hello": "world"}}`` for any GET."""
    return {"type": "GET_HELLO_SUCCESS", "payload": {"hello": "world"}}
