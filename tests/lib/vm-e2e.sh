# Sourced by the VM end-to-end tests (tests/vm-e2e*/run.sh): TAP helpers,
# a JSON query, and the kernel, image and VM steps they share.
# shellcheck shell=sh

. tests/lib/tap.sh
finish() { echo "1..$n"; [ "$fails" = 0 ]; exit $?; }
py=/usr/bin/python3
# q FILE EXPR: print a Python expression over the JSON d of FILE.
q() { "$py" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }

# e2e_ran DIR BENCH [WHAT]: the guest's `wsbench run BENCH` into DIR exited
# 0 (no backend errors; else its stderr's start is in the line) and
# DIR/BENCH.json matches results/schema.json.  Two TAP lines.
e2e_ran() {
	local r=0
	[ "$(cat "$1/$2.rc" 2>/dev/null)" = 0 ] || r=1
	ok "$r" "guest: ${3:+$3 }wsbench run $2 exits 0 (no backend errors)$([ "$r" = 0 ] || printf ': %s' "$(head -c 300 "$1/$2.err" 2>/dev/null)")"
	"$py" tests/validate_results.py "$1/$2.json" >/dev/null 2>&1
	ok $? "guest: ${3:+$3 }$2.json matches results/schema.json"
}

# e2e_kernel KERNEL: build or reuse it, kdir= its cache directory; stops
# the test when the build fails.
e2e_kernel() {
	t0=$(date +%s)
	rc=0
	kdir=$(KERNEL=$1 kernel/build.sh) || rc=$?
	kdir=$(printf '%s\n' "$kdir" | tail -n 1)
	ok "$rc" "make kernel KERNEL=$1: built or reused ($(( $(date +%s) - t0 ))s)"
	[ "$rc" = 0 ] || finish
}

# e2e_image: build or reuse the guest image, image= its path.
e2e_image() {
	t0=$(date +%s)
	rc=0
	image=$(images/build.sh) || rc=$?
	image=$(printf '%s\n' "$image" | tail -n 1)
	ok "$rc" "make image: guest image built or reused ($(( $(date +%s) - t0 ))s)"
	[ "$rc" = 0 ] || finish
}

# e2e_share NAME: a fresh share directory (kept when E2E_KEEP is set).
e2e_share() {
	share=$(mktemp -d "${TMPDIR:-/tmp}/wsbench-$1.XXXXXX")
	[ -n "${E2E_KEEP:-}" ] || trap 'rm -rf "$share"' EXIT
}

# e2e_vm_run VM-RUN OPTIONS...: scripts/vm-run.sh, all its output in
# $share/vm-run.out and, as it happens, on make test's terminal (fd 3 of
# scripts/test.sh; stderr when run by hand): the guest's progress lines
# and the runner's heartbeat.  Sets rc to vm-run.sh's exit code.
e2e_vm_run() {
	if { true >&3; } 2>/dev/null; then e2e_fd=3; else e2e_fd=2; fi
	rm -f "$share/vm-run.rc"
	{ scripts/vm-run.sh "$@" 2>&1 || echo "$?" >"$share/vm-run.rc"; } |
		tee "$share/vm-run.out" | sed -u 's/^/   /' >&"$e2e_fd"
	rc=$(cat "$share/vm-run.rc" 2>/dev/null || echo 0)
}

# e2e_boot TIMEOUT [VM-RUN OPTIONS...]: run $share/job.sh in the guest
# (4G unless the options say otherwise); says how it went.
e2e_boot() {
	timeout=$1
	shift
	t0=$(date +%s)
	e2e_vm_run --kernel "$kdir" --image "$image" --job "$share/job.sh" \
		--share "$share" --timeout "$timeout" --mem 4G "$@" \
		--wsbench build/wsbench
	echo "# VM run took $(( $(date +%s) - t0 ))s, vm-run.sh exit $rc"
	[ "$rc" = 0 ] || { tail -n 20 "$share/vm-run.out" | sed 's/^/# /'; tail -n 30 "$share/console.log" 2>/dev/null | sed 's/^/#   console: /'; }
	ok "$rc" "guest booted, ran the job and powered off cleanly (no oops/BUG/WARNING/hung task)"
}
