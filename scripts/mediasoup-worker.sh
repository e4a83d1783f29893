#!/usr/bin/env bash
# Builds the mediasoup worker binary offline and caches it outside the checkout.
#
# mediasoup's npm postinstall either downloads a prebuilt worker from GitHub or
# builds one with meson, which downloads its subprojects; both fail without
# internet. This script instead:
#   1. installs the Debian build dependencies (only the missing ones),
#   2. fetches the mediasoup sources with `npm pack` (only the npm registry is
#      needed),
#   3. relaxes the worker's meson version requirement (Debian 12 has 1.0.1),
#   4. replaces every `subproject()` wrap with the local stand-ins kept in
#      scripts/mediasoup-subprojects/ (they take the system libraries through
#      pkg-config),
#   5. builds with meson + ninja and installs the binary atomically into
#      ${PARLEY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/parley}/mediasoup-worker-<version>/.
#
# Then point mediasoup at it: MEDIASOUP_WORKER_BIN="$(scripts/mediasoup-worker.sh ensure)"
# (setting it at `npm install` time also skips mediasoup's postinstall build).
#
# Usage:
#   scripts/mediasoup-worker.sh ensure   build if needed; print the binary path (last stdout line)
#   scripts/mediasoup-worker.sh path     print the cache path (whether or not it exists)
#
# Environment:
#   MEDIASOUP_VERSION            mediasoup version to build (default below). Only 3.12.x
#                                matches Debian 12's libraries (later ones need libsrtp 3).
#   PARLEY_CACHE_DIR             cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/parley)
#   MEDIASOUP_WORKER_KEEP_BUILD  set to 1 to keep the temporary build tree
#
# Works as root or as a user with sudo (sudo is only used for apt-get). When the
# whole script runs under sudo and no cache location is set explicitly, the cache
# goes to the invoking user's home and is owned by that user, so `ensure` under
# sudo and `path` without it agree.
set -euo pipefail

MEDIASOUP_VERSION="${MEDIASOUP_VERSION:-3.12.16}"

readonly APT_PACKAGES=(
  libabsl-dev libsrtp2-dev libuv1-dev libssl-dev libusrsctp-dev nlohmann-json3-dev
  meson ninja-build pkg-config g++
)
# mediasoup's meson.build calls subproject() for these only on Windows.
readonly IGNORED_SUBPROJECTS=(wingetopt)

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly SUBPROJECTS_SRC="${SCRIPT_DIR}/mediasoup-subprojects"

