#!/bin/sh
# wsbench attach on this host's kernel (TAP): bad input exits 2 before
# anything is touched; backends the kernel lacks are skips with the probe's
# reason; under wp (the uffd tracker this host has) the tiny target and fio
# get their evicted pages back -- fio's verify passes and its own per-I/O
# log scores the cold sets -- also when first touches race eviction;
# wsbench SIGKILLed in a freeze window (faults held, or the target stopped)
# leaves the target running with every page intact; hyperfine's JSON is
# folded into the result with a CI.  A battery of real programs (Python
# with hashlib, stress-ng --verify, bash -c, a static binary, crashes) must
# pass its own checks: evicted where the memory is the target's alone,
# refused with exit 2 and the reason where it is not.
set -u

cd "$(dirname "$0")/../.."
ws=${WSBENCH:-build/wsbench}
lib=$PWD/build/libwsbench-handoff.so
target=$PWD/build/tests/attach-target
py=/usr/bin/python3
tmp=$(mktemp -d)
# wsbench's work directories go here: none may be left, killed or not.
export TMPDIR="$tmp/tmpdir"
mkdir "$TMPDIR"
pids=""
trap 'for p in $pids; do kill -9 "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
n=0

ok() {	# ok STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
skip() { n=$((n + 1)); echo "ok $n - # SKIP $1"; }
q() {	# q FILE EXPR: a value from a JSON file
	"$py" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null
}
run_of() {	# the first tracked run of an attach.json, as python
	echo "d['results'][0]['runs'][0]['tracked']"
}

# bad DESC TEXT ARGS...: exit 2, TEXT in the message, nothing written.
bad() {
	desc=$1 want=$2
	shift 2
	out="$tmp/bad.$n"
	rc=0
	"$ws" attach --out "$out" "$@" >/dev/null 2>"$tmp/err" || rc=$?
	r=1
	if [ "$rc" = 2 ] && grep -q -- "$want" "$tmp/err" && [ ! -e "$out" ] &&
		[ "$(wc -l <"$tmp/err")" = 1 ]; then
		r=0
	else
		echo "# rc=$rc stderr: $(cat "$tmp/err")"
	fi
	ok "$r" "bad input: $desc -> exit 2, one line naming '$want', nothing written"
}

# start_target SOCKET ARGS...: the target under the preload library; $tpid.
start_target() {
	sock_=$1
	shift
	LD_PRELOAD=$lib WSBENCH_HANDOFF_SOCKET=$sock_ "$target" "$@" \
		>"$tmp/t.out" 2>"$tmp/t.err" &
	tpid=$!
	pids="$pids $tpid"
	sleep 0.3
}

"$ws" attach --help >/dev/null; ok $? "wsbench attach --help"

# --- bad input ------------------------------------------------------------
fio_job() {	# fio_job NAME SED-EXPR: a broken copy of zipf.fio
	sed "$2" workloads/fio/zipf.fio >"$tmp/$1.fio"
	echo "$tmp/$1.fio"
}
bad "no backend" "--backend is required" -- "$target"
bad "unknown backend" "use one of rwp" --backend frob -- "$target"
bad "neither --pid nor a command" "give either --pid" --backend wp
bad "unknown option" "unknown option '--frob'" --backend wp --frob 1 -- "$target"
bad "bad --select" "--select 'biggest'" --backend wp --select biggest -- "$target"
bad "zero --interval-ms" "--interval-ms" --backend wp --interval-ms 0 -- "$target"
bad "relative --truth-log" "absolute path" --backend wp --truth-log x.log -- "$target"
bad "a command that does not exist" "cannot run 'no-such-cmd'" --backend wp -- no-such-cmd
bad "--pid of no process" "no such process" --backend idle --no-evict --pid 2147483646
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	rc=0
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$ws" attach \
		--backend idle --no-evict --pid 1 --out "$tmp/nb" \
		>/dev/null 2>"$tmp/err" || rc=$?
	[ "$rc" = 2 ] && grep -q "not ours" "$tmp/err" && [ ! -e "$tmp/nb" ]
	ok $? "bad input: --pid of another user's process (as nobody, pid 1) -> exit 2 'not ours' ($(cat "$tmp/err"))"
else
	skip "no user nobody or no setpriv: cannot try a process that is not ours"
fi
sleep 30 &
spid=$!
pids="$pids $spid"
bad "--pid without a matching mapping" "has no mapping matching --select name=no-such-map" \
	--backend idle --no-evict --select name=no-such-map --pid "$spid"
bad "--pid without the library, uffd backend" "has not loaded libwsbench-handoff.so" \
	--backend wp --select largest,min=4K --pid "$spid"
start_target "$tmp/s1.sock" --seconds 3 --size 4194304
bad "--pid with the library but no --socket" "--pid needs --socket" \
	--backend wp --pid "$tpid"
wait "$tpid"
ok $? "... and that target, never touched, ran to its end with every page intact"
bad "a command that exits before handing off" "exited before handing off" \
	--backend wp -- /bin/true
bad "a statically linked command" "statically linked: LD_PRELOAD cannot load" \
	--backend wp -- "$target-static" --seconds 1
bad "a static program under bash -c" "statically linked program never runs the library" \
	--backend wp -- bash -c "$target-static --seconds 1 >/dev/null"
bad "no shared mapping (private memory only)" "no MAP_SHARED mapping" \
	--backend wp -- "$target" --kind anon --seconds 1
bad "fio job: ioengine not mmap" "ioengine must be mmap" --backend wp -- \
	fio "$(fio_job psync 's/^ioengine=mmap/ioengine=psync/')"
bad "fio job: no thread" "needs 'thread'" --backend wp -- \
	fio "$(fio_job fork '/^thread$/d')"
bad "fio job: file not on tmpfs" "is not on tmpfs" --backend wp -- \
	fio "$(fio_job disk "s|^filename=.*|filename=$PWD/build/x.dat|")"
bad "fio: --output given" "wsbench sets fio's output" --backend wp -- \
	fio --output=x workloads/fio/zipf.fio

# --- what the kernel lacks: a skip with the probe's reason -----------------
"$ws" probe --json "$tmp/probe.json" >/dev/null
for b in rwp idle softdirty damon; do
	if [ "$(q "$tmp/probe.json" "d['backends']['$b']['supported']")" = True ]; then
		skip "$b is supported here: measured in the VM test"
		continue
	fi
	"$ws" attach --backend "$b" --quiet --out "$tmp/skip-$b" -- "$target" \
		--seconds 1 >/dev/null 2>&1
	rc=$?
	[ "$rc" = 0 ] && [ "$(q "$tmp/skip-$b/attach.json" "d['skipped'][0]['reason']")" = \
		"$(q "$tmp/probe.json" "d['backends']['$b']['reason']")" ] &&
		[ "$(q "$tmp/skip-$b/attach.json" "len(d['results'])")" = 0 ]
	ok $? "$b unsupported here: skipped with the probe's reason, the command not run"
done
if [ "$(q "$tmp/probe.json" "d['backends']['wp']['supported']")" != True ]; then
	skip "wp unsupported here: $(q "$tmp/probe.json" "d['backends']['wp']['reason']"): the tiny target, the battery of real programs, fio and hyperfine not run"
	echo "1..$n"
	exit 0
fi

# --- wp on the tiny target --------------------------------------------------
t=$(run_of)
o=$tmp/target
"$ws" attach --backend wp --out "$o" --run-id a -- "$target" --seconds 3 \
	--size 16777216 >"$tmp/a.out" 2>"$tmp/a.err"
ok $? "wp on the tiny target: exit 0 ($(tail -n 1 "$tmp/a.err"))"
"$py" tests/validate_results.py "$o/attach.json" >/dev/null
ok $? "attach.json matches results/schema.json"
echo "# $(q "$o/attach.json" "{k: $t['run'][k] for k in ('intervals','evicted','refaults','restored_by_target','first_touches','ended')}")"
[ "$(q "$o/attach.json" "$t['run']['evicted'] > 0 and $t['run']['refaults'] > 0")" = True ]
ok $? "pages were evicted and refaulted"
[ "$(q "$o/attach.json" "$t['run']['evicted'] == $t['run']['refaults'] + $t['run']['restored_by_target'] + $t['run']['restored_by_wsbench'] and $t['run']['released']")" = True ]
ok $? "every evicted page came back: refaulted, or restored by the library at release"
[ "$(q "$o/attach.json" "($t['target']['exit_status'], d['results'][0]['runs'][0]['untracked']['target']['exit_status'])")" = "(0, 0)" ] &&
	[ "$(grep -c ' 0 bad (at the end 0, after re-mapping 0)' "$tmp/a.out")" = 2 ]
ok $? "the target checked every page it touched, tracked and alone: 0 bad"
echo "# $(q "$o/attach.json" "$t['run']['invariant']")"
[ "$(q "$o/attach.json" "(lambda v: v['intervals_checked'] == $t['run']['intervals'] and v['pages_lost'] == 0 and v['accounted_at_release'] and v['evicted'] == $t['run']['evicted'])($t['run']['invariant'])")" = True ]
ok $? "evicted = refaulted + still evicted + restored, checked in every interval and at release"
grep -q "range: /memfd:wsbench-target (deleted), 16384 KiB of pid [0-9]*: evicting" "$tmp/a.out"
ok $? "the summary names the range and says it is evicting ($(grep -o 'range: .*' "$tmp/a.out" | cut -c1-80)...)"

# First touches racing eviction: the handoff lands while the target still
# stamps its 64 MiB, and 30 ms intervals evict pages it has not reached.
"$ws" attach --backend wp --interval-ms 30 --cold-after 1 --no-untracked \
	--quiet --out "$tmp/race" -- "$target" --size 67108864 --seconds 2 \
	>"$tmp/race.out" 2>&1
rc=$?
[ "$rc" = 0 ] && grep -q ' 0 bad (at the end 0, after re-mapping 0)' "$tmp/race.out"
ok $? "first touches during eviction: 0 bad ($(grep -o '[0-9]* bad.*' "$tmp/race.out"); $(q "$tmp/race/attach.json" "$t['run']['first_touches']") first touches)"

# --- a wrapper: bash -c starts the program that hands the range over -------
# The pid scanned must be the one that handed off (SO_PEERCRED), not bash:
# bash's pagemap shows none of the range, every interval would be "hot 0"
# and the whole hot set evicted.
"$ws" attach --backend wp --no-untracked --out "$tmp/bash" -- bash -c \
	"$target --seconds 3 --size 67108864; exit \$?" >"$tmp/bash.out" 2>"$tmp/bash.err"
rc=$?
echo "# bash -c: $(grep -o '[0-9]* bad (.*)' "$tmp/bash.out"); $(q "$tmp/bash/attach.json" "($t['target']['pid'], $t['target']['tracked_pid'], $t['run']['evicted'], max(i['detected_ws_pages'] for i in $t['intervals']))") (command pid, tracked pid, evicted, largest hot set)"
[ "$rc" = 0 ] && grep -q ' 0 bad (at the end 0, after re-mapping 0)' "$tmp/bash.out" &&
	[ "$(q "$tmp/bash/attach.json" "$t['target']['tracked_pid'] != $t['target']['pid'] and $t['run']['evicted'] > 0 and max(i['detected_ws_pages'] for i in $t['intervals']) > 0")" = True ]
ok $? "bash -c wrapper: the pid that handed off is tracked (its hot set seen), pages evicted, 0 bad, exit $rc"

# --- who may connect ---------------------------------------------------------
bad "--socket in a directory other users may enter" "is open to other users" \
	--backend wp --pid 1 --socket /tmp/wsbench-x.sock
# Another user listens first on the path the target was told: the library
# must hand it nothing (not even HELLO), and the target runs on intact.
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	open=$(mktemp -d /tmp/wsbench-open.XXXXXX)
	chmod 1777 "$open"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$py" - "$open/s.sock" \
		>"$tmp/thief.out" 2>&1 <<'EOF' &
# A listener as the library would meet wsbench: HELLO in, SELECT out, then
# whatever it sends (RANGE with the memory fd) in.
import socket, struct, sys, array
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(sys.argv[1]); s.listen(4); s.settimeout(5)
got, fds = 0, 0
try:
    c, _ = s.accept(); c.settimeout(2)
    for i in range(2):
        msg, anc, fl, ad = c.recvmsg(4096, socket.CMSG_SPACE(16))
        got += len(msg)
        for lvl, typ, data in anc:
            fds += len(data) // 4
        if not msg:
            break
        if i == 0:
            sel = struct.pack("8I13Q256s256s", 0x66687377, 1, 2, 0, 0, 0, 0, 0,
                              0, 1 << 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, b"", b"")
            c.send(sel)
except Exception as e:
    print("listener:", type(e).__name__)
print("received %d bytes, %d fds" % (got, fds))
EOF
	thief=$!
	sleep 0.5
	WSBENCH_HANDOFF_SOCKET=$open/s.sock LD_PRELOAD=$lib "$target" --seconds 2 \
		>"$tmp/t.out" 2>"$tmp/t.err"
	trc=$?
	wait "$thief"
	rm -rf "$open"
	echo "# $(cat "$tmp/thief.out"); target: $(cat "$tmp/t.err")"
	grep -q "received 0 bytes, 0 fds" "$tmp/thief.out" && [ "$trc" = 0 ] &&
		grep -q ' 0 bad ' "$tmp/t.out" && grep -q "neither ours nor root: nothing handed" "$tmp/t.err"
	ok $? "a listener running as nobody on the target's socket path gets nothing (not even HELLO); the target ran intact"
else
	skip "no user nobody or no setpriv"
fi
# Two processes under the library on one socket: the command wsbench
# started (here a child of its bash, a second late) is tracked; the other,
# though it connects and offers its range first, gets BYE.
LD_PRELOAD=$lib WSBENCH_HANDOFF_SOCKET=$tmp/two.sock "$target" --seconds 4 \
	--size 33554432 >"$tmp/other.out" 2>&1 &
other=$!
pids="$pids $other"
"$ws" attach --backend wp --no-untracked --quiet --socket "$tmp/two.sock" \
	--out "$tmp/two" -- bash -c "sleep 1; $target --seconds 2; exit \$?" \
	>/dev/null 2>&1
rc=$?
wait "$other"
orc=$?
[ "$rc" = 0 ] && [ "$orc" = 0 ] &&
	[ "$(q "$tmp/two/attach.json" "$t['target']['tracked_pid'] != $other and $t['range']['len'] == 16777216")" = True ]
ok $? "the manager hands the session only to the command it started (or its descendants), not to another process on the socket: exit $rc, the other exit $orc"

# --- forks: a child shares the memory, not the uffd ------------------------
# The library hands the range back before fork() (every page restored), so
# the child never reads a hole as zeros.
"$ws" attach --backend wp --no-untracked --out "$tmp/fork" -- "$target" \
	--seconds 3 --size 16777216 --fork-after 1.5 >"$tmp/fork.out" 2>"$tmp/fork.err"
rc=$?
echo "# fork: $(grep -o '[0-9]* bad (.*' "$tmp/fork.out"); $(q "$tmp/fork/attach.json" "($t['run']['evicted'], $t['run']['ended'])"); $(grep -v 'interval [0-9]*:' "$tmp/fork.err" | tail -n 1)"
[ "$rc" = 0 ] && grep -q ' 0 bad (.*1 forked readers, 0 found bad pages' "$tmp/fork.out" &&
	[ "$(q "$tmp/fork/attach.json" "$t['run']['evicted'] > 0 and 'forked' in $t['run']['ended'] and $t['run']['invariant']['accounted_at_release']")" = True ]
ok $? "a forked reader of the tracked memory: pages evicted before the fork, the child and the parent read 0 bad, exit $rc"
# A child forked before the handoff maps the memory without the uffd.
start_target "$tmp/ff.sock" --seconds 2 --fork-first
rc=0
"$ws" attach --backend wp --pid "$tpid" --socket "$tmp/ff.sock" --out "$tmp/ff" \
	>/dev/null 2>"$tmp/ff.err" || rc=$?
wait "$tpid"
trc=$?
[ "$rc" = 2 ] && grep -q "maps .* too" "$tmp/ff.err" && [ ! -e "$tmp/ff" ] &&
	[ "$(wc -l <"$tmp/ff.err")" = 1 ] && [ "$trc" = 0 ] && grep -q ' 0 bad ' "$tmp/t.out"
ok $? "memory another process maps is refused before anything is evicted: exit $rc ($(cat "$tmp/ff.err")); the target exit $trc"

# --- outcomes: a crash, an idle range, SIGTERM -----------------------------
cat >"$tmp/crash.py" <<'EOF'
import mmap, os, signal, time
m = mmap.mmap(-1, 8 << 20)
for i in range(0, len(m), 4096):
    m[i] = 1
time.sleep(1.5)
os.kill(os.getpid(), signal.SIGSEGV)
EOF
rc=0
"$ws" attach --backend wp --no-untracked --quiet --out "$tmp/crash" -- "$py" \
	"$tmp/crash.py" >/dev/null 2>"$tmp/crash.err" || rc=$?
[ "$rc" = 1 ] && grep -q "killed by signal 11" "$tmp/crash.err" &&
	[ "$(q "$tmp/crash/attach.json" "$t['target']['signal']")" = 11 ]
ok $? "a target killed by SIGSEGV under tracking is a failure: exit $rc, $(tail -n 1 "$tmp/crash.err")"
rc=0
"$ws" attach --backend wp --no-untracked --out "$tmp/idle" -- "$py" -c \
	'import mmap, time; m = mmap.mmap(-1, 4 << 20); time.sleep(1.5)' \
	>"$tmp/idle.out" 2>/dev/null || rc=$?
[ "$rc" = 0 ] && grep -q "warning: the target touched no page of the range in any of the [0-9]* intervals" "$tmp/idle.out"
ok $? "a range idle in every interval is flagged: $(grep -o 'warning: .*intervals' "$tmp/idle.out")"
"$ws" attach --backend wp --out "$tmp/term" -- "$target" --seconds 60 \
	--size 16777216 >"$tmp/term.out" 2>"$tmp/term.err" &
wpid=$!
i=0
until grep -q "interval 3:" "$tmp/term.err" 2>/dev/null || [ $i -ge 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
t0=$(date +%s)
kill -TERM "$wpid"
wait "$wpid"
rc=$?
took=$(($(date +%s) - t0))
[ "$rc" = 1 ] && [ "$took" -le 5 ] && grep -q ' 0 bad ' "$tmp/term.out" &&
	[ "$(grep -c '^ready' "$tmp/term.out")" = 1 ] &&
	[ "$(q "$tmp/term/attach.json" "d['results'][0]['runs'][0]['untracked'] is None and $t['run']['released']")" = True ]
ok $? "SIGTERM: released, the command stopped, no untracked run started, exit $rc after ${took} s"

# --- a battery of real, unmodified programs ---------------------------------
# Each program checks its own memory: stress-ng's --verify, Python's hashlib
# (tests/attach/pymem.py).  Where the memory is the tracked process's alone
# pages must really be evicted (evicted > 0, said in the line); where it is
# not (stress-ng's stressors are forked children sharing the parent's
# memory), the run must be refused with exit 2 and the reason -- and the
# program's own check must pass either way.

# real NAME ARGS...: wsbench attach --backend wp --no-untracked ARGS into
# $tmp/NAME (stdout and stderr together in $tmp/NAME.log); $rc, $ev.
real() {
	name=$1
	shift
	rc=0
	"$ws" attach --backend wp --no-untracked --out "$tmp/$name" "$@" \
		>"$tmp/$name.log" 2>&1 || rc=$?
	ev=$(q "$tmp/$name/attach.json" "$t['run']['evicted']")
	ev=${ev:-0}
}
ended() { q "$tmp/$1/attach.json" "$t['run']['ended']"; }
accounted() {
	[ "$(q "$tmp/$1/attach.json" "$t['run']['invariant']['accounted_at_release'] and $t['run']['invariant']['pages_lost'] == 0")" = True ]
}
# The one line a refused run prints (wsbench's last).
refusal() { grep '^wsbench attach:' "$tmp/$1.log" | tail -n 1; }

real pybuf -- "$py" tests/attach/pymem.py buffers 2
v=$(grep -o 'pymem buffers: .*' "$tmp/pybuf.log")
[ "$rc" = 0 ] && [ "$ev" -gt 0 ] && echo "$v" | grep -q ', 0 bad$' &&
	ended pybuf | grep -q 'remapped the range (mremap)' && accounted pybuf
ok $? "python: memfd buffer rewritten, mremap-ed (grown), freed, a shared anonymous one after it: evicted $ev pages, hashlib: $v; exit $rc, ended: $(ended pybuf)"

real pyfork -- "$py" tests/attach/pymem.py fork 2
v=$(grep -o 'pymem fork: .*' "$tmp/pyfork.log")
[ "$rc" = 0 ] && [ "$ev" -gt 0 ] && echo "$v" | grep -q ', 0 bad$' &&
	! grep -q 'hash differs' "$tmp/pyfork.log" &&
	ended pyfork | grep -q 'the target forked' && accounted pyfork
ok $? "python forking a reader of its shared memory: evicted $ev pages before the fork, the child's and the parent's hashes equal ($v); exit $rc"

real pybash -- bash -c "$py tests/attach/pymem.py buffers 2; exit \$?"
v=$(grep -o 'pymem buffers: .*' "$tmp/pybash.log")
[ "$rc" = 0 ] && [ "$ev" -gt 0 ] && echo "$v" | grep -q ', 0 bad$' &&
	[ "$(q "$tmp/pybash/attach.json" "$t['target']['tracked_pid'] != $t['target']['pid']")" = True ]
ok $? "bash -c wrapping python: python (not bash) tracked, evicted $ev pages, $v; exit $rc"

cat >"$tmp/crash2.py" <<'PY'
import mmap, os, time
m = mmap.mmap(-1, 8 << 20)
m[:] = b"x" * len(m)
time.sleep(1)
os.abort()
PY
real crash2 -- bash -c "$py $tmp/crash2.py; exit \$?"
[ "$rc" = 1 ] && grep -q 'the command exited 134 under tracking' "$tmp/crash2.log"
ok $? "a crash under a bash -c wrapper (SIGABRT, bash exits 134) is a failure: exit $rc, $(grep -o 'the command exited .*' "$tmp/crash2.log")"
# The same crash landing in a collect (5 ms intervals: collects all the
# time): PAGEMAP_SCAN then finds no process, and that must read as the
# target's exit, not a tracker error (it did in 3 of 8 runs before).
bad=
for i in 1 2 3 4 5 6; do
	real crash2i --interval-ms 5 -- bash -c "$py $tmp/crash2.py; exit \$?"
	grep -q 'the command exited 134 under tracking' "$tmp/crash2i.log" || bad="$bad $i:$(grep '^wsbench attach:' "$tmp/crash2i.log" | tail -n 1)"
done
[ -z "$bad" ]
ok $? "the crash landing mid-collect (6 runs of 5 ms intervals) still reads as the command's exit 134${bad:+:$bad}"

real ldconfig -- /sbin/ldconfig -p
[ "$rc" = 2 ] && [ ! -e "$tmp/ldconfig" ] &&
	refusal ldconfig | grep -q 'statically linked: LD_PRELOAD cannot load'
ok $? "a real static binary (/sbin/ldconfig): refused: exit $rc, $(refusal ldconfig)"

# stress-ng's stressors are fork()ed children: the library hands nothing
# over in a child, and the parent's shared memory is mapped by its
# children too.  So: evicted with --verify passing, or refused (exit 2,
# one line), never corrupted; stress-ng's own verdict is checked in both.
# stress_ng NAME WHAT ARGS...: one stress-ng run under attach.  A run
# that ended with nothing evicted and nothing refused (the target unmapped
# the range, or forked, before a page went cold: seen under load) proves
# nothing either way: up to three tries.
stress_ng() {
	name=$1 what=$2
	shift 2
	for try in 1 2 3; do
		rm -rf "${tmp:?}/$name"
		real "$name" "$@"
		sbad=$(grep -E '^stress-ng: (fail|error)|corrupt|unsuccessful' "$tmp/$name.log")
		# Retried only when stress-ng itself verified this try.
		[ "$rc" = 0 ] && [ "$ev" = 0 ] && [ -z "$sbad" ] &&
			grep -q '] successful run completed' "$tmp/$name.log" || break
		echo "# stress-ng $what, try $try: nothing evicted, nothing refused: $(refusal "$name")"
	done
	if [ "$rc" = 0 ] && [ "$ev" -gt 0 ]; then
		out="evicted $ev pages, stress-ng verified"
	elif [ "$rc" = 2 ] && [ ! -e "$tmp/$name" ]; then
		out="refused: $(refusal "$name")"
	else
		out="exit $rc, evicted $ev: $(refusal "$name")"
		rc=x
	fi
	[ "$rc" != x ] && [ -z "$sbad" ] &&
		grep -q '] successful run completed' "$tmp/$name.log"
	ok $? "stress-ng $what: $out${sbad:+; stress-ng: $sbad}"
}
if ! command -v stress-ng >/dev/null; then
	skip "no stress-ng (make deps installs it)"
else
	sng="stress-ng --timeout 3s --verify --temp-path $tmp --metrics-brief"
	stress_ng sng-vm "--vm (all methods, 64M) --verify, --select name=/dev/zero" \
		--select name=/dev/zero -- $sng --vm 1 --vm-bytes 64M --vm-method all
	stress_ng sng-mmap "--mmap --mmap-file (MAP_SHARED) --verify" \
		-- $sng --mmap 1 --mmap-bytes 16M --mmap-file
	stress_ng sng-fork "--fork --verify" -- $sng --fork 1
fi

# --- wsbench SIGKILLed in a freeze window -----------------------------------
# kill_mid FREEZE: attach to a target, kill -9 wsbench while it lingers in a
# window after evicting; the target must finish with every page intact.
kill_mid() {
	sock=$tmp/k-$1.sock
	start_target "$sock" --seconds 6 --size 16777216
	"$ws" attach --backend wp --pid "$tpid" --socket "$sock" \
		--interval-ms 100 --test-hold-ms 500 --freeze "$1" \
		--out "$tmp/k-$1" >/dev/null 2>"$tmp/k-$1.err" &
	wpid=$!
	i=0
	until grep -q "evicted [1-9]" "$tmp/k-$1.err" 2>/dev/null || [ $i -ge 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	sleep 0.2	# into the next window's linger
	# pause: catch the target stopped (a loaded machine shifts windows).
	i=0
	while [ "$1" = pause ] && [ $i -lt 100 ] &&
		[ "$(cut -d' ' -f3 "/proc/$tpid/stat")" != T ]; do
		sleep 0.02
		i=$((i + 1))
	done
	state=$(cut -d' ' -f3 "/proc/$tpid/stat")
	kill -9 "$wpid"
	wait "$wpid" 2>/dev/null
	sleep 0.5
	after=$(cut -d' ' -f3 "/proc/$tpid/stat" 2>/dev/null)
	# Still stopped: the guardian failed (the check below says so); resume
	# it here so that the test fails instead of waiting forever.
	[ "$after" = T ] && kill -CONT "$tpid"
	wait "$tpid"
	rc=$?
	bad_=$(grep -o '[0-9]* bad (.*)' "$tmp/t.out")
	restored=$(sed -n 's/.*manager gone: \([0-9]*\) evicted pages restored, 0 failed.*/\1/p' "$tmp/t.err")
	echo "# freeze $1: target state at the kill $state, after $after; $(cat "$tmp/t.err")"
}
kill_mid auto
[ "$rc" = 0 ] && grep -q ' 0 bad ' "$tmp/t.out" && [ "${restored:-0}" -gt 0 ]
ok $? "wp sync freeze, wsbench SIGKILLed with pages evicted: the library restored $restored pages, the target finished: exit $rc, $bad_"
kill_mid pause
[ "$state" = T ] && [ "$after" != T ]
ok $? "--freeze pause, wsbench SIGKILLed while the target was stopped: the guardian resumed it ($state -> $after)"
[ "$rc" = 0 ] && grep -q ' 0 bad ' "$tmp/t.out" && [ "${restored:-0}" -gt 0 ]
ok $? "... and it finished: exit $rc, $bad_, $restored pages restored"

# --- fio under wp: its verify, its log as ground truth ----------------------
if ! command -v fio >/dev/null; then
	skip "no fio (scripts/deps.sh installs it)"
else
	f=$tmp/fio
	"$ws" attach --backend wp --out "$f" -- fio workloads/fio/zipf.fio \
		>"$tmp/fio.out" 2>"$tmp/fio.err"
	ok $? "wsbench attach --backend wp -- fio workloads/fio/zipf.fio: exit 0"
	sed 's/^/#   /' "$tmp/fio.out"
	"$py" tests/validate_results.py "$f/attach.json" >/dev/null
	ok $? "fio's attach.json matches the schema"
	[ "$(q "$f/attach.json" "(d['results'][0]['summary']['fio_verify'], d['results'][0]['summary']['fio_verify_untracked'])")" = "('passed', 'passed')" ]
	ok $? "fio's own verify passed, tracked and alone"
	[ "$(q "$f/attach.json" "$t['truth']['usable'] and $t['truth']['accesses'] > 0 and 0 < $t['run']['f1_cold'] <= 1")" = True ]
	ok $? "fio's iops log is ground truth: cold-set F1 $(q "$f/attach.json" "$t['run']['f1_cold']") over $(q "$f/attach.json" "$t['truth']['accesses']") logged I/Os"
	[ "$(q "$f/attach.json" "all(k in d['results'][0]['metrics'] for k in ('fio_read_iops','fio_read_iops_untracked','fio_read_clat_p99_ns','fio_read_clat_p99_ns_untracked'))")" = True ]
	ok $? "fio's throughput and latency, tracked and untracked, are in the metrics"
	[ "$(q "$f/attach.json" "$t['run']['evicted'] > 0 and $t['run']['evicted'] == $t['run']['refaults'] + $t['run']['restored_by_target'] + $t['run']['restored_by_wsbench']")" = True ]
	ok $? "fio's cold pages were evicted, and every one came back"
fi

# --- hyperfine: the command alone vs under attach ---------------------------
if ! command -v hyperfine >/dev/null; then
	skip "no hyperfine (scripts/deps.sh installs it)"
else
	h=$tmp/ab
	"$ws" attach --backend wp --ab-runs 2 --ab-rounds 2 --ab-warmup 0 \
		--quiet --out "$h" -- "$target" --seconds 1 --size 8388608 \
		>/dev/null 2>"$tmp/ab.err"
	ok $? "hyperfine A/B: exit 0 $(tail -n 1 "$tmp/ab.err")"
	ab="d['results'][0]['ab']"
	echo "# A/B: $(q "$h/attach.json" "($ab['median_s_alone'], $ab['median_s'], $ab['slowdown_pct'], $ab['slowdown_pct_ci95'])")"
	[ "$(q "$h/attach.json" "len($ab['exports']) == 2 and all(len(e['results']) == 2 for e in $ab['exports']) and $ab['nonzero_exits'] == 0")" = True ]
	ok $? "hyperfine's --export-json of both rounds is folded into the result"
	[ "$(q "$h/attach.json" "$ab['slowdown_pct_ci95'][0] <= $ab['slowdown_pct'] <= $ab['slowdown_pct_ci95'][1]")" = True ] &&
		[ "$(q "$h/attach.json" "(d['results'][0]['metrics']['ab_wall_s']['summary']['n'], d['results'][0]['metrics']['ab_wall_s_alone']['summary']['n'])")" = "(4, 4)" ]
	ok $? "its slowdown has a bootstrap CI around it, and both wall-time series hold all 4 runs"
	"$py" tests/validate_results.py "$h/attach.json" >/dev/null
	ok $? "the A/B result matches the schema"
	# fio under hyperfine: wsbench sets fio's output itself, so the
	# command under attach must not carry the one the alone run gets.
	if command -v fio >/dev/null; then
		"$ws" attach --backend wp --ab-runs 1 --ab-rounds 2 \
			--ab-warmup 0 --no-untracked --quiet --out "$tmp/abf" -- \
			fio workloads/fio/zipf.fio >/dev/null 2>"$tmp/abf.err"
		rc=$?
		[ "$rc" = 0 ] && [ "$(q "$tmp/abf/attach.json" "$ab['nonzero_exits'] == 0 and '--output' not in $ab['command_tracked'] and '--output=' in $ab['command_alone']")" = True ]
		ok $? "hyperfine A/B of fio: exit $rc, every run exit 0 ($(tail -n 1 "$tmp/abf.err"))"
	fi
fi
sleep 0.2	# the janitors of SIGKILLed runs
left=$(ls -A "$TMPDIR")
[ -z "$left" ]
ok $? "nothing left in TMPDIR, SIGKILLed runs included ($left)"
echo "1..$n"
