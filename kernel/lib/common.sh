# Shared helpers for kernel/*.sh.  Sourced, not executed.
# shellcheck shell=bash

WS_KEYRING="/usr/share/keyrings/debian-archive-keyring.gpg"

# The kernel/ directory: recipes in kernels/, series in patches/, fragments
# in config/.
WS_KERNEL_TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WS_DEFAULT_KERNEL="7.3"

# The accepted KERNEL= names, one per line.
ws_kernel_names() {
	local f n
	for f in "$WS_KERNEL_TOP"/kernels/*.conf; do
		n="${f##*/}"
		printf '%s\n' "${n%.conf}"
	done
}

# ws_load_kernel NAME: the recipe of KERNEL=NAME (kernels/NAME.conf): the
# pinned source (WS_PINNED_PKG, WS_PINNED_VERSION, WS_PINNED_DEB_SHA256,
# WS_DEFAULT_SUITE), its patch series (WS_KERNEL_SERIES, a directory under
# patches/, or empty) and config fragments (WS_KERNEL_FRAGMENTS, under
# config/, merged in order).  Fails for an unknown name.
ws_load_kernel() {
	local conf="$WS_KERNEL_TOP/kernels/$1.conf"
	[ -f "$conf" ] || return 1
	WS_KERNEL_SERIES="" WS_KERNEL_FRAGMENTS="" WS_KERNEL_SUMMARY=""
	# shellcheck source=/dev/null
	. "$conf"
	WS_KERNEL_NAME="$1"
}

# The patch series and fragment files of the loaded recipe, one per line.
ws_kernel_series_dir() {
	[ -z "$WS_KERNEL_SERIES" ] || printf '%s\n' "$WS_KERNEL_TOP/patches/$WS_KERNEL_SERIES"
}
ws_kernel_fragment_files() {
	local f
	for f in $WS_KERNEL_FRAGMENTS; do
		printf '%s\n' "$WS_KERNEL_TOP/config/$f"
	done
}

ws_load_kernel "$WS_DEFAULT_KERNEL"

# Bump when the build recipe changes in a way that changes the output, so
# that old cache entries are not reused for the new recipe.
WS_RECIPE_VERSION="wsbench-kernel-1"

WS_CACHE="${WSBENCH_CACHE:-$HOME/.cache/wsbench}"

ws_log() { printf '[kernel] %s\n' "$*" >&2; }

# A fatal error: the build cannot go on.
die() { printf 'kernel: error: %s\n' "$*" >&2; exit 1; }

# Bad input from the user: name the variable and what it accepts.
die_usage() { printf 'kernel: error: %s\n' "$*" >&2; exit 2; }

# step N TOTAL MESSAGE: one progress line per long step.
step() { printf '[kernel %s/%s] %s\n' "$1" "$2" "$3" >&2; }

sha256_file() { sha256sum "$1" | cut -d' ' -f1; }
sha256_stdin() { sha256sum | cut -d' ' -f1; }
