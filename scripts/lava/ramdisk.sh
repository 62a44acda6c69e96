#!/bin/sh
# scripts/lava/ramdisk.sh OUT KERNEL_DIR IMAGE: the guest image as one
# gzip-compressed newc cpio for a LAVA job (images: ramdisk, format
# cpio.newc), with wsbench, its scripts and patterns, the kernel's build
# record and images/lava-init as /init.  One archive, not the base with an
# overlay appended as scripts/vm-run.sh does: LAVA unpacks the ramdisk to
# add its own test overlay, and an unpacker stops at the first archive's
# end.
set -eu

out=${1:?usage: ramdisk.sh OUT KERNEL_DIR IMAGE}
kernel_dir=${2:?usage: ramdisk.sh OUT KERNEL_DIR IMAGE}
image=${3:?usage: ramdisk.sh OUT KERNEL_DIR IMAGE}
repo=$(cd "$(dirname "$0")/../.." && pwd)
ws=${WSBENCH:-$repo/build/wsbench}
[ -x "$ws" ] || { echo "ramdisk: no wsbench binary at $ws (make)" >&2; exit 2; }
[ -f "$image" ] || { echo "ramdisk: no image at $image (make image)" >&2; exit 2; }

tree=$(mktemp -d "${TMPDIR:-/tmp}/wsbench-lava-rd.XXXXXX")
trap 'rm -rf "$tree"' EXIT
zstd -dc "$image" | (cd "$tree" && cpio -idm --quiet --no-absolute-filenames)

install -m 0755 "$repo/images/lava-init" "$tree/init"
mkdir -p "$tree/opt/wsbench/bin" "$tree/opt/wsbench/scripts" \
	"$tree/opt/wsbench/workloads" "$tree/opt/wsbench/kernel"
install -m 0755 "$ws" "$tree/opt/wsbench/bin/wsbench"
for f in "$repo"/scripts/*.sh; do
	case "$f" in */vm-*.sh) continue ;; esac
	install -m 0755 "$f" "$tree/opt/wsbench/scripts/"
done
install -m 0644 "$repo"/workloads/*.pat "$tree/opt/wsbench/workloads/"
for f in build.json config; do
	[ ! -f "$kernel_dir/$f" ] || install -m 0644 "$kernel_dir/$f" "$tree/opt/wsbench/kernel/$f"
done
base_sha=$(cat "$(dirname "$image")/base.sha256" 2>/dev/null ||
	sha256sum "$image" | cut -d' ' -f1)
{
	printf 'export WSBENCH_IMAGE_BASE_SHA256=%s\n' "$base_sha"
	printf 'export WSBENCH_KERNEL_BUILD=/opt/wsbench/kernel/build.json\n'
	printf 'export WSBENCH_KERNEL_CONFIG=/opt/wsbench/kernel/config\n'
	printf 'export WSBENCH_KERNEL_KEY=%s\n' "$(basename "$kernel_dir")"
} >"$tree/opt/wsbench/vm.env"
[ -e "$tree/dev/console" ] || mknod "$tree/dev/console" c 5 1
(cd "$tree" && find . | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
