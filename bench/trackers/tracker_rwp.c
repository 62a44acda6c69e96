// SPDX-License-Identifier: GPL-2.0
/*
 * Linux 7.3 userfaultfd read-write protect (RWP, brief §1).
 *
 * arm:     UFFDIO_RWPROTECT(MODE_RWP) over the range: present PTEs become
 *          PROT_NONE + uffd bit, one TLB flush per call.
 * collect: hot scan, category_mask = return_mask = PAGE_IS_ACCESSED (a
 *          present/swap entry of an RWP VMA without the uffd bit).  Never
 *          the inverted scan: it also matches holes (brief gotcha 3).
 *          rearm: one UFFDIO_RWPROTECT per hot run; RWP has no
 *          scan-and-re-protect (gotcha 4), so an access landing between
 *          the scan and the re-protect of its run is not seen next time.
 * async:   RWP_ASYNC, the kernel unprotects on first access, no message.
 * sync:    every first access is a message to our handler thread,
 *          resolved with UFFDIO_RWPROTECT(mode=0) on that page.
 * set_mode flips RWP_ASYNC with UFFDIO_SET_MODE on the open ctx.
 *
 * Only populated pages can be protected: pte_none entries are never
 * touched by RWPROTECT and their first access is an ordinary missing
 * fault that produces an accessible PTE (gotcha 2).  The benchmarks
 * populate memory before they arm.
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
#include "uapi_detect.h"
#include "uffd.h"

struct rwp_priv {
	int uffd;
	int pmfd;
	struct ws_uffd_handler handler;
};

static void rwp_probe(struct ws_probe *p)
{
	char why[512];
	enum ws_uffd_flavour f;

	memset(p, 0, sizeof(*p));
	f = ws_uffd_flavour(why, sizeof(why));
	switch (f) {
	case WS_UFFD_RWP:
		snprintf(p->detail, sizeof(p->detail), "%.250s", why);
		break;
	case WS_UFFD_MINOR_ANON:
		snprintf(p->reason, sizeof(p->reason),
			 "kernel implements the RFC minor-anon UAPI, not 7.3 RWP (%.400s)",
			 why);
		return;
	default:
		snprintf(p->reason, sizeof(p->reason), "%s", why);
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

static int rwp_resolve(struct ws_uffd_handler *h, const struct uffd_msg *msg)
{
	struct ws_uffdio_rwprotect rp = {
		.range = {
			/* hugetlb: the whole huge page (page_size = 2 MiB) */
			.start = msg->arg.pagefault.address &
				 ~((uint64_t)h->page_size - 1),
			.len = h->page_size,
		},
		.mode = 0,	/* unprotect and wake */
	};

	if (!(msg->arg.pagefault.flags & WS_UFFD_PAGEFAULT_FLAG_RWP))
		__atomic_add_fetch(&h->unexpected, 1, __ATOMIC_RELAXED);
	count_sync_fault(h);
	while (ioctl(h->uffd, WS_UFFDIO_RWPROTECT, &rp)) {
		/* mmap_changing: a non-cooperative event is in flight. */
		if (errno != EAGAIN)
			return -errno;
	}
	return 0;
}

static int rwp_handler_start(struct ws_tracker *t)
{
	struct rwp_priv *pv = t->priv;
	int ret;

	ret = ws_uffd_handler_start(&pv->handler, pv->uffd,
				    t->mem->page_size, rwp_resolve, t);
	if (ret)
		return ws_tracker_fail(t, -ret, "starting fault handler");
	return 0;
}

static void rwp_handler_stop(struct ws_tracker *t)
{
	struct rwp_priv *pv = t->priv;

	if (!pv->handler.running)
		return;
	ws_uffd_handler_stop(&pv->handler);
}

static void rwp_close(struct ws_tracker *t)
{
	struct rwp_priv *pv = t->priv;

	if (!pv)
		return;
	rwp_handler_stop(t);
	/*
	 * close() clears RWP on every PTE and wakes any waiter (brief §1.8);
	 * UNREGISTER alone would not wake sync waiters (gotcha 7).
	 */
	if (pv->uffd >= 0)
		close(pv->uffd);
	if (pv->pmfd >= 0)
		close(pv->pmfd);
	free(pv);
	t->priv = NULL;
}

static int rwp_open(struct ws_tracker *t)
{
	struct ws_mem *m = t->mem;
	uint64_t features = WS_UFFD_FEATURE_RWP;
	struct uffdio_register reg;
	struct rwp_priv *pv;
	char why[512];
	int ret;

	if (ws_uffd_flavour(why, sizeof(why)) != WS_UFFD_RWP)
		return ws_tracker_fail(t, EOPNOTSUPP,
				       "no 7.3 RWP UAPI (%s)", why);
	if (t->mode == WS_MODE_ASYNC)
		features |= WS_UFFD_FEATURE_RWP_ASYNC;

	pv = calloc(1, sizeof(*pv));
	if (!pv)
		return ws_tracker_fail(t, ENOMEM, "allocating state");
	pv->uffd = -1;
	pv->pmfd = -1;
	t->priv = pv;

	ret = ws_uffd_open(features, NULL, NULL, why, sizeof(why));
	if (ret < 0) {
		rwp_close(t);
		return ws_tracker_fail(t, -ret, "%s", why);
	}
	pv->uffd = ret;

	reg = (struct uffdio_register){
		.range = { .start = (uintptr_t)m->addr, .len = m->len },
		.mode = WS_UFFDIO_REGISTER_MODE_RWP,
	};
	if (ioctl(pv->uffd, UFFDIO_REGISTER, &reg)) {
		ret = errno;
		rwp_close(t);
		return ws_tracker_fail(t, ret,
				       "UFFDIO_REGISTER(MODE_RWP, %s, %zu bytes)",
				       ws_backing_name(m->backing), m->len);
	}
	if (!(reg.ioctls & (1ULL << WS__UFFDIO_RWPROTECT))) {
		rwp_close(t);
		return ws_tracker_fail(t, EOPNOTSUPP,
			"UFFDIO_REGISTER(MODE_RWP) ioctls=0x%llx lacks RWPROTECT (bit 9)",
			(unsigned long long)reg.ioctls);
	}

	ret = ws_pagemap_open();
	if (ret < 0) {
		rwp_close(t);
		return ws_tracker_fail(t, -ret, "open /proc/self/pagemap");
	}
	pv->pmfd = ret;

	if (t->mode == WS_MODE_SYNC) {
		ret = rwp_handler_start(t);
		if (ret) {
			char err[sizeof(t->err)];

			memcpy(err, t->err, sizeof(err));
			rwp_close(t);
			memcpy(t->err, err, sizeof(err));
			return ret;
		}
	}
	return 0;
}

