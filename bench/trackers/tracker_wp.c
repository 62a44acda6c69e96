// SPDX-License-Identifier: GPL-2.0
/*
 * uffd write-protect + PAGEMAP_SCAN (brief §3): the dirty tracker that
 * exists before RWP.  It sees writes only, which is the point of comparing
 * it (reviewer question 3: read-only-hot pages look cold to it).
 *
 * async: UFFD_FEATURE_WP_ASYNC; a write clears the PTE's uffd bit in the
 *        kernel and carries on.  collect(rearm) is ONE PAGEMAP_SCAN with
 *        PM_SCAN_WP_MATCHING: report written pages and re-protect them
 *        under the same PTL, so no write is lost (brief §2.5).
 * sync:  no WP_ASYNC; every first write after arm is a message to our
 *        handler thread, resolved with UFFDIO_WRITEPROTECT(mode=0).  The
 *        resolved PTE has no uffd bit, so PAGE_IS_WRITTEN still names the
 *        written set (present PTE in a VM_UFFD_WP VMA without the bit,
 *        brief §2.4); WP_MATCHING is refused without WP_ASYNC, so rearm is
 *        a read-only scan plus UFFDIO_WRITEPROTECT of the written set with
 *        t->rearm's policy (per-run: misses hot pages rewritten before
 *        their re-arm; span: any page), as RWP.
 *
 * Populate before arming: under WP_UNPOPULATED (implied by WP_ASYNC) and
 * without it alike, a pte_none entry of a WP VMA reads as WRITTEN
 * (brief §2.4), so an unpopulated page would be reported as dirty.
 *
 * The two modes are separate opens: UFFDIO_SET_MODE toggles only
 * RWP_ASYNC (brief §1.7) and WP_ASYNC is fixed at UFFDIO_API time.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "compat_uapi.h"
#include "pagemap.h"
#include "tracker.h"
#include "uffd.h"
#include "uffd_tracker.h"

#define WP_NEEDS_SHMEM_FEATURE	(WS_BACKING_BIT(WS_BACKING_SHMEM) | \
				 WS_BACKING_BIT(WS_BACKING_HUGETLB))

static void wp_probe(struct ws_probe *p)
{
	uint64_t features, ioctls;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = ws_uffd_probe_api(&features, &ioctls, p->reason,
				sizeof(p->reason));
	if (ret)
		return;
	snprintf(p->detail, sizeof(p->detail),
		 "UFFDIO_API features=0x%" PRIx64 " ioctls=0x%" PRIx64
		 "; WP_HUGETLBFS_SHMEM %s", features, ioctls,
		 features & WS_UFFD_FEATURE_WP_HUGETLBFS_SHMEM ?
		 "offered" : "missing (anon only)");
	if (!(features & UFFD_FEATURE_PAGEFAULT_FLAG_WP) ||
	    !(features & WS_UFFD_FEATURE_WP_ASYNC)) {
		snprintf(p->reason, sizeof(p->reason),
			 "UFFDIO_API features=0x%" PRIx64 " lacks %s (needs CONFIG_HAVE_ARCH_USERFAULTFD_WP and CONFIG_PTE_MARKER_UFFD_WP, Linux >= 6.7)",
			 features,
			 !(features & UFFD_FEATURE_PAGEFAULT_FLAG_WP) ?
			 "PAGEFAULT_FLAG_WP (bit 0)" : "WP_ASYNC (bit 15)");
		return;
	}
	if (ws_pagemap_scan_probe(p->reason, sizeof(p->reason)))
		return;
	p->supported = true;
}

/* Sync resolution: clear the page's WP bit and wake the writer. */
static int wp_resolve(int uffd, const struct ws_uffdio_range *page)
{
	struct ws_uffdio_writeprotect wp = {
		.range = *page,
		.mode = 0,
	};

	return ws_uffd_ioctl_retry(uffd, WS_UFFDIO_WRITEPROTECT, &wp);
}

/* No async_feature: WP_ASYNC is fixed at UFFDIO_API time (wp_set_mode). */
static const struct ws_uffd_tracker_spec wp_spec = {
	.register_mode = WS_UFFDIO_REGISTER_MODE_WP,
	.register_name = "MODE_WP",
	.ioctls = 1ULL << WS__UFFDIO_WRITEPROTECT,
	.ioctls_name = "WRITEPROTECT",
	.fault_flag = WS_UFFD_PAGEFAULT_FLAG_WP,
	.resolve = wp_resolve,
};

