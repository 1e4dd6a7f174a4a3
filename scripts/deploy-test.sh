#!/usr/bin/env bash
# make deploy-test: build the API, nginx and Redis images with buildah, then run the Kubernetes
# manifests with `podman kube play` and check them (scripts/deploy_test.py prints the figures).
#
# Needs root and Debian's buildah, debootstrap, podman, runc and catatonit (podman's pod
# pause process). Only 127.0.0.1 is used; everything started is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

SAY_PREFIX=deploy-test
WORK=${DEPLOY_WORK:-/var/tmp/twitchlore-deploy}
# shellcheck source=scripts/lib/images.sh
. scripts/lib/images.sh

need_root_and buildah debootstrap podman runc catatonit
ensure_base_image
build_image localhost/twitchlore:test Dockerfile .
build_image_once localhost/twitchlore-nginx:test deploy/nginx/Dockerfile deploy/nginx
build_image_once localhost/twitchlore-redis:test deploy/redis/Dockerfile deploy/redis

# The Python run cleans up after itself, also on SIGTERM; this is for a kill it cannot catch.
cleanup() {
  if [ -f "$WORK/play.yaml" ]; then
    CONTAINERS_CONF="$WORK/containers.conf" podman --runtime runc --cgroup-manager cgroupfs \
      --storage-driver vfs kube down "$WORK/play.yaml" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
.venv/bin/python scripts/deploy_test.py --work "$WORK"
