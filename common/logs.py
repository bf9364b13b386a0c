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

from flask import Flask, Response, g, has_request_context, request


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
        if has_request_context():
            entry["request_id"] = g.get("request_id")
            entry["path"] = request.path
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

    @app.before_request
    def _request_id() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else secrets.token_hex(16)

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        if "request_id" in g:
            response.headers["X-Request-Id"] = g.request_id
        return response
