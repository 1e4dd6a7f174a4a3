"""nginx with the project's proxy configuration, on a free loopback port, before a server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from string import Template

from .live_server import ROOT, free_port

NGINX = shutil.which("nginx") or next(
    (path for path in ("/usr/sbin/nginx",) if Path(path).is_file()), None
)
TEMPLATE = ROOT / "deploy" / "nginx" / "nginx.conf.template"


def render(temp_dir: str, listen: str, upstream: str, forwarded_by: str = "unix:") -> str:
    """The proxy's configuration with its placeholders filled in; nginx's own ``$`` kept.

    ``forwarded_by`` is whose X-Forwarded-For nginx believes: by default nobody's, since
    clients connect straight to it.
    """
    return Template(TEMPLATE.read_text(encoding="utf-8")).safe_substitute(
        TEMP_DIR=temp_dir, LISTEN=listen, UPSTREAM=upstream, FORWARDED_BY=forwarded_by
    )


@contextmanager
def running_nginx(upstream_port: int, forwarded_by: str = "unix:") -> Iterator[int]:
    """nginx in front of 127.0.0.1:``upstream_port``; yields the port it listens on."""
    assert NGINX is not None
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="twitchlore-nginx-") as scratch:
        config = Path(scratch) / "nginx.conf"
        config.write_text(
            render(scratch, f"127.0.0.1:{port}", f"127.0.0.1:{upstream_port}", forwarded_by),
            encoding="utf-8",
        )
        # Run as root (a container build machine), nginx would hand its workers to a user
        # that cannot write the scratch directory; keep them as root there.
        directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
        process = subprocess.Popen(
            [NGINX, "-e", "stderr", "-c", str(config), "-g", directives],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError("nginx did not start") from None
                    time.sleep(0.05)
            yield port
        finally:
            process.terminate()
            process.wait(timeout=10)
