#!/bin/bash
# make lava-run: the QEMU job of scripts/lava/jobs/qemu.yaml run through
# Debian's LAVA dispatcher (lava-run) on this machine, with a local qemu
# device: the pinned kernel (KERNEL) and the guest image as one ramdisk,
# the test definition cloned from this repository at HEAD.  Prints LAVA's
# test cases next to wsbench's own summary of the result directory the job
# handed back, and checks that each LAVA measurement is the median the
# job's JSON holds.  Exit 0 when the job passed, every case passed and
# every measurement matched.
# env: KERNEL (7.3), BENCH_PROFILE (quick), SUITE_BENCHMARKS, SUITE_ARGS,
#      RUNS (1), LAVA_OUT (build/lava/run-<time>), LAVA_TIMEOUT_MIN (90)
set -euo pipefail

cd "$(dirname "$0")/../.."
repo=$(pwd)
# shellcheck source=scripts/vm-lib.sh
. scripts/vm-lib.sh
command -v lava-run >/dev/null ||
	{ echo "lava-run: LAVA's dispatcher is not installed (make lava-deps)" >&2; exit 2; }
profile=${BENCH_PROFILE:-quick}
case "$profile" in quick|default) ;;
*) echo "lava-run: BENCH_PROFILE='$profile': use quick or default" >&2; exit 2 ;;
esac
timeout_min=${LAVA_TIMEOUT_MIN:-90}
case "$timeout_min" in ''|*[!0-9]*|0*)
	echo "lava-run: LAVA_TIMEOUT_MIN='$timeout_min': use whole minutes, 1 or more" >&2; exit 2 ;;
esac
out=${LAVA_OUT:-build/lava/run-$(date -u +%Y%m%dT%H%M%SZ)}
[ ! -e "$out" ] || { echo "lava-run: $out exists: name a new LAVA_OUT" >&2; exit 2; }
git diff --quiet HEAD -- . ':!results' ||
	echo "lava-run: note: uncommitted changes are not in the job (LAVA clones HEAD)" >&2

step() { echo "[lava-run $1/5] $2 (elapsed $(( $(date +%s) - t0 ))s)" >&2; }
t0=$(date +%s)
mkdir -p "$out"
out=$(cd "$out" && pwd)
step 1 "kernel ${KERNEL:-7.3} and image"
kdir=$(kernel/build.sh | tail -n 1)
image=$(images/build.sh | tail -n 1)
step 2 "ramdisk"
scripts/lava/ramdisk.sh "$out/ramdisk.cpio.gz" "$kdir" "$image" >/dev/null
vm_detect_accel
if [ "$VM_ACCEL" = kvm ]; then qaccel=kvm qcpu=host; else qaccel=tcg,thread=multi qcpu=max; fi
echo "lava-run: accel $VM_ACCEL ($VM_ACCEL_REASON)" >&2

step 3 "job (checked with LAVA's schema)"
scripts/lava/render.py scripts/lava/jobs/qemu.yaml "$out/job.yaml" \
	KERNEL="${KERNEL:-7.3}" BENCH_PROFILE="$profile" ACCEL="$VM_ACCEL" \
	TIMEOUT_MIN="$timeout_min" MEM_MB=2048 SMP=2 QEMU_ACCEL="$qaccel" \
	QEMU_CPU="$qcpu" REPO_URL="$repo" REPO_REVISION="$(git rev-parse HEAD)" \
	KERNEL_URL="file://$kdir/bzImage" RAMDISK_URL="file://$out/ramdisk.cpio.gz" \
	SUITE_BENCHMARKS="${SUITE_BENCHMARKS:-}" SUITE_ARGS="${SUITE_ARGS:-}" \
	RUNS="${RUNS:-1}" >/dev/null
# The local device: what a lab's qemu device type renders from the job's
# context (arch, machine, cpu, memory, extra_options).
cat >"$out/device.yaml" <<DEV
device_type: qemu
available_architectures: [amd64, x86_64]
constants:
  shutdown-message: "The system is going down for reboot NOW"
  kernel-start-message: "Linux version [0-9]"
  default-shell-prompt: "lava-test: # "
  spawn_maxread: "4092"
  failure_retry: 1
  boot_retry: 1
  posix:
    lava_test_sh_cmd: /bin/sh
    lava_test_results_dir: /lava-%s
    lava_test_shell_file: ~/.bashrc
actions:
  deploy:
    methods:
      tmpfs:
      image:
        parameters:
          guest:
            size: 512
  boot:
    connections:
      serial:
    methods:
      qemu:
        parameters:
          command: qemu-system-x86_64
          options:
          - -nographic
          - -nodefaults
          - -no-user-config
          - -serial mon:stdio
          - -machine pc
          - -cpu $qcpu
          - -m 2048
          - -smp 2
          - -accel $qaccel
timeouts:
  connections:
    lava-test-shell:
      seconds: 60
DEV

step 4 "lava-run (the guest's progress follows)"
rc=0
lava-run --job-id "$(date +%s)" --output-dir "$out/lava" --device "$out/device.yaml" \
	"$out/job.yaml" 2>&1 | tee "$out/lava.log" |
	/usr/bin/python3 -u -c '
import json, sys
for line in sys.stdin:
    try:
        e = json.loads(line)
    except ValueError:
        continue
    m = e.get("msg")
    if e.get("lvl") == "target" and isinstance(m, str) and (
            m.startswith("[suite") or m.startswith("wsbench-lava:")):
        print("  guest: " + m, file=sys.stderr, flush=True)
    elif e.get("lvl") in ("error", "exception"):
        print("  lava: " + str(m), file=sys.stderr, flush=True)
' || rc=$?
step 5 "results"
/usr/bin/python3 scripts/lava/results.py "$out/lava.log" "$out" || rc=$?
echo "lava-run: $out ($(( $(date +%s) - t0 ))s)" >&2
exit "$rc"
