#!/bin/bash
# TAP tests of scripts/vm-run.sh, scripts/vm-lib.sh and the guest image.
#
# Fast tests (options, accelerator choice, outcome classification) always
# run.  The end-to-end boots run when a guest kernel exists (WSBENCH_KERNEL_DIR
# or the newest in the cache) and the image exists or can be built; set
# WSBENCH_VM_E2E=0 to skip them.
set -u

repo=$(cd "$(dirname "$0")/../.." && pwd)
vm_run=$repo/scripts/vm-run.sh
. "$repo/scripts/vm-lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wsbench-vmtest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

n=0 passed=0 failed=0
ok() {	# ok COND-EXIT-CODE DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"; passed=$((passed + 1))
	else
		echo "not ok $n - $2"; failed=$((failed + 1))
	fi
}
skip() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $1 # SKIP $2"; }

# --- bad options: exit 2 and name the option ------------------------------
echo 'exit 0' >"$tmp/job.sh"
bad_option() {	# bad_option NAME-IN-MESSAGE ARGS...
	local want=$1 rc=0; shift
	"$vm_run" "$@" >/dev/null 2>"$tmp/err" || rc=$?
	local args="$*" res=1
	[ "$rc" = 2 ] && grep -q -- "$want" "$tmp/err" && res=0
	ok $res "bad option: ${args//$tmp/T} -> exit 2 naming $want (got $rc)"
}
common=(--job "$tmp/job.sh" --share "$tmp/share" --kernel "$tmp")
bad_option --frobnicate --frobnicate
bad_option --timeout "${common[@]}" --timeout soon
bad_option --timeout "${common[@]}" --timeout 0
bad_option --timeout "${common[@]}" --timeout
bad_option --mem "${common[@]}" --mem 2X
bad_option --smp "${common[@]}" --smp 0
bad_option 'auto, kvm, tcg' "${common[@]}" --accel fast
bad_option --extra-file "${common[@]}" --extra-file /etc/hostname
bad_option --extra-file "${common[@]}" --extra-file /etc/hostname:relative/path
bad_option --job --share "$tmp/share" --kernel "$tmp"
bad_option --job --job "$tmp/missing.sh" --share "$tmp/share" --kernel "$tmp"
bad_option --share --job "$tmp/job.sh" --kernel "$tmp"
bad_option --kernel "${common[@]}"
bad_option --numa "${common[@]}" --numa 3
bad_option --numa "${common[@]}" --numa two
bad_option --numa "${common[@]}" --numa 2 --mem 100M

# --- NUMA topology: memory and vCPUs split over the nodes -------------------
numa_case() {	# numa_case MEM SMP NODES WANT
	local got
	got=$(bash -c '. "$1"; vm_numa_split "$2" "$3" "$4" && echo "$VM_NUMA_LAYOUT"' _ "$repo/scripts/vm-lib.sh" "$1" "$2" "$3")
	[ "$got" = "$4" ]
	ok $? "numa split: -m $1 -smp $2, $3 nodes -> '$4' (got '$got')"
}
numa_case 4G 2 2 "0:0:2048M 1:1:2048M"
numa_case 2048 3 2 "0:0:1024M 1:1-2:1024M"
numa_case 1000M 4 3 "0:0:333M 1:1:333M 2:2-3:334M"
numa_case 2G 2 1 "0:0-1:2048M"

# --- accelerator choice ---------------------------------------------------
printf 'processor\t: 0\nflags\t\t: fpu vme sse2 ht\n' >"$tmp/cpuinfo.novirt"
printf 'processor\t: 0\nflags\t\t: fpu vme vmx sse2\n' >"$tmp/cpuinfo.vmx"
printf 'processor\t: 0\nflags\t\t: fpu svm sse2\n' >"$tmp/cpuinfo.svm"
: >"$tmp/kvm"
accel_case() {	# accel_case WANT CPUINFO DEV PROBE DESCRIPTION
	local got
	got=$(WSBENCH_CPUINFO=$2 WSBENCH_KVM_DEV=$3 WSBENCH_KVM_PROBE=$4 \
		bash -c '. "$1"; vm_detect_accel; echo "$VM_ACCEL: $VM_ACCEL_REASON"' _ "$repo/scripts/vm-lib.sh")
	[ "${got%%:*}" = "$1" ]
	ok $? "accel: $5 -> $1 ($got)"
}
accel_case tcg "$tmp/cpuinfo.novirt" "$tmp/kvm" true "no vmx/svm flag"
accel_case tcg "$tmp/cpuinfo.vmx" "$tmp/nokvm" true "vmx but no /dev/kvm"
accel_case tcg "$tmp/cpuinfo.vmx" "$tmp/kvm" false "vmx, /dev/kvm, KVM_CREATE_VM fails"
accel_case kvm "$tmp/cpuinfo.vmx" "$tmp/kvm" true "vmx, /dev/kvm, KVM_CREATE_VM works"
accel_case kvm "$tmp/cpuinfo.svm" "$tmp/kvm" true "svm, /dev/kvm, KVM_CREATE_VM works"
# The real ioctl probe on a regular file must fail, never claim KVM.
accel_case tcg "$tmp/cpuinfo.vmx" "$tmp/kvm" "" "vmx, fake /dev/kvm, real ioctl probe"
rc=0
out=$(WSBENCH_CPUINFO=$tmp/cpuinfo.novirt "$vm_run" --detect-accel 2>&1) || rc=$?
[ "$rc" = 0 ] && [ "${out%%:*}" = tcg ]
ok $? "vm-run.sh --detect-accel prints the choice ($out)"
rc=0
WSBENCH_CPUINFO=$tmp/cpuinfo.novirt "$vm_run" --accel kvm "${common[@]}" \
	>/dev/null 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q -- '--accel kvm' "$tmp/err"
