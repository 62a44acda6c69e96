#!/bin/sh
# Tests of the result readers: wsbench compare, report (--cover-letter)
# and verify, on tiny real runs of the wp backend on this host and on
# doctored copies of them.  TAP output.
set -u	# keep going after a failed check: every check reports

cd "$(dirname "$0")/../.."
ws=${WSBENCH:-build/wsbench}
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0

ok() {	# ok EXIT-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
	fi
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

# doctor DIR FILE PYTHON: edit DIR/FILE (JSON, as d) in place.
doctor() {
	"$py" - "$1/$2" "$3" <<'EOF'
import json, sys
path, code = sys.argv[1], sys.argv[2]
d = json.load(open(path))
exec(code)
json.dump(d, open(path, "w"))
EOF
}

# every_file DIR PYTHON: doctor each benchmark file of DIR alike.
every_file() {
	for f in fault-latency.json correctness.json; do
		doctor "$1" "$f" "$2"
	done
}

# json_q FILE EXPR: print a Python expression over the JSON d.
json_q() {
	"$py" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

# Scale fault_write_ns of the wp cases by SCALE (samples and what is derived
# from them, so that the copy is a consistent result).
SCALE_WRITE='
k = SCALE
for c in d["results"]:
    if c["backend"] == "wp" and "fault_write_ns" in c.get("metrics", {}):
        s = c["metrics"]["fault_write_ns"]
        s["samples"] = [x * k for x in s["samples"]]
        s["rep_medians"] = [x * k for x in s["rep_medians"]]
        s["summary"]["median"] *= k
        s["summary"]["ci95_median"] = [x * k for x in s["summary"]["ci95_median"]]
'

"$ws" probe | grep -q '^wp  *supported' || skip_all "uffd-wp (the wp backend) is not supported here"

# --- two tiny runs of the wp backend ---------------------------------------
A=$tmp/A
tiny="--backend wp --backing anon --mode async --pages 256"
reps="--min-reps 6 --max-reps 6 --min-time 0 --warmup 1"
mkdir -p "$A"
"$ws" probe --json "$A/probe.json" >/dev/null
# shellcheck disable=SC2086
"$ws" run fault-latency $tiny $reps --out "$A" --run-id A --quiet 2>/dev/null &&
	"$ws" run correctness --backend wp --backing anon,shmem --out "$A" \
		--run-id A --quiet 2>/dev/null
ok $? "setup: tiny fault-latency and correctness runs of wp"

copy() {	# copy NAME: a copy of run A to doctor
	rm -rf "${tmp:?}/$1"
	cp -r "$A" "$tmp/$1"
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
ok $? "fault_write_ns x1.5: a marker on exactly that metric, 'worse' (got $marked)"
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
copy lossy
doctor "$tmp/lossy" correctness.json "
c = [c for c in d['results'] if 'rearm_lossless' not in c and c.get('accuracy', {}).get('recall') == 1][0]
c['accuracy']['recall'] = 0.5
for c in d['results']:
    if c.get('rearm_lossless') is False:
        c['accuracy']['recall'] = 0.25 if c['accuracy']['recall'] > 0.5 else 0.75"
"$ws" compare --json "$A" "$tmp/lossy" >"$tmp/lossy.json"
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

copy cpu
every_file "$tmp/cpu" "d['environment']['cpu']['model'] = 'Other CPU 9000'"
rc=0
"$ws" compare "$A" "$tmp/cpu" >/dev/null 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'CPU model differs' "$tmp/err"
ok $? "compare across CPU models: refused with the reason"
copy pgsz
every_file "$tmp/pgsz" "d['environment']['mm']['page_size'] = 65536"
rc=0
"$ws" compare "$A" "$tmp/pgsz" >/dev/null 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'page size differs' "$tmp/err"
ok $? "compare across page sizes: refused with the reason"

copy kern
every_file "$tmp/kern" "d['environment']['kernel']['release'] = '7.3.4+'; d['environment']['kernel']['config']['sha256'] = 'f00'"
"$ws" compare "$A" "$tmp/kern" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] && grep -q '^  kernel.release  .* 7.3.4+$' "$tmp/out" &&
	grep -q '^  kernel.config.sha256 ' "$tmp/out"
ok $? "kernel release and config differences: listed in the header, not refused"

copy knob
# (a value no kernel has: other tests on this machine turn THP for real)
doctor "$tmp/knob" fault-latency.json "d['environment']['mm']['thp_enabled'] = 'doctored'"
"$ws" compare "$A" "$tmp/knob" >"$tmp/out" &&
	grep -q '^  WARNING: changed during the run: mm.thp_enabled .* -> doctored (fault-latency.json)$' "$tmp/out" &&
	"$ws" report --cover-letter "$tmp/knob" | tr '\n' ' ' |
	grep -q 'WARNING: environment changed during the run: [^|]*mm.thp_enabled'
ok $? "a knob that changed between the files of one run: a warning in compare and the cover letter"

copy fewer
doctor "$tmp/fewer" fault-latency.json "d['results'] = [c for c in d['results'] if c['backend'] != 'baseline']"
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
doctor "$tmp/v1" correctness.json "d['schema_version'] = 1"
bad_input "another schema_version" "$tmp/v1/correctness.json: schema_version 1" "$tmp/v1"
copy trunc
head -c 2000 "$A/fault-latency.json" >"$tmp/trunc/fault-latency.json"
bad_input "truncated JSON" "$tmp/trunc/fault-latency.json: not valid JSON" "$tmp/trunc"
copy mixed
doctor "$tmp/mixed" fault-latency.json "d['run_id'] = 'other-run'"
bad_input "files of two runs mixed" "$tmp/mixed/fault-latency.json: run_id 'other-run' differs" "$tmp/mixed"
copy reps
doctor "$tmp/reps" fault-latency.json "d['results'][0]['metrics']['present_ns']['rep_sizes'][0] += 1"
bad_input "repetitions not adding up" "rep_sizes do not add up" "$tmp/reps"

make -s compare A="$A" B="$tmp/slow" >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] && grep -qE '^  fault_write_ns .* worse$' "$tmp/out"
ok $? "make compare A= B= prints the same table"

# --- report --------------------------------------------------------------
"$ws" report --cover-letter "$A" >"$tmp/cl.txt" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] && grep -q '^Linux .* | accel ' "$tmp/cl.txt" &&
	grep -qE '^  wp +fault_write_ns +[0-9.]+ +(ns|us) +\[' "$tmp/cl.txt"
