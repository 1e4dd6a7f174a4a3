"""Memory and CPU of one pod's server, for the Kubernetes requests and limits (`make pod-memory`).

    python bench/pod_memory.py [--workers 2] [--seconds 60] [--connections 16]

Runs the service as the image does (`python -m service`, Granian) on a free loopback
port, then drives it with wrk: readings for 528 combinations of side, lip, suddenness and two
symptoms, each asked for many times with a browser's, a gzip-only or no Accept-Encoding, and
catalogue pages of every size, so that every worker's answer cache and LRUs fill to their
budgets. Prints the resident (RSS) and proportional (PSS) memory of the master and each worker
at start, every 5 s and at their peaks, the PSS total (shared pages counted once: what the
processes cost a pod's memory cgroup), the metrics directory (a memory-backed emptyDir in the
pod, charged to it too) and the CPU time per request. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness import wrk_binary

from tests.hostile import SYMPTOM_IDS, load_symptom_ids, worker_pids
from tests.live_server import running_server

RAISED_LIMIT = "1000000000 per minute"
SYMPTOMS = 12
"""Symptoms combined in pairs: 66 pairs x 8 readings, few enough that answers repeat."""
KINDS = ("omens", "conditions", "symptoms", "sources", "traditions", "treatments")
CLOCK_TICKS = 100  # os.sysconf("SC_CLK_TCK") on Linux


@dataclass
class Sample:
    """Memory of the master and its workers at one moment, in MB."""

    rss: dict[str, float]
    pss: dict[str, float]
    metrics_mb: float

    @property
    def pss_total(self) -> float:
        return sum(self.pss.values())


def status_mb(pid: int, field: str, name: str = "status") -> float:
    """A ``field: N kB`` line of /proc/PID/status or smaps_rollup, in MB."""
    text = Path(f"/proc/{pid}/{name}").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB$", text, re.M).group(1)) / 1024  # type: ignore[union-attr]


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time of ``pids`` so far."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def sample(processes: dict[str, int], metrics_dir: Path) -> Sample:
    """RSS and PSS of each process, and the bytes the metrics files hold in their filesystem."""
    return Sample(
        rss={name: status_mb(pid, "VmRSS") for name, pid in processes.items()},
        pss={name: status_mb(pid, "Pss", "smaps_rollup") for name, pid in processes.items()},
        metrics_mb=sum(p.stat().st_blocks * 512 for p in metrics_dir.iterdir()) / 2**20,
    )


def describe(label: str, taken: Sample) -> str:
    parts = ", ".join(f"{name} {taken.rss[name]:.1f}/{taken.pss[name]:.1f}" for name in taken.rss)
    return (
        f"{label}: RSS/PSS MB {parts}; PSS total {taken.pss_total:.1f} MB; "
        f"metrics files {taken.metrics_mb:.1f} MB"
    )


@dataclass
class Traffic:
    """What one wrk run sent: requests, failures (non-2xx/3xx and socket errors), latency."""

    requests: int
    failures: int
    latency: str


def drive(wrk: str, url: str, seconds: int, connections: int, script: Path) -> Traffic:
    """Run wrk with ``script`` (it sets its own headers) and read its summary."""
    output = subprocess.run(
        [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    done = re.search(r"^\s*(\d+) requests in", output, re.M)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: (.*)$", output, re.M)
    latency = re.search(r"^\s*Latency\s+(.*)$", output, re.M)
    return Traffic(
        requests=int(done.group(1)) if done else 0,
        failures=(int(bad.group(1)) if bad else 0)
        + (sum(int(n) for n in re.findall(r"\d+", sockets.group(1))) if sockets else 0),
        latency=" ".join(latency.group(1).split()[:3]) if latency else "?",
    )


def traffic_script(directory: Path, symptom_ids: list[str]) -> Path:
    """A wrk Lua script: 70 % readings with two symptoms, 30 % catalogue pages of any size."""
    symptoms = ", ".join(f'"{symptom}"' for symptom in symptom_ids)
    kinds = ", ".join(f'"{kind}"' for kind in KINDS)
    script = directory / "pod-memory.lua"
    script.write_text(
        f"""
