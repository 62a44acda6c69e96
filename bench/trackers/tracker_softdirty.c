// SPDX-License-Identifier: GPL-2.0
/*
 * Soft-dirty (brief §6): "echo 4 > /proc/self/clear_refs" write-protects
 * every present PTE of the process and clears its soft-dirty bit; the next
 * write faults once and sets it again.  Sees writes only.
 *
 * arm is whole-process, not ranged: clear_refs has no range argument, so
 * arm(first, n) ignores the range and clears the entire mm -- under
 * mmap_write_lock, which stalls every fault of every thread, and it
 * write-protects the harness's own heap and stacks too, whose next writes
 * then fault as well.  That is the real cost of this API; protect-cost
 * reports it per call (arm_is_ranged = false).
 *
 * collect is one PAGEMAP_SCAN for PAGE_IS_SOFT_DIRTY over the region when
 * the kernel has it (Linux >= 6.7), else one pread of the region's pagemap
 * entries and bit 55.  Re-arming is another clear_refs: a write that lands
 * between the scan and the clear is lost, because soft-dirty has no
 * atomic scan-and-clear (uffd-WP's PM_SCAN_WP_MATCHING does not apply).
 *
 * Holes and unpopulated pages: a new or expanded VMA is VM_SOFTDIRTY, so
 * every page of it, holes included, reads dirty until the first clear_refs
 * (arm does it).  After that a first-touch write creates a soft-dirty PTE
 * and is reported, as it should be.
 *
 * anon-thp: a PMD-mapped THP is tracked per PMD, so one write reports all
 * 512 pages of it; the benchmarks measure that as false positives.
 *
 * hugetlb is not offered: clear_refs_walk_ops has no hugetlb_entry, so
 * hugetlb entries are neither write-protected nor cleared.  Measured on
 * 7.3.4: after clear_refs 4 and a write to huge page 0, pagemap bit 55
 * reads 0 for it (pread derives hugetlb soft-dirty from VM_SOFTDIRTY,
 * which clear_refs cleared), while PAGEMAP_SCAN reports PAGE_IS_SOFT_DIRTY
 * for both huge pages, written or not (the PTE bit set at population is
 * never cleared).  Neither answer tracks writes.
 *
 * guest_memfd is offered: its user mapping is a shared mapping of ordinary
 * PTEs, so clear_refs write-protects them and the write fault
 * (wp_page_reuse(), no ->page_mkwrite) sets soft-dirty again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "compat_uapi.h"
#include "pagemap.h"
#include "tracker.h"

#define CLEAR_REFS		"/proc/self/clear_refs"
#define CLEAR_REFS_SOFT_DIRTY	"4"

struct softdirty_priv {
	int clear_refs_fd;
	int pmfd;
	bool use_scan;		/* PAGEMAP_SCAN available */
	uint64_t *entries;	/* pread fallback: one per page */
};

static int clear_soft_dirty(int fd)
{
	/* Any offset works; a single write of "4" clears the whole mm. */
	if (pwrite(fd, CLEAR_REFS_SOFT_DIRTY, 1, 0) != 1)
		return -errno;
	return 0;
}

static void softdirty_probe(struct ws_probe *p)
{
	size_t psz = ws_page_size();
	uint64_t before = 0, after = 0;
	char why[200];
	int crfd, pmfd, ret;
	char *page;

	memset(p, 0, sizeof(*p));
	crfd = open(CLEAR_REFS, O_WRONLY | O_CLOEXEC);
	if (crfd < 0) {
		snprintf(p->reason, sizeof(p->reason), "open %s: %s",
			 CLEAR_REFS, strerror(errno));
		return;
	}
	pmfd = ws_pagemap_open();
	if (pmfd < 0) {
		snprintf(p->reason, sizeof(p->reason),
			 "open /proc/self/pagemap: %s", strerror(-pmfd));
		close(crfd);
		return;
	}
	page = mmap(NULL, psz, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		snprintf(p->reason, sizeof(p->reason), "mmap scratch page: %s",
			 strerror(errno));
		goto out;
	}
	*(volatile char *)page = 1;
	ret = clear_soft_dirty(crfd);
	if (!ret)
		ret = ws_pagemap_read(pmfd, page, 1, &before);
	if (!ret) {
		*(volatile char *)page = 2;
		ret = ws_pagemap_read(pmfd, page, 1, &after);
	}
	munmap(page, psz);
	if (ret) {
		snprintf(p->reason, sizeof(p->reason),
			 "clear_refs 4 / pagemap read: %s", strerror(-ret));
		goto out;
	}
	if (!(after & WS_PM_SOFT_DIRTY)) {
		snprintf(p->reason, sizeof(p->reason),
			 "CONFIG_MEM_SOFT_DIRTY not enabled (pagemap bit 55 never set)");
		goto out;
	}
	if (before & WS_PM_SOFT_DIRTY) {
		snprintf(p->reason, sizeof(p->reason),
			 "clear_refs 4 did not clear pagemap bit 55 of a present page");
		goto out;
	}
	p->supported = true;
	if (ws_pagemap_scan_probe(why, sizeof(why)))
		snprintf(p->detail, sizeof(p->detail),
			 "collect: pagemap pread + bit 55 (%s)", why);
	else
		snprintf(p->detail, sizeof(p->detail),
			 "collect: PAGEMAP_SCAN(PAGE_IS_SOFT_DIRTY)");
out:
	close(pmfd);
	close(crfd);
}