static int rwp_protect(struct ws_tracker *t, size_t first, size_t n)
{
	struct rwp_priv *pv = t->priv;
	struct ws_mem *m = t->mem;
	struct ws_uffdio_rwprotect rp = {
		.range = {
			.start = (uintptr_t)m->addr + first * m->page_size,
			.len = n * m->page_size,
		},
		.mode = WS_UFFDIO_RWPROTECT_MODE_RWP,
	};

	if (ioctl(pv->uffd, WS_UFFDIO_RWPROTECT, &rp))
		return ws_tracker_fail(t, errno,
				       "UFFDIO_RWPROTECT(MODE_RWP, pages %zu+%zu)",
				       first, n);
	return 0;
}

static int rwp_arm(struct ws_tracker *t, size_t first, size_t npages)
{
	return rwp_protect(t, first, npages);
}

static int rwp_collect(struct ws_tracker *t, struct ws_pageset *out,
		       bool rearm)
{
	struct rwp_priv *pv = t->priv;
	struct ws_mem *m = t->mem;
	const struct ws_pm_scan q = {
		.category_mask = WS_PAGE_IS_ACCESSED,
		.return_mask = WS_PAGE_IS_ACCESSED,
	};
	size_t pos = 0, first, n;
	long ret;

	ws_pageset_clear(out);
	ret = ws_pagemap_scan(pv->pmfd, m, 0, m->npages, &q, out, NULL);
	if (pv->handler.running &&
	    __atomic_load_n(&pv->handler.error, __ATOMIC_RELAXED))
		return ws_tracker_fail(t, -pv->handler.error,
				       "sync fault handler stopped resolving");
	if (ret < 0)
		return ws_tracker_fail(t, -ret, "PAGEMAP_SCAN(ACCESSED)");
	if (!rearm)
		return 0;
	/* Cold pages are still armed: re-protect only the hot runs. */
	while (ws_pageset_next_run(out, &pos, &first, &n)) {
		int err = rwp_protect(t, first, n);

		if (err)
			return err;
	}
	return 0;
}

static int rwp_set_mode_ioctl(struct ws_tracker *t, bool async)
{
	struct rwp_priv *pv = t->priv;
	struct ws_uffdio_set_mode sm = { 0 };

	if (async)
		sm.enable = WS_UFFD_FEATURE_RWP_ASYNC;
	else
		sm.disable = WS_UFFD_FEATURE_RWP_ASYNC;
	if (ioctl(pv->uffd, WS_UFFDIO_SET_MODE, &sm))
		return ws_tracker_fail(t, errno, "UFFDIO_SET_MODE(%s RWP_ASYNC)",
				       async ? "enable" : "disable");
	return 0;
}

/*
 * Order matters so that no fault ever waits unserved: the handler is up
 * before async is disabled, and it is stopped only after enabling async
 * has woken every waiter (they retry and auto-resolve, brief §1.7).
 */
static int rwp_set_mode(struct ws_tracker *t, enum ws_mode mode)
{
	int ret;

	if (mode == t->mode)
		return 0;
	if (mode == WS_MODE_SYNC) {
		ret = rwp_handler_start(t);
		if (ret)
			return ret;
		ret = rwp_set_mode_ioctl(t, false);
		if (ret) {
			char err[sizeof(t->err)];

			memcpy(err, t->err, sizeof(err));
			rwp_handler_stop(t);
			memcpy(t->err, err, sizeof(err));
			return ret;
		}
	} else {
		ret = rwp_set_mode_ioctl(t, true);
		if (ret)
			return ret;
		rwp_handler_stop(t);
	}
	t->mode = mode;
	return 0;
}

const struct ws_tracker_ops ws_tracker_rwp = {
	.name = "rwp",
	.summary = "userfaultfd RWP (Linux 7.3) + PAGEMAP_SCAN(ACCESSED): reads and writes",
	.sees = WS_SEES_ACCESSES,
	.backings = WS_BACKING_BIT(WS_BACKING_ANON) |
		    WS_BACKING_BIT(WS_BACKING_ANON_THP) |
		    WS_BACKING_BIT(WS_BACKING_SHMEM) |
		    WS_BACKING_BIT(WS_BACKING_HUGETLB),
	.modes = WS_MODE_BIT(WS_MODE_ASYNC) | WS_MODE_BIT(WS_MODE_SYNC),
	.arm_is_ranged = true,
	.probe = rwp_probe,
	.open = rwp_open,
	.arm = rwp_arm,
	.collect = rwp_collect,
	.set_mode = rwp_set_mode,
	.close = rwp_close,
};