log() { printf '[mediasoup-worker] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------------------
# Cache location
# ---------------------------------------------------------------------------
CACHE_OWNER=""
cache_root() {
  if [[ -n "${PARLEY_CACHE_DIR:-}" ]]; then
    printf '%s\n' "${PARLEY_CACHE_DIR}"
  elif [[ -n "${XDG_CACHE_HOME:-}" ]]; then
    printf '%s/parley\n' "${XDG_CACHE_HOME}"
  elif [[ "${EUID}" -eq 0 && -n "${SUDO_USER:-}" && "${SUDO_USER}" != "root" ]]; then
    local user_home
    user_home="$(getent passwd "${SUDO_USER}" | cut -d: -f6)"
    [[ -n "${user_home}" ]] || die "cannot find the home directory of ${SUDO_USER}"
    printf '%s/.cache/parley\n' "${user_home}"
  else
    printf '%s/.cache/parley\n' "${HOME:?HOME is not set; set PARLEY_CACHE_DIR}"
  fi
}

CACHE_DIR="$(cache_root)/mediasoup-worker-${MEDIASOUP_VERSION}"
WORKER_BIN="${CACHE_DIR}/mediasoup-worker"
BUILD_LOG="${CACHE_DIR}/build.log"

if [[ "${EUID}" -eq 0 && -n "${SUDO_USER:-}" && "${SUDO_USER}" != "root" \
      && -z "${PARLEY_CACHE_DIR:-}" && -z "${XDG_CACHE_HOME:-}" ]]; then
  CACHE_OWNER="${SUDO_USER}"
fi

# mkdir -p that hands the directories it creates to CACHE_OWNER (sudo case).
mkdir_owned() {
  local dir="$1" created=()
  while [[ ! -d "${dir}" ]]; do
    created+=("${dir}")
    dir="$(dirname "${dir}")"
  done
  mkdir -p "$1"
  if [[ -n "${CACHE_OWNER}" && ${#created[@]} -gt 0 ]]; then
    chown "${CACHE_OWNER}:" "${created[@]}"
  fi
}

give_to_owner() {
  if [[ -n "${CACHE_OWNER}" ]]; then
    chown "${CACHE_OWNER}:" "$@" 2>/dev/null || true
  fi
}

# The worker exits with code 41 at once when MEDIASOUP_VERSION is not in its
# environment (it is only meant to be spawned by the Node library). Getting
# exactly 41 proves the binary loads its shared libraries and is a worker.
worker_runs() {
  [[ -x "$1" ]] || return 1
  local rc=0
  env -u MEDIASOUP_VERSION "$1" </dev/null >/dev/null 2>&1 || rc=$?
  [[ "${rc}" -eq 41 ]]
}

# ---------------------------------------------------------------------------
# Build steps
# ---------------------------------------------------------------------------
as_root() {
  if [[ "${EUID}" -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run: $* (run as root or install sudo)"
  fi
}

# Runs a command with all its output appended to the build log.
run_logged() {
  printf '\n$ %s\n' "$*" >>"${BUILD_LOG}"
  "$@" >>"${BUILD_LOG}" 2>&1
}

fail() {
  log "error: $*"
  if [[ -f "${BUILD_LOG}" ]]; then
    log "last 40 lines of ${BUILD_LOG}:"
    tail -n 40 "${BUILD_LOG}" >&2 || true
  fi
  exit 1
}

ensure_apt_packages() {
  local missing=() pkg status
  for pkg in "${APT_PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "${pkg}" 2>/dev/null || true)"
    [[ "${status}" == "installed" ]] || missing+=("${pkg}")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "Debian build packages already installed"
    return 0
  fi
  log "installing Debian packages: ${missing[*]}"
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}")
  if ! run_logged as_root "${apt[@]}"; then
    log "apt-get install failed; refreshing package lists and retrying"
    run_logged as_root env DEBIAN_FRONTEND=noninteractive apt-get update \
      || fail "apt-get update failed"
    run_logged as_root "${apt[@]}" || fail "apt-get install failed"
  fi
}

# Lists the subproject names the worker's meson files ask for.
wanted_subprojects() {
  local worker_dir="$1"
  find "${worker_dir}" -name meson.build -not -path '*/subprojects/*' -print0 \
    | xargs -0 grep -hPzo "subproject\(\s*'\K[^']+" \
    | tr '\0' '\n' | sort -u
}

prepare_sources() {
  local worker_dir="$1" name

  # Debian 12 ships meson 1.0.1; the worker builds fine with it.
  if grep -qE "meson_version *: *'[^']*'" "${worker_dir}/meson.build"; then
    sed -i -E "s/meson_version *: *'[^']*'/meson_version: '>= 1.0.0'/" "${worker_dir}/meson.build"
    grep -q "meson_version: '>= 1.0.0'" "${worker_dir}/meson.build" \
      || fail "could not relax meson_version in worker/meson.build"
  fi

  # Replace the download wraps with the local system-library stand-ins.
  rm -f "${worker_dir}"/subprojects/*.wrap
  rm -rf "${worker_dir}/subprojects/packagefiles"
  for name in $(wanted_subprojects "${worker_dir}"); do
    if printf '%s\n' "${IGNORED_SUBPROJECTS[@]}" | grep -qxF "${name}"; then
      continue
    fi
    [[ -f "${SUBPROJECTS_SRC}/${name}/meson.build" ]] \
      || fail "mediasoup ${MEDIASOUP_VERSION} needs subproject '${name}' but ${SUBPROJECTS_SRC}/${name}/meson.build does not exist"
    rm -rf "${worker_dir:?}/subprojects/${name}"
    mkdir -p "${worker_dir}/subprojects/${name}"
    cp -R "${SUBPROJECTS_SRC}/${name}/." "${worker_dir}/subprojects/${name}/"
    printf 'using local subproject %s\n' "${name}" >>"${BUILD_LOG}"
  done
}

build_worker() {
  local started=${SECONDS} tmp tarball worker_dir jobs

  [[ -d "${SUBPROJECTS_SRC}" ]] || die "missing ${SUBPROJECTS_SRC}"
  : >"${BUILD_LOG}"
  give_to_owner "${BUILD_LOG}"
  log "building mediasoup-worker ${MEDIASOUP_VERSION} (log: ${BUILD_LOG})"

  ensure_apt_packages
  command -v npm >/dev/null 2>&1 || fail "npm not found in PATH"

  tmp="$(mktemp -d "${TMPDIR:-/tmp}/mediasoup-worker-build.XXXXXX")"
  if [[ "${MEDIASOUP_WORKER_KEEP_BUILD:-0}" == "1" ]]; then
    log "keeping build tree at ${tmp}"
  else
    # shellcheck disable=SC2064 # expand tmp now
    trap "rm -rf '${tmp}'" EXIT
  fi

  log "fetching mediasoup@${MEDIASOUP_VERSION} sources with npm pack"
  (cd "${tmp}" && run_logged npm pack --ignore-scripts "mediasoup@${MEDIASOUP_VERSION}") \
    || fail "npm pack mediasoup@${MEDIASOUP_VERSION} failed"
  tarball="$(find "${tmp}" -maxdepth 1 -name 'mediasoup-*.tgz' | head -n 1)"
  [[ -n "${tarball}" ]] || fail "npm pack produced no tarball"
  run_logged tar -xzf "${tarball}" -C "${tmp}" || fail "cannot unpack ${tarball}"
  worker_dir="${tmp}/package/worker"
  [[ -f "${worker_dir}/meson.build" ]] || fail "no worker/meson.build in mediasoup@${MEDIASOUP_VERSION}"

  log "patching worker/meson.build and installing local subprojects"
  prepare_sources "${worker_dir}"

  log "configuring with meson $(meson --version)"
  run_logged meson setup "${tmp}/build" "${worker_dir}" \
      --buildtype release -Db_ndebug=true -Db_pie=true -Db_staticpic=true \
      --wrap-mode=nodownload \
    || fail "meson setup failed"

  jobs="$(nproc 2>/dev/null || echo 2)"
  log "compiling with ninja -j${jobs} (takes several minutes)"
  run_logged ninja -C "${tmp}/build" -j"${jobs}" mediasoup-worker \
    || fail "ninja build failed"

  local built="${tmp}/build/mediasoup-worker"
  worker_runs "${built}" || fail "the built worker does not run: ${built}"

  local staged="${CACHE_DIR}/.mediasoup-worker.tmp.$$"
  cp "${built}" "${staged}"
  chmod 0755 "${staged}"
  give_to_owner "${staged}"
  mv -f "${staged}" "${WORKER_BIN}"
  log "built in $((SECONDS - started)) s: ${WORKER_BIN}"
}

cmd_ensure() {
  if worker_runs "${WORKER_BIN}"; then
    printf '%s\n' "${WORKER_BIN}"
    return 0
  fi

  mkdir_owned "${CACHE_DIR}"

  # Serialise concurrent builds of the same version; re-check under the lock.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"${CACHE_DIR}/.lock"
    give_to_owner "${CACHE_DIR}/.lock"
    if ! flock -n 9; then
      log "another build is running; waiting for it"
      flock 9
    fi
    if worker_runs "${WORKER_BIN}"; then
      printf '%s\n' "${WORKER_BIN}"
      return 0
    fi
  fi

  if [[ -e "${WORKER_BIN}" ]]; then
    log "cached ${WORKER_BIN} does not run; rebuilding"
  fi
  build_worker
  printf '%s\n' "${WORKER_BIN}"
}

usage() {
  cat >&2 <<EOF
usage: $(basename "$0") ensure|path
  ensure  build mediasoup-worker ${MEDIASOUP_VERSION} if not cached; print its path
  path    print the cache path of the binary
EOF
}

case "${1:-}" in
  ensure) cmd_ensure ;;
  path) printf '%s\n' "${WORKER_BIN}" ;;
  -h | --help | help) usage ;;
  *) usage; exit 2 ;;
esac
