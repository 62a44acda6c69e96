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
 *        a read-only scan plus one UFFDIO_WRITEPROTECT per written run.
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
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "compat_uapi.h"
#include "pagemap.h"
#include "tracker.h"
#include "uffd.h"

#define WP_NEEDS_SHMEM_FEATURE	(WS_BACKING_BIT(WS_BACKING_SHMEM) | \
				 WS_BACKING_BIT(WS_BACKING_HUGETLB))

struct wp_priv {
	int uffd;
	int pmfd;
	struct ws_uffd_handler handler;
};

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

/*
 * t->sync_faults is read live by the benchmarks, so count before the ioctl
 * that wakes the faulting thread: it may look at the counter at once.
 */
static void count_sync_fault(struct ws_uffd_handler *h)
{
	struct ws_tracker *t = h->arg;

	__atomic_add_fetch(&t->sync_faults, 1, __ATOMIC_RELAXED);
}

/* Sync resolution: clear the page's WP bit and wake the writer. */
static int wp_resolve(struct ws_uffd_handler *h, const struct uffd_msg *msg)
{
	struct ws_uffdio_writeprotect wp = {
		.range = {
			.start = msg->arg.pagefault.address &
				 ~((uint64_t)h->page_size - 1),
			.len = h->page_size,
		},
		.mode = 0,
	};

	if (!(msg->arg.pagefault.flags & WS_UFFD_PAGEFAULT_FLAG_WP))
		__atomic_add_fetch(&h->unexpected, 1, __ATOMIC_RELAXED);
	count_sync_fault(h);
	while (ioctl(h->uffd, WS_UFFDIO_WRITEPROTECT, &wp)) {
		/* mmap_changing: a non-cooperative event is in flight. */
		if (errno != EAGAIN)
			return -errno;
	}
	return 0;
}

static void wp_close(struct ws_tracker *t)
{
	struct wp_priv *pv = t->priv;

	if (!pv)
		return;
	ws_uffd_handler_stop(&pv->handler);
	/* close() unregisters and clears every WP bit (brief §1.8). */
	if (pv->uffd >= 0)
		close(pv->uffd);
	if (pv->pmfd >= 0)
		close(pv->pmfd);
	free(pv);
	t->priv = NULL;
}

static int wp_open(struct ws_tracker *t)
{
	struct ws_mem *m = t->mem;
	uint64_t want, avail, ioctls;
	struct uffdio_register reg;
	struct wp_priv *pv;
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

	pv = calloc(1, sizeof(*pv));
	if (!pv)
		return ws_tracker_fail(t, ENOMEM, "allocating state");
	pv->uffd = -1;
	pv->pmfd = -1;
	t->priv = pv;

	ret = ws_uffd_open(want, NULL, NULL, why, sizeof(why));
	if (ret < 0) {
		wp_close(t);
		return ws_tracker_fail(t, -ret, "%s", why);
	}
	pv->uffd = ret;

	reg = (struct uffdio_register){
		.range = { .start = (uintptr_t)m->addr, .len = m->len },
		.mode = WS_UFFDIO_REGISTER_MODE_WP,
	};
	if (ioctl(pv->uffd, UFFDIO_REGISTER, &reg)) {
		ret = errno;
		wp_close(t);
		return ws_tracker_fail(t, ret, "UFFDIO_REGISTER(MODE_WP, %s, %zu bytes)",
				       ws_backing_name(m->backing), m->len);
	}
	if (!(reg.ioctls & (1ULL << WS__UFFDIO_WRITEPROTECT))) {
		wp_close(t);
		return ws_tracker_fail(t, EOPNOTSUPP,
			"UFFDIO_REGISTER(MODE_WP) ioctls=0x%llx lacks WRITEPROTECT",
			(unsigned long long)reg.ioctls);
	}

	ret = ws_pagemap_open();
	if (ret < 0) {
		wp_close(t);
		return ws_tracker_fail(t, -ret, "open /proc/self/pagemap");
	}
	pv->pmfd = ret;

	if (t->mode == WS_MODE_SYNC) {
		ret = ws_uffd_handler_start(&pv->handler, pv->uffd,
					    m->page_size, wp_resolve, t);
		if (ret) {
			wp_close(t);
			return ws_tracker_fail(t, -ret, "starting fault handler");
		}
	}
	return 0;
}

static int wp_protect(struct ws_tracker *t, size_t first, size_t n)
{
	struct wp_priv *pv = t->priv;
	struct ws_mem *m = t->mem;
	struct ws_uffdio_writeprotect wp = {
		.range = {
			.start = (uintptr_t)m->addr + first * m->page_size,
			.len = n * m->page_size,
		},
		.mode = WS_UFFDIO_WRITEPROTECT_MODE_WP,
	};

	if (ioctl(pv->uffd, WS_UFFDIO_WRITEPROTECT, &wp))
		return ws_tracker_fail(t, errno,
				       "UFFDIO_WRITEPROTECT(pages %zu+%zu)",
				       first, n);
	return 0;
}

/*
 * arm is UFFDIO_WRITEPROTECT over the range in both modes, not the
 * equivalent vec-less WP_MATCHING scan: the protect-cost benchmark
 * compares exactly this range ioctl against UFFDIO_RWPROTECT and mprotect
 * (reviewer question 2).  Re-arming inside collect uses the scan.
 */
static int wp_arm(struct ws_tracker *t, size_t first, size_t npages)
{
	return wp_protect(t, first, npages);
}

static int wp_collect(struct ws_tracker *t, struct ws_pageset *out,
		      bool rearm)
{
	struct wp_priv *pv = t->priv;
	struct ws_mem *m = t->mem;
	struct ws_pm_scan q = {
		.category_mask = WS_PAGE_IS_WRITTEN,
		.return_mask = WS_PAGE_IS_WRITTEN,
	};
	bool scan_rearms = rearm && t->mode == WS_MODE_ASYNC;
	long ret;

	if (scan_rearms)
		q.flags = WS_PM_SCAN_WP_MATCHING | WS_PM_SCAN_CHECK_WPASYNC;
	ws_pageset_clear(out);
	ret = ws_pagemap_scan(pv->pmfd, m, 0, m->npages, &q, out, NULL);
	if (pv->handler.running &&
	    __atomic_load_n(&pv->handler.error, __ATOMIC_RELAXED))
		return ws_tracker_fail(t, -pv->handler.error,
				       "sync fault handler stopped resolving");
	if (ret < 0)
		return ws_tracker_fail(t, -ret, "PAGEMAP_SCAN(WRITTEN%s)",
				       scan_rearms ? ", WP_MATCHING" : "");
	if (rearm && !scan_rearms) {
		size_t pos = 0, first, n;

		/* One ioctl per written run, never per page. */
		while (ws_pageset_next_run(out, &pos, &first, &n)) {
			int err = wp_protect(t, first, n);

			if (err)
				return err;
		}
	}
	return 0;
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
	.backings = WS_BACKING_BIT(WS_BACKING_ANON) |
		    WS_BACKING_BIT(WS_BACKING_ANON_THP) |
		    WS_BACKING_BIT(WS_BACKING_SHMEM) |
		    WS_BACKING_BIT(WS_BACKING_HUGETLB),
	.modes = WS_MODE_BIT(WS_MODE_ASYNC) | WS_MODE_BIT(WS_MODE_SYNC),
	.arm_is_ranged = true,
	.probe = wp_probe,
	.open = wp_open,
	.arm = wp_arm,
	.collect = wp_collect,
	.set_mode = wp_set_mode,
	.close = wp_close,
};
