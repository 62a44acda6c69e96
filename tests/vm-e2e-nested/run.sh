#!/bin/sh
# VM end-to-end test of BENCH_PROFILE=vmm: in the 7.3 guest (vmm image
# variant), boot a nested QEMU guest (TCG in TCG) whose RAM is a memfd, run
# a read-mostly pattern in it (a read-only hot region), and track that
# QEMU's RAM from the 7.3 guest: soft-dirty and idle page tracking through
# /proc/PID in one boot, rwp and wp with the userfaultfd QEMU hands over
# (libwsbench-handoff.so preloaded into QEMU) in one boot each.  Checks
# that all four are supported there, that soft-dirty (write faults: lossless) is
# exact against the nested guest's truth and idle close to it, and that
# every workload page sits at the RAM memfd offset its PFN names, with the
# same bytes the nested guest hashed.  The cold set (workload pages not
# reported hot) is scored against reads and writes: idle's within 5 %,
# soft-dirty's never holds a page written in the interval; rwp's holds no
# page read or written (precision >= 0.99), where wp's, blind to reads,
# calls the read-only hot region cold.  DAMON (vaddr on QEMU's pid) too,
# and every cycle boot's slowdown against an untracked baseline boot
# (damon-slowdown.sh).  The nested guest writes and reads back a virtio
# disk (O_DIRECT) throughout: QEMU's I/O threads fault on protected and
# evicted RAM, are resolved like the vCPUs' and counted apart, and the
# disk check passes.  --protocol unsafe is caught every time: the nested
# guest writes poke pages between write-out and punch (test hook) and
# finds them lost.  TAP output.
# Env: E2E_NESTED_TIMEOUT (VM watchdog, s; default 2400), E2E_KEEP=1,
# E2E_NESTED_KERNEL (a kernel/build.sh directory to use instead of make
# kernel's, e.g. while another build holds the kernel lock).
set -u

cd "$(dirname "$0")/../.."
. tests/lib/vm-e2e.sh

t0=$(date +%s)
rc=0
kdir=${E2E_NESTED_KERNEL:-$(kernel/build.sh)} || rc=$?
kdir=$(printf '%s\n' "$kdir" | tail -n 1)
[ -f "$kdir/bzImage" ] || rc=1
ok "$rc" "${E2E_NESTED_KERNEL:+E2E_NESTED_KERNEL, not }make kernel: pinned 7.3 kernel built or reused ($(( $(date +%s) - t0 ))s)"
[ "$rc" = 0 ] || finish
t0=$(date +%s)
rc=0
image=$(images/build.sh --variant vmm) || rc=$?
image=$(printf '%s\n' "$image" | tail -n 1)
ok "$rc" "images/build.sh --variant vmm: image with QEMU built or reused ($(( $(date +%s) - t0 ))s, $(du -h "$image" 2>/dev/null | cut -f1))"
[ "$rc" = 0 ] || finish
make -s build/wsbench-static; rc=$?
ok "$rc" "static wsbench for the nested guest built"
[ "$rc" = 0 ] || finish

share=$(mktemp -d "${TMPDIR:-/tmp}/wsbench-e2e-nested.XXXXXX")
[ -n "${E2E_KEEP:-}" ] || trap 'rm -rf "$share"' EXIT
cat >"$share/job.sh" <<'EOF'
#!/bin/sh
set -eu
export WSBENCH=/opt/wsbench/bin/wsbench NESTED_PATTERN=read-mostly.pat
export NESTED_INTERVALS=3 NESTED_INTERVAL_MS=2000
export NESTED_VIA="softdirty,idle rwp wp damon"
NESTED_BASELINE=0 /opt/wsbench/scripts/nested-run.sh /mnt/share/out
# The cycle, one boot per mechanism: writes that keep moving into cold
# memory, and a wait between write-out and punch so that the unsafe
# protocol's loss shows within a few intervals (the safe ones freeze
# through that wait), after an untracked baseline boot for the slowdown.
# The unsafe boot is expected to fail.
export NESTED_EVICT=1 NESTED_PATTERN=moving-writes.pat NESTED_COLD_AFTER=2
export NESTED_INTERVALS=5 NESTED_INTERVAL_MS=1000 NESTED_TEST_PUNCH_DELAY_US=100000
NESTED_VIA="softdirty idle rwp wp damon" /opt/wsbench/scripts/nested-run.sh /mnt/share/evict ||
	echo "evict: nested-run.sh exited $?" >/mnt/share/evict/exit
