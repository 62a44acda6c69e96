# Validate the user-facing variables before any slow work.  Bad input exits
# with status 2 and names the variable and what it accepts.
# Sourced, not executed.  Needs lib/common.sh.
# shellcheck shell=bash

check_ksrc() {
	[ -n "${KSRC:-}" ] || return 0
	if ! { [ -f "$KSRC/Kconfig" ] && [ -d "$KSRC/scripts/kconfig" ] &&
	    grep -q '^VERSION = ' "$KSRC/Makefile" 2>/dev/null; }; then
		die_usage "KSRC=$KSRC is not a Linux source tree (expected Makefile with VERSION, Kconfig, scripts/kconfig/); accepted: unset (pinned Debian source) or the path of a kernel tree"
	fi
	[ -d "$KSRC/arch/x86" ] ||
		die_usage "KSRC=$KSRC has no arch/x86; only x86_64 guests are built"
}

check_patches() {
	[ -n "${PATCHES:-}" ] || return 0
	if [ -d "$PATCHES" ]; then
		ls "$PATCHES"/*.patch >/dev/null 2>&1 ||
			die_usage "PATCHES=$PATCHES is a directory without *.patch files; accepted: an mbox file (b4 am) or a directory of *.patch"
	elif [ ! -f "$PATCHES" ] || [ ! -r "$PATCHES" ]; then
		die_usage "PATCHES=$PATCHES is neither a readable file nor a directory; accepted: an mbox file (b4 am) or a directory of *.patch"
	fi
}

check_config_base() {
	case "${CONFIG_BASE:-tinyconfig}" in
	tinyconfig | defconfig) return 0 ;;
	esac
	if [ ! -f "$CONFIG_BASE" ] || [ ! -r "$CONFIG_BASE" ]; then
		die_usage "CONFIG_BASE=$CONFIG_BASE is unknown; accepted: tinyconfig (default), defconfig, or the path of a readable .config"
	fi
	grep -q '^CONFIG_' "$CONFIG_BASE" ||
		die_usage "CONFIG_BASE=$CONFIG_BASE contains no CONFIG_ lines; accepted: tinyconfig (default), defconfig, or the path of a .config"
}

check_kernel_pkg() {
	[ -n "${KERNEL_PKG:-}" ] || return 0
	printf '%s\n' "$KERNEL_PKG" | grep -Eq '^linux-source-[0-9]+\.[0-9]+$' ||
		die_usage "KERNEL_PKG=$KERNEL_PKG is not a Debian kernel source package; accepted: linux-source-X.Y (e.g. $WS_PINNED_PKG)"
}

check_kernel() {
	[ -n "${KERNEL:-}" ] || return 0
	ws_kernel_names | grep -qxF -- "$KERNEL" ||
		die_usage "KERNEL=$KERNEL is unknown; accepted: $(ws_kernel_names | paste -sd' ') (default $WS_DEFAULT_KERNEL; kernel/kernels/NAME.conf)"
}

check_inputs() {
	check_kernel
	check_ksrc
	check_patches
	check_config_base
	check_kernel_pkg
	if [ -n "${KSRC:-}" ] && [ -n "${KERNEL_PKG:-}${KERNEL_VERSION:-}" ]; then
		die_usage "KSRC and KERNEL_PKG/KERNEL_VERSION exclude each other; set one"
	fi
}
