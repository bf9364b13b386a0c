"""Structured JSON logs: one object a line, with the service and the request id.

The request id is nginx's ``$request_id`` (header ``X-Request-Id``) when there is one, so
one id follows a request from nginx to the service; otherwise a fresh one is made.
"""
from __future__ import annotations

import json
import logging
import secrets
import sys
from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask, Response



class JsonFormatter(logging.Formatter):
    """Format records as JSON: ``ts`` (ISO 8601 UTC), ``level``, ``logger``, ``msg``,
    ``service``, ``request_id`` (inside a request), ``exc`` (when there is a traceback)."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "service": self.service,
        }
        # Flask is looked up, never imported: the queue workers log through this too and
        # run without Flask, Werkzeug, Jinja2 and Click (issue 15: 41 → 35 MiB of
        # anonymous memory for the AM worker); a process without Flask has no request.
        flask = sys.modules.get("flask")
        if flask is not None and flask.has_request_context():
            entry["request_id"] = flask.g.get("request_id")
            entry["path"] = flask.request.path
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure(service: str, level: str) -> None:
    """Send every log record of the process to stderr as JSON, at ``level``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # pika narrates every connection step at INFO; its warnings are what matter here
    logging.getLogger("pika").setLevel(max(logging.WARNING, logging.getLevelName(level)))


def init_app(app: Flask) -> None:
    """Give every request an id and answer with it in ``X-Request-Id``."""
    from flask import g, request

    @app.before_request
    def _request_id() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else secrets.token_hex(16)

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        if "request_id" in g:
            response.headers["X-Request-Id"] = g.request_id
        return response
