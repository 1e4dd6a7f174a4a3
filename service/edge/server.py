"""How gunicorn runs the service: its worker class, and reloading the data on SIGHUP.

Only gunicorn.conf.py imports this module; the app itself knows nothing of the server.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from gunicorn import util
from gunicorn.http import wsgi
from gunicorn.workers.ggevent import GeventWorker

from ..config import ConfigError
from ..dataset import DatasetError
from ..errors import PROBLEM_MEDIA_TYPE, problem_title
from .checks import MAX_BODY_BYTES

logger = logging.getLogger("twitchlore.server")

SERVER_ERROR_DETAILS = {
    400: "The request is not valid HTTP.",
    414: "The request line is too long: keep the URL under 2048 bytes of query.",
    431: "The request headers are too large or too many.",
    500: "The server could not answer this request. Please try again later.",
    501: "This transfer coding is not supported.",
}
"""What the client is told when the HTTP server itself refuses a request."""


def problem_bytes(status: int, reason: str) -> bytes:
    """A complete HTTP/1.1 answer carrying an RFC 9457 problem, closing the connection."""
    body = json.dumps(
        {
            "type": "about:blank",
            "title": problem_title(status),
            "status": status,
            "detail": SERVER_ERROR_DETAILS.get(status, reason),
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Connection: close\r\n"
        f"Content-Type: {PROBLEM_MEDIA_TYPE}\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


def write_problem(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's ``util.write_error``, answering problem details instead of an HTML page."""
    util.write_nonblock(sock, problem_bytes(status_int, reason))


HIGHEST_VERSION = (1, 1)
"""The highest HTTP/1 version this server speaks, and so answers in (RFC 9110 §2.5)."""


class EdgeResponse(wsgi.Response):  # type: ignore[misc]
    """gunicorn's HTTP/1 answer, with three changes at the edge.

    - The status line says HTTP/1.1 to a request in a later 1.x version (``HTTP/1.9``),
      as RFC 9110 §2.5 asks, instead of echoing the client's version.
    - No ``Server`` header: which server runs the service is nobody's business.
    - An app's ``Connection: close`` closes the connection after the answer. The app
      sends it with a refusal that leaves a body unread (too large, malformed chunks),
      so the server never reads (and waits for) the rest of that body to reuse the
      connection; gunicorn would otherwise drop the header as hop-by-hop and keep going.
    """

    def default_headers(self) -> list[str]:
        status_line, *headers = super().default_headers()
        version = min(tuple(self.req.version), HIGHEST_VERSION)
        status_line = f"HTTP/{version[0]}.{version[1]} {self.status}\r\n"
        return [status_line, *(line for line in headers if not line.startswith("Server:"))]

    def process_headers(self, headers: list[tuple[str, str]]) -> None:
        if any(
            name.lower() == "connection" and value.strip().lower() == "close"
            for name, value in headers
        ):
            self.force_close()
        super().process_headers(headers)


def declared_length(req: Any) -> int:
    """The Content-Length a parsed request declares (0 if none or unreadable)."""
    for name, value in req.headers:
        if name == "CONTENT-LENGTH":
            return int(value) if value.isdigit() else 0
    return 0


class ProblemGeventWorker(GeventWorker):  # type: ignore[misc]
    """gunicorn's gevent worker, whose own error answers are problem details.

    gunicorn answers a request it cannot parse (request line or headers too large, too
    many headers, malformed) before the app sees it, with an HTML page written by
    ``util.write_error``. It offers no hook for that page, so the worker points that one
    function at ``write_problem`` when it starts, and its answers at ``EdgeResponse``.
    """

    def init_process(self) -> None:
        util.write_error = write_problem
        wsgi.Response = EdgeResponse
        super().init_process()

    def handle_request(self, listener_name: str, req: Any, sock: Any, addr: Any) -> None:
        """Answer ``req``; a body larger than the app takes gets no ``100 Continue``.

        gunicorn sends ``100 Continue`` before the app runs, inviting the client to
        send its body; for a declared body the app refuses anyway (413, connection
        closed) it is not invited: RFC 9110 §10.1.1 lets the final status come instead.
        """
        if req._expected_100_continue and declared_length(req) > MAX_BODY_BYTES:
            req._expected_100_continue = False
        super().handle_request(listener_name, req, sock, addr)


def reload_app(arbiter: Any) -> None:
    """Build the app again from the current data and settings, for the workers SIGHUP starts.

    A dataset or setting with a mistake leaves the running app in place: the old data
    keeps being served and one line says why.
    """
    from .. import create_app
    from ..state import EXTENSION_NAME

    try:
        app = create_app()
    except (DatasetError, ConfigError) as error:
        logger.error("reload refused, still serving the data loaded before: %s", error)
        return
    arbiter.app.callable = app
    dataset = app.extensions[EXTENSION_NAME].dataset
    logger.info("reloaded: serving dataset %s (%s)", dataset.info.version, dataset.checksum[:12])
