#!/bin/sh
# Figures: plots/plot.sh on a real result directory written by this host's
# wsbench in tiny configurations, then on directories with inputs missing,
# a TCG copy and things that are not result directories.  TAP output.
set -u	# keep going after a failed check: every check reports

cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
tap_tmp

scripts=$(for gp in plots/*.gp; do basename "$gp" .gp; done | grep -vx common)

# figures_ok RUN LOG: every script either drew figures (each a non-empty PNG
# and a complete SVG) or printed exactly one skip line; never both.
figures_ok() {
	r=0
	for s in $scripts; do
		skips=$(grep -c "^plots: skip $s: ." "$2")
		drawn=$(awk -v s="$s" '$1 == s { print $2 }' "$1/plots/manifest")
		if [ -n "$drawn" ] && [ "$skips" != 0 ]; then
			echo "# $s: drawn and skipped"; r=1
		elif [ -z "$drawn" ] && [ "$skips" != 1 ]; then
			echo "# $s: neither drawn nor skipped once ($skips skip lines)"; r=1
		fi
		for f in $drawn; do
			if ! head -c 4 "$1/plots/$f.png" | grep -q PNG ||
			   ! grep -q '</svg>' "$1/plots/$f.svg"; then
				echo "# $f: PNG or SVG missing, empty or cut short"; r=1
			fi
		done
	done
	return $r
}

# --- a real result directory, tiny settings -----------------------------
run=$tmp/run
mkdir -p "$run"
a="--out $run --run-id plots-test --quiet"
reps="--warmup 0 --min-reps 3 --max-reps 3 --min-time 0"
r=0
"$ws" probe --json "$run/probe.json" >/dev/null || r=1
"$ws" run correctness --pages 48 $a || r=1
"$ws" run fault-latency --pages 48 $reps $a || r=1
"$ws" run protect-cost --size 4K,64K --threads 0,1 $reps $a || r=1
"$ws" run scan-throughput --size 256K,1M --hot 0,50 $reps $a || r=1
"$ws" run set-mode --size 256K --threads 0,1 $reps $a || r=1
ok $r "wsbench wrote a tiny result directory on this host"

rc=0
plots/plot.sh "$run" 2>"$tmp/log" || rc=$?
ok $rc "plot.sh on it exits 0"
[ "$rc" = 0 ] || sed 's/^/# /' "$tmp/log"
figures_ok "$run" "$tmp/log"
ok $? "every figure is drawn (non-empty PNG, complete SVG) or skipped in one line"

# Which figures the data calls for, decided from the JSON here, not by
# plots/: a benchmark with measured cases in a backing gets that figure.
"$py" - "$run" >"$tmp/want" <<'PY'
import json, os, sys
run = sys.argv[1]
def cases(b, pred=lambda c: True):
    p = os.path.join(run, b + ".json")
    return [c for c in json.load(open(p))["results"] if pred(c)] \
        if os.path.exists(p) else []
for c in {c["backing"] for c in cases("correctness", lambda c: "accuracy" in c)}:
    print("correctness-" + c)
if any(m.get("samples") for c in cases("fault-latency",
       lambda c: c["backend"] != "baseline") for m in c["metrics"].values()):
    print("fault-latency")
for c in {c["backing"] for c in cases("protect-cost")}:
    print("protect-cost-" + c)
for c in {c["backing"] for c in cases("scan-throughput")}:
    print("scan-throughput-" + c)
    print("scan-rearm-" + c)
if cases("set-mode"):
    print("set-mode")
PY
r=0
for f in $(cat "$tmp/want"); do
	awk '{ print $2 }' "$run/plots/manifest" | grep -qx "$f" ||
		{ echo "# $f: data exists, figure not drawn"; r=1; }
done
[ -s "$tmp/want" ] || r=1
ok $r "every figure the data calls for is drawn ($(wc -l <"$tmp/want") of them)"

set_mode_cases=$("$py" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' "$run/set-mode.json")
if [ "$set_mode_cases" = 0 ]; then
	grep -q "^plots: skip set-mode: set-mode.json has no measured case (.*skipped, e.g. " "$tmp/log"
	ok $? "set-mode without cases: skipped, with the run's own skip reason"
else
	ok 0 "set-mode has cases here: drawn (checked above) # SKIP no skip to check"
fi
r=0
for s in vmm-cpu vmm-f1-cpu vmm-ws vmm-memory; do
	grep -qx "plots: skip $s: vmm-cycle.json absent (benchmark not run)" "$tmp/log" || r=1
done
ok $r "vmm-cycle not run: its four figures are skipped, one line each"
r=0
for s in nested-cold nested-memory; do
	grep -qx "plots: skip $s: nested-track.json absent (BENCH_PROFILE=vmm not run)" "$tmp/log" || r=1
done
ok $r "no nested QEMU run: its two figures are skipped, one line each"

# The plotted medians are the JSON's medians.
"$py" - "$run" <<'PY'
import glob, json, os, sys
run = sys.argv[1]
doc = json.load(open(os.path.join(run, "protect-cost.json")))
want = {(c["params"]["npages"], c["metrics"]["ns_per_page"]["summary"]["median"])
        for c in doc["results"] if c["backing"] == "anon"}
got = set()
for f in glob.glob(os.path.join(run, "plots/data/protect-cost-anon/s*.dat")):
    for line in open(f):
        if not line.startswith("#"):
            x, med = line.split()[:2]
            got.add((int(x), float(med)))
sys.exit(0 if want and want == got else 1)
PY
ok $? "protect-cost-anon plots exactly the JSON's ns_per_page medians"

# --- what a reader sees: words, one case per cell, legends apart --------
# labels_ok RUN: no JSON key (a snake_case name such as fault_write_ns)
# in any text of any drawn figure; every panel titled; every axis of a
# plotted figure labelled (the correctness matrices label their rows and
# columns instead).
labels_ok() {
	"$py" - "$1/plots" <<'PY'
import glob, os, re, sys
out = sys.argv[1]
bad = []
for svg in glob.glob(os.path.join(out, "*.svg")):
    text = " ".join(re.findall(r"<text[^>]*>(.*?)</text>", open(svg).read(), re.S))
    text = re.sub(r"<[^>]+>", " ", text)
    keys = sorted(set(re.findall(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b", text)))
    if keys:
        bad.append(f"{os.path.basename(svg)}: JSON keys {keys}")
for vars_gp in glob.glob(os.path.join(out, "data", "*", "vars.gp")):
    v = open(vars_gp).read()
    m = re.search(r"^array panel_title\[\d+\] = \[(.*)\]$", v, re.M)
    if not m or re.search(r"(^|, )''(,|$)", m.group(1)):
        bad.append(f"{vars_gp}: a panel without a title")
for line in open(os.path.join(out, "manifest")):
    script = line.split()[0]
    gp = open(os.path.join("plots", script + ".gp")).read()
    if script != "correctness" and not ("set xlabel" in gp and
                                        ("set ylabel" in gp)):
        bad.append(f"{script}.gp: an axis without a label")
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
PY
}
labels_ok "$run"
ok $? "no JSON key in any figure's text, every panel titled, every axis labelled"
# One case per correctness cell: no two rows of a matrix on one (x, y).
"$py" - "$run/plots/data" <<'PY'
import glob, os, sys
bad = []
for d in glob.glob(os.path.join(sys.argv[1], "correctness-*")):
    for f in glob.glob(os.path.join(d, "s*.dat")):
        cells = [tuple(l.split()[:2]) for l in open(f) if not l.startswith("#")]
        if len(cells) != len(set(cells)):
            bad.append(f)
print("".join(f"# two cases in one cell: {b}\n" for b in bad), end="")
sys.exit(1 if bad or not glob.glob(os.path.join(sys.argv[1], "correctness-*")) else 0)
PY
ok $? "correctness matrices: one case per cell (re-arm policies on rows of their own)"
# Legends never over data: no script titles its series inside a panel;
# the legend is drawn in a cell of its own (draw_legend), or outside.
r=0
for gp in plots/*.gp; do
	if grep -q 'title s_title' "$gp"; then
		echo "# $gp: a legend inside the panels"; r=1
	fi
	if grep -q 'notitle' "$gp" && grep -q 's_file\[k\]' "$gp" &&
		! grep -q 'draw_legend' "$gp" && [ "$(basename "$gp")" != correctness.gp ]; then
		echo "# $gp: series without any legend"; r=1
	fi
done
ok "$r" "every figure's legend sits in a cell of its own, none over the panels"

# --- not a result directory -> exit 2, naming RUN ------------------------
mkdir "$tmp/empty" "$tmp/other"
echo hello >"$tmp/other/notes.txt"
for bad in "$tmp/empty" "$tmp/other" "$tmp/no-such-dir" "$tmp/other/notes.txt"; do
	rc=0
	plots/plot.sh "$bad" 2>"$tmp/err" || rc=$?
	[ "$rc" = 2 ] && grep -q "RUN='$bad' is not a result directory" "$tmp/err" &&
		[ ! -e "$bad/plots" ]
	ok $? "plot.sh $(basename "$bad"): exit 2 naming RUN, nothing written"
done
rc=0; plots/plot.sh 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q usage "$tmp/err"
ok $? "plot.sh without RUN: exit 2 with usage"

# --- TCG: a real file relabelled, every other input absent --------------
tcg=$tmp/tcg
mkdir "$tcg"
for b in fault-latency correctness; do
	"$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["accel"]="tcg"; json.dump(d, open(sys.argv[2], "w"))' \
		"$run/$b.json" "$tcg/$b.json"
done
rc=0
plots/plot.sh "$tcg" 2>"$tmp/log" || rc=$?
ok $rc "plot.sh with only two result files exits 0"
figures_ok "$tcg" "$tmp/log"
ok $? "... every other figure skipped in one line"
grep -q "^plots: skip protect-cost: protect-cost.json absent (benchmark not run)$" "$tmp/log"
ok $? "... protect-cost: 'protect-cost.json absent (benchmark not run)'"
grep -q "TCG: timings not meaningful" "$tcg/plots/fault-latency.svg"
ok $? "accel tcg: fault-latency carries the 'TCG: timings not meaningful' stamp"
grep -q "accel tcg" "$tcg/plots/fault-latency.svg"
ok $? "accel tcg: the title names the accel"
accel=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["accel"])' "$run/fault-latency.json")
if [ "$accel" != tcg ]; then
	! grep -q "timings not meaningful" "$run/plots/fault-latency.svg"
	ok $? "accel $accel: no stamp"
else
	ok 0 "accel of this host is tcg # SKIP no untimed control"
fi
! grep -q "timings not meaningful" "$tcg/plots/correctness-anon.svg"
ok $? "correctness (no timings) carries no stamp even under tcg"
release=$(uname -r)
grep -q "kernel $release" "$run/plots/fault-latency.svg"
ok $? "titles name the kernel release ($release)"

# A figure whose input went away does not linger from an earlier render.
rm "$tcg/correctness.json"
plots/plot.sh "$tcg" 2>/dev/null
[ ! -e "$tcg/plots/correctness-anon.png" ] && [ -s "$tcg/plots/fault-latency.png" ]
ok $? "re-render after correctness.json went away drops its figures"

# A result file that cannot be read: exit 1 naming it, the rest drawn.
echo '{"benchmark": "set-mode", "results": [' >"$tcg/set-mode.json"
rc=0
plots/plot.sh "$tcg" 2>"$tmp/log" || rc=$?
[ "$rc" = 1 ] && grep -q "^plots: set-mode: .*set-mode.json: " "$tmp/log" &&
	[ -s "$tcg/plots/fault-latency.png" ]
ok $? "unreadable set-mode.json: exit 1 naming it, other figures drawn"

# --- vmm-cycle: not run above (it takes seconds).  Its figures are drawn
# from SYNTHETIC intervals in its shape (environment copied from the real
# run), to check the scripts work, not any number.
vmm=$tmp/vmm
mkdir "$vmm"
"$py" - "$run/fault-latency.json" "$vmm/vmm-cycle.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def interval(i, b):
    return {"i": i, "t_s": i * 0.5, "true_ws_pages": 100 + i,
            "detected_ws_pages": 90 + i + b, "resident_pages": 200 - i,
            "refaults": i * b, "f1_cold": 0.5 + b / 10,
            "cpu_ns": {p: 1000 * (b + 1) for p in
                       ("arm", "freeze", "detect", "evict", "unfreeze", "refault")}}
d["benchmark"] = "vmm-cycle"
d["results"] = [{"backend": name, "backing": "anon", "mode": "async",
                 "pattern": pat, "intervals": [interval(i, b) for i in range(8)],
                 "summary": {"f1_cold_decisions": 0.5 + b / 10, "cpu_per_interval_ns": 6000 * (b + 1)}}
                for pat in ("a", "b") for b, name in enumerate(("rwp", "wp", "idle"))]
json.dump(d, open(sys.argv[2], "w"))
# set-mode has no case on a kernel without RWP (this host, maybe): a
# synthetic one too, so that its labels are checked wherever this runs.
def series(v):
    return {"unit": "ns", "samples": [v], "summary": {"median": v,
            "ci_median": {"lo": v * 0.9, "hi": v * 1.1}}}
d["benchmark"] = "set-mode"
d["results"] = [{"backend": "rwp", "backing": b, "mode": "async",
                 "params": {"threads": t, "size_bytes": 1 << 20},
                 "metrics": {"to_sync_ns": series(5000.0 * (t + 1)),
                             "to_async_ns": series(7000.0 * (t + 1))}}
                for b in ("anon", "shmem") for t in (0, 1)]
json.dump(d, open(sys.argv[2].replace("vmm-cycle", "set-mode"), "w"))
PY
rc=0
plots/plot.sh "$vmm" 2>"$tmp/log" || rc=$?
r=$rc
for f in vmm-cpu vmm-f1-cpu vmm-ws vmm-memory; do
	[ -s "$vmm/plots/$f.png" ] && grep -q '</svg>' "$vmm/plots/$f.svg" || r=1
done
[ -s "$vmm/plots/set-mode.png" ] || r=1
ok $r "vmm-cycle and set-mode (synthetic): all five figures drawn"
labels_ok "$vmm"
ok $? "vmm and set-mode figures: no JSON key in their text, every panel titled, every axis labelled"
# F1 from 0.5 to 0.7 here: the axis shows that range, not 0 to 1.
"$py" -c '
import re, sys
v = open(sys.argv[1]).read()
lo = float(re.search(r"^ymin = (.*)$", v, re.M).group(1))
hi = float(re.search(r"^ymax = (.*)$", v, re.M).group(1))
sys.exit(0 if 0.3 < lo < 0.5 and 0.7 < hi <= 1.0 else 1)' "$vmm/plots/data/vmm-f1-cpu/vars.gp"
ok $? "vmm-f1-cpu: the F1 axis spans the points (0.5 to 0.7), not 0 to 1"
figures_ok "$vmm" "$tmp/log"
ok $? "... and every other figure skipped in one line"

# --- the nested QEMU guest (BENCH_PROFILE=vmm): SYNTHETIC boots in the
# shape of nested-track*.json (an untracked baseline, a tracking boot of
# two backends, a cycle boot), to check the scripts and their labels.
nst=$tmp/nested
mkdir "$nst"
"$py" - "$run/fault-latency.json" "$nst" <<'PY'
import json, sys
env = json.load(open(sys.argv[1]))["environment"]
def cold(k, b):
    return {"precision": 1 - b * 0.1, "recall": 0.5 + k * 0.1, "called": 100}
def boot(mechs, evict):
    d = {"kind": "nested-track", "accel": "tcg", "environment": env,
         "params": {"page_size": 4096, "intervals": 4, "interval_ms": 1000},
         "truth": {"pattern": "read-mostly.pat", "intervals": [
             {"i": k, "interval_ms": 1000.0, "window_ms": 50.0} for k in (1, 2, 3, 4)]},
         "mechanisms": {m: {"supported": True, "intervals": [
             {"i": k, "cold": cold(k, b)} for k in (1, 2, 3, 4)]}
             for b, m in enumerate(mechs)},
         "eviction": {"measured": False}}
    if evict:
        d["eviction"] = {"measured": True, "intervals": [
            {"i": k, "resident": 32768 - 1000 * k, "refaults": 10 * k} for k in (1, 2, 3, 4)]}
    return d
json.dump(boot([], False), open(sys.argv[2] + "/nested-track.baseline.json", "w"))
json.dump(boot(["softdirty", "idle"], False), open(sys.argv[2] + "/nested-track.json", "w"))
json.dump(boot(["damon"], True), open(sys.argv[2] + "/nested-track.damon.json", "w"))
# NESTED_BOOTS=2: round 2 of the damon boot, not drawn (the summary's)
json.dump(boot(["damon"], True), open(sys.argv[2] + "/nested-track.damon.r2.json", "w"))
PY
rc=0
plots/plot.sh "$nst" 2>"$tmp/log" || rc=$?
r=$rc
for f in nested-cold nested-memory; do
	[ -s "$nst/plots/$f.png" ] && grep -q '</svg>' "$nst/plots/$f.svg" || r=1
done
ok $r "nested QEMU (synthetic): cold-set and resident-memory figures drawn"
labels_ok "$nst"
ok $? "nested figures: no JSON key in their text, every panel titled, every axis labelled"
# Every backend of every boot of round 1, none of the baseline: the plotted
# cold-set precisions are the JSON's (x: the interval, set apart by under 0.5).
"$py" - "$nst" <<'PY'
import glob, json, os, sys
d = sys.argv[1]
want = sorted((m, iv["i"], iv["cold"]["precision"])
              for f in glob.glob(os.path.join(d, "nested-track*.json"))
              if not f.endswith(".r2.json")
              for m, v in json.load(open(f))["mechanisms"].items()
              for iv in v["intervals"])
v = open(os.path.join(d, "plots/data/nested-cold/vars.gp")).read()
titles = [t.strip(" '") for t in v.split("array s_title")[1].split("[", 2)[2].split("]")[0].split(",")]
got = []
for n, t in enumerate(titles[:len(titles) // 2], 1):
    for line in open(os.path.join(d, f"plots/data/nested-cold/s{n:02d}.dat")):
        if not line.startswith("#"):
            x, y = map(float, line.split()[:2])
            got.append((t, round(x), y))
print(f"# plotted {len(got)} points of {len(want)}")
sys.exit(0 if sorted(got) == want else 1)
PY
ok $? "nested-cold plots exactly the JSON's cold-set precision of every backend and interval"
figures_ok "$nst" "$tmp/log"
ok $? "... and every other figure skipped in one line"

echo "1..$n"