static void softdirty_close(struct ws_tracker *t)
{
	struct softdirty_priv *pv = t->priv;

	if (!pv)
		return;
	ws_close_fd(&pv->clear_refs_fd);
	ws_close_fd(&pv->pmfd);
	free(pv->entries);
	free(pv);
	t->priv = NULL;
}

static int softdirty_open(struct ws_tracker *t)
{
	struct ws_mem *m = t->mem;
	struct softdirty_priv *pv;
	char why[256];
	int ret;

	if (!(t->ops->backings & WS_BACKING_BIT(m->backing)))
		return ws_tracker_fail(t, EOPNOTSUPP, "%s backing not supported: %s",
				       ws_backing_name(m->backing),
				       t->ops->backings_why);
	if (t->mode != WS_MODE_ASYNC)
		return ws_tracker_fail(t, EOPNOTSUPP,
			"only async mode: soft-dirty write faults are resolved in the kernel");

	pv = calloc(1, sizeof(*pv));
	if (!pv)
		return ws_tracker_fail(t, ENOMEM, "allocating state");
	pv->clear_refs_fd = -1;
	pv->pmfd = -1;
	t->priv = pv;

	/* The target's clear_refs (tracker.h): its whole mm, not ours. */
	ws_tracker_proc_path(&t->target, "clear_refs", why, sizeof(why));
	pv->clear_refs_fd = open(why, O_WRONLY | O_CLOEXEC);
	if (pv->clear_refs_fd < 0) {
		ret = errno;
		softdirty_close(t);
		return ws_tracker_fail(t, ret, "open %s", why);
	}
	ret = ws_tracker_open_pagemap(t);
	if (ret < 0) {
		softdirty_close(t);	/* t->err stays */
		return ret;
	}
	pv->pmfd = ret;

	pv->use_scan = !ws_pagemap_scan_probe(why, sizeof(why));
	if (!pv->use_scan) {
		/* Allocated here, not in the timed collect path. */
		pv->entries = calloc(m->npages ? m->npages : 1,
				     sizeof(*pv->entries));
		if (!pv->entries) {
			softdirty_close(t);
			return ws_tracker_fail(t, ENOMEM,
					       "pagemap buffer for %zu pages",
					       m->npages);
		}
	}
	return 0;
}

/* Whole mm, whatever the range: see the comment at the top. */
static int softdirty_arm(struct ws_tracker *t, size_t first_page,
			 size_t npages)
{
	struct softdirty_priv *pv = t->priv;
	int ret;

	(void)first_page;
	(void)npages;
	ret = clear_soft_dirty(pv->clear_refs_fd);
	if (ret)
		return ws_tracker_fail(t, -ret, "write 4 to clear_refs");
	return 0;
}

static int softdirty_collect(struct ws_tracker *t, struct ws_pageset *out,
			     bool rearm)
{
	struct softdirty_priv *pv = t->priv;
	struct ws_mem *m = t->mem;
	int ret;

	ws_pageset_clear(out);
	if (pv->use_scan) {
		struct ws_pm_scan q = {
			.category_mask = WS_PAGE_IS_SOFT_DIRTY,
			.return_mask = WS_PAGE_IS_SOFT_DIRTY,
		};
		long nr = ws_pagemap_scan(pv->pmfd, m, 0, m->npages, &q, out,
					  NULL);

		if (nr < 0)
			return ws_tracker_fail(t, -nr,
					       "PAGEMAP_SCAN(SOFT_DIRTY)");
	} else {
		ret = ws_pagemap_read(pv->pmfd, m->addr, m->npages,
				      pv->entries);
		if (ret)
			return ws_tracker_fail(t, -ret,
					       "read pagemap (%zu pages)",
					       m->npages);
		for (size_t i = 0; i < m->npages; i++)
			if (pv->entries[i] & WS_PM_SOFT_DIRTY)
				ws_pageset_set(out, i);
	}
	if (!rearm)
		return 0;
	ws_tracker_mid_collect(t);
	return softdirty_arm(t, 0, m->npages);
}

/* Re-arm: clear_refs after the scan: a write in between is cleared unseen. */
const struct ws_tracker_ops ws_tracker_softdirty = {
	.name = "softdirty",
	.summary = "soft-dirty: clear_refs 4 (whole process) + pagemap bit 55 / PAGEMAP_SCAN: writes only",
	.sees = WS_SEES_WRITES,
	.backings = WS_BACKING_PAGES | WS_BACKING_BIT(WS_BACKING_GMEM),
	.backings_why = "clear_refs has no hugetlb walker (no hugetlb_entry in clear_refs_walk_ops): hugetlb entries are never write-protected or cleared, so no write is seen",
	.modes = WS_MODE_BIT(WS_MODE_ASYNC),
	.faults_on = WS_ACCESS_WRITE,
	.arm_is_ranged = false,
	.probe = softdirty_probe,
	.open = softdirty_open,
	.arm = softdirty_arm,
	.collect = softdirty_collect,
	.set_mode = NULL,
	.close = softdirty_close,
	.rearm_fixed = "whole-process",
	.rearm_fixed_misses = WS_MISS_ANY,
};
