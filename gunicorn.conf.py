"""gunicorn settings for `make run` and the container, read from the environment.

Workers are gevent workers: each connection is a cheap greenlet, so clients that send
their request slowly (or never finish it) wait on their own and hold no worker. gevent
patches the standard library here, before the app is loaded, so that everything the app
imports (sockets to Redis included) cooperates with it.
"""

from gevent import monkey

monkey.patch_all()

import os  # noqa: E402 - after patching, by design
import shutil  # noqa: E402
import sys  # noqa: E402

from service.edge import metric_files  # noqa: E402

# Prometheus metrics from every worker process: each writes to files in this directory.
# It must be set before prometheus_client is imported, and start empty. Without
# PROMETHEUS_MULTIPROC_DIR, one temporary directory serves the run (this file is read again
# on every SIGHUP) and is removed at exit.
metrics_dir = metric_files.run_directory()

from service.config import ConfigError, worker_count  # noqa: E402
from service.edge.server import reload_app  # noqa: E402

try:
    workers = worker_count(os.environ)
except ConfigError as error:
    sys.exit(f"Error: {error}")

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
worker_class = "service.edge.server.ProblemGeventWorker"
# Connections each worker serves at once; beyond them, new ones wait in the listen queue.
worker_connections = 1000
# Slow clients no longer hold a worker, but a request must still be read in bounded time:
# a connection idle this long between keep-alive requests is closed.
keepalive = 5
# Load the app (and validate the dataset) once in the master: a broken dataset
# stops start-up with one message, and workers share the loaded data.
preload_app = True
# On SIGTERM, finish in-flight requests for up to this long before exiting.
graceful_timeout = 20
# The app writes one JSON line per request itself; gunicorn's own access log would repeat it.
accesslog = None
errorlog = "-"
# Above the app's own bounds (2 KiB query, 8 KiB headers), so those answer from the app;
# beyond these, the server answers 414 / 431 itself, as problem details too.
limit_request_line = 8190
limit_request_field_size = 16380
limit_request_fields = 100
# No runtime control socket: nothing here uses gunicornc, and in the container the
# non-root user has no home directory to put it in.
control_socket_disable = True


def on_starting(server):
    """Empty the metrics directory of a previous run's files."""
    shutil.rmtree(metrics_dir, ignore_errors=True)
    os.makedirs(metrics_dir, exist_ok=True)


def on_reload(server):
    """SIGHUP: load and validate data/ again; new workers serve it, or the old data if broken."""
    reload_app(server)


def child_exit(server, worker):
    """A worker exited: add its counters to the kept totals and remove its metrics files."""
    metric_files.retire_process(worker.pid)


def on_exit(server):
    """Remove the metrics directory made for this run, if one was made."""
    metric_files.remove_run_directory()
