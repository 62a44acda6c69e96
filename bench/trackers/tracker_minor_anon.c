// SPDX-License-Identifier: GPL-2.0
/*
 * RFC v1 "minor-anon" (shared/seeds/002_*, brief §4.1): RWP's predecessor,
 * kept so its numbers can be compared against 7.3.  It runs on the rfc-v1
 * kernel (make kernel KERNEL=rfc-v1: Linux 7.2 + the RFC series,
 * kernel/patches/rfc-v1/) and refuses 7.3, whose UAPI reuses feature bits
 * 17/18, ioctl nr 0x09/0x0A and pagemap bit 9 with different meaning
 * (brief gotcha 12).
 *
 * open:    UFFDIO_API(MINOR_ANON [+ MINOR_ASYNC]), REGISTER(MODE_MINOR).
 * arm:     UFFDIO_DEACTIVATE (0x8010AA09) over the range: anon PTEs and
 *          PMDs become protnone *without* a uffd bit (patch 03), PFNs kept.
 * collect: PAGE_IS_UFFD_DEACTIVATED (bit 9) means "still protnone", i.e.
 *          COLD (patch 09), so hot = present and not deactivated:
 *          category_mask = PRESENT|DEACTIVATED, category_inverted =
 *          DEACTIVATED.  PRESENT keeps holes and swapped pages out, as RWP's
 *          hot scan does.  rearm: DEACTIVATE of the hot set with t->rearm's
 *          policy (per-run or span, as RWP).
 * async:   MINOR_ASYNC: the kernel restores the PTE on access (patch 05).
 *          It restores the VMA's protection, which is read-only for
 *          private anon, so a write to a deactivated page takes a second
 *          (write-protect) fault; 7.3 RWP makes the PTE writable at once.
 * sync:    a MINOR fault message, resolved with UFFDIO_CONTINUE, which on
 *          anon restores the protnone PTE/PMD in place (patch 04).
 * set_mode flips MINOR_ASYNC with UFFDIO_SET_MODE (0x4010AA0A, patch 10).
 *
 * Backings, as measured on the rfc-v1 kernel (tests/vm-e2e-rfc):
 *   anon      protnone PTEs; exact on every correctness pattern, both modes.
 *   anon-thp  protnone PMDs: deactivation, async restore, CONTINUE and
 *             PAGE_IS_UFFD_DEACTIVATED all work per whole 2 MiB PMD, so
 *             the granule is the huge page, as with RWP on anon-thp (the
 *             SET_MODE round trip in whole granules is exact).
 *   shmem, hugetlb: NOT tracked.  There DEACTIVATE zaps the PTEs
 *             (patch 03): after it the pagemap entry is empty (no PFN, not
 *             present), bit 9 is never reported, and a re-access is an
 *             ordinary page-cache minor fault (auto-resolved with
 *             MINOR_ASYNC, patch 06).  "Hot = present" then tracks
 *             exactly, but it is MADV_DONTNEED-style zap-and-refault
 *             tracking, not protnone tracking, and its numbers would not
 *             compare with RWP's PROT_NONE on the same backing.
 *
 * As with RWP, only populated pages are deactivated (change_protection
 * skips pte_none): the benchmarks populate before arming.  Unlike RWP,
 * mprotect() on a deactivated range rewrites the protnone PTEs with the
 * new protection, so every page comes back accessible and reads as hot
 * (the correctness benchmark's "tlb": "flushed" rows flush with mprotect
 * and show it as lost precision).
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

	for (;;) {
		if (!ioctl(uffd, WS_UFFDIO_CONTINUE, &cont))
			return 0;
		/*
		 * A protnone THP is restored whole: the kernel reports 2 MiB
		 * mapped for our 4 KiB, wakes [start, start + mapped) and
		 * fails EAGAIN for the length mismatch.  The fault is
		 * resolved; asking again would only fail EEXIST.
		 */
		if (errno == EAGAIN && cont.mapped >= (__s64)page->len)
			return 0;
		if (errno != EAGAIN)
			break;
		/* mmap_changing (mapped = -EAGAIN): retry. */
	}
	/*
	 * EFAULT (PTE no longer protnone) / EEXIST (THP already
	 * restored): a second message for a page another thread's
	 * fault already resolved.  Its waiter was woken by that
	 * CONTINUE; wake the range anyway so nothing can be left
	 * asleep, which is harmless if nobody waits.
	 */
	if (errno != EFAULT && errno != EEXIST)
		return -errno;
	return ws_uffd_wake(uffd, page->start, page->len);
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
	if (m->backing != WS_BACKING_ANON && m->backing != WS_BACKING_ANON_THP)
		return ws_tracker_fail(t, EOPNOTSUPP,
				       "only anon and anon-thp are tracked (RFC DEACTIVATE zaps PTEs on %s)",
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
	.backings = WS_BACKING_BIT(WS_BACKING_ANON) |
		    WS_BACKING_BIT(WS_BACKING_ANON_THP),
	.backings_why = "only anon and anon-thp are tracked (RFC DEACTIVATE zaps PTEs on shmem and hugetlb)",
	.flush_disturbs_arm = "the RFC's mprotect() re-activates deactivated pages (7.3 RWP keeps them protected)",
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
