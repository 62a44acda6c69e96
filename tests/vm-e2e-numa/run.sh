#!/bin/sh
# NUMA end-to-end test: boot the pinned 7.3 kernel as a two-node guest
# (vm-run.sh --numa 2), run numa-interplay for every backend inside
# (guest-job.sh) and check from the host that the setup works (the
# untracked runs migrate pages towards the threads' node), that every
# backend's accuracy under NUMA scanning is reported, and that the knobs
# (kernel.numa_balancing, the scan tunables, DAMON's kdamonds) are as
# found after a run and after SIGTERM mid-run.  TAP output.
set -u

cd "$(dirname "$0")/../.."
. tests/lib/vm-e2e.sh

e2e_kernel 7.3
e2e_image
e2e_share e2e-numa
cp tests/vm-e2e-numa/guest-job.sh "$share/job.sh"
e2e_boot "${E2E_TIMEOUT:-900}" --mem 2G --smp 2 --numa 2

g=$share/numa
j=$g/numa-interplay.json
[ "$(q "$share/vm.json" "[x['node'] for x in d['numa']]")" = "['0', '1']" ] &&
	[ "$(cat "$g/nodes" 2>/dev/null)" = 0-1 ]
ok $? "vm.json records two nodes and the guest sees nodes $(cat "$g/nodes" 2>/dev/null)"
[ "$(q "$j" "len(d['environment']['numa']['nodes'])")" = 2 ] &&
	q "$j" "d['environment']['virtualization']['vm_numa']" | grep -q '^0:0:1024M 1:1:1024M$'
ok $? "the result records the topology ($(q "$j" "d['environment']['virtualization']['vm_numa']"))"
[ "$(cat "$g/run.rc" 2>/dev/null)" = 0 ]
ok $? "wsbench run numa-interplay exits 0 ($(head -c 300 "$g/run.err" 2>/dev/null))"
"$py" tests/validate_results.py "$j" >/dev/null 2>&1
ok $? "numa-interplay.json matches results/schema.json"

echo "# backend: local fraction start->end tracked/untracked, migrated tracked/untracked, hint faults tracked/untracked, precision/recall, extra faults/interval"
q "$j" "'\\n'.join('#   %-9s %.2f->%.2f/%.2f  %d/%d  %d/%d  %.3f/%.3f  %s' % (c['backend'], c['runs'][0]['untracked']['run']['local_fraction_start'], c['summary']['local_fraction_end'], c['summary']['local_fraction_end_untracked'], c['summary']['pages_migrated'], c['summary']['pages_migrated_untracked'], c['summary']['hint_faults'], c['summary']['hint_faults_untracked'], c['summary']['precision'], c['summary']['recall'], c['summary']['extra_faults_per_interval']) for c in d['results'])"
[ "$(q "$j" "all(r['untracked']['run']['vmstat']['numa_pages_migrated'] > 0 and r['untracked']['run']['local_fraction_end'] > r['untracked']['run']['local_fraction_start'] for c in d['results'] for r in c['runs']) and len(d['results']) > 0")" = True ]
ok $? "every untracked run migrated pages and raised the local fraction"
[ "$(q "$j" "all(r['untracked']['run']['local_fraction_start'] < 0.05 for c in d['results'] for r in c['runs'])")" = True ]
ok $? "every run started with its memory on the other node (local fraction < 0.05)"
for be in rwp wp idle softdirty damon; do
	[ "$(q "$j" "sum(1 for c in d['results'] if c['backend']=='$be' and 0 <= c['accuracy']['precision'] <= 1 and 0 <= c['accuracy']['recall'] <= 1 and c['accuracy']['truth'] > 0 and len(c['intervals']) == 15)")" = 1 ]
	ok $? "$be: precision/recall under NUMA scanning reported over 15 intervals"
done
q "$j" "[s['reason'] for s in d['skipped'] if s['backend']=='minor-anon'][0]" | grep -q RWP
ok $? "minor-anon skipped with its probe's reason (7.3 implements RWP)"
[ "$(q "$j" "all(c['numa']['numa_balancing']=='1' and c['numa']['scan_in_force']['scan_delay_ms']==100 for c in d['results'])")" = True ]
ok $? "runs recorded numa_balancing=1 and the scan delay in force (100 ms)"
[ "$(q "$j" "all(r[k]['run']['numa_scan_seq'] >= 1 and r[k]['run']['vmstat']['numa_pte_updates'] > 0 for c in d['results'] for r in c['runs'] for k in ('tracked','untracked'))")" = True ]
ok $? "NUMA scanning ran in every run (scan sequence >= 1, PTE updates > 0)"

before=$(cat "$g/knobs.before" 2>/dev/null)
echo "# knobs before: $before"
echo "# knobs during the killed run: $(cat "$g/knobs.during" 2>/dev/null)"
[ -n "$before" ] && [ "$(cat "$g/knobs.after")" = "$before" ]
ok $? "knobs as found after the run ($(cat "$g/knobs.after" 2>/dev/null))"
case "$(cat "$g/knobs.during" 2>/dev/null)" in
"numa_balancing=1 scan_delay_ms=100 scan_period_min_ms=100 scan_period_max_ms=1000 "*) r=0 ;;
*) r=1 ;;
esac
[ "$r" = 0 ] && [ "$(cat "$g/knobs.during" | sed 's/.*nr_kdamonds=//')" -gt "$(echo "$before" | sed 's/.*nr_kdamonds=//')" ]
ok $? "during a damon run: numa_balancing=1, scan tunables set, a kdamond added"
[ "$(cat "$g/killed.rc" 2>/dev/null)" = 143 ] && [ "$(cat "$g/knobs.killed")" = "$before" ] &&
	[ "$(cat "$g/alive.killed")" = 0 ]
ok $? "SIGTERM mid-run: exit 143, knobs and kdamonds as found, no wsbench process left ($(cat "$g/knobs.killed" 2>/dev/null); $(cat "$g/alive.killed" 2>/dev/null) left)"

sed 's/^/#   /' "$g/summary.out" 2>/dev/null | sed -n '/numa-interplay/,$p' | head -n 14
grep -q '^numa-interplay: ' "$g/summary.out" && grep -Eq '^rwp +numa-shift +[0-9.]+/[0-9.]+ ' "$g/summary.out"
ok $? "summary prints the numa-interplay section with an rwp row"
finish
