#!/bin/sh
# VM end-to-end test of KERNEL=gmem (Linux 7.3 + the guest_memfd
# userfaultfd minor-mode patch, kernel/patches/gmem, KVM built in): build
# (or reuse) that kernel and the guest image, boot under QEMU, run
# tests/vm-e2e-gmem/guest-job.sh inside, and check from the host that
# KVM came up (kvm_amd on TCG's SVM) and a VM fd gave a guest_memfd that
# mmap()s (the gmem backing is available), that the minor tracker is
# supported and exact on the deterministic patterns on shmem, hugetlb and
# gmem, that fault-latency measured its minor faults on all three, and
# that rwp on gmem is refused with the kernel's answer.  TAP output.
set -u

cd "$(dirname "$0")/../.."
. tests/lib/vm-e2e.sh

e2e_kernel gmem
b=$kdir/build.json
[ "$(q "$b" "d['kernel'], d['source']['package'], len(d['patches']), bool(d['patches_hash'])")" = "gmem linux-source-7.3 2 True" ]
ok $? "build.json names the kernel: $(q "$b" "d['kernel'], d['source']['version'], 'patches_hash ' + d['patches_hash'][:12], 'config_hash ' + d['config_hash'][:12]")"

e2e_image
e2e_share e2e-gmem
cp tests/vm-e2e-gmem/guest-job.sh "$share/job.sh"
cp tests/lib/guest-step.sh "$share/"
gcc -static -O2 -Wall -Wextra -pthread -o "$share/gmem-uffd-check" tests/vm-e2e-gmem/gmem-uffd-check.c
ok $? "gmem-uffd-check built (static)"
e2e_boot "${E2E_TIMEOUT:-2400}"

e=$share/e2e
rel=$(q "$e/probe.json" "d['environment']['kernel']['release']")
[ "$(q "$e/probe.json" "d['environment']['kernel']['build']['kernel']")" = gmem ]
ok $? "guest runs the gmem kernel ($rel)"
echo "# guest dmesg, kvm/svm lines:"
sed 's/^/#   /' "$e/kvm-dmesg.txt" 2>/dev/null | head -n 20
echo "# /dev/kvm: $(cat "$e/dev-kvm.txt" 2>/dev/null); cpuinfo svm: $(cat "$e/cpu-svm.txt" 2>/dev/null); vCPU probe: $(cat "$e/kvm-probe.out" 2>/dev/null)"
why=$(q "$e/probe.json" "d['backings']['gmem']['reason']")
[ "$(q "$e/probe.json" "d['backings']['gmem']['available']")" = True ]
ok $? "the gate: KVM up under TCG, KVM_CREATE_VM + KVM_CREATE_GUEST_MEMFD(MMAP|INIT_SHARED) + mmap work (${why:-available})"
[ "$(q "$e/probe.json" "d['backends']['minor']['supported']")" = True ]
ok $? "minor is supported ($(q "$e/probe.json" "d['backends']['minor']['reason'] or d['backends']['minor']['detail']"))"

for bm in correctness fault-latency; do
	e2e_ran "$e" "$bm"
	# The set-mode round trip opens async first: a skip for sync-only minor.
	sk=$(q "$e/$bm.json" "[(s['backing'], s['reason']) for s in d['skipped'] if s['backend']=='minor' and s['backing'] and 'no async mode' not in s['reason']]")
	[ "$sk" = "[]" ]
	ok $? "guest: $bm skipped no backing of minor but for async ($sk)"
	for bk in shmem hugetlb gmem; do
		[ "$(q "$e/$bm.json" "sum(1 for c in d['results'] if c['backend']=='minor' and c['backing']=='$bk')")" -gt 0 ] 2>/dev/null
		ok $? "guest: $bm measured minor on $bk"
	done
done

