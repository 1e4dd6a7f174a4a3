"""What hostile or careless clients do, against a server on loopback; bounded in count and time.

The hostile-client tests run short versions of these; `make abuse` (bench/abuse.py) runs
long ones and prints the figures. Every function only talks to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import selectors
import socket
import string
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
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


def raw_exchange(port: int, data: bytes, timeout: float = 5.0, half_close: bool = False) -> bytes:
    """Send raw bytes and read the answer until the server closes the connection.

    With ``half_close``, the sending side is shut once ``data`` is sent: a body cut short.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def one_answer(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes and read one answer, to the end of its ``Content-Length``: unlike
    ``raw_exchange``, it does not wait for a server that keeps the connection open."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.partition(b"\r\n\r\n")[2]) < int(
            split_answer(answer)[1].get("content-length", "0")
        ):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer


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


SWAGGER_BUNDLE = "/docs/static/swagger-ui-bundle.js"
"""The largest file the service serves: what a slow reader asks for."""


ATTACKER_ADDRESSES = [f"127.0.1.{n}" for n in range(1, 17)]
"""Loopback addresses the held connections come from, in turn: many clients, none of them
the normal client's 127.0.0.1, as a per-address connection limit would see them."""


def idle_connections(port: int, count: int) -> AbstractContextManager[list[int]]:
    """``count`` connections that send nothing and reconnect as soon as the server closes one.

    They run until the context ends; the list yielded counts the reconnections.
    """
    return _held_connections(port, count, request=b"", read_bytes_per_second=0)


def slow_readers(
    port: int, count: int, path: str = SWAGGER_BUNDLE
) -> AbstractContextManager[list[int]]:
    """``count`` clients that ask for ``path`` and read the answer at 1 byte/s each.

    Each keeps a small receive buffer, so the answer waits on the server's side; a closed
    connection is opened again at once. The list yielded counts the reconnections.
    """
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\n\r\n"
    return _held_connections(port, count, request=head.encode(), read_bytes_per_second=1)


@contextmanager
def _held_connections(
    port: int, count: int, request: bytes, read_bytes_per_second: int
) -> Iterator[list[int]]:
    reconnections = [0]
    stop = threading.Event()
    selector = selectors.DefaultSelector()

    opened = [0]

    def connect() -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        sock.settimeout(5)
        opened[0] += 1
        try:
            sock.bind((ATTACKER_ADDRESSES[opened[0] % len(ATTACKER_ADDRESSES)], 0))
            sock.connect(("127.0.0.1", port))
            sock.sendall(request)
        except OSError:
            sock.close()
            time.sleep(0.01)  # refused or reset: try again, but do not spin
            return
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)

    def reconnect(sock: socket.socket) -> None:
        selector.unregister(sock)
        sock.close()
        reconnections[0] += 1
        connect()

    def hold() -> None:
        next_read = time.monotonic() + 1
        while not stop.is_set():
            wanted = len(selector.get_map()) < count
            if wanted:
                connect()
            if read_bytes_per_second:  # answers are always waiting: read them on the tick
                stop.wait(0 if wanted else max(0.0, min(0.2, next_read - time.monotonic())))
            ready = [] if read_bytes_per_second else selector.select(0 if wanted else 0.2)
            for key, _ in ready:
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                try:
                    closed = sock.recv(1, socket.MSG_PEEK) == b""
                except OSError:
                    closed = True
                if closed:
                    reconnect(sock)
            if read_bytes_per_second and time.monotonic() >= next_read:
                next_read += 1
                for key in list(selector.get_map().values()):
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    try:
                        if sock.recv(read_bytes_per_second) == b"":
                            reconnect(sock)
                    except BlockingIOError:
                        pass
                    except OSError:
                        reconnect(sock)

    for _ in range(count):  # every connection is open once the context is entered
        connect()
    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    try:
        yield reconnections
    finally:
        stop.set()
        thread.join(timeout=30)
        for key in list(selector.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]
        selector.close()


