#!/bin/sh
# Bad input and faults, as a hostile reviewer would try them (issue 16):
# broken, doctored, incomplete and non-regular result files fed to every
# reader; --out into an existing result; output to a full device; bad
# options.  Every bad input must exit 2 with a message naming the problem,
# write nothing and change nothing (files and knobs compared before and
# after).  TAP output; the last comment line counts the bad inputs tried.
set -u	# keep going after a failed check: every check reports

cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
tap_tmp
mkdir "$tmp/state"
tried=0
refused_ok=0
# A reader that blocks (a FIFO) must fail the check, not hang the suite.
limit="timeout -k 5 20"

# What must not change: every file under $tmp (names, sizes, contents)
# and the knobs a run may write.
knobs="/sys/kernel/mm/transparent_hugepage/enabled /proc/sys/vm/nr_hugepages"
state() {
	(cd "$tmp" && find . -path ./state -prune -o -print | LC_ALL=C sort |
		while read -r f; do
			if [ -f "$f" ] && [ ! -p "$f" ]; then
				echo "$f $(md5sum <"$f" 2>/dev/null)"
			else
				echo "$f"
			fi
		done)
	cat $knobs 2>/dev/null
}

# refused DESC WANT CMD...: exit 2, stderr has WANT, stdout empty, nothing
# under $tmp or in the knobs changed.
refused() {
	desc=$1 want=$2
	shift 2
	tried=$((tried + 1))
	state >"$tmp/state/before"
	rc=0
	$limit "$@" >"$tmp/state/out" 2>"$tmp/state/err" </dev/null || rc=$?
	state >"$tmp/state/after"
	r=1
	if [ "$rc" = 2 ] && grep -qF -- "$want" "$tmp/state/err" &&
		[ ! -s "$tmp/state/out" ] &&
		cmp -s "$tmp/state/before" "$tmp/state/after"; then
		r=0
		refused_ok=$((refused_ok + 1))
	else
		echo "# rc=$rc stderr: $(head -c 600 "$tmp/state/err")"
		echo "# stdout: $(head -c 200 "$tmp/state/out")"
		diff "$tmp/state/before" "$tmp/state/after" | sed 's/^/# changed: /' | head -5
	fi
	ok "$r" "$desc -> exit 2 naming '$want', nothing written or changed"
}

# every_reader DESC WANT DIR: summary, compare and report all refuse DIR.
every_reader() {
	refused "summary, $1" "$2" "$ws" summary "$3"
	refused "compare, $1" "$2" "$ws" compare "$A" "$3"
	refused "report, $1" "$2" "$ws" report "$3"
}

"$ws" probe | grep -q '^wp  *supported' || skip_all "uffd-wp (the wp backend) is not supported here"

# --- a tiny valid run, and doctored copies of it --------------------------
A=$tmp/A
reps="--min-reps 3 --max-reps 3 --min-time 0 --warmup 0"
"$ws" run fault-latency --backend wp --backing anon --mode async \
	--pages 64 $reps --out "$A" --run-id A --quiet 2>/dev/null &&
	"$ws" run correctness --backend wp --backing anon --out "$A" \
		--run-id A --quiet 2>/dev/null
ok $? "setup: a tiny fault-latency and correctness run of wp"
"$ws" summary "$A" >"$tmp/sum.txt" 2>"$tmp/err"
ok $? "summary of the valid run exits 0 (the checks refuse nothing sound)"

copy() {	# copy NAME: a copy of run A to doctor
	rm -rf "${tmp:?}/$1"
	cp -r "$A" "$tmp/$1"
}

