#!/bin/sh
# make lava-job: render scripts/lava/jobs/{qemu,bare-metal}.yaml into
# build/lava/job-{qemu,bare-metal}.yaml, each checked with LAVA's job
# schema, ready for `lavacli jobs submit FILE`.  Without KERNEL_URL and
# RAMDISK_URL it builds (or reuses) the kernel, the image and the ramdisk
# here and points at them with file:// URLs (a lab replaces them with its
# artifact server's).
# env: KERNEL (7.3) BENCH_PROFILE (quick) SUITE_BENCHMARKS SUITE_ARGS RUNS (1)
#      ACCEL (kvm|tcg, the QEMU job; default kvm) KERNEL_URL RAMDISK_URL
#      REPO_URL (git remote origin, else this directory) REPO_REVISION (HEAD)
#      DEVICE_TYPE (x86) WSBENCH_TARBALL TIMEOUT_MIN (120) LAVA_JOB_DIR
set -eu

cd "$(dirname "$0")/../.."
dir=${LAVA_JOB_DIR:-build/lava}
accel=${ACCEL:-kvm}
case "$accel" in
kvm) qaccel=kvm qcpu=host ;;
tcg) qaccel=tcg,thread=multi qcpu=max ;;
*) echo "lava-job: ACCEL='$accel': use kvm or tcg" >&2; exit 2 ;;
esac
case "${BENCH_PROFILE:-quick}" in quick|default) ;;
*) echo "lava-job: BENCH_PROFILE='$BENCH_PROFILE': use quick or default" >&2; exit 2 ;;
esac
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
kernel_url=${KERNEL_URL:-}
ramdisk_url=${RAMDISK_URL:-}
if [ -z "$kernel_url" ] || [ -z "$ramdisk_url" ]; then
	kdir=$(kernel/build.sh | tail -n 1)
	image=$(images/build.sh | tail -n 1)
	scripts/lava/ramdisk.sh "$dir/ramdisk.cpio.gz" "$kdir" "$image" >/dev/null
	kernel_url=${kernel_url:-file://$kdir/bzImage}
	ramdisk_url=${ramdisk_url:-file://$dir/ramdisk.cpio.gz}
fi
repo_url=${REPO_URL:-$(git remote get-url origin 2>/dev/null || pwd)}
common="KERNEL=${KERNEL:-7.3} BENCH_PROFILE=${BENCH_PROFILE:-quick}
TIMEOUT_MIN=${TIMEOUT_MIN:-120} REPO_REVISION=${REPO_REVISION:-$(git rev-parse HEAD)}"
# shellcheck disable=SC2086
scripts/lava/render.py scripts/lava/jobs/qemu.yaml "$dir/job-qemu.yaml" \
	$common ACCEL="$accel" MEM_MB=2048 SMP=2 QEMU_ACCEL="$qaccel" \
	QEMU_CPU="$qcpu" REPO_URL="$repo_url" KERNEL_URL="$kernel_url" \
	RAMDISK_URL="$ramdisk_url" SUITE_BENCHMARKS="${SUITE_BENCHMARKS:-}" \
	SUITE_ARGS="${SUITE_ARGS:-}" RUNS="${RUNS:-1}"
# shellcheck disable=SC2086
scripts/lava/render.py scripts/lava/jobs/bare-metal.yaml \
	"$dir/job-bare-metal.yaml" $common DEVICE_TYPE="${DEVICE_TYPE:-x86}" \
	REPO_URL="$repo_url" KERNEL_URL="$kernel_url" RAMDISK_URL="$ramdisk_url" \
	SUITE_BENCHMARKS="${SUITE_BENCHMARKS:-}" SUITE_ARGS="${SUITE_ARGS:-}" \
	RUNS="${RUNS:-1}" WSBENCH_TARBALL="${WSBENCH_TARBALL:-}"
echo "lava-job: submit with: lavacli jobs submit FILE (file:// URLs work only on this machine's dispatcher)" >&2
