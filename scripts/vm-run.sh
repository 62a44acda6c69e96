#!/bin/bash
# Boot the wsbench guest kernel + image under QEMU, run one job script in it
# and collect what it leaves in a shared directory.
#
# usage: scripts/vm-run.sh --job FILE --share DIR [options]
#   --kernel DIR          kernel/build.sh cache dir (bzImage, build.json);
#                         default: the newest one in the cache
#   --image PATH          base image (images/build.sh output); default: run
#                         images/build.sh (a cache hit when nothing changed)
#   --job FILE            shell script run inside the guest (required)
#   --share DIR           host dir exported over virtio-9p as /mnt/share
#                         (required; created if missing)
#   --timeout SECONDS     watchdog for the whole VM (default 1800)
#   --mem SIZE            guest memory, e.g. 2048M or 4G (default 2G)
#   --smp N               vCPUs (default 2)
#   --numa N              N NUMA nodes (QEMU -numa): memory and vCPUs split
#                         evenly, node i gets vCPUs i*smp/N..; N <= --smp;
#                         default 0: no topology given (one node)
#   --accel auto|kvm|tcg  (default auto: kvm only when it really works)
#   --wsbench PATH        wsbench binary (default build/wsbench if present)
#   --extra-file SRC:DEST put SRC at absolute guest path DEST (repeatable)
#   --append ARGS         extra kernel command line
#   --detect-accel        print the accelerator choice and why, then exit
#
# Leaves in the share: console.log, job.log, guest-status, dmesg.txt,
# guest-times, overlay.sha256sums, vm.json.  Exit code = outcome:
# 0 success, 1 suite failure, 2 bad usage, 3 timeout, 4 kernel oops/BUG/
# WARNING/hung task in the kernel log, 5 boot failure (no guest status).
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/scripts/vm-lib.sh"

say() { echo "vm-run: $*" >&2; }
usage_error() { say "$*"; exit "$VM_RC_BAD_USAGE"; }
die() { say "error: $*"; exit "$VM_RC_BOOT_FAILURE"; }

kernel_dir= image= job= share= timeout=1800 mem=2G smp=2 numa=0 accel=auto
wsbench= append= detect_only=0
extra_files=()

need_arg() {
	[ "$#" -ge 2 ] && [ -n "$2" ] || usage_error "option $1 needs a value"
}
while [ "$#" -gt 0 ]; do
	case "$1" in
	--kernel) need_arg "$@"; kernel_dir=$2; shift 2 ;;
	--image) need_arg "$@"; image=$2; shift 2 ;;
	--job) need_arg "$@"; job=$2; shift 2 ;;
	--share) need_arg "$@"; share=$2; shift 2 ;;
	--timeout) need_arg "$@"; timeout=$2; shift 2 ;;
	--mem) need_arg "$@"; mem=$2; shift 2 ;;
	--smp) need_arg "$@"; smp=$2; shift 2 ;;
	--numa) need_arg "$@"; numa=$2; shift 2 ;;
	--accel) need_arg "$@"; accel=$2; shift 2 ;;
	--wsbench) need_arg "$@"; wsbench=$2; shift 2 ;;
	--extra-file) need_arg "$@"; extra_files+=("$2"); shift 2 ;;
	--append) need_arg "$@"; append=$2; shift 2 ;;
	--detect-accel) detect_only=1; shift ;;
	-h | --help) sed -n '2,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//;$d'; exit 0 ;;
	*) usage_error "unknown option '$1' (accepted: --kernel --image --job --share --timeout --mem --smp --numa --accel --wsbench --extra-file --append --detect-accel --help)" ;;
	esac
done

case "$accel" in
auto | kvm | tcg) ;;
*) usage_error "--accel '$accel' invalid (accepted: auto, kvm, tcg)" ;;
esac
if [ "$accel" != tcg ]; then
	vm_detect_accel
	if [ "$accel" = kvm ] && [ "$VM_ACCEL" != kvm ]; then
		usage_error "--accel kvm: KVM not usable: $VM_ACCEL_REASON (accepted here: auto, tcg)"
	fi