F=fault-latency.json
copy trunc
head -c 3000 "$A/$F" >"$tmp/trunc/$F"
every_reader "a file cut at 3000 bytes" "$tmp/trunc/$F: not valid JSON" "$tmp/trunc"
copy array
echo '[1,2,3]' >"$tmp/array/$F"
every_reader "[1,2,3]" "$tmp/array/$F: not a JSON object" "$tmp/array"
copy v99
doctor "$tmp/v99" $F "d['schema_version'] = 99"
every_reader "schema_version 99" "$tmp/v99/$F: schema_version 99" "$tmp/v99"
copy nan
sed 's/"median": [0-9.e+-]*/"median": NaN/' "$A/$F" >"$tmp/nan/x" && mv "$tmp/nan/x" "$tmp/nan/$F"
every_reader "NaN for a median" "$tmp/nan/$F: not valid JSON" "$tmp/nan"
copy inf
sed 's/"median": [0-9.e+-]*/"median": 1e999/' "$A/$F" >"$tmp/inf/x" && mv "$tmp/inf/x" "$tmp/inf/$F"
every_reader "1e999 for a median" "$tmp/inf/$F: not valid JSON" "$tmp/inf"
copy misnamed
cp "$A/$F" "$tmp/misnamed/set-mode.json"
every_reader "fault-latency's file named set-mode.json" "$tmp/misnamed/set-mode.json: holds benchmark 'fault-latency'" "$tmp/misnamed"
copy dir
mkdir "$tmp/dir/set-mode.json"
every_reader "a directory named set-mode.json" "$tmp/dir/set-mode.json: not a regular file" "$tmp/dir"
copy loop
ln -s set-mode.json "$tmp/loop/set-mode.json"
every_reader "a self-looping symlink" "$tmp/loop/set-mode.json: Too many levels of symbolic links" "$tmp/loop"
copy fifo
mkfifo "$tmp/fifo/set-mode.json"
every_reader "a FIFO named set-mode.json" "$tmp/fifo/set-mode.json: not a regular file (a FIFO)" "$tmp/fifo"
copy mixed
doctor "$tmp/mixed" $F "d['run_id'] = 'other-run'"
every_reader "files of two runs mixed" "run_id 'other-run' differs" "$tmp/mixed"
mkdir "$tmp/empty"
every_reader "an empty directory" "$tmp/empty: no <benchmark>.json" "$tmp/empty"
every_reader "a missing directory" "$tmp/nope: No such file or directory" "$tmp/nope"

# Invariants: the field is named.
copy npages
doctor "$tmp/npages" $F "d['results'][0]['params']['npages'] = -1000"
every_reader "npages -1000" "results[0].params.npages: -1000: a count cannot be negative" "$tmp/npages"
SER="s = [c for c in d['results'] if c['backend'] == 'wp'][0]['metrics']['fault_write_ns']"
copy outside
doctor "$tmp/outside" $F "$SER
s['summary']['ci_median']['center'] = s['summary']['ci_median']['hi'] * 2 + 1"
every_reader "an interval's center outside it" "lies outside its own interval" "$tmp/outside"
copy ci1
doctor "$tmp/ci1" $F "$SER
s['summary']['ci95_median'] = [1]"
every_reader "a one-element ci95_median" "summary.ci95_median is not [lo, hi] (1 elements)" "$tmp/ci1"
copy emptyrep
doctor "$tmp/emptyrep" $F "$SER
s['rep_sizes'] = s['rep_sizes'] + [0]"
every_reader "an empty repetition" "rep_sizes[3] is not a positive integer" "$tmp/emptyrep"
copy emptyseries
doctor "$tmp/emptyseries" $F "$SER
s['samples'] = []; s['rep_sizes'] = []; s['summary']['n'] = 0"
every_reader "an empty series" "fault_write_ns: an empty series" "$tmp/emptyseries"
copy nothing
doctor "$tmp/nothing" $F "d['results'] = []; d['skipped'] = []; d['errors'] = []"
every_reader "a file with no case, skip or error" "$tmp/nothing/$F: (top level): no case, no skip, no error" "$tmp/nothing"
copy prec
doctor "$tmp/prec" correctness.json "d['results'][0]['accuracy']['precision'] = 1.5"
every_reader "precision 1.5" "accuracy.precision: 1.5: a fraction must lie in [0, 1]" "$tmp/prec"

# --- a run directory is complete or says it is not ----------------------
copy nomanifest
rm "$tmp/nomanifest/manifest.json"
every_reader "no manifest (an interrupted run)" "$tmp/nomanifest: incomplete run: no manifest.json" "$tmp/nomanifest"
copy pending
"$ws" manifest --expect "set-mode vmm-cycle" "$tmp/pending"
every_reader "a suite that still owes two benchmarks" "incomplete run: manifest.json still owes [\"set-mode\",\"vmm-cycle\"]" "$tmp/pending"
copy unlisted
doctor "$tmp/unlisted" manifest.json "del d['files']['$F']"
every_reader "a result file the manifest does not list" "incomplete run: $F is not in its manifest.json" "$tmp/unlisted"
copy missing
rm "$tmp/missing/correctness.json"
every_reader "a listed file missing" "manifest.json lists correctness.json, which is missing" "$tmp/missing"
WSBENCH_ACCEPT_INCOMPLETE=1 "$ws" summary "$tmp/nomanifest" >/dev/null
ok $? "WSBENCH_ACCEPT_INCOMPLETE=1: an incomplete run is read when asked to"

