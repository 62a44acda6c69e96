#!/bin/sh
# Knobs across runs (issue 16 items 5, 6): two overlapping runs asking for
# different THP modes, a run refused (--knob-wait 0) naming the holder, a
# run that only relies on the knobs keeping a knob run waiting, a
# SIGKILLed run whose knobs the next run restores, and a knob changed
# under a run by someone else.  Needs root (it writes THP and
# nr_hugepages, restoring them); other tests sharing the machine should
# run it under flock /tmp/wsbench-hosttest.lock.  TAP output.
set -u

cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
tmp=$(mktemp -d)
thp=/sys/kernel/mm/transparent_hugepage/enabled
nrhp=/proc/sys/vm/nr_hugepages
journal=/run/wsbench/knobs.journal

skip_all() {
	echo "1..0 # SKIP $1"
	rm -rf "$tmp"
	exit 0
}

thp_now() { sed 's/.*\[\(.*\)\].*/\1/' "$thp"; }

[ "$(id -u)" = 0 ] || skip_all "not root (uid $(id -u)): cannot write THP or nr_hugepages"
[ -w "$thp" ] || skip_all "no writable $thp (kernel without THP?)"
[ -w "$nrhp" ] || skip_all "no writable $nrhp (kernel without hugetlb?)"
mkdir -p /run/wsbench 2>/dev/null || skip_all "cannot create /run/wsbench"
"$ws" probe | grep -q '^wp  *supported' || skip_all "uffd-wp (the wp backend) is not supported here"
[ ! -e "$journal" ] || skip_all "$journal exists: a wsbench run is changing knobs, or one died: run wsbench once to restore"
thp0=$(thp_now)
hp0=$(cat "$nrhp")
# Whatever happens, the machine as found (and no process of ours left).
cleanup() {
	for p in ${pids:-}; do kill -KILL "$p" 2>/dev/null; done
	echo "$thp0" >"$thp"
	echo "$hp0" >"$nrhp"
	rm -rf "$tmp"
}
trap cleanup EXIT
pids=""