ok $? "--accel kvm without KVM -> exit 2 naming --accel"

# --- kernel log classification ---------------------------------------------
cat >"$tmp/clean.log" <<'EOF'
[    0.000000] Linux version 7.3.0 (root@build) #1 SMP PREEMPT
[    0.512000] clocksource: Switched to clocksource tsc-early
[    1.204000] Run /init as init process
wsbench-init: init started at uptime 1.30s
wsbench-init: job exited with status 0 at uptime 9.20s
EOF
oops_case() {	# oops_case LINE
	{ cat "$tmp/clean.log"; echo "$1"; } >"$tmp/bad.log"
	vm_scan_oops "$tmp/bad.log" >/dev/null
	ok $? "kernel log with '$1' is an oops"
}
oops_case '[   12.3] BUG: kernel NULL pointer dereference, address: 0000000000000008'
oops_case '[   12.3] WARNING: CPU: 0 PID: 87 at mm/userfaultfd.c:1234 uffd_foo+0x12/0x40'
oops_case '[   12.3] Oops: 0002 [#1] PREEMPT SMP NOPTI'
oops_case '[  243.1] INFO: task fio:211 blocked for more than 120 seconds.'
oops_case '[   12.3] Kernel panic - not syncing: Attempted to kill init!'
oops_case '[   12.3] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:'
oops_case '[   12.3] kernel BUG at mm/memory.c:4321!'
oops_case '[   12.3] BUG: Bad page state in process wsbench  pfn:12345'
vm_scan_oops "$tmp/clean.log" >/dev/null
[ $? = 1 ]
ok $? "clean kernel log is not an oops"
vm_scan_oops "$tmp/clean.log" "$tmp/missing.txt" "$tmp/bad.log" >/dev/null
ok $? "an oops in the second of several logs is found (missing files ignored)"

# --- the guest's progress lines, forwarded as they land in job.log --------
log=$tmp/progress.log
VM_PROGRESS_OFF=0
printf 'probe output\n[suite 1/3] correctness (ETA unknown)\n[corr' >"$log"
vm_forward_progress "$log" 2>"$tmp/fwd"; got=$(cat "$tmp/fwd")
[ "$got" = "vm-run: guest: [suite 1/3] correctness (ETA unknown)" ]
ok $? "progress: a complete [step i/N] line is forwarded, other output is not (got '$got')"
printf 'ectness 2/96] wp/anon/sync  elapsed 3s, ETA 1m\n' >>"$log"
vm_forward_progress "$log" 2>"$tmp/fwd"; got=$(cat "$tmp/fwd")
[ "$got" = "vm-run: guest: [correctness 2/96] wp/anon/sync  elapsed 3s, ETA 1m" ]
ok $? "progress: a line written in two pieces is forwarded once, whole (got '$got')"
vm_forward_progress "$log" 2>/dev/null
[ $? = 1 ]
ok $? "progress: nothing new, nothing forwarded (the heartbeat's turn)"

classify_case() {	# classify_case WANT-NAME WANT-RC TIMED_OUT OOPS STATUS
	local got rc=0
	got=$(vm_classify "$3" "$4" "$5") || rc=$?
	[ "$got" = "$1" ] && [ "$rc" = "$2" ]
	ok $? "outcome(timed_out=$3 oops=$4 status='$5') = $1/$2 (got $got/$rc)"
}
classify_case success 0 0 0 0
classify_case suite-failure 1 0 0 7
classify_case timeout 3 1 0 ""
classify_case timeout 3 1 1 ""
classify_case kernel-oops 4 0 1 0
classify_case kernel-oops 4 0 1 ""
classify_case boot-failure 5 0 0 ""
classify_case boot-failure 5 0 0 "garbage"