# --- run --out never replaces a result, never mixes two runs -------------
refused "run --out into a directory holding that benchmark's file" \
	"$A/$F already exists" "$ws" run fault-latency --backend wp \
	--backing anon --mode async --pages 64 $reps --out "$A" --run-id A --quiet
refused "run --out into another run's directory" "$A holds run 'A'" \
	"$ws" run set-mode --backend wp --backing anon $reps --out "$A" \
	--run-id B --quiet

# --- smaller bad inputs (issue 16 item 9) ---------------------------------
refused "compare --pair naming a backend run A never measured" \
	"--pair rwp=nosuch: RUN_A ($A) has no case of backend 'rwp' (it has: " \
	"$ws" compare --pair rwp=nosuch "$A" "$A"
refused "compare --pair naming a backend run B never measured" \
	"--pair wp=nosuch: RUN_B ($A) has no case of backend 'nosuch'" \
	"$ws" compare --pair wp=nosuch "$A" "$A"
refused "--hugepages beyond this machine's memory" \
	"--hugepages 1048576: 1048576 huge pages of" \
	"$ws" run fault-latency --backend wp --backing anon --mode async \
	--pages 64 $reps --hugepages 1048576 --out "$tmp/hp" --quiet
refused "--backend wp --backend idle (a repeated option)" \
	"--backend given twice ('wp', then 'idle'): give it once" \
	"$ws" run fault-latency --backend wp --backend idle --out "$tmp/rep"
refused "--quiet --quiet (a repeated flag)" "--quiet given twice" \
	"$ws" run fault-latency --backend wp --quiet --quiet --out "$tmp/rep"
# restore (issue 20): its own options and --backing.
refused "restore --backing with an unknown backing" \
	"--backing: 'ram' is not a backing: use one or more of anon, anon-thp, shmem, hugetlb, gmem, or all" \
	"$ws" run restore --backing ram --out "$tmp/rs"
refused "restore --populate with an unknown method" \
	"--populate: 'mmap' is not a populate: use one or more of write, copy, alias, or all" \
	"$ws" run restore --populate write,mmap --out "$tmp/rs"
refused "restore --holes above 100" "--holes" \
	"$ws" run restore --holes 150 --out "$tmp/rs"
refused "--populate on a benchmark that does not read it" \
	"--populate is not used by this benchmark" \
	"$ws" run fault-latency --populate alias --out "$tmp/rs"
refused "a newline in --run-id" \
	"--run-id: 'a' is followed by character 2, byte 0x0a, which a run id cannot hold: use 1 to 100 characters from A-Z a-z 0-9 . _ + -" \
	"$ws" run fault-latency --run-id "$(printf 'a\nb')" --out "$tmp/id"
refused "a 5000-character --run-id" "--run-id: a run id of 5000 characters: use 1 to 100" \
	"$ws" run fault-latency --run-id "$(printf "%05000d" 0)" --out "$tmp/id"
refused "--run-id ../x" "--run-id: '../x' starts with '.'" \
	"$ws" run fault-latency --run-id ../x --out "$tmp/id"
refused "attach --run-id with a space" "--run-id: 'a' is followed by character 2, byte 0x20" \
	"$ws" attach --backend wp --run-id "a b" --out "$tmp/id" -- true
refused "probe --json into a missing directory" \
	"wsbench probe: --json $tmp/no/dir/p.json: cannot write it: No such file or directory" \
	"$ws" probe --json "$tmp/no/dir/p.json"
refused "verify --keep where nothing can be created" \
	"wsbench verify: --keep /proc/nope: cannot create it" \
	"$ws" verify --keep /proc/nope "$A"
printf 'region hot 20%%\nregion cold 80%%\nphase steady 10s\n\thot uniform weight 1e-300\n' >"$tmp/tiny-weight.pat"
refused "pattern weight 1e-300 (exponent notation)" \
	"got '1e-300'" "$ws" pattern check "$tmp/tiny-weight.pat"
