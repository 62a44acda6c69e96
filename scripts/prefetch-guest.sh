#!/bin/sh
# Build (or reuse) every guest kernel and image the VM suites of make test
# boot, at the lowest CPU priority, while the host suites run: on a cold
# machine most of an hour of compiling and downloading overlaps with them
# (the image mostly downloads, the kernels compile: the two chains run side
# by side).  Each VM suite's own build call then waits for the build under
# way and reuses it; on a warm machine everything here returns at once.
# scripts/test.sh starts it; its log is build/test-logs/prefetch.log.
set -u

cd "$(dirname "$0")/.."
{
	images/build.sh >/dev/null
	images/build.sh --variant vmm >/dev/null
} &
images=$!
rc=0
for k in 7.3 rfc-v1 gmem; do
	KERNEL=$k kernel/build.sh >/dev/null || rc=1
done
wait "$images" || rc=1
exit "$rc"
