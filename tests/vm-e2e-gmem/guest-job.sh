#!/bin/sh
# Runs inside the gmem guest (Linux 7.3 + the guest_memfd userfaultfd
# minor-mode patch, KVM built in) for tests/vm-e2e-gmem/run.sh.  First the
# gate: does KVM come up under QEMU TCG (kvm_amd on the emulated SVM), and
# does a VM fd give a guest_memfd that mmap()s (wsbench probe's gmem
# backing)?  Then the minor tracker on shmem, hugetlb and gmem through
# correctness, fault-latency, scan-throughput and vmm-cycle, and rwp, wp,
# idle and softdirty on gmem (the kernel's answers).  Exit codes are recorded per step; the host asserts.
set -u

step_tag=e2e-gmem
. /mnt/share/guest-step.sh	# ws, out, common, tiny; step NAME CMD...

# The gate's evidence, whatever happens after it.
dmesg | grep -iE 'kvm|svm' >"$out/kvm-dmesg.txt" 2>&1
grep -m1 -ow svm /proc/cpuinfo >"$out/cpu-svm.txt" 2>&1
ls -l /dev/kvm >"$out/dev-kvm.txt" 2>&1
step probe $ws probe --json "$out/probe.json"
# Does a vCPU run too (not needed for guest_memfd; recorded for the record).
step kvm-probe $ws nested kvm-probe

hp=$(cat /proc/sys/vm/nr_hugepages)
# fault-latency maps two regions at once: 2 x 64 huge pages of 2M.
echo 160 >/proc/sys/vm/nr_hugepages
step correctness $ws run correctness --backend minor \
	--backing shmem,hugetlb,gmem --mode sync --pages 300 $common
step fault-latency $ws run fault-latency --backend minor \
	--backing shmem,hugetlb,gmem --mode sync --pages 64 $tiny
# userfaultfd on guest_memfd beyond the tracker: MISSING refused, COPY and
# ZEROPAGE EINVAL (patch 0002), zap + CONTINUE keeps content, and an
# absent page's first access raises no event (the MISSING question).
step uffd-check /mnt/share/gmem-uffd-check
# The kernel's own KVM selftest of guest_memfd, built from the patched
# tree (kernel/build.sh): the port must not break what 7.3 promised
# (read/write/pread/pwrite refused, mmap, fallocate, punch hole, a vCPU
# running on guest_memfd memory).
step kvm-selftest /opt/wsbench/bin/guest_memfd_test
# What 7.3 + the patch allow on guest_memfd for the other uffd trackers.
step others $ws run correctness --backend rwp,wp --backing gmem \
	--mode all --pages 64 --quiet --out "$out/others" --run-id e2e
# The PTE-based mechanisms on guest_memfd's user mapping.
step pte $ws run correctness --backend idle,softdirty --backing gmem \
	--pages 300 --quiet --out "$out/pte" --run-id e2e
# minor through the interval loop and the VMM cycle on every backing.
step scan $ws run scan-throughput --backend minor \
	--backing shmem,hugetlb,gmem --size 2M,8M --hot 0,20,100 \
	--min-reps 3 --max-reps 5 --min-time 0 --quiet --out "$out/scan" \
	--run-id e2e
step cycle $ws run vmm-cycle --backend minor --backing shmem,hugetlb,gmem \
	--size 32M --intervals 6 --min-reps 1 --quiet --out "$out/cycle" \
	--run-id e2e
# restore (issue 20): the snapshot-restore flow on the three backings --
# populate by write(), UFFDIO_COPY or a second mapping, then the vCPU's
# minor faults resolved with UFFDIO_CONTINUE; holes (pages left out of the
# populate) under MINOR and MISSING|MINOR.
step restore $ws run restore --backing shmem,hugetlb,gmem --profile quick \
	--pages 32 --holes 25 $tiny
echo "$hp" >/proc/sys/vm/nr_hugepages
exit 0
