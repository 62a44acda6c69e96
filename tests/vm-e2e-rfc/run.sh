#!/bin/sh
# VM end-to-end test of KERNEL=rfc-v1 (Linux 7.2 + the RFC v1 minor-anon
# series, kernel/patches/rfc-v1): build (or reuse) that kernel and the
# guest image, boot under QEMU, run tests/vm-e2e-rfc/guest-job.sh inside,
# and check from the host that the build describes itself, that minor-anon
# is *supported* there (a skip is a failure) and exact on the
# deterministic patterns in async and sync mode and across the SET_MODE
# round trip (also on anon-thp, in whole PMDs), that every benchmark
# measured it on both its backings, that rwp is refused with
# the detector's evidence, and that the RFC's six selftests (and with
# E2E_FULL=1 the whole uffd-unit-tests suite) pass.  TAP output.
set -u

cd "$(dirname "$0")/../.."
. tests/lib/vm-e2e.sh

e2e_kernel rfc-v1
b=$kdir/build.json
[ "$(q "$b" "d['kernel'], d['source']['package'], len(d['patches']), bool(d['patches_hash']), bool(d['config_hash'])")" = "rfc-v1 linux-source-7.2 12 True True" ]
ok $? "build.json names the kernel: $(q "$b" "d['kernel'], d['source']['version'], 'patches_hash ' + d['patches_hash'][:12], 'config_hash ' + d['config_hash'][:12]")"
[ "$(q "$b" "d['uffd_unit_tests'] is not None")" = True ]
ok $? "uffd-unit-tests with the RFC's selftests built from the patched tree ($(q "$b" "d.get('uffd_unit_tests_error') or 'ok'"))"

e2e_image
e2e_share e2e-rfc
# E2E_FULL=1: the whole uffd-unit-tests suite too (10-18 min under TCG).
{ echo "full=${E2E_FULL:-0}"; cat tests/vm-e2e-rfc/guest-job.sh; } >"$share/job.sh"
cp tests/lib/guest-step.sh "$share/"
e2e_boot "${E2E_TIMEOUT:-2700}"

e=$share/e2e
rel=$(q "$e/probe.json" "d['environment']['kernel']['release']")
case "$rel" in 7.2*) r=0 ;; *) r=1 ;; esac
ok "$r" "guest runs the patched Linux 7.2 ($rel)"
[ "$(q "$e/probe.json" "d['environment']['kernel']['build']['patches_hash']")" = "$(q "$b" "d['patches_hash']")" ] &&
	[ "$(q "$e/probe.json" "d['environment']['kernel']['build']['kernel']")" = rfc-v1 ]
ok $? "results name the kernel: environment.kernel.build is this rfc-v1 build (same patches_hash)"
[ "$(q "$e/probe.json" "d['backends']['minor-anon']['supported']")" = True ]
ok $? "minor-anon is supported in the guest ($(q "$e/probe.json" "d['backends']['minor-anon']['reason'] or d['backends']['minor-anon']['detail']"))"
why=$(q "$e/probe.json" "d['backends']['rwp']['reason']")
[ "$(q "$e/probe.json" "d['backends']['rwp']['supported']")" = False ] &&
	printf '%s\n' "$why" | grep -q 'RFC minor-anon UAPI' &&
	printf '%s\n' "$why" | grep -q '0x8010AA09 -> ENOENT' &&
	printf '%s\n' "$why" | grep -q '0xC018AA09 -> EINVAL'
ok $? "rwp is refused with the evidence ($why)"

for bm in correctness fault-latency protect-cost scan-throughput set-mode; do
	e2e_ran "$e" "$bm"
	[ "$(q "$e/$bm.json" "sum(1 for c in d['results'] if c['backend']=='minor-anon')")" -gt 0 ] 2>/dev/null
	ok $? "guest: $bm has minor-anon results ($(q "$e/$bm.json" "sum(1 for c in d['results'] if c['backend']=='minor-anon')"))"
	[ "$(q "$e/$bm.json" "[s['reason'] for s in d['skipped'] if s['backend']=='minor-anon']")" = "[]" ]
	ok $? "guest: $bm skipped nothing of minor-anon ($(q "$e/$bm.json" "[s['reason'] for s in d['skipped'] if s['backend']=='minor-anon']"))"
