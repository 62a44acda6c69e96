#!/bin/sh
# Runs inside the two-node guest (tests/vm-e2e-numa/run.sh): numa-interplay
# for every backend, the knobs before, during and after, and a run killed
# with SIGTERM while its damon child held a kdamond.  The host checks.
set -u
ws=/opt/wsbench/bin/wsbench
out=/mnt/share/numa
scan=/sys/kernel/debug/sched/numa_balancing
kd=/sys/kernel/mm/damon/admin/kdamonds/nr_kdamonds
mkdir -p "$out"

knobs() {
	printf 'numa_balancing=%s' "$(cat /proc/sys/kernel/numa_balancing)"
	for f in scan_delay_ms scan_period_min_ms scan_period_max_ms scan_size_mb; do
		printf ' %s=%s' "$f" "$(cat "$scan/$f")"
	done
	printf ' nr_kdamonds=%s\n' "$(cat "$kd")"
}
# wsbench processes still alive (the image may have no pgrep).
alive() {
	n=0
	for c in /proc/[0-9]*/comm; do
		[ "$(cat "$c" 2>/dev/null)" = wsbench ] && n=$((n + 1))
	done
	echo "$n"
}

cat /sys/devices/system/node/online >"$out/nodes"
knobs >"$out/knobs.before"
"$ws" probe --json "$out/probe.json" >/dev/null 2>&1
"$ws" run numa-interplay --out "$out" --run-id e2e --size 16M \
	--intervals 15 --quiet >"$out/run.out" 2>"$out/run.err"
echo $? >"$out/run.rc"
knobs >"$out/knobs.after"
"$ws" summary "$out" >"$out/summary.out" 2>&1

# Killed while the tracked damon run's child holds its kdamond: the
# untracked run goes first (50 x 200 ms), then the tracked one (as long).
"$ws" run numa-interplay --out "$out/killed" --run-id killed \
	--backend damon --size 16M --intervals 50 --quiet >/dev/null 2>&1 &
pid=$!
start=$(cat "$kd")
i=0
while [ "$(cat "$kd")" = "$start" ] && [ "$i" -lt 600 ]; do
	sleep 0.2
	i=$((i + 1))
done
sleep 1
knobs >"$out/knobs.during"
kill -TERM "$pid"
wait "$pid"
echo $? >"$out/killed.rc"
sleep 2
knobs >"$out/knobs.killed"
alive >"$out/alive.killed"
exit 0