grep_honest() {	# the refusal must not claim 1e-300 is out of range only
	"$ws" pattern check "$tmp/tiny-weight.pat" 2>&1 | grep -q "no exponent"
}
grep_honest
ok $? "... and its message says why: exponents are not accepted, not that 1e-300 is out of (0, 1000000]"
# Repeated options are refused, so the suite must not add --tune on to a
# reproduce command's --tune off (a stub wsbench records the arguments).
printf '#!/bin/sh\necho "$*" >>"%s/stub.args"\n' "$tmp" >"$tmp/stub"
chmod +x "$tmp/stub"
WSBENCH=$tmp/stub SUITE_BENCHMARKS="correctness set-mode" \
	SUITE_ARGS_correctness="--tune off" scripts/suite.sh "$tmp/suite" quick 2>/dev/null
[ "$(grep -c -- '--tune' "$tmp/stub.args")" = 2 ] &&
	grep -q '^run correctness .*--tune off$' "$tmp/stub.args" &&
	grep -q '^run set-mode .*--tune on$' "$tmp/stub.args" &&
	! grep -q -- '--invocations' "$tmp/stub.args"
ok $? "suite.sh gives --tune once: the caller's --tune off, else its own --tune on"
rm -rf "$tmp/suite" "$tmp/stub" "$tmp/stub.args"
# The suite runs every benchmark README lists (damon-sweep included),
# reserves huge pages for those that map hugetlb (never twice), and its
# header says what overrode the profile (a stub that reads --backing).
printf '#!/bin/sh\ncase "$*" in *--help*) echo "options this benchmark reads: --backing --size" ;; *) echo "$*" >>"%s/stub.args" ;; esac\n' "$tmp" >"$tmp/stub"
chmod +x "$tmp/stub"
WSBENCH=$tmp/stub SUITE_HUGEPAGES=4 SUITE_ARGS_vmm_cycle="--size 16M" \
	SUITE_ARGS_correctness="--hugepages 2" scripts/suite.sh "$tmp/suite" quick 2>"$tmp/suite.err"
r=0
grep -q '^run damon-sweep ' "$tmp/stub.args" || r=1
grep -q '^\[suite [0-9]/[0-9]\] vmm-cycle (profile quick overridden by: --size 16M,' "$tmp/suite.err" || r=1
grep -q '^\[suite [0-9]/[0-9]\] set-mode (profile quick,' "$tmp/suite.err" || r=1
[ "$(grep '^run correctness' "$tmp/stub.args" | grep -o -- '--hugepages' | wc -l)" = 1 ] || r=1
if [ "$(id -u)" = 0 ] && [ "$(cat /proc/sys/vm/nr_hugepages)" -lt 4 ] &&
	grep -q '^Hugepagesize:' /proc/meminfo; then
	grep -q '^run set-mode .*--hugepages 4' "$tmp/stub.args" || r=1
fi
[ "$r" = 0 ] || { sed 's/^/# /' "$tmp/stub.args" "$tmp/suite.err"; }
ok "$r" "suite.sh: runs damon-sweep, reserves huge pages once per run (SUITE_HUGEPAGES), its header names what overrode the profile"
rm -rf "$tmp/suite" "$tmp/stub.args"
# SUITE_BACKENDS/SUITE_BACKINGS (make bench KERNEL=gmem: all of both) go
# only to the benchmarks that read them: damon-sweep has no --backend.
printf '#!/bin/sh\ncase "$*" in "run damon-sweep --help") echo "options this benchmark reads: --backing --size" ;; *--help*) echo "options this benchmark reads: --backend --backing" ;; *) echo "$*" >>"%s/stub.args" ;; esac\n' "$tmp" >"$tmp/stub"
WSBENCH=$tmp/stub SUITE_HUGEPAGES=0 SUITE_BENCHMARKS="correctness damon-sweep" \
	SUITE_BACKENDS=all SUITE_BACKINGS=all scripts/suite.sh "$tmp/suite" quick 2>/dev/null
grep -q '^run correctness .*--backend all --backing all' "$tmp/stub.args" &&
	grep -q '^run damon-sweep .* --backing all' "$tmp/stub.args" &&
	! grep '^run damon-sweep ' "$tmp/stub.args" | grep -q -- '--backend'
