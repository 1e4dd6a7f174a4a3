"""Run the Kubernetes manifests with `podman kube play` and print what they do (make deploy-test).

scripts/deploy-test.sh builds the images first. This plays the podman overlay
(deploy/kubernetes/podman, made into one pod per API replica by scripts/kube.py), waits for the
pods to be ready, and checks: every API pod answers; requests reach the API through the pod's
nginx, which answers what only it answers and keeps a reading answered while 2,000 slow
readers hold a pod (its memory and CPU meanwhile are printed, for the manifests' resources);
with a limit of N per minute shared through Redis, 3N requests spread over the pods get exactly
N answers of 200; a pod deleted as Kubernetes deletes one leaves the others answering with no
failed request; with Redis killed, the pods keep answering and report not ready, and are ready
again once it is back; `podman kube down` leaves nothing behind.
Everything runs on 127.0.0.1 and everything started is removed at the end, whatever happens.

This script acts as the parts of a cluster podman does not have: like the kubelet it calls
each pod's readiness probe and runs the preStop hooks of a pod it deletes, and like a Service
it spreads requests over the ready pods.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scripts import kube
from tests.hostile import SWAGGER_BUNDLE, raw_exchange, slow_readers, split_answer

READING = "/v1/readings?side=left&lip=upper&sudden=true"
CONTAINERS_CONF = """\
# Written by scripts/deploy_test.py for its podman run.
[containers]
# Setting RLIMIT_NOFILE is not permitted on this kind of machine.
default_ulimits = []
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Podman:
    """podman with this machine's settings; every call is logged to the work directory."""

    work: Path
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        conf = self.work / "containers.conf"
        conf.write_text(CONTAINERS_CONF, encoding="utf-8")
        self.env = {
            **os.environ,
            "CONTAINERS_CONF": str(conf),
            # No systemd here for healthcheck timers; the script probes the pods itself.
            "DISABLE_HC_SYSTEMD": "true",
        }
        self.log = self.work / "podman.log"

    def __call__(self, *args: str, check: bool = True, stderr: bool = False) -> str:
        """podman's output (with its error output too if ``stderr``); fails unless ``check``."""
        command = [
            "podman",
            "--runtime",
            "runc",
            "--cgroup-manager",
            "cgroupfs",
            "--storage-driver",
            "vfs",
            *args,
        ]
        result = subprocess.run(command, capture_output=True, text=True, env=self.env, check=False)
        with self.log.open("a", encoding="utf-8") as log:
            log.write(f"$ {' '.join(command)}\n{result.stdout}{result.stderr}\n")
        if check and result.returncode != 0:
            raise RuntimeError(f"podman {' '.join(args)}: {result.stderr.strip()[-500:]}")
        return result.stdout + (result.stderr if stderr else "")


def get(port: int, path: str, client: str, timeout: float = 5) -> int:
    """The status of a GET to the pod on ``port``, as client ``client`` (X-Forwarded-For)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={"Accept": "application/json", "X-Forwarded-For": client},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.read()
        return int(error.code)


def try_get(port: int, path: str, client: str, timeout: float = 5) -> int | str:
    """Like get(), but a failure to connect or answer in time is returned as its name."""
    try:
        return get(port, path, client, timeout)
    except (OSError, urllib.error.URLError) as error:
        reason = getattr(error, "reason", error)
        return type(reason).__name__


def clients() -> Iterator[str]:
    """Distinct client addresses, one bucket of the rate limit each."""
    for n in itertools.count(1):
        yield f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


@dataclass
class Run:
    """One podman run of the manifests: the pods, their ports, and the checks' results."""

    podman: Podman
    play: Path
    docs: list[dict[str, Any]]
    api_ports: dict[str, int]
    redis_port: int
    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    addresses: Iterator[str] = field(default_factory=clients)

    def api(self, name: str) -> dict[str, Any]:
        return next(kube.find(self.docs, "Deployment", name))

    @property
    def readiness_path(self) -> str:
        """The pod's readiness path (nginx's probe, through to the API), from the manifest."""
        pod = self.api(next(iter(self.api_ports)))["spec"]["template"]["spec"]
        probe = kube.containers_by_name(pod)[kube.PROXY_CONTAINER]["readinessProbe"]
        return str(probe["httpGet"]["path"])

    def check(self, name: str, ok: bool, figures: str) -> None:
        (self.passed if ok else self.failed).append(name)
        print(f"deploy-test: {'ok  ' if ok else 'FAIL'} {name}: {figures}", flush=True)

    def ready(self, port: int) -> bool:
        return try_get(port, self.readiness_path, next(self.addresses), timeout=2) == 200

    def wait(self, ports: list[int], want_ready: bool, timeout: float) -> float | None:
        """Seconds until every pod on ``ports`` reports ready (or not ready), None on timeout."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if all(self.ready(port) == want_ready for port in ports):
                return time.monotonic() - started
            time.sleep(0.5)
        return None


def container(pod: str, name: str) -> str:
    """The name podman kube play gives a container of a Deployment's pod."""
    return f"{pod}-pod-0-{name}"


