// SPDX-License-Identifier: GPL-2.0
/*
 * Linux 7.3 userfaultfd read-write protect (RWP, brief §1).
 *
 * arm:     UFFDIO_RWPROTECT(MODE_RWP) over the range: present PTEs become
 *          PROT_NONE + uffd bit, one TLB flush per call.
 * collect: hot scan, category_mask = return_mask = PAGE_IS_ACCESSED (a
 *          present/swap entry of an RWP VMA without the uffd bit).  Never
 *          the inverted scan: it also matches holes (brief gotcha 3).
 *          rearm: RWP has no scan-and-re-protect (gotcha 4), so the hot
 *          set is re-protected after the scan, with the policy in
 *          t->rearm (uffd_tracker.h): per-run (default) re-protects each
 *          hot run and leaves cold pages armed, so a cold page accessed
 *          between the scan and the re-protect is reported next interval
 *          (only a hot page accessed again before its re-protect is
 *          missed); span re-protects from the first to the last hot
 *          page in one call and also loses cold pages' accesses.
 * async:   RWP_ASYNC, the kernel unprotects on first access, no message.
 * sync:    every first access is a message to our handler thread,
 *          resolved with UFFDIO_RWPROTECT(mode=0) on that page (on
 *          anon-thp the whole 2 MiB page, as async mode resolves it:
 *          a 4 KiB unprotect would split the PMD).
 * set_mode flips RWP_ASYNC with UFFDIO_SET_MODE on the open ctx.
 *
 * Only populated pages can be protected: pte_none entries are never
 * touched by RWPROTECT and their first access is an ordinary missing
 * fault that produces an accessible PTE (gotcha 2).  The benchmarks
 * populate memory before they arm.
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

static void rwp_probe(struct ws_probe *p)
{
	ws_uffd_tracker_probe_flavour(p, WS_UFFD_RWP,
		"kernel implements the RFC minor-anon UAPI, not 7.3 RWP");
}

static int rwp_resolve(int uffd, const struct ws_uffdio_range *page)
{
	struct ws_uffdio_rwprotect rp = {
		.range = *page,
		.mode = 0,	/* unprotect and wake */
	};

	return ws_uffd_ioctl_retry(uffd, WS_UFFDIO_RWPROTECT, &rp);
}

static const struct ws_uffd_tracker_spec rwp_spec = {
	.register_mode = WS_UFFDIO_REGISTER_MODE_RWP,
	.register_name = "MODE_RWP",
	.ioctls = 1ULL << WS__UFFDIO_RWPROTECT,
	.ioctls_name = "RWPROTECT (bit 9)",
	.fault_flag = WS_UFFD_PAGEFAULT_FLAG_RWP,
	.resolve = rwp_resolve,
	.async_feature = WS_UFFD_FEATURE_RWP_ASYNC,
	.async_name = "RWP_ASYNC",
	.resolve_thp_whole = true,
};

static int rwp_open(struct ws_tracker *t)
{
	uint64_t features = WS_UFFD_FEATURE_RWP;
	char why[512];

	if (ws_uffd_flavour(why, sizeof(why)) != WS_UFFD_RWP)
		return ws_tracker_fail(t, EOPNOTSUPP,
				       "no 7.3 RWP UAPI (%s)", why);
	if (t->mode == WS_MODE_ASYNC)
		features |= WS_UFFD_FEATURE_RWP_ASYNC;
	return ws_uffd_tracker_open(t, &rwp_spec, features);
}

static int rwp_arm(struct ws_tracker *t, size_t first, size_t npages)
{
	return ws_uffd_tracker_protect(t, WS_UFFDIO_RWPROTECT,
				       WS_UFFDIO_RWPROTECT_MODE_RWP, first,
				       npages, "UFFDIO_RWPROTECT(MODE_RWP)");
}

/* Unprotect (and wake) the range: one change_protection, no page touched. */
static int rwp_disarm(struct ws_tracker *t, size_t first, size_t npages)
{
	return ws_uffd_tracker_protect(t, WS_UFFDIO_RWPROTECT, 0, first, npages,
				       "UFFDIO_RWPROTECT(unprotect)");
}

static int rwp_collect(struct ws_tracker *t, struct ws_pageset *out,
		       bool rearm)
{
	const struct ws_pm_scan q = {
		.category_mask = WS_PAGE_IS_ACCESSED,
		.return_mask = WS_PAGE_IS_ACCESSED,
	};
	int ret;

	ret = ws_uffd_tracker_scan(t, &q, out, "ACCESSED");
	if (ret || !rearm)
		return ret;
	/* Cold pages are still armed: re-protect the hot ones. */
	return ws_uffd_tracker_rearm(t, out);
}

const struct ws_tracker_ops ws_tracker_rwp = {
	.name = "rwp",
	.summary = "userfaultfd RWP (Linux 7.3) + PAGEMAP_SCAN(ACCESSED): reads and writes",
	.sees = WS_SEES_ACCESSES,
	.backings = WS_BACKING_PAGES |
		    WS_BACKING_BIT(WS_BACKING_HUGETLB) |
		    /* the kernel answers at UFFDIO_REGISTER */
		    WS_BACKING_BIT(WS_BACKING_GMEM),
	.modes = WS_MODE_BIT(WS_MODE_ASYNC) | WS_MODE_BIT(WS_MODE_SYNC),
	.faults_on = WS_ACCESS_READ | WS_ACCESS_WRITE,
	.arm_is_ranged = true,
	.rearm_choice = true,
	.async_switchable = true,
	.probe = rwp_probe,
	.open = rwp_open,
	.arm = rwp_arm,
	.collect = rwp_collect,
	.set_mode = ws_uffd_tracker_set_mode,
	.disarm = rwp_disarm,
	/*
	 * close() clears RWP on every PTE and wakes any waiter (brief §1.8);
	 * UNREGISTER alone would not wake sync waiters (gotcha 7).
	 */
	.close = ws_uffd_tracker_close,
	.rearm = ws_uffd_tracker_rearm,
	.handler_cpu_ns = ws_uffd_tracker_handler_cpu_ns,
	.uffd = ws_uffd_tracker_fd,
	.rearm_method = ws_uffd_tracker_rearm_method,
};