ok $? "cover letter: one machine line, the fault_write_ns median with its CI"
awk 'length($0) > 72 { bad = 1; print "# " length($0) ": " $0 } END { exit bad }' "$tmp/cl.txt"
ok $? "cover letter: every line at most 72 columns"

# The reproduce command, run with stand-ins for make and git, must reach
# make with options that wsbench accepts and that give the same params.
sed -n '/^Reproduce:$/,/^Check /p' "$tmp/cl.txt" | sed '1d;$d' >"$tmp/repro.sh"
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
[ "$rc" = 0 ] && grep -qx 'bench TARGET=host BENCH_PROFILE=default' "$tmp/stub.args" &&
	grep -qx "checkout $(json_q "$A/correctness.json" "d['environment']['harness']['git_commit'].split('-')[0]")" "$tmp/stub.git" &&
	grep -qx 'SUITE_BENCHMARKS=correctness fault-latency' "$tmp/stub.env" &&
	grep -q '^SUITE_ARGS_fault_latency=.*--tune off' "$tmp/stub.env"
ok $? "reproduce command runs in sh: git checkout <commit>, make bench TARGET=host, the benchmarks, --tune off (the suite's is on)"
r=0
for b in correctness fault-latency; do
	var=SUITE_ARGS_$(echo "$b" | tr - _)
	args=$(sed -n "s/^$var=//p" "$tmp/stub.env")
	# shellcheck disable=SC2086
	"$ws" run "$b" --profile default $args --help >/dev/null 2>"$tmp/err" ||
		{ echo "# $b rejects its options: $args"; r=1; }
	# shellcheck disable=SC2086
	"$ws" run "$b" --profile default $args --out "$tmp/R" --run-id R --quiet 2>/dev/null
	same=$(json_q "$A/$b.json" "{k: v for k, v in d['params'].items() if k not in ('run_id', 'out_dir')} == {k: v for k, v in json.load(open('$tmp/R/$b.json'))['params'].items() if k not in ('run_id', 'out_dir')}")
	[ "$same" = True ] || { echo "# $b: params differ with: $args"; r=1; }
done
ok "$r" "SUITE_ARGS of the command parse, and reproduce the recorded params exactly"

"$ws" report "$A" >"$tmp/rep.md" 2>"$tmp/err"
rc=$?
r=0
for s in '# wsbench run A' '## Environment' '## Provenance' '## Summary' \
	'## Every case' '## Figures' '## Skips, warnings and errors' '## Reproduce'; do
	grep -qx "$s" "$tmp/rep.md" || { echo "# missing: $s"; r=1; }