else
	VM_ACCEL=tcg VM_ACCEL_REASON="forced by --accel tcg"
fi
if [ "$detect_only" = 1 ]; then
	echo "$VM_ACCEL: $VM_ACCEL_REASON"
	exit 0
fi

[[ "$timeout" =~ ^[1-9][0-9]*$ ]] ||
	usage_error "--timeout '$timeout' invalid (accepted: whole seconds > 0)"
[[ "$mem" =~ ^[1-9][0-9]*[MG]?$ ]] ||
	usage_error "--mem '$mem' invalid (accepted: N, NM or NG, e.g. 2048M, 4G)"
[[ "$smp" =~ ^[1-9][0-9]*$ ]] ||
	usage_error "--smp '$smp' invalid (accepted: a whole number > 0)"
[[ "$numa" =~ ^(0|[1-9][0-9]*)$ ]] && [ "$numa" -le "$smp" ] ||
	usage_error "--numa '$numa' invalid (accepted: 0 for no topology, or 1 to --smp ($smp) nodes, each with a vCPU)"
numa_args=() numa_layout=
if [ "$numa" -gt 0 ]; then
	vm_numa_split "$mem" "$smp" "$numa" ||
		usage_error "--numa $numa: --mem $mem cannot give each of $numa nodes 64M or more"
	for spec in $VM_NUMA_LAYOUT; do
		IFS=: read -r node cpus node_mem <<<"$spec"
		numa_args+=(-object "memory-backend-ram,id=mem$node,size=$node_mem"
			-numa "node,nodeid=$node,cpus=$cpus,memdev=mem$node")
	done
	numa_layout=$VM_NUMA_LAYOUT
