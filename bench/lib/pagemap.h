/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/self/pagemap: raw entries (one pread for a whole range) and the
 * PAGEMAP_SCAN ioctl loop (brief §2.6): a large output vector, resumed at
 * walk_end until the range is done, so no backend pays per-page syscalls.
 */
#ifndef WS_PAGEMAP_H
#define WS_PAGEMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mem.h"
#include "pageset.h"

struct ws_pm_scan {
	uint64_t flags;			/* WS_PM_SCAN_* */
	uint64_t category_mask;
	uint64_t category_inverted;
	uint64_t category_anyof_mask;
	uint64_t return_mask;
};

/* O_RDONLY fd on /proc/self/pagemap, or -errno. */
int ws_pagemap_open(void);
/* Same on /proc/<pid>/pagemap (@pid 0: ours), for wsbench attach. */
int ws_pagemap_open_pid(pid_t pid);
/*
 * Scan pages [first, first+n) of @m; every reported region is added to
 * @out (may be NULL: e.g. a vec-less WP_MATCHING arm).  Returns the number
 * of regions reported, or -errno.  *ioctls (may be NULL) receives the
 * number of PAGEMAP_SCAN calls made.
 */
long ws_pagemap_scan(int pmfd, const struct ws_mem *m, size_t first,
		     size_t n, const struct ws_pm_scan *q,
		     struct ws_pageset *out, size_t *ioctls);
/* Raw 64-bit entries for @n base pages from @addr (one pread). */
int ws_pagemap_read(int pmfd, const void *addr, size_t n, uint64_t *entries);
/*
 * Fraction of @m's base pages mapped by present huge PMDs (PAGEMAP_SCAN
 * PAGE_IS_HUGE|PRESENT): 1.0 means the region is entirely THP-mapped.
 * 0, or -errno (no PAGEMAP_SCAN: the kernel cannot tell us).
 */
int ws_pagemap_pmd_coverage(const struct ws_mem *m, double *frac);
/* Does this kernel have PAGEMAP_SCAN?  0, or -errno with @why. */
int ws_pagemap_scan_probe(char *why, size_t len);

#endif /* WS_PAGEMAP_H */
