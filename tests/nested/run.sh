#!/bin/sh
# wsbench nested on the host (TAP): bad input exits 2 and writes nothing;
# `nested truth` turns a transcript into sets in RAM memfd page offsets;
# and a real nested QEMU guest (TCG, one level: the host) runs a pattern
# and reports its PFNs, which must name exactly the memfd offsets where
# the workload's pages are (word 0 = page index, page hash sums equal).
# Soft-dirty, idle and rwp are not run here (the host kernel may lack them;
# tests/vm-e2e-nested runs them in the 7.3 guest): a first boot runs the
# truth alone (--via none: the untracked baseline), a second wp with the
# userfaultfd QEMU hands over (libwsbench-handoff.so preloaded), if this
# kernel has WP_ASYNC, with its slowdown against the first; a third DAMON,
# or its skip with the probe's exact reason.
set -u

cd "$(dirname "$0")/../.."
ws=build/wsbench
py=/usr/bin/python3
n=0
fails=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wsbench-nested-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# exit2 DESC EXPECTED-MESSAGE CMD...: exit 2, message on stderr, no file.
exit2() {
	desc=$1 msg=$2
	shift 2
	rc=0
	"$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" = 2 ] && grep -q -- "$msg" "$tmp/err" && [ ! -e "$tmp/x.json" ]
	ok $? "$desc (exit $rc: $(head -c 150 "$tmp/err" | tr '\n' ' '))"
}

exit2 "nested without a subcommand exits 2" "usage" $ws nested
exit2 "nested track without --pid exits 2" "pid PID and --socket" \
	$ws nested track --socket "$tmp/s" --json "$tmp/x.json"
exit2 "nested track --pid of no process exits 2" "no such process" \
	$ws nested track --pid 2147483000 --socket "$tmp/s" --json "$tmp/x.json"
exit2 "nested track --via bogus names --via and the accepted values" "softdirty" \
	$ws nested track --pid $$ --socket "$tmp/s" --via bogus --json "$tmp/x.json"
exit2 "nested track --via rwp,idle exits 2: rwp and wp run alone" "run alone" \
	$ws nested track --pid $$ --socket "$tmp/s" --via rwp,idle --json "$tmp/x.json"
exit2 "nested track --via damon,idle exits 2: damon runs alone" "run alone" \
	$ws nested track --pid $$ --socket "$tmp/s" --via damon,idle --json "$tmp/x.json"
exit2 "nested track --damon with a bad value names --damon and the units" "damon: aggr='5x'.*us, ms or s" \
	$ws nested track --pid $$ --socket "$tmp/s" --via damon --damon aggr=5x --json "$tmp/x.json"
exit2 "nested track --baseline of a missing file exits 2 naming it" "baseline $tmp/none.json" \
	$ws nested track --pid $$ --socket "$tmp/s" --baseline "$tmp/none.json" --json "$tmp/x.json"
exit2 "nested track --via rwp,wp exits 2: one userfaultfd per QEMU" "one userfaultfd" \
	$ws nested track --pid $$ --socket "$tmp/s" --via rwp,wp --json "$tmp/x.json"
exit2 "nested track --via wp without --handoff exits 2 naming it" "needs --handoff PATH" \
	$ws nested track --pid $$ --socket "$tmp/s" --via wp --json "$tmp/x.json"
exit2 "nested track --evict with two mechanisms exits 2" "one --via at a time" \
	$ws nested track --pid $$ --socket "$tmp/s" --evict --via softdirty,idle --handoff "$tmp/h" --json "$tmp/x.json"
exit2 "nested track --evict without --handoff exits 2 naming it" "needs --handoff PATH" \
	$ws nested track --pid $$ --socket "$tmp/s" --evict --via rwp --json "$tmp/x.json"
exit2 "nested track --evict --via idle without --qmp exits 2 naming it" "qmp PATH is needed" \
	$ws nested track --pid $$ --socket "$tmp/s" --evict --via idle --handoff "$tmp/h" --json "$tmp/x.json"
exit2 "nested track --protocol bogus names the accepted values" "use one of safe or unsafe" \
	$ws nested track --pid $$ --socket "$tmp/s" --protocol bogus --json "$tmp/x.json"
exit2 "nested track --intervals 0 exits 2" "intervals" \
	$ws nested track --pid $$ --socket "$tmp/s" --intervals 0 --json "$tmp/x.json"
