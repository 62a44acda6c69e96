#!/bin/sh
# Runs inside the wsbench guest (Linux 7.3) for tests/vm-e2e/run.sh: every
# microbenchmark in a tiny configuration on the backends the host lacks,
# the correctness patterns on all backends, and the kernel's own RWP
# selftests.  Exit codes are recorded per step; the host asserts on them.
set -u

step_tag=e2e
. /mnt/share/guest-step.sh	# ws, out, common, tiny; step NAME CMD...

step probe $ws probe --json "$out/probe.json"
step correctness $ws run correctness --backend rwp,idle,wp,softdirty \
	--backing anon,shmem --mode all --pages 300 $common
# THP: async resolution unprotects whole PMDs; the round trip must cope.
step correctness-thp $ws run correctness --backend rwp --backing anon-thp \
	--mode all --pages 300 --quiet --out "$out/thp" --run-id e2e
# anon-thp: PMD coverage recorded, one fault per PMD for rwp async.
step fault-latency $ws run fault-latency --backend rwp,idle,wp \
	--backing anon,anon-thp --pages 512 $tiny
step protect-cost $ws run protect-cost --backend rwp,idle,wp,softdirty \
	--backing anon,anon-thp --size 4K,2M --threads 0,1 $tiny
step scan-throughput $ws run scan-throughput \
	--backend rwp,idle,wp,softdirty --backing anon --size 1M \
	--hot 0,20,100 --layout scattered $tiny
step set-mode $ws run set-mode --backend rwp --backing anon --threads 0,1 $tiny
# Idle false positives (issue 6 item 9): sizes that are not multiples of
# 64 pages (one bitmap word), several hot fractions.
step idle-odd $ws run correctness --backend idle --backing anon,shmem \
	--pages 1001 --quiet --out "$out/idle-odd" --run-id e2e
step idle-odd-scan $ws run scan-throughput --backend idle --backing anon \
	--size 4100K --hot 1,20,50 --layout scattered,contiguous \
	--min-reps 3 --max-reps 3 --min-time 0 --warmup 1 --quiet \
	--out "$out/idle-odd" --run-id e2e
# guest_memfd on unpatched 7.3 (KVM built in, kernel/config/kvm.fragment):
# the backing exists, and the kernel itself refuses MINOR on it.
step gmem-unpatched $ws run correctness --backend minor,rwp --backing gmem \
	--mode sync --pages 64 --quiet --out "$out/gmem" --run-id e2e
# The same KVM selftest the gmem kernel passes, on unpatched 7.3.
step kvm-selftest /opt/wsbench/bin/guest_memfd_test