# --- end to end under QEMU --------------------------------------------------
kdir=${WSBENCH_KERNEL_DIR:-}
if [ -z "$kdir" ]; then
	kdir=$(ls -td "${WSBENCH_CACHE:-$HOME/.cache/wsbench}"/kernel/*/ 2>/dev/null |
		while read -r d; do [ -f "$d/bzImage" ] && { echo "${d%/}"; break; }; done)
fi
why=
if [ "${WSBENCH_VM_E2E:-1}" = 0 ]; then
	why="WSBENCH_VM_E2E=0"
elif [ -z "$kdir" ] || [ ! -f "$kdir/bzImage" ]; then
	why="no guest kernel built (make kernel)"
elif ! command -v qemu-system-x86_64 >/dev/null; then
	why="qemu-system-x86_64 not installed"
else
	image=${WSBENCH_IMAGE:-$("$repo/images/build.sh" 2>"$tmp/image.err" | tail -n1)}
	[ -f "$image" ] || why="no guest image ($(tail -n1 "$tmp/image.err"))"
fi

e2e() {	# e2e NAME TIMEOUT JOB-TEXT -> runs vm-run.sh, sets rc
	printf '%s\n' "$3" >"$tmp/$1.sh"
	rc=0
	"$vm_run" --kernel "$kdir" --image "$image" --job "$tmp/$1.sh" \
		--share "$tmp/$1" --timeout "$2" --accel tcg 2>"$tmp/$1.err" || rc=$?
}
json_get() { vm_python -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2" 2>/dev/null; }

if [ -n "$why" ]; then
	for t in "boot: trivial job succeeds" "boot: share receives the job's file" \
		"boot: vm.json records success" "boot: failing job (exit 7) -> suite failure" \
		"boot: guest status 7 reaches the host" "boot: hung job -> timeout" \
		"boot: guest dies without a status -> boot failure" \
		"boot: the guest's progress reaches the host while it runs"; do
		skip "$t" "$why"
	done
else
	start=$(date +%s%N)
	e2e hello 300 'echo hello > /mnt/share/hello; exit 0'
	secs=$(awk -v ns="$(($(date +%s%N) - start))" 'BEGIN { printf "%.1f", ns / 1e9 }')
	[ "$rc" = 0 ]
	ok $? "boot: trivial job succeeds (exit $rc, ${secs}s under TCG, boot $(json_get "$tmp/hello/vm.json" boot_s_host)s)"
	[ "$(cat "$tmp/hello/hello" 2>/dev/null)" = hello ]
	ok $? "boot: share receives the job's file"
	[ "$(json_get "$tmp/hello/vm.json" outcome)" = success ] &&
		[ "$(json_get "$tmp/hello/vm.json" accel)" = tcg ]
	ok $? "boot: vm.json records success under tcg"
	[ "$rc" = 0 ] || sed 's/^/# /' "$tmp/hello.err" "$tmp/hello/console.log" | tail -n 30

	e2e fail 300 'echo failing on purpose; exit 7'
	[ "$rc" = 1 ] && [ "$(json_get "$tmp/fail/vm.json" outcome)" = suite-failure ]
	ok $? "boot: failing job (exit 7) -> suite failure (exit $rc)"
	[ "$(cat "$tmp/fail/guest-status" 2>/dev/null)" = 7 ] &&
		grep -q 'failing on purpose' "$tmp/fail/job.log"
	ok $? "boot: guest status 7 and job.log reach the host (qemu exit $(json_get "$tmp/fail/vm.json" qemu_exit))"

	e2e hang 45 'sleep 1000'
	[ "$rc" = 3 ] && [ "$(json_get "$tmp/hang/vm.json" outcome)" = timeout ]
	ok $? "boot: hung job -> timeout (exit $rc)"

	# The job powers the VM off under init's feet: no guest-status.
	e2e vanish 300 'busybox poweroff -f'
	[ "$rc" = 5 ] && [ "$(json_get "$tmp/vanish/vm.json" outcome)" = boot-failure ]
	ok $? "boot: guest dies without a status -> boot failure (exit $rc)"

	# The job waits for the host to answer its progress line: forwarded
	# only when the guest has ended, the wait would time out (exit 1).
	printf '%s\n' 'echo "[stream 1/1] waiting for the host" >&2' \
		't0=$(cut -d" " -f1 /proc/uptime); i=0' \
		'while [ ! -e /mnt/share/ack ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i + 1)); done' \
		'echo "waited $(awk -v a="$t0" -v b="$(cut -d" " -f1 /proc/uptime)" "BEGIN { print b - a }")s"' \
		'[ -e /mnt/share/ack ]' >"$tmp/stream.sh"
	mkdir -p "$tmp/stream"
	rc=0
	"$vm_run" --kernel "$kdir" --image "$image" --job "$tmp/stream.sh" \
		--share "$tmp/stream" --timeout 300 --accel tcg 2>"$tmp/stream.err" &
	vpid=$!
	until grep -q 'vm-run: guest: \[stream 1/1\]' "$tmp/stream.err" 2>/dev/null ||
		! kill -0 "$vpid" 2>/dev/null; do
		sleep 0.2
	done
	: >"$tmp/stream/ack"
	wait "$vpid" || rc=$?
	[ "$rc" = 0 ]
	ok $? "boot: the guest's progress reaches the host while it runs (exit $rc, $(grep -o 'waited [0-9.]*s' "$tmp/stream/job.log" 2>/dev/null || echo 'no answer'))"
fi

echo "1..$n"
echo "vm: $passed passed, $failed failed"
[ "$failed" = 0 ]