# Without the freeze: in each eviction's wait the outer side asks the
# nested guest to write its poke pages being evicted (2 s: time for TCG in
# TCG to answer); those writes are lost, and nothing writes them again.
NESTED_BASELINE=0 NESTED_VIA=rwp NESTED_PROTOCOL=unsafe NESTED_TEST_PUNCH_DELAY_US=2000000 \
	/opt/wsbench/scripts/nested-run.sh /mnt/share/unsafe ||
	echo "unsafe: nested-run.sh exited $?" >/mnt/share/unsafe/exit
EOF
t0=$(date +%s)
e2e_vm_run --kernel "$kdir" --image "$image" --job "$share/job.sh" \
	--share "$share" --timeout "${E2E_NESTED_TIMEOUT:-2400}" --mem 2G \
	--wsbench build/wsbench \
	--extra-file build/wsbench-static:/opt/wsbench/bin/wsbench-static \
	--extra-file build/libwsbench-handoff.so:/opt/wsbench/bin/libwsbench-handoff.so \
	--extra-file images/nested-init:/opt/wsbench/nested/init \
	--extra-file "$kdir/bzImage:/opt/wsbench/nested/bzImage"
o=$share/out
q() { "$py" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$o/$1" 2>/dev/null; }
echo "# VM run took $(( $(date +%s) - t0 ))s, vm-run.sh exit $rc; nested boot to hello $(q nested-track.json "round(d['timing']['boot_to_hello_s'], 1)")s"
[ "$rc" = 0 ] || { tail -n 20 "$share/job.log" 2>/dev/null | sed 's/^/#   job: /'; tail -n 10 "$o/nested-console.log" 2>/dev/null | sed 's/^/#   nested: /'; }
ok "$rc" "outer guest booted the nested guest eleven times (tracking: softdirty,idle / rwp / wp / damon; the cycle: untracked baseline / softdirty / idle / rwp / wp / damon / rwp unsafe) and powered off cleanly"
sed 's/^/#   /' "$share/job.log" 2>/dev/null | grep -E 'precision|memfd check|skipped|booting|cycle \(|exited'
build/wsbench summary "$share/evict" 2>&1 | sed 's/^/#   /' | grep -A9 'the cycle on'
[ ! -f "$share/unsafe/nested-track.json" ] || build/wsbench summary "$share/unsafe" 2>&1 | sed 's/^/#   /' | grep -A2 'the cycle on'

for via in softdirty idle; do
	[ "$(q nested-track.json "d['mechanisms']['$via']['supported']")" = True ]
	ok $? "$via is supported from outside QEMU in the 7.3 guest ($(q nested-track.json "d['mechanisms']['$via'].get('reason', 'ok')"))"
done
sd=$(q nested-track.json "(d['mechanisms']['softdirty']['total']['precision'], d['mechanisms']['softdirty']['total']['recall'], d['mechanisms']['softdirty']['total']['truth'])")
[ "$(q nested-track.json "(lambda t: t['precision'] == 1 and t['recall'] == 1 and t['truth'] > 0)(d['mechanisms']['softdirty']['total'])")" = True ]
ok $? "soft-dirty of QEMU's RAM is exact against the pages the nested guest wrote (precision, recall, written: $sd)"
id=$(q nested-track.json "(d['mechanisms']['idle']['total']['precision'], d['mechanisms']['idle']['total']['recall'], d['mechanisms']['idle']['total']['truth'])")
# Idle's misses are a kernel property (young bits cleared without a TLB
# flush: 0.96 recall in one run here), so only its precision is held to
# 5 %: a wrong PFN-to-offset mapping would break precision, not recall.
[ "$(q nested-track.json "(lambda t: t['precision'] >= 0.95 and t['recall'] >= 0.5 and t['truth'] > 0)(d['mechanisms']['idle']['total'])")" = True ]
ok $? "idle tracking of QEMU's RAM: precision within 5 % of the nested guest's truth, recall reported (precision, recall, touched: $id)"
cold() { q nested-track.json "(lambda c: ($2))(d['mechanisms']['$1']['total']['cold'])"; }
[ "$(cold idle "c['precision'] >= 0.5 and c['recall'] >= 0.95 and c['called'] > 0")" = True ]
ok $? "idle's cold set holds 95 % of the nested guest's untouched pages (its precision pays for the TLB misses) (precision, recall, called cold: $(cold idle "c['precision'], c['recall'], c['called']"))"
[ "$(cold softdirty "c['in_use_written'] == 0 and c['recall'] == 1 and c['called'] > 0")" = True ]
ok $? "soft-dirty's cold set holds no page written in the interval (precision, recall, called cold, of them only read: $(cold softdirty "c['precision'], c['recall'], c['called'], c['in_use_read']"))"
[ "$(q nested-track.json "all(i['read'] + i['written'] > 0 for i in d['truth']['intervals']) and len(d['truth']['intervals']) == 3 and d['truth']['moved_pages'] == 0")" = True ]
ok $? "truth for 3 intervals, no workload page moved to another PFN (ambiguous batches: $(q nested-track.json "d['truth']['ambiguous_batches']"))"
[ "$(q nested-track.json "(lambda i: i['word0_ok'] == i['nested_pages'] == d['truth']['pages'] and i['word0_bad'] == 0)(d['integrity'])")" = True ]
ok $? "every workload page is at the RAM memfd offset its nested PFN names ($(q nested-track.json "d['integrity']['word0_ok']")/$(q nested-track.json "d['truth']['pages']"))"
[ "$(q nested-track.json "d['integrity']['sum_match'] and d['integrity']['nested_bad_pages'] == 0")" = True ]
ok $? "the memfd holds the bytes the nested guest hashed, and it lost no write"
"$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(not (d["kind"] == "nested-truth" and len(d["intervals"]) == 3 and d["region"]["pages"] == 4096))' "$o/nested-truth.json" 2>/dev/null
ok $? "nested-truth.json holds the per-interval sets in RAM memfd page offsets"

# --- rwp and wp, each in a boot of its own, with QEMU's userfaultfd ------
for f in nested-track.json nested-track.rwp.json nested-track.wp.json; do
	[ "$(q $f "d['disk']['ok'] and d['disk']['ops'] > 0 and d['disk']['blocks_checked'] > 0")" = True ]
	ok $? "$f: the nested guest's virtio disk, checksummed O_DIRECT blocks, reads back right (ops, blocks checked: $(q $f "d['disk'].get('ops'), d['disk'].get('blocks_checked')"))"
done
for via in rwp wp; do
	f=nested-track.$via.json
	[ "$(q $f "(lambda m: m['supported'] and m['uffd']['pid'] == d['params']['pid'] and m['uffd']['mode'] == 'async')(d['mechanisms']['$via'])")" = True ]
	ok $? "$via tracks QEMU's RAM with the uffd QEMU handed over (pid, rearm: $(q $f "d['mechanisms']['$via'].get('uffd', {}).get('pid'), d['mechanisms']['$via'].get('uffd', {}).get('rearm')"); $(q $f "d['mechanisms']['$via'].get('reason', 'ok')"))"
	[ "$(q $f "(lambda i: i['word0_ok'] == i['nested_pages'] == d['truth']['pages'] and i['word0_bad'] == 0 and i['sum_match'] and i['nested_bad_pages'] == 0)(d['integrity'])")" = True ]
	ok $? "$via boot: every workload page at its memfd offset with the bytes the nested guest hashed ($(q $f "d['integrity']['word0_ok']")/$(q $f "d['truth']['pages']"))"
done
rw=$(q nested-track.rwp.json "(d['mechanisms']['rwp']['total']['precision'], d['mechanisms']['rwp']['total']['recall'], d['mechanisms']['rwp']['total']['truth'])")
[ "$(q nested-track.rwp.json "(lambda t: t['precision'] >= 0.99 and t['recall'] >= 0.99 and t['truth'] > 0)(d['mechanisms']['rwp']['total'])")" = True ]
ok $? "rwp of QEMU's RAM: precision and recall >= 0.99 against the pages the nested guest read or wrote (precision, recall, touched: $rw)"

coldf() { q "$1" "(lambda c: ($3))(d['mechanisms']['$2']['total']['cold'])"; }
[ "$(coldf nested-track.rwp.json rwp "c['precision'] >= 0.99 and c['called'] > 0")" = True ]
ok $? "rwp's cold set holds no page the nested guest read or wrote: cold precision >= 0.99 on a read-only hot region (precision, recall, called cold, read, written: $(coldf nested-track.rwp.json rwp "c['precision'], c['recall'], c['called'], c['in_use_read'], c['in_use_written']"))"
[ "$(coldf nested-track.wp.json wp "c['in_use_read'] > 0 and c['in_use_written'] == 0 and c['precision'] < $(coldf nested-track.rwp.json rwp "c['precision']")")" = True ]
ok $? "wp's cold set, blind to reads, holds read-only hot pages that rwp's does not (wp cold precision, read pages called cold: $(coldf nested-track.wp.json wp "c['precision'], c['in_use_read']"))"
[ "$(cold softdirty "c['in_use_read'] > 0")" = True ]
ok $? "soft-dirty's cold set is read-blind too (read pages called cold: $(cold softdirty "c['in_use_read']"))"

# --- the cycle on QEMU's RAM: detect, freeze, evict, refault ------------
e=$share/evict
ev() { "$py" -c "import json,sys; d=json.load(open(sys.argv[1])); e=d['eviction']; m=d['mechanisms'].get('$2', {}); i=d['integrity']; print($3)" "$e/$1" 2>/dev/null; }
first=1
for via in softdirty idle rwp wp; do
	f=nested-track.$via.json
	[ -z "$first" ] || f=nested-track.json
	first=
	case $via in rwp | wp) fr=sync ;; *) fr=pause ;; esac
	[ "$(ev $f $via "m.get('supported') and e['measured'] and e['freeze'] == '$fr' and e['evicted_pages'] > 0 and e['refaults'] > 0 and e['accounted']")" = True ]
	ok $? "$via evicts from QEMU's RAM and refaults through QEMU's uffd, freeze $fr (evicted MiB, refaults, stall p50/p99 ms, CPU ms/interval: $(ev $f $via "round(e['evicted_mib'], 2), e['refaults'], round(e['stall_ms_p50'], 1), round(e['stall_ms_p99'], 1), round(e['manager_cpu_ms_per_interval'], 2)"); $(ev $f $via "m.get('reason', 'ok')"))"
	[ "$(ev $f $via "e['pages_lost'] == 0 and i['nested_bad_pages'] == 0 and i['sum_match'] and i['word0_bad'] == 0 and e['restore_failed'] == 0 and e['test_pokes']['pages'] > 0 and e['test_pokes']['lost'] == 0")" = True ]
	ok $? "$via's cycle lost nothing: the nested guest's stamp check of every page, the memfd and the release agree, and its writes asked for between write-out and punch were kept (lost, nested bad pages, restored at release, pages poked: $(ev $f $via "e['pages_lost'], i['nested_bad_pages'], e['restored_at_release'], e['test_pokes']['pages']"))"
	# QEMU's own accesses: its I/O threads' DMA for the nested guest's disk.
	fl="(lambda f: f['classified'] and f['faults_device'] > 0 and f['refaults_device'] > 0 and f['faults_vcpu'] > 0 and any(not t['vcpu'] and t['faults'] > 0 for t in f['threads']))(e['faults'])"
	[ "$(ev $f $via "$fl and d['disk']['ok'] and d['disk']['ops'] > 0 and d['disk']['bad_blocks'] == 0")" = True ]
	ok $? "$via: QEMU's device emulation faults on protected and evicted RAM, resolved like the vCPUs' (the nested guest's disk check passes) (faults vCPU/device, refaults vCPU/device, device threads, disk ops: $(ev $f $via "(lambda f: (f['faults_vcpu'], f['faults_device'], f['refaults_vcpu'], f['refaults_device'], sorted(set(t['comm'] for t in f['threads'] if not t['vcpu']))))(e['faults'])"), $(ev $f $via "d['disk'].get('ops')"))"
