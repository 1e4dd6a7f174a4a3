"""What hostile or careless clients do, against a server on loopback; bounded in count and time.

The hostile-client tests run short versions of these; `make abuse` (bench/abuse.py) runs
long ones and prints the figures. Every function only talks to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import socket
import string
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

READING = "/v1/readings?side=left&lip=upper&sudden=true"


@dataclass(frozen=True)
class Answer:
    """One answer as a plain HTTP client sees it."""

    status: int
    content_type: str
    body: bytes
    seconds: float
    headers: dict[str, str]

    def json(self) -> dict[str, object]:
        parsed: dict[str, object] = json.loads(self.body)
        return parsed


def request(
    port: int,
    path: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    timeout: float = 5.0,
) -> Answer:
    """Send one request with ``path`` exactly as given (no normalising) to 127.0.0.1:``port``."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return Answer(
        response.status,
        response.getheader("Content-Type", ""),
        body,
        time.perf_counter() - started,
        {name.lower(): value for name, value in response.getheaders()},
    )


def raw_exchange(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes and read the answer until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@contextmanager
def slow_clients(port: int, count: int, byte_interval: float = 1.0) -> Iterator[list[int]]:
    """``count`` connections that trickle a request's header one byte per ``byte_interval``.

    They run until the context ends; the list yielded counts the bytes sent so far.
    """
    head = b"GET " + READING.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.setblocking(False)
        sockets.append(sock)
    sent = [0]
    stop = threading.Event()

    def trickle() -> None:
        position = 0
        while not stop.wait(byte_interval):
            byte = head[position : position + 1] if position < len(head) else b"a"
            for sock in sockets:
                try:
                    sent[0] += sock.send(byte)
                except OSError:
                    pass
            position += 1

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        yield sent
    finally:
        stop.set()
        thread.join(timeout=5)
        for sock in sockets:
            sock.close()


PATH_SPELLINGS = [
    "/v1/readings",
    "//v1/readings",
    "/v1//readings",
    "/./v1/readings",
    "/v1/./readings",
    "/v1/omens/../readings",
]


def spelled_readings(port: int, per_spelling: int) -> dict[str, list[int]]:
    """The statuses of readings asked with each spelling of their path in turn."""
    statuses: dict[str, list[int]] = {spelling: [] for spelling in PATH_SPELLINGS}
    for _ in range(per_spelling):
        for spelling in PATH_SPELLINGS:
            answer = request(port, f"{spelling}?side=right&lip=lower")
            statuses[spelling].append(answer.status)
    return statuses


def random_token(length: int, alphabet: str = string.ascii_uppercase) -> str:
    return "".join(random.choices(alphabet, k=length))


def random_method_requests(port: int, count: int) -> list[int]:
    """Statuses of ``count`` requests to /healthz, each with a new made-up method name."""
    return [request(port, "/healthz", method=random_token(12)).status for _ in range(count)]


def distinct_queries(port: int, seconds: float, connections: int = 4) -> int:
    """Valid queries, each different, from ``connections`` clients for ``seconds``; the count."""
    done = [0]
    deadline = time.monotonic() + seconds
    paths = [
        lambda: f"/v1/omens?q={random_token(8, string.ascii_lowercase)}",
        lambda: f"/v1/conditions?page_size=100&q={random_token(3, 'aeiou')}",
        lambda: f"/v1/omens?page={random.randint(1, 10**6)}&page_size=100",
        lambda: f"/v1/sources?page_size=100&page=000{random.randint(1, 9)}&q=a",
        lambda: (
            "/v1/readings?side=left&lip=upper&symptoms="
            + ",".join(random.sample(SYMPTOM_IDS, random.randint(1, 4)) if SYMPTOM_IDS else [])
        ),
    ]

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < deadline:
            connection.request("GET", random.choice(paths)())
            connection.getresponse().read()
            done[0] += 1
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0]


SYMPTOM_IDS: list[str] = []
"""Filled by callers from /v1/symptoms, so symptom queries are valid ones."""


def load_symptom_ids(port: int) -> None:
    """Learn the dataset's symptom ids, for queries that combine them."""
    body = request(port, "/v1/symptoms?page_size=100").json()
    items = body["items"]
    assert isinstance(items, list)
    SYMPTOM_IDS[:] = [item["symptom_id"] for item in items]


def resident_mb(pids: list[int]) -> dict[int, float]:
    """Resident memory of each process, in MB."""
    sizes = {}
    for pid in pids:
        text = Path(f"/proc/{pid}/status").read_text()
        kb = int(re.search(r"^VmRSS:\s+(\d+) kB$", text, re.M).group(1))  # type: ignore[union-attr]
        sizes[pid] = kb / 1024
    return sizes


def worker_pids(master_pid: int) -> list[int]:
    """The gunicorn worker processes of ``master_pid``."""
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master_pid}$", text, re.M):
            pids.append(int(status.parent.name))
    return pids


def eventually(check: Callable[[], bool], seconds: float = 15) -> None:
    """Wait until ``check()`` holds, failing after ``seconds`` with its docstring."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{check.__doc__ or 'condition'} did not hold in {seconds} s")
        time.sleep(0.1)
