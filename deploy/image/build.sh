#!/usr/bin/env bash
# Builds Parley's container images on a machine that cannot pull any public image
# (`./dev image` runs this). Two steps:
#
#   1. the base image, from Debian's packages only: mmdebstrap makes a Debian 12 (bookworm)
#      minbase root filesystem with ca-certificates, tini and passwd, copies this machine's
#      Node.js 20 runtime (node, npm, corepack) into /usr/local as Node's official images
#      lay it out, and podman imports the tarball as $PARLEY_IMAGE_REPO/base:<tag>;
#   2. each service's image from deploy/Dockerfile (`--target <service>`), FROM that base.
#
# Usage: deploy/image/build.sh [service...]     (default: every service)
#
# Environment:
#   PARLEY_IMAGE_REPO     image name prefix (default localhost/parley)
#   PARLEY_IMAGE_TAG      tag of the service images (default: each service's package.json version)
#   PARLEY_BASE_REBUILD   1 to rebuild the base even when it exists
#   PARLEY_BUILD_CA       CA bundle the build steps trust for the npm registry (default
#                         NODE_EXTRA_CA_CERTS, else /etc/ssl/certs/ca-certificates.crt)
#   PARLEY_DEBIAN_SOURCES apt sources file(s) for mmdebstrap, space-separated (default: this
#                         machine's enabled /etc/apt/sources.list{,.d/*.list,.d/*.sources})
#
# Sandboxes without systemd or a pure cgroup v2 hierarchy (like Parley's development and CI
# machines) need what PODMAN below sets: runc instead of crun (crun refuses a hybrid cgroup
# layout: "cgroups in hybrid mode not supported, drop all controllers from cgroupv2"),
# cgroupfs, and the host's open-files limit (podman's default of 1048576 is above what the
# sandbox lets root raise it to: "setrlimit `RLIMIT_NOFILE`: Operation not permitted").
# Build steps use the host's network (`--network host`): no bridge is needed, and apt and
# the npm registry are reached as on the host.
#
# Prints one line per image with its size and the time taken; writes the same to
# deploy/image/last-build.txt (not committed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

readonly ALL_SERVICES=(call-control twiml-interpreter consent webhook-dispatch media)
readonly APT_PACKAGES=(podman runc mmdebstrap uidmap)
REPO="${PARLEY_IMAGE_REPO:-localhost/parley}"
REPORT="$ROOT/deploy/image/last-build.txt"

log() { printf '\033[1;34m[image]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[image] error:\033[0m %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (mmdebstrap's root mode and rootful podman)"

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
    apt-get update -qq
    env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  }
fi

NOFILE="$(ulimit -Hn)"
PODMAN=(podman --runtime runc --cgroup-manager cgroupfs)
BUILD_FLAGS=(--network host --ulimit "nofile=${NOFILE}:${NOFILE}" --ulimit nproc=32768:32768)
# This machine's CA bundle for the build steps that reach the npm registry (behind a
# TLS-inspecting proxy Node's own CAs fail with SELF_SIGNED_CERT_IN_CHAIN); a build secret,
# so it stays out of the images.
CA_BUNDLE="${PARLEY_BUILD_CA:-${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}}"
[ -f "$CA_BUNDLE" ] && BUILD_FLAGS+=(--secret "id=build-ca,src=$CA_BUNDLE")

# ------------------------------------------------------------------------------ base
NODE_BIN="$(readlink -f "$(command -v node)")"
NODE_VERSION="$("$NODE_BIN" --version)"
case "$NODE_VERSION" in v20.*) ;; *) die "the base carries this machine's Node.js, which must be 20.x (found $NODE_VERSION)" ;; esac
NODE_MODULES="$(dirname "$(dirname "$NODE_BIN")")/lib/node_modules"
[ -f "$NODE_MODULES/npm/bin/npm-cli.js" ] || die "npm not found next to $NODE_BIN ($NODE_MODULES/npm)"
BASE="$REPO/base:bookworm-node${NODE_VERSION#v}"

sources=()
if [ -n "${PARLEY_DEBIAN_SOURCES:-}" ]; then
  read -r -a sources <<<"$PARLEY_DEBIAN_SOURCES"
else
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -s "$f" ] && grep -qv '^\s*\(#\|$\)' "$f" && sources+=("$f")
  done
fi
[ ${#sources[@]} -gt 0 ] || die "no apt sources found: set PARLEY_DEBIAN_SOURCES"

: >"$REPORT"
report() { printf '%s\n' "$*" | tee -a "$REPORT"; }
size_of() { "${PODMAN[@]}" image inspect --format '{{.Size}}' "$1" | awk '{ printf "%.0f MB", $1 / 1e6 }'; }

if [ "${PARLEY_BASE_REBUILD:-0}" = 1 ] || ! "${PODMAN[@]}" image exists "$BASE"; then
  log "building $BASE with mmdebstrap (Debian 12 minbase + Node $NODE_VERSION)"
  started=$SECONDS
  tarball="$(mktemp -d)/base.tar"
  mmdebstrap --quiet --variant=minbase --include=ca-certificates,tini,passwd \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --customize-hook='mkdir -p "$1/usr/local/bin" "$1/usr/local/lib/node_modules"' \
    --customize-hook="copy-in $NODE_BIN /usr/local/bin" \
    --customize-hook="copy-in $NODE_MODULES/npm $NODE_MODULES/corepack /usr/local/lib/node_modules" \
    --customize-hook='ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm"' \
    --customize-hook='ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"' \
    --customize-hook='ln -s ../lib/node_modules/corepack/dist/corepack.js "$1/usr/local/bin/corepack"' \
    --customize-hook='chroot "$1" node --version' \
    bookworm "$tarball" "${sources[@]}"
  "${PODMAN[@]}" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' \
    --message "Debian 12 minbase + Node.js $NODE_VERSION (deploy/image/build.sh)" \
    "$tarball" "$BASE" >/dev/null
  rm -rf "$(dirname "$tarball")"
  report "$BASE  $(size_of "$BASE")  built in $((SECONDS - started)) s"
else
  report "$BASE  $(size_of "$BASE")  (already built)"
fi

# deploy/Dockerfile's default BASE_IMAGE names the major version only.
"${PODMAN[@]}" tag "$BASE" "$REPO/base:bookworm-node20"

# -------------------------------------------------------------------------- services
services=("$@")
[ ${#services[@]} -gt 0 ] || services=("${ALL_SERVICES[@]}")
for s in "${services[@]}"; do
  printf '%s\n' "${ALL_SERVICES[@]}" | grep -qxF "$s" || die "unknown service $s"
  TAG="${PARLEY_IMAGE_TAG:-$(node -p "require('./services/$s/package.json').version")}"
  log "building $REPO/$s:$TAG"
  started=$SECONDS
  "${PODMAN[@]}" build "${BUILD_FLAGS[@]}" \
    -f deploy/Dockerfile --ignorefile deploy/Dockerfile.dockerignore \
    --build-arg "BASE_IMAGE=$BASE" --target "$s" -t "$REPO/$s:$TAG" . >&2
  report "$REPO/$s:$TAG  $(size_of "$REPO/$s:$TAG")  built in $((SECONDS - started)) s"
done
