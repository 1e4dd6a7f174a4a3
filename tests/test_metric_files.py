"""Metrics files that survive their directory, in-process: reserved blocks, errors absorbed,
dead workers' counts kept. tests/test_operator_faults.py runs the same faults under the server."""

from __future__ import annotations

import errno
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, generate_latest, mmap_dict, multiprocess, values

from service.edge import metric_files


class Tally:
    """Stands in for the write-error counter."""

    def __init__(self) -> None:
        self.count = 0

    def inc(self) -> None:
        self.count += 1


@pytest.fixture
def directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty metrics directory in use, with prometheus_client's files reserved."""
    folder = tmp_path / "metrics"
    folder.mkdir()
    monkeypatch.setenv(metric_files.ENVIRONMENT, str(folder))
    monkeypatch.setattr(values, "MmapedDict", metric_files.reserved_mmaped_dict())
    return folder


@pytest.fixture
def reporter(monkeypatch: pytest.MonkeyPatch) -> Tally:
    """A fresh reporter: nothing logged yet, errors counted in a tally."""
    tally = Tally()
    monkeypatch.setattr(metric_files.REPORTER, "logged", False)
    monkeypatch.setattr(metric_files.REPORTER, "counter", tally)
    return tally


def new_value(
    value_class: Any = None, name: str = "twitchlore_test_total", labels: tuple[str, ...] = ()
) -> Any:
    """A counter's value in this process's files, made with ``value_class`` (else a new one)."""
    value_class = value_class or metric_files.resilient_value_class(values.MultiProcessValue())
    names = tuple(f"label{n}" for n in range(len(labels)))
    return value_class("counter", name, name, names, labels, "A test counter.")


def scraped(directory: Path) -> str:
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, str(directory))
    return generate_latest(registry).decode()


def test_values_reach_the_files_with_their_blocks_reserved(directory: Path) -> None:
    """A value is written to its process's file, whose every block is allocated (no SIGBUS
    on a full disk later), also when the file grows past its first size."""
    value_class = metric_files.resilient_value_class(values.MultiProcessValue())
    new_value(value_class).inc(3)
    assert "twitchlore_test_total 3.0" in scraped(directory)
    for n in range(1000):  # keys enough to outgrow the first 64 KiB
        new_value(value_class, "twitchlore_many_total", (f"{n:040}",)).inc(1)
    (file,) = directory.glob("counter_*.db")
    size = file.stat().st_size
    assert size > mmap_dict._INITIAL_MMAP_SIZE
    assert file.stat().st_blocks * 512 >= size