done
for bk in anon anon-thp; do
	for m in async sync; do
		[ "$(q "$e/fault-latency.json" "sum(1 for c in d['results'] if c['backend']=='minor-anon' and c['backing']=='$bk' and c.get('mode')=='$m')")" -gt 0 ] 2>/dev/null
		ok $? "guest: fault-latency measured minor-anon on $bk in $m mode"
	done
	for bm in protect-cost scan-throughput set-mode; do
		[ "$(q "$e/$bm.json" "sum(1 for c in d['results'] if c['backend']=='minor-anon' and c['backing']=='$bk')")" -gt 0 ] 2>/dev/null
		ok $? "guest: $bm measured minor-anon on $bk"
	done
done

v=$e/vmm-cycle.json
vc=$(q "$v" "[(c['backing'], c['summary']['f1_cold_decisions'], c['summary']['pages_lost']) for c in d['results'] if c['backend']=='minor-anon']")
vs=$(q "$v" "[s['reason'] for s in d['skipped'] if s['backend']=='minor-anon']")
echo "# vmm-cycle minor-anon (backing, f1_cold_decisions, lost): $vc; skipped: $vs"
[ "$(cat "$e/vmm-cycle.rc" 2>/dev/null)" = 0 ] &&
	[ "$(q "$v" "[c['backing'] for c in d['results'] if c['backend']=='minor-anon' and c['summary']['f1_cold_decisions'] is not None and c['summary']['pages_lost']==0]")" = "['anon']" ] &&
	printf '%s\n' "$vs" | grep -q 'only anon and anon-thp'
ok $? "guest: vmm-cycle runs minor-anon's detection on anon against ground truth; shmem is a skip with the RFC's reason"

c=$e/correctness.json
# A lossy re-arm (span) is not held to exactness: the concurrent case
# measures what it loses (checked below for the lossless one).
bad=$(q "$c" "[ (r['backing'],r['mode'],r.get('pattern'),r.get('phase'),r.get('rearm'),r['accuracy']) for r in d['results'] if r['backend']=='minor-anon' and r.get('expected_visible') and r.get('tlb')!='flushed' and r.get('rearm_misses') != 'any-page' and not (r.get('pattern') == 'rearm-race' and r.get('rearm_misses') == 'hot-pages') and 'accuracy' in r and (r['accuracy']['precision']!=1 or r['accuracy']['recall']!=1)]")
[ "$bad" = "[]" ] && [ "$(q "$c" "sum(1 for r in d['results'] if r['backend']=='minor-anon' and r.get('tlb')=='as-is')")" -gt 0 ] 2>/dev/null
ok $? "guest: minor-anon precision = recall = 1 on every visible pattern, TLB as-is (${bad:-no data})"
lost=$(q "$c" "[(r['backing'],r['mode'],r['rearm'],r['lost'],r['accuracy']['truth']) for r in d['results'] if r.get('pattern')=='concurrent' and r['backend']=='minor-anon']")
echo "# minor-anon concurrent writer+reader (backing, mode, re-arm, lost, checked): $lost"
[ "$(q "$c" "sum(r['lost'] for r in d['results'] if r.get('pattern')=='concurrent' and r['backend']=='minor-anon' and r['rearm_misses'] != 'any-page')")" = 0 ] &&
	[ "$(q "$c" "min([r['accuracy']['truth'] for r in d['results'] if r.get('pattern')=='concurrent' and r['backend']=='minor-anon' and r['rearm_misses'] != 'any-page'] or [0])")" -gt 0 ] 2>/dev/null