fi
[ -n "$job" ] || usage_error "--job FILE is required (script run in the guest)"
[ -f "$job" ] && [ -r "$job" ] || usage_error "--job '$job': no such readable file"
[ -n "$share" ] || usage_error "--share DIR is required (results land there)"
# QEMU's -fsdev/-serial option syntax treats ',' as a separator.
case "$share" in *,*) usage_error "--share '$share': QEMU cannot take a ',' in the path" ;; esac
for spec in ${extra_files[@]+"${extra_files[@]}"}; do
	src=${spec%%:*} dest=${spec#*:}
	[ "$src" != "$spec" ] && [ -e "$src" ] && [[ "$dest" == /* ]] ||
		usage_error "--extra-file '$spec' invalid (accepted: SRC:DEST, SRC an existing host path, DEST an absolute guest path)"
done

cache=${WSBENCH_CACHE:-$HOME/.cache/wsbench}
if [ -z "$kernel_dir" ]; then
	kernel_dir=$(ls -td "$cache"/kernel/*/ 2>/dev/null | while read -r d; do
		[ -f "$d/bzImage" ] && { echo "${d%/}"; break; }; done)
	[ -n "$kernel_dir" ] ||
		usage_error "--kernel DIR not given and no built kernel in $cache/kernel (run make kernel)"
	say "using kernel $kernel_dir"
fi
[ -f "$kernel_dir/bzImage" ] ||
	usage_error "--kernel '$kernel_dir': no bzImage in it (accepted: a kernel/build.sh output dir)"
if [ -z "$image" ]; then
	image=$("$repo/images/build.sh" | tail -n1) || true
	[ -f "$image" ] || die "images/build.sh gave no image (see above); fix that or pass --image"
fi
[ -f "$image" ] || usage_error "--image '$image': no such file (accepted: images/build.sh output)"
if [ -z "$wsbench" ] && [ -x "$repo/build/wsbench" ]; then
	wsbench=$repo/build/wsbench
fi
[ -z "$wsbench" ] || [ -x "$wsbench" ] || usage_error "--wsbench '$wsbench': not an executable"
[ -n "$wsbench" ] || say "note: no build/wsbench and no --wsbench: the guest gets no wsbench binary"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not installed"

mkdir -p "$share"
share=$(cd "$share" && pwd)
# Results of an earlier run in the same share must not be mistaken for ours.
rm -f "$share"/{console.log,job.log,guest-status,dmesg.txt,guest-times,vm.json,qemu.log,overlay.sha256sums}

run_dir=$(mktemp -d "${TMPDIR:-/tmp}/wsbench-vm.XXXXXX")
qemu_pid=
cleanup() {
	[ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true
	rm -rf "$run_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- overlay -------------------------------------------------------------
say "building overlay"
kernel_key=$(vm_python -c 'import json, sys
try:
    print(json.load(open(sys.argv[1])).get("key") or "")
except Exception:
    print("")' "$kernel_dir/build.json")
[ -n "$kernel_key" ] || kernel_key=$(basename "$kernel_dir")
base_sha=$(cat "$(dirname "$image")/base.sha256" 2>/dev/null ||
	sha256sum "$image" | cut -d' ' -f1)

ov=$run_dir/overlay
mkdir -p "$ov/dev" "$ov/opt/wsbench/bin" "$ov/opt/wsbench/scripts"
install -m 0755 "$repo/images/guest-init" "$ov/init"
install -m 0755 "$job" "$ov/opt/wsbench/job.sh"
[ -z "$wsbench" ] || install -m 0755 "$wsbench" "$ov/opt/wsbench/bin/wsbench"
for t in uffd-unit-tests guest_memfd_test; do
	[ ! -f "$kernel_dir/$t" ] || install -m 0755 "$kernel_dir/$t" "$ov/opt/wsbench/bin/$t"
done
# The kernel's build record and config, so every result names the exact
# source package, sha256, patches and config (WSBENCH_KERNEL_* below).
mkdir -p "$ov/opt/wsbench/kernel"
for f in build.json config; do
	[ ! -f "$kernel_dir/$f" ] || install -m 0644 "$kernel_dir/$f" "$ov/opt/wsbench/kernel/$f"
done
for f in "$repo"/scripts/*.sh; do
	case "$f" in */vm-*.sh) continue ;; esac
	[ ! -f "$f" ] || install -m 0755 "$f" "$ov/opt/wsbench/scripts/"
done
# Workload patterns for vmm-cycle (found there by wsbench, next to bin/).
mkdir -p "$ov/opt/wsbench/workloads"
for f in "$repo"/workloads/*.pat; do
	[ ! -f "$f" ] || install -m 0644 "$f" "$ov/opt/wsbench/workloads/"
done
for spec in ${extra_files[@]+"${extra_files[@]}"}; do
	src=${spec%%:*} dest=${spec#*:}
	mkdir -p "$ov$(dirname "$dest")"
	cp -a "$src" "$ov$dest"
done
# The payload hash names exactly what the guest runs (binaries, scripts,
# job), independent of cpio metadata.
(cd "$ov" && find . -type f | LC_ALL=C sort | xargs -r sha256sum) >"$share/overlay.sha256sums"
overlay_sha=$(sha256sum <"$share/overlay.sha256sums" | cut -d' ' -f1)
{
	printf 'export WSBENCH_IMAGE_BASE_SHA256=%q\n' "$base_sha"
	printf 'export WSBENCH_OVERLAY_SHA256=%q\n' "$overlay_sha"
	printf 'export WSBENCH_VM_MEM=%q WSBENCH_VM_SMP=%q\n' "$mem" "$smp"
	printf 'export WSBENCH_VM_NUMA=%q\n' "$numa_layout"
	printf 'export WSBENCH_KERNEL_BUILD=/opt/wsbench/kernel/build.json\n'
	printf 'export WSBENCH_KERNEL_CONFIG=/opt/wsbench/kernel/config\n'
} >"$ov/opt/wsbench/vm.env"
# The kernel needs /dev/console before devtmpfs is mounted.
mknod "$ov/dev/console" c 5 1 2>/dev/null || true
(cd "$ov" && find . | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --reproducible --quiet) >"$run_dir/overlay.cpio"

# One -initrd file: base archive, zero padding (the kernel skips it and
# wants each archive 4-byte aligned), then the overlay, whose files win.
initrd=$run_dir/initrd.img
cp "$image" "$initrd"
size=$(stat -c %s "$initrd")
head -c $(((512 - size % 512) % 512)) /dev/zero >>"$initrd"
cat "$run_dir/overlay.cpio" >>"$initrd"

# --- boot -----------------------------------------------------------------
cmdline="console=ttyS0 printk.time=1 panic=-1 rdinit=/init wsbench.accel=$VM_ACCEL wsbench.kernel_key=$kernel_key wsbench.image_hash=$base_sha${append:+ $append}"
qemu=(qemu-system-x86_64 -nodefaults -no-user-config -machine pc
	-m "$mem" -smp "$smp" ${numa_args[@]+"${numa_args[@]}"} -display none -no-reboot
	-kernel "$kernel_dir/bzImage" -initrd "$initrd" -append "$cmdline"
	-serial "file:$share/console.log"
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
	-fsdev "local,id=wsfs,path=$share,security_model=none"
	-device virtio-9p-pci,fsdev=wsfs,mount_tag=wsshare)
pin=
if [ "$VM_ACCEL" = kvm ]; then
	qemu+=(-accel kvm -cpu host)
	# Pin to the last $smp online CPUs, leaving CPU 0 for host noise.
	ncpu=$(nproc)
	if [ "$ncpu" -gt "$smp" ]; then
		pin=$((ncpu - smp))-$((ncpu - 1))
	fi
else
	qemu+=(-accel tcg,thread=multi -cpu max)
fi
cmd=(timeout --kill-after=10 "$timeout")
[ -z "$pin" ] || cmd+=(taskset -c "$pin")
cmd+=("${qemu[@]}")

qemu_version=$(qemu-system-x86_64 --version | head -n1)
say "booting ($VM_ACCEL: $VM_ACCEL_REASON; $smp vCPU, $mem${numa_layout:+, NUMA $numa_layout}, timeout ${timeout}s)"
started_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
t0=$(date +%s%N)
"${cmd[@]}" >"$run_dir/qemu.log" 2>&1 &
qemu_pid=$!
boot_s= last_report=0 VM_PROGRESS_OFF=0
# The guest's own progress lines as they land in job.log; the runner's
# heartbeat only after 30 s without any.
while kill -0 "$qemu_pid" 2>/dev/null; do
	sleep 1
	now=$((($(date +%s%N) - t0) / 1000000000))
	if [ -z "$boot_s" ] && grep -q -a 'wsbench-init: init started' "$share/console.log" 2>/dev/null; then
		boot_s=$(awk -v ns="$(($(date +%s%N) - t0))" 'BEGIN { printf "%.1f", ns / 1e9 }')
		say "guest running (booted in ~${boot_s}s)"
		last_report=$now
	elif vm_forward_progress "$share/job.log"; then
		last_report=$now
	elif [ $((now - last_report)) -ge 30 ]; then
		say "guest running (${now}s elapsed of ${timeout}s)"
		last_report=$now
	fi
done
qemu_rc=0
wait "$qemu_pid" || qemu_rc=$?
vm_forward_progress "$share/job.log" || true	# the last lines
qemu_pid=
duration=$(awk -v ns="$(($(date +%s%N) - t0))" 'BEGIN { printf "%.2f", ns / 1e9 }')
[ ! -s "$run_dir/qemu.log" ] || cp "$run_dir/qemu.log" "$share/qemu.log"

# --- outcome --------------------------------------------------------------
timed_out=0
# timeout(1) exits 124, or 137 after --kill-after; an isa-debug-exit code is
# odd and can also be 137, so the elapsed time decides.
if { [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; } &&
	[ "${duration%.*}" -ge "$timeout" ]; then
	timed_out=1
fi
oops=0
vm_scan_oops "$share/console.log" "$share/dmesg.txt" >"$run_dir/oops.txt" && oops=1
guest_status=$(tr -d ' \n' <"$share/guest-status" 2>/dev/null || true)
rc=0
outcome=$(vm_classify "$timed_out" "$oops" "$guest_status") || rc=$?

# Values travel as environment variables, never spliced into Python source.
VMJ_OUTCOME=$outcome VMJ_RC=$rc VMJ_GUEST_STATUS=$guest_status \
VMJ_QEMU_RC=$qemu_rc VMJ_TIMED_OUT=$timed_out VMJ_TIMEOUT=$timeout \
VMJ_OOPS_FILE=$run_dir/oops.txt VMJ_TIMES_FILE=$share/guest-times \
VMJ_ACCEL=$VM_ACCEL VMJ_ACCEL_REASON=$VM_ACCEL_REASON \
VMJ_QEMU_VERSION=$qemu_version VMJ_KERNEL_KEY=$kernel_key \
VMJ_KERNEL_DIR=$kernel_dir VMJ_IMAGE=$image VMJ_BASE_SHA=$base_sha \
VMJ_OVERLAY_SHA=$overlay_sha VMJ_CMDLINE=$cmdline VMJ_MEM=$mem \
VMJ_SMP=$smp VMJ_NUMA=$numa_layout VMJ_PIN=$pin VMJ_STARTED=$started_at VMJ_DURATION=$duration \
VMJ_BOOT_S=$boot_s vm_python - "$share/vm.json" "${cmd[@]}" <<'EOF'
import json, os, sys
e = os.environ
def num(s):
    try:
        return float(s) if "." in s else int(s)
    except ValueError:
        return None
times = {}
try:
    for line in open(e["VMJ_TIMES_FILE"]):
        k, _, v = line.strip().partition("=")
        times[k] = num(v)
except OSError:
    pass
with open(e["VMJ_OOPS_FILE"], errors="replace") as f:
    oops = [l.rstrip("\n") for l in f]
rec = {
    "outcome": e["VMJ_OUTCOME"],
    "exit_code": int(e["VMJ_RC"]),
    "guest_status": num(e["VMJ_GUEST_STATUS"]),
    "qemu_exit": int(e["VMJ_QEMU_RC"]),
    "timed_out": e["VMJ_TIMED_OUT"] == "1",
    "timeout_s": int(e["VMJ_TIMEOUT"]),
    "kernel_log_problems": oops,
    "accel": e["VMJ_ACCEL"],
    "accel_reason": e["VMJ_ACCEL_REASON"],
    "qemu_version": e["VMJ_QEMU_VERSION"],
    "kernel_key": e["VMJ_KERNEL_KEY"],
    "kernel_dir": e["VMJ_KERNEL_DIR"],
    "image_base": e["VMJ_IMAGE"],
    "image_base_sha256": e["VMJ_BASE_SHA"],
    "overlay_sha256": e["VMJ_OVERLAY_SHA"],
    "kernel_cmdline": e["VMJ_CMDLINE"],
    "command": sys.argv[2:],
    "mem": e["VMJ_MEM"],
    "smp": int(e["VMJ_SMP"]),
    # --numa: [{node, cpus, mem}] as given to QEMU, null without a topology
    "numa": [dict(zip(("node", "cpus", "mem"), n.split(":")))
             for n in e["VMJ_NUMA"].split()] or None,
    "cpus_pinned": e["VMJ_PIN"] or None,
    "started_at": e["VMJ_STARTED"],
    "duration_s": num(e["VMJ_DURATION"]),
    "boot_s_host": num(e["VMJ_BOOT_S"]),
    "guest_init_uptime_s": times.get("init_start_uptime"),
    "guest_job_end_uptime_s": times.get("job_end_uptime"),
}
with open(sys.argv[1], "w") as f:
    json.dump(rec, f, indent=2)
    f.write("\n")
EOF

if [ "$oops" = 1 ]; then
	say "kernel log problems (run invalid):"
	head -n 5 "$run_dir/oops.txt" | sed 's/^/vm-run:   /' >&2
fi
if [ "$outcome" = boot-failure ] && [ -s "$share/console.log" ]; then
	say "last console lines:"
	tail -n 10 "$share/console.log" | sed 's/^/vm-run:   /' >&2
fi
say "done: $outcome (exit $rc) in ${duration}s, guest status ${guest_status:-none}, results in $share"
exit "$rc"