def exec_probe(run: Run, pod: str, probe_kind: str) -> int | str:
    """Run the API container's exec probe in it, as the kubelet would: 200 if it passes."""
    spec = run.api(pod)["spec"]["template"]["spec"]
    command = kube.containers_by_name(spec)[kube.API_CONTAINER][probe_kind]["exec"]["command"]
    try:
        run.podman("exec", container(pod, kube.API_CONTAINER), *command)
    except RuntimeError:
        return "failed"
    return 200


def check_pods_answer(run: Run) -> None:
    """Every API pod passes its probes and answers a reading; its containers run non-root."""
    answers = {}
    for name, port in run.api_ports.items():
        through_nginx = [
            try_get(port, path, next(run.addresses)) for path in (run.readiness_path, READING)
        ]
        answers[name] = [through_nginx[0], exec_probe(run, name, "livenessProbe"), through_nginx[1]]
    answering = [name for name, statuses in answers.items() if statuses == [200, 200, 200]]
    users = {kube.API_CONTAINER: "10001", kube.PROXY_CONTAINER: "10002"}
    names = [container(pod, name) for pod in run.api_ports for name in users]
    inspect = json.loads(run.podman("inspect", *names))
    locked = [
        c["Name"]
        for c in inspect
        if c["Config"]["User"].startswith(users[c["Name"].rsplit("-", 1)[1]])
        and c["HostConfig"]["ReadonlyRootfs"]
        and not c["EffectiveCaps"]
        and "no-new-privileges" in c["HostConfig"]["SecurityOpt"]
    ]
    run.check(
        "pods answer",
        len(answering) == len(run.api_ports) >= 2 and len(locked) == len(names),
        f"{len(answering)} of {len(run.api_ports)} API pods pass readiness (through nginx) and "
        f"liveness (in the API's container) and answer a reading ({answers}); {len(locked)} "
        f"of {len(names)} containers run as their non-root "
        "uid (API 10001, nginx 10002) with a read-only root, no capabilities and no privilege "
        "escalation",
    )


def usage(run: Run, pod: str) -> dict[str, str]:
    """Memory and CPU of each container of ``pod`` now, as `podman stats` reports them."""
    names = [container(pod, name) for name in (kube.API_CONTAINER, kube.PROXY_CONTAINER)]
    stats = json.loads(run.podman("stats", "--no-stream", "--format", "json", *names))
    return {
        entry["name"].rsplit("-", 1)[1]: f"{entry['mem_usage'].split(' / ')[0]}, "
        f"CPU {entry['cpu_percent']}"
        for entry in stats
    }


def check_through_nginx(run: Run, slow: int) -> None:
    """Requests reach the API through the pod's nginx, which holds slow readers off the API.

    nginx names itself in the Server header and answers a header line over its buffers with
    its own problem details; with ``slow`` clients reading the largest file at 1 byte/s (more
    than the API's worker takes connections), a reading is still answered within 1 s.
    """
    pod, port = next(iter(run.api_ports.items()))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", READING, headers={"X-Forwarded-For": next(run.addresses)})
    server = connection.getresponse().getheader("Server")
    connection.close()
    big = f"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {'a' * 20000}\r\n\r\n".encode()
    status, headers, body = split_answer(raw_exchange(port, big))
    refused = (
        status == 431
        and headers.get("server") == "nginx"
        and headers.get("content-type") == "application/problem+json"
        and b"too large or too many" in body
    )
    idle = usage(run, pod)
    latencies: list[float] = []
    with slow_readers(port, slow, SWAGGER_BUNDLE) as reconnections:
        # Past the first burst (nginx fills every reader's socket buffer at once).
        time.sleep(5)
        for _ in range(5):
            started = time.monotonic()
            status_of = try_get(port, READING, next(run.addresses))
            latencies.append(time.monotonic() - started if status_of == 200 else 99.0)
            time.sleep(0.2)
        held = usage(run, pod)
    run.check(
        "through nginx",
        server == "nginx" and refused and max(latencies) < 1,
        f"a reading's Server header: {server}; a 20 KB header line: {status} "
        f"{headers.get('content-type')} from nginx ({refused}); with {slow} slow readers of "
        f"{SWAGGER_BUNDLE} ({reconnections[0]} reconnected), 5 readings took "
        f"{', '.join(f'{s * 1000:.0f}' for s in latencies)} ms; {pod} idle: {idle}, "
        f"with the slow readers: {held}",
    )


