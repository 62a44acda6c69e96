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
 *          hot scan does.  rearm: one DEACTIVATE per hot run.
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

#define UFFDIO_DEACTIVATE_BIT	(1ULL << WS__UFFDIO_DEACTIVATE)
#define UFFDIO_CONTINUE_BIT	(1ULL << WS__UFFDIO_CONTINUE)

struct minor_priv {
	int uffd;
	int pmfd;
	struct ws_uffd_handler handler;
};

static void minor_probe(struct ws_probe *p)
{
	char why[512];

	memset(p, 0, sizeof(*p));
	switch (ws_uffd_flavour(why, sizeof(why))) {
	case WS_UFFD_MINOR_ANON:
		snprintf(p->detail, sizeof(p->detail), "%.250s", why);
		break;
	case WS_UFFD_RWP:
		snprintf(p->reason, sizeof(p->reason),
			 "kernel implements the 7.3 RWP UAPI; refusing the RFC minor-anon UAPI (%.400s)",
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

static int minor_resolve(struct ws_uffd_handler *h, const struct uffd_msg *msg)
{
	struct ws_uffdio_continue cont = {
		.range = {
			.start = msg->arg.pagefault.address &
				 ~((uint64_t)h->page_size - 1),
			.len = h->page_size,
		},
		.mode = 0,	/* restore and wake */
	};
	struct ws_uffdio_range wake = cont.range;

	if (!(msg->arg.pagefault.flags & WS_UFFD_PAGEFAULT_FLAG_MINOR))
		__atomic_add_fetch(&h->unexpected, 1, __ATOMIC_RELAXED);
	count_sync_fault(h);
	while (ioctl(h->uffd, WS_UFFDIO_CONTINUE, &cont)) {
		if (errno == EAGAIN)	/* mmap_changing or PMD race */
			continue;
		/*
		 * EFAULT (PTE no longer protnone) / EEXIST (THP already
		 * restored): a second message for a page another thread's
		 * fault already resolved.  Its waiter was woken by that
		 * CONTINUE; wake the range anyway so nothing can be left
		 * asleep, which is harmless if nobody waits.
		 */
		if (errno != EFAULT && errno != EEXIST)
			return -errno;
		if (ioctl(h->uffd, UFFDIO_WAKE, &wake))
			return -errno;
		break;
	}
	return 0;
}

static int minor_handler_start(struct ws_tracker *t)
{
	struct minor_priv *pv = t->priv;
	int ret;

	ret = ws_uffd_handler_start(&pv->handler, pv->uffd,
				    t->mem->page_size, minor_resolve, t);
	if (ret)
		return ws_tracker_fail(t, -ret, "starting fault handler");
	return 0;
}

static void minor_handler_stop(struct ws_tracker *t)
{
	struct minor_priv *pv = t->priv;

	if (!pv->handler.running)
		return;
	ws_uffd_handler_stop(&pv->handler);
}

static void minor_close(struct ws_tracker *t)
{
	struct minor_priv *pv = t->priv;

	if (!pv)
		return;
	minor_handler_stop(t);
	/* RFC release restores protnone anon PTEs (patch 03, clear_vma). */
	if (pv->uffd >= 0)
		close(pv->uffd);
	if (pv->pmfd >= 0)
		close(pv->pmfd);
	free(pv);
	t->priv = NULL;
}

static int minor_open(struct ws_tracker *t)
{
	struct ws_mem *m = t->mem;
	uint64_t features = WS_UFFD_FEATURE_MINOR_ANON;
	struct uffdio_register reg;
	struct minor_priv *pv;
	char why[512];
	int ret;

	if (ws_uffd_flavour(why, sizeof(why)) != WS_UFFD_MINOR_ANON)
		return ws_tracker_fail(t, EOPNOTSUPP,
				       "no RFC minor-anon UAPI (%.400s)", why);
	if (m->backing != WS_BACKING_ANON)
		return ws_tracker_fail(t, EOPNOTSUPP,
				       "only anon backing is tracked (RFC DEACTIVATE zaps PTEs on %s)",
				       ws_backing_name(m->backing));
	if (t->mode == WS_MODE_ASYNC)
		features |= WS_UFFD_FEATURE_MINOR_ASYNC;

	pv = calloc(1, sizeof(*pv));
	if (!pv)
		return ws_tracker_fail(t, ENOMEM, "allocating state");
	pv->uffd = -1;
	pv->pmfd = -1;
	t->priv = pv;

	ret = ws_uffd_open(features, NULL, NULL, why, sizeof(why));
	if (ret < 0) {
		minor_close(t);
		return ws_tracker_fail(t, -ret, "%s", why);
	}
	pv->uffd = ret;

	reg = (struct uffdio_register){
		.range = { .start = (uintptr_t)m->addr, .len = m->len },
		.mode = WS_UFFDIO_REGISTER_MODE_MINOR,
	};
	if (ioctl(pv->uffd, UFFDIO_REGISTER, &reg)) {
		ret = errno;
		minor_close(t);
		return ws_tracker_fail(t, ret,
				       "UFFDIO_REGISTER(MODE_MINOR, %s, %zu bytes)",
				       ws_backing_name(m->backing), m->len);
	}
	if ((reg.ioctls & (UFFDIO_DEACTIVATE_BIT | UFFDIO_CONTINUE_BIT)) !=
	    (UFFDIO_DEACTIVATE_BIT | UFFDIO_CONTINUE_BIT)) {
		minor_close(t);
		return ws_tracker_fail(t, EOPNOTSUPP,
			"UFFDIO_REGISTER(MODE_MINOR) ioctls=0x%llx lacks DEACTIVATE (bit 9) or CONTINUE (bit 7)",
			(unsigned long long)reg.ioctls);
	}

	ret = ws_pagemap_open();
	if (ret < 0) {
		minor_close(t);
		return ws_tracker_fail(t, -ret, "open /proc/self/pagemap");
	}
	pv->pmfd = ret;

	if (t->mode == WS_MODE_SYNC) {
		ret = minor_handler_start(t);
		if (ret) {
			char err[sizeof(t->err)];

			memcpy(err, t->err, sizeof(err));
			minor_close(t);
			memcpy(t->err, err, sizeof(err));
			return ret;
		}
	}
	return 0;
}

static int minor_deactivate(struct ws_tracker *t, size_t first, size_t n)
{
	struct minor_priv *pv = t->priv;
	struct ws_mem *m = t->mem;
	struct ws_uffdio_range r = {
		.start = (uintptr_t)m->addr + first * m->page_size,
		.len = n * m->page_size,
	};

	if (ioctl(pv->uffd, WS_UFFDIO_DEACTIVATE, &r))
		return ws_tracker_fail(t, errno,
				       "UFFDIO_DEACTIVATE(pages %zu+%zu)",
				       first, n);
	return 0;
}

static int minor_arm(struct ws_tracker *t, size_t first, size_t npages)
{
	return minor_deactivate(t, first, npages);
}

static int minor_collect(struct ws_tracker *t, struct ws_pageset *out,
			 bool rearm)
{
	struct minor_priv *pv = t->priv;
	struct ws_mem *m = t->mem;
	const struct ws_pm_scan q = {
		.category_mask = WS_PAGE_IS_PRESENT |
				 WS_PAGE_IS_UFFD_DEACTIVATED,
		.category_inverted = WS_PAGE_IS_UFFD_DEACTIVATED,
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
		return ws_tracker_fail(t, -ret,
				       "PAGEMAP_SCAN(PRESENT & !UFFD_DEACTIVATED)");
	if (!rearm)
		return 0;
	while (ws_pageset_next_run(out, &pos, &first, &n)) {
		int err = minor_deactivate(t, first, n);

		if (err)
			return err;
	}
	return 0;
}

static int minor_set_mode_ioctl(struct ws_tracker *t, bool async)
{
	struct minor_priv *pv = t->priv;
	struct ws_uffdio_set_mode sm = { 0 };

	if (async)
		sm.enable = WS_UFFD_FEATURE_MINOR_ASYNC;
	else
		sm.disable = WS_UFFD_FEATURE_MINOR_ASYNC;
	if (ioctl(pv->uffd, WS_UFFDIO_SET_MODE, &sm))
		return ws_tracker_fail(t, errno,
				       "UFFDIO_SET_MODE(%s MINOR_ASYNC)",
				       async ? "enable" : "disable");
	return 0;
}

/* Same ordering as rwp: the handler is up whenever a fault could wait. */
static int minor_set_mode(struct ws_tracker *t, enum ws_mode mode)
{
	int ret;

	if (mode == t->mode)
		return 0;
	if (mode == WS_MODE_SYNC) {
		ret = minor_handler_start(t);
		if (ret)
			return ret;
		ret = minor_set_mode_ioctl(t, false);
		if (ret) {
			char err[sizeof(t->err)];

			memcpy(err, t->err, sizeof(err));
			minor_handler_stop(t);
			memcpy(t->err, err, sizeof(err));
			return ret;
		}
	} else {
		ret = minor_set_mode_ioctl(t, true);
		if (ret)
			return ret;
		minor_handler_stop(t);
	}
	t->mode = mode;
	return 0;
}

const struct ws_tracker_ops ws_tracker_minor_anon = {
	.name = "minor-anon",
	.summary = "RFC v1 userfaultfd minor-anon (UFFDIO_DEACTIVATE) + PAGEMAP_SCAN: reads and writes",
	.sees = WS_SEES_ACCESSES,
	.backings = WS_BACKING_BIT(WS_BACKING_ANON),
	.modes = WS_MODE_BIT(WS_MODE_ASYNC) | WS_MODE_BIT(WS_MODE_SYNC),
	.arm_is_ranged = true,
	.probe = minor_probe,
	.open = minor_open,
	.arm = minor_arm,
	.collect = minor_collect,
	.set_mode = minor_set_mode,
	.close = minor_close,
};