ok $? "suite.sh: SUITE_BACKENDS/SUITE_BACKINGS reach only the benchmarks that read --backend/--backing"
WSBENCH=$tmp/stub SUITE_HUGEPAGES=x scripts/suite.sh "$tmp/suite" quick 2>"$tmp/err"
[ $? = 2 ] && grep -q "SUITE_HUGEPAGES='x'" "$tmp/err"
ok $? "suite.sh: SUITE_HUGEPAGES=x -> exit 2 naming it"
rm -rf "$tmp/suite" "$tmp/stub" "$tmp/stub.args"
# make deps-plots / deps-host install only what drawing / a host run need:
# a dpkg that has nothing installed and a user who is not root make
# deps.sh list what it would install, and install nothing.
mkdir -p "$tmp/nodeps"
printf '#!/bin/sh\nexit 1\n' >"$tmp/nodeps/dpkg-query"
printf '#!/bin/sh\necho 1000\n' >"$tmp/nodeps/id"
chmod +x "$tmp/nodeps/dpkg-query" "$tmp/nodeps/id"
for set in plots host guest; do
	PATH="$tmp/nodeps:$PATH" sh scripts/deps.sh "$set" 2>"$tmp/deps-$set" >/dev/null
done
grep -q "need root to install: python3 gnuplot-nox\$" "$tmp/deps-plots" &&
	grep -q "gcc" "$tmp/deps-host" && grep -q "gnuplot-nox" "$tmp/deps-host" &&
	! grep -qE "qemu|mkosi|debootstrap|flex|bison" "$tmp/deps-host" &&
	grep -qE "qemu-system-x86.*mkosi" "$tmp/deps-guest"
ok $? "deps.sh: plots installs python3 and gnuplot only, host no QEMU/mkosi/debootstrap/flex/bison, guest those"
rc=0; sh scripts/deps.sh bogus 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q "'bogus' is not a set: use plots, host, guest, test, all or lava" "$tmp/err"
ok $? "deps.sh bogus: exit 2 naming the sets"
# Root-only settings are refused before anything is created.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups "$ws" list >/dev/null 2>&1; then
	refused "--thp as a user who cannot write it (nobody)" \
		"--thp never: cannot write /sys/kernel/mm/transparent_hugepage/enabled: Permission denied (setting it needs root" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$ws" run \
		fault-latency --backend wp --thp never --out "$tmp/nobody"
	refused "--hugepages as a user who cannot write it (nobody)" \
		"--hugepages 2: cannot write /proc/sys/vm/nr_hugepages: Permission denied (setting it needs root" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$ws" run \
		fault-latency --backend wp --hugepages 2 --out "$tmp/nobody"
else
	ok 0 "# SKIP root-only settings as a non-root user: needs root and setpriv to become nobody"
fi
# plots/plot.sh: a [1,2,3] file is an unreadable result (its documented
# exit 1, the other figures still drawn), said in one line, no traceback.
copy plotarray
echo '[1,2,3]' >"$tmp/plotarray/$F"
rc=0
plots/plot.sh "$tmp/plotarray" >"$tmp/plot.out" 2>"$tmp/plot.err" || rc=$?
[ "$rc" = 1 ] && grep -q "^plots: fault-latency: $tmp/plotarray/$F: not a JSON object (a list): not a wsbench result" "$tmp/plot.err" &&
	! grep -q Traceback "$tmp/plot.err"
ok $? "plots/plot.sh on a [1,2,3] $F: exit $rc, one line naming the file, no traceback"

# --- output errors are errors -------------------------------------------
for cmd in "summary $A" "compare $A $A" "compare --json $A $A" "report $A" \
	list probe; do
	rc=0
	# shellcheck disable=SC2086
	"$ws" $cmd >/dev/full 2>"$tmp/err" || rc=$?
	[ "$rc" != 0 ] && grep -q "cannot write to standard output" "$tmp/err"
	ok $? "wsbench $cmd >/dev/full: exit $rc, says the output was lost"
done

echo "# bad inputs: $tried tried, $refused_ok exited 2 naming the problem with nothing written or changed"
[ "$tried" = "$refused_ok" ]
ok $? "all $tried bad inputs refused cleanly"
echo "1..$n"
