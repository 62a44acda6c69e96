#!/bin/sh
# The device side of the LAVA test (scripts/lava/wsbench.yaml): runs the
# wsbench suite, prints its summary, reports each case with lava-test-case
# (or into result.txt when not under LAVA) and hands the result directory
# back through the job log between WSBENCH-RESULTS markers (twice), base64 of a
# tar.gz (scripts/lava/results.py unpacks it), and to ARTIFACT_URL if set.
# env (the test definition's params): BENCH_PROFILE SUITE_BENCHMARKS
# SUITE_ARGS RUNS WSBENCH_TARBALL ARTIFACT_URL
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
profile=${BENCH_PROFILE:-quick}
case "$profile" in quick|default) ;;
*) echo "wsbench-lava: BENCH_PROFILE='$profile': use quick or default" >&2; exit 2 ;;
esac
out=${WSBENCH_LAVA_OUT:-/tmp/wsbench-lava}/results/lava-$(date -u +%Y%m%dT%H%M%SZ)

# case NAME RESULT [MEASUREMENT UNITS]: one test case, to LAVA or a file.
case_out() {
	if command -v lava-test-case >/dev/null 2>&1; then
		if [ $# -ge 4 ]; then
			lava-test-case "$1" --result "$2" --measurement "$3" --units "$4"
		else
			lava-test-case "$1" --result "$2"
		fi
	else
		echo "$*" >>"$out.result.txt"
	fi
}

# wsbench: in the image (/opt/wsbench), from a tarball, or built here.
find_wsbench() {
	if [ -x /opt/wsbench/bin/wsbench ]; then
		echo /opt/wsbench/bin/wsbench
	elif [ -n "${WSBENCH_TARBALL:-}" ]; then
		mkdir -p /opt/wsbench
		curl -fsSL "$WSBENCH_TARBALL" | tar -xz -C /opt/wsbench
		echo /opt/wsbench/bin/wsbench
	else
		make -C "$repo" -s build/wsbench >&2
		echo "$repo/build/wsbench"
	fi
}

ws=$(find_wsbench)
mkdir -p "$(dirname "$out")"
echo "wsbench-lava: $ws, profile $profile, benchmarks ${SUITE_BENCHMARKS:-all}, out $out"
rc=0
WSBENCH=$ws RUNS=${RUNS:-1} SUITE_BENCHMARKS=${SUITE_BENCHMARKS:-} \
	SUITE_ARGS=${SUITE_ARGS:-} "$repo/scripts/suite.sh" "$out" "$profile" || rc=$?
[ "$rc" = 0 ] && case_out suite pass || case_out suite fail
"$ws" summary "$out" || true
"$ws" cases "$out" >"$out.cases" || { case_out cases fail; exit 1; }
case_out cases pass
while read -r name result measurement units; do
	# shellcheck disable=SC2086
	case_out "$name" "$result" $measurement $units
done <"$out.cases"

tarball=$out.tar.gz
# The guest image has busybox's tar, a lab's rootfs GNU tar.
tar=tar
command -v tar >/dev/null 2>&1 || tar="busybox tar"
$tar -C "$(dirname "$out")" -czf "$tarball" "$(basename "$out")"
sum=$(sha256sum <"$tarball" | cut -d' ' -f1)
# A kernel message on the same console cuts into a line and spoils a copy
# (a CI job's log had two inside one; under TCG "clocksource: Watchdog
# remote CPU 1 read timed out" is a usual one): while printing, the
# console takes only emergencies (the rest stays in dmesg; the check is
# made when a message is printed, which may be a little later), the level
# restored after, also on a signal.  Twice all the same: results.py takes
# the first copy whose sha256 matches.
printk=$(cat /proc/sys/kernel/printk 2>/dev/null) || printk=
restore_printk() { [ -z "$printk" ] || echo "$printk" >/proc/sys/kernel/printk || true; }
trap 'restore_printk; exit 129' HUP
trap 'restore_printk; exit 130' INT
trap 'restore_printk; exit 143' TERM
[ -z "$printk" ] || echo 1 >/proc/sys/kernel/printk 2>/dev/null || printk=
for _ in 1 2; do
	echo "WSBENCH-RESULTS-BEGIN $(basename "$out") $sum"
	base64 -w 76 "$tarball"
	echo "WSBENCH-RESULTS-END"
done
restore_printk
trap - INT TERM HUP
[ -z "${ARTIFACT_URL:-}" ] ||
	curl -fsS -T "$tarball" "$ARTIFACT_URL/$(basename "$tarball")" ||
	case_out artifact-upload fail
exit "$rc"
