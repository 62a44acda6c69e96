# Sourced by tests/vm-e2e-nested/run.sh (ok, q and $py from tests/lib/):
# DAMON of QEMU's RAM (vaddr on its pid) in the 7.3 guest, tracking in
# SHARE/out and the cycle in SHARE/evict, and every cycle boot's slowdown
# against the untracked baseline boot of SHARE/evict.  Runs alone too,
# on a kept share directory (E2E_KEEP=1), to check these assertions:
#   sh -c '. tests/lib/vm-e2e.sh; . tests/vm-e2e-nested/damon-slowdown.sh; damon_slowdown_checks DIR; finish'
# shellcheck shell=sh

# qf FILE EXPR: a Python expression over the JSON d of FILE (a path;
# run.sh's own q() takes names in its first output directory).
qf() { "$py" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }

damon_slowdown_checks() {
	d=$1/out/nested-track.damon.json
	m="d['mechanisms']['damon']"
	[ "$(qf "$d" "(lambda m: m['supported'] and m['sees'] == 'reads+writes' and m['tracker_info']['params']['aggr_us'] >= d['params']['interval_ms'] * 1000 and m['tracker_info']['collects_over_window'] == 0 and m['total']['truth'] > 0 and m['total']['reported'] > 0)($m)")" = True ]
	ok $? "damon (vaddr on QEMU's pid) tracks QEMU's RAM in the 7.3 guest: hot pages reported in the workload, each collect's window spanning its interval (precision, recall, reported, touched, aggr us, collects over a window: $(qf "$d" "(lambda m: (m['total']['precision'], m['total']['recall'], m['total']['reported'], m['total']['truth'], m['tracker_info']['params']['aggr_us'], m['tracker_info']['collects_over_window']))($m)"); $(qf "$d" "$m.get('reason', 'ok')"))"
	# The score, whatever DAMON's sampling called cold: with windows that
	# span each interval it may call nothing cold in a run (CI at be393fd:
	# every page hot), which is its measured answer, not a scoring fault.
	[ "$(qf "$d" "(lambda c: c['untouched'] > 0 and abs(c['recall'] - c['untouched_called'] / c['untouched']) < 1e-9 and abs(c['precision'] - (1 - (c['in_use_read'] + c['in_use_written']) / c['called'] if c['called'] else 1.0)) < 1e-9 and c['in_use_read'] + c['in_use_written'] <= c['called'])($m['total']['cold'])")" = True ]
	ok $? "damon's cold set is scored against reads and writes, over the untouched pages (cold precision, recall, called cold, read, written, untouched: $(qf "$d" "(lambda c: (c['precision'], c['recall'], c['called'], c['in_use_read'], c['in_use_written'], c['untouched']))($m['total']['cold'])"))"
	[ "$(qf "$d" "(lambda i: i['word0_ok'] == i['nested_pages'] == d['truth']['pages'] and i['word0_bad'] == 0 and i['sum_match'] and i['nested_bad_pages'] == 0)(d['integrity'])")" = True ]
	ok $? "damon boot: every workload page at its memfd offset with the bytes the nested guest hashed"

	e=$1/evict
	f=$e/nested-track.damon.json
	[ "$(qf "$f" "(lambda e: $m['supported'] and e['measured'] and e['freeze'] == 'pause' and e['evicted_pages'] > 0 and e['accounted'])(d['eviction'])")" = True ]
	# Refaults are not asked for: with a window that spans each interval
	# (4 s for 1 s intervals) DAMON calls almost every page hot, and what
	# it evicted (1.5 MiB in one run) may never be touched again.
	ok $? "damon evicts from QEMU's RAM, freeze pause (QMP stop/cont), every evicted page refaulted or restored at release (evicted MiB, refaults, stall p50/p99 ms: $(qf "$f" "(lambda e: (round(e['evicted_mib'], 2), e['refaults'], round(e['stall_ms_p50'], 1), round(e['stall_ms_p99'], 1)))(d['eviction'])"); $(qf "$f" "$m.get('reason', 'ok')"))"
	[ "$(qf "$f" "(lambda e, i: e['pages_lost'] == 0 and e['restore_failed'] == 0 and i['nested_bad_pages'] == 0 and i['sum_match'] and i['word0_bad'] == 0)(d['eviction'], d['integrity'])")" = True ]
	ok $? "damon's cycle lost nothing (lost, nested bad pages, restored at release: $(qf "$f" "d['eviction']['pages_lost'], d['integrity']['nested_bad_pages'], d['eviction']['restored_at_release']"))"

	b=$e/nested-track.baseline.json
	[ "$(qf "$b" "d['mechanisms'] == {} and not d['eviction']['measured'] and d['workload_rate']['measured'] and d['workload_rate']['accesses'] > 0 and not d['slowdown']['measured']")" = True ]
	ok $? "the untracked baseline boot tracked and evicted nothing and measured the nested workload's rate (accesses/s on the nested guest's clock, on the wall: $(qf "$b" "round(d['workload_rate']['accesses_per_s']), round(d['workload_rate']['accesses_per_wall_s'])"))"
	for f in "$e"/nested-track.json "$e"/nested-track.[a-z]*.json; do
		case $f in *baseline*) continue ;; esac
		[ "$("$py" -c 'import json,sys
d = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
s, r, br = d["slowdown"], d["workload_rate"], b["workload_rate"]
print(s["measured"] and s["baseline"]["workload_rate"] == br and abs(s["slowdown"] - br["accesses_per_s"] / r["accesses_per_s"]) < 1e-9 * s["slowdown"] and s["baseline"]["truth_intervals"] == b["truth"]["intervals"])' "$f" "$b" 2>/dev/null)" = True ]
		ok $? "$(basename "$f"): slowdown = baseline accesses/s / this boot's, the baseline's values kept (slowdown, on the wall: $(qf "$f" "round(d['slowdown']['slowdown'], 3), round(d['slowdown']['slowdown_wall'], 3)"))"
	done
}