c=$e/correctness.json
bad=$(q "$c" "[(r['backing'],r.get('pattern'),r.get('phase'),r.get('tlb'),r['accuracy']) for r in d['results'] if r['backend']=='minor' and r.get('expected_visible') and r.get('rearm_misses') != 'any-page' and r.get('pattern') not in ('rearm-race', 'concurrent') and 'accuracy' in r and (r['accuracy']['precision']!=1 or r['accuracy']['recall']!=1)]")
ncases=$(q "$c" "sum(1 for r in d['results'] if r['backend']=='minor' and r.get('pattern') not in ('rearm-race', 'concurrent') and 'accuracy' in r)")
[ "$bad" = "[]" ] && [ "${ncases:-0}" -gt 0 ] 2>/dev/null
ok $? "guest: minor precision = recall = 1 on every deterministic pattern, shmem, hugetlb and gmem ($ncases cases${bad:+; $bad})"
lost=$(q "$c" "[(r['backing'],r['lost'],r['accuracy']['truth']) for r in d['results'] if r.get('pattern')=='concurrent' and r['backend']=='minor']")
echo "# minor concurrent writer+reader (backing, lost, checked): $lost"

f=$e/fault-latency.json
echo "# minor-fault latency (sync: MINOR message + UFFDIO_CONTINUE) vs an untracked first touch, TCG, ns median (p90):"
"$py" - "$f" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def cell(c, k):
    m = c['metrics'].get(k, {}).get('summary', {}) if c else {}
    return '%.0f (%.0f)' % (m['median'], m['p90']) if m.get('median') is not None else '-'
print('#   %-8s %-22s %-22s %s' % ('backing', 'minor read fault', 'minor write fault', 'baseline first touch'))
for bk in ('shmem', 'hugetlb', 'gmem'):
    mi = next((c for c in d['results'] if c['backend'] == 'minor' and c['backing'] == bk), None)
    ba = next((c for c in d['results'] if c['backend'] == 'baseline' and c['backing'] == bk), None)
    print('#   %-8s %-22s %-22s %s' % (bk, cell(mi, 'fault_read_ns'), cell(mi, 'fault_write_ns'), cell(ba, 'first_touch_ns')))
PY

echo "# gmem-uffd-check:"
sed 's/^/#   /' "$e/uffd-check.out" 2>/dev/null
[ "$(cat "$e/uffd-check.rc" 2>/dev/null)" = 0 ] && ! grep -q FAIL "$e/uffd-check.out"
ok $? "guest: on guest_memfd MISSING is refused, COPY/ZEROPAGE are EINVAL, zap + CONTINUE keeps content, an absent page's first read raises no event, and a page written through another mapping is one MINOR fault that CONTINUE resolves (the series' selftest scenario)"

o=$e/others/correctness.json
rwhy=$(q "$o" "sorted(set(s['reason'] for s in d['skipped'] if s['backend']=='rwp' and s['backing']=='gmem'))")
echo "# rwp on gmem: $rwhy"
echo "# wp on gmem: $(q "$o" "sorted(set(s['reason'] for s in d['skipped'] if s['backend']=='wp' and s['backing']=='gmem')) or sorted(set((r['mode'], r['accuracy']['precision'], r['accuracy']['recall']) for r in d['results'] if r['backend']=='wp' and 'accuracy' in r))")"
printf '%s\n' "$rwhy" | grep -q 'UFFDIO_REGISTER(MODE_RWP, gmem): EINVAL'
ok $? "guest: rwp on gmem is a skip with the kernel's answer (EINVAL at UFFDIO_REGISTER)"

# The kernel's own guest_memfd selftest, built from the patched tree.
echo "# guest_memfd_test (tools/testing/selftests/kvm, $(q "$b" "(d.get('kvm_selftests') or {}).get('sha256', d.get('kvm_selftests_error', '?'))[:12]")): $(tail -n 2 "$e/kvm-selftest.out" "$e/kvm-selftest.err" 2>/dev/null | grep -v '^==>' | grep . | tr '\n' ' ')"
[ "$(cat "$e/kvm-selftest.rc" 2>/dev/null)" = 0 ]
ok $? "guest: the kernel's KVM selftest guest_memfd_test passes on the patched kernel (exit $(cat "$e/kvm-selftest.rc" 2>/dev/null))"

