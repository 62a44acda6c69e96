#!/bin/sh
# The series that say whether compare and verify can be trusted on this
# machine (README "Comparing, citing and re-checking runs" reports them):
#
#  verify  one quick host suite run (wp, RUNS invocations), then
#          VERIFY_TRIES (default 2*PAIRS; 0: none) fresh re-runs of it
#          (wsbench verify --keep): how many exit 0; a copy with one cited
#          ratio doctored by 20 % must exit 1 naming that claim (checked
#          against the first re-run: verify --rerun).  The re-runs are
#          also compared in pairs, one after the other (1-2, 3-4, ...).
#  A/A     PAIRS pairs of the same quick host suite, RUNS single
#          invocations a side, interleaved A B A B ... (what compare asks
#          of any A/B: drift over time falls on both sides), merged: how
#          many headline rows each pair marks (nothing changed).
#  A/B     PAIRS pairs of protect-cost wp anon 64M, no helper thread (A) vs
#          one helper thread on the other CPU (B: TLB flushes become IPIs,
#          about +20 % per page), RUNS single invocations each, interleaved
#          A B A B ..., merged; B's threads=1 is relabelled 0 so that the
#          cases pair.  Is the wp ns_per_page row marked worse?
#
# usage: scripts/aa.sh OUT_DIR [PAIRS]
# env:   RUNS (default 6), VERIFY_TRIES, WSBENCH (build/wsbench),
#        SERIES (default "verify aa ab": which series to run),
#        LOCK=file: each invocation under
#        flock(1) on it, so that other users of the machine (tests that
#        turn knobs) never run inside one.
# Touches THP and --tune knobs through wsbench (restored).
set -eu

cd "$(dirname "$0")/.."
out=${1:?usage: scripts/aa.sh OUT_DIR [PAIRS]}
pairs=${2:-10}
runs=${RUNS:-6}
ws=${WSBENCH:-build/wsbench}
case "$pairs" in ''|*[!0-9]*|0*)
	echo "aa: PAIRS='$pairs': use a number of pairs, 1 or more" >&2; exit 2 ;;
esac
case "$runs" in ''|*[!0-9]*|0*|1)
	echo "aa: RUNS='$runs': use a number of invocations, 2 or more" >&2; exit 2 ;;
esac
tries=${VERIFY_TRIES:-$((2 * pairs))}
case "$tries" in ''|*[!0-9]*)
	echo "aa: VERIFY_TRIES='$tries': use a number of tries, 0 or more" >&2; exit 2 ;;
esac
series=${SERIES:-verify aa ab}
for s in $series; do case "$s" in verify|aa|ab) ;; *)
	echo "aa: SERIES='$series': use words from: verify aa ab" >&2; exit 2 ;;
esac; done
[ ! -e "$out" ] || { echo "aa: $out exists: name a new directory" >&2; exit 2; }
mkdir -p "$out"
start=$(date +%s)

# progress STEP I N: one line with the step, how far and the time so far.
progress() {
	el=$(( $(date +%s) - start ))
	echo "[aa] $1 $2/$3, elapsed ${el}s" >&2
}

marked() {	# marked A B: headline rows compare marks better or worse
	"$ws" compare --json "$1" "$2" >"$out/compare.json" || return 1
	python3 -c '
import json, sys
print(sum(1 for r in json.load(open(sys.argv[1]))["rows"] if r["marker"]))' \
		"$out/compare.json"
}

locked() {	# locked CMD...: CMD under flock on $LOCK, if set
	if [ -n "${LOCK:-}" ]; then flock "$LOCK" "$@"; else "$@"; fi
}

