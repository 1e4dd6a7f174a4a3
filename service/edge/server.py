"""How gunicorn runs the service: its worker class, and reloading the data on SIGHUP.

Only gunicorn.conf.py imports this module; the app itself knows nothing of the server.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from gunicorn import util
from gunicorn.workers.ggevent import GeventWorker

from ..config import ConfigError
from ..dataset import DatasetError
from ..errors import PROBLEM_MEDIA_TYPE, problem_title

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


class ProblemGeventWorker(GeventWorker):  # type: ignore[misc]
    """gunicorn's gevent worker, whose own error answers are problem details.

    gunicorn answers a request it cannot parse (request line or headers too large, too
    many headers, malformed) before the app sees it, with an HTML page written by
    ``util.write_error``. It offers no hook for that page, so the worker points that one
    function at ``write_problem`` when it starts.
    """

    def init_process(self) -> None:
        util.write_error = write_problem
        super().init_process()


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
