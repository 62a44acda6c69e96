#!/bin/sh
# Run the wsbench suite inside the guest of a pinned kernel (KERNEL=,
# default 7.3; see kernel/README.md) and land its results in OUT like a
# host run, next to the guest's console log, dmesg and vm.json.
#
# usage: vm-suite.sh OUT_DIR [quick|default|vmm]
#   vmm: the image variant with QEMU; a nested QEMU guest's RAM tracked
#   from the guest against the nested guest's own truth
#   (scripts/nested-run.sh, whose NESTED_* settings are passed on) instead
#   of the suite.  The nested guest boots the same kernel.
# env:   KERNEL (7.3, rfc-v1), VM_TIMEOUT (seconds, default 3600),
#        VM_MEM (default 4G), VM_SMP (vCPUs, default 2: protect-cost and
#        set-mode reach them all), VM_NUMA (NUMA nodes, default 0: none;
#        numa-interplay needs 2), SUITE_BENCHMARKS (default: suite.sh's list)
set -eu

out=${1:?usage: vm-suite.sh OUT_DIR [quick|default|vmm]}
profile=${2:-default}
cd "$(dirname "$0")/.."

echo "[vm 1/4] kernel: building or reusing KERNEL=${KERNEL:-7.3} (cold: 12-16 min measured on 2 cores)" >&2
# Not "build.sh | tail": a failed build must stop here, not leave an empty
# --kernel that would make vm-run.sh boot whichever kernel it finds.
kdir=$(kernel/build.sh) || { echo "vm-suite: KERNEL=${KERNEL:-7.3}: kernel build failed" >&2; exit 1; }
kdir=$(printf '%s\n' "$kdir" | tail -n 1)
echo "[vm 2/4] image: building or reusing the guest image (cold: ~11 min measured, 1 min with the package cache)" >&2
variant= extra=
if [ "$profile" = vmm ]; then
	variant="--variant vmm"
	make -s build/wsbench-static
	extra="--extra-file build/wsbench-static:/opt/wsbench/bin/wsbench-static
		--extra-file images/nested-init:/opt/wsbench/nested/init
		--extra-file $kdir/bzImage:/opt/wsbench/nested/bzImage
		--extra-file build/libwsbench-handoff.so:/opt/wsbench/bin/libwsbench-handoff.so"
fi
image=$(images/build.sh $variant) || { echo "vm-suite: image build failed" >&2; exit 1; }
image=$(printf '%s\n' "$image" | tail -n 1)

share=$(mktemp -d "${TMPDIR:-/tmp}/wsbench-vm.XXXXXX")
trap 'rm -rf "$share"' EXIT
job="$share/job.sh"
# KERNEL=gmem exists for the opt-in gmem backing and minor backend: there
# the suite runs every backend on every backing, where a benchmark reads
# those options (a skip says why where one does not apply), unless
# SUITE_ARGS says otherwise.
suite_args=${SUITE_ARGS:-}
selection=
[ "${KERNEL:-7.3}" != gmem ] || [ -n "$suite_args" ] || selection=all
# Emulated CPUs are 10-100x slower: keep regions small enough that the
# default profile still ends in reasonable time under TCG.  On KVM the
# profile's own sizes are used.
cat >"$job" <<JOB
#!/bin/sh
set -eu
export WSBENCH=/opt/wsbench/bin/wsbench
export SUITE_BENCHMARKS='${SUITE_BENCHMARKS:-}'
[ -n "\$SUITE_BENCHMARKS" ] || unset SUITE_BENCHMARKS
# Invocations, unless RUNS says: the host's 6 under KVM, whose times
# mean something; 1 under TCG, whose times do not (correctness is exact).
RUNS='${RUNS:-}'
[ -n "\$RUNS" ] || { [ "\${WSBENCH_ACCEL:-}" = tcg ] && RUNS=1 || RUNS=6; }
export RUNS
export SUITE_ARGS='$suite_args'
[ -n "\$SUITE_ARGS" ] || unset SUITE_ARGS
export SUITE_BACKENDS='$selection' SUITE_BACKINGS='$selection'
[ -n "\$SUITE_BACKENDS" ] || unset SUITE_BACKENDS SUITE_BACKINGS
if [ "\${WSBENCH_ACCEL:-}" = tcg ]; then
	export SUITE_ARGS_fault_latency="--pages 1000 --min-time 0.2"
	export SUITE_ARGS_protect_cost="--size 4K,2M,32M --min-time 0.2"
	export SUITE_ARGS_scan_throughput="--size 1M,32M --min-time 0.2"
	export SUITE_ARGS_set_mode="--min-time 0.2"
	export SUITE_ARGS_vmm_cycle="--size 16M --intervals 10"
	export SUITE_ARGS_numa_interplay="--size 16M --intervals 20"
	export SUITE_ARGS_damon_sweep="--size 16M"
fi
/opt/wsbench/scripts/suite.sh /mnt/share/results/$(basename "$out") $profile
JOB
[ "$profile" != vmm ] || {
	echo '#!/bin/sh'
	echo 'set -eu'
	echo 'export WSBENCH=/opt/wsbench/bin/wsbench'
	# The cycle by default: one boot per mechanism, eviction measured.
	echo 'export NESTED_EVICT=1'
	# NESTED_* settings of scripts/nested-run.sh reach the guest.
	# (NESTED_VIA: blank-separated boots, so quoted).
	env | grep '^NESTED_[A-Z_]*=[A-Za-z0-9_., -]*$' |
		sed "s/^\([A-Z_]*\)=\(.*\)$/export \1='\2'/" || true
	echo "/opt/wsbench/scripts/nested-run.sh /mnt/share/results/$(basename "$out")"
} >"$job"

echo "[vm 3/4] running the $profile suite in the guest (TCG: see README.md, How long)" >&2
status=0
scripts/vm-run.sh --kernel "$kdir" --image "$image" --job "$job" \
	--share "$share" --timeout "${VM_TIMEOUT:-3600}" --mem "${VM_MEM:-4G}" \
	--smp "${VM_SMP:-2}" --numa "${VM_NUMA:-0}" $extra \
	--wsbench build/wsbench || status=$?

echo "[vm 4/4] collecting results into $out" >&2
mkdir -p "$out"
if [ -d "$share/results/$(basename "$out")" ]; then
	cp -r "$share/results/$(basename "$out")"/. "$out"/
fi
for f in console.log dmesg.txt vm.json guest-status job.log; do
	[ -f "$share/$f" ] && cp "$share/$f" "$out/"
done
[ "$status" = 0 ] || echo "vm-suite: the VM run ended with status $status (see $out/console.log, $out/vm.json)" >&2
exit "$status"
