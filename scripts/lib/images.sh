# Shared by scripts/container-test.sh and scripts/deploy-test.sh (source it; bash only).
#
# Builds images with buildah without a Docker engine or a registry: the base image is Debian
# bookworm with python3, made locally with debootstrap from the machine's Debian mirror and
# kept for later runs. Images live in the vfs storage that podman also reads.
# The caller sets SAY_PREFIX (for messages) and WORK (a directory for logs) first.

BUILDAH=(buildah --storage-driver vfs)
BASE_IMAGE=localhost/twitchlore-base:bookworm
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

say() { printf '%s: %s\n' "${SAY_PREFIX:-images}" "$*"; }

# need_root_and TOOL... : exit 2 naming what is missing.
need_root_and() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { say "needs $tool (apt-get install $*)"; exit 2; }
  done
  [ "$(id -u)" = 0 ] || { say "needs root for buildah and debootstrap"; exit 2; }
  mkdir -p "$WORK"
}

debian_mirror() {
  # The first Debian archive the machine's apt uses, else the default one.
  grep -rhoE 'https?://[^ ]*debian\.org/debian/?' /etc/apt/sources.list /etc/apt/sources.list.d/ \
    2>/dev/null | grep -v security | head -n 1 || true
}

# ensure_base_image: make $BASE_IMAGE with debootstrap unless it exists.
ensure_base_image() {
  "${BUILDAH[@]}" inspect --type image "$BASE_IMAGE" >/dev/null 2>&1 && return 0
  local mirror rootfs ctr mnt
  mirror=$(debian_mirror)
  mirror=${mirror:-http://deb.debian.org/debian}
  say "making base image $BASE_IMAGE from $mirror"
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
  "${BUILDAH[@]}" commit --quiet --format docker "$ctr" "$BASE_IMAGE" >/dev/null
  "${BUILDAH[@]}" rm "$ctr" >/dev/null
  rm -rf "$rootfs"
}

# build_image TAG DOCKERFILE CONTEXT [BUILDAH-BUD-OPTION...] : build on $BASE_IMAGE; the log
# goes to $WORK/build-*.log.
build_image() {
  local tag=$1 dockerfile=$2 context=$3 log
  shift 3
  log="$WORK/build-$(basename "$dockerfile" | tr -c 'a-zA-Z0-9.\n' -).log"
  say "building $tag from $dockerfile"
  # The machine's CA bundle is mounted for the build only, for pip or apt behind a
  # TLS-inspecting proxy.
  "${BUILDAH[@]}" bud --quiet --isolation chroot --format docker \
    --build-arg BASE_IMAGE="$BASE_IMAGE" \
    --build-arg PIP_CERT="$CA_BUNDLE" \
    --volume "$CA_BUNDLE:$CA_BUNDLE:ro" "$@" \
    -f "$dockerfile" -t "$tag" "$context" >"$log" 2>&1 || { tail -n 30 "$log"; exit 1; }
}

# build_image_once TAG DOCKERFILE CONTEXT : build_image unless TAG was built from this very
# Dockerfile and context directory (their hash is kept in a label), for images that change only
# with them.
build_image_once() {
  local tag=$1 dockerfile=$2 context=$3 hash built
  hash=$(find "$dockerfile" "$context" -type f -print0 | sort -z | xargs -0 sha256sum \
    | sha256sum | cut -c1-16)
  built=$("${BUILDAH[@]}" inspect --type image --format '{{index .Docker.Config.Labels "twitchlore.dockerfile"}}' "$tag" 2>/dev/null || true)
  if [ "$built" = "$hash" ]; then
    say "$tag is up to date with $context"
    return 0
  fi
  build_image "$tag" "$dockerfile" "$context" --label "twitchlore.dockerfile=$hash"
}
