#!/usr/bin/env bash
# Build the Dockerfile with buildah, run the image, and check /healthz and a reading.
#
# No Docker engine or image registry is needed: the base image is Debian bookworm with
# python3, made locally with debootstrap from the machine's Debian mirror and kept for
# later runs. Needs root, buildah and debootstrap (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILDAH=(buildah --storage-driver vfs)
BASE=localhost/twitchlore-base:bookworm
IMAGE=localhost/twitchlore:test
WORK=${CONTAINER_WORK:-/var/tmp/twitchlore-container}
PORT=${CONTAINER_PORT:-18080}
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

say() { printf 'container-test: %s\n' "$*"; }

for tool in buildah debootstrap curl; do
  command -v "$tool" >/dev/null || { say "needs $tool (apt-get install buildah debootstrap curl)"; exit 2; }
done
[ "$(id -u)" = 0 ] || { say "needs root for buildah and debootstrap"; exit 2; }
mkdir -p "$WORK"

debian_mirror() {
  # The first Debian archive the machine's apt uses, else the default one.
  grep -rhoE 'https?://[^ ]*debian\.org/debian/?' /etc/apt/sources.list /etc/apt/sources.list.d/ \
    2>/dev/null | grep -v security | head -n 1 || true
}

if ! "${BUILDAH[@]}" inspect --type image "$BASE" >/dev/null 2>&1; then
  mirror=$(debian_mirror)
  mirror=${mirror:-http://deb.debian.org/debian}
  say "making base image $BASE from $mirror"
  rootfs="$WORK/rootfs"
  rm -rf "$rootfs"
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    bookworm "$rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 20 "$WORK/debootstrap.log"; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  ctr=$("${BUILDAH[@]}" from scratch)
  mnt=$("${BUILDAH[@]}" mount "$ctr")
  cp -a "$rootfs"/. "$mnt"/
  "${BUILDAH[@]}" umount "$ctr" >/dev/null
  "${BUILDAH[@]}" commit --quiet --format docker "$ctr" "$BASE" >/dev/null
  "${BUILDAH[@]}" rm "$ctr" >/dev/null
  rm -rf "$rootfs"
fi

say "building $IMAGE"
# The machine's CA bundle is mounted for the build only, for pip behind a TLS-inspecting proxy.
"${BUILDAH[@]}" bud --quiet --isolation chroot --format docker \
  --build-arg BASE_IMAGE="$BASE" \
  --build-arg PIP_CERT="$CA_BUNDLE" \
  --volume "$CA_BUNDLE:$CA_BUNDLE:ro" \
  -t "$IMAGE" . >"$WORK/build.log" 2>&1 || { tail -n 30 "$WORK/build.log"; exit 1; }

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
  --env WEB_CONCURRENCY=1 "$ctr" -- gunicorn -c /app/gunicorn.conf.py 'service:create_app()' \
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
