#!/bin/sh
# Tests of the result readers: wsbench compare, report (--cover-letter)
# and verify, on tiny real runs of the wp backend on this host and on
# doctored copies of them.  TAP output.
set -u	# keep going after a failed check: every check reports

cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
tap_tmp

# every_file DIR PYTHON: doctor each benchmark file of DIR alike.
every_file() {
	for f in "$1"/*.json; do
		case "$(basename "$f")" in probe.json|manifest.json) continue ;; esac
		doctor "$1" "$(basename "$f")" "$2"
	done
}

# json_q FILE EXPR: print a Python expression over the JSON d.
json_q() {
	"$py" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

# Scale METRIC of the wp cases by SCALE (samples and what is derived from
# them, so that the copy is a consistent result): fault_write_ns in
# fault-latency (SCALE_WRITE), ns_per_page in protect-cost (SCALE_ARM).
SCALE_METRIC='
k = SCALE
for c in d["results"]:
    if c["backend"] == "wp" and METRIC in c.get("metrics", {}):
        s = c["metrics"][METRIC]
        s["samples"] = [x * k for x in s["samples"]]
        s["rep_medians"] = [x * k for x in s["rep_medians"]]
        m = s["summary"]
        m["median"] *= k
        if m.get("ci95_median"):
            m["ci95_median"] = [x * k for x in m["ci95_median"]]
        for key in ("lo", "hi", "center"):
            m["ci_median"][key] *= k
'
SCALE_WRITE="METRIC = 'fault_write_ns'
$SCALE_METRIC"
SCALE_ARM="METRIC = 'ns_per_page'
$SCALE_METRIC"

"$ws" probe | grep -q '^wp  *supported' || skip_all "uffd-wp (the wp backend) is not supported here"

# --- tiny runs of the wp backend --------------------------------------------
# A: fault-latency as 6 invocations (separate processes, merged), what
# compare tests over; L: correctness, one invocation, for the exact values;
# P: protect-cost as 6 invocations, for the claims (wp arm over mprotect).
A=$tmp/A
L=$tmp/L
P=$tmp/P
tiny="--backend wp --backing anon --mode async --pages 256"
reps="--min-reps 6 --max-reps 6 --min-time 0 --warmup 1"
mkdir -p "$A" "$L" "$P"
"$ws" probe --json "$A/probe.json" >/dev/null
# shellcheck disable=SC2086
"$ws" run fault-latency $tiny $reps --invocations 6 --out "$A" --run-id A \
	--quiet 2>/dev/null &&
	"$ws" run correctness --backend wp --backing anon,shmem --out "$L" \
		--run-id L --quiet 2>/dev/null &&
	"$ws" run protect-cost --backend wp --backing anon --size 2M --threads 0 \
		$reps --invocations 6 --out "$P" --run-id P --quiet 2>/dev/null
ok $? "setup: tiny fault-latency and protect-cost (6 invocations) and correctness runs of wp"

CLAIM='protect-cost: wp async anon ns_per_page / mprotect ns_per_page'
[ "$(json_q "$A/fault-latency.json" "(d['invocations'], d['params']['invocations'], {c['metrics'][m]['summary']['ci_unit'] for c in d['results'] for m in c['metrics']}, {len(c['metrics'][m]['inv_reps']) for c in d['results'] for m in c['metrics']})")" = "(6, 6, {'invocation'}, {6})" ]
ok $? "--invocations 6: one merged result, every series with 6 inv_reps and its CI over invocations"
[ -z "$(ls -A "$A" | grep invocations)" ]
ok $? "--invocations: the scratch directories of the invocations are gone"

copy() {	# copy NAME: a copy of run A to doctor
	rm -rf "${tmp:?}/$1"
	cp -r "$A" "$tmp/$1"
}

# relist DIR: a manifest.json listing every benchmark file of DIR, as
# wsbench run writes it (for directories assembled by hand).
relist() {
	"$py" - "$1" <<'EOF'
import glob, json, os, sys
files = {}
run_id = None
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    name = os.path.basename(f)
    if name in ("probe.json", "manifest.json"):
        continue
    d = json.load(open(f))
    files[name] = {"benchmark": d["benchmark"]}
    run_id = run_id or d["run_id"]
json.dump({"kind": "manifest", "schema_version": 3, "run_id": run_id,
           "files": files, "pending": []},
          open(os.path.join(sys.argv[1], "manifest.json"), "w"))
EOF
}

two_files() {	# two_files NAME: run A plus L's correctness, as one run
	copy "$1"
	cp "$L/correctness.json" "$tmp/$1/"
	doctor "$tmp/$1" correctness.json "d['run_id'] = 'A'"
	relist "$tmp/$1"
}

# --- compare -------------------------------------------------------------
"$ws" compare "$A" "$A" >"$tmp/aa.txt" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] && ! grep -qE ' (better|worse)$' "$tmp/aa.txt" &&
	grep -q 'fault_write_ns' "$tmp/aa.txt"
ok $? "compare A A: exit 0, fault_write_ns compared, no marker anywhere"

"$ws" compare --json "$A" "$A" >"$tmp/aa.json"
[ "$(json_q "$tmp/aa.json" "[r['metric'] for r in d['rows'] if r['marker']]")" = "[]" ] &&
	[ "$(json_q "$tmp/aa.json" "all(r['ci95'][0] <= 1 <= r['ci95'][1] for r in d['rows'] if not r['exact'])")" = True ] &&
	[ "$(json_q "$tmp/aa.json" "[r['ci95'][0] < 1 < r['ci95'][1] for r in d['rows'] if r['metric'] == 'fault_write_ns']")" = "[True]" ]
ok $? "compare --json A A: no marker, every CI holds 1, fault_write_ns's is a real interval"

copy slow
doctor "$tmp/slow" fault-latency.json "SCALE = 1.5
$SCALE_WRITE"
"$ws" compare --json "$A" "$tmp/slow" >"$tmp/slow.json"
marked=$(json_q "$tmp/slow.json" "[(r['metric'], r['case'].split()[0], r['marker']) for r in d['rows'] if r['marker']]")
[ "$marked" = "[('fault_write_ns', 'wp', 'worse')]" ]
ok $? "fault_write_ns x1.5 over 6 invocations: a marker on exactly that metric, 'worse' (got $marked)"
[ "$(json_q "$tmp/slow.json" "[(r['test'], r['p_adj'] <= 0.05) for r in d['rows'] if r['marker']]")" = "[('yuen-log', True)]" ] &&
	[ "$(json_q "$tmp/slow.json" "d['method']['rows_tested'] == sum(1 for r in d['rows'] if r['test'] == 'yuen-log') > 1")" = True ]
ok $? "the marked row was tested (Welch over invocations) with a BH-adjusted p <= 0.05 over every tested row"

m60=$("$ws" compare --json --threshold 60 "$A" "$tmp/slow" | "$py" -c "import json,sys; d=json.load(sys.stdin); print([(r['metric'], r['why_unmarked']) for r in d['rows'] if r['metric'] == 'fault_write_ns'])")
[ "$m60" = "[('fault_write_ns', 'within the threshold')]" ]
ok $? "the same x1.5 with --threshold 60: unmarked, within the threshold ($m60)"

# One invocation a side: a CI over repetitions, never a marker.
O=$tmp/O
# shellcheck disable=SC2086
"$ws" run fault-latency $tiny $reps --out "$O" --run-id O --quiet 2>/dev/null
copy_o() { rm -rf "$tmp/$1"; cp -r "$O" "$tmp/$1"; }
copy_o oslow
doctor "$tmp/oslow" fault-latency.json "SCALE = 1.5
$SCALE_WRITE"
"$ws" compare "$O" "$tmp/oslow" >"$tmp/o.txt"
[ "$(grep -cE ' (better|worse)$' "$tmp/o.txt")" = 0 ] &&
	grep -qE '^  fault_write_ns .* untested$' "$tmp/o.txt" &&
	tr '\n' ' ' <"$tmp/o.txt" | grep -q 'Rows marked .untested. come from runs of one invocation'
ok $? "one invocation a side: x1.5 shown with its ratio, 'untested', no marker, the footer says why"
"$ws" compare "$A" "$tmp/slow" >"$tmp/slow.txt"
[ "$(grep -cE ' (better|worse)$' "$tmp/slow.txt")" = 1 ] &&
	grep -E ' worse$' "$tmp/slow.txt" | grep -q '^  fault_write_ns '
ok $? "the text table marks the same single row"
awk 'length($0) > 100 || / $/ { bad = 1; print "# " length($0) ": " $0 } END { exit bad }' "$tmp/slow.txt"
ok $? "compare text: no line over 100 columns, no trailing blanks"

copy fast
doctor "$tmp/fast" fault-latency.json "SCALE = 1 / 1.5
$SCALE_WRITE"
marked=$("$ws" compare --json "$A" "$tmp/fast" | "$py" -c "import json,sys; d=json.load(sys.stdin); print([(r['metric'], r['marker']) for r in d['rows'] if r['marker']])")
[ "$marked" = "[('fault_write_ns', 'better')]" ]
ok $? "fault_write_ns /1.5: marked 'better' (lower is better for times)"

# Exact values: a change is marked, except between two rates of a case
# whose re-arm the harness declares lossy (rearm_lossless: false).
rm -rf "$tmp/lossy"
cp -r "$L" "$tmp/lossy"
doctor "$tmp/lossy" correctness.json "
c = [c for c in d['results'] if 'rearm_lossless' not in c and c.get('accuracy', {}).get('recall') == 1][0]
c['accuracy']['recall'] = 0.5
for c in d['results']:
    if c.get('rearm_lossless') is False:
        c['accuracy']['recall'] = 0.25 if c['accuracy']['recall'] > 0.5 else 0.75"
"$ws" compare --json "$L" "$tmp/lossy" >"$tmp/lossy.json"
marked=$(json_q "$tmp/lossy.json" "[(r['metric'], r['marker']) for r in d['rows'] if r['marker']]")
varies=$(json_q "$tmp/lossy.json" "len([r for r in d['rows'] if r['ci_unit'] == 'varies' and r['median_a'] != r['median_b'] and not r['marker']])")
[ "$marked" = "[('accuracy.recall', 'worse')]" ] && [ "$varies" -gt 0 ]
ok $? "recall 1 -> 0.5 marked 'worse'; $varies changed rates of lossy re-arm cases shown unmarked"

copy tcg
every_file "$tmp/tcg" "d['accel'] = 'tcg'"
rc=0
"$ws" compare "$A" "$tmp/tcg" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'accel differs (kvm vs tcg)\|accel differs (bare-metal vs tcg)\|accel differs (.* vs tcg)' "$tmp/err" &&
	[ ! -s "$tmp/out" ]
ok $? "compare across accel: refused, exit 2, the reason on stderr, nothing on stdout"
"$ws" compare --force "$A" "$tmp/tcg" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] && grep -q '^FORCED (--force): accel differs' "$tmp/out"
ok $? "compare --force: compares, and the header says what was forced"

# refused NAME EDIT REASON WHAT: A against a copy with EDIT in every file:
# compare refuses it (exit 2) naming REASON.
refused() {
	copy "$1"
	every_file "$tmp/$1" "$2"
	rc=0
	"$ws" compare "$A" "$tmp/$1" >/dev/null 2>"$tmp/err" || rc=$?
	[ "$rc" = 2 ] && grep -q "$3" "$tmp/err"
	ok $? "compare across $4: refused with the reason"
}
refused cpu "d['environment']['cpu']['model'] = 'Other CPU 9000'" \
	'CPU model differs' "CPU models"
refused pgsz "d['environment']['mm']['page_size'] = 65536" \
	'page size differs' "page sizes"

copy kern
every_file "$tmp/kern" "d['environment']['kernel']['release'] = '7.3.4+'; d['environment']['kernel']['config']['sha256'] = 'f00'"
"$ws" compare "$A" "$tmp/kern" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] && grep -q '^  kernel.release  .* 7.3.4+$' "$tmp/out" &&
	grep -q '^  kernel.config.sha256 ' "$tmp/out"
ok $? "kernel release and config differences: listed in the header, not refused"

# --pair: the same mechanism under another name in B (as rwp on 7.3 and
# minor-anon on rfc-v1) pairs only when asked, and the header says so.
copy renamed
every_file "$tmp/renamed" "[c.update(backend='wp-rfc') for c in d['results'] if c['backend'] == 'wp']"
rows_of() {	# rows_of JSON: "paired-rows unpaired-count"
	json_q "$1" "str(sum(1 for r in d['rows'] if 'backend=wp' in r['case'] or r['case'].startswith('wp'))) + ' ' + str(len(d['unpaired']))"
}
"$ws" compare --json "$A" "$tmp/renamed" >"$tmp/unp.json" &&
	"$ws" compare --json --pair wp=wp-rfc "$A" "$tmp/renamed" >"$tmp/pair.json" &&
	"$ws" compare --pair wp=wp-rfc "$A" "$tmp/renamed" >"$tmp/pair.txt"
rc=$?
unp=$(json_q "$tmp/unp.json" "len(d['unpaired'])")
pr=$(json_q "$tmp/pair.json" "(len(d['unpaired']), len(d['rows']), d['pairs'])")
echo "# renamed backend: unpaired without --pair $unp; with --pair (unpaired, rows, pairs) $pr"
[ "$rc" = 0 ] && [ "$unp" -gt 0 ] 2>/dev/null &&
	[ "$(json_q "$tmp/pair.json" "len(d['unpaired']) == 0 and len(d['rows']) > 0")" = True ] &&
	grep -q '^PAIRED (--pair): backend wp of A with wp-rfc of B' "$tmp/pair.txt"
ok $? "compare --pair wp=wp-rfc: the renamed backend pairs (unpaired without it), header says PAIRED"
rc=0
"$ws" compare --pair wp "$A" "$A" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && [ ! -s "$tmp/out" ] && grep -q -- "--pair 'wp': expected BACKEND_A=BACKEND_B" "$tmp/err"
ok $? "compare --pair without '=': exit 2 naming the option and the form"

two_files knob
# (a value no kernel has: other tests on this machine turn THP for real)
doctor "$tmp/knob" fault-latency.json "d['environment']['mm']['thp_enabled'] = 'doctored'"
"$ws" compare "$A" "$tmp/knob" >"$tmp/out" &&
	grep -q '^  WARNING: changed during the run: mm.thp_enabled .* -> doctored (fault-latency.json)$' "$tmp/out" &&
	"$ws" report --cover-letter "$tmp/knob" | tr '\n' ' ' |
	grep -q 'WARNING: the environment changed during the run: .*mm.thp_enabled'
ok $? "a knob that changed between the files of one run: a warning in compare and the cover letter"

copy fewer
doctor "$tmp/fewer" fault-latency.json "d['results'] = [c for c in d['results'] if c['backend'] != 'baseline']"
"$ws" compare --json "$A" "$A" >"$tmp/head.json"
"$ws" compare --json --all "$A" "$A" >"$tmp/all.json"
nh=$(json_q "$tmp/head.json" "len(d['rows'])")
na=$(json_q "$tmp/all.json" "len(d['rows'])")
[ "$na" -gt "$nh" ] 2>/dev/null
ok $? "compare shows headline metrics ($nh rows); --all every series ($na rows)"
"$ws" compare "$A" "$tmp/fewer" >"$tmp/out"
grep -q '^  only in A: fault-latency  baseline anon none' "$tmp/out"
ok $? "a case only in A is listed as unpaired, not dropped"

# Bad input: exit 2, the file and the problem named, nothing written.
bad_input() {	# bad_input DESC EXPECTED-TEXT DIR
	rc=0
	before=$(ls -R "$3" 2>/dev/null | md5sum)
	"$ws" compare "$A" "$3" >"$tmp/out" 2>"$tmp/err" || rc=$?
	after=$(ls -R "$3" 2>/dev/null | md5sum)
	[ "$rc" = 2 ] && grep -q -- "$2" "$tmp/err" && [ ! -s "$tmp/out" ] &&
		[ "$before" = "$after" ]
	ok $? "compare, $1: exit 2 naming '$2', nothing written"
}
bad_input "missing directory" "$tmp/nope: No such file or directory" "$tmp/nope"
mkdir -p "$tmp/empty"
bad_input "not a result directory" "$tmp/empty: no <benchmark>.json" "$tmp/empty"
copy v1
doctor "$tmp/v1" fault-latency.json "d['schema_version'] = 1"
bad_input "another schema_version" "$tmp/v1/fault-latency.json: schema_version 1" "$tmp/v1"
copy trunc
head -c 2000 "$A/fault-latency.json" >"$tmp/trunc/fault-latency.json"
bad_input "truncated JSON" "$tmp/trunc/fault-latency.json: not valid JSON" "$tmp/trunc"
two_files mixed
doctor "$tmp/mixed" fault-latency.json "d['run_id'] = 'other-run'"
bad_input "files of two runs mixed" "$tmp/mixed/fault-latency.json: run_id 'other-run' differs" "$tmp/mixed"
copy reps
doctor "$tmp/reps" fault-latency.json "d['results'][0]['metrics']['present_ns']['rep_sizes'][0] += 1"
bad_pair() {	# bad_pair DESC ARGS...
	desc=$1
	shift
	rc=0
	"$ws" compare "$@" "$A" "$A" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" = 2 ] && [ ! -s "$tmp/out" ] && [ -s "$tmp/err" ]
	ok $? "compare $desc: exit 2 with a message ($(head -c 80 "$tmp/err"))"
}
bad_pair "--threshold -1" --threshold -1
bad_pair "--threshold abc" --threshold abc
bad_pair "--fdr 0" --fdr 0
bad_input "repetitions not adding up" "rep_sizes do not add up" "$tmp/reps"

make -s compare A="$A" B="$tmp/slow" >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] && grep -qE '^  fault_write_ns .* worse$' "$tmp/out"
ok $? "make compare A= B= prints the same table"

# --- report --------------------------------------------------------------
"$ws" report --cover-letter "$P" >"$tmp/cl.txt" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] && grep -qE '^Linux .*, accel [a-z-]+$' "$tmp/cl.txt" &&
	grep -q '^kernel config sha256' "$tmp/cl.txt" && grep -q '^harness ' "$tmp/cl.txt" &&
	grep -qx "  $CLAIM" "$tmp/cl.txt" &&
	grep -qE '^    [0-9.e+-]+ \[[0-9.e+-]+, [0-9.e+-]+\] 95%, n 6x6, CV [0-9.]+%$' "$tmp/cl.txt"
ok $? "cover letter: provenance lines, the claim wp arm / mprotect with its 95 % interval over 6 invocations, n 6x6 and the CV"
"$ws" report --cover-letter "$A" >"$tmp/cl-a.txt" 2>"$tmp/err" &&
	! grep -q 'first_touch' "$tmp/cl-a.txt" && grep -q '^Claims: none' "$tmp/cl-a.txt"
ok $? "cover letter: no claim against a first touch (it drifts with the machine's memory state)"
[ $? = 0 ] || sed 's/^/# /' "$tmp/cl.txt" | head -30
awk 'length($0) > 72 { bad = 1; print "# " length($0) ": " $0 } END { exit bad }' "$tmp/cl.txt"
ok $? "cover letter: every line at most 72 columns"

# A 60-character run id and a long path: wrapped, never cut, <= 72 columns.
long=$tmp/results-of-a-reviewer-with-a-rather-long-directory-name/and-a-deep-path
longid=a-sixty-character-run-id-for-the-cover-letter-width-test-xyz
mkdir -p "$long"
cp -r "$P" "$long/$longid"
every_file "$long/$longid" "d['run_id'] = '$longid'"
"$ws" report --cover-letter "$long/$longid" >"$tmp/cl-long.txt" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] && awk 'length($0) > 72 { bad = 1; print "# " length($0) ": " $0 } END { exit bad }' "$tmp/cl-long.txt" &&
	grep -q "$longid" "$tmp/cl-long.txt" &&
	sed -n '/^Check /,$p' "$tmp/cl-long.txt" | sed '1d' >"$tmp/check.sh" &&
	printf '#!/bin/sh\necho "$@" >"$STUB_OUT.args"\n' >"$tmp/bin-make" &&
	mkdir -p "$tmp/bin2" && mv "$tmp/bin-make" "$tmp/bin2/make" && chmod +x "$tmp/bin2/make" &&
	STUB_OUT=$tmp/stubcheck PATH="$tmp/bin2:$PATH" sh -eu "$tmp/check.sh" &&
	grep -qx "verify RESULT=$long/$longid" "$tmp/stubcheck.args"
ok $? "cover letter with a 60-character run id and a long path: whole, every line <= 72 columns"

# Min-max intervals say what they cover: 3 invocations are not "95 %".
M=$tmp/M
# shellcheck disable=SC2086
"$ws" run protect-cost --backend wp --backing anon --size 2M --threads 0 $reps \
	--invocations 3 --out "$M" --run-id M --quiet 2>/dev/null
"$ws" report --cover-letter "$M" >"$tmp/cl3.txt" 2>&1
grep -qE '^    [0-9.e+-]+ \[[0-9.e+-]+, [0-9.e+-]+\] min-max of 3 \(covers 75%\), n 3x6' "$tmp/cl3.txt" &&
	! grep -q ' 95%' "$tmp/cl3.txt" &&
	[ "$(json_q "$M/protect-cost.json" "{(c['metrics'][m]['summary']['ci95_median'], c['metrics'][m]['summary']['ci_median']['method'], c['metrics'][m]['summary']['ci_level']) for c in d['results'] for m in c['metrics']}")" = "{(None, 'min-max', 0.75)}" ]
ok $? "3 invocations: 'min-max of 3 (covers 75%)' in the cover letter, ci95_median null and ci_level 0.75 in the JSON"

# The reproduce command, run with stand-ins for make and git, must reach
# make with options that wsbench accepts and that give the same params.
sed -n '/^Reproduce:$/,/^Check /p' "$tmp/cl-a.txt" | sed '1d;$d' >"$tmp/repro.sh"
mkdir -p "$tmp/bin"
cat >"$tmp/bin/make" <<'EOF'
#!/bin/sh
env | grep '^SUITE_' >"$STUB_OUT.env"
echo "$@" >"$STUB_OUT.args"
EOF
printf '#!/bin/sh\necho "$@" >"$STUB_OUT.git"\n' >"$tmp/bin/git"
chmod +x "$tmp/bin/make" "$tmp/bin/git"
STUB_OUT=$tmp/stub PATH="$tmp/bin:$PATH" sh -eu "$tmp/repro.sh"
rc=$?
[ "$rc" = 0 ] && grep -qx 'bench TARGET=host BENCH_PROFILE=default RUNS=6' "$tmp/stub.args" &&
	grep -qx "checkout $(json_q "$A/fault-latency.json" "d['environment']['harness']['git_commit'].split('-')[0]")" "$tmp/stub.git" &&
	grep -qx 'SUITE_BENCHMARKS=fault-latency' "$tmp/stub.env" &&
	grep -q '^SUITE_ARGS_fault_latency=.*--tune off' "$tmp/stub.env" &&
	! grep -q -- '--invocations' "$tmp/stub.env"
ok $? "reproduce command runs in sh: git checkout <commit>, make bench TARGET=host RUNS=6, the benchmarks, --tune off (the suite's is on)"
r=0
for b in fault-latency; do
	var=SUITE_ARGS_$(echo "$b" | tr - _)
	args="$(sed -n "s/^$var=//p" "$tmp/stub.env") --invocations 6"
	# shellcheck disable=SC2086
	"$ws" run "$b" --profile default $args --help >/dev/null 2>"$tmp/err" ||
		{ echo "# $b rejects its options: $args"; r=1; }
	# shellcheck disable=SC2086
	"$ws" run "$b" --profile default $args --out "$tmp/R" --run-id R --quiet 2>/dev/null
	same=$(json_q "$A/$b.json" "{k: v for k, v in d['params'].items() if k not in ('run_id', 'out_dir')} == {k: v for k, v in json.load(open('$tmp/R/$b.json'))['params'].items() if k not in ('run_id', 'out_dir')}")
	[ "$same" = True ] || { echo "# $b: params differ with: $args"; r=1; }
done
ok "$r" "SUITE_ARGS of the command parse, and reproduce the recorded params exactly"

two_files rep
"$ws" report "$tmp/rep" >"$tmp/rep.md" 2>"$tmp/err"
rc=$?
r=0
for s in '# wsbench run A' '## Environment' '## Provenance' '## Summary' \
	'## Every case' '## Figures' '## Skips, warnings and errors' '## Reproduce'; do
	grep -qx "$s" "$tmp/rep.md" || { echo "# missing: $s"; r=1; }
done
grep -q '^| harness | ' "$tmp/rep.md" && grep -q '^| kernel config sha256 | ' "$tmp/rep.md" ||
	{ echo "# no harness commit or config hash"; r=1; }
grep -q '^wp  ' "$tmp/rep.md" || { echo "# no summary table"; r=1; }
reason=$(json_q "$L/correctness.json" "[s['reason'] for s in d['skipped']][0]")
grep -qF "$reason" "$tmp/rep.md" || { echo "# skip reason missing: $reason"; r=1; }
[ "$rc" = 0 ] && [ "$r" = 0 ]
ok $? "report: environment, provenance, summary, every case, figures, skips with reasons, reproduce"

rc=0
"$ws" report "$tmp/trunc" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'fault-latency.json: not valid JSON' "$tmp/err" && [ ! -s "$tmp/out" ]
ok $? "report of a truncated result: exit 2 naming the file, no output"

# A run from the TCG guest, made by make kernel with a patch: the cover
# letter says so, shows no timing, and reproduces with TARGET=vm PATCHES=.
rm -rf "$tmp/vm"
mkdir -p "$tmp/vm"
cp "$A/fault-latency.json" "$L/correctness.json" "$tmp/vm/"
every_file "$tmp/vm" "d['run_id'] = 'vm'"
every_file "$tmp/vm" "
d['accel'] = 'tcg'
e = d['environment']
e['virtualization'].update(accel='tcg', in_wsbench_vm='yes', timings_meaningful=False)
e['kernel']['release'] = '7.3.4+'
e['kernel']['build_key'] = '575e2753abb1a7db'
e['kernel']['build'] = {'key': '575e2753abb1a7db', 'config_base': 'tinyconfig',
    'source': {'kind': 'debian-package', 'package': 'linux-source-7.3', 'version': '7.3.4-1~bpo13+1'},
    'patches': [{'name': '0001-mm-uffd-a-patch-with-a-rather-long-name-for-wrapping.patch', 'sha256': 'ab' * 32}],
    'patches_hash': 'cd' * 32}"
relist "$tmp/vm"
"$ws" report --cover-letter "$tmp/vm" >"$tmp/vm.txt" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] && grep -q '^WARNING: accel=tcg' "$tmp/vm.txt" &&
	! grep -qE ' (ns|us|ms|Mpg/s) |^Claims' "$tmp/vm.txt" &&
	grep -qE '^  wp +precision 1.0000 recall 1.0000 \([0-9]+ cases\)$' "$tmp/vm.txt"
ok $? "TCG cover letter: a warning line, correctness only, no timing"
awk 'length($0) > 72 { bad = 1; print "# " length($0) ": " $0 } END { exit bad }' "$tmp/vm.txt"
ok $? "TCG cover letter: every line at most 72 columns"
sed -n '/^Reproduce:$/,/^Check /p' "$tmp/vm.txt" | sed '1d;$d' >"$tmp/repro-vm.sh"
STUB_OUT=$tmp/stubvm PATH="$tmp/bin:$PATH" sh -eu "$tmp/repro-vm.sh"
[ $? = 0 ] && grep -q '^bench TARGET=vm BENCH_PROFILE=default RUNS=[16] KERNEL_PKG=linux-source-7.3 KERNEL_VERSION=7.3.4-1~bpo13+1 PATCHES=./series$' "$tmp/stubvm.args" &&
	grep -q '0001-mm-uffd-a-patch-with-a-rather-long-name-for-wrapping.patch' "$tmp/vm.txt"
r=$?
[ "$r" = 0 ] || sed 's/^/# make /' "$tmp/stubvm.args"
ok "$r" "VM run: make bench TARGET=vm with the kernel source and PATCHES, the patches listed"

# --- verify --------------------------------------------------------------
# Exact results (precision, recall) must reproduce on the same machine.
# (Async only: sync with span re-arms loses pages at random, by design.)
C=$tmp/C
"$ws" run correctness --backend wp --backing anon,shmem --mode async \
	--out "$C" --run-id C --quiet 2>/dev/null
mkdir -p "$tmp/vtmp"
TMPDIR=$tmp/vtmp "$ws" verify "$C" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] && tr '\n' ' ' <"$tmp/out" | grep -qE '0 claims and [1-9][0-9]* exact values checked: [0-9]+ reproduce, 0 outside their margin, 0 exact values differ, +0 missing' &&
	[ -z "$(ls "$tmp/vtmp")" ]
ok $? "verify: a wp correctness run reproduces here (exit $rc), scratch removed"
grep -q '^\[verify 1/1\] wsbench run correctness --profile default .* --tune off --out ' "$tmp/err"
ok $? "verify re-runs with the recorded --tune (off: the run had none)"
[ "$rc" = 0 ] || sed 's/^/# /' "$tmp/err" | tail -n 5

make -s verify RESULT="$C" >"$tmp/out" 2>"$tmp/err"
ok $? "make verify RESULT= on that run exits 0"

rm -rf "$tmp/Cx"
cp -r "$C" "$tmp/Cx"
doctor "$tmp/Cx" correctness.json "
c = [c for c in d['results'] if c.get('accuracy', {}).get('exact')][0]
c['accuracy']['recall'] = 0.5"
rc=0
"$ws" verify "$tmp/Cx" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] && grep -q '^  accuracy.recall (differs)  correctness  wp ' "$tmp/out" &&
	grep -q ' 1 exact values differ' "$tmp/out"
ok $? "verify a doctored exact value: exit 1, accuracy.recall named as differing"

# The claim of run P (wp arm cost over mprotect's, 6 invocations)
# re-checked: it reproduces on a fresh run, and a copy whose wp
# ns_per_page was doctored x2 does not, naming the claim.
rc=0
"$ws" verify "$P" >"$tmp/out" 2>"$tmp/err" || rc=$?
grep -qx "$CLAIM" "$tmp/out"
ok $? "verify: the claim is listed by its id"
echo "# verify of P (exit $rc): $(grep -A1 -x "$CLAIM" "$tmp/out" | tail -n 1)"
doc=doctored-copy-of-a-result-directory-20261129T164235Z-quick
rm -rf "${tmp:?}/$doc"
cp -r "$P" "$tmp/$doc"
doctor "$tmp/$doc" protect-cost.json "SCALE = 2
$SCALE_ARM"
rc=0
"$ws" verify --keep "$tmp/kept-re-run-of-the-doctored-copy" "$tmp/$doc" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] && grep -q "^  claim $CLAIM: cited" "$tmp/out" &&
	grep -q 'DOES NOT REPRODUCE' "$tmp/out"
ok $? "verify a copy whose wp arm cost was doctored x2: exit 1, the claim named"
awk 'length($0) > 100 || / $/ { bad = 1; print "# " length($0) ": " $0 } END { exit bad }' "$tmp/out"
ok $? "verify text: no line over 100 columns, no trailing blanks"
[ -f "$tmp/kept-re-run-of-the-doctored-copy/protect-cost.json" ] &&
	[ "$(json_q "$tmp/kept-re-run-of-the-doctored-copy/protect-cost.json" "d['invocations']")" = 6 ]
ok $? "verify --keep DIR keeps the re-run, made with the recorded 6 invocations"
# --rerun: the same verdicts against the kept re-run, nothing run again.
rc=0
"$ws" verify --rerun "$tmp/kept-re-run-of-the-doctored-copy" "$tmp/$doc" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] && grep -q "^  claim $CLAIM: cited" "$tmp/out" &&
	! grep -q '^\[verify' "$tmp/err"
ok $? "verify --rerun DIR: the doctored claim fails against the kept re-run, nothing re-run"
rc=0
"$ws" verify --rerun "$tmp/kept-re-run-of-the-doctored-copy" "$P" >"$tmp/out" 2>"$tmp/err" || rc=$?
grep -qx "$CLAIM" "$tmp/out"
ok $? "verify --rerun DIR on the original: the claim is checked (exit $rc)"
# A claim whose invocations spread over a factor of 3 cannot fail for any
# plausible re-run: unchecked, never "reproduces".
wide=wide-claim
rm -rf "${tmp:?}/$wide"
cp -r "$P" "$tmp/$wide"
doctor "$tmp/$wide" protect-cost.json '
for c in d["results"]:
    if c["backend"] == "wp":
        s = c["metrics"]["ns_per_page"]
        sizes = s["rep_sizes"]
        per = [sum(sizes[:i]) for i in range(len(sizes) + 1)]
        reps_per_inv = s["inv_reps"]
        r = 0
        for i, k in enumerate(reps_per_inv):
            f = 3.0 if i % 2 else 1 / 3.0
            for j in range(per[r], per[r + k]):
                s["samples"][j] *= f
            for j in range(r, r + k):
                s["rep_medians"][j] *= f
            r += k
'
rc=0
"$ws" verify --rerun "$tmp/kept-re-run-of-the-doctored-copy" "$tmp/$wide" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'nothing could be checked: 1 claims have a band wider than x2' "$tmp/err"
ok $? "verify: a claim whose band is wider than x2 is unchecked, not reproduced: with nothing else, exit 2 saying so (exit $rc)"
rc=0
"$ws" verify --keep "$tmp/k2" --rerun "$tmp/kept-re-run-of-the-doctored-copy" "$P" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && [ ! -s "$tmp/out" ] && [ ! -e "$tmp/k2" ] && grep -q -- '--keep and --rerun' "$tmp/err"
ok $? "verify --keep with --rerun: exit 2 naming both, nothing written"

rm -rf "$tmp/empty-run"
cp -r "$L" "$tmp/empty-run"
doctor "$tmp/empty-run" correctness.json "d['results'] = []"
rc=0
TMPDIR=$tmp/vtmp "$ws" verify "$tmp/empty-run" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'nothing to check' "$tmp/err" && [ -z "$(ls "$tmp/vtmp")" ]
ok $? "verify a result with nothing in it: exit 2, 'nothing to check', nothing re-run"

rc=0
"$ws" verify "$tmp/tcg" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'accel differs (tcg vs ' "$tmp/err" && [ ! -s "$tmp/out" ]
ok $? "verify a run of another accel: refused with the reason, exit 2"
rc=0
TMPDIR=$tmp/vtmp "$ws" verify "$tmp/vm" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'made inside the wsbench VM' "$tmp/err" && [ -z "$(ls "$tmp/vtmp")" ]
ok $? "verify a wsbench VM run from the host: refused, nothing written"
for d in "$tmp/nope" "$tmp/v1" "$tmp/mixed"; do
	rc=0
	TMPDIR=$tmp/vtmp "$ws" verify "$d" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" = 2 ] && grep -q "$d" "$tmp/err" && [ -z "$(ls "$tmp/vtmp")" ]
	ok $? "verify bad input $(basename "$d"): exit 2 naming it, nothing written"
done
copy newkey
doctor "$tmp/newkey" fault-latency.json "d['params']['rearm'] = 'per-page'"
rc=0
"$ws" verify "$tmp/newkey" >/dev/null 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'params rearm are unknown to this wsbench' "$tmp/err"
ok $? "verify a run with a parameter this wsbench lacks: exit 2, the key named"

# --- a non-default vmm-cycle run replays exactly ----------------------------
V=$tmp/V
"$ws" run vmm-cycle --backend wp --size 4M --vcpus 1 --intervals 3 \
	--interval-ms 40 --cold-after 1 --pattern churn --thp never \
	--out "$V" --run-id V --quiet >/dev/null 2>&1
"$ws" report --cover-letter "$V" >"$tmp/vcl.txt" 2>"$tmp/err"
args=$(sed -n '/^Reproduce:$/,/^Check /p' "$tmp/vcl.txt" |
	tr -d '\\\n' | sed -n 's/.*SUITE_ARGS_vmm_cycle="\([^"]*\)".*/\1/p')
# shellcheck disable=SC2086
"$ws" run vmm-cycle --profile default $args --out "$tmp/V2" --run-id V2 \
	--quiet >/dev/null 2>&1
same=$(json_q "$V/vmm-cycle.json" "{k: v for k, v in d['params'].items() if k not in ('run_id', 'out_dir')} == {k: v for k, v in json.load(open('$tmp/V2/vmm-cycle.json'))['params'].items() if k not in ('run_id', 'out_dir')}" 2>/dev/null)
[ "$same" = True ] && echo "$args" | grep -q -- '--intervals 3' &&
	echo "$args" | grep -q -- '--cold-after 1' &&
	echo "$args" | grep -q -- '--thp never'
ok $? "vmm-cycle: pattern, intervals, cold-after and --thp recorded; the reproduce options give the same params (${args:-none})"

# --- collect: many runs side by side; cases: a run as LAVA test cases -------
# P2: P as if from another kernel; the TCG copy "vm" must get its own table.
rm -rf "$tmp/P2"
cp -r "$P" "$tmp/P2"
every_file "$tmp/P2" "d['run_id'] = 'P2'; d['environment']['kernel']['release'] = '7.3.0-other'"
relist "$tmp/P2"
"$ws" collect "$P" "$tmp/P2" "$tmp/vm" >"$tmp/coll.txt" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] && grep -q '^2 tables: runs of different accel or page size are never put in one table' "$tmp/coll.txt" &&
	grep -q '^== accel tcg, page size 4096 bytes: 1 run(s) ==$' "$tmp/coll.txt" &&
	grep -q "^  $CLAIM\$" "$tmp/coll.txt" &&
	grep -A1 "^  $CLAIM\$" "$tmp/coll.txt" | grep -qE '^ +c1 [0-9.]+ \[[0-9.]+, [0-9.]+\] [0-9]+%  c2 [0-9.]+ \[' &&
	grep -q 'Linux 7.3.0-other' "$tmp/coll.txt" &&
	grep -q '^accel tcg: timings are meaningless, no claim is shown.$' "$tmp/coll.txt"