# --- verify: the original and its re-runs --------------------------------
verify_series() {
	progress "suite (original)" 1 1
	locked env RUNS="$runs" SUITE_ARGS="--backend wp" scripts/suite.sh \
		"$out/orig" quick 2>"$out/orig.log"
	ok=0
	i=1
	while [ "$i" -le "$tries" ]; do
		progress "verify re-run" "$i" "$tries"
		rc=0
		locked "$ws" verify --keep "$out/rerun-$i" "$out/orig" \
			>"$out/verify-$i.txt" 2>"$out/verify-$i.log" || rc=$?
		[ "$rc" != 0 ] || ok=$((ok + 1))
		echo "verify $i: exit $rc" >>"$out/verify.tsv"
		i=$((i + 1))
	done
	echo "verify: $ok of $tries re-runs reproduce every claim and exact value (exit 0)"
	# The re-runs, compared in pairs one after the other (1-2, 3-4, ...):
	# an A/A without interleaving, which drift between runs can fool.
	k=1
	clean=0
	while [ $((2 * k)) -le "$tries" ]; do
		a=$((2 * k - 1))
		m=$(marked "$out/rerun-$a" "$out/rerun-$((a + 1))")
		[ "$m" != 0 ] || clean=$((clean + 1))
		echo "A/A one after the other, re-runs $a, $((a + 1)): $m headline rows marked" |
			tee -a "$out/aa-seq.tsv"
		k=$((k + 1))
	done
	echo "A/A one after the other: $clean of $((k - 1)) pairs mark no headline row"

	# One claim doctored by 20 %: wp's ns_per_page in protect-cost on anon,
	# samples and everything derived from them, so the copy is consistent.
	cp -r "$out/orig" "$out/doctored"
	python3 - "$out/doctored/protect-cost.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["results"]:
    if c["backend"] == "wp" and c["backing"] == "anon":
        s = c["metrics"]["ns_per_page"]
        for k in ("samples", "rep_medians"):
            s[k] = [x * 1.2 for x in s[k]]
        m = s["summary"]
        for k in ("median", "mean", "p50", "ci_center"):
            if isinstance(m.get(k), (int, float)):
                m[k] *= 1.2
        if m.get("ci95_median"):
            m["ci95_median"] = [x * 1.2 for x in m["ci95_median"]]
        for k in ("lo", "hi", "center"):
            m["ci_median"][k] *= 1.2
json.dump(d, open(sys.argv[1], "w"))
EOF
	rc=0
	"$ws" verify --rerun "$out/rerun-1" "$out/doctored" >"$out/verify-doctored.txt" \
		2>&1 || rc=$?
	named=$(grep -c 'protect-cost: wp .*anon.* ns_per_page' "$out/verify-doctored.txt" || true)
	echo "verify of the doctored copy: exit $rc, lines naming the wp anon ns_per_page claim: $named"
}
wanted() { case " $series " in *" $1 "*) return 0 ;; esac; return 1; }
! wanted verify || [ "$tries" = 0 ] || verify_series

# --- A/A: interleaved pairs ----------------------------------------------
aa_series() {
k=1
clean=0
while [ "$k" -le "$pairs" ]; do
	i=1
	while [ "$i" -le "$runs" ]; do
		progress "A/A pair $k, invocation" "$i" "$runs"
		for side in a b; do
			locked env RUNS=1 RUN_ID="aa-$k" SUITE_ARGS="--backend wp" \
				scripts/suite.sh "$out/aa-$k/$side/$i" quick \
				2>>"$out/aa-$k.log"
		done
		i=$((i + 1))
	done
	for side in a b; do
		"$ws" merge --out "$out/aa-$k/$side.merged" "$out/aa-$k/$side"/* \
			>/dev/null 2>>"$out/aa-$k.log"
	done
	"$ws" compare "$out/aa-$k/a.merged" "$out/aa-$k/b.merged" >"$out/aa-$k.txt"
	m=$(marked "$out/aa-$k/a.merged" "$out/aa-$k/b.merged")
	[ "$m" != 0 ] || clean=$((clean + 1))
	echo "A/A pair $k: $m headline rows marked of $(sed -n 's/^\([0-9]*\) rows were tested.*/\1/p' "$out/aa-$k.txt") tested" |
		tee -a "$out/aa.tsv"
	k=$((k + 1))
done
echo "A/A: $clean of $pairs pairs mark no headline row"
}
! wanted aa || aa_series

# --- A/B: a real change of about 20 % ------------------------------------
ab_series() {
pc="protect-cost --backend wp --backing anon --size 64M --profile quick --quiet"
k=1
hits=0
while [ "$k" -le "$pairs" ]; do
	progress "A/B pair" "$k" "$pairs"
	for side in a b; do mkdir -p "$out/ab-$k/$side"; done
	i=1
	while [ "$i" -le "$runs" ]; do
		# shellcheck disable=SC2086
		locked "$ws" run $pc --threads 0 --run-id "ab-$k" \
			--out "$out/ab-$k/a/$i" >/dev/null 2>&1
		# shellcheck disable=SC2086
		locked "$ws" run $pc --threads 1 --run-id "ab-$k" \
			--out "$out/ab-$k/b/$i" >/dev/null 2>&1
		i=$((i + 1))
	done
	for side in a b; do
		"$ws" merge --out "$out/ab-$k/$side.merged" "$out/ab-$k/$side"/* \
			>/dev/null
	done
	python3 - "$out/ab-$k/b.merged/protect-cost.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["params"]["threads"] = [0]
for c in d["results"]:
    c["params"]["threads"] = 0
json.dump(d, open(sys.argv[1], "w"))
EOF
	"$ws" compare "$out/ab-$k/a.merged" "$out/ab-$k/b.merged" >"$out/ab-$k.txt"
	row=$(grep -A3 '^protect-cost  wp anon' "$out/ab-$k.txt" |
		grep '^  ns_per_page' || true)
	case "$row" in *" worse") hits=$((hits + 1)) ;; esac
	echo "A/B pair $k: $row" | tee -a "$out/ab.tsv"
	k=$((k + 1))
done
echo "A/B: the +20 % change (wp ns_per_page) marked worse in $hits of $pairs pairs"
}
! wanted ab || ab_series
echo "[aa] done in $(( $(date +%s) - start ))s -> $out" >&2
