#!/bin/bash
# Download and verify the pinned Debian kernel source package of KERNEL=
# (default 7.3; kernels/*.conf) or KERNEL_PKG=linux-source-X.Y
# [KERNEL_VERSION=...] into
# ${WSBENCH_CACHE:-~/.cache/wsbench}/src/ without building anything.
# The last stdout line is the path of the source tarball.  See README.md.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib/common.sh
. "$here/lib/common.sh"
# shellcheck source=lib/apt.sh
. "$here/lib/apt.sh"
# shellcheck source=lib/inputs.sh
. "$here/lib/inputs.sh"

check_kernel
check_kernel_pkg
ws_load_kernel "${KERNEL:-$WS_DEFAULT_KERNEL}"
pkg="${KERNEL_PKG:-$WS_PINNED_PKG}"
suite="${KERNEL_SUITE:-$WS_DEFAULT_SUITE}"
ver="$(resolve_debian_version "$pkg" "$suite")"
fetch_debian_source "$pkg" "$ver" "$suite"
ws_log "$pkg $ver: deb sha256 $SRC_DEB_SHA256"
ws_log "tarball sha256 $SRC_TARBALL_SHA256"
printf '%s\n' "$SRC_TARBALL"
