"""Metrics files that survive their directory: full, read-only, or filling up with dead workers.

Under the server every worker keeps its metrics in files of its own in one directory
(prometheus_client's multiprocess mode, ``PROMETHEUS_MULTIPROC_DIR``), memory-mapped.
prometheus_client makes those files sparse, so on a full disk a request that writes a
metric touches a page with no block behind it and the worker dies of SIGBUS; a directory
it cannot write makes every request fail. Here:

- every file's blocks are reserved (``posix_fallocate``) before it is mapped, so a full
  disk is an error, never a SIGBUS;
- any error writing a metric is logged once per process and counted
  (``twitchlore_metrics_write_errors_total``), the value kept in memory, and the request
  goes on;
- when a worker exits, the master adds its counters and histograms to one file per kind
  and removes its files (``retire_process``), so totals add up and the directory does not
  grow with every restart;
- the directory is made once per run when none is given, and removed at exit
  (``run_directory``, ``remove_run_directory``).

This module imports prometheus_client only when asked to: it reads
``PROMETHEUS_MULTIPROC_DIR`` once, when it is first imported.
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
import tempfile
from typing import Any

logger = logging.getLogger("twitchlore.metrics")

ENVIRONMENT = "PROMETHEUS_MULTIPROC_DIR"
_made: list[str] = []
"""The directory this process made for the run, if it made one."""


def run_directory() -> str:
    """The metrics directory: ``PROMETHEUS_MULTIPROC_DIR``, else a temporary one made once
    per run (a configuration reloaded on SIGHUP gets the same one) and set in it."""
    if not os.environ.get(ENVIRONMENT):
        os.environ[ENVIRONMENT] = tempfile.mkdtemp(prefix="twitchlore-metrics-")
        _made.append(os.environ[ENVIRONMENT])
    directory = os.environ[ENVIRONMENT]
    os.makedirs(directory, exist_ok=True)  # a fresh volume's subdirectory, say
    return directory


def start_run() -> str:
    """The metrics directory for a new run of the server (``run_directory``), emptied of an
    earlier run's files, with prometheus_client set up to use it (``install``)."""
    directory = run_directory()
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory, exist_ok=True)
    install()
    return directory


def remove_run_directory() -> None:
    """Remove the directory ``run_directory`` made, if it made one (at the end of the run)."""
    for directory in _made:
        shutil.rmtree(directory, ignore_errors=True)
    _made.clear()


class _Reporter:
    """Logs the first metrics write error of this process and counts every one."""

    def __init__(self) -> None:
        self.logged = False
        self.reporting = False
        self.counter: Any = None

    def report(self, error: BaseException) -> None:
        if self.reporting:  # the counter's own write failed: it is still counted in memory
            return
        self.reporting = True
        try:
            if not self.logged:
                self.logged = True
                logger.error(
                    "metrics cannot be written to %s (%s): this process keeps them in memory, "
                    "where /metrics may not see them; requests are not affected",
                    os.environ.get(ENVIRONMENT),
                    f"{type(error).__name__}: {error}",
                )
            if self.counter is not None:
                self.counter.inc()
        finally:
            self.reporting = False


REPORTER = _Reporter()


def resilient_value_class(base: Any) -> Any:
    """A prometheus_client value class like ``base`` (the multiprocess one) whose file errors
    are reported and absorbed: the value is always kept in memory."""
    from prometheus_client.values import MutexValue

    class ResilientValue:
        _multiprocess = True

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._memory = MutexValue(*args, **kwargs)
            self._file: Any = None
            try:
                self._file = base(*args, **kwargs)
            except Exception as error:
                REPORTER.report(error)

        def inc(self, amount: float) -> None:
            self._memory.inc(amount)
            if self._file is not None:
                try:
                    self._file.inc(amount)
                except Exception as error:
                    REPORTER.report(error)

        def set(self, value: float, timestamp: float | None = None) -> None:
            self._memory.set(value, timestamp)
            if self._file is not None:
                try:
                    self._file.set(value, timestamp)
                except Exception as error:
                    REPORTER.report(error)

        def set_exemplar(self, exemplar: Any) -> None:
            return

        def get(self) -> float:
            return float(self._memory.get())

        def get_exemplar(self) -> None:
            return None

    return ResilientValue


def reserve(file: Any, size: int) -> None:
    """Reserve the blocks of ``file`` up to ``size`` bytes: OSError if the disk is full."""
    os.posix_fallocate(file.fileno(), 0, size)