def test_a_full_disk_keeps_values_in_memory_logs_once_and_counts(
    directory: Path, reporter: Tally, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No room for a new file: no empty file is left to break scrapes, the values count on in
    memory, one line says so and every failed write is counted."""

    def no_room(file: Any, size: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(metric_files, "reserve", no_room)
    logged: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: logged.append(record.getMessage())  # type: ignore[method-assign]
    metric_files.logger.addHandler(handler)
    try:
        first = new_value(name="twitchlore_a_total")
        second = new_value(name="twitchlore_b_total")
        first.inc(2)
        second.set(5)
    finally:
        metric_files.logger.removeHandler(handler)
    assert (first.get(), second.get()) == (2.0, 5.0)
    assert list(directory.iterdir()) == []
    assert reporter.count == 2
    assert len(logged) == 1 and "No space left" in logged[0]


def test_a_write_that_fails_later_is_absorbed_and_counted(directory: Path, reporter: Tally) -> None:
    """A file that breaks after it was made (closed under the process): the request's update
    stays in memory and is counted, never raised."""
    value = new_value()
    value.inc(1)
    values.close_all_multiprocess_files()
    value.inc(1)
    assert value.get() == 2.0
    assert reporter.count == 1


def test_an_unwritable_directory_is_absorbed(
    tmp_path: Path, reporter: Tally, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory that cannot hold files (here a path under a file, as a read-only one
    refuses them): values count in memory and the failure is counted."""
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv(metric_files.ENVIRONMENT, str(tmp_path / "a-file" / "metrics"))
    value = new_value()
    value.inc(4)
    assert value.get() == 4.0
    assert reporter.count == 1


def test_the_reporter_does_not_recurse_on_its_own_counter(reporter: Tally) -> None:
    """If counting the error fails too, the reporter stops there."""

    class Failing:
        def inc(self) -> None:
            metric_files.REPORTER.report(OSError("again"))
            reporter.count += 1

    metric_files.REPORTER.counter = Failing()
    metric_files.REPORTER.report(OSError("first"))
    assert reporter.count == 1


def test_exited_workers_counts_are_kept_and_their_files_removed(directory: Path) -> None:
    """Two workers exit one after the other: their counters add up in one kept file, their
    gauges go, and the living worker's files stay."""
    reserved = metric_files.reserved_mmaped_dict()
    key = mmap_dict.mmap_key("twitchlore_x_total", "twitchlore_x_total", [], [], "x")
    for pid, amount in ((101, 2.0), (102, 5.0), (103, 7.0)):
        counters = reserved(str(directory / f"counter_{pid}.db"))
        counters.write_value(key, amount, 0.0)
        counters.close()
        gauges = reserved(str(directory / f"gauge_max_{pid}.db"))
        gauges.write_value(key, 1.0, 0.0)
        gauges.close()
    before = scraped(directory)
    metric_files.retire_process(101)
    metric_files.retire_process(102)
    metric_files.retire_process(104)  # a worker that never wrote a metric
    assert sorted(path.name for path in directory.iterdir()) == [
        "counter_103.db",
        "counter_retired.db",
        "gauge_max_103.db",
    ]
    assert "twitchlore_x_total 14.0" in before and "twitchlore_x_total 14.0" in scraped(directory)


def test_a_merge_without_room_leaves_the_dead_files(
    directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No room to keep an exited worker's counts: its file stays (still scraped), so nothing
    is lost and nothing counted twice."""
    reserved = metric_files.reserved_mmaped_dict()
    counters = reserved(str(directory / "counter_201.db"))
    counters.write_value("k", 1.0, 0.0)
    counters.close()

    def no_room(file: Any, size: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(metric_files, "reserve", no_room)
    metric_files.retire_process(201)
    assert (directory / "counter_201.db").exists()
    assert not (directory / "counter_retired.db").exists()


def test_one_directory_is_made_per_run_and_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without PROMETHEUS_MULTIPROC_DIR, the first call makes a directory, later calls (a
    reloaded configuration) reuse it, and the end of the run removes it; a given one stays."""
    environment = {k: v for k, v in os.environ.items() if k != metric_files.ENVIRONMENT}
    monkeypatch.setattr(os, "environ", environment)  # whatever the test sets goes with it
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(metric_files, "_made", [])
    made = metric_files.run_directory()
    assert metric_files.run_directory() == made
    assert [path.name for path in tmp_path.iterdir()] == [Path(made).name]
    metric_files.remove_run_directory()
    assert list(tmp_path.iterdir()) == []
    given = tmp_path / "given" / "metrics"
    environment[metric_files.ENVIRONMENT] = str(given)
    assert metric_files.run_directory() == str(given) and given.is_dir()
    metric_files.remove_run_directory()
    assert given.is_dir()


def test_install_only_in_multiprocess_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """install() replaces prometheus_client's value class only when a directory is set."""
    monkeypatch.setattr(values, "ValueClass", values.ValueClass)
    monkeypatch.setattr(values, "MmapedDict", mmap_dict.MmapedDict)
    monkeypatch.delenv(metric_files.ENVIRONMENT, raising=False)
    before = values.ValueClass
    metric_files.install()
    assert values.ValueClass is before
    monkeypatch.setenv(metric_files.ENVIRONMENT, str(tmp_path))
    metric_files.install()
    assert values.ValueClass is not before
    assert values.MmapedDict is metric_files.reserved_mmaped_dict()  # type: ignore[attr-defined]
    assert os.environ[metric_files.ENVIRONMENT] == str(tmp_path)
