"""Whether one worker's memory levels off once its caches are full (`make cache-memory`).

    python bench/cache_memory.py [--requests 60000] [--every 5000]

Runs the app in this process (no server, so nothing but the app's own memory is measured)
and asks it for readings with two random symptoms and catalogue pages of random sizes, each
with a browser's, a gzip-only or no Accept-Encoding: most of them never asked before, the
worst case for the caches. Prints the resident memory, the number of answers the front door
keeps and the bytes they count against its budget every ``--every`` requests. The caches are
bounded, so the figures should stop rising once the budget is reached; a steady rise after
that would be a leak. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service import create_app
from tests.hostile import resident_mb

KINDS = ("omens", "conditions", "symptoms", "treatments", "sources", "traditions")
ENCODINGS = ("gzip, deflate, br, zstd", "gzip", "")


def random_url(rng: random.Random, symptoms: list[str]) -> str:
    """A reading with two symptoms, or a page of a catalogue: mostly never asked before."""
    if rng.random() < 0.5:
        side, lip = rng.choice(("left", "right")), rng.choice(("upper", "lower"))
        chosen = ",".join(rng.sample(symptoms, 2))
        sudden = rng.choice(("true", "false"))
        return f"/v1/readings?side={side}&lip={lip}&sudden={sudden}&symptoms={chosen}"
    return f"/v1/{rng.choice(KINDS)}?page_size={rng.randint(1, 100)}&page={rng.randint(1, 3)}"


def main() -> None:
    """Drive the app and print its memory as its caches fill."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60_000)
    parser.add_argument("--every", type=int, default=5_000)
    args = parser.parse_args()

    app = create_app({"RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING"})
    client = app.test_client()
    cache = app.wsgi_app.cache  # type: ignore[attr-defined]
    listed = client.get("/v1/symptoms?page_size=100").get_json()["items"]
    symptoms = [symptom["symptom_id"] for symptom in listed]
    rng = random.Random(1)
    pid = os.getpid()
    started = time.monotonic()
    print(f"{'requests':>8} {'RSS MB':>7} {'kept':>6} {'kept MB':>8} {'budget MB':>9} {'s':>5}")
    for done in range(args.requests + 1):
        if done % args.every == 0:
            gc.collect()
            print(
                f"{done:>8} {resident_mb([pid])[pid]:>7.1f} {len(cache):>6} "
                f"{cache.size / 1e6:>8.1f} {cache.budget / 1e6:>9.1f} "
                f"{time.monotonic() - started:>5.0f}",
                flush=True,
            )
        url = random_url(rng, symptoms)
        client.get(url, headers={"Accept-Encoding": rng.choice(ENCODINGS)})


if __name__ == "__main__":
    main()