ok $? "collect of two kernels and a TCG run: the claim in two columns, TCG in a table of its own without claims"
"$ws" collect --json "$P" "$tmp/P2" "$tmp/vm" >"$tmp/coll.json"
[ "$(json_q "$tmp/coll.json" "[(g['group'], len(g['runs']), len(g['claims'])) for g in d['groups']][1]")" = "('tcg/4096', 1, 0)" ] &&
	[ "$(json_q "$tmp/coll.json" "abs(d['groups'][0]['claims']['$CLAIM'][1]['ratio'] - d['groups'][0]['claims']['$CLAIM'][0]['ratio']) < 1e-12")" = True ]
ok $? "collect --json: groups by accel/page size, P2's claim equals P's (the same data)"
for bad in "" "$P $P" "$tmp/nothing" "--json --json $P" "--bogus $P"; do
	rc=0
	# shellcheck disable=SC2086
	"$ws" collect $bad >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" = 2 ] && [ -s "$tmp/err" ] && [ ! -s "$tmp/out" ]
	ok $? "collect bad input '${bad#"$tmp"/}': exit 2 with a reason, nothing on stdout"
done

# cases: every measurement is the JSON's own median (read here, not by wsbench).
"$ws" cases "$A" >"$tmp/cases.txt" && "$ws" cases --json "$A" >"$tmp/cases.json" &&
	"$ws" cases "$P" >>"$tmp/cases.txt" && "$ws" cases --json "$P" >"$tmp/casesP.json" &&
	"$ws" cases "$L" >>"$tmp/cases.txt"