# Long runs last about 2 x intervals x 100 ms (tracked and untracked
# twins), whatever the machine's speed, and record little: a timed
# fault-latency run spends minutes on the statistics of its samples.
long="run vmm-cycle --backend wp --backing anon --size 4M --vcpus 1 --cold-after 1 --pattern churn --min-reps 1 --interval-ms 100 --quiet"
short="run fault-latency --backend wp --backing anon --mode async --pages 64 --warmup 0 --min-reps 3 --max-reps 3 --min-time 0 --quiet"
jq() {	# jq RESULT-DIR PYTHON-EXPRESSION-OF-d (its one benchmark file)
	"$py" -c "import glob,json,sys; f=[f for f in glob.glob(sys.argv[1] + '/*.json') if not f.endswith('/manifest.json')]; d=json.load(open(f[0])); print($2)" "$1" 2>/dev/null
}
wait_for() {	# wait_for SECONDS SHELL-CONDITION
	i=0
	while ! eval "$2" && [ $i -lt $(($1 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	eval "$2"
}
other=never
[ "$thp0" = never ] && other=always
# holds_lock PID: PID has an flock granted (not waited for) in /proc/locks.
holds_lock() { awk -v p="$1" '$2 == "FLOCK" && $5 == p { f = 1 } END { exit !f }' /proc/locks; }

# --- two overlapping runs, each asking for another THP mode --------------
# B, started while A runs, would outlast it: without the lock A restores
# madvise under B, and B then "restores" A's always (issue 16, item 5).
"$ws" $long --intervals 20 --thp always --out "$tmp/A" --run-id A 2>"$tmp/A.err" &
a=$!
pids="$a"
# A has changed THP; with the lock it holds it already (an old wsbench
# does not: B must still start while A runs).
wait_for 20 '[ "$(thp_now)" = always ]'
wait_for 3 'holds_lock $a'
"$ws" $long --intervals 30 --thp never --out "$tmp/B" --run-id B 2>"$tmp/B.err" &
b=$!
pids="$a $b"
rc_a=0; wait $a || rc_a=$?
rc_b=0; wait $b || rc_b=$?
pids=""
[ "$rc_a" = 0 ] && [ "$rc_b" = 0 ]
ok $? "overlapping --thp always / --thp never runs both exit 0 (got $rc_a, $rc_b)"
[ "$(thp_now)" = "$thp0" ]
ok $? "THP as found after both ($thp0, is $(thp_now))"
[ "$(jq "$tmp/A" "d['environment']['mm']['thp_enabled']")" = always ] &&
	[ "$(jq "$tmp/B" "d['environment']['mm']['thp_enabled']")" = never ]
ok $? "each JSON records its own mode (A $(jq "$tmp/A" "d['environment']['mm']['thp_enabled']"), B $(jq "$tmp/B" "d['environment']['mm']['thp_enabled']"))"
grep -q "another wsbench run holds the knobs (pid $a: .*--thp always.*): waiting for it to end" "$tmp/B.err"
ok $? "the second run waited, naming the holder's pid and command"
[ "$(jq "$tmp/A" "len(d['errors'])")" = 0 ] && [ "$(jq "$tmp/B" "len(d['errors'])")" = 0 ]
ok $? "neither run's knobs changed under it (no error recorded)"
[ "$(jq "$tmp/B" "d['started_at'] >= json.load(open(sys.argv[1] + '/../A/vmm-cycle.json'))['finished_at']")" = True ]
ok $? "B started measuring only after A had finished (started_at, finished_at)"

# --- --knob-wait 0: refused at once, naming the holder, nothing touched --
"$ws" $long --intervals 40 --thp always --out "$tmp/H" --run-id H 2>"$tmp/H.err" &
h=$!
pids="$h"
wait_for 20 '[ "$(thp_now)" = always ]'
wait_for 3 'holds_lock $h'
rc=0
"$ws" $short --thp never --knob-wait 0 --out "$tmp/R" --run-id R 2>"$tmp/R.err" || rc=$?
[ "$rc" = 2 ] && [ "$(thp_now)" = always ] && [ ! -e "$tmp/R" ] &&
	grep -q "another wsbench run holds the knobs (pid $h: .*--run-id H.*): not waiting" "$tmp/R.err"
ok $? "--thp never --knob-wait 0 while H holds: exit $rc, names pid $h and its command, THP and disk untouched"
rc=0
"$ws" $short --knob-wait 0 --out "$tmp/P" --run-id P 2>"$tmp/P.err" || rc=$?
[ "$rc" = 2 ] && [ ! -e "$tmp/P" ] && grep -q "holds the knobs (pid $h: " "$tmp/P.err"
ok $? "a run without knob options is refused too (exit $rc): it would record H's THP mode, then run under another"
wait $h
pids=""
[ "$(thp_now)" = "$thp0" ]
ok $? "THP back to $thp0 after H"

# --- a run relying on the knobs as found keeps a knob run waiting --------
"$ws" $long --intervals 30 --out "$tmp/S" --run-id S 2>"$tmp/S.err" &
s=$!
pids="$s"
sleep 1
wait_for 3 'holds_lock $s'
"$ws" $short --thp "$other" --out "$tmp/T" --run-id T 2>"$tmp/T.err" &
t=$!
pids="$s $t"
sleep 1
thp_mid=$(thp_now)
rc_s=0; wait $s || rc_s=$?
rc_t=0; wait $t || rc_t=$?
pids=""
[ "$thp_mid" = "$thp0" ] && [ "$rc_s" = 0 ] && [ "$rc_t" = 0 ] &&
	[ "$(jq "$tmp/S" "len(d['errors'])")" = 0 ] &&
	[ "$(jq "$tmp/S" "d['environment']['mm']['thp_enabled']")" = "$thp0" ] &&
	[ "$(jq "$tmp/T" "d['environment']['mm']['thp_enabled']")" = "$other" ] &&
	grep -q "holds the knobs (pid $s: .*--run-id S" "$tmp/T.err"
ok $? "--thp $other waited for a plain run S (THP during S: $thp_mid; exits $rc_s, $rc_t; each JSON true)"

# --- SIGKILL: the next run restores what the dead one left ---------------
"$ws" $long --intervals 3000 --thp "$other" --hugepages 2 --out "$tmp/K" \
	--run-id K 2>"$tmp/K.err" &
k=$!
pids="$k"
wait_for 20 '[ "$(thp_now)" = "$other" ] && [ "$(cat $nrhp)" = 2 ]'
ok $? "the run to be killed changed THP to $other and nr_hugepages to 2"
kill -KILL "$k"
wait "$k" 2>/dev/null
pids=""
[ -s "$journal" ] && [ "$(thp_now)" = "$other" ] && [ "$(cat $nrhp)" = 2 ] &&
	grep -q "^owner $k " "$journal"
ok $? "after SIGKILL the knobs are left changed and the journal names its run"
rc=0
"$ws" $short --out "$tmp/N" --run-id N 2>"$tmp/N.err" || rc=$?
[ "$rc" = 0 ] && [ "$(thp_now)" = "$thp0" ] && [ "$(cat $nrhp)" = "$hp0" ] &&
	[ ! -e "$journal" ]
ok $? "the next run (no knob options) restored THP $thp0 and nr_hugepages $hp0 (exit $rc; is $(thp_now), $(cat $nrhp))"
grep -q "died without restoring them (owner $k .*--run-id K.*): restoring them first" "$tmp/N.err" &&
	grep -q "transparent_hugepage/enabled -> $thp0\$" "$tmp/N.err" &&
	grep -q "nr_hugepages -> $hp0\$" "$tmp/N.err"
ok $? "... and said so on stderr, naming the dead run and each knob"
[ "$(jq "$tmp/N" "d['environment']['mm']['thp_enabled']")" = "$thp0" ] &&
	[ "$(jq "$tmp/N" "d['environment']['mm']['nr_hugepages']")" = "$hp0" ]
ok $? "... before measuring: its JSON records THP $thp0, nr_hugepages $hp0"

# --- a knob changed under a run by someone else is caught at its end -----
"$ws" $long --intervals 30 --out "$tmp/C" --run-id C 2>"$tmp/C.err" &
c=$!
pids="$c"
sleep 1
echo "$other" >"$thp"
rc=0; wait "$c" || rc=$?
pids=""
echo "$thp0" >"$thp"
[ "$rc" = 1 ] && grep -q "knobs changed under the run: thp_enabled was \"$thp0\" when the run started, \"$other\" at its end" "$tmp/C.err" &&
	[ "$(jq "$tmp/C" "any('thp_enabled was' in e.get('error', '') for e in d['errors'])")" = True ]
ok $? "THP changed mid-run by someone else: exit $rc, the result's errors say so"

echo "1..$n"
