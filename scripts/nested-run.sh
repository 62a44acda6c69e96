#!/bin/sh
# Boot a small nested QEMU guest (TCG) whose RAM is a memfd, run a workload
# pattern in it with `wsbench nested guest` reporting the pages it touches
# over its second serial port, and track that QEMU's RAM from here with
# `wsbench nested track`, scored against that truth: soft-dirty and idle
# page tracking through /proc/PID (no help from QEMU needed), and rwp and
# wp with the userfaultfd QEMU hands over (libwsbench-handoff.so
# preloaded into QEMU).  One boot per group of NESTED_VIA: QEMU's RAM
# takes one userfaultfd, and rwp and wp run alone.
# BENCH_PROFILE=vmm runs this inside the 7.3 guest (scripts/vm-suite.sh);
# it runs wherever qemu-system-x86_64, a static busybox and root are.
#
# usage: nested-run.sh OUT_DIR
# env (defaults):
#   NESTED_KERNEL    bzImage the nested guest boots ($WSBENCH_ROOT/nested/
#                    bzImage in the guest, else the newest kernel/build.sh one)
#   NESTED_BUSYBOX   a statically linked busybox (busybox on PATH if it is
#                    static, else Debian's busybox-static fetched with
#                    apt-get download into $WSBENCH_CACHE/nested)
#   NESTED_WSBENCH   static wsbench for the nested guest (wsbench-static
#                    next to WSBENCH)
#   WSBENCH          wsbench for this side (wsbench on PATH, else build/)
#   NESTED_PATTERN   workloads/ file (uniform-hot20.pat)
#   NESTED_SIZE      workload memory (16M)   NESTED_MEM  guest RAM (128M)
#   NESTED_THREADS   workers (1)             NESTED_SEED (42)
#   NESTED_INTERVALS (4)   NESTED_INTERVAL_MS (3000)
#   NESTED_VIA       boots, blank-separated, each a --via list
#                    ("softdirty,idle rwp wp damon")   NESTED_TIMEOUT  s (1200)
#   NESTED_BASELINE  1: first an untracked boot (--via none, no eviction,
#                    files *.baseline.*) that every later boot's slowdown
#                    is measured against (--baseline); 0: none (1)
#   NESTED_BOOTS     rounds: the baseline and every group booted N times,
#                    round after round (round R > 1's files end .rR before
#                    the extension), each boot's slowdown against its
#                    round's baseline, and `wsbench summary` gives each
#                    mechanism's slowdown over boots with an interval
#                    (1 under TCG, 3 when the nested QEMU runs KVM)
#   NESTED_PRELOAD   libwsbench-handoff.so (next to WSBENCH, else build/)
#   NESTED_ACCEL     tcg (default), kvm, or auto: kvm where `wsbench nested
#                    kvm-probe` runs a KVM guest, else tcg; the result
#                    records which ran, and why not kvm
#   NESTED_EVICT     1: the VMM cycle on QEMU's RAM (evict, refault), one
#                    mechanism per boot (default boots: "softdirty idle rwp
#                    wp damon")   NESTED_PROTOCOL safe|unsafe (safe)
#   NESTED_COLD_AFTER  K intervals unseen before a page is evicted (1)
#   NESTED_DISK      size of a raw virtio-blk disk for the nested guest
#                    (4M; 0: none), which it writes and reads back with
#                    O_DIRECT while the workload runs, so that QEMU's own
#                    threads touch its RAM (and PCI is on for it)
#   NESTED_TEST_PUNCH_DELAY_US  tests: wait between writing a run of pages
#                    out and punching it, in which the nested guest is
#                    asked to write its poke pages being evicted: lost
#                    with --protocol unsafe every time, kept with safe (0)
# Leaves in OUT_DIR, for the first boot: nested-track.json (scores,
# integrity, timing), nested-truth.json (per-interval touched sets in RAM
# memfd page offsets), nested-transcript.txt (the protocol),
# nested-console.log, nested-qemu.txt; for each later boot the same files
# with its --via list before the extension (nested-track.rwp.json, ...).
set -eu