def check_shared_limit(run: Run, limit: int) -> None:
    """3N requests of one client, spread over the pods, get exactly N answers of 200."""
    client = next(run.addresses)
    ports = list(run.api_ports.values())
    targets = [ports[i % len(ports)] for i in range(3 * limit)]
    with ThreadPoolExecutor(max_workers=3 * len(ports)) as pool:
        statuses = list(pool.map(lambda port: try_get(port, READING, client), targets))
    per_pod = {
        name: dict(Counter(s for s, p in zip(statuses, targets, strict=True) if p == port))
        for name, port in run.api_ports.items()
    }
    counts = Counter(statuses)
    other = len(statuses) - counts[200] - counts[429]
    run.check(
        "shared limit",
        counts[200] == limit and counts[429] == 2 * limit,
        f"limit {limit}/minute, {3 * limit} requests of one client over {len(ports)} pods: "
        f"{counts[200]} x 200, {counts[429]} x 429, other {other}"
        f"; per pod {per_pod}",
    )


def load(run: Run, endpoints: list[int], stop: threading.Event, results: list[Any]) -> None:
    """Send readings round-robin to the pods in ``endpoints`` (a live list) until ``stop``."""
    for n in itertools.count():
        if stop.is_set():
            return
        live = list(endpoints)
        results.append(try_get(live[n % len(live)], READING, next(run.addresses)))


