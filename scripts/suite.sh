#!/bin/sh
# Run the wsbench suite into one result directory: probe.json plus one
# JSON file per benchmark.  The same script runs on the host and inside
# the guest VM (where WSBENCH points at the binary in the image overlay).
#
# usage: suite.sh OUT_DIR [quick|default]
# env:   WSBENCH=path/to/wsbench  SUITE_BENCHMARKS="a b"  SUITE_ARGS="..."
#        RUN_ID=id (default: the basename of OUT_DIR)
#        SUITE_ARGS_<benchmark with _ for ->="..." (per benchmark)
#        SUITE_HUGEPAGES=N: huge pages reserved for the benchmarks that
#        map hugetlb (default: 128 quick, as fault-latency maps two
#        regions of up to 64 at once; 1024 default; capped at half of
#        MemAvailable; 0: none).  Each run reserves them with --hugepages,
#        and its knob journal restores vm.nr_hugepages after, error and
#        signal included.  Never fewer than already reserved.
#        SUITE_BACKENDS=LIST, SUITE_BACKINGS=LIST: --backend LIST and
#        --backing LIST for the benchmarks that read them (damon-sweep has
#        no --backend, restore none either), unlike SUITE_ARGS, which
#        every benchmark gets
#        RUNS=N: each benchmark as N separate invocations, merged, so that
#        its CIs and any comparison vary over what a second run varies by
#        (default 1; make bench on the host uses 6: the fewest whose
#        interval covers 95 %, see results/README.md)
set -eu

out=${1:?usage: suite.sh OUT_DIR [quick|default]}
profile=${2:-default}
case "$profile" in
quick|default) ;;
*) echo "suite: profile '$profile' is not a profile: use quick or default" >&2; exit 2 ;;
esac
ws=${WSBENCH:-$(dirname "$0")/../build/wsbench}
benches=${SUITE_BENCHMARKS:-correctness fault-latency protect-cost scan-throughput set-mode vmm-cycle damon-sweep numa-interplay restore}
run_id=${RUN_ID:-$(basename "$out")}
runs=${RUNS:-1}
case "$runs" in ''|*[!0-9]*|0*)
	echo "suite: RUNS='$runs': use the number of invocations, 1 or more" >&2; exit 2 ;;
esac
case "${SUITE_HUGEPAGES:-}" in *[!0-9]*)
	echo "suite: SUITE_HUGEPAGES='$SUITE_HUGEPAGES': use a number of huge pages, 0 for none" >&2; exit 2 ;;
esac

# hugepages_arg: "--hugepages N" when root, the kernel has hugetlb, and
# N huge pages fit in half of MemAvailable; else nothing (hugetlb cases
# then skip with the reason).
hugepages_arg() {
	want=${SUITE_HUGEPAGES:-$([ "$profile" = quick ] && echo 128 || echo 1024)}
	hp_kb=$(awk '/^Hugepagesize:/ { print $2 }' /proc/meminfo)
	avail_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
	have=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
	[ "$want" != 0 ] && [ -n "$hp_kb" ] && [ "$(id -u)" = 0 ] || return 0
	most=$((avail_kb / 2 / hp_kb))
	[ "$want" -le "$most" ] || want=$most
	[ "$want" -gt "$have" ] || return 0
	echo "--hugepages $want"
}
hugepages=$(hugepages_arg)

mkdir -p "$out"
# The benchmarks this directory owes: until each has written its file,
# every reader calls it an incomplete run (an interrupted suite is not a
# shorter result).
"$ws" manifest --expect "$benches" "$out"

"$ws" probe --json "$out/probe.json" >&2

total=$(echo "$benches" | wc -w)
i=0
failed=""
start=$(date +%s)
for b in $benches; do
	i=$((i + 1))
	now=$(date +%s)
	if [ "$i" -gt 1 ]; then
		eta=$(( (now - start) / (i - 1) * (total - i + 1) ))
		eta="ETA ~${eta}s"
	else
		eta="ETA unknown"
	fi
	var=SUITE_ARGS_$(echo "$b" | tr - _)
	eval "extra=\${$var:-}"
	# The header says what really ran: the profile, and what overrode it.
	sizes="profile $profile"
	[ -z "${SUITE_ARGS:-}$extra" ] || sizes="$sizes overridden by:${SUITE_ARGS:+ $SUITE_ARGS}${extra:+ $extra}"
	echo "[suite $i/$total] $b ($sizes, $runs invocation(s), elapsed $((now - start))s, $eta)" >&2
	# Huge pages only for a benchmark that maps hugetlb.
	reads=$("$ws" run "$b" --help | sed -n 's/^options this benchmark reads: //p')
	hp=
	case " ${SUITE_ARGS:-} $extra " in *" --hugepages "*) hugepages_here= ;; *) hugepages_here=$hugepages ;; esac
	case " $reads " in *" --backing "*) [ -z "$hugepages_here" ] || hp=$hugepages ;; esac
	# SUITE_BACKENDS / SUITE_BACKINGS where the benchmark reads them.
	sel=
	case " $reads " in *" --backend "*) sel="${SUITE_BACKENDS:+--backend $SUITE_BACKENDS}" ;; esac
	case " $reads " in *" --backing "*) sel="$sel${SUITE_BACKINGS:+ --backing $SUITE_BACKINGS}" ;; esac
	# A benchmark's own --invocations (SUITE_ARGS_<b>) wins over RUNS;
	# one invocation is the default, not said (an option twice is refused).
	inv="--invocations $runs"
	case " ${SUITE_ARGS:-} $extra " in
	*" --invocations "*) inv="" ;;
	esac
	[ "$runs" != 1 ] || inv=""
	# --tune on: performance governor and no deep C-states for the run
	# (restored after; the result records what was in force), unless
	# the arguments say otherwise (a reproduce command's --tune off):
	# wsbench refuses an option given twice.
	tune="--tune on"
	case " ${SUITE_ARGS:-} $extra " in
	*" --tune "* | *" --tune="*) tune= ;;
	esac
	# shellcheck disable=SC2086
	if ! "$ws" run "$b" --profile "$profile" --out "$out" \
		--run-id "$run_id" $tune $inv $hp $sel ${SUITE_ARGS:-} $extra; then
		failed="$failed $b"
	fi
done
echo "[suite] done in $(( $(date +%s) - start ))s -> $out" >&2
# Last: the directory must now be complete (every owed file written).
"$ws" manifest --check "$out" >&2 || failed="$failed (incomplete: see above)"
if [ -n "$failed" ]; then
	echo "[suite] FAILED:$failed" >&2
	exit 1
fi