_RESERVED: list[Any] = []


def reserved_mmaped_dict() -> Any:
    """prometheus_client's file of values, with its blocks reserved before they are mapped."""
    if _RESERVED:
        return _RESERVED[0]
    from prometheus_client import mmap_dict

    class ReservedMmapedDict(mmap_dict.MmapedDict):
        def __init__(self, filename: str, read_mode: bool = False) -> None:
            if not read_mode:
                with open(filename, "a+b") as file:
                    size = os.fstat(file.fileno()).st_size
                    if size < mmap_dict._INITIAL_MMAP_SIZE:
                        try:
                            reserve(file, mmap_dict._INITIAL_MMAP_SIZE)
                        except OSError:
                            if size == 0:  # an empty file would break every scrape
                                os.remove(filename)
                            raise
            super().__init__(filename, read_mode)

        def _init_value(self, key: str) -> None:
            entry_bytes = len(key.encode("utf-8")) + 32  # length, key, padding, two doubles
            capacity = self._capacity
            while self._used + entry_bytes > capacity:
                capacity *= 2
            if capacity > self._capacity:
                reserve(self._f, capacity)
            super()._init_value(key)

    _RESERVED.append(ReservedMmapedDict)
    return ReservedMmapedDict


def install() -> None:
    """In multiprocess mode, make prometheus_client's files reserved and its errors harmless.

    Call before any metric is created.
    """
    if not os.environ.get(ENVIRONMENT):
        return
    from prometheus_client import values

    values.MmapedDict = reserved_mmaped_dict()  # type: ignore[attr-defined]  # its lookup
    values.ValueClass = resilient_value_class(values.MultiProcessValue())


RETIRED_KINDS = ("counter", "histogram", "summary")
"""Kinds of metric whose dead processes' values still count: they are added up."""


def retire_process(pid: int, directory: str | None = None) -> None:
    """A worker has exited: add its counters and histograms to the kept totals, and remove its
    files (its gauges describe a process that is gone). Runs in a starting or stopping worker."""
    from prometheus_client.mmap_dict import MmapedDict

    directory = directory or os.environ.get(ENVIRONMENT)
    if not directory:
        return
    for kind in RETIRED_KINDS:
        dead = os.path.join(directory, f"{kind}_{pid}.db")
        if not os.path.exists(dead):
            continue
        try:
            entries = list(MmapedDict.read_all_values_from_file(dead))
            totals = reserved_mmaped_dict()(os.path.join(directory, f"{kind}_retired.db"))
            try:
                # Every key first (the only step that needs room), then the sums: a full
                # disk stops it before any total changes, so nothing is counted twice.
                kept = {key: totals.read_value(key)[0] for key, _, _, _ in entries}
                for key, value, _timestamp, _ in entries:
                    kept[key] += value
                for key, value in kept.items():
                    totals.write_value(key, value, 0.0)
            finally:
                totals.close()
            os.remove(dead)
        except Exception as error:
            logger.error("could not add up the metrics of exited worker %s: %s", pid, error)
    for gauge in glob.glob(os.path.join(directory, f"gauge_*_{pid}.db")):
        try:
            os.remove(gauge)
        except OSError as error:
            logger.error("could not remove the metrics of exited worker %s: %s", pid, error)


def retire_dead_processes(directory: str | None = None, also: tuple[int, ...] = ()) -> None:
    """Retire (``retire_process``) every process with metrics files that is no longer running.

    A server without a hook for a worker's exit calls this as each new worker starts, and
    as a worker stops with its own id in ``also``; a lock file keeps two workers from adding
    the same process's counts twice.
    """
    import fcntl

    directory = directory or os.environ.get(ENVIRONMENT)
    if not directory or not os.path.isdir(directory):
        return
    try:
        with open(os.path.join(directory, "retire.lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            for pid in sorted(_pids_with_files(directory)):
                if not _running(pid) or pid in also:
                    retire_process(pid, directory)
    except OSError as error:  # a read-only or full directory: the worker serves regardless
        logger.error("could not retire the metrics of exited workers: %s", error)


def _pids_with_files(directory: str) -> set[int]:
    """The process ids that metrics files in ``directory`` are named after."""
    pids = set()
    for path in glob.glob(os.path.join(directory, "*_*.db")):
        suffix = os.path.basename(path)[: -len(".db")].rsplit("_", 1)[-1]
        if suffix.isdigit():
            pids.add(int(suffix))
    return pids


def _running(pid: int) -> bool:
    """Whether a process with this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