# idle and soft-dirty on guest_memfd's user mapping: exact where they are
# on shmem (idle: with the TLB flushed; it sees no access through a TLB
# entry left from before the arm, on any backing).
p=$e/pte/correctness.json
r=$(q "$p" "sorted(set((r['backend'], r.get('tlb'), r['accuracy']['precision'], r['accuracy']['recall']) for r in d['results'] if r['backing']=='gmem' and r.get('expected_visible') and 'accuracy' in r and r.get('pattern') not in ('rearm-race', 'concurrent')))")
echo "# idle, softdirty on gmem (backend, tlb, precision, recall): $r"
[ "$(cat "$e/pte.rc" 2>/dev/null)" = 0 ] &&
	[ "$(q "$p" "sorted(set(r['backend'] for r in d['results'] if r['backing']=='gmem'))")" = "['idle', 'softdirty']" ] &&
	[ "$(q "$p" "all(r['accuracy']['precision']==1 and r['accuracy']['recall']==1 for r in d['results'] if r['backing']=='gmem' and r.get('expected_visible') and 'accuracy' in r and r.get('pattern') not in ('rearm-race', 'concurrent') and (r['backend']=='softdirty' or r.get('tlb')=='flushed'))")" = True ]
ok $? "guest: idle (TLB flushed) and softdirty are exact on gmem's user mapping"

# minor through scan-throughput: every backing, exact.
sc=$e/scan/scan-throughput.json
echo "# minor scan-throughput, interval us at 8M (backing, hot %, median): $(q "$sc" "[(r['backing'], r['params']['hot_pct'], round(r['metrics']['interval_ns']['summary']['median']/1e3)) for r in d['results'] if r['params']['size_bytes']==8<<20 and r['params'].get('rearm_misses')!='any-page']")"
[ "$(cat "$e/scan.rc" 2>/dev/null)" = 0 ] &&
	[ "$(q "$sc" "sorted(set(r['backing'] for r in d['results'] if r['backend']=='minor'))")" = "['gmem', 'hugetlb', 'shmem']" ] &&
	[ "$(q "$sc" "all(r['accuracy']['precision']==1 and r['accuracy']['recall']==1 for r in d['results'])")" = True ]
ok $? "guest: scan-throughput measured minor on shmem, hugetlb and gmem, exact at every size and hot fraction"

# minor through the VMM cycle: evicting on shmem with nothing lost;
# hugetlb and gmem detection only, gmem for want of MISSING.
cy=$e/cycle/vmm-cycle.json
echo "# minor vmm-cycle (backing, pattern, freeze, F1, refaults, lost): $(q "$cy" "[(r['backing'], r['pattern'], r['freeze'], r['summary']['f1_cold_decisions'], r['summary']['refaults'], r['summary']['pages_lost']) for r in d['results']]")"
[ "$(cat "$e/cycle.rc" 2>/dev/null)" = 0 ] &&
	[ "$(q "$cy" "sorted(set(r['backing'] for r in d['results']))")" = "['gmem', 'hugetlb', 'shmem']" ] &&
	[ "$(q "$cy" "sum(r['summary']['refaults'] for r in d['results'] if r['backing']=='shmem') > 0 and all(r['summary']['pages_lost']==0 for r in d['results'])")" = True ] &&
	[ "$(q "$cy" "all('MODE_MISSING' in r['eviction'] for r in d['results'] if r['backing']=='gmem') and all('eviction' not in r for r in d['results'] if r['backing']=='shmem')")" = True ]
ok $? "guest: vmm-cycle ran minor on every backing: shmem evicted and refaulted with no page lost, gmem detection only for want of MISSING"

