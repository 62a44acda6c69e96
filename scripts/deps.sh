#!/bin/sh
# Install what wsbench needs to build, run, test and boot its guest.
# Idempotent and quiet when everything is present.  apt (Debian/Ubuntu) or
# dnf (Fedora).
set -eu

apt_pkgs="gcc make libc6-dev libjansson-dev python3 python3-jsonschema
gnuplot-nox git ca-certificates gzip
flex bison bc libelf-dev libssl-dev cpio zstd rsync kmod dwarves xz-utils
qemu-system-x86 mkosi debootstrap fio hyperfine util-linux strace stress-ng"
dnf_pkgs="gcc make glibc-devel glibc-static jansson-devel python3
python3-jsonschema gnuplot git gzip flex bison bc elfutils-libelf-devel
openssl-devel cpio zstd rsync kmod dwarves xz qemu-system-x86 mkosi
debootstrap fio hyperfine util-linux strace stress-ng"

if command -v dpkg-query >/dev/null 2>&1; then
	missing=""
	for p in $apt_pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && exit 0
	echo "deps: installing:$missing" >&2
	[ "$(id -u)" = 0 ] || { echo "deps: need root to install:$missing" >&2; exit 1; }
	export DEBIAN_FRONTEND=noninteractive
	log="${TMPDIR:-/tmp}/wsbench-deps.log"
	# shellcheck disable=SC2086
	if ! { apt-get update -qq && apt-get install -y -qq \
		--no-install-recommends $missing; } >"$log" 2>&1; then
		tail -n 20 "$log" >&2
		echo "deps: apt-get failed; full log: $log" >&2
		exit 1
	fi
elif command -v dnf >/dev/null 2>&1; then
	missing=""
	for p in $dnf_pkgs; do
		rpm -q "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	[ -z "$missing" ] && exit 0
	echo "deps: installing:$missing" >&2
	# shellcheck disable=SC2086
	dnf install -y -q $missing >&2
else
	echo "deps: neither apt nor dnf found; install by hand: $apt_pkgs" >&2
	exit 1
fi
