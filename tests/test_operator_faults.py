"""The service as `make run` starts it when what the operator provides fails: a log reader that
stalls, a metrics directory that fills up, turns read-only or collects dead workers' files.

Each test starts its own server, as `make run` does, and bounds every wait.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from service.edge.metric_files import ENVIRONMENT

from .faults import fill, read_only, restart_a_worker, small_tmpfs
from .helpers import metric
from .hostile import READING, Answer, eventually, request, worker_pids
from .live_server import Server, running_server, server_with_stalled_stderr

pytestmark = pytest.mark.slow


def port_of(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1])


def test_a_stalled_log_reader_never_blocks_a_request() -> None:
    """With stderr a pipe nobody reads, readings and /healthz still answer well past the 256
    requests whose log lines fill the pipe; the lines wait in the queue meanwhile."""
    with server_with_stalled_stderr() as (port, written):
        statuses = [request(port, READING, timeout=5).status for _ in range(600)]
        health = request(port, "/healthz", timeout=5)
        metrics = request(port, "/metrics", timeout=5).body.decode()
    assert statuses == [200] * 600
    assert health.status == 200
    assert metric(metrics, "twitchlore_log_lines_dropped_total") == 0  # 600 lines fit the queue
    log = written[0].decode()
    assert log.count('"logger": "twitchlore.access"') >= 600


# --- The metrics directory ------------------------------------------------------------------


def metric_files_of(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.glob("*.db"))


def requests_counted(port: int) -> float:
    """Readings answered 200 as /metrics counts them, over every worker, living or not."""
    text = request(port, "/metrics", timeout=5).body.decode()
    return metric(
        text,
        "twitchlore_http_requests_total",
        endpoint="readings.Readings",
        method="GET",
        status="200",
    )


def test_exited_workers_metrics_add_up_and_their_files_go(tmp_path: Path) -> None:
    """Workers come and go: their request counts stay in the totals, and their files are
    folded into one file per kind instead of piling up."""
    directory = tmp_path / "metrics"
    with running_server(WEB_CONCURRENCY="2", PROMETHEUS_MULTIPROC_DIR=str(directory)) as server:
        port = port_of(server)
        eventually(lambda: len(worker_pids(server.process.pid)) == 2)
        for _ in range(20):
            assert request(port, READING).status == 200
        files_before = metric_files_of(directory)
        for _ in range(5):
            restart_a_worker(server)
            assert request(port, READING).status == 200
        counted = requests_counted(port)
        files_after = metric_files_of(directory)
        live = worker_pids(server.process.pid)
        log = server.log_text()
    assert counted == 25
    assert len(files_after) <= len(files_before) + 3  # plus counter, histogram: kept totals
    assert {"counter_retired.db", "histogram_retired.db"} <= set(files_after)
    for name in files_after:
        pid = name.rsplit("_", 1)[1].removesuffix(".db")
        assert pid == "retired" or int(pid) in live or int(pid) == server.process.pid, name
    assert "could not" not in log


def test_one_dataset_info_series_after_a_reload(data_dir: Path, tmp_path: Path) -> None:
    """After SIGHUP serves new data, /metrics shows the new dataset only: the old workers'
    gauge files go with them."""
    dataset_file = data_dir / "dataset.yaml"
    with running_server(
        WEB_CONCURRENCY="2",
        TWITCHLORE_DATA_DIR=str(data_dir),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
    ) as server:
        port = port_of(server)
        old = str(request(port, "/v1/dataset").json()["version"])
        for _ in range(4):  # both workers scrape, so both have the old series
            request(port, "/metrics")
        text = dataset_file.read_text(encoding="utf-8")
        dataset_file.write_text(text.replace(f'"{old}"', '"99.0.0"'), encoding="utf-8")
        os.kill(server.process.pid, signal.SIGHUP)

        def one_series() -> bool:
            """/metrics shows the new dataset, and only it"""
            series = [
                line
                for line in request(port, "/metrics").body.decode().splitlines()
                if line.startswith("twitchlore_dataset_info{")
            ]
            return len(series) == 1 and 'version="99.0.0"' in series[0]

        eventually(one_series)


def test_one_temporary_metrics_directory_per_run_removed_at_exit(tmp_path: Path) -> None:
    """Without PROMETHEUS_MULTIPROC_DIR, a run makes one directory, SIGHUP or not, and removes
    it when it stops."""
    environment = {key: value for key, value in os.environ.items() if key != ENVIRONMENT}
    temporary = tmp_path / "tmp"
    temporary.mkdir()

    def made() -> list[Path]:
        return sorted(temporary.glob("twitchlore-metrics-*"))

    with patched_environ(environment), running_server(TMPDIR=str(temporary)) as server:
        for _ in range(3):
            os.kill(server.process.pid, signal.SIGHUP)
            time.sleep(1)
        assert request(port_of(server), READING).status == 200
        during = made()
    assert len(during) == 1
    assert made() == []


@contextmanager
def patched_environ(environment: dict[str, str]) -> Iterator[None]:
    """os.environ is ``environment`` until the block ends (the server inherits it)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(environment)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


# --- A full or read-only metrics directory (needs root, to mount a small tmpfs) --------------


needs_root = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("mount") is None, reason="mounting a tmpfs needs root"
)


@needs_root
def test_a_full_metrics_disk_never_crashes_a_worker_nor_drops_a_request(tmp_path: Path) -> None:
    """With the metrics disk full, new metrics and new workers (SIGHUP) cannot get room: no
    worker dies (no SIGBUS), every request answers, and one line per process says so."""
    with (
        small_tmpfs(tmp_path / "metrics", "1m") as directory,
        running_server(WEB_CONCURRENCY="2", PROMETHEUS_MULTIPROC_DIR=str(directory)) as server,
    ):
        port = port_of(server)
        assert request(port, READING).status == 200
        fill(directory)
        statuses, scrape, log = after_sighup(server)  # new workers: new files, on a full disk
    assert statuses == list(PATHS.values()) * 10
    assert scrape.status == 200
    assert "SIGBUS" not in log and "Traceback" not in log
    assert 1 <= log.count("metrics cannot be written") <= 2 + 1  # per new worker (+ master)


@needs_root
def test_a_read_only_metrics_directory_after_sighup_drops_no_request(tmp_path: Path) -> None:
    """The metrics directory turned read-only (a read-only mount over it), then SIGHUP: the new
    workers cannot make their files, and still answer every request."""
    directory = tmp_path / "metrics"
    with running_server(WEB_CONCURRENCY="2", PROMETHEUS_MULTIPROC_DIR=str(directory)) as server:
        port = port_of(server)
        assert request(port, READING).status == 200
        with read_only(directory):
            statuses, scrape, log = after_sighup(server)
    assert statuses == list(PATHS.values()) * 10
    assert scrape.status == 200
    assert "Traceback" not in log
    assert "metrics cannot be written" in log


PATHS = {READING: 200, "/v1/dataset": 200, "/healthz": 200, "/v1/omens": 200, "/v1/none": 404}
"""Paths and their statuses: each a label set of its own in the metrics."""


def after_sighup(server: Server) -> tuple[list[int], Answer, str]:
    """SIGHUP (new workers), then each of PATHS 10 times: their statuses, a scrape, the log."""
    port = port_of(server)
    os.kill(server.process.pid, signal.SIGHUP)
    time.sleep(2)
    statuses = [request(port, path).status for path in list(PATHS) * 10]
    return statuses, request(port, "/metrics"), server.log_text()
