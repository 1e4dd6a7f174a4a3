"""Soak test: two server workers at about 80 % of their capacity for a long while.

    python bench/soak.py [--minutes 10] [--load 0.8]

It measures the capacity of two workers on a mix of endpoints, then drives them with
wrk at about --load of it (each connection pauses between requests) for --minutes, and
prints the error count and each worker's resident memory at the start and the end.
Goal: no errors, memory flat (within 10 %). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from harness import SERVICE_ENV, run_wrk, service, worker_rss_mb, wrk_binary

PATHS = [
    f"/v1/readings?side={side}&lip={lip}&sudden={sudden}"
    for side in ("left", "right")
    for lip in ("upper", "lower")
    for sudden in ("true", "false")
] + [
    "/v1/readings?side=left&lip=lower&symptoms=sudden-facial-droop,loss-of-taste",
    "/v1/omens?page_size=100",
    "/v1/omens?side=left&sentiment=bad",
    "/v1/conditions?q=palsy",
    "/v1/conditions/bells-palsy",
    "/v1/symptoms?urgency=emergency",
    "/v1/sources?page=2&page_size=25",
    "/v1/dataset",
]
PAUSE_MS = 2


def mix_script(directory: Path, pause_ms: int | None) -> Path:
    """A wrk Lua script cycling through PATHS, pausing between requests when asked."""
    paths = ", ".join(f'"{path}"' for path in PATHS)
    lines = [
        f"local paths = {{{paths}}}",
        "local n = 0",
        "request = function()",
        "  n = n % #paths + 1",
        "  return wrk.format('GET', paths[n])",
        "end",
    ]
    if pause_ms is not None:
        lines.append(f"delay = function() return {pause_ms} end")
    script = directory / ("paced.lua" if pause_ms else "flat-out.lua")
    script.write_text("\n".join(lines) + "\n")
    return script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--load", type=float, default=0.8, help="share of measured capacity")
    args = parser.parse_args()
    wrk = wrk_binary()
    with (
        tempfile.TemporaryDirectory(prefix="soak-") as scratch,
        service(workers=2, env=SERVICE_ENV) as (url, master),
    ):
        flat_out = mix_script(Path(scratch), None)
        capacity = run_wrk(wrk, url, 10, 16, script=flat_out).requests_per_second
        target = capacity * args.load
        paced = mix_script(Path(scratch), PAUSE_MS)
        # Each connection sends a request, waits for the answer, then pauses PAUSE_MS:
        # a short trial tells how many connections give the target rate.
        trial_connections = max(1, round(target * PAUSE_MS / 1000))
        trial = run_wrk(wrk, url, 10, trial_connections, script=paced).requests_per_second
        connections = max(1, round(trial_connections * target / trial))
        print(
            f"capacity of 2 workers on the mix: {capacity:.0f} req/s; target {target:.0f} "
            f"req/s with {connections} connections pausing {PAUSE_MS} ms"
        )
        start_rss = worker_rss_mb(master)
        result = run_wrk(wrk, url, round(args.minutes * 60), connections, script=paced)
        end_rss = worker_rss_mb(master)
    print(
        f"soak: {args.minutes:g} min at {result.requests_per_second:.0f} req/s "
        f"({result.requests_per_second / capacity:.0%} of capacity), p99 {result.p99_ms:.2f} ms"
    )
    print(f"errors (non-2xx/3xx answers and socket errors): {result.errors}")
    for n, (before, after) in enumerate(zip(start_rss, end_rss, strict=False), start=1):
        print(
            f"worker {n}: resident memory {before:.1f} MB at start, {after:.1f} MB at end "
            f"({(after - before) / before:+.1%})"
        )


if __name__ == "__main__":
    main()
