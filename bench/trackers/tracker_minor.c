// SPDX-License-Identifier: GPL-2.0
/*
 * "minor": userfaultfd minor mode as an access tracker for shared memory
 * with a page cache (shmem, hugetlbfs, and guest_memfd on KERNEL=gmem).
 *
 * arm:     MADV_DONTNEED over the range zaps the user PTEs; the pages stay
 *          in the page cache, so the next access is a *minor* fault.
 * sync:    the only mode.  The range is registered MODE_MINOR; each first
 *          access after the zap is a UFFD_PAGEFAULT_FLAG_MINOR message,
 *          resolved with UFFDIO_CONTINUE, which maps the page-cache page
 *          back (writable on a shared mapping: one fault per page).
 *          7.3 has no minor async mode (the RFC's MINOR_ASYNC is not
 *          merged), so there is no async counterpart.
 * collect: the faulting pages are exactly those mapped again since the
 *          zap (registration disables fault-around), so hot = PRESENT,
 *          read with PAGEMAP_SCAN; rearm zaps the hot set again with
 *          t->rearm's policy (per-run or span, as the other uffd trackers).
 *
 * Not on anon or anon-thp: 7.3 refuses MODE_MINOR on anonymous memory
 * (anon_can_userfault, brief §1.4).  On guest_memfd the registration is
 * the kernel's to refuse: unpatched 7.3 gives guest_memfd no vm_uffd_ops,
 * so UFFDIO_REGISTER fails with EINVAL, reported as a skip that says so.
 * Accesses KVM makes to guest_memfd through stage-2 mappings never touch
 * the user PTEs and are not seen (the thread's point about write()).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "compat_uapi.h"
#include "pagemap.h"
#include "tracker.h"
#include "uffd.h"
#include "uffd_tracker.h"

#define UFFDIO_CONTINUE_BIT	(1ULL << WS__UFFDIO_CONTINUE)

static void minor_probe(struct ws_probe *p)
{
	uint64_t features = 0, ioctls = 0;

	memset(p, 0, sizeof(*p));
	if (ws_uffd_probe_api(&features, &ioctls, p->reason,
			      sizeof(p->reason)))
		return;
	/* Both bits are masked off without HAVE_ARCH_USERFAULTFD_MINOR. */
	if (!(features & UFFD_FEATURE_MINOR_SHMEM)) {
		snprintf(p->reason, sizeof(p->reason),
			 "UFFDIO_API features=0x%llx lack MINOR_SHMEM (no userfaultfd minor mode in this kernel)",
			 (unsigned long long)features);
		return;
	}
	snprintf(p->detail, sizeof(p->detail), "UFFDIO_API features=0x%llx",
		 (unsigned long long)features);
	if (ws_pagemap_scan_probe(p->reason, sizeof(p->reason)))
		return;
	p->supported = true;
}

/* Map the page-cache page back and wake the faulting thread. */
static int minor_resolve(int uffd, const struct ws_uffdio_range *page)
{
	struct ws_uffdio_continue cont = { .range = *page, .mode = 0 };
	int ret = ws_uffd_ioctl_retry(uffd, WS_UFFDIO_CONTINUE, &cont);

	/* EEXIST: a second message for a page another CONTINUE mapped. */
	return ws_uffd_wake_if_exists(uffd, ret, page->start, page->len);
}

/*
 * Map the range's page-cache pages back and wake its waiters: the
 * cycle's resolution of a held fault (vmm/cycle.c).  CONTINUE stops at
 * the first page already mapped (EEXIST, nothing mapped) or after a part
 * (EAGAIN, @mapped bytes): step over the mapped page and go on.  A page
 * no longer in the page cache (EFAULT: evicted, its hole punched, since
 * the fault) is stepped over too: its waiter, woken by the final WAKE,
 * faults again as MISSING and is refaulted from storage.
 */