done
. tests/vm-e2e-nested/damon-slowdown.sh
damon_slowdown_checks "$share"
# The same settings without the freeze must lose writes, and the same
# check must say so: the poke pages the nested guest wrote in the window
# (its kernel's own pages are evicted as well, and a lost write there
# may kill it first: then the pokes are not checked, and the test fails).
u=$share/unsafe
uq() { "$py" -c "import json,sys; d=json.load(open(sys.argv[1])); e=d['eviction']; p=e['test_pokes']; print($1)" "$u/nested-track.json" 2>/dev/null; }
died=$(grep -c -E 'Kernel panic|BUG:|Oops' "$u/nested-console.log" 2>/dev/null)
[ -f "$u/exit" ] && [ "$(uq "p['pages'] > 0 and p['acked_in_window'] > 0 and p['lost'] > 0 and e['pages_lost'] >= p['lost'] and e['protocol'] == 'unsafe' and e['test_punch_delay_us'] == 2000000")" = True ]
ok $? "--protocol unsafe (rwp, no freeze) is caught losing data by the nested guest's own check: its writes between write-out and punch are lost ($(cat "$u/exit" 2>/dev/null); pages poked, answered in the window, lost; all pages lost: $(uq "p['pages'], p['acked_in_window'], p['lost'], e['pages_lost']"); nested kernel oopses: ${died:-0})"
finish
