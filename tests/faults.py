"""Faults in what the operator provides, for tests and `make abuse`: a full or read-only
metrics directory (root only: they mount), workers that come and go."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .hostile import eventually, worker_pids
from .live_server import Server


def restart_a_worker(server: Server) -> None:
    """Stop one worker (SIGTERM) and wait until the server has replaced it."""
    before = set(worker_pids(server.process.pid))
    os.kill(min(before), signal.SIGTERM)

    def replaced() -> bool:
        """the worker was replaced"""
        now = set(worker_pids(server.process.pid))
        return len(now) == len(before) and now != before

    eventually(replaced, seconds=60)  # a loaded machine may take a while


@contextmanager
def small_tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``path``, unmounted afterwards."""
    path.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@contextmanager
def read_only(directory: Path) -> Iterator[Path]:
    """``directory`` read-only (a read-only mount over it) until the block ends; files already
    open for writing stay writable, as when a volume is remounted under a running server."""
    subprocess.run(["mount", "--bind", str(directory), str(directory)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(directory)], check=True)
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=False)


def fill(directory: Path) -> None:
    """Fill the file system of ``directory`` to its last block."""
    with (directory / "filler").open("wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 4096)
        except OSError:
            pass
