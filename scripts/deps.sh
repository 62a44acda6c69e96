#!/bin/sh
# Install what wsbench needs, and no more than the task asks for.
# Idempotent and quiet when everything is present.  apt (Debian/Ubuntu) or
# dnf (Fedora).
#
# usage: deps.sh [SET...]   (default: all)
#   plots  draw figures (make plots): python3, gnuplot
#   host   build wsbench and run it here (make bench TARGET=host, make
#          verify), plots included: make bench draws its figures
#   guest  build the 7.3 kernel and guest image, boot it under QEMU
#          (make kernel, make image, make bench in the VM)
#   test   make test: all of the above, plus the programs the tests run
#          the mechanisms against (fio, hyperfine, stress-ng, strace), the
#          readers' memory checker (valgrind) and
#          the JSON schema validator
#   all    everything (make deps)
#   lava   Debian's LAVA dispatcher, job schema and lavacli (make
#          lava-deps; tests/lava installs it itself; not in all: it is
#          a hundred packages only LAVA work needs)
set -eu

apt_plots="python3 gnuplot-nox"
apt_host="gcc make libc6-dev libjansson-dev git ca-certificates gzip util-linux"
apt_guest="flex bison bc libelf-dev libssl-dev cpio zstd rsync kmod dwarves
xz-utils qemu-system-x86 mkosi debootstrap"
apt_test="python3-jsonschema fio hyperfine strace stress-ng valgrind"
apt_lava="lava-dispatcher lava-common lavacli python3-yaml"
dnf_plots="python3 gnuplot"
dnf_host="gcc make glibc-devel glibc-static jansson-devel git gzip util-linux"
dnf_guest="flex bison bc elfutils-libelf-devel openssl-devel cpio zstd rsync
kmod dwarves xz qemu-system-x86 mkosi debootstrap"
dnf_test="python3-jsonschema fio hyperfine strace stress-ng valgrind"

sets=${*:-all}
want_apt="" want_dnf=""
for s in $sets; do
	case "$s" in
	plots) want_apt="$want_apt $apt_plots"; want_dnf="$want_dnf $dnf_plots" ;;
	host) want_apt="$want_apt $apt_plots $apt_host"
		want_dnf="$want_dnf $dnf_plots $dnf_host" ;;
	guest) want_apt="$want_apt $apt_host $apt_guest"
		want_dnf="$want_dnf $dnf_host $dnf_guest" ;;
	test|all) want_apt="$want_apt $apt_plots $apt_host $apt_guest $apt_test"
		want_dnf="$want_dnf $dnf_plots $dnf_host $dnf_guest $dnf_test" ;;
	lava) want_apt="$want_apt $apt_lava"
		if ! command -v dpkg-query >/dev/null 2>&1; then
			echo "deps: lava: LAVA is packaged by Debian; elsewhere use LAVA's own containers" >&2
			exit 1
		fi ;;
	*) echo "deps: '$s' is not a set: use plots, host, guest, test, all or lava" >&2
		exit 2 ;;
	esac
done

if command -v dpkg-query >/dev/null 2>&1; then
	missing=""
	for p in $want_apt; do
		case " $missing " in *" $p "*) continue ;; esac
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && exit 0
	echo "deps ($sets): installing:$missing" >&2
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
	for p in $want_dnf; do
		case " $missing " in *" $p "*) continue ;; esac
		rpm -q "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	[ -z "$missing" ] && exit 0
	echo "deps ($sets): installing:$missing" >&2
	# shellcheck disable=SC2086
	dnf install -y -q $missing >&2
else
	echo "deps: neither apt nor dnf found; install by hand:$want_apt" >&2
	exit 1
fi