ok $? "guest: minor-anon's per-run re-arm (misses hot pages only) loses 0 accesses under a concurrent writer+reader"
# The "flushed" rows flush the TLB with mprotect(PROT_READ) and back.  On
# the RFC that is not neutral: mprotect() rewrites protnone PTEs with the
# VMA's protection, so every deactivated page comes back accessible and is
# reported hot (7.3 RWP keeps its protection across mprotect, brief §1.5).
# No access may be missed (recall); precision is reported, not asserted.
bad=$(q "$c" "[ (r['backing'],r['mode'],r.get('pattern'),r.get('phase'),r['accuracy']) for r in d['results'] if r['backend']=='minor-anon' and r.get('expected_visible') and r.get('tlb')=='flushed' and r['accuracy']['recall']!=1]")
[ "$bad" = "[]" ] && [ "$(q "$c" "sum(1 for r in d['results'] if r['backend']=='minor-anon' and r.get('tlb')=='flushed')")" -gt 0 ] 2>/dev/null
ok $? "guest: minor-anon recall = 1 with the TLB flushed by mprotect (${bad:-no data})"
echo "# minor-anon, TLB flushed by mprotect (re-activates RFC-deactivated pages): min precision $(q "$c" "min([r['accuracy']['precision'] for r in d['results'] if r['backend']=='minor-anon' and r.get('tlb')=='flushed' and r.get('expected_visible')] or [None])")"
for m in async sync; do
	[ "$(q "$c" "sum(1 for r in d['results'] if r['backend']=='minor-anon' and r['mode']=='$m' and r.get('expected_visible'))")" -gt 0 ] 2>/dev/null
	ok $? "guest: minor-anon correctness measured in $m mode ($(q "$c" "sum(1 for r in d['results'] if r['backend']=='minor-anon' and r['mode']=='$m' and r.get('expected_visible'))") cases)"
done
[ "$(q "$c" "sum(1 for r in d['results'] if r['backend']=='minor-anon' and r.get('pattern')=='set-mode-roundtrip' and r.get('content_ok') and r['accuracy']['precision']==1 and r['accuracy']['recall']==1)")" -gt 0 ] 2>/dev/null
ok $? "guest: minor-anon async->sync->async SET_MODE round trip exact, content checked"
[ "$(cat "$e/correctness-thp.rc" 2>/dev/null)" = 0 ] &&
	[ "$(q "$e/thp/correctness.json" "sum(1 for r in d['results'] if r['backend']=='minor-anon' and r.get('pattern')=='set-mode-roundtrip' and r['backing']=='anon-thp' and r.get('content_ok') and r['accuracy']['precision']==1 and r['accuracy']['recall']==1)")" -gt 0 ] 2>/dev/null
ok $? "guest: minor-anon SET_MODE round trip exact on anon-thp (whole-PMD granules)"
why=$(q "$c" "[s['reason'] for s in d['skipped'] if s['backend']=='rwp'][0]")
printf '%s\n' "$why" | grep -q 'RFC minor-anon UAPI'
ok $? "guest: run correctness --backend rwp is skipped with the evidence ($why)"

# tap_totals FILE: "pass:N fail:N ..." from a kselftest "# Totals:" line.
tap_totals() { sed -n 's/^# Totals: //p' "$1" 2>/dev/null | tail -n 1; }
if [ -f "$e/rfc-selftests.rc" ]; then
	t=$(tap_totals "$e/rfc-selftests.out")
	echo "# RFC selftests (uffd-unit-tests -f minor-anon): ${t:-no totals line}"
	grep '^ok .*minor-anon\|^not ok .*minor-anon' "$e/rfc-selftests.out" | sed 's/^/#   /'
	[ "$(cat "$e/rfc-selftests.rc")" = 0 ] && printf '%s\n' "$t" | grep -q '^pass:6 fail:0 '
	ok $? "the RFC's six minor-anon selftests pass in the guest (${t:-?})"
	if [ "${E2E_FULL:-0}" = 1 ]; then
		t=$(tap_totals "$e/uffd-unit-tests.out")
		echo "# whole uffd-unit-tests: ${t:-no totals line}"
		[ "$(cat "$e/uffd-unit-tests.rc")" = 0 ] && printf '%s\n' "$t" | grep -q 'fail:0 '
		ok $? "the whole uffd-unit-tests suite passes in the guest (${t:-?})"
	else
		echo "ok $((n += 1)) - # SKIP the whole uffd-unit-tests suite: E2E_FULL=1 runs it (10-18 min under TCG)"
	fi
else
	ok 1 "RFC selftests ran (uffd-unit-tests missing from the kernel build)"
fi
finish
