# shellcheck shell=bash disable=SC2034
# Helpers shared by scripts/vm-run.sh and tests/vm/run.sh (source, don't run).
#
# Exit codes of vm-run.sh, one per outcome.
VM_RC_SUCCESS=0		# guest job exited 0, kernel log clean
VM_RC_SUITE_FAILURE=1	# guest job exited non-zero, kernel log clean
VM_RC_BAD_USAGE=2	# bad option or argument
VM_RC_TIMEOUT=3		# host watchdog killed QEMU
VM_RC_KERNEL_OOPS=4	# oops/BUG/WARNING/panic/hung task/RCU stall logged
VM_RC_BOOT_FAILURE=5	# QEMU ended without a status from the guest

# Kernel log lines that make a run invalid whatever the job reported.
# Matched as extended regexps against console.log and dmesg.txt, which hold
# kernel and init messages only (the job's output goes to job.log).
VM_OOPS_PATTERNS='BUG: |kernel BUG at|WARNING: CPU: [0-9]+ PID: [0-9]+|WARNING: at |\<Oops\>|Kernel panic|general protection fault|Unable to handle kernel|INFO: task .* blocked for more than|rcu: INFO: .*detected stall|UBSAN: |Bad page (state|map)'

# vm_scan_oops FILE...: print the offending lines (at most 20, prefixed by
# the file name), return 0 when any file has one, 1 when all are clean.
vm_scan_oops() {
	local f found=1
	for f in "$@"; do
		[ -r "$f" ] || continue
		if grep -a -E -m 20 -H "$VM_OOPS_PATTERNS" "$f"; then
			found=0
		fi
	done
	return "$found"
}

# vm_detect_accel: set VM_ACCEL (kvm|tcg) and VM_ACCEL_REASON.
# KVM needs all three: hardware virtualisation in the CPU flags, a
# read-write /dev/kvm, and KVM_CREATE_VM succeeding (a nested or
# half-configured host can pass the first two and still fail).
# Overrides for tests: WSBENCH_CPUINFO, WSBENCH_KVM_DEV, WSBENCH_KVM_PROBE
# (a command run with the device path; exit 0 means KVM_CREATE_VM works).
vm_detect_accel() {
	local cpuinfo=${WSBENCH_CPUINFO:-/proc/cpuinfo}
	local dev=${WSBENCH_KVM_DEV:-/dev/kvm}

	VM_ACCEL=tcg
	if ! grep -q -w -E '^flags.*\<(vmx|svm)\>' "$cpuinfo" 2>/dev/null; then
		VM_ACCEL_REASON="no vmx/svm flag in $cpuinfo"
	elif ! [ -r "$dev" ] || ! [ -w "$dev" ]; then
		VM_ACCEL_REASON="$dev missing or not read-write"
	elif ! vm_kvm_probe "$dev" 2>/dev/null; then
		VM_ACCEL_REASON="KVM_CREATE_VM on $dev failed"
	else
		VM_ACCEL=kvm
		VM_ACCEL_REASON="vmx/svm present and KVM_CREATE_VM works"
	fi
}

vm_kvm_probe() {
	if [ -n "${WSBENCH_KVM_PROBE-}" ]; then
		$WSBENCH_KVM_PROBE "$1"
		return
	fi
	# KVM_CREATE_VM = _IO(0xAE, 0x01); it returns a VM fd on success.
	vm_python -c 'import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
os.close(fcntl.ioctl(fd, 0xAE01, 0))' "$1"
}

# Debian's python3 (only the standard library is used).
vm_python() {
	if [ -x /usr/bin/python3 ]; then
		/usr/bin/python3 "$@"
	else
		python3 "$@"
	fi
}

# vm_classify TIMED_OUT(0|1) OOPS(0|1) GUEST_STATUS(number or empty):
# print the outcome name and return its exit code.  A watchdog kill wins
# (the guest never finished); a kernel oops beats everything else because
# it invalidates whatever the job measured.
vm_classify() {
	local timed_out=$1 oops=$2 status=$3

	if [ "$timed_out" = 1 ]; then
		echo timeout; return "$VM_RC_TIMEOUT"
	elif [ "$oops" = 1 ]; then
		echo kernel-oops; return "$VM_RC_KERNEL_OOPS"
	elif ! [[ "$status" =~ ^[0-9]+$ ]]; then
		echo boot-failure; return "$VM_RC_BOOT_FAILURE"
	elif [ "$status" != 0 ]; then
		echo suite-failure; return "$VM_RC_SUITE_FAILURE"
	fi
	echo success; return "$VM_RC_SUCCESS"
}

# vm_numa_split MEM SMP NODES: set VM_NUMA_LAYOUT to "node:cpus:mem ..."
# (e.g. "0:0:1024M 1:1:1024M"): memory split evenly in MiB (the last node
# takes the remainder), node i gets vCPUs i*SMP/NODES .. (i+1)*SMP/NODES-1.
# MEM is QEMU's -m syntax (N or NM: MiB, NG: GiB).  Fails when a node
# would get less than 64 MiB or no vCPU.
vm_numa_split() {
	local mem=$1 smp=$2 nodes=$3 mib i first last size

	case "$mem" in
	*G) mib=$((${mem%G} * 1024)) ;;
	*M) mib=${mem%M} ;;
	*) mib=$mem ;;
	esac
	[ "$nodes" -ge 1 ] && [ "$nodes" -le "$smp" ] &&
		[ $((mib / nodes)) -ge 64 ] || return 1
	VM_NUMA_LAYOUT=
	for ((i = 0; i < nodes; i++)); do
		first=$((i * smp / nodes))
		last=$(((i + 1) * smp / nodes - 1))
		size=$((mib / nodes))
		[ "$i" != $((nodes - 1)) ] || size=$((mib - size * (nodes - 1)))
		[ "$first" = "$last" ] || first=$first-$last
		VM_NUMA_LAYOUT="$VM_NUMA_LAYOUT${VM_NUMA_LAYOUT:+ }$i:$first:${size}M"
	done
}

# Progress lines of the guest's job (the suite's "[suite i/N] ...", a
# benchmark's "[name i/N] ... ETA ...", a test job's "[e2e] step",
# nested-run.sh's "nested-run: ...").  job.log lives in the 9p share, so
# the host sees each line as soon as the guest writes it.
VM_PROGRESS_PATTERN='^(\[[^]]+\]|nested-run: )'

# vm_forward_progress FILE: print the progress lines FILE gained since the
# last call (complete lines only; VM_PROGRESS_OFF holds the byte offset,
# start it at 0), each prefixed "vm-run: guest: ".  Returns 0 when it
# printed a line, 1 when there was none.
vm_forward_progress() {
	local f=$1 size chunk lines
	size=$(stat -c %s "$f" 2>/dev/null) || return 1
	[ "$size" -gt "$VM_PROGRESS_OFF" ] || return 1
	# The sentinel keeps trailing newlines through $(...).
	chunk=$(tail -c +"$((VM_PROGRESS_OFF + 1))" "$f" | head -c "$((size - VM_PROGRESS_OFF))"; echo x)
	chunk=${chunk%x}
	case "$chunk" in *$'\n'*) ;; *) return 1 ;; esac
	chunk=${chunk%$'\n'*}$'\n'	# up to the last complete line
	VM_PROGRESS_OFF=$((VM_PROGRESS_OFF + $(printf '%s' "$chunk" | wc -c)))
	lines=$(printf '%s' "$chunk" | tr -d '\r' | grep -a -E "$VM_PROGRESS_PATTERN") || return 1
	printf '%s\n' "$lines" | sed 's/^/vm-run: guest: /' >&2
}
