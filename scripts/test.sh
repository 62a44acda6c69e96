#!/bin/sh
# make test: run every TAP-speaking test program and add up the results.
# The last line is "N passed, N failed[, N skipped]" (what CI reads).
#   TEST_VM=0 skips the VM end-to-end tests (they build the 7.3 and rfc-v1
#   kernels and boot them under QEMU: tens of minutes cold, minutes when
#   cached).
set -eu

cd "$(dirname "$0")/.."
log_dir=${TEST_LOG_DIR:-build/test-logs}
mkdir -p "$log_dir"
passed=0 failed=0 skipped=0

# run NAME CMD...: run one TAP producer, count its ok / not ok lines.
run() {
	name=$1
	shift
	log="$log_dir/$name.log"
	echo "== $name" >&2
	rc=0
	t0=$(date +%s)
	# fd 3: this terminal, for progress a suite shows as it happens
	# (the VM suites: the guest's [suite i/N] and benchmark lines).
	"$@" 3>&2 >"$log" 2>"$log.stderr" || rc=$?
	p=$(grep -c '^ok ' "$log" || true)
	s=$(grep -c '^ok .*# *[Ss][Kk][Ii][Pp]' "$log" || true)
	f=$(grep -c '^not ok ' "$log" || true)
	plan=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$log" | head -n 1)
	# "1..0 # SKIP reason": the whole suite skipped; count it, say why.
	why=$(sed -n 's/^1\.\.0 *# *[Ss][Kk][Ii][Pp] *//p' "$log" | head -n 1)
	if [ -n "$why" ]; then
		p=$((p + 1)) s=$((s + 1))
		echo "   $name skipped: $why" >&2
	fi
	grep '^not ok ' "$log" >&2 || true
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "not ok - $name exited $rc without reporting a failure" >&2
		tail -n 5 "$log.stderr" >&2 || true
		f=1
	fi
	if [ -n "$plan" ] && [ $((p + f)) -lt "$plan" ]; then
		echo "not ok - $name planned $plan tests, ran $((p + f))" >&2
		f=$((f + plan - p - f))
	fi
	passed=$((passed + p - s))
	skipped=$((skipped + s))
	failed=$((failed + f))
	echo "   $name: $((p - s)) passed, $f failed, $s skipped in $(( $(date +%s) - t0 ))s (log: $log)" >&2
}

# The VM suites' kernels and images, built in the background at the lowest
# priority while the host suites run (scripts/prefetch-guest.sh; its own
# process group, stopped with this script).  Cold, that overlaps most of
# the builds with the host suites; warm, it returns at once.
prefetch=
if [ "${TEST_VM:-1}" != 0 ]; then
	setsid nice -n 19 scripts/prefetch-guest.sh >"$log_dir/prefetch.log" 2>&1 &
	prefetch=$!
	trap '[ -z "$prefetch" ] || kill -TERM -- "-$prefetch" 2>/dev/null || true' EXIT
	trap 'exit 130' INT TERM
fi

for t in build/tests/test_*; do
	[ -x "$t" ] && run "unit-$(basename "$t")" "$t"
done
[ -x tests/kernel/run.sh ] && run kernel-scripts tests/kernel/run.sh
# The include rule of README "Layout" (seconds; shown failing on a plant).
run layout tests/layout/run.sh
run integration tests/integration/run.sh
[ -x tests/attach/run.sh ] && run attach tests/attach/run.sh
run answers tests/answers/run.sh
# Bad input and faults (issue 16): every one exit 2, nothing changed.
run badinput tests/badinput/run.sh
# Knobs across runs (issue 16): overlapping runs, a SIGKILLed run's knobs
# restored by the next; skips with the reason without root or THP.
run knobs tests/knobs/run.sh
[ -x tests/plots/run.sh ] && run plots tests/plots/run.sh
[ -x tests/nested/run.sh ] && run nested tests/nested/run.sh
# vm-e2e builds (or reuses) the kernel and image first, so that the VM
# runner's own tests boot real guests even on a fresh machine.
if [ "${TEST_VM:-1}" != 0 ] && [ -x tests/vm-e2e/run.sh ]; then
	run vm-e2e tests/vm-e2e/run.sh
fi
# The same on KERNEL=rfc-v1 (Linux 7.2 + the RFC v1 minor-anon series).
if [ "${TEST_VM:-1}" != 0 ] && [ -x tests/vm-e2e-rfc/run.sh ]; then
	run vm-e2e-rfc tests/vm-e2e-rfc/run.sh
fi
# The same on KERNEL=gmem (7.3 + guest_memfd minor mode, KVM): the gate
# (KVM under TCG, a guest_memfd from a VM fd) and the minor tracker.
if [ "${TEST_VM:-1}" != 0 ] && [ -x tests/vm-e2e-gmem/run.sh ]; then
	run vm-e2e-gmem tests/vm-e2e-gmem/run.sh
fi
# BENCH_PROFILE=vmm: a nested QEMU guest inside the 7.3 guest (TCG in TCG).
if [ "${TEST_VM:-1}" != 0 ] && [ -x tests/vm-e2e-nested/run.sh ]; then
	run vm-e2e-nested tests/vm-e2e-nested/run.sh
fi
# numa-interplay on a two-node guest (about 5 minutes under TCG).
if [ "${TEST_VM:-1}" != 0 ] && [ -x tests/vm-e2e-numa/run.sh ]; then
	run vm-e2e-numa tests/vm-e2e-numa/run.sh
fi
[ -x tests/vm/run.sh ] && run vm-scripts tests/vm/run.sh
# wsbench as a LAVA test: jobs checked with LAVA's schema, and (unless
# TEST_VM=0) the QEMU job run through Debian's LAVA dispatcher here.
[ -x tests/lava/run.sh ] && run lava tests/lava/run.sh

# How many bad inputs were tried, and how many were refused cleanly.
sed -n 's/^# \(bad inputs: .*\)/\1/p' "$log_dir/badinput.log" 2>/dev/null || true
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
