#!/bin/sh
# Host integration tests: the real binary on the running kernel, tiny
# configurations.  TAP output.  Whatever this kernel lacks must show up as
# a skip with a reason -- never as a failure, never silently.
set -u	# keep going after a failed check: every check reports

cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
tap_tmp

# usage_error DESC EXPECTED-TEXT ARGS...: exit 2, message names the option,
# and nothing is written.
usage_error() {
	desc=$1 want=$2
	shift 2
	out="$tmp/bad.$n"
	rc=0
	"$ws" "$@" --out "$out" >/dev/null 2>"$tmp/err" || rc=$?
	r=1
	if [ "$rc" = 2 ] && grep -q -- "$want" "$tmp/err" && [ ! -e "$out" ]; then
		r=0
	else
		echo "# rc=$rc stderr: $(cat "$tmp/err")"
	fi
	ok "$r" "bad input: $desc -> exit 2, names '$want', writes nothing"
}

json_q() {	# json_q FILE PYTHON-EXPR-OVER-d -> prints the value
	"$py" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

# A run that would take minutes: for the watchdog and signal tests.
long_run="run fault-latency --backend wp --backing anon --pages 2000 --min-time 60 --min-reps 100000 --max-reps 100000 --quiet"

# --- CLI ----------------------------------------------------------------
"$ws" list >"$tmp/list"
r=0
for b in rwp minor-anon wp idle softdirty damon; do
	grep -q "^  $b " "$tmp/list" || r=1
done
ok "$r" "wsbench list names all six backends"

rc=0; "$ws" frobnicate 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q "list, probe, run" "$tmp/err"; ok $? "unknown command -> exit 2 listing the commands"
rc=0; "$ws" run no-such-bench 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q "fault-latency" "$tmp/err"; ok $? "unknown benchmark -> exit 2 listing the benchmarks"
for b in correctness fault-latency protect-cost scan-throughput set-mode vmm-cycle damon-sweep numa-interplay restore; do
	"$ws" run "$b" --help >/dev/null; ok $? "wsbench run $b --help"
done

usage_error "unknown option" "--frob" run correctness --frob
usage_error "size with bad suffix" "--size" run protect-cost --size 12Q
usage_error "size not a page multiple" "--size" run protect-cost --size 6000
usage_error "zero size" "--size" run protect-cost --size 0
usage_error "negative count" "--pages" run correctness --pages -1
usage_error "zero count" "--pages" run correctness --pages 0
usage_error "unknown backend" "rwp, minor-anon, wp, idle, softdirty" run correctness --backend foo
usage_error "unknown backing" "anon-thp" run correctness --backing foo
usage_error "unknown mode" "async" run correctness --mode turbo
usage_error "negative threads" "--threads" run protect-cost --threads -1
usage_error "unknown profile" "quick" run correctness --profile fast
usage_error "option a benchmark does not read" "--threads" run correctness --threads 1
usage_error "negative timeout" "--timeout" run correctness --timeout -5
usage_error "unknown re-arm policy" "per-run" run scan-throughput --rearm lazy
usage_error "bad --tune value" "--tune" run correctness --tune maybe
# Sizes the machine cannot hold fail before anything runs (they used to hang
# or meet the OOM killer).
usage_error "--size 64T of shmem" "MemAvailable" run protect-cost --size 64T --backing shmem
usage_error "--size 64T of every backing" "MemAvailable" run scan-throughput --size 64T --backing all
usage_error "--pages beyond RAM" "MemAvailable" run correctness --pages 100000000
rc=0
"$ws" run protect-cost --size 4K --out /proc/wsbench-nope >/dev/null 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q -- "--out /proc/wsbench-nope" "$tmp/err"
ok $? "--out where nothing can be written -> exit 2 before measuring ($rc: $(cat "$tmp/err"))"
usage_error "--damon unknown key" "--damon: unknown key 'frob': keys are sample, aggr, update, regions" run correctness --damon frob=1
usage_error "--damon duration without unit" "--damon: sample='5' is not a duration with a unit: us, ms or s" run scan-throughput --damon sample=5
usage_error "--damon regions below the kernel's 3" "--damon: regions min=2 is out of range" run damon-sweep --damon regions=2-10
usage_error "--damon sample > aggr across two options" "--damon: sample (1000000us) is longer than aggr (100000us)" run correctness --damon sample=1s --damon regions=10-20
usage_error "damon-sweep does not take --backend" "--backend" run damon-sweep --backend wp

# The watchdog ends a run that does not finish, and says why.
rc=0
# shellcheck disable=SC2086
"$ws" $long_run --timeout 1 --out "$tmp/wd" >/dev/null 2>"$tmp/wd.err" || rc=$?
[ "$rc" = 142 ] && grep -q -- "--timeout reached" "$tmp/wd.err" && [ ! -e "$tmp/wd/fault-latency.json" ]
ok $? "--timeout 1 stops a long run (exit $rc = SIGALRM), says so, writes nothing"

# --- probe --------------------------------------------------------------
"$ws" probe --json "$tmp/probe.json" >"$tmp/probe.txt"
ok $? "wsbench probe exits 0"
"$py" tests/validate_results.py "$tmp/probe.json" >/dev/null
ok $? "probe.json matches the schema (unsupported => non-empty reason)"
supported=$(json_q "$tmp/probe.json" "' '.join(k for k,v in d['backends'].items() if v['supported'])")
echo "# supported on $(uname -r): ${supported:-none}"
# What the running kernel has must be what the probe says: RWP exists iff
# UFFDIO_API advertises bit 17 with SET_MODE -- checked independently by
# the uapi_detect unit test; here check the facts visible from userspace.
if [ -e /sys/kernel/mm/page_idle/bitmap ] && [ "$(id -u)" = 0 ]; then want=True; else want=False; fi
[ "$(json_q "$tmp/probe.json" "d['backends']['idle']['supported']")" = "$want" ]
ok $? "idle supported iff /sys/kernel/mm/page_idle/bitmap exists and we are root"

# DAMON: the probe's reason is the kernel's own evidence.
dreason=$(json_q "$tmp/probe.json" "d['backends']['damon']['reason']")
if [ ! -d /sys/kernel/mm/damon/admin ]; then
	echo "$dreason" | grep -q "CONFIG_DAMON_SYSFS"
	ok $? "damon skipped: no DAMON sysfs ($dreason)"
elif avail=$(cat /sys/kernel/mm/damon/admin/kdamonds/*/contexts/0/avail_operations 2>/dev/null | head -n 3) &&
	[ -n "$avail" ] && ! echo "$avail" | grep -qx vaddr; then
	[ "$(json_q "$tmp/probe.json" "d['backends']['damon']['supported']")" = False ] &&
		echo "$dreason" | grep -q "CONFIG_DAMON_VADDR not enabled" &&
		echo "$dreason" | grep -q "avail_operations lists '$(echo $avail)', no 'vaddr'"
	ok $? "damon skipped, quoting avail_operations without vaddr ($dreason)"
else
	n=$((n + 1)); echo "ok $n - # SKIP damon probe reason: this kernel has vaddr or no context to read ($dreason)"
fi

# --- every benchmark in a tiny configuration ------------------------------
run_dir="$tmp/run"
reps="--min-reps 3 --max-reps 5 --min-time 0 --warmup 1"
for spec in \
	"correctness --pages 1000" \
	"fault-latency --pages 200 $reps" \
	"protect-cost --size 4K,2M --threads 0,1 $reps" \
	"scan-throughput --size 1M --hot 0,1,50,100 $reps" \
	"set-mode --threads 0,1 $reps" \
	"damon-sweep --size 1M --layout contiguous --warmup 1 --min-reps 2 --max-reps 2 --profile quick"; do
	b=${spec%% *}
	# shellcheck disable=SC2086
	args=$(echo "$spec" | cut -s -d' ' -f2-)
	rc=0
	# shellcheck disable=SC2086
	"$ws" run $b $args --quiet --out "$run_dir" --run-id it >"$tmp/$b.out" 2>"$tmp/$b.err" || rc=$?
	[ "$rc" = 0 ] || { echo "# $b exit $rc:"; sed 's/^/#   /' "$tmp/$b.err" | tail -n 5; }
	ok "$rc" "run $b (tiny) exits 0 with no backend errors"
	f="$run_dir/$b.json"
	"$py" tests/validate_results.py "$f" >"$tmp/val" 2>&1 || { sed 's/^/# /' "$tmp/val"; false; }
	ok $? "$b.json matches results/schema.json"
	# Every supported backend produced cases, every unsupported one a skip.
	r=0
	bes="rwp minor-anon wp idle softdirty damon"
	[ "$b" = damon-sweep ] && bes=damon	# the only backend it runs
	for be in $bes; do
		# Skipped with a reason by design: no sync mode; damon never
		# faults and its arm() protects nothing.
		skip_ok=
		case "$b/$be" in
		set-mode/*|fault-latency/damon|protect-cost/damon) skip_ok=1 ;;
		esac
		if echo " $supported " | grep -q " $be "; then
			[ "$(json_q "$f" "sum(1 for c in d['results'] if c['backend']=='$be')")" -gt 0 ] ||
				{ [ -n "$skip_ok" ] && [ "$(json_q "$f" "sum(1 for s in d['skipped'] if s['backend']=='$be')")" -gt 0 ]; } ||
				{ echo "# $b: supported backend $be has no results"; r=1; }
		else
			[ "$(json_q "$f" "sum(1 for s in d['skipped'] if s['backend']=='$be' and s['reason'])")" -gt 0 ] ||
				{ echo "# $b: unsupported backend $be has no skip with a reason"; r=1; }
		fi
	done
	ok "$r" "$b: results for supported backends, reasoned skips for the others"
done

# Exact detection on deterministic patterns, for what each backend can see.
c="$run_dir/correctness.json"
# Idle tracking with the TLB "as-is" may miss accesses by design (young bits
# are cleared without a TLB flush), and sampling backends (damon) are not
# exact by design: reported, not asserted.
bad=$(json_q "$c" "[ (r['backend'],r['backing'],r['mode'],r.get('pattern'),r.get('tlb'),r['accuracy']['precision'],r['accuracy']['recall']) for r in d['results'] if r.get('expected_visible') and not r.get('sampling') and r['backing'] in ('anon','shmem') and 'accuracy' in r and r.get('rearm_misses') != 'any-page' and not (r.get('pattern') == 'rearm-race' and r.get('rearm_misses') == 'hot-pages') and not (r['backend']=='idle' and r.get('tlb') in ('as-is','turnover')) and (r['accuracy']['precision']!=1 or r['accuracy']['recall']!=1)]")
[ "$bad" = "[]" ] || echo "# inexact: $bad"
[ "$bad" = "[]" ]; ok $? "correctness: precision = recall = 1 on anon and shmem for every visible pattern"
cnt=$(json_q "$c" "len([r for r in d['results'] if r.get('expected_visible') and r['backing'] in ('anon','shmem')])")
[ "$cnt" -gt 0 ]; ok $? "correctness: $cnt exact-detection cases were actually measured"
pats=$(json_q "$c" "' '.join(sorted(set(str(r.get('pattern')) for r in d['results'])))")
echo "# patterns: $pats"
r=0; for p in every-3rd first-half none all; do echo " $pats " | grep -q " $p " || r=1; done
ok "$r" "correctness covers every-3rd, first-half, none and all"
tlbs=$(json_q "$c" "' '.join(sorted(set(str(r.get('tlb')) for r in d['results'] if 'tlb' in r)))")
[ "$tlbs" = "as-is flushed turnover" ]; ok $? "correctness runs every pattern with the TLB as-is, turned over and flushed ($tlbs)"

# Re-arm losslessness (issue 6 item 1), on whatever uffd tracker runs here.
# Issue 14 item 6: the race writes a page cold at the scan and one the
# scan reported hot; the method's claim (rearm_misses) must be exact.
race=$(json_q "$c" "sorted(set((r['backend'],r['mode'],r['rearm'],r['rearm_misses'],r['rearm_lossless'],r['race_page_reported'],r['race_hot_page_reported']) for r in d['results'] if r.get('pattern')=='rearm-race'))")
echo "# rearm-race (backend, mode, method, misses, lossless, cold page reported, hot page reported): $race"
bad=$(json_q "$c" "[(r['backing'],r['rearm']) for r in d['results'] if r.get('pattern')=='rearm-race' and (r['race_page_reported'] != (r['rearm_misses'] != 'any-page') or r['race_hot_page_reported'] != (r['rearm_misses'] == 'nothing') or r['rearm_lossless'] != (r['rearm_misses'] == 'nothing'))]")
[ "$bad" = "[]" ]; ok $? "rearm-race: what each method misses is what it claims (cold page kept unless 'any-page', hot page kept only by 'nothing' = lossless) ($bad)"
if echo " $supported " | grep -q " wp "; then
	[ "$(json_q "$c" "sum(1 for r in d['results'] if r.get('pattern')=='rearm-race' and r['backend']=='wp' and r['rearm']=='span' and not r['race_page_reported'])")" -gt 0 ]
	ok $? "rearm-race: wp sync's span re-arm loses the write (the lossy policy is caught)"
	lost=$(json_q "$c" "[(r['backing'],r['mode'],r['rearm'],r['rearm_misses'],r['lost']) for r in d['results'] if r.get('pattern')=='concurrent' and r['backend']=='wp']")
	echo "# concurrent (backing, mode, method, misses, lost): $lost"
	[ "$(json_q "$c" "sum(r['lost'] for r in d['results'] if r.get('pattern')=='concurrent' and r['backend']=='wp' and r['rearm_misses'] != 'any-page')")" = 0 ] &&
		[ "$(json_q "$c" "sum(1 for r in d['results'] if r.get('pattern')=='concurrent' and r['backend']=='wp' and r['rearm_misses'] != 'any-page')")" -gt 0 ]
	ok $? "concurrent writer+reader: wp's re-arms that keep cold pages armed (scan-atomic, per-run) lose 0 accesses"
	gran=$(json_q "$c" "sorted(set(r['granularity']['tracked_at'] for r in d['results'] if r['backend']=='wp' and r['backing']=='anon-thp' and 'granularity' in r))")
	echo "# wp on anon-thp tracked at: $gran"
	thp_skip=$(json_q "$c" "' '.join(sorted(set(s['reason'] for s in d['skipped'] if s['backend']=='wp' and s.get('backing')=='anon-thp')))")
	if [ "$gran" = "[]" ] && [ -n "$thp_skip" ]; then
		n=$((n + 1)); echo "ok $n - # SKIP anon-thp skipped here: $thp_skip"
	else
		echo "$gran" | grep -q "4K"; ok $? "anon-thp cases name the granularity they were tracked at ($gran)"
	fi
fi

# The validator must be able to fail: broken copies of a real file.
for mut in "del d['schema_version']" "d['results'][0]['accuracy']['precision']=1.5" \
	"d['skipped'].append({'backend':'x','reason':''})" "d['environment']['virtualization'].pop('accel')"; do
	"$py" -c "import json,sys; d=json.load(open(sys.argv[1])); $mut; json.dump(d,open(sys.argv[2],'w'))" \
		"$run_dir/correctness.json" "$tmp/broken.json"
	"$py" tests/validate_results.py "$tmp/broken.json" >/dev/null 2>&1
	[ $? = 1 ]; ok $? "schema rejects a result with: $mut"
done

f="$run_dir/fault-latency.json"
r=$(json_q "$f" "all(s['summary']['n']>0 and len(s['samples'])==s['summary']['n'] for c in d['results'] for s in c.get('metrics',{}).values())")
[ "$r" = True ]; ok $? "fault-latency keeps every raw sample (len(samples) == n)"
# One sample per page per measured repetition (warm-up samples dropped),
# each filed by the faults it took: the series holds the one-fault ones
# (on anon-thp a sample may take two: counted in multi_fault, not timed).
r=$(json_q "$f" "[(c['backend'],c['backing'],c['mode'],k,c['faults'][k]) for c in d['results'] if c['backend']!='baseline' for m,s in c['metrics'].items() for k in [m.split('_')[1]] if c['faults'][k]['samples'] != c['reps']*c['params']['npages'] or s['summary']['n'] != c['faults'][k]['one_fault']]")
[ "$r" = "[]" ]; ok $? "fault-latency: reps x pages samples per backend series (warm-up discarded), the series = the one-fault samples ${r#[]}"
multi=$(json_q "$f" "sum(k['multi_fault'] for c in d['results'] if c['backend']!='baseline' for k in c['faults'].values())")
echo "# fault-latency: samples that took more than one fault (not timed): $multi"
r=$(json_q "$f" "any(c['backend']=='baseline' for c in d['results'])")
[ "$r" = True ]; ok $? "fault-latency measures the present-page and first-touch baselines in the same run"
r=$(json_q "$f" "d['timer']['overhead_ns']['median'] > 0")
[ "$r" = True ]; ok $? "timer overhead measured in the run"
ls "$run_dir" | grep -q '\.tmp\.' && r=1 || r=0
ok "$r" "no temporary files left in the result directory"

"$ws" summary "$run_dir" >"$tmp/summary" 2>&1
ok $? "wsbench summary prints a table"
grep -q '^backend' "$tmp/summary"; ok $? "summary has the backend table header"
grep -q "^wsbench: correctness (profile default) in [0-9]* s: ran [a-z].*; [0-9]* cases, [0-9]* skipped, 0 errors -> $run_dir/correctness.json; read it: wsbench summary $run_dir\$" "$tmp/correctness.err"
ok $? "run ends with one line: what ran, what was skipped, the file and how to read it"
# The cells say which case they are.
grep -q "^(protect: arming an anon region, async mode, no helper threads; region: " "$tmp/summary" &&
	grep -q "^(wr-fault: the write fault on an armed page" "$tmp/summary"
ok $? "summary names the case behind the protect and write-fault cells"
# README's host sample has the shape of today's summary: each of its lines
# whose words do not depend on the kernel or the run's sizes (the table
# head, the lines naming cases, the loss, race, baseline and CV lines),
# numbers aside, is a line of this run's summary.
"$py" - README.md "$tmp/summary" >"$tmp/readme-shape" <<'PY'
import re, sys
readme, summary = (open(f).read() for f in sys.argv[1:])
start = readme.index("```\nwsbench results/first-suite")
sample = readme[start + 4:readme.index("```", start + 4)].splitlines()
def shape(line):
    return re.sub(r"\s+", " ", re.sub(r"[0-9]+(\.[0-9]+)?", "#", line)).strip()
have = {shape(l) for l in summary.splitlines()}
keep = re.compile(r"^(backend |\(wr-fault|re-arm|  wp  |  baseline|between-)")
for line in sample:
    if keep.match(line) and shape(line) not in have:
        print(line)
PY
r=$?
[ "$r" = 0 ] && [ ! -s "$tmp/readme-shape" ]
r=$?
[ "$r" = 0 ] || sed 's/^/# not in the summary: /' "$tmp/readme-shape"
ok "$r" "README's five-minute sample has the shape of today's summary (numbers aside)"
# Not asked for is "not run", not "skipped"; no empty "skipped:" header.
"$ws" run correctness --backend wp --backing anon --profile quick --quiet --out "$tmp/one" >/dev/null 2>&1
"$ws" summary "$tmp/one" >"$tmp/sum1" 2>&1
r=0
for be in rwp minor-anon idle softdirty damon; do
	grep -q "^$be  *not run (not requested)\$" "$tmp/sum1" || r=1
done
grep -q "^skipped:" "$tmp/sum1" && r=1
grep -q "skipped" "$tmp/sum1" && r=1
[ "$r" = 0 ] || sed 's/^/# /' "$tmp/sum1"
ok "$r" "summary of a --backend wp run: the others 'not run (not requested)', no 'skipped' at all"
# 'lost' only where a re-arm may lose nothing.
r=$(grep -E " (any-page|hot-pages|lossy) .* lost of " "$tmp/sum1")
[ -z "$r" ] && grep -q " nothing  *[0-9]* lost of " "$tmp/sum1"
ok $? "summary: 'lost' only for a re-arm that misses nothing ($r)"
# Warnings where the reader looks: a clocksource switch, oversubscribed
# threads (a doctored copy: the loader must still take it).
cp -r "$run_dir" "$tmp/warn"
"$py" -c "
import json,sys
f=sys.argv[1]+'/protect-cost.json'; d=json.load(open(f))
d['environment']['cpu']['clocksource']='hpet'
d['params']['threads']=[0, d['environment']['cpu']['usable']+3]
json.dump(d,open(f,'w'))" "$tmp/warn"
"$ws" summary "$tmp/warn" >"$tmp/wsum" 2>&1
grep -q "^WARNING: cpu.clocksource changed during the run: .* -> hpet (in .*protect-cost.json): the kernel changed clock" "$tmp/wsum" &&
	grep -q "^WARNING: protect-cost ran up to [0-9]* helper threads on [0-9]* usable CPUs" "$tmp/wsum" &&
	[ "$(grep -c "^WARNING" "$tmp/wsum")" = "$(($(grep -c "^WARNING" "$tmp/summary") + 2))" ]
ok $? "summary warns of a clocksource change mid-run and of more threads than CPUs (and not otherwise)"
# The suite's huge-page reservation covers what its benchmarks map: the
# TCG guest's fault-latency --pages 1000 (two regions of 64 huge pages)
# must run, not be refused; vm.nr_hugepages as found after.
hp0=$(cat /proc/sys/vm/nr_hugepages)
rc=0
WSBENCH=$ws SUITE_BENCHMARKS=fault-latency \
	SUITE_ARGS_fault_latency="--backend wp --pages 1000 --warmup 0 --min-reps 2 --max-reps 2 --min-time 0 --tune off" \
	scripts/suite.sh "$tmp/hpsuite" quick >/dev/null 2>"$tmp/hpsuite.err" || rc=$?
[ "$rc" = 0 ] && [ "$(cat /proc/sys/vm/nr_hugepages)" = "$hp0" ]
r=$?
[ "$r" = 0 ] || tail -n 3 "$tmp/hpsuite.err" | sed 's/^/# /'
ok "$r" "suite.sh quick: fault-latency --pages 1000 runs with the suite's huge pages (not refused), nr_hugepages restored ($hp0)"
"$ws" run protect-cost --help >"$tmp/ph"
grep -q "^  --size  *4K,2M,64M  *4K,64K,2M,64M,1G\$" "$tmp/ph" && grep -q "^  --min-reps  *10  *20\$" "$tmp/ph"
ok $? "run --help shows what each profile sets"

# --- workload patterns ----------------------------------------------------
"$ws" pattern check workloads/*.pat >"$tmp/pc" 2>&1
ok $? "wsbench pattern check accepts every shipped pattern"
printf 'region a 10%%\nphase p 1s\n a zipf\n' >"$tmp/bad.pat"
rc=0; "$ws" pattern check workloads/seq-sweep.pat "$tmp/bad.pat" >/dev/null 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q "^$tmp/bad.pat:3: expected a Zipf exponent .*, got end of line$" "$tmp/err"
ok $? "pattern check: malformed file -> exit 2, 'FILE:3: expected ..., got ...'"
rc=0; "$ws" pattern check workloads/uniform-hot20.pat --size 4K 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q "uniform-hot20.pat:[0-9]*: expected region 'hot' to be at least one page" "$tmp/err"
ok $? "pattern check --size: a layout that does not fit -> exit 2 naming the line"
rc=0; "$ws" pattern run workloads/seq-sweep.pat --threads 0 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q -- "--threads" "$tmp/err"; ok $? "pattern run --threads 0 -> exit 2 naming the option"
rc=0; "$ws" pattern run "$tmp/bad.pat" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q "bad.pat:3: expected" "$tmp/err"; ok $? "pattern run of a malformed file -> exit 2"
"$ws" pattern run workloads/phase-change.pat --size 8M --threads 2 --time 0.2 \
	--reps 1 >"$tmp/prun" 2>&1
rc=$?
[ "$rc" = 0 ] && grep -q "truth off: median [0-9.]* M/s" "$tmp/prun" &&
	grep -q "ground-truth recording cost (accesses/s): -\{0,1\}[0-9.]* %" "$tmp/prun" &&
	grep -q "^integrity: ok" "$tmp/prun"
ok $? "pattern run: accesses/s, truth cost and a clean integrity check"
[ "$rc" = 0 ] || sed 's/^/# /' "$tmp/prun"

# --- vmm-cycle (issue 7): the whole cycle on the host's wp ----------------
vm_size="--size 8M --cold-after 1 --quiet"
vm_args="$vm_size --intervals 12 --interval-ms 15 --min-reps 1"
usage_error "unknown pattern" "not found" run vmm-cycle --pattern no-such-pattern
usage_error "malformed pattern" "bad.pat:3: expected" run vmm-cycle --pattern "$tmp/bad.pat"
usage_error "bad --protocol" "safe" run vmm-cycle --protocol maybe
if echo " $supported " | grep -q " wp "; then
	v="$tmp/vc"
	# shellcheck disable=SC2086
	"$ws" run vmm-cycle --backend wp,idle $vm_args --pattern uniform-hot20,read-mostly \
		--out "$v" >/dev/null 2>"$tmp/vc.err"
	ok $? "vmm-cycle with wp on two shipped patterns exits 0 (no data lost)"
	"$py" tests/validate_results.py "$v/vmm-cycle.json" >/dev/null 2>&1
	ok $? "vmm-cycle.json matches the schema"
	r=$(json_q "$v/vmm-cycle.json" "sorted((c['pattern'], c['freeze'], c['summary']['pages_lost']) for c in d['results'])")
	echo "# vmm-cycle wp (pattern, freeze, pages lost): $r"
	[ "$r" = "[('read-mostly', 'sync', 0), ('uniform-hot20', 'sync', 0)]" ]
	ok $? "vmm-cycle: wp freezes in its sync mode and loses nothing"
	json_q "$v/vmm-cycle.json" "[s['reason'] for s in d['skipped'] if s['backend']=='idle']" | grep -q .
	ok $? "vmm-cycle: an unsupported backend is a skip with its reason"
	r=$(json_q "$v/vmm-cycle.json" "[(c['pattern'], round(c['summary']['false_cold_decisions_read_pct'] or 0), c['summary']['f1_cold_decisions'], c['summary']['f1_cold_cumulative'], len(c['intervals'])) for c in d['results']]")
	echo "# (pattern, decided-cold pages in use by reads %, F1 of the decisions, cumulative F1, intervals): $r"
	[ "$(json_q "$v/vmm-cycle.json" "[c for c in d['results'] if c['pattern']=='read-mostly'][0]['summary']['false_cold_decisions_read_pct'] > 0")" = True ]
	ok $? "vmm-cycle: wp calls read-only hot pages cold on read-mostly (ground truth sees the reads)"
	# The decisions scored are the evictions made: a page evicted long
	# ago is not decided on again (a cumulative score counts it).
	r=$(json_q "$v/vmm-cycle.json" "[(x['tracked']['run']['decisions']['reported'], x['tracked']['run']['evicted']) for c in d['results'] for x in c['runs']]")
	echo "# (pages decided cold, pages evicted) per run: $r"
	[ "$(json_q "$v/vmm-cycle.json" "all(x['tracked']['run']['decisions']['reported'] == x['tracked']['run']['evicted'] for c in d['results'] for x in c['runs']) and sum(x['tracked']['run']['evicted'] for c in d['results'] for x in c['runs']) > 0")" = True ]
	ok $? "vmm-cycle: the cold set is scored over each interval's decisions (pages decided cold = pages evicted)"
	# Rates are what their label says: accesses per wall-clock second,
	# with the time frozen and paused recorded beside them.
	r=$(json_q "$v/vmm-cycle.json" "[(round(x[k]['run']['accesses_per_s'] * x[k]['run']['wall_s'] / (x[k]['run']['reads'] + x[k]['run']['writes']), 9), x[k]['run']['paused_s'], round(x[k]['run']['frozen_s'], 4)) for c in d['results'] for x in c['runs'] for k in ('tracked', 'untracked')]")
	echo "# (accesses/s x wall_s / accesses, paused_s, frozen_s) per run: $r"
	[ "$(json_q "$v/vmm-cycle.json" "all(abs(x[k]['run']['accesses_per_s'] * x[k]['run']['wall_s'] / (x[k]['run']['reads'] + x[k]['run']['writes']) - 1) < 1e-9 and abs(x[k]['run']['wall_s'] - x[k]['run']['phase_clock_s'] - x[k]['run']['paused_s']) < 1e-9 for c in d['results'] for x in c['runs'] for k in ('tracked', 'untracked')) and all(x['tracked']['run']['paused_s'] == 0 < x['tracked']['run']['frozen_s'] for c in d['results'] for x in c['runs']) and all(c['summary']['frozen_pct'] > 0 for c in d['results'])")" = True ]
	ok $? "vmm-cycle: accesses/s are per wall-clock second; paused time (none for wp's sync freeze) and freeze windows beside them"
	[ "$(json_q "$v/vmm-cycle.json" "all(len(c['runs'][0]['untracked']['intervals'])==12 and c['runs'][0]['untracked']['run']['evicted']==0 for c in d['results'])")" = True ]
	ok $? "vmm-cycle: every tracked run has an untracked run of the same pattern beside it"
	"$ws" summary "$v" >"$tmp/vsum" 2>&1
	grep -Eq '^wp +read-mostly +sync ' "$tmp/vsum"
	ok $? "summary prints the macro table"
	# A page read back is not written: through wp's uffd it comes back
	# write-protected (UFFDIO_COPY_MODE_WP), and a MISSING fault held in
	# the freeze is woken, not disarmed (unprotected), so on a read-only
	# pattern wp reports no page written however often pages refault.
	# With a plain copy every page read back was reported written; with
	# the disarm, 1-6 pages a run.
	printf 'region all 100%%\nphase reads 60s\n\tall uniform reads 100%%\n' >"$tmp/reads.pat"
	# shellcheck disable=SC2086
	"$ws" run vmm-cycle --backend wp $vm_size --intervals 20 --interval-ms 15 --min-reps 1 \
		--pattern "$tmp/reads.pat" --out "$tmp/vro" >/dev/null 2>&1
	rc=$?
	r=$(json_q "$tmp/vro/vmm-cycle.json" "[(sum(i['detected_ws_pages'] for i in x['tracked']['intervals']), sum(i['refaults'] for i in x['tracked']['intervals']), x['tracked']['run']['refault_copy']) for c in d['results'] for x in c['runs']]")
	echo "# wp, read-only pattern (pages reported written, refaults, refault copy): $r"
	[ "$rc" = 0 ] && [ "$(json_q "$tmp/vro/vmm-cycle.json" "all(sum(i['detected_ws_pages'] for i in x['tracked']['intervals']) == 0 < sum(i['refaults'] for i in x['tracked']['intervals']) and 'MODE_WP' in x['tracked']['run']['refault_copy'] for c in d['results'] for x in c['runs'])")" = True ]
	ok $? "vmm-cycle: wp's read refaults come back write-protected: on a read-only pattern it reports none of the refaulted pages written"
	# The integrity check must be able to fail: evicting without freezing
	# loses writes (churn writes everywhere, all the time).
	rc=0
	# shellcheck disable=SC2086
	"$ws" run vmm-cycle --backend wp $vm_size --intervals 30 --interval-ms 10 --min-reps 2 \
		--pattern churn --protocol unsafe --out "$tmp/vu" >/dev/null 2>&1 || rc=$?
	lost=$(json_q "$tmp/vu/vmm-cycle.json" "sum(c['summary']['pages_lost'] for c in d['results'])")
	err=$(json_q "$tmp/vu/vmm-cycle.json" "[e['error'] for e in d['errors']]")
	echo "# unsafe protocol: $lost pages lost (exit $rc); errors: $err"
	[ "$rc" = 1 ] && [ "${lost:-0}" -gt 0 ] &&
		echo "$err" | grep -q "pages lost their content under the unsafe"
	ok $? "vmm-cycle --protocol unsafe is caught losing data ($lost pages): exit 1, the loss an error"
	# A page bad at a refault and again at the end (or at two refaults)
	# is one page lost.
	r=$(json_q "$tmp/vu/vmm-cycle.json" "[(i['pages_lost'], i['bad_pages_at_refault'], i['bad_refaults'], i['bad_pages_at_end']) for c in d['results'] for x in c['runs'] for i in [x['tracked']['run']['integrity']]]")
	echo "# unsafe (pages lost, pages bad at a refault, bad refaults, bad at the end) per run: $r"
	[ "$(json_q "$tmp/vu/vmm-cycle.json" "all(max(i['bad_pages_at_refault'], i['bad_pages_at_end']) <= i['pages_lost'] <= min(i['bad_pages_at_refault'] + i['bad_pages_at_end'], c['params']['size_bytes'] // 4096) and i['bad_pages_at_refault'] <= i['bad_refaults'] for c in d['results'] for x in c['runs'] for i in [x['tracked']['run']['integrity']])")" = True ]
	ok $? "vmm-cycle: each lost page is counted once (bad at a refault, at the end, or both)"
	# shellcheck disable=SC2086
	"$ws" run vmm-cycle --backend wp $vm_size --intervals 30 --interval-ms 10 --min-reps 2 \
		--pattern churn --out "$tmp/vs" >/dev/null 2>&1
	rc=$?
	r=$(json_q "$tmp/vs/vmm-cycle.json" "(sum(c['summary']['pages_lost'] for c in d['results']), sum(c['summary']['refaults'] for c in d['results']))")
	echo "# safe protocol, churn (pages lost, refaults): $r"
	[ "$rc" = 0 ] && [ "$(json_q "$tmp/vs/vmm-cycle.json" "sum(c['summary']['pages_lost'] for c in d['results'])==0 and sum(c['summary']['refaults'] for c in d['results'])>=1000")" = True ]
	ok $? "vmm-cycle safe protocol: 0 pages lost over >= 1000 refaults with concurrent writers"
fi

# --- minor (issue 20) through the interval loop and the VMM cycle ----------
# The host's 6.18 has minor mode on shmem: the same cycle, safe and unsafe.
if echo " $supported " | grep -q " minor "; then
	rc=0
	# shellcheck disable=SC2086
	"$ws" run vmm-cycle --backend minor $vm_size --intervals 30 --interval-ms 10 \
		--min-reps 2 --pattern churn --out "$tmp/vmi" --run-id minor >/dev/null 2>"$tmp/vmi.err" || rc=$?
	r=$(json_q "$tmp/vmi/vmm-cycle.json" "[(c['backing'], c['mode'], c['freeze'], c['summary']['pages_lost'], c['summary']['refaults']) for c in d['results']]")
	echo "# minor cycle, churn (backing, mode, freeze, pages lost, refaults): $r"
	[ "$rc" = 0 ] && [ "$(json_q "$tmp/vmi/vmm-cycle.json" "len(d['results'])==1 and all(c['backing']=='shmem' and c['mode']=='sync' and c['freeze']=='sync' and c['summary']['pages_lost']==0 and c['summary']['refaults']>=500 for c in d['results'])")" = True ]
	ok $? "vmm-cycle: minor on shmem (sync, held faults resolved with CONTINUE) loses no page over >= 500 refaults"
	rc=0
	# shellcheck disable=SC2086
	"$ws" run vmm-cycle --backend minor $vm_size --intervals 30 --interval-ms 10 \
		--min-reps 2 --pattern churn --protocol unsafe --out "$tmp/vmu" >/dev/null 2>&1 || rc=$?
	lost=$(json_q "$tmp/vmu/vmm-cycle.json" "sum(c['summary']['pages_lost'] for c in d['results'])")
	[ "$rc" = 1 ] && [ "${lost:-0}" -gt 0 ]
	ok $? "vmm-cycle: minor under --protocol unsafe is caught losing data ($lost pages, exit $rc)"
	"$ws" run scan-throughput --backend minor --backing shmem --size 1M \
		--hot 0,20,100 --layout scattered --min-reps 3 --max-reps 3 \
		--min-time 0 --quiet --out "$tmp/vmi" --run-id minor >/dev/null 2>&1
	r=$(json_q "$tmp/vmi/scan-throughput.json" "[(c['params']['hot_pct'], c['accuracy']['precision'], c['accuracy']['recall']) for c in d['results'] if c['params'].get('rearm_misses') != 'any-page']")
	echo "# minor scan-throughput (hot %, precision, recall): $r"
	[ "$(json_q "$tmp/vmi/scan-throughput.json" "len(d['results'])>=3 and all(c['backend']=='minor' and c['mode']=='sync' and c['accuracy']['precision']==1 and c['accuracy']['recall']==1 for c in d['results'] if c['params'].get('rearm_misses') != 'any-page')")" = True ]
	ok $? "scan-throughput: minor on shmem, sync, exact at every hot fraction"
	"$ws" summary "$tmp/vmi" >"$tmp/vmisum" 2>&1
	grep -Eq '^minor +- +- +- +- +- +[0-9.]+ ' "$tmp/vmisum" &&
		grep -q '^(minor: its cells are shmem, sync mode: minor faults need a page cache' "$tmp/vmisum" &&
		grep -Eq '^minor +churn +sync ' "$tmp/vmisum"
	ok $? "summary: minor's row has its interval on shmem, sync, says so under the table, and its cycle row"
fi

# --- knobs are restored ---------------------------------------------------
thp=/sys/kernel/mm/transparent_hugepage/enabled
thp_mode() { sed 's/.*\[\(.*\)\].*/\1/' "$thp"; }
if [ -w "$thp" ]; then
	before=$(thp_mode)
	other=never; [ "$before" = never ] && other=always
	"$ws" run correctness --thp "$other" --backend wp --backing anon --pages 10 \
		--quiet --out "$tmp/k1" >/dev/null 2>&1
	[ "$(thp_mode)" = "$before" ]
	ok $? "THP mode restored to '$before' after a normal run that set '$other'"
	rc=0
	"$ws" run correctness --thp "$other" --thp "$other" --thp "$other" \
		--thp "$other" --thp "$other" --numa-balancing 0 --numa-balancing 0 \
		--backend wp --backing anon --pages 10 --quiet --out "$tmp/k5" \
		>/dev/null 2>"$tmp/k5.err" || rc=$?
	[ "$rc" = 2 ] && [ "$(thp_mode)" = "$before" ] && [ ! -e "$tmp/k5" ] &&
		grep -q -- "--thp given twice" "$tmp/k5.err"
	ok $? "repeated knob options: refused (exit $rc), THP untouched, no directory"

	# kill_mid_run SIG DIR: start a long run that sets THP to $other,
	# wait until it has, kill it with SIG; sets changed, now and rc.
	kill_mid_run() {
		# shellcheck disable=SC2086
		"$ws" $long_run --thp "$other" --out "$2" >/dev/null 2>&1 &
		pid=$!
		i=0
		while [ "$(thp_mode)" != "$other" ] && [ $i -lt 100 ]; do
			sleep 0.1; i=$((i + 1))
		done
		changed=$(thp_mode)
		kill -"$1" "$pid"
		rc=0; wait "$pid" || rc=$?
		now=$(thp_mode)
		echo "# during run: $changed, after SIG$1: $now, exit $rc"
	}
	kill_mid_run TERM "$tmp/k2"
	[ "$changed" = "$other" ] && [ "$now" = "$before" ] && [ "$rc" = 143 ]
	ok $? "THP mode restored after SIGTERM mid-run (exit 143 = killed by TERM)"
	[ ! -e "$tmp/k2/fault-latency.json" ]
	ok $? "a run killed mid-way leaves no half-written result"
	kill_mid_run SEGV "$tmp/k3"
	[ "$changed" = "$other" ] && [ "$now" = "$before" ] && [ "$rc" = 139 ]
	ok $? "THP mode restored after a crash (SIGSEGV) mid-run (exit 139)"

	# Bad input must not touch the system at all, not even briefly:
	# watch the syscalls for an open of a knob for writing.
	if command -v strace >/dev/null 2>&1; then
		rc=0
		strace -f -e trace=openat -o "$tmp/k4.strace" "$ws" run protect-cost \
			--thp "$other" --hugepages 3 --size 12Q --out "$tmp/k4" 2>/dev/null || rc=$?
		[ "$rc" = 2 ] && ! grep -E 'transparent_hugepage/enabled|nr_hugepages' "$tmp/k4.strace" | grep -q O_WRONLY
		ok $? "knob options with bad input exit 2 without opening any knob for writing"
	else
		n=$((n + 1)); echo "ok $n - # SKIP strace not installed"
	fi
else
	n=$((n + 1)); echo "ok $n - # SKIP THP knob not writable here"
	n=$((n + 1)); echo "ok $n - # SKIP THP knob not writable here"
	n=$((n + 1)); echo "ok $n - # SKIP THP knob not writable here"
fi

hp=/proc/sys/vm/nr_hugepages
if [ ! -w "$hp" ]; then
	for d in "hugetlb run" "nr_hugepages restored" "hugetlb measured"; do
		n=$((n + 1)); echo "ok $n - # SKIP $d: $hp not writable"
	done
else
	before=$(cat "$hp")
	rc=0
	"$ws" run correctness --hugepages 8 --backing hugetlb --pages 4 --quiet \
		--out "$tmp/hp" >/dev/null 2>"$tmp/hp.err" || rc=$?
	ok "$rc" "hugetlb backing runs with --hugepages 8"
	[ "$(cat "$hp")" = "$before" ]; ok $? "nr_hugepages restored to $before"
	r=$(json_q "$tmp/hp/correctness.json" "sum(1 for c in d['results'] if c['backing']=='hugetlb')")
	[ "$r" -gt 0 ]; ok $? "hugetlb cases were measured once pages were reserved"
fi

# --- DAMON: our kdamond leaves the sysfs tree as found --------------------
if command -v strace >/dev/null 2>&1; then
	rc=0
	strace -f -e trace=openat -o "$tmp/d1.strace" "$ws" run correctness \
		--backend damon --damon sample=1s --out "$tmp/d1" >/dev/null 2>&1 || rc=$?
	[ "$rc" = 2 ] && ! grep -q '/sys/kernel/mm/damon' "$tmp/d1.strace"
	ok $? "bad --damon exits 2 before opening anything under /sys/kernel/mm/damon"
else
	n=$((n + 1)); echo "ok $n - # SKIP strace not installed"
fi

# A kdamond's state reads EBUSY while a tried_regions update waits.
rd() {
	i=0
	until cat "$1" 2>/dev/null || [ $i -ge 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
}
# nr_kdamonds, then every kdamond's state and nr_contexts.
damon_tree() {
	d=/sys/kernel/mm/damon/admin/kdamonds
	s="nr_kdamonds=$(rd "$d/nr_kdamonds")"
	for k in "$d"/[0-9]*; do
		[ -d "$k" ] && s="$s $(basename "$k"):$(rd "$k/state"):$(rd "$k/contexts/nr_contexts")"
	done
	echo "$s"
}
damon_long="run scan-throughput --backend damon --backing anon --size 1M --hot 50 --layout contiguous --min-reps 100000 --max-reps 100000 --min-time 600 --quiet"
if [ "$(json_q "$tmp/probe.json" "d['backends']['damon']['supported']")" = True ]; then
	before=$(damon_tree)
	rc=0
	"$ws" run correctness --backend damon --backing anon --pages 50 --quiet \
		--out "$tmp/d2" >/dev/null 2>"$tmp/d2.err" || rc=$?
	after=$(damon_tree)
	echo "# damon sysfs before: $before; after: $after"
	[ "$rc" = 0 ] && [ "$after" = "$before" ]
	ok $? "damon: nr_kdamonds and every kdamond's state as found after a run (exit $rc)"
	# shellcheck disable=SC2086
	"$ws" $damon_long --out "$tmp/d3" >/dev/null 2>&1 &
	pid=$!
	nr0=$(rd /sys/kernel/mm/damon/admin/kdamonds/nr_kdamonds)
	i=0
	while [ "$(rd /sys/kernel/mm/damon/admin/kdamonds/nr_kdamonds)" = "$nr0" ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	sleep 1		# let it reach "on"
	during=$(damon_tree)
	kill -TERM "$pid"
	rc=0; wait "$pid" || rc=$?
	after=$(damon_tree)
	echo "# damon during: $during; after SIGTERM: $after"
	[ "$during" != "$before" ] && [ "$after" = "$before" ] && [ "$rc" = 143 ]
	ok $? "damon: sysfs tree restored after SIGTERM mid-run (exit $rc)"
else
	for d in "tree restored after a run" "tree restored after SIGTERM"; do
		n=$((n + 1)); echo "ok $n - # SKIP damon $d: unsupported here ($dreason)"
	done
fi

# --- numa-interplay (issue 11): a one-node machine skips with the reason --
usage_error "--numa-scan unknown key" "--numa-scan: 'speed=3' is not KEY=VALUE with a key among delay, period-min, period-max, size" run numa-interplay --numa-scan speed=3
usage_error "--numa-scan period-min > period-max" "--numa-scan: period-min=500 is larger than period-max=200" run numa-interplay --numa-scan period-min=500,period-max=200
usage_error "numa-interplay with --numa-balancing 0" "--numa-balancing 0: this benchmark runs with NUMA balancing on" run numa-interplay --numa-balancing 0
usage_error "--numa-scan on a benchmark that does not read it" "--numa-scan" run correctness --numa-scan delay=5
node_dir=/sys/devices/system/node
nodes=$(ls -d "$node_dir"/node[0-9]* 2>/dev/null | wc -l)
nb_before=$(cat /proc/sys/kernel/numa_balancing 2>/dev/null)
rc=0
"$ws" run numa-interplay --size 4M --intervals 2 --quiet --out "$tmp/ni" \
	--run-id it >/dev/null 2>"$tmp/ni.err" || rc=$?
f=$tmp/ni/numa-interplay.json
ok "$rc" "run numa-interplay exits 0 ($(head -c 200 "$tmp/ni.err"))"
"$py" tests/validate_results.py "$f" >/dev/null 2>&1
ok $? "numa-interplay.json matches results/schema.json"
if [ "$nodes" = 1 ]; then
	# The probe's reason, rebuilt here from sysfs.
	want="1 NUMA node (node0: CPUs $(cat "$node_dir/node0/cpulist") ($(nproc) usable), $(awk '/MemTotal/ { print int($4 / 1024) }' "$node_dir/node0/meminfo") MiB): numa-interplay needs two nodes with memory, one of them with a CPU this process may run on"
	[ "$("$py" -c "import json,sys; d=json.load(open(sys.argv[1])); print(not d['results'] and sorted(s['backend'] for s in d['skipped'] if s['reason'] == sys.argv[2]) == sorted(['rwp','minor-anon','wp','idle','softdirty','damon']))" "$f" "$want")" = True ]
	ok $? "one NUMA node: every backend skipped with the probe's exact reason ($want)"
else
	[ "$(json_q "$f" "len(d['results'])")" -gt 0 ]
	ok $? "$nodes NUMA nodes: numa-interplay measured something"
fi
[ "$(cat /proc/sys/kernel/numa_balancing 2>/dev/null)" = "$nb_before" ]
ok $? "kernel.numa_balancing as found ($nb_before)"

# --- restore (issue 20): tests/integration/restore.sh ------------------
. tests/integration/restore.sh

echo "1..$n"
[ "$fails" = 0 ]
