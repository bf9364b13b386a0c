"""gunicorn's worker with its own error pages in the envelope (API.md, "Envelope").

gunicorn parses the request before Flask sees it, and answers what it cannot parse with
an HTML page of its own (``gunicorn.util.write_error``): more than ``limit_request_fields``
headers, a control character in a header nginx does not check, a malformed chunk. nginx
passes such an answer on, so the SPA would get HTML where API.md promises an FSA.
``FsaSyncWorker`` is gunicorn's sync worker with ``handle_error`` answering the same
statuses as gunicorn (400, 403, 414, 417, 431, 501, and 500 for anything else) as FSAs
with the keys nginx uses for its own errors (``common.fsa.GatewayMsg``).

Used by every service: ``gunicorn --worker-class common.gunicorn_worker.FsaSyncWorker``
(``devstack/supervisor.py`` and the Dockerfile's ``GUNICORN_CMD_ARGS``).
"""
from __future__ import annotations

import gc
import json
import logging
import ssl
from typing import Any

from gunicorn import util
from gunicorn.http import errors
from gunicorn.http.message import Request
from gunicorn.workers.sync import SyncWorker

from common.fsa import NO_STORE, GatewayMsg, fold

logger = logging.getLogger(__name__)

#: exception class → (status, reason phrase, message key); the first match wins, so
#: subclasses come before their bases. The statuses are gunicorn's own.
_CLIENT_ERRORS: tuple[tuple[type[BaseException], int, str, GatewayMsg], ...] = (
    (errors.LimitRequestLine, 414, "URI Too Long", GatewayMsg.request_uri_too_large),
    (errors.LimitRequestHeaders, 431, "Request Header Fields Too Large", GatewayMsg.request_header_fields_too_large),
    (errors.UnsupportedTransferCoding, 501, "Not Implemented", GatewayMsg.not_implemented),
    (errors.ExpectationFailed, 417, "Expectation Failed", GatewayMsg.bad_request),
    (errors.ForbiddenProxyRequest, 403, "Forbidden", GatewayMsg.bad_request),
    (ssl.SSLError, 403, "Forbidden", GatewayMsg.bad_request),
    (errors.ParseException, 400, "Bad Request", GatewayMsg.bad_request),
)
#: headers the application failed to send are the application's fault, not the client's
_SERVER_FAULTS = (errors.InvalidResponseHeader, errors.InvalidResponseHeaderName, errors.ConfigurationProblem)


def classify(exc: BaseException) -> tuple[int, str, GatewayMsg]:
    """(status, reason phrase, message key) of the answer to ``exc``, as gunicorn's
    ``Worker.handle_error`` classifies it; 500 for anything that is not the client's fault."""
    if not isinstance(exc, _SERVER_FAULTS):
        for cls, status, reason, key in _CLIENT_ERRORS:
            if isinstance(exc, cls):
                return status, reason, key
    return 500, "Internal Server Error", GatewayMsg.internal_server_error


def error_response(status: int, reason: str, action_type: str, key: GatewayMsg) -> bytes:
    """The raw HTTP/1.1 answer: an FSA ``{"type", "error": true, "payload": {"message"}}``,
    JSON, ``Cache-Control: no-store``, and ``Connection: close`` (the stream cannot be
    trusted after a parse error)."""
    body = json.dumps({"type": action_type, "error": True, "payload": {"message": key.value}}).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Cache-Control: {NO_STORE}\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


def request_method(req: Any, exc: BaseException) -> str | None:
    """The method of the request that failed, for the FSA type ``<METHOD>_<SERVICE>_FAIL``.

    gunicorn raises most parse errors from inside ``Request.__init__``, after the request
    line (and so the method) was read but before the request object reached the worker:
    then the method is found on the ``Request`` being built, in the traceback's frames.
    None when the request line itself could not be read.
    """
    for candidate in (req, getattr(exc, "req", None)):
        if getattr(candidate, "method", None):
            return candidate.method
    tb = exc.__traceback__
    while tb is not None:
        building = tb.tb_frame.f_locals.get("self")
        if isinstance(building, Request) and getattr(building, "method", None):
            return building.method
        tb = tb.tb_next
    return None


class FsaSyncWorker(SyncWorker):
    """gunicorn's sync worker whose parse and server errors are answered as FSAs, and
    whose loaded app is left out of the cyclic garbage collector's scans."""

    def load_wsgi(self) -> None:
        """Load the app, then ``gc.freeze()`` every object that exists by then (modules,
        the app, schemas, clients): they live as long as the worker, and a full
        collection no longer walks them on the request path (issue 15: the collector
        was ~6% of a read's CPU samples). Python docs, ``gc.freeze``. With
        ``--preload`` the master loaded the app and froze it before the fork
        (``common.gunicorn_conf.pre_fork``); no ``gc.collect()`` here then, since it
        would write to every shared page."""
        super().load_wsgi()
        if not self.cfg.preload_app:
            gc.collect()
        gc.freeze()

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        """Answer ``exc`` (raised while reading or serving ``req``, which may be None) on
        ``client`` with an FSA of the status gunicorn would have used; log it as gunicorn does."""
        status, reason, key = classify(exc)
        if status == 500:
            self.log.exception("Error handling request %s", getattr(req, "uri", "(no URI read)"))
        else:
            self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        method = request_method(req, exc) or "HTTP"
        action_type = "_".join(p for p in (fold(method), fold(self._service()), "FAIL") if p)
        try:
            util.write_nonblock(client, error_response(status, reason, action_type, key))
        except Exception:  # the client went away: nothing left to tell it
            self.log.debug("Failed to send error message.")

    def _service(self) -> str:
        """The service's URL name (``personal-data``), from the loaded Flask app; ``api`` if unknown."""
        extension = getattr(self.wsgi, "extensions", {}).get("tessera")
        return getattr(extension, "url_name", "api")
