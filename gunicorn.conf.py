"""gunicorn settings for `make run` and the container, read from the environment."""

import os
import shutil
import tempfile

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Load the app (and validate the dataset) once in the master: a broken dataset
# stops start-up with one message, and workers share the loaded data.
preload_app = True
# The app writes one JSON line per request itself; gunicorn's own access log would repeat it.
accesslog = None
errorlog = "-"
# Above the app's own bounds (2 KiB query, 8 KiB headers), so those answer as problem details.
limit_request_line = 8190
limit_request_field_size = 16380
# No runtime control socket: nothing here uses gunicornc, and in the container the
# non-root user has no home directory to put it in.
control_socket_disable = True

# Prometheus metrics from every worker process: each writes to files in this directory.
# It must exist before the app is imported, and start empty.
metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="twitchlore-metrics-")
)


def on_starting(server):
    """Empty the metrics directory of a previous run's files."""
    shutil.rmtree(metrics_dir, ignore_errors=True)
    os.makedirs(metrics_dir, exist_ok=True)


def child_exit(server, worker):
    """Drop a dead worker's live gauges from the metrics."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
