# build-aux/prepare.sh: sourced by build-aux/run and build-aux/test.
#
# Installs the Debian 12 packages Millrace needs (only those missing, and
# quietly when nothing is), then configures and builds it in _build/.

set -euo pipefail

MILLRACE_SOURCE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MILLRACE_BUILD_DIR="${MILLRACE_BUILD_DIR:-$MILLRACE_SOURCE_DIR/_build}"

# What building and running need (librdkafka: the protocol tests and
# benchmarks use it as a real client, and meson looks for it when it
# configures).
millrace_build_packages=(
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev
  libsoup-3.0-dev libjson-glib-dev libsqlite3-dev
  zlib1g-dev liblz4-dev libzstd-dev libsnappy-dev
  librdkafka-dev
  adwaita-icon-theme fonts-cantarell
)

# What the test suite needs on top: a virtual display, the validators of
# the data files, and kcat, a real Kafka client for the protocol tests.
millrace_test_packages=(
  xvfb xauth desktop-file-utils appstream-util python3 kcat
)

# Optional, not installed here: clang (Debian 12: clang 14 with libFuzzer)
# for the fuzz targets, built with -Dfuzzing=true; see tests/fuzz/README.md.
# The normal suite replays their corpus without it.

millrace_as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "millrace: need root (or sudo) to install: $*" >&2
    exit 1
  fi
}

millrace_ensure_packages() {
  local missing=()
  local package

  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null \
        | grep -q 'install ok installed'; then
      missing+=("$package")
    fi
  done

  [ "${#missing[@]}" -eq 0 ] && return 0

  echo "millrace: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  millrace_as_root apt-get update -qq >/dev/null
  millrace_as_root apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

millrace_build() {
  if [ ! -f "$MILLRACE_BUILD_DIR/build.ninja" ]; then
    meson setup "$MILLRACE_BUILD_DIR" "$MILLRACE_SOURCE_DIR" >/dev/null
  fi
  # Quiet unless something goes wrong: ninja's output only on failure.
  local log
  log="$(mktemp)"
  if ! ninja -C "$MILLRACE_BUILD_DIR" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "millrace: the build failed" >&2
    exit 1
  fi
  rm -f "$log"
}