class InFlight:
    """A request whose headers are half sent: in flight at the pod until finish() sends the rest."""

    def __init__(self, port: int, client: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.client = client
        self.sock.sendall(f"GET {READING} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())

    def finish(self) -> str:
        """Send the rest of the request; return the answer's status line (or the error)."""
        try:
            self.sock.sendall(
                f"Accept: application/json\r\nX-Forwarded-For: {self.client}\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            answer = b""
            while chunk := self.sock.recv(65536):
                answer += chunk
            return answer.split(b"\r\n", 1)[0].decode() or "no answer"
        except OSError as error:
            return type(error).__name__
        finally:
            self.sock.close()


def delete_pod(
    run: Run, pod: str, before_stop: dict[str, Callable[[], None]]
) -> tuple[float, dict[str, int]]:
    """Delete ``pod`` as the kubelet does: each container's preStop hook, then its stop signal.

    Every container at once: its preStop command runs in it (podman kube play runs no hooks),
    then `podman stop` sends the image's stop signal (nginx: SIGQUIT, a graceful stop; the
    API: SIGTERM) and kills it once the grace period since the deletion is over; a container
    named in ``before_stop`` has that called first. The seconds the deletion took and each
    container's exit code.
    """
    spec = run.api(pod)["spec"]["template"]["spec"]
    grace = spec["terminationGracePeriodSeconds"]
    started = time.monotonic()

    def stop(spec_container: dict[str, Any]) -> None:
        name = container(pod, spec_container["name"])
        hook = spec_container.get("lifecycle", {}).get("preStop", {}).get("exec", {})
        if hook:
            run.podman("exec", name, *hook["command"])
        before_stop.get(spec_container["name"], lambda: None)()
        left = max(1, round(grace - (time.monotonic() - started)))
        run.podman("stop", "-t", str(left), name)

    threads = [threading.Thread(target=stop, args=(c,)) for c in spec["containers"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.podman("pod", "stop", f"{pod}-pod-0")
    names = [container(pod, c["name"]) for c in spec["containers"]]
    states = json.loads(run.podman("inspect", *names))
    exits = {c["Name"].rsplit("-", 1)[1]: c["State"]["ExitCode"] for c in states}
    return time.monotonic() - started, exits


def check_pod_deleted(run: Run) -> None:
    """A pod deleted the Kubernetes way leaves the others answering with no failed request.

    Kubernetes takes a deleted pod out of its Service's endpoints while the preStop hooks
    (sleep) delay the stop signals: nginx's comes first, it finishes what it has in flight
    while the API still answers; then Granian finishes its own requests and exits. Here the
    endpoints are the load's list of ports. One request is in flight at nginx when its stop
    signal comes: its headers are half sent just before (nginx gives a client 5 s to send
    them), the rest after.
    """
    victim, victim_port = next(iter(run.api_ports.items()))
    endpoints = list(run.api_ports.values())
    stop = threading.Event()
    results: list[Any] = []
    threads = [
        threading.Thread(target=load, args=(run, endpoints, stop, results)) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    grace = run.api(victim)["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    deleted: tuple[float, dict[str, int]] = (0.0, {})
    in_flight: list[InFlight] = []
    stopping = threading.Event()

    def half_send() -> None:
        in_flight.append(InFlight(victim_port, next(run.addresses)))
        time.sleep(1)  # accepted by nginx, which now waits for the rest
        stopping.set()

    def delete() -> None:
        nonlocal deleted
        deleted = delete_pod(run, victim, {kube.PROXY_CONTAINER: half_send})

    try:
        time.sleep(2)
        before = len(results)
        endpoints.remove(victim_port)
        deleter = threading.Thread(target=delete)
        deleter.start()
        in_flight_status = "never sent"
        if stopping.wait(timeout=grace):
            time.sleep(1.5)  # nginx's stop signal delivered
            in_flight_status = in_flight[0].finish()
        deleter.join()
        time.sleep(1)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    stopped_in, exits = deleted
    counts = Counter(results)
    failed = len(results) - counts[200]
    run.check(
        "pod deleted",
        failed == 0
        and bool(exits)
        and not any(exits.values())
        and before > 0
        and in_flight_status.startswith("HTTP/1.1 200"),
        f"{len(results)} requests while {victim} was deleted ({before} before): "
        f"{counts[200]} x 200, {failed} failed {dict(counts - Counter({200: counts[200]}))}; "
        f"the request in flight at nginx's stop signal got '{in_flight_status}'; the pod "
        f"stopped in {stopped_in:.1f} s with exit codes {exits} (grace period {grace} s); "
        f"{len(endpoints)} pods answered throughout",
    )
    del run.api_ports[victim]


def check_redis_killed(run: Run) -> None:
    """With Redis killed, the pods keep answering (fail open) and report not ready."""
    ports = list(run.api_ports.values())
    run.podman("pod", "kill", f"{kube.REDIS}-pod-0")
    unready_in = run.wait(ports, want_ready=False, timeout=30)
    started = time.monotonic()
    statuses = [try_get(port, READING, next(run.addresses)) for port in ports for _ in range(5)]
    average = (time.monotonic() - started) / len(statuses)
    counts = Counter(statuses)
    readiness = {
        name: try_get(port, run.readiness_path, next(run.addresses))
        for name, port in run.api_ports.items()
    }
    waited = "never" if unready_in is None else f"{unready_in:.1f} s"
    run.check(
        "redis killed",
        unready_in is not None and counts[200] == len(statuses),
        f"every pod not ready after: {waited} ({readiness}); {counts[200]} of "
        f"{len(statuses)} readings answered 200 ({dict(counts)}), {average * 1000:.0f} ms each "
        "on average",
    )


def check_redis_back(run: Run) -> None:
    """Redis started again (as its Deployment would restart it), the pods are ready again."""
    ports = list(run.api_ports.values())
    run.podman("pod", "start", f"{kube.REDIS}-pod-0")
    ready_in = run.wait(ports, want_ready=True, timeout=30)
    run.check(
        "redis back",
        ready_in is not None,
        f"every pod ready again {'never' if ready_in is None else f'{ready_in:.1f} s'} after "
        "Redis restarted",
    )


def show_logs(run: Run) -> None:
    """The last lines each API container wrote, to see why it is not ready."""
    for pod in run.api_ports:
        for name in (kube.API_CONTAINER, kube.PROXY_CONTAINER):
            logs = run.podman(
                "logs", "--tail", "15", container(pod, name), check=False, stderr=True
            )
            print(f"deploy-test: last lines of {pod}'s {name}:\n{logs}", flush=True)


def names(run: Run, what: str) -> list[str]:
    """Our pods, containers or volumes that podman still has."""
    if what == "volumes":
        listed = run.podman("volume", "ls", "--format", "{{.Name}}")
    elif what == "pods":
        listed = run.podman("pod", "ps", "--format", "{{.Name}}")
    else:
        listed = run.podman("ps", "-a", "--format", "{{.Names}}")
    ours = re.compile(rf"^({kube.API}|{kube.REDIS})|-infra$")
    return [line for line in listed.split() if ours.search(line)]


def down(run: Run) -> dict[str, list[str]]:
    """`podman kube down`, then what is left of ours: pods, containers, volumes."""
    run.podman("kube", "down", str(run.play), check=False)
    return {what: names(run, what) for what in ("pods", "containers", "volumes")}


def force_clean(podman: Podman, play: Path) -> None:
    """Remove whatever of ours is left after a failed run (pods by name, their volumes)."""
    podman("kube", "down", str(play), check=False)
    for name in podman("pod", "ps", "--format", "{{.Name}}", check=False).split():
        if name.startswith((kube.API, kube.REDIS)):
            podman("pod", "rm", "-f", name, check=False)
    for name in podman("volume", "ls", "--format", "{{.Name}}", check=False).split():
        if name.startswith((kube.API, kube.REDIS)):
            podman("volume", "rm", "-f", name, check=False)


@contextmanager
def stopped_by_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into SystemExit, so the clean-up runs."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(f"deploy-test: stopped by signal {signum}")

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/var/tmp/twitchlore-deploy"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    podman = Podman(args.work)
    podman.log.write_text("", encoding="utf-8")

    rendered = kube.render(kube.MANIFESTS / "podman")
    replicas = next(kube.find(rendered, "Deployment", kube.API))["spec"]["replicas"]
    ports = [free_port() for _ in range(2 * replicas + 1)]
    ports, loopback_ports = ports[: replicas + 1], ports[replicas + 1 :]
    docs = kube.for_podman(rendered, ports[:-1], loopback_ports, ports[-1])
    errors = kube.schema_errors(docs)
    if errors:
        print("deploy-test: the podman manifests are invalid:", *errors, sep="\n  ")
        return 1
    settings = next(kube.find(docs, "ConfigMap"))["data"]
    limit = int(re.match(r"\d+", settings["TWITCHLORE_RATE_LIMIT"]).group())  # type: ignore[union-attr]
    play = args.work / "play.yaml"
    play.write_text(yaml.safe_dump_all(docs, sort_keys=False), encoding="utf-8")
    api_ports = {f"{kube.API}-{i}": port for i, port in enumerate(ports[:-1])}
    run = Run(podman, play, docs, api_ports, ports[-1])
    print(
        f"deploy-test: podman kube play: {replicas} API pods on 127.0.0.1 ports "
        f"{ports[:-1]} (nginx; their APIs behind it on {loopback_ports}), Redis on "
        f"{ports[-1]} (log: {podman.log})",
        flush=True,
    )
    with stopped_by_signals():
        try:
            started = time.monotonic()
            podman("kube", "play", str(play))
            played = time.monotonic() - started
            ready_in = run.wait(list(api_ports.values()), want_ready=True, timeout=120)
            run.check(
                "ready",
                ready_in is not None,
                f"pods created in {played:.0f} s, all {replicas} ready "
                f"{'never' if ready_in is None else f'{ready_in:.1f} s later'}",
            )
            if ready_in is None:
                show_logs(run)
            else:
                check_pods_answer(run)
                check_through_nginx(run, slow=2000)
                check_shared_limit(run, limit)
                check_pod_deleted(run)
                check_redis_killed(run)
                check_redis_back(run)
            left = down(run)
            run.check(
                "kube down",
                not any(left.values()),
                "left behind: "
                + ", ".join(
                    f"{len(items)} {what}{f' {items}' if items else ''}"
                    for what, items in left.items()
                ),
            )
        finally:
            force_clean(podman, play)
            play.unlink(missing_ok=True)
    print(f"deploy-test: {len(run.passed)} passed, {len(run.failed)} failed")
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main())
