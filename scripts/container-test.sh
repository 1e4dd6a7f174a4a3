#!/usr/bin/env bash
# Build the Dockerfile with buildah, run the image, and check /healthz and a reading.
#
# No Docker engine or image registry is needed (see scripts/lib/images.sh for the local base
# image). Needs root, buildah, debootstrap, curl and python3 (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/.."

SAY_PREFIX=container-test
IMAGE=localhost/twitchlore:test
WORK=${CONTAINER_WORK:-/var/tmp/twitchlore-container}
# shellcheck source=scripts/lib/images.sh
. scripts/lib/images.sh

need_root_and buildah debootstrap curl python3
# A free loopback port (the kernel picks it, as tests/gunicorn_server.py does), so two runs or a
# busy port cannot collide; CONTAINER_PORT chooses one instead.
PORT=${CONTAINER_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
RUN_LOG=$(mktemp "$WORK/run-XXXXXX.log")
IID_FILE=$(mktemp "$WORK/iid-XXXXXX")
cleanup() {
  [ -n "${runner:-}" ] && kill -- "-$runner" 2>/dev/null || true
  sleep 1
  [ -n "${ctr:-}" ] && "${BUILDAH[@]}" rm "$ctr" >/dev/null 2>&1 || true
  rm -f "$IID_FILE"
}
trap cleanup EXIT
ensure_base_image
build_image "$IMAGE" Dockerfile . --iidfile "$IID_FILE"
# The image this run built, by id: another run may move the $IMAGE tag meanwhile.
image=$(cat "$IID_FILE")
image=${image#sha256:}

healthcheck=$("${BUILDAH[@]}" inspect --type image --format '{{.Docker.Config.Healthcheck}}' "$image")
user=$("${BUILDAH[@]}" inspect --type image --format '{{.Docker.Config.User}}' "$image")
case "$healthcheck" in *healthz*) ;; *) say "image has no HEALTHCHECK on /healthz: $healthcheck"; exit 1 ;; esac
[ "$user" = 10001 ] || { say "image runs as '$user', not the non-root 10001"; exit 1; }

say "running $IMAGE (${image:0:12}) on 127.0.0.1:$PORT"
ctr=$("${BUILDAH[@]}" from "$image")
setsid "${BUILDAH[@]}" run --isolation chroot --env HOST=127.0.0.1 --env PORT="$PORT" \
  --env WEB_CONCURRENCY=1 "$ctr" -- python3 -m service \
  >"$RUN_LOG" 2>&1 &
runner=$!

# Ask only once gunicorn says it has bound the port, so nothing else that listens there
# answers for the image; if the container exits first (the port was taken meanwhile, say),
# stop with its log.
for _ in $(seq 1 60); do
  kill -0 "$runner" 2>/dev/null || { say "the container exited:"; tail -n 30 "$RUN_LOG"; exit 1; }
  grep -q "Listening at: http://127.0.0.1:$PORT " "$RUN_LOG" \
    && curl -fsS --max-time 2 "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 1
done
health=$(curl -fsS --max-time 5 "http://127.0.0.1:$PORT/healthz") || { tail -n 30 "$RUN_LOG"; exit 1; }
reading=$(curl -fsS --max-time 5 "http://127.0.0.1:$PORT/v1/readings?side=left&lip=upper&sudden=true")
[ "$health" = '{"status":"ok"}' ] || { say "unexpected /healthz: $health"; exit 1; }
case "$reading" in
  *'"query":{"side":"left","lip":"upper","sudden":true'*'"omen":'*'"medical":'*) ;;
  *) say "unexpected reading: ${reading:0:300}"; exit 1 ;;
esac
grep -q '"logger": "twitchlore.access"' "$RUN_LOG" || { say "no JSON request log"; exit 1; }
rm -f "$RUN_LOG"
say "ok: image builds, runs as 10001 with a HEALTHCHECK, answers /healthz and a reading"