exit2 "nested track --bogus names every accepted option" "unknown option '--bogus': accepted: --pid" \
	$ws nested track --bogus
# The usage is printed from the option table: each accepted option in it.
missing=$(sed -n "s/.*accepted://p" "$tmp/err" | tr ' ' '\n' | grep -- '^--' |
	while read -r o; do $ws nested track --help | grep -qE -- "^  $o( |\$)" || echo "$o"; done)
[ -z "$missing" ] && [ -n "$(sed -n "s/.*accepted://p" "$tmp/err")" ]
ok $? "nested track --help describes every option it accepts (missing: ${missing:-none})"
exit2 "nested guest without --pattern exits 2" "pattern FILE is required" \
	$ws nested guest --port /dev/null
exit2 "nested guest with a malformed pattern exits 2 naming the file" "$tmp/bad.pat" \
	sh -c "echo 'region a 12Q' >'$tmp/bad.pat'; exec $ws nested guest --pattern '$tmp/bad.pat' --port /dev/null"
exit2 "nested truth of a missing file exits 2" "No such file" \
	$ws nested truth "$tmp/none.txt"
printf '< 1.0 WSN hello v=1 pages=2\n' >"$tmp/bad.txt"
exit2 "nested truth of a bad transcript exits 2 with the line" "bad.txt:1" \
	$ws nested truth "$tmp/bad.txt"

# A transcript by hand: PFNs 64 and 65 in a 128-page RAM.
cat >"$tmp/t.txt" <<'EOF'
# ram_pages=128
< 0.1 WSN hello v=1 pages=2 page_size=4096 threads=1 seed=1 pattern=x.pat
> 0.1 WSO ready
< 0.2 WSN region pfns=128 moved=0 bits=z1.3
< 0.3 WSN begun 1
< 0.4 WSN ended 1
< 0.5 WSN iv 1 amb=0 moved=0 rd=z1.1 wr=z1.2
< 0.6 WSN win 1 amb=0 rd=z2 wr=z1.1
EOF
$ws nested truth "$tmp/t.txt" --json "$tmp/t.json" 2>"$tmp/err"
[ "$($py -c 'import json,sys; d=json.load(open(sys.argv[1])); i=d["intervals"][0]; print(d["space_pages"], d["region"]["runs"], i["read"], i["written"], i["window_written"])' "$tmp/t.json" 2>&1)" = "128 [[64, 2]] [[64, 1]] [[65, 1]] [[64, 1]]" ]
ok $? "nested truth: sets in RAM page offsets from a transcript"

# --- a real nested guest on the host ---------------------------------------
why=
command -v qemu-system-x86_64 >/dev/null || why="no qemu-system-x86_64"
[ -n "$why" ] || make -s build/wsbench-static >"$tmp/make.out" 2>&1 ||
	why="cannot build build/wsbench-static: $(tail -n1 "$tmp/make.out")"
[ "$(id -u)" = 0 ] || why="not root (pagemap PFNs and /proc/PID/map_files need it)"
# The nested guest's kernel: the 7.3 guest kernel, built or reused (on a
# cold machine make test's background prefetch may be building it: this
# waits for it).  TEST_VM=0 builds no kernel: then only a cached one.
if [ -z "$why" ] && [ -z "${NESTED_KERNEL:-}" ]; then
	if [ "${TEST_VM:-1}" != 0 ]; then
		kdir=$(kernel/build.sh 2>"$tmp/kernel.err" | tail -n 1)
		if [ -f "$kdir/bzImage" ]; then
			export NESTED_KERNEL="$kdir/bzImage"
		else
			why="kernel/build.sh gave no kernel: $(tail -n 1 "$tmp/kernel.err")"
		fi
	elif ! ls "${WSBENCH_CACHE:-$HOME/.cache/wsbench}"/kernel/*/bzImage >/dev/null 2>&1; then
		why="no guest kernel built (TEST_VM=0 builds none: make kernel)"
	fi
fi
if [ -n "$why" ]; then
	for i in $(seq 21); do skip "nested guest on the host: $why"; done
	echo "1..$n"
	[ "$fails" = 0 ]
	exit
fi
out=$tmp/run
t0=$(date +%s)
NESTED_VIA="wp damon" NESTED_INTERVALS=3 NESTED_INTERVAL_MS=1000 NESTED_BOOTS=2 \
	NESTED_PATTERN=shifting-hotset.pat NESTED_TIMEOUT=${NESTED_TEST_TIMEOUT:-900} \
	WSBENCH=$ws scripts/nested-run.sh "$out" >"$tmp/run.out" 2>&1
rc=$?
echo "# nested guest on the host: $(($(date +%s) - t0))s, exit $rc; $(grep 'hello after' "$tmp/run.out")"
[ "$rc" = 0 ] || sed 's/^/#   /' "$tmp/run.out" | tail -n 15
ok "$rc" "nested-run.sh: two rounds, the nested guest booted three times in each (untracked baseline, wp, damon), ran 3 intervals and powered off"
q() { $py -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$out/$1" 2>&1; }
[ "$(q nested-track.json "d['disk']['ok'] and d['disk']['ops'] > 0 and d['disk']['blocks_checked'] > 0")" = True ]
ok $? "the nested guest's virtio disk: checksummed O_DIRECT blocks read back right (ops, blocks checked: $(q nested-track.json "d['disk'].get('ops'), d['disk'].get('blocks_checked')"))"
[ "$(q nested-track.json "d['integrity']['word0_ok'] == d['truth']['pages'] == 4096 and d['integrity']['word0_bad'] == 0")" = True ]
ok $? "every workload page is at the memfd offset its PFN names ($(q nested-track.json "d['integrity']['word0_ok']") of 4096)"
[ "$(q nested-track.json "d['integrity']['sum_match'] and d['integrity']['nested_bad_pages'] == 0")" = True ]
ok $? "page hash sums of nested guest and memfd agree, no page lost ($(q nested-track.json "d['integrity']['nested_page_hash_sum'], d['integrity']['memfd_page_hash_sum']"))"
# Each interval's truth lies inside the workload's PFNs and is not empty.
[ "$(q nested-truth.json "len(d['intervals']) == 3 and all(i['read_pages'] + i['written_pages'] > 0 for i in d['intervals'])")" = True ]
ok $? "nested-truth.json: 3 intervals, each with pages touched ($(q nested-truth.json "[(i['read_pages'], i['written_pages']) for i in d['intervals']]"))"
$ws nested truth "$out/nested-transcript.txt" --json "$tmp/again.json" &&
	$py -c 'import json,sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' \
		"$tmp/again.json" "$out/nested-truth.json"
ok $? "nested truth replays the transcript into the same truth"
[ "$(q nested-track.baseline.json "d['mechanisms'] == {} and not d['eviction']['measured'] and d['workload_rate']['accesses'] > 0 and not d['slowdown']['measured']")" = True ]
ok $? "the baseline (--via none): no mechanism row, eviction not measured, the nested workload's rate measured ($(q nested-track.baseline.json "round(d['workload_rate'].get('accesses_per_s', 0))") accesses/s on the nested guest's clock)"
wp=nested-track.json
if [ "$(q $wp "d['mechanisms']['wp']['supported']")" = True ]; then
	[ "$(q $wp "(lambda m: m['uffd']['pid'] == d['params']['pid'] and m['uffd']['from'].startswith('QEMU') and m['total']['precision'] == 1 and m['total']['recall'] == 1 and m['total']['truth'] > 0)(d['mechanisms']['wp'])")" = True ]
	ok $? "wp with QEMU's own uffd (handed over by the preloaded library) is exact on written pages (precision, recall, written: $(q $wp "(lambda t: (t['precision'], t['recall'], t['truth']))(d['mechanisms']['wp']['total'])"))"
	[ "$(q $wp "(lambda i: i['sum_match'] and i['word0_bad'] == 0 and i['nested_bad_pages'] == 0)(d['integrity'])")" = True ]
	ok $? "wp boot: the memfd holds the bytes the nested guest hashed"
else
	why=$(q $wp "d['mechanisms']['wp']['reason']")
	skip "wp on the host: $why"
	skip "wp on the host: $why"
fi
# The slowdown is the baseline's rate over this boot's, the baseline kept.
$py -c 'import json,sys
d = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
s, r, br = d["slowdown"], d["workload_rate"], b["workload_rate"]
sys.exit(not (s["measured"] and s["baseline"]["workload_rate"] == br and
    abs(s["slowdown"] - br["accesses_per_s"] / r["accesses_per_s"]) < 1e-9 * s["slowdown"] and
    abs(s["slowdown_wall"] - br["accesses_per_wall_s"] / r["accesses_per_wall_s"]) < 1e-9 * s["slowdown_wall"] and
    s["baseline"]["truth_intervals"] == b["truth"]["intervals"]))' "$out/$wp" "$out/nested-track.baseline.json"
ok $? "the wp boot's slowdown = the baseline's accesses/s over its own, the baseline's values kept (slowdown on the nested guest's clock, on the wall: $(q $wp "d['slowdown'].get('slowdown'), d['slowdown'].get('slowdown_wall')"))"
dm=nested-track.damon.json
probe=$($ws probe 2>/dev/null | awk '$1 == "damon" && $2 == "unsupported" { sub(/^damon +unsupported +/, ""); print }')
if [ "$(q $dm "d['mechanisms']['damon']['supported']")" = True ]; then
	[ "$(q $dm "(lambda m: m['total']['reported'] > 0 and m['total']['truth'] > 0 and m['tracker_info']['params']['aggr_us'] >= d['params']['interval_ms'] * 1000)(d['mechanisms']['damon'])")" = True ]
	ok $? "damon (vaddr on QEMU's pid) reports hot pages of the workload (precision, recall: $(q $dm "(lambda t: (t['precision'], t['recall']))(d['mechanisms']['damon']['total'])"))"
else
	[ -n "$probe" ] && [ "$(q $dm "d['mechanisms']['damon']['reason']")" = "$probe" ]
	ok $? "damon unsupported here: skipped with the probe's exact reason ($probe)"
fi
$ws summary "$out" >"$tmp/summary" 2>&1 && grep -q "4096/4096 workload pages" "$tmp/summary"
ok $? "wsbench summary prints the nested table"

# --- NESTED_BOOTS=2: round 2's boots, each against its own baseline, and
# the slowdown over boots: geometric means of the rates, Welch on the logs
[ "$(q nested-track.r2.json "d['slowdown']['measured'] and d['slowdown']['baseline']['file'].endswith('/nested-track.baseline.r2.json')")" = True ] &&
	[ -f "$out/nested-track.damon.r2.json" ] && [ ! -e "$out/nested-track.r3.json" ]
ok $? "round 2 booted the baseline, wp and damon again (files .r2), wp against round 2's baseline"
rates() { $py -c 'import json, math, sys
r = [json.load(open(f))["workload_rate"]["accesses_per_s"] for f in sys.argv[1:]]
print(math.exp(sum(map(math.log, r)) / len(r)))' "$@"; }
want=$($py -c "print('%.3f' % ($(rates "$out/nested-track.baseline.json" "$out/nested-track.baseline.r2.json") / $(rates "$out/nested-track.json" "$out/nested-track.r2.json")))")
row=$(grep -A3 '^slowdown over boots' "$tmp/summary" | grep '^wp ')
echo "$row" | awk -v w="$want" '$2 == 2 && $3 == 2 && $4 == w {
	gsub(/[][,]/, " "); if ($5 + 0 < w + 0 && w + 0 < $6 + 0) ok = 1 } END { exit !ok }'
ok $? "wsbench summary: wp's slowdown over 2 boots a side is the geometric-mean ratio ($want), inside its interval ($row)"
rc=0
NESTED_BOOTS=0 WSBENCH=$ws scripts/nested-run.sh "$tmp/zero" >"$tmp/zero.out" 2>&1 || rc=$?
[ "$rc" != 0 ] && grep -q "NESTED_BOOTS '0': accepted: 1 to 99" "$tmp/zero.out" && [ ! -e "$tmp/zero" ]
ok $? "NESTED_BOOTS=0 is refused naming the accepted values, nothing made (exit $rc)"

# --- the cycle on QEMU's RAM with wp: safe loses nothing, unsafe is caught
# (writes moving into cold memory, a wait between write-out and punch)
if [ "$(q $wp "d['mechanisms']['wp']['supported']")" = True ]; then
	for p in safe unsafe; do
		rc=0
		b=1; [ "$p" = safe ] || b=0
		NESTED_EVICT=1 NESTED_PROTOCOL=$p NESTED_VIA=wp NESTED_INTERVALS=5 NESTED_BASELINE=$b \
			NESTED_INTERVAL_MS=1000 NESTED_COLD_AFTER=2 \
			NESTED_TEST_PUNCH_DELAY_US=100000 NESTED_PATTERN=moving-writes.pat \
			NESTED_TIMEOUT=${NESTED_TEST_TIMEOUT:-900} WSBENCH=$ws \
			scripts/nested-run.sh "$tmp/$p" >"$tmp/$p.out" 2>&1 || rc=$?
		echo "# cycle, protocol $p: exit $rc; $(grep '^cycle' "$tmp/$p.out")"
		eval "rc_$p=$rc"
	done
	ev() { $py -c "import json,sys; d=json.load(open(sys.argv[1])); e=d['eviction']; i=d['integrity']; print($2)" "$tmp/$1/nested-track.json" 2>&1; }
	[ "$rc_safe" = 0 ] && [ "$(ev safe "e['freeze'] == 'sync' and e['evicted_pages'] > 0 and e['refaults'] > 0 and e['accounted'] and e['pages_lost'] == 0 and i['nested_bad_pages'] == 0 and i['sum_match']")" = True ]
	ok $? "wp's cycle on QEMU's RAM evicts, refaults through QEMU's uffd and loses nothing (evicted MiB, refaults, stall p50 ms, lost: $(ev safe "round(e['evicted_mib'], 2), e['refaults'], round(e['stall_ms_p50'], 1), e['pages_lost']"))"
	lost=$(ev unsafe "e['pages_lost']")
	[ "$rc_unsafe" != 0 ] && { [ "${lost:-0}" -gt 0 ] 2>/dev/null || grep -q -E 'Kernel panic|BUG:|Oops' "$tmp/unsafe/nested-console.log"; }
	ok $? "--protocol unsafe is caught losing data by the nested guest's stamp check (exit $rc_unsafe, pages lost: $lost)"
	[ "$(ev safe "e['test_punch_delay_us'] == 100000 and e['protocol'] == 'safe'")" = True ]
	ok $? "the test wait between write-out and punch is recorded"
	# QEMU's own accesses: the nested guest's O_DIRECT disk traffic makes
	# QEMU's I/O threads fault on protected and evicted RAM.
	f() { ev safe "(lambda f: $1)(e['faults'])"; }
	[ "$(f "f['classified'] and f['faults_device'] > 0 and f['refaults_device'] > 0 and f['faults_vcpu'] > 0 and any(t['comm'] == 'worker' and not t['vcpu'] and t['faults'] > 0 for t in f['threads'])")" = True ] &&
		[ "$(ev safe "d['disk']['ok'] and d['disk']['ops'] > 0 and d['disk']['bad_blocks'] == 0")" = True ]
	ok $? "QEMU's device emulation faults on evicted and protected RAM, resolved like the vCPUs' (disk check passes) (faults vCPU/device, refaults vCPU/device, disk ops: $(f "(f['faults_vcpu'], f['faults_device'], f['refaults_vcpu'], f['refaults_device'])"), $(ev safe "d['disk'].get('ops')"))"
	[ "$(ev safe "(lambda p: p['pages'] > 0 and p['lost'] == 0)(e['test_pokes'])")" = True ] &&
		[ "$(ev unsafe "(lambda p: p['pages'] > 0 and p['lost'] > 0 and e['pages_lost'] >= p['lost'])(e['test_pokes'])")" = True ]
	ok $? "a nested-guest write made between write-out and punch: lost without the freeze, kept with it (pages poked/lost, safe: $(ev safe "e['test_pokes']['pages'], e['test_pokes']['lost']"); unsafe: $(ev unsafe "e['test_pokes']['pages'], e['test_pokes']['lost']"))"
	[ "$(ev safe "d['slowdown']['measured'] and d['slowdown']['slowdown'] > 0")" = True ]
	ok $? "wp's cycle boot has its slowdown against the untracked baseline boot (on the nested guest's clock, on the wall: $(ev safe "round(d['slowdown'].get('slowdown', 0), 3), round(d['slowdown'].get('slowdown_wall', 0), 3)"))"
else
	for i in $(seq 6); do skip "the cycle on the host: wp unsupported"; done
fi
echo "1..$n"
[ "$fails" = 0 ]
