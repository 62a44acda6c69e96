#!/bin/sh
# The two series issue 15 asks of wsbench attach --backend wp, RUNS times
# each (default 10), with the counts at the end:
#   stress-ng --verify: evicted and verified, or refused (exit 2, a reason);
#                       never corrupted
#   a bash -c wrapper:  clean (exit 0, the program read 0 bad pages) with
#                       pages evicted
# Needs the wp backend (the host kernel's uffd write-protect) and stress-ng
# (make deps).  Each stress-ng run takes about 45 s (20 s tracked, 20 s
# alone), each wrapper run about 6 s.
set -eu

cd "$(dirname "$0")/.."
runs=${RUNS:-10}
ws=build/wsbench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# tracked DIR EXPR: EXPR of the first tracked run (t) of DIR/attach.json.
tracked() {
	python3 -c "import json,sys
t = json.load(open(sys.argv[1]))['results'][0]['runs'][0]['tracked']
print($2)" "$1/attach.json" 2>/dev/null || echo '?'
}

# stress-ng's own verdict against it: fail/error lines, "unsuccessful run".
stress_bad() {
	grep -E '^stress-ng: (fail|error)|corrupt|unsuccessful' "$1" || true
}

good=0 refused=0 corrupt=0 other=0 i=0
while [ "$i" -lt "$runs" ]; do
	i=$((i + 1))
	o=$tmp/s$i
	rc=0
	"$ws" attach --backend wp --select name=/dev/zero --out "$o" -- \
		stress-ng --vm 1 --vm-bytes 64M --vm-method all --verify \
		--timeout 20s >"$o.log" 2>&1 || rc=$?
	bad=$(stress_bad "$o.log")
	ev=$(tracked "$o" "t['run']['evicted']")
	if [ -n "$bad" ]; then
		corrupt=$((corrupt + 1))
		what="CORRUPTED: $bad"
	elif ! grep -q '] successful run completed' "$o.log"; then
		other=$((other + 1))
		what="stress-ng did not report a successful run"
	elif [ "$rc" = 0 ] && [ "$ev" != '?' ] && [ "$ev" -gt 0 ]; then
		good=$((good + 1))
		what="evicted $ev pages; stress-ng: successful run"
	elif [ "$rc" = 2 ] && [ ! -e "$o" ]; then
		refused=$((refused + 1))
		what="stress-ng: successful run; $(grep '^wsbench attach:' "$o.log" | tail -n 1)"
	else
		other=$((other + 1))
		what="exit $rc, evicted $ev: $(grep '^wsbench attach:' "$o.log" | tail -n 1)"
	fi
	echo "stress-ng run $i: exit $rc: $what"
done
echo "stress-ng --vm --verify: $runs runs: $good evicted and verified, $refused refused (exit 2) with stress-ng's run successful, $corrupt corrupted, $other other"

clean=0 i=0
while [ "$i" -lt "$runs" ]; do
	i=$((i + 1))
	o=$tmp/b$i
	rc=0
	"$ws" attach --backend wp --no-untracked --out "$o" -- bash -c \
		"build/tests/attach-target --seconds 5 --size 67108864; exit \$?" \
		>"$o.log" 2>&1 || rc=$?
	ev=$(tracked "$o" "t['run']['evicted']")
	verdict=$(grep -o '[0-9]* bad (.*)' "$o.log" || echo 'no verdict')
	if [ "$rc" = 0 ] && [ "$ev" != '?' ] && [ "$ev" -gt 0 ] &&
		grep -q ' 0 bad (at the end 0, after re-mapping 0)' "$o.log"; then
		clean=$((clean + 1))
	fi
	echo "bash -c run $i: exit $rc, evicted $ev, $verdict"
done
echo "bash -c wrapper: $runs runs: $clean clean with pages evicted"