ok $? "cases of a fault-latency, a protect-cost and a correctness run: exit 0"
"$py" - "$tmp/cases.txt" "$tmp/cases.json" "$tmp/casesP.json" >"$tmp/err" 2>&1 <<'EOF'
import json, re, sys
lines = {}
for ln in open(sys.argv[1]):
    f = ln.split()
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,100}", f[0]), f[0]
    assert f[1] in ("pass", "fail", "skip"), ln
    lines[f[0]] = f
checked = 0
for path in sys.argv[2:]:
    for c in json.load(open(path)):
        frm = c["from"]
        if "metric" not in frm:
            continue
        case = json.load(open(frm["file"]))["results"][frm["index"]]
        m = frm["metric"]
        if m in case.get("metrics", {}):
            want = case["metrics"][m]["summary"]["median"]
        else:
            want = case
            for k in m.split("."):
                want = want[k]
        got = float(lines[c["name"]][2])
        assert abs(got - want) <= 1e-9 * max(1, abs(want)), (c["name"], got, want)
        checked += 1
assert checked >= 5, checked
print(checked)
EOF
ok $? "cases: each measurement printed equals its case's median in the JSON ($(cat "$tmp/err") checked)"
grep -q '^exact4k.wp pass$' "$tmp/cases.txt" && ! grep -q '^correctness\.' "$tmp/cases.txt" &&
	grep -qE '^claim.protect-cost_wp_async_anon_ns_per_page_mprotect_ns_per_page pass [0-9.]+ ratio$' "$tmp/cases.txt"
