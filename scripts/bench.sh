#!/bin/sh
# make bench: run the suite where the mechanisms exist.
#   TARGET=auto (default): on the host when the running kernel supports
#     RWP (and idle page tracking when root), else in the pinned 7.3 guest.
#   TARGET=host | TARGET=vm forces one.
#   BENCH_PROFILE=quick | default (default).
#   KERNELS="7.3 rfc-v1": the suite in the guest of each kernel (implies
#     TARGET=vm), results in results/<run-id>/<kernel>/, one summary each.
#   KERNEL=rfc-v1: the guest kernel of a single TARGET=vm run.
#   VM_NUMA=N: a guest with N NUMA nodes (0 or unset: none), for
#     numa-interplay; SUITE_BENCHMARKS="numa-interplay" runs only that.
set -eu

cd "$(dirname "$0")/.."
profile=${BENCH_PROFILE:-default}
target=${TARGET:-auto}
case "$profile" in quick|default) ;; *)
	echo "bench: BENCH_PROFILE='$profile': use quick or default" >&2; exit 2 ;;
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

if [ -n "$kernels" ]; then
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
			[ -f "$out/$k/numa-interplay.json" ]; then
			build/wsbench summary "$out/$k" || status=$?
			[ -x plots/plot.sh ] && plots/plot.sh "$out/$k" >&2 || true
		else
			echo "bench: no results in $out/$k" >&2
			status=1
		fi
	done
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
	scripts/suite.sh "$out" "$profile" || status=$?
else
	status=0
	scripts/vm-suite.sh "$out" "$profile" || status=$?
fi

[ -f "$out/correctness.json" ] || [ -f "$out/fault-latency.json" ] ||
	[ -f "$out/numa-interplay.json" ] || {
	echo "bench: no results in $out" >&2; exit 1; }
echo
build/wsbench summary "$out"
[ -x plots/plot.sh ] && plots/plot.sh "$out" >&2 || true
exit "$status"
