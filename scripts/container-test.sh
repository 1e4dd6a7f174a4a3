#!/usr/bin/env bash
# Build the Dockerfile and deploy/nginx's with buildah, run the API image with the nginx image
# in front of it (as in a Kubernetes pod: the API on loopback, nginx on the port clients use),
# and check /healthz, a reading and an answer only nginx gives, through nginx.
#
# No Docker engine or image registry is needed (see scripts/lib/images.sh for the local base
# image). Needs root, buildah, debootstrap, podman, runc, curl and python3 (Debian packages):
# buildah runs the API; podman runs nginx, since only runc hands the container's stderr to a
# non-root process (nginx writes its log there).
set -euo pipefail
cd "$(dirname "$0")/.."

SAY_PREFIX=container-test
IMAGE=localhost/twitchlore:test
NGINX_IMAGE=localhost/twitchlore-nginx:test
WORK=${CONTAINER_WORK:-/var/tmp/twitchlore-container}
# shellcheck source=scripts/lib/images.sh
. scripts/lib/images.sh

need_root_and buildah debootstrap podman runc curl python3
# Free loopback ports (the kernel picks them, as tests/live_server.py does), so two runs or a
# busy port cannot collide: nginx's (CONTAINER_PORT chooses it instead) and the API's.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
PORT=${CONTAINER_PORT:-$(free_port)}
API_PORT=$(free_port)
RUN_LOG=$(mktemp "$WORK/run-XXXXXX.log")
IID_FILE=$(mktemp "$WORK/iid-XXXXXX")
NGINX_NAME=twitchlore-container-test-nginx-$$
# podman as scripts/deploy_test.py runs it on this kind of machine (no RLIMIT_NOFILE setting).
printf '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' \
  >"$WORK/containers.conf"
PODMAN=(env CONTAINERS_CONF="$WORK/containers.conf" podman --runtime runc --cgroup-manager cgroupfs
  --storage-driver vfs)
cleanup() {
  "${PODMAN[@]}" rm -f -t 2 "$NGINX_NAME" >/dev/null 2>&1 || true
  [ -n "${runner:-}" ] && kill -- "-$runner" 2>/dev/null || true
  sleep 1
  [ -n "${ctr:-}" ] && "${BUILDAH[@]}" rm "$ctr" >/dev/null 2>&1 || true
  rm -f "$IID_FILE" "$WORK/reading-headers-$$"
}
trap cleanup EXIT
ensure_base_image
build_image "$IMAGE" Dockerfile . --iidfile "$IID_FILE"
build_image_once "$NGINX_IMAGE" deploy/nginx/Dockerfile deploy/nginx
# The image this run built, by id: another run may move the $IMAGE tag meanwhile.
image=$(cat "$IID_FILE")
image=${image#sha256:}

healthcheck=$("${BUILDAH[@]}" inspect --type image --format '{{.Docker.Config.Healthcheck}}' "$image")
user=$("${BUILDAH[@]}" inspect --type image --format '{{.Docker.Config.User}}' "$image")
case "$healthcheck" in *healthz*) ;; *) say "image has no HEALTHCHECK on /healthz: $healthcheck"; exit 1 ;; esac
[ "$user" = 10001 ] || { say "image runs as '$user', not the non-root 10001"; exit 1; }

say "running $IMAGE (${image:0:12}) on 127.0.0.1:$API_PORT"
ctr=$("${BUILDAH[@]}" from "$image")
setsid "${BUILDAH[@]}" run --isolation chroot --env HOST=127.0.0.1 --env PORT="$API_PORT" \
  --env WEB_CONCURRENCY=1 "$ctr" -- python3 -m service \
  >"$RUN_LOG" 2>&1 &
runner=$!
say "running $NGINX_IMAGE on 127.0.0.1:$PORT in front of it"
"${PODMAN[@]}" run -d --name "$NGINX_NAME" --network host --read-only --tmpfs /tmp \
  --cap-drop ALL --security-opt no-new-privileges \
  --env LISTEN="127.0.0.1:$PORT" --env UPSTREAM="127.0.0.1:$API_PORT" "$NGINX_IMAGE" >/dev/null
nginx_logs() { "${PODMAN[@]}" logs "$NGINX_NAME" 2>&1 | tail -n 30; }

# Ask only once Granian says it has bound the port, so nothing else that listens there
# answers for the image; if the container exits first (the port was taken meanwhile, say),
# stop with its log.
for _ in $(seq 1 60); do
  kill -0 "$runner" 2>/dev/null || { say "the container exited:"; tail -n 30 "$RUN_LOG"; exit 1; }
  grep -Eq "Listening at: http://127.0.0.1:$API_PORT([^0-9]|\$)" "$RUN_LOG" \
    && curl -fsS --max-time 2 "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 1
done
health=$(curl -fsS --max-time 5 "http://127.0.0.1:$PORT/healthz") \
  || { tail -n 30 "$RUN_LOG"; nginx_logs; exit 1; }
reading=$(curl -fsS --max-time 5 -D "$WORK/reading-headers-$$" \
  "http://127.0.0.1:$PORT/v1/readings?side=left&lip=upper&sudden=true")
[ "$health" = '{"status":"ok"}' ] || { say "unexpected /healthz: $health"; exit 1; }
case "$reading" in
  *'"query":{"side":"left","lip":"upper","sudden":true'*'"omen":'*'"medical":'*) ;;
  *) say "unexpected reading: ${reading:0:300}"; exit 1 ;;
esac
grep -qi '^server: nginx' "$WORK/reading-headers-$$" \
  || { say "the reading did not come through nginx"; exit 1; }
# What only nginx answers: a header line over its buffers (16 KB; the API, which names no
# server, answers one over 8 KiB with its own 431), refused as problem details, logged as JSON.
refusal=$(curl -sS -i --max-time 5 -w ' %{http_code} %{content_type}' \
  -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)" "http://127.0.0.1:$PORT/healthz")
case "$refusal" in
  *'Server: nginx'*'"detail":"The request headers are too large or too many."}'*' 431 application/problem+json') ;;
  *) say "unexpected answer to a 20 KB header: ${refusal:0:300}"; nginx_logs; exit 1 ;;
esac
grep -q '"logger": "twitchlore.access"' "$RUN_LOG" || { say "no JSON request log"; exit 1; }
"${PODMAN[@]}" logs "$NGINX_NAME" 2>&1 | grep -q '"logger":"twitchlore.proxy".*"status":431' \
  || { say "no JSON log line from nginx for its 431"; nginx_logs; exit 1; }
rm -f "$RUN_LOG"
say "ok: images build; the API runs as 10001 with a HEALTHCHECK behind nginx (10002), which" \
  "passes /healthz and a reading and refuses an oversized header itself"
