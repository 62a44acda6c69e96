#!/bin/sh
# make bench: run the suite where the mechanisms exist.
#   TARGET=auto (default): on the host when the running kernel supports
#     RWP (and idle page tracking when root), else in the pinned 7.3 guest.
#   TARGET=host | TARGET=vm forces one.
#   BENCH_PROFILE=quick | default (default) | vmm (a nested QEMU guest's
#     RAM tracked from outside against the nested guest's own truth:
#     scripts/nested-run.sh, in the 7.3 guest's vmm image variant).
#   KERNELS="7.3 rfc-v1": the suite in the guest of each kernel (implies
#     TARGET=vm), results in results/<run-id>/<kernel>/, one summary each.
#   KERNEL=rfc-v1: the guest kernel of a single TARGET=vm run.
#   VM_NUMA=N: a guest with N NUMA nodes (0 or unset: none), for
#     numa-interplay; SUITE_BENCHMARKS="numa-interplay" runs only that.
#   RUNS=N: invocations of each benchmark (separate processes, merged):
#     default 6 on the host and in a KVM guest (95 % intervals over
#     invocations), 1 in a TCG guest (its timings are meaningless;
#     correctness is exact).
set -eu

cd "$(dirname "$0")/.."
profile=${BENCH_PROFILE:-default}
target=${TARGET:-auto}
case "$profile" in quick|default|vmm) ;; *)
	echo "bench: BENCH_PROFILE='$profile': use quick, default or vmm" >&2; exit 2 ;;
esac
case "$target" in auto|host|vm) ;; *)
	echo "bench: TARGET='$target': use auto, host or vm" >&2; exit 2 ;;
esac
case "${VM_SMP:-2}" in ''|*[!0-9]*|0*)
	echo "bench: VM_SMP='${VM_SMP}': use the number of guest vCPUs, 1 or more" >&2; exit 2 ;;
esac
known=$(ls kernel/kernels/ | sed -n 's/\.conf$//p' | tr '\n' ' ')
# check_kernel VAR NAME: NAME is a kernel/kernels/NAME.conf, else exit 2.
check_kernel() {
	case " $known" in *" $2 "*) return 0 ;; esac
	echo "bench: $1: '$2' is not a kernel: use some of: $known" >&2
	exit 2
}
kernels=${KERNELS:-}
seen=" "
for k in $kernels; do
	check_kernel KERNELS "$k"
	case "$seen" in *" $k "*)
		echo "bench: KERNELS: '$k' is listed twice" >&2; exit 2 ;;
	esac
	seen="$seen$k "
done
[ -z "${KERNEL:-}" ] || check_kernel KERNEL "$KERNEL"
if [ -n "$kernels${KERNEL:-}" ]; then
	[ "$target" != host ] || {
		echo "bench: KERNEL/KERNELS name guest kernels: use TARGET=vm or auto, not host" >&2
		exit 2; }
	target=vm
fi

case "${VM_NUMA:-0}" in 0) ;; *[!0-9]*|0*)
	echo "bench: VM_NUMA='${VM_NUMA}': use the number of guest NUMA nodes, 1 to VM_SMP (${VM_SMP:-2}), or 0 for none" >&2; exit 2 ;;
esac
if [ "${VM_NUMA:-0}" -gt "${VM_SMP:-2}" ]; then
	echo "bench: VM_NUMA='${VM_NUMA}': use the number of guest NUMA nodes, 1 to VM_SMP (${VM_SMP:-2}), or 0 for none" >&2; exit 2
fi

run_id=${RUN_ID:-$(date -u +%Y%m%dT%H%M%SZ)-$profile}
out=results/$run_id

# side_by_side "K1 K2": with exactly 7.3 and rfc-v1, one table of both
# kernels: every metric of rfc-v1 over 7.3 with its CI, RWP paired with
# its RFC ancestor minor-anon (wsbench compare --pair).
side_by_side() {
	set -- $1
	[ "$#" = 2 ] && [ -d "$out/$1" ] && [ -d "$out/$2" ] || return 0
	pair=
	[ "$1 $2" != "7.3 rfc-v1" ] || pair="--pair rwp=minor-anon"
	[ "$1 $2" != "rfc-v1 7.3" ] || pair="--pair minor-anon=rwp"
	echo
	echo "== KERNEL=$1 (A) vs KERNEL=$2 (B)"
	# shellcheck disable=SC2086
	build/wsbench compare $pair "$out/$1" "$out/$2" >"$out/compare-$1-$2.txt" ||
		return 1
	cat "$out/compare-$1-$2.txt"
}

# The guest path needs the kernel and image tools (make bench installed
# only the host's): installed here, when it is taken.
guest_deps() { scripts/deps.sh guest; }

if [ -n "$kernels" ]; then
	guest_deps
	# One guest per kernel, one result directory each, then one summary
	# each.  A kernel that fails does not stop the next one.
	status=0
	for k in $kernels; do
		echo "bench: kernel $k: suite in its guest, profile $profile -> $out/$k" >&2
		KERNEL=$k scripts/vm-suite.sh "$out/$k" "$profile" || status=$?
	done
	for k in $kernels; do
		echo
		echo "== KERNEL=$k"
		if [ -f "$out/$k/correctness.json" ] || [ -f "$out/$k/fault-latency.json" ] ||
			[ -f "$out/$k/nested-track.json" ] ||
			[ -f "$out/$k/numa-interplay.json" ]; then
			build/wsbench summary "$out/$k" || status=$?
			[ "$profile" = vmm ] || { [ -x plots/plot.sh ] && plots/plot.sh "$out/$k" >&2 || true; }
		else
			echo "bench: no results in $out/$k" >&2
			status=1
		fi
	done
	side_by_side "$kernels" || status=1
	exit "$status"
fi

if [ "$target" = auto ]; then
	probe=$(build/wsbench probe)
	target=host
	echo "$probe" | grep -q '^rwp  *supported' || target=vm
	if [ "$(id -u)" = 0 ]; then
		echo "$probe" | grep -q '^idle  *supported' || target=vm
	fi
	echo "bench: running kernel $(uname -r) lacks RWP or idle tracking -> target $target" >&2
fi

if [ "$target" = host ]; then
	echo "bench: suite on the host ($(uname -r)), profile $profile -> $out" >&2
	status=0
	if [ "$profile" = vmm ]; then
		make -s build/wsbench-static
		WSBENCH=build/wsbench scripts/nested-run.sh "$out" || status=$?
	else
		RUNS=${RUNS:-6} scripts/suite.sh "$out" "$profile" || status=$?
	fi
else
	status=0
	guest_deps
	scripts/vm-suite.sh "$out" "$profile" || status=$?
fi

[ -f "$out/correctness.json" ] || [ -f "$out/fault-latency.json" ] ||
	[ -f "$out/nested-track.json" ] || [ -f "$out/numa-interplay.json" ] || {
	echo "bench: no results in $out" >&2; exit 1; }
echo
build/wsbench summary "$out"
# The vmm profile has no benchmark files to plot.
[ "$profile" = vmm ] || { [ -x plots/plot.sh ] && plots/plot.sh "$out" >&2 || true; }
exit "$status"