local symptoms = {{{symptoms}}}
local kinds = {{{kinds}}}
local encodings = {{"gzip, deflate, br", "gzip", nil}}
local threads = 0
setup = function(thread) threads = threads + 1; thread:set("seed", threads) end
init = function(args) math.randomseed(7919 * seed) end
request = function()
  local headers = {{}}
  headers["Accept-Encoding"] = encodings[math.random(3)]
  if math.random(10) > 7 then
    local kind = kinds[math.random(#kinds)]
    return wrk.format("GET", "/v1/" .. kind .. "?page_size=" .. math.random(100), headers)
  end
  local a = math.random(#symptoms)
  local b = math.random(#symptoms - 1)
  if b >= a then b = b + 1 end
  if a > b then a, b = b, a end
  local path = "/v1/readings?side=" .. ({{"left", "right"}})[math.random(2)]
    .. "&lip=" .. ({{"upper", "lower"}})[math.random(2)]
    .. "&sudden=" .. ({{"true", "false"}})[math.random(2)]
    .. "&symptoms=" .. symptoms[a] .. "," .. symptoms[b]
  return wrk.format("GET", path, headers)
end
"""
    )
    return script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY")
    parser.add_argument("--seconds", type=int, default=60, help="length of the wrk run")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    wrk = wrk_binary()
    with (
        tempfile.TemporaryDirectory(prefix="pod-memory-") as scratch,
        running_server(
            WEB_CONCURRENCY=str(args.workers),
            TWITCHLORE_RATE_LIMIT=RAISED_LIMIT,
            PROMETHEUS_MULTIPROC_DIR=str(Path(scratch) / "metrics"),
        ) as server,
    ):
        port = int(server.url.rsplit(":", 1)[1])
        load_symptom_ids(port)
        symptom_ids = SYMPTOM_IDS[:SYMPTOMS]
        master = server.process.pid
        processes = {"master": master} | {
            f"worker {n}": pid for n, pid in enumerate(sorted(worker_pids(master)), start=1)
        }
        metrics_dir = Path(scratch) / "metrics"
        start = sample(processes, metrics_dir)
        print(describe("at start", start))
        cpu_before = cpu_seconds(list(processes.values()))
        peaks: dict[str, float] = dict(start.pss)
        peak_total = [start]
        done = threading.Event()

        def watch() -> None:
            began = time.monotonic()
            last_print = began
            while not done.wait(1):
                taken = sample(processes, metrics_dir)
                for name, mb in taken.pss.items():
                    peaks[name] = max(peaks[name], mb)
                if taken.pss_total > peak_total[0].pss_total:
                    peak_total[0] = taken
                if time.monotonic() - last_print >= 5:
                    last_print = time.monotonic()
                    print(describe(f"after {last_print - began:.0f} s", taken), flush=True)

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            script = traffic_script(Path(scratch), symptom_ids)
            traffic = drive(wrk, server.url, args.seconds, args.connections, script)
        finally:
            done.set()
            watcher.join()
        cpu = cpu_seconds(list(processes.values())) - cpu_before
        end = sample(processes, metrics_dir)
    print(describe("at end", end))
    print(describe("at the peak of the PSS total", peak_total[0]))
    print("peak PSS MB: " + ", ".join(f"{name} {mb:.1f}" for name, mb in peaks.items()))
    print(
        f"traffic: {args.workers} workers, {args.connections} connections for {args.seconds} s:"
        f" {traffic.requests} requests ({traffic.requests / args.seconds:.0f}/s),"
        f" {traffic.failures} failed; latency avg/stdev/max {traffic.latency};"
        f" server CPU {cpu:.1f} s, {cpu / max(traffic.requests, 1) * 1000:.2f} ms per request"
    )


if __name__ == "__main__":
    main()