ok $? "cases: wp exact at 4K passes (correctness only as that verdict); the arm-cost claim is a measurement"
rm -rf "$tmp/Lbad"
cp -r "$L" "$tmp/Lbad"
doctor "$tmp/Lbad" correctness.json "
c = next(c for c in d['results'] if c['backing'] == 'anon' and c.get('access') == 'write')
c['accuracy']['recall'] = 0.5"
"$ws" cases "$tmp/Lbad" | grep -q '^exact4k.wp fail$'
ok $? "cases: an exact case with recall 0.5 makes exact4k.wp fail"
rm -rf "$tmp/Vlost"
cp -r "$V" "$tmp/Vlost"
doctor "$tmp/Vlost" vmm-cycle.json "d['results'][0]['summary']['pages_lost'] = 3"
"$ws" cases "$V" | grep -qE '^lost.vmm-cycle.* pass 0 pages$' &&
	"$ws" cases "$tmp/Vlost" | grep -qE '^lost.vmm-cycle.* fail 3 pages$'
ok $? "cases: a vmm-cycle case that lost 3 pages fails, the intact one passes"
doctor "$tmp/Vlost" vmm-cycle.json "d['results'][0]['protocol'] = 'unsafe'"
"$ws" cases "$tmp/Vlost" | grep -qE '^lost.vmm-cycle.* skip 3 pages$'
ok $? "cases: the unsafe protocol's losses are a control (skip, the pages as measurement), not a failure"


