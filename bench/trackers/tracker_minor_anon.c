// SPDX-License-Identifier: GPL-2.0
/*
 * RFC v1 "minor-anon" (shared/seeds/002_*, brief §4.1): RWP's predecessor,
 * kept so its numbers can be compared against 7.3.  Written from the RFC
 * patches; it runs only on a kernel carrying that series and refuses 7.3,
 * whose UAPI reuses feature bits 17/18, ioctl nr 0x09/0x0A and pagemap bit
 * 9 with different meaning (brief gotcha 12).
 *
 * open:    UFFDIO_API(MINOR_ANON [+ MINOR_ASYNC]), REGISTER(MODE_MINOR).
 * arm:     UFFDIO_DEACTIVATE (0x8010AA09) over the range: anon PTEs and
 *          PMDs become protnone *without* a uffd bit (patch 03).
 * collect: PAGE_IS_UFFD_DEACTIVATED (bit 9) means "still protnone", i.e.
 *          COLD (patch 09), so hot = present and not deactivated:
 *          category_mask = PRESENT|DEACTIVATED, category_inverted =
 *          DEACTIVATED.  PRESENT keeps holes and swapped pages out, as RWP's
 *          hot scan does.  rearm: DEACTIVATE of the hot set with t->rearm's
 *          policy (per-run or span, as RWP).
 * async:   MINOR_ASYNC: the kernel restores the PTE on access (patch 05).
 * sync:    a MINOR fault message, resolved with UFFDIO_CONTINUE, which on
 *          anon restores the protnone PTE/PMD in place (patch 04).
 * set_mode flips MINOR_ASYNC with UFFDIO_SET_MODE (0x4010AA0A, patch 10).
 *
 * Anonymous memory only.  On shmem and shared hugetlb, DEACTIVATE zaps the
 * PTEs instead (the page stays in the page cache), bit 9 is never reported
 * and re-access is an ordinary shmem minor fault: that is MADV_DONTNEED
 * tracking, not protnone tracking, and it would not be comparable.
 * anon-thp is left out as well: RFC deactivation of a THP is per PMD, so
 * the tracker would report 2 MiB granules.
 *
 * As with RWP, only populated pages are deactivated (change_protection
 * skips pte_none): the benchmarks populate before arming.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "compat_uapi.h"
#include "pagemap.h"
#include "tracker.h"
#include "uapi_detect.h"
#include "uffd.h"
#include "uffd_tracker.h"

#define UFFDIO_DEACTIVATE_BIT	(1ULL << WS__UFFDIO_DEACTIVATE)
#define UFFDIO_CONTINUE_BIT	(1ULL << WS__UFFDIO_CONTINUE)

static void minor_probe(struct ws_probe *p)
{
	ws_uffd_tracker_probe_flavour(p, WS_UFFD_MINOR_ANON,
		"kernel implements the 7.3 RWP UAPI; refusing the RFC minor-anon UAPI");
}

static int minor_resolve(int uffd, const struct ws_uffdio_range *page)
{
	struct ws_uffdio_continue cont = {
		.range = *page,
		.mode = 0,	/* restore and wake */
	};
	int ret;

	/* Retried on EAGAIN: mmap_changing or PMD race. */
	ret = ws_uffd_ioctl_retry(uffd, WS_UFFDIO_CONTINUE, &cont);
	/*
	 * EFAULT (PTE no longer protnone) / EEXIST (THP already
	 * restored): a second message for a page another thread's
	 * fault already resolved.  Its waiter was woken by that
	 * CONTINUE; wake the range anyway so nothing can be left
	 * asleep, which is harmless if nobody waits.
	 */
	if (ret != -EFAULT && ret != -EEXIST)
		return ret;
	if (ioctl(uffd, UFFDIO_WAKE, page))
		return -errno;
	return 0;
}

static const struct ws_uffd_tracker_spec minor_spec = {
	.register_mode = WS_UFFDIO_REGISTER_MODE_MINOR,
	.register_name = "MODE_MINOR",
	.ioctls = UFFDIO_DEACTIVATE_BIT | UFFDIO_CONTINUE_BIT,
	.ioctls_name = "DEACTIVATE (bit 9) or CONTINUE (bit 7)",
	.fault_flag = WS_UFFD_PAGEFAULT_FLAG_MINOR,
	.resolve = minor_resolve,
	.async_feature = WS_UFFD_FEATURE_MINOR_ASYNC,
	.async_name = "MINOR_ASYNC",
};

static int minor_open(struct ws_tracker *t)
{
	struct ws_mem *m = t->mem;
	uint64_t features = WS_UFFD_FEATURE_MINOR_ANON;
	char why[512];

	if (ws_uffd_flavour(why, sizeof(why)) != WS_UFFD_MINOR_ANON)
		return ws_tracker_fail(t, EOPNOTSUPP,
				       "no RFC minor-anon UAPI (%.400s)", why);
	if (m->backing != WS_BACKING_ANON)
		return ws_tracker_fail(t, EOPNOTSUPP,
				       "only anon backing is tracked (RFC DEACTIVATE zaps PTEs on %s)",
				       ws_backing_name(m->backing));
	if (t->mode == WS_MODE_ASYNC)
		features |= WS_UFFD_FEATURE_MINOR_ASYNC;
	return ws_uffd_tracker_open(t, &minor_spec, features);
}

static int minor_arm(struct ws_tracker *t, size_t first, size_t npages)
{
	struct ws_uffd_tracker *ut = t->priv;
	struct ws_uffdio_range r = ws_uffd_tracker_range(t, first, npages);

	if (ioctl(ut->uffd, WS_UFFDIO_DEACTIVATE, &r))
		return ws_tracker_fail(t, errno,
				       "UFFDIO_DEACTIVATE(pages %zu+%zu)",
				       first, npages);
	return 0;
}

static int minor_collect(struct ws_tracker *t, struct ws_pageset *out,
			 bool rearm)
{
	const struct ws_pm_scan q = {
		.category_mask = WS_PAGE_IS_PRESENT |
				 WS_PAGE_IS_UFFD_DEACTIVATED,
		.category_inverted = WS_PAGE_IS_UFFD_DEACTIVATED,
	};
	int ret;

	ret = ws_uffd_tracker_scan(t, &q, out,
				   "PRESENT & !UFFD_DEACTIVATED");
	if (ret || !rearm)
		return ret;
	return ws_uffd_tracker_rearm(t, out);
}

const struct ws_tracker_ops ws_tracker_minor_anon = {
	.name = "minor-anon",
	.summary = "RFC v1 userfaultfd minor-anon (UFFDIO_DEACTIVATE) + PAGEMAP_SCAN: reads and writes",
	.sees = WS_SEES_ACCESSES,
	.backings = WS_BACKING_BIT(WS_BACKING_ANON),
	.modes = WS_MODE_BIT(WS_MODE_ASYNC) | WS_MODE_BIT(WS_MODE_SYNC),
	.faults_on = WS_ACCESS_READ | WS_ACCESS_WRITE,
	.arm_is_ranged = true,
	.rearm_choice = true,
	.async_switchable = true,
	.probe = minor_probe,
	.open = minor_open,
	.arm = minor_arm,
	.collect = minor_collect,
	.set_mode = ws_uffd_tracker_set_mode,
	/* RFC release restores protnone anon PTEs (patch 03, clear_vma). */
	.close = ws_uffd_tracker_close,
	.rearm = ws_uffd_tracker_rearm,
	.handler_cpu_ns = ws_uffd_tracker_handler_cpu_ns,
	.uffd = ws_uffd_tracker_fd,
	.rearm_method = ws_uffd_tracker_rearm_method,
};
