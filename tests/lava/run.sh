#!/bin/sh
# wsbench as a LAVA test: the job templates rendered and checked with
# LAVA's own schema (Debian's lava-common), bad input refused, and (unless
# TEST_VM=0) the QEMU job run through Debian's LAVA dispatcher here
# (scripts/lava/run.sh), its measurements checked against the JSON the same
# job produced, and the checker shown catching a doctored log.  TAP output.
set -u

cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
ok() {	# ok EXIT-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

scripts/deps.sh lava >"$tmp/deps.log" 2>&1
ok $? "make lava-deps: Debian's lava-dispatcher and lava-common installed"

# --- the jobs, checked with LAVA's schema ---------------------------------
urls="KERNEL_URL=https://lab.example/bzImage RAMDISK_URL=https://lab.example/ramdisk.cpio.gz"
env $urls LAVA_JOB_DIR="$tmp/jobs" SUITE_BENCHMARKS="correctness fault-latency" \
	scripts/lava/job.sh >"$tmp/job.out" 2>&1
ok $? "make lava-job: both jobs rendered (QEMU, bare metal)"
/usr/bin/python3 - "$tmp/jobs/job-qemu.yaml" "$tmp/jobs/job-bare-metal.yaml" \
	>"$tmp/schema.out" 2>&1 <<'PY'
import sys, yaml
from lava_common.schemas import validate
for path in sys.argv[1:]:
    job = yaml.safe_load(open(path))
    validate(job, strict=True)
    test = [a["test"] for a in job["actions"] if "test" in a][0]
    d = test["definitions"][0]
    assert d["path"] == "scripts/lava/wsbench.yaml", d
    assert d["parameters"]["SUITE_BENCHMARKS"] == "correctness fault-latency", d
PY
ok $? "the rendered jobs pass lava_common.schemas.validate (strict) and carry the parameters"
sed 's/to: tmpfs/to: nowhere/' scripts/lava/jobs/qemu.yaml >"$tmp/planted.yaml"
rc=0
/usr/bin/python3 scripts/lava/render.py "$tmp/planted.yaml" "$tmp/planted.out" \
	KERNEL=x BENCH_PROFILE=quick ACCEL=tcg TIMEOUT_MIN=5 MEM_MB=1 SMP=1 \
	QEMU_ACCEL=tcg QEMU_CPU=max REPO_URL=x REPO_REVISION=x KERNEL_URL=x \
	RAMDISK_URL=x SUITE_BENCHMARKS= SUITE_ARGS= RUNS=1 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q "LAVA's job schema refuses the job" "$tmp/err" && [ ! -e "$tmp/planted.out" ]
ok $? "a planted invalid job (deploy to: nowhere) is refused by the schema check, exit 2, nothing written"
for bad in ACCEL=xen BENCH_PROFILE=huge; do
	rc=0
	env $urls LAVA_JOB_DIR="$tmp/bad" "$bad" scripts/lava/job.sh >/dev/null 2>"$tmp/err" || rc=$?
	[ "$rc" = 2 ] && grep -q "${bad%%=*}" "$tmp/err"
	ok $? "make lava-job $bad: exit 2 naming the variable"
done
rc=0
/usr/bin/python3 scripts/lava/render.py scripts/lava/jobs/qemu.yaml "$tmp/x.yaml" KERNEL=7.3 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'needs ACCEL' "$tmp/err"
ok $? "render with values missing: exit 2 naming them"

if [ "${TEST_VM:-1}" = 0 ]; then
	echo "ok $((n + 1)) # SKIP TEST_VM=0: the LAVA run boots the guest"
	echo "1..$((n + 1))"
	exit 0
fi

# --- a real LAVA run -------------------------------------------------------
out=$tmp/run
rc=0
SUITE_BENCHMARKS="correctness fault-latency" SUITE_ARGS="--backend rwp,wp --backing anon --pages 300" \
	LAVA_OUT=$out LAVA_TIMEOUT_MIN=60 scripts/lava/run.sh >"$tmp/run.out" 2>"$tmp/run.err" || rc=$?
sed 's/^/# /' "$tmp/run.out" | head -n 40
[ "$rc" = 0 ] && grep -q '^LAVA job: pass$' "$tmp/run.out"
ok $? "make lava-run: LAVA's dispatcher booted the 7.3 guest and the job passed (exit $rc)"
[ "$rc" = 0 ] || tail -n 15 "$tmp/run.err" | sed 's/^/#   stderr: /'
grep -qE '^LAVA vs the JSON: ([0-9]+) cases expected, [0-9]+ measurements equal to their JSON value, 0 problems$' "$tmp/run.out" &&
	[ "$(sed -n 's/^LAVA vs the JSON: [0-9]* cases expected, \([0-9]*\) measurements.*/\1/p' "$tmp/run.out")" -ge 5 ]
ok $? "every LAVA measurement equals its case's median (or exact value) in the job's JSON"
awk -F'\t' '$2 == "exact4k.rwp" && $3 == "pass"' "$out/lava-results.tsv" | grep -q . &&
	awk -F'\t' '$2 ~ /^fault-latency\.fault_write_ns\.rwp/ && $4 + 0 > 0 && $5 == "ns"' "$out/lava-results.tsv" | grep -q .
ok $? "LAVA's results: rwp exact at 4K passes; rwp's write-fault latency is a measurement in ns"
grep -q '"accel": "tcg"' "$out"/results/*/correctness.json
ok $? "the job's result directory came back through the log and says accel tcg"

# --- the checker can fail ----------------------------------------------------
/usr/bin/python3 - "$out/lava.log" "$tmp/doctored.log" <<'PY'
import re, sys
done = False
with open(sys.argv[2], "w") as o:
    for line in open(sys.argv[1]):
        if not done and '"lvl": "results"' in line and "fault_write_ns" in line:
            line, k = re.subn(r'"measurement": ! "([0-9.]+)"',
                              lambda m: '"measurement": ! "%s"' % (float(m.group(1)) * 1.01), line)
            done = k == 1
        o.write(line)
sys.exit(0 if done else 1)
PY
mkdir -p "$tmp/doc"
rc=0
/usr/bin/python3 scripts/lava/results.py "$tmp/doctored.log" "$tmp/doc" >"$tmp/doc.out" 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -qE 'fault_write_ns.*LAVA measurement .*, JSON ' "$tmp/doc.out"
ok $? "a log with one measurement 1 % off: results.py exits 1 naming the case"

# --- the result directory survives a noisy console, or says why not ------
# spoil LOG OUT COPIES: cut a kernel message into the 10th base64 line of
# the listed copies (1, 2), and put a whole one before the 20th of copy 2.
spoil() {
	/usr/bin/python3 - "$@" <<'PY'
import json, sys
src, dst, cut = sys.argv[1], sys.argv[2], {int(c) for c in sys.argv[3].split(",")}
copy, k, inside, out = 0, 0, False, []
for line in open(src):
    try:
        r = json.loads(line)
    except ValueError:
        r = None    # a YAML record (LAVA's results), not a console line
    m = r.get("msg") if r and r.get("lvl") == "target" else None
    m = m if isinstance(m, str) else ""
    if m.startswith("WSBENCH-RESULTS-BEGIN"):
        copy, k, inside = copy + 1, 0, True
    elif m.startswith("WSBENCH-RESULTS-END"):
        inside = False
    elif inside and m:
        k += 1
        if k == 10 and copy in cut:
            r["msg"] = m[:30] + "[   41.123456] clocksource: wobbled" + m[30:]
            line = json.dumps(r) + "\n"
        if k == 20 and copy == 2:
            out.append(json.dumps(dict(r, msg="[   42.000001] random: crng reseeded")) + "\n")
    out.append(line)
open(dst, "w").writelines(out)
PY
}
spoil "$out/lava.log" "$tmp/spoil1.log" 1
mkdir -p "$tmp/sp1"
rc=0
/usr/bin/python3 scripts/lava/results.py "$tmp/spoil1.log" "$tmp/sp1" >"$tmp/sp1.out" 2>&1 || rc=$?
[ "$rc" = 0 ] && grep -q '"accel": "tcg"' "$tmp/sp1"/results/*/correctness.json
ok $? "a kernel message cut into the first copy of the result directory (and a whole one in the second): the second copy is taken (exit $rc)"
# The real console may already carry whole kernel messages inside a copy
# (they are dropped, the copy still unpacks): count from what it had.
set -- $(/usr/bin/python3 - "$out/lava.log" <<'PY'
import sys
sys.path.insert(0, "scripts/lava")
import results
_, _, copies = results.read_log(sys.argv[1])
print(" ".join(str(dropped) for *_, dropped in copies))
PY
)
spoil "$out/lava.log" "$tmp/spoil2.log" 1,2
mkdir -p "$tmp/sp2"
rc=0
/usr/bin/python3 scripts/lava/results.py "$tmp/spoil2.log" "$tmp/sp2" >"$tmp/sp2.out" 2>&1 || rc=$?
[ "$rc" = 1 ] && [ $# = 2 ] &&
	grep -q "copy 1 of 2 ($(($1 + 1)) non-base64 lines dropped): result tarball sha256 .*; copy 2 of 2 ($(($2 + 2)) non-base64 lines dropped): result tarball sha256 " "$tmp/sp2.out"
ok $? "both copies cut: results.py exits 1 saying what went wrong with each (exit $rc: $(grep '^results:' "$tmp/sp2.out" | cut -c1-200))"
echo "1..$n"