done
grep -q '^| harness | ' "$tmp/rep.md" && grep -q '^| kernel config sha256 | ' "$tmp/rep.md" ||
	{ echo "# no harness commit or config hash"; r=1; }
grep -q '^wp  ' "$tmp/rep.md" || { echo "# no summary table"; r=1; }
reason=$(json_q "$A/correctness.json" "[s['reason'] for s in d['skipped']][0]")
grep -qF "$reason" "$tmp/rep.md" || { echo "# skip reason missing: $reason"; r=1; }
[ "$rc" = 0 ] && [ "$r" = 0 ]
ok $? "report: environment, provenance, summary, every case, figures, skips with reasons, reproduce"

rc=0
"$ws" report "$tmp/trunc" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'fault-latency.json: not valid JSON' "$tmp/err" && [ ! -s "$tmp/out" ]
ok $? "report of a truncated result: exit 2 naming the file, no output"

# A run from the TCG guest, made by make kernel with a patch: the cover
# letter says so, shows no timing, and reproduces with TARGET=vm PATCHES=.
copy vm
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
"$ws" report --cover-letter "$tmp/vm" >"$tmp/vm.txt" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] && grep -q '^WARNING: accel=tcg' "$tmp/vm.txt" &&
	! grep -qE ' (ns|us|ms|Mpg/s) ' "$tmp/vm.txt" &&
	grep -qE '^  wp +(precision|recall) ' "$tmp/vm.txt"
ok $? "TCG cover letter: a warning line, correctness only, no timing"
awk 'length($0) > 72 { bad = 1; print "# " length($0) ": " $0 } END { exit bad }' "$tmp/vm.txt"
ok $? "TCG cover letter: every line at most 72 columns"
sed -n '/^Reproduce:$/,/^Check /p' "$tmp/vm.txt" | sed '1d;$d' >"$tmp/repro-vm.sh"
STUB_OUT=$tmp/stubvm PATH="$tmp/bin:$PATH" sh -eu "$tmp/repro-vm.sh"
[ $? = 0 ] && grep -q '^bench TARGET=vm BENCH_PROFILE=default KERNEL_PKG=linux-source-7.3 KERNEL_VERSION=7.3.4-1~bpo13+1 PATCHES=./series$' "$tmp/stubvm.args" &&
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
[ "$rc" = 0 ] && grep -q ' 0 outside the cited CI, 0 exact values differ, 0 missing' "$tmp/out" &&
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

# A doctored result: fault_write_ns median x10 with a narrow CI around it.
# (a long name, as results/<UTC time>-<profile> paths are, for the widths)
doc=doctored-copy-of-a-result-directory-20261129T164235Z-quick
copy "$doc"
doctor "$tmp/$doc" fault-latency.json '
for c in d["results"]:
    if c["backend"] == "wp":
        s = c["metrics"]["fault_write_ns"]["summary"]
        s["median"] *= 10
        s["ci95_median"] = [s["median"] * 0.999, s["median"] * 1.001]'
rc=0
"$ws" verify --keep "$tmp/kept-re-run-of-the-doctored-copy" "$tmp/$doc" >"$tmp/out" 2>"$tmp/err" || rc=$?
ratio=$(sed -n 's/^  fault_write_ns .* \([0-9.]*\)  OUTSIDE CI$/\1/p' "$tmp/out")
[ "$rc" = 1 ] && grep -q '^  fault_write_ns (outside its CI)  fault-latency  wp anon async' "$tmp/out" &&
	"$py" -c "import sys; sys.exit(not 0 < float('$ratio') < 0.2)"
ok $? "verify a doctored result: exit 1, fault_write_ns named, new/old ${ratio:-?} ~ 0.1"
awk 'length($0) > 100 || / $/ { bad = 1; print "# " length($0) ": " $0 } END { exit bad }' "$tmp/out"
ok $? "verify text: no line over 100 columns, no trailing blanks"
[ -f "$tmp/kept-re-run-of-the-doctored-copy/fault-latency.json" ] &&
	[ -f "$tmp/kept-re-run-of-the-doctored-copy/correctness.json" ]
ok $? "verify --keep DIR keeps the re-run"

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
doctor "$tmp/newkey" correctness.json "d['params']['rearm'] = 'per-page'"
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

echo "1..$n"