# --- the readers under valgrind's memcheck ----------------------------------
# A use-after-free once made `summary` of every suite result abort now and
# then ("corrupted double-linked list": the numa-interplay section freed a
# result the loader owned).  Every reader, over runs with that file.
N=$tmp/N
mkdir -p "$N"
"$ws" run correctness --backend wp --backing anon --out "$N" --run-id N \
	--quiet 2>/dev/null &&
	"$ws" run numa-interplay --backend wp --out "$N" --run-id N --quiet 2>/dev/null
ok $? "setup: a run with correctness and numa-interplay results"
if command -v valgrind >/dev/null; then
	vg_bad=
	for cmd in "summary $N" "summary $L" "report $N" "report --cover-letter $P" \
		"compare $N $N" "compare $A $tmp/slow" "collect $N $L" "cases $N"; do
		# shellcheck disable=SC2086
		valgrind -q --error-exitcode=99 "$ws" $cmd >/dev/null 2>"$tmp/vg.err"
		[ $? = 99 ] && vg_bad="$vg_bad [$cmd: $(grep -m1 'Invalid\|uninitialised' "$tmp/vg.err")]"
	done
	[ -z "$vg_bad" ]
	ok $? "readers clean under valgrind memcheck (summary, report, compare, collect, cases)${vg_bad:+:$vg_bad}"
else
	ok 0 "# SKIP readers under valgrind: valgrind not installed (make deps installs it)"
fi
echo "1..$n"