PATH_SPELLINGS = [
    "/v1/readings",
    "//v1/readings",
    "/v1//readings",
    "/./v1/readings",
    "/v1/./readings",
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
    """The worker processes of the server whose master is ``master_pid``."""
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


# --- Malformed framing and odd requests -----------------------------------------------------------

MALFORMED_CHUNKS = {
    "size zz": b"zz\r\n\r\n",
    "size -5": b"-5\r\nabcde\r\n0\r\n\r\n",
    "size 0x5": b"0x5\r\nabcde\r\n0\r\n\r\n",
    "missing CRLF": b"5\r\nabcdeXX0\r\n\r\n",
    "bad trailer": b"5\r\nabcde\r\n0\r\nbad trailer\r\n\r\n",
    "truncated body": b"50\r\nabc",
}
"""Chunked bodies whose framing is broken, each in its own way."""


def malformed_chunked(path: str, framing: bytes) -> bytes:
    """A GET of ``path`` whose chunked body is ``framing``."""
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    return head.encode() + framing


def split_answer(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    """The status, headers (names in lower case) and body of one raw HTTP/1.1 answer."""
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split(" ")[1]), headers, body


def status_line(port: int, data: bytes) -> str:
    """The first line of the server's answer to raw ``data``."""
    return raw_exchange(port, data).split(b"\r\n", 1)[0].decode("latin-1")


def malformed_framing_statuses(port: int, rounds: int, path: str = "/healthz") -> dict[str, int]:
    """How many of ``rounds`` sends of each malformed chunked body got each status class."""
    counts: dict[str, int] = {}
    for _ in range(rounds):
        for name, framing in MALFORMED_CHUNKS.items():
            answer = raw_exchange(
                port, malformed_chunked(path, framing), half_close=name == "truncated body"
            )
            status = split_answer(answer)[0] if answer else 0
            key = f"{status // 100}xx" if status else "no answer"
            counts[key] = counts.get(key, 0) + 1
    return counts


def expect_continue_with_huge_body(port: int, declared: int = 50_000_000) -> tuple[str, float]:
    """A GET that declares a ``declared``-byte body and waits for 100 Continue, sending none.

    The server's first line and the seconds until it closed the connection.
    """
    data = (
        f"GET /v1/omens HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    ).encode()
    started = time.perf_counter()
    answer = raw_exchange(port, data, timeout=10)
    return answer.split(b"\r\n", 1)[0].decode("latin-1"), time.perf_counter() - started


# --- Amplification: large answers to small requests ----------------------------------------------

ERROR_ROUTES = [
    "/v1/readings?side=left&lip=upper&",
    "/v1/cards?side=left&lip=upper&",
    "/v1/readings/left-upper-sudden?",
    "/v1/cards/left-upper-sudden?",
    "/v1/omens?",
]
"""Readings, cards, their by-id forms and a list: where a query's mistakes are answered."""


def hostile_queries() -> dict[str, str]:
    """Queries under 2 KB built to make error answers as large as possible."""
    return {
        "1,990 commas": "symptoms=" + "," * 1990,
        "600 unknown ids": "symptoms=" + ",".join(["zz"] * 600),
        "300 repeated symptoms": "&".join(f"symptoms=s{n}" for n in range(300)),
        "250 unknown parameters": "&".join(f"p{n}=1" for n in range(250)),
        "2,000-byte name": "x" * 2000 + "=1",
        "2,000-byte value": "side=" + "x" * 2000,
        "2,000-digit page": "page=" + "9" * 2000,
        "lang and ids": "lang=hi&symptoms=" + ",".join(["zz"] * 600),
    }


def largest_error_answer(port: int, accept_encoding: str = "identity") -> tuple[int, str]:
    """The largest answer body (bytes) any hostile query gets on any route, and which."""
    largest = (0, "")
    for route in ERROR_ROUTES:
        for name, query in hostile_queries().items():
            answer = request(port, route + query, headers={"Accept-Encoding": accept_encoding})
            largest = max(largest, (len(answer.body), f"{route}{name}"))
    return largest