# --- restore (issue 20): snapshot restore on shmem, hugetlb and gmem ---
rs=$e/restore.json
e2e_ran "$e" restore
echo "# restore in the gmem guest (TCG: the timings are not meaningful, the counts are):"
build/wsbench summary "$e" 2>/dev/null | sed -n '/^restore:/,/^results:/p' | sed 's/^/#   /'
# case BACKING POPULATE REGISTRATION PYTHON-EXPR-OVER-c: True when it holds.
rs_case() {
	"$py" - "$rs" "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
b, p, g, expr = sys.argv[2:6]
c = [c for c in d['results'] if (c['backing'], c['populate'], c['registration']) == (b, p, g)]
print(len(c) == 1 and bool(eval(expr, {'c': c[0]})))
PY
}
rs_skip() {	# rs_skip BACKING POPULATE: the skip's reason
	q "$rs" "' | '.join(s['reason'] for s in d['skipped'] if s['backing'] == '$1' and s.get('populate') == '$2')"
}
[ "$(rs_case gmem alias MINOR "c['content']['verified'] and c['content']['bad_pages'] == 0 and c['content']['populated_checked'] > 0 and c['faults']['one_minor_per_populated_page'] and 'minor_fault_ns' in c['metrics']")" = True ]
ok $? "guest: restore gmem: alias populate + MINOR restore, every populated page back with its content, one MINOR message per populated page ($(q "$rs" "[(c['content'], c['faults']['one_minor']) for c in d['results'] if c['backing'] == 'gmem']"))"
why=$(rs_skip gmem write)
printf '%s\n' "$why" | grep -Eq '^pwrite\(gmem file, [0-9]+ bytes at offset [0-9]+\): E[A-Z]+ \(.*; write\([0-9]+ bytes at the file position\): (E[A-Z]+ \(|accepted)'
ok $? "guest: restore gmem write: a skip with the kernel's errno ($why)"
why=$(rs_skip gmem copy)
printf '%s\n' "$why" | grep -Eq '^UFFDIO_REGISTER\(MODE_MISSING, gmem\): E[A-Z]+ \(.*; UFFDIO_COPY into a MODE_MINOR range of it: E[A-Z]+ \('
ok $? "guest: restore gmem copy: a skip with the kernel's errnos ($why)"
why=$(q "$rs" "' | '.join(s['reason'] for s in d['skipped'] if s['backing'] == 'gmem' and s.get('registration') == 'MISSING|MINOR')")
printf '%s\n' "$why" | grep -Eq '^UFFDIO_REGISTER\(MISSING\|MINOR, gmem\): E[A-Z]+ \('
ok $? "guest: restore gmem MISSING|MINOR: a skip with the kernel's errno ($why)"
why=$(rs_skip hugetlb write)
printf '%s\n' "$why" | grep -Eq '^pwrite\(hugetlb file, [0-9]+ bytes at offset [0-9]+\): E[A-Z]+ \(.*; write\([0-9]+ bytes at the file position\): (E[A-Z]+ \(|accepted)'
ok $? "guest: restore hugetlb write: a skip with the kernel's errno ($why)"
for bk in shmem hugetlb gmem; do
	[ "$(q "$rs" "all(c['holes']['unseen'] == c['holes']['touched'] == c['holes']['read_zero'] > 0 and c['holes']['raised_minor'] + c['holes']['raised_missing'] == 0 for c in d['results'] if c['backing'] == '$bk' and c['registration'] == 'MINOR') and any(c['backing'] == '$bk' and c['registration'] == 'MINOR' for c in d['results'])")" = True ]
	ok $? "guest: restore $bk, MINOR alone: every hole unseen, read as zeroes ($(q "$rs" "[(c['populate'], c['holes']['unseen'], c['holes']['touched']) for c in d['results'] if c['backing'] == '$bk' and c['registration'] == 'MINOR']"))"
done
for bk in shmem hugetlb; do
	[ "$(q "$rs" "all(c['holes']['filled_on_demand'] == c['holes']['raised_missing'] == c['holes']['touched'] > 0 for c in d['results'] if c['backing'] == '$bk' and c['registration'] == 'MISSING|MINOR') and any(c['backing'] == '$bk' and c['registration'] == 'MISSING|MINOR' for c in d['results'])")" = True ]
	ok $? "guest: restore $bk, MISSING|MINOR: every hole raised MISSING and was filled on demand, content correct"
done
ran=$(q "$rs" "sorted('%s/%s/%s' % (c['backing'], c['populate'], c['registration']) for c in d['results'] if c['content']['verified'] and c['faults']['one_minor_per_populated_page'])")
want=$("$py" -c "print(sorted(['%s/%s/%s' % (b, p, g) for b, ps in (('shmem', ('write', 'copy', 'alias')), ('hugetlb', ('copy', 'alias'))) for p in ps for g in ('MINOR', 'MISSING|MINOR')] + ['gmem/alias/MINOR']))")
[ "$ran" = "$want" ] && [ "$(q "$rs" "len(d['results'])")" = 11 ]
ok $? "guest: restore: the 11 cases the kernel allows (shmem 3x2, hugetlb 2x2, gmem alias MINOR) ran, verified, one MINOR message per populated page ($ran)"
finish
