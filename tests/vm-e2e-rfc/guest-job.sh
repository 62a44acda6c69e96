#!/bin/sh
# Runs inside the rfc-v1 guest (Linux 7.2 + the RFC v1 minor-anon series)
# for tests/vm-e2e-rfc/run.sh: every microbenchmark on the minor-anon
# backend and both its backings (anon, anon-thp), both modes where a
# benchmark has modes, rwp asked for explicitly
# (it must be skipped with the RFC evidence), the RFC's own six selftests
# and the whole uffd-unit-tests suite.  Exit codes are recorded per step;
# the host asserts on them.
set -u
uut=/opt/wsbench/bin/uffd-unit-tests

step_tag=e2e-rfc
. /mnt/share/guest-step.sh	# ws, out, common, tiny; step NAME CMD...

step probe $ws probe --json "$out/probe.json"
step correctness $ws run correctness --backend minor-anon,rwp --backing anon \
	--mode all --pages 300 $common
# THP: a protnone PMD is deactivated and restored whole; the SET_MODE round
# trip runs in whole-PMD granules.
step correctness-thp $ws run correctness --backend minor-anon \
	--backing anon-thp --mode all --pages 300 --quiet --out "$out/thp" \
	--run-id e2e
step fault-latency $ws run fault-latency --backend minor-anon \
	--backing anon,anon-thp --mode all --pages 200 $tiny
step protect-cost $ws run protect-cost --backend minor-anon \
	--backing anon,anon-thp --size 2M --threads 0,1 $tiny
step scan-throughput $ws run scan-throughput --backend minor-anon \
	--backing anon,anon-thp --size 2M --hot 0,50,100 $tiny
step set-mode $ws run set-mode --backend minor-anon --backing anon,anon-thp \
	--threads 0,1 $tiny
# The VMM cycle's detection half on anon (the RFC DEACTIVATEs anon only;
# the full cycle's memfd is a skip with that reason, checked too).
step vmm-cycle $ws run vmm-cycle --backend minor-anon --backing anon,shmem \
	--pattern uniform-hot20 --size 8M --intervals 8 --interval-ms 100 \
	--cold-after 1 --min-reps 1 $common
if [ -x "$uut" ]; then
	# The whole suite too, not only the RFC's tests: the port touched
	# registration, UFFDIO_API, CONTINUE, the fault-wait check and every
	# read of ctx->features.  Under TCG it is the longest step (about 10
	# to 18 minutes).  The hugetlb memory types need huge pages (two
	# 32 MiB areas); restored afterwards.  run.sh sets full=1
	# (E2E_FULL=1) for the whole suite: make test runs the RFC's six only,
	# to keep CI inside its budget.
	hp=$(cat /proc/sys/vm/nr_hugepages)
	echo 64 >/proc/sys/vm/nr_hugepages
	step rfc-selftests "$uut" -f minor-anon
	[ "${full:-0}" != 1 ] || step uffd-unit-tests "$uut"
	echo "$hp" >/proc/sys/vm/nr_hugepages
fi
exit 0