# DAMON, next to an existing (off, empty) kdamond 0 it must not disturb:
# the sysfs tree before and after every run, and after SIGTERM mid-run.
kd=/sys/kernel/mm/damon/admin/kdamonds
dout=$out/damon
mkdir -p "$dout"
# state is EBUSY while a kdamond's tried_regions update waits, and a
# scan-throughput run asks for one update after another: up to 30 s.
rd() {
	i=0
	until cat "$1" 2>/dev/null || [ $i -ge 600 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}
damon_tree() {	# nr_kdamonds, then every kdamond's state and nr_contexts
	s="nr_kdamonds=$(rd $kd/nr_kdamonds)"
	for k in "$kd"/[0-9]*; do
		[ -d "$k" ] && s="$s ${k##*/}:$(rd "$k/state"):$(rd "$k/contexts/nr_contexts")"
	done
	echo "$s"
}
dcommon="--backend damon --backing anon --quiet --out $dout --run-id e2e"
echo 1 >$kd/nr_kdamonds
damon_tree >"$dout/tree.before"
step damon/probe $ws probe --json "$dout/probe.json"
step damon/correctness $ws run correctness --pages 300 $dcommon
step damon/scan-throughput $ws run scan-throughput --size 1M --hot 0,50,100 \
	--min-reps 3 --max-reps 3 --min-time 0 --warmup 1 $dcommon
step damon/damon-sweep $ws run damon-sweep --profile quick --size 4M --hot 10 \
	--layout contiguous --warmup 3 --min-reps 3 --max-reps 3 \
	--out "$dout" --run-id e2e	# not quiet: its progress is checked
damon_tree >"$dout/tree.after"
# A run that would take minutes, killed once its kdamond is on.
$ws run scan-throughput --size 1M --hot 50 --min-reps 100000 \
	--max-reps 100000 --min-time 600 --backend damon --backing anon \
	--quiet --run-id e2e --out "$dout/killed" \
	>/dev/null 2>&1 &
pid=$!
i=0
until [ -e "$kd/1/state" ] && [ "$(rd $kd/1/state)" = on ] || [ $i -ge 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
damon_tree >"$dout/tree.during"
kill -TERM $pid
rc=0
wait $pid || rc=$?
echo "$rc" >"$dout/killed.rc"
damon_tree >"$dout/tree.killed"
# A configured kdamond must make the backend refuse, not wipe it.
echo 1 >$kd/0/contexts/nr_contexts
step damon/probe-configured $ws probe --json "$dout/probe-configured.json"
damon_tree >"$dout/tree.configured"
echo 0 >$kd/0/contexts/nr_contexts
echo 0 >$kd/nr_kdamonds

# The VMM cycle for every backend the guest has, then the integrity check
# failing on purpose: evicting without a freeze must be caught.
vmm="--size 8M --intervals 8 --interval-ms 100 --cold-after 1 --min-reps 1"
step vmm-cycle $ws run vmm-cycle --backend rwp,wp,idle,softdirty,damon \
	--pattern uniform-hot20,read-mostly $vmm $common
# The safe run needs evictions whatever the machine's speed: uniform churn
# may touch every page in every interval (it did once, so nothing was
# evicted and nothing proven).  Here half the memory rests for three
# intervals of every six, so it is evicted, then written by both vCPUs
# while the rest churns: refaults and evictions under concurrent writes.
cat >"$out/churn-halves.pat" <<'PAT'
region lo 50%
region hi 50%
phase lo-only 150ms
	lo uniform reads 0%
phase all 150ms
	lo uniform reads 0%
	hi uniform reads 0%
PAT
step vmm-churn $ws run vmm-cycle --backend rwp,idle --pattern "$out/churn-halves.pat" \
	--size 8M --intervals 20 --interval-ms 50 --cold-after 1 --min-reps 1 \
	--quiet --out "$out/churn" --run-id e2e
# Unsafe, on the same halves (uniform churn touched every page in every
# interval under TCG: nothing evicted, nothing to lose).  The test hook
# (recorded) waits up to 400 ms between write-out and punch, until a vCPU
# writes a page written out: the resting half comes back within 150 ms,
# so the loss is caught every run, not only when TCG happens to schedule
# a write into the natural window.
step vmm-unsafe env WSBENCH_TEST_PUNCH_DELAY_US=400000 \
	$ws run vmm-cycle --backend rwp,idle --pattern "$out/churn-halves.pat" \
	--size 8M --intervals 20 --interval-ms 50 --cold-after 1 --min-reps 1 \
	--protocol unsafe --quiet --out "$out/unsafe" --run-id e2e
# Issue 10: fio, unmodified, its memory handed to wsbench (rwp, wp) or
# tracked from outside (idle, softdirty); fio verifies every byte.  fio
# writes its I/O log (the ground truth) in the working directory.
cd "$out" || exit 1
for b in rwp wp idle softdirty; do
	step attach-$b $ws attach --backend "$b" \
		--preload /mnt/share/libwsbench-handoff.so --quiet \
		--out "$out/attach-$b" --run-id e2e -- fio /mnt/share/zipf.fio
done
cd /
step summary $ws summary "$out"
if [ -x /opt/wsbench/bin/uffd-unit-tests ]; then
	step uffd-unit-tests /opt/wsbench/bin/uffd-unit-tests -f rwp
fi
exit 0