static int minor_disarm(struct ws_tracker *t, size_t first, size_t npages)
{
	struct ws_uffdio_range r = ws_uffd_tracker_range(t, first, npages);
	uint64_t pos = r.start, end = r.start + r.len;
	int uffd = ws_uffd_tracker_fd(t), ret;

	while (pos < end) {
		struct ws_uffdio_continue c = {
			.range = { .start = pos, .len = end - pos },
			.mode = WS_UFFDIO_CONTINUE_MODE_DONTWAKE,
		};

		if (!ioctl(uffd, WS_UFFDIO_CONTINUE, &c))
			break;
		if (errno == EAGAIN && c.mapped > 0)
			pos += (uint64_t)c.mapped;
		else if (errno == EEXIST || errno == EFAULT)
			pos += t->mem->page_size;
		else if (errno != EAGAIN)
			return ws_tracker_fail(t, errno,
					       "UFFDIO_CONTINUE(pages %zu+%zu)",
					       first, npages);
	}
	ret = ws_uffd_wake(uffd, r.start, r.len);
	if (ret)
		return ws_tracker_fail(t, -ret, "UFFDIO_WAKE(pages %zu+%zu)",
				       first, npages);
	return 0;
}

/* Sync is the only mode (no minor async in 7.3): nothing to switch. */
static int minor_set_mode(struct ws_tracker *t, enum ws_mode mode)
{
	if (mode == WS_MODE_SYNC)
		return 0;
	return ws_tracker_fail(t, EOPNOTSUPP,
			       "minor has no async mode (7.3 has no MINOR_ASYNC)");
}

static const struct ws_uffd_tracker_spec minor_spec = {
	.register_mode = WS_UFFDIO_REGISTER_MODE_MINOR,
	.register_name = "MODE_MINOR",
	.ioctls = UFFDIO_CONTINUE_BIT,
	.ioctls_name = "CONTINUE (bit 7)",
	.fault_flag = WS_UFFD_PAGEFAULT_FLAG_MINOR,
	.resolve = minor_resolve,
};

static int minor_open(struct ws_tracker *t)
{
	/* Async would leave every fault without a handler: refuse. */
	if (t->mode != WS_MODE_SYNC)
		return ws_tracker_fail(t, EOPNOTSUPP,
				       "minor has no async mode (7.3 has no MINOR_ASYNC)");
	/* On guest_memfd, an EINVAL registration is a skip (uffd_tracker.c). */
	return ws_uffd_tracker_open(t, &minor_spec, 0);
}

static int minor_arm(struct ws_tracker *t, size_t first, size_t npages)
{
	struct ws_uffdio_range r = ws_uffd_tracker_range(t, first, npages);

	if (madvise((void *)(uintptr_t)r.start, r.len, MADV_DONTNEED))
		return ws_tracker_fail(t, errno,
				       "madvise(MADV_DONTNEED, pages %zu+%zu)",
				       first, npages);
	return 0;
}

static int minor_collect(struct ws_tracker *t, struct ws_pageset *out,
			 bool rearm)
{
	const struct ws_pm_scan q = { .category_mask = WS_PAGE_IS_PRESENT };
	int ret;

	ret = ws_uffd_tracker_scan(t, &q, out, "PRESENT");
	if (ret || !rearm)
		return ret;
	return ws_uffd_tracker_rearm(t, out);
}

const struct ws_tracker_ops ws_tracker_minor = {
	.name = "minor",
	.summary = "userfaultfd minor mode (zap, MINOR fault, UFFDIO_CONTINUE) + PAGEMAP_SCAN: reads and writes",
	.sees = WS_SEES_ACCESSES,
	.backings = WS_BACKING_BIT(WS_BACKING_SHMEM) |
		    WS_BACKING_BIT(WS_BACKING_HUGETLB) |
		    WS_BACKING_BIT(WS_BACKING_GMEM),
	.backings_why = "minor faults need a page cache: 7.3 refuses UFFDIO_REGISTER_MODE_MINOR on anonymous memory (anon_can_userfault)",
	.modes = WS_MODE_BIT(WS_MODE_SYNC),
	.faults_on = WS_ACCESS_READ | WS_ACCESS_WRITE,
	.arm_is_ranged = true,
	.rearm_choice = true,
	.opt_in = true,
	.probe = minor_probe,
	.open = minor_open,
	.arm = minor_arm,
	.collect = minor_collect,
	.set_mode = minor_set_mode,
	.disarm = minor_disarm,
	/* Closing the uffd unregisters; zapped pages fault in normally. */
	.close = ws_uffd_tracker_close,
	.rearm = ws_uffd_tracker_rearm,
	.handler_cpu_ns = ws_uffd_tracker_handler_cpu_ns,
	.uffd = ws_uffd_tracker_fd,
	.rearm_method = ws_uffd_tracker_rearm_method,
};
