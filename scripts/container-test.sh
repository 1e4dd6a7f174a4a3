#!/usr/bin/env bash
# Build the Dockerfile with buildah, run the image, and check /healthz and a reading.
#
# No Docker engine or image registry is needed (see scripts/lib/images.sh for the local base
# image). Needs root, buildah, debootstrap and curl (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/.."

SAY_PREFIX=container-test
IMAGE=localhost/twitchlore:test
WORK=${CONTAINER_WORK:-/var/tmp/twitchlore-container}
PORT=${CONTAINER_PORT:-18080}
# shellcheck source=scripts/lib/images.sh
. scripts/lib/images.sh

need_root_and buildah debootstrap curl
ensure_base_image
build_image "$IMAGE" Dockerfile .

healthcheck=$("${BUILDAH[@]}" inspect --type image --format '{{.Docker.Config.Healthcheck}}' "$IMAGE")
user=$("${BUILDAH[@]}" inspect --type image --format '{{.Docker.Config.User}}' "$IMAGE")
case "$healthcheck" in *healthz*) ;; *) say "image has no HEALTHCHECK on /healthz: $healthcheck"; exit 1 ;; esac
[ "$user" = 10001 ] || { say "image runs as '$user', not the non-root 10001"; exit 1; }

say "running $IMAGE on 127.0.0.1:$PORT"
ctr=$("${BUILDAH[@]}" from "$IMAGE")
cleanup() {
  [ -n "${runner:-}" ] && kill -- "-$runner" 2>/dev/null || true
  sleep 1
  "${BUILDAH[@]}" rm "$ctr" >/dev/null 2>&1 || true
}
trap cleanup EXIT
setsid "${BUILDAH[@]}" run --isolation chroot --env HOST=127.0.0.1 --env PORT="$PORT" \
  --env WEB_CONCURRENCY=1 "$ctr" -- python3 -m service \
  >"$WORK/run.log" 2>&1 &
runner=$!

for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 1
done
health=$(curl -fsS "http://127.0.0.1:$PORT/healthz") || { tail -n 30 "$WORK/run.log"; exit 1; }
reading=$(curl -fsS "http://127.0.0.1:$PORT/v1/readings?side=left&lip=upper&sudden=true")
[ "$health" = '{"status":"ok"}' ] || { say "unexpected /healthz: $health"; exit 1; }
case "$reading" in
  *'"query":{"side":"left","lip":"upper","sudden":true'*'"omen":'*'"medical":'*) ;;
  *) say "unexpected reading: ${reading:0:300}"; exit 1 ;;
esac
grep -q '"logger": "twitchlore.access"' "$WORK/run.log" || { say "no JSON request log"; exit 1; }
say "ok: image builds, runs as 10001 with a HEALTHCHECK, answers /healthz and a reading"