out=${1:?usage: nested-run.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
root=${WSBENCH_ROOT:-$(cd "$here/.." && pwd)}
say() { echo "nested-run: $*" >&2; }
die() { say "error: $*"; exit 1; }

ws=${WSBENCH:-$(command -v wsbench || echo "$root/build/wsbench")}
kernel=${NESTED_KERNEL:-}
if [ -z "$kernel" ]; then
	kernel=$root/nested/bzImage
	[ -f "$kernel" ] || kernel=$(ls -t "${WSBENCH_CACHE:-$HOME/.cache/wsbench}"/kernel/*/bzImage 2>/dev/null | head -n1)
fi
is_static() { [ -x "$1" ] && ! grep -q '/lib64/ld-linux' "$1"; }
# Debian's busybox-static conflicts with busybox: fetch it, do not install.
fetch_busybox() {
	d=${WSBENCH_CACHE:-$HOME/.cache/wsbench}/nested/busybox-static
	if ! is_static "$d/bin/busybox"; then
		say "fetching Debian's busybox-static (apt-get download)"
		rm -rf "$d.tmp" && mkdir -p "$d.tmp" &&
			(cd "$d.tmp" && apt-get download busybox-static >&2 &&
				dpkg-deb -x busybox-static_*.deb .) &&
			rm -rf "$d" && mv "$d.tmp" "$d" || return 0
	fi
	echo "$d/bin/busybox"
}
busybox=${NESTED_BUSYBOX:-$(command -v busybox || true)}
[ -n "${NESTED_BUSYBOX:-}" ] || is_static "$busybox" || busybox=$(fetch_busybox)
nws=${NESTED_WSBENCH:-$(dirname "$ws")/wsbench-static}
evict=${NESTED_EVICT:-0}
case $evict in 0 | 1) ;; *) die "NESTED_EVICT '$evict': accepted: 0, 1" ;; esac
if [ "$evict" = 1 ]; then vias=${NESTED_VIA:-softdirty idle rwp wp damon}; else vias=${NESTED_VIA:-softdirty,idle rwp wp damon}; fi
baseline=${NESTED_BASELINE:-1}
case $baseline in 0 | 1) ;; *) die "NESTED_BASELINE '$baseline': accepted: 0, 1" ;; esac
rounds=${NESTED_BOOTS:-}
case $rounds in '' | [1-9] | [1-9][0-9]) ;; *) die "NESTED_BOOTS '$rounds': accepted: 1 to 99 (rounds of boots)" ;; esac
preload=${NESTED_PRELOAD:-$(dirname "$ws")/libwsbench-handoff.so}
[ -n "${NESTED_PRELOAD:-}" ] || [ -f "$preload" ] || preload=$root/build/libwsbench-handoff.so
# QEMU may chdir: an absolute path for LD_PRELOAD.
[ ! -f "$preload" ] || preload=$(cd "$(dirname "$preload")" && pwd)/$(basename "$preload")
init=$root/nested/init
[ -f "$init" ] || init=$root/images/nested-init
wl=$root/workloads
pattern=${NESTED_PATTERN:-uniform-hot20.pat}
mem=${NESTED_MEM:-128M}
disk=${NESTED_DISK:-4M}
case $disk in 0) disk= ;; *[!0-9KMG]* | '') die "NESTED_DISK '$disk': accepted: 0 or a size such as 4M" ;; esac

[ -x "$ws" ] || die "no wsbench at '$ws' (set WSBENCH)"
[ -f "${kernel:-}" ] || die "no nested kernel (set NESTED_KERNEL to a bzImage; make kernel)"
[ -x "$busybox" ] || die "no static busybox (set NESTED_BUSYBOX to one: Debian's busybox-static)"
[ -x "$nws" ] || die "no static wsbench at '$nws' (make build/wsbench-static; set NESTED_WSBENCH)"
[ -f "$wl/$pattern" ] || die "NESTED_PATTERN '$pattern' not in $wl"
case "$evict $vias " in
1* | *rwp* | *" wp"* | *",wp"*)
	[ -f "$preload" ] || die "no libwsbench-handoff.so at '$preload' for rwp/wp (make; set NESTED_PRELOAD)" ;;
esac
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not installed"
# A dynamic binary has a program interpreter; the nested guest has no libc.
for b in "$busybox" "$nws"; do
	! grep -q '/lib64/ld-linux' "$b" || die "$b is dynamically linked: the nested guest has no libc"
done

mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/nested.XXXXXX")
qpid= watch=
cleanup() {
	[ -z "$watch" ] || kill "$watch" 2>/dev/null || true
	[ -z "$qpid" ] || kill "$qpid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# TCG inside TCG: skip what the nested guest does not need (ACPI, PCI: its
# serial ports are ISA; the timer check and the clocksource watchdog that
# a slow emulator trips).  About 40 % less kernel boot time.
fast="acpi=off pci=off no_timer_check tsc=reliable"
# The disk is virtio-blk on PCI (the pc machine has no virtio-mmio): PCI on.
[ -z "$disk" ] || fast="acpi=off no_timer_check tsc=reliable"
# KVM where it exists: guest accesses then reach the protected RAM through
# KVM's own faults (GUP, MMU notifiers) instead of TCG's host loads and
# stores.  `wsbench nested kvm-probe` runs a one-instruction KVM guest, and
# a machine can pass it and still not run Linux under KVM (this one: the
# README), so kvm is only taken when the nested kernel boots under it to
# its root mount within 30 s.  tcg by default.
kvm_boots() {
	f=$work/kvm-probe.log
	timeout 30 qemu-system-x86_64 -accel kvm -nodefaults -no-user-config \
		-display none -no-reboot -m 64 -kernel "$kernel" \
		-append "console=ttyS0 panic=-1 $fast" -serial "file:$f" \
		>/dev/null 2>&1 || true
	grep -q 'VFS: Unable to mount root' "$f" 2>/dev/null
}
accel=${NESTED_ACCEL:-tcg} kvm_why=
case $accel in
tcg) kvm_why="NESTED_ACCEL=tcg (the default; auto or kvm to use KVM)" ;;
auto | kvm)
	probe=$("$ws" nested kvm-probe 2>&1) || kvm_why=${probe#kvm: not usable: }
	[ -n "$kvm_why" ] || kvm_boots ||
		kvm_why="a one-instruction KVM guest runs, but QEMU -accel kvm did not boot the nested kernel to its root mount within 30 s"
	[ "$accel" = auto ] || [ -z "$kvm_why" ] || die "NESTED_ACCEL=kvm: $kvm_why"
	if [ -z "$kvm_why" ]; then accel=kvm; else accel=tcg; fi ;;
*) die "NESTED_ACCEL '$accel': accepted: tcg, kvm, auto" ;;
esac
say "nested accel: $accel${kvm_why:+ (not kvm: $kvm_why)}"
# A boot under KVM takes seconds: enough for an interval over boots.
[ -n "$rounds" ] || { [ "$accel" = kvm ] && rounds=3 || rounds=1; }

# --- the nested initramfs: busybox, wsbench, init, the patterns ----------
say "packing the nested initramfs"
mkdir -p "$work/root/bin" "$work/root/dev" "$work/root/workloads"
cp "$busybox" "$work/root/bin/busybox"
cp "$nws" "$work/root/bin/wsbench"
install -m 0755 "$init" "$work/root/init"
cp "$wl"/*.pat "$work/root/workloads/"
mknod "$work/root/dev/console" c 5 1 2>/dev/null || true
if command -v cpio >/dev/null; then cpio=cpio; else cpio="$busybox cpio"; fi
(cd "$work/root" && find . | $cpio -o -H newc 2>/dev/null) >"$work/initrd.cpio"
say "initramfs $(wc -c <"$work/initrd.cpio") bytes"

# --- boot, track, power off: once per NESTED_VIA group ------------------
sock=$work/wsn.sock
hsock=$work/handoff.sock
qmp=$work/qmp.sock
# boot VIA SUFFIX [EVICT]: one nested boot tracked with --via VIA, files
# *SUFFIX; EVICT 0 for the untracked baseline.
boot() {
	via=$1 sfx=$2 ev=${3:-$evict}
	rm -f "$sock" "$hsock" "$qmp" "$work/qemu.pid" "$work/disk.raw"
	dsk= dargs=
	if [ -n "$disk" ]; then
		truncate -s "$disk" "$work/disk.raw"
		dsk=$work/disk.raw dargs="wsn.disk=/dev/vda"
	fi
	set -- qemu-system-x86_64 -nodefaults -no-user-config -display none \
		-no-reboot -accel "$accel" -smp 1 -m "$mem" \
		-name wsnested,debug-threads=on \
		-object "memory-backend-memfd,id=ram,size=$mem,share=on" \
		-machine pc,memory-backend=ram \
		-kernel "$kernel" -initrd "$work/initrd.cpio" \
		-append "console=ttyS0 rdinit=/init panic=-1 quiet $fast wsn.pattern=$pattern wsn.size=${NESTED_SIZE:-16M} wsn.threads=${NESTED_THREADS:-1} wsn.seed=${NESTED_SEED:-42} $dargs" \
		-serial "file:$out/nested-console$sfx.log" \
		-chardev "socket,id=wsn,path=$sock,server=on,wait=off" \
		-serial chardev:wsn \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-qmp "unix:$qmp,server=on,wait=off" \
		-pidfile "$work/qemu.pid"
	[ -z "$dsk" ] || set -- "$@" -drive "file=$dsk,if=none,id=wsd,format=raw" \
		-device virtio-blk-pci,drive=wsd
	# Only QEMU gets the library (not timeout or sh, which would connect too).
	lib= hand=
	case "$ev,$via," in 1,* | *,rwp,* | *,wp,*) lib=$preload hand=$hsock ;; esac
	cyc=
	[ "$ev" = 0 ] || cyc="--evict --qmp $qmp --protocol ${NESTED_PROTOCOL:-safe} --cold-after ${NESTED_COLD_AFTER:-1} --test-punch-delay-us ${NESTED_TEST_PUNCH_DELAY_US:-0}"
	printf '%s\n' "${lib:+LD_PRELOAD=$lib WSBENCH_HANDOFF_SOCKET=$hand }$*" >"$out/nested-qemu$sfx.txt"
	say "booting the nested guest ($mem, -accel $accel) for --via $via"
	t0=$(date +%s)
	timeout --kill-after=10 "${NESTED_TIMEOUT:-1200}" sh -c \
		'lib=$1 hand=$2; shift 2
		if [ -n "$lib" ]; then LD_PRELOAD=$lib WSBENCH_HANDOFF_SOCKET=$hand exec "$@"; fi
		exec "$@"' sh "$lib" "$hand" "$@" >"$work/qemu.out" 2>&1 &
	tpid=$!
	while [ ! -s "$work/qemu.pid" ] && kill -0 "$tpid" 2>/dev/null; do sleep 0.2; done
	qpid=$(cat "$work/qemu.pid" 2>/dev/null || true)
	[ -n "$qpid" ] || { cat "$work/qemu.out" >&2; die "QEMU did not start"; }

	# Minutes of TCG in TCG with nothing said otherwise: every 20 s how
	# long, and the nested console's last line (vm-run.sh forwards it).
	(
		while sleep 20; do
			last=$(tail -n 1 "$out/nested-console$sfx.log" 2>/dev/null | tr -d '\r' | cut -c 1-100)
			echo "[nested] --via $via: $(($(date +%s) - t0))s of ${NESTED_TIMEOUT:-1200}s; console: ${last:-nothing yet}" >&2
		done
	) &
	watch=$!

	rc=0
	base=$out/nested-track.baseline$rsfx.json
	case $sfx in .baseline*) base= ;; esac
	[ -z "$base" ] || [ -f "$base" ] || base=
	"$ws" nested track --pid "$qpid" --socket "$sock" --ram "$mem" \
		--via "$via" ${hand:+--handoff "$hand"} $cyc ${dsk:+--disk "$dsk"} \
		${base:+--baseline "$base"} \
		--nested-accel "$accel" ${kvm_why:+--nested-accel-why "$kvm_why"} \
		--intervals "${NESTED_INTERVALS:-4}" \
		--interval-ms "${NESTED_INTERVAL_MS:-3000}" \
		--boot-timeout "${NESTED_TIMEOUT:-1200}" \
		--transcript "$out/nested-transcript$sfx.txt" \
		--truth "$out/nested-truth$sfx.json" \
		--json "$out/nested-track$sfx.json" || rc=$?

	qrc=0
	wait "$tpid" || qrc=$?
	qpid=
	kill "$watch" 2>/dev/null || true
	watch=
	cat "$work/qemu.out" >>"$out/nested-qemu$sfx.txt"
	say "nested QEMU exited $qrc after $(($(date +%s) - t0))s; track exited $rc"
	# The nested init ends QEMU through isa-debug-exit (0x10 << 1) | 1 = 33.
	[ "$qrc" = 33 ] || { tail -n 20 "$out/nested-console$sfx.log" >&2; [ "$rc" != 0 ] || rc=1; }
	return "$rc"
}

# round R: the untracked baseline, then each group; rsfx is R's suffix.
round() {
	rsfx=
	[ "$1" = 1 ] || rsfx=.r$1
	first=1
	rm -f "$out/nested-track.baseline$rsfx.json"
	[ "$baseline" = 0 ] || boot none ".baseline$rsfx" 0 || status=1
	for via in $vias; do
		sfx=.$(printf '%s' "$via" | tr ',' '+')
		[ -z "$first" ] || sfx=
		first=
		boot "$via" "$sfx$rsfx" || status=1
	done
}

status=0 r=1
while [ "$r" -le "$rounds" ]; do
	[ "$rounds" = 1 ] || say "round $r of $rounds"
	round "$r"
	r=$((r + 1))
done
exit "$status"