static int wp_open(struct ws_tracker *t)
{
	struct ws_mem *m = t->mem;
	uint64_t want, avail, ioctls;
	char why[256];
	int ret;

	ret = ws_uffd_probe_api(&avail, &ioctls, why, sizeof(why));
	if (ret)
		return ws_tracker_fail(t, -ret, "%s", why);

	if (t->mode == WS_MODE_ASYNC)
		want = WS_UFFD_FEATURE_WP_ASYNC |
		       WS_UFFD_FEATURE_WP_UNPOPULATED;
	else
		want = UFFD_FEATURE_PAGEFAULT_FLAG_WP;
	if (WS_BACKING_BIT(m->backing) & WP_NEEDS_SHMEM_FEATURE)
		want |= WS_UFFD_FEATURE_WP_HUGETLBFS_SHMEM;
	if ((avail & want) != want)
		return ws_tracker_fail(t, EOPNOTSUPP,
			"%s mode on %s needs UFFD features 0x%" PRIx64
			", kernel offers 0x%" PRIx64 " (missing 0x%" PRIx64 ")",
			ws_mode_name(t->mode), ws_backing_name(m->backing),
			want, avail, want & ~avail);

	return ws_uffd_tracker_open(t, &wp_spec, want);
}

/*
 * arm is UFFDIO_WRITEPROTECT over the range in both modes, not the
 * equivalent vec-less WP_MATCHING scan: the protect-cost benchmark
 * compares exactly this range ioctl against UFFDIO_RWPROTECT and mprotect
 * (reviewer question 2).  Re-arming inside collect uses the scan.
 */
static int wp_arm(struct ws_tracker *t, size_t first, size_t npages)
{
	return ws_uffd_tracker_protect(t, WS_UFFDIO_WRITEPROTECT,
				       WS_UFFDIO_WRITEPROTECT_MODE_WP, first,
				       npages, "UFFDIO_WRITEPROTECT(MODE_WP)");
}

/* Write-unprotect the range: PMDs stay PMDs (a write would split them). */
static int wp_disarm(struct ws_tracker *t, size_t first, size_t npages)
{
	return ws_uffd_tracker_protect(t, WS_UFFDIO_WRITEPROTECT, 0, first,
				       npages, "UFFDIO_WRITEPROTECT(unprotect)");
}

static int wp_collect(struct ws_tracker *t, struct ws_pageset *out,
		      bool rearm)
{
	struct ws_pm_scan q = {
		.category_mask = WS_PAGE_IS_WRITTEN,
		.return_mask = WS_PAGE_IS_WRITTEN,
	};
	bool scan_rearms = rearm && t->mode == WS_MODE_ASYNC;
	int ret;

	if (scan_rearms)
		q.flags = WS_PM_SCAN_WP_MATCHING | WS_PM_SCAN_CHECK_WPASYNC;
	ret = ws_uffd_tracker_scan(t, &q, out, scan_rearms ?
				   "WRITTEN, WP_MATCHING" : "WRITTEN");
	if (scan_rearms)
		ws_tracker_mid_collect(t);	/* nothing is left to race */
	if (ret || !rearm || scan_rearms)
		return ret;
	return ws_uffd_tracker_rearm(t, out);
}

/*
 * Async: WP_MATCHING re-protects under the PTL of the scan itself, so
 * nothing is missed.  Sync: the kernel refuses WP_MATCHING without
 * WP_ASYNC, so the re-arm follows the scan (uffd_tracker.c).
 */
static const char *wp_rearm_method(const struct ws_tracker *t,
				   enum ws_rearm_miss *misses)
{
	if (t->mode == WS_MODE_ASYNC) {
		*misses = WS_MISS_NOTHING;
		return "scan-atomic";
	}
	return ws_uffd_tracker_rearm_method(t, misses);
}

static int wp_set_mode(struct ws_tracker *t, enum ws_mode mode)
{
	if (mode == t->mode)
		return 0;
	return ws_tracker_fail(t, EOPNOTSUPP,
		"uffd-WP cannot switch async<->sync at runtime: UFFDIO_SET_MODE toggles only RWP_ASYNC; open the tracker in %s mode instead",
		ws_mode_name(mode));
}

const struct ws_tracker_ops ws_tracker_wp = {
	.name = "wp",
	.summary = "uffd write-protect (WP_ASYNC) + PAGEMAP_SCAN: writes only",
	.sees = WS_SEES_WRITES,
	.backings = WS_BACKING_PAGES |
		    WS_BACKING_BIT(WS_BACKING_HUGETLB) |
		    /* the kernel answers at UFFDIO_REGISTER */
		    WS_BACKING_BIT(WS_BACKING_GMEM),
	.modes = WS_MODE_BIT(WS_MODE_ASYNC) | WS_MODE_BIT(WS_MODE_SYNC),
	.faults_on = WS_ACCESS_WRITE,
	.read_refault_copy_mode = UFFDIO_COPY_MODE_WP,
	.arm_is_ranged = true,
	.rearm_choice = true,
	.probe = wp_probe,
	.open = wp_open,
	.arm = wp_arm,
	.collect = wp_collect,
	.set_mode = wp_set_mode,
	.disarm = wp_disarm,
	/* close() unregisters and clears every WP bit (brief §1.8). */
	.close = ws_uffd_tracker_close,
	.rearm = ws_uffd_tracker_rearm,
	.handler_cpu_ns = ws_uffd_tracker_handler_cpu_ns,
	.uffd = ws_uffd_tracker_fd,
	.rearm_method = wp_rearm_method,
};
