/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the userfaultfd trackers (rwp, minor-anon, wp) have in common: one
 * uffd registered over t->mem, a pagemap fd for PAGEMAP_SCAN, and in sync
 * mode the handler thread that resolves each fault with the tracker's
 * ioctl.  A tracker describes its UAPI in a struct ws_uffd_tracker_spec
 * and keeps only what is its own: feature bits, arm, the collect scan and
 * the resolve ioctl.
 */
#ifndef WS_UFFD_TRACKER_H
#define WS_UFFD_TRACKER_H

#include <stdint.h>

#include "compat_uapi.h"
#include "pagemap.h"
#include "pageset.h"
#include "tracker.h"
#include "uapi_detect.h"
#include "uffd.h"

/*
 * Resolve a sync fault on @page (the faulting address rounded down to the
 * tracking granule) and wake its waiter; 0 or -errno (stops the handler).
 * Runs on the handler thread: it must never touch @page's memory.
 */
typedef int (*ws_uffd_tracker_resolve_fn)(int uffd,
					  const struct ws_uffdio_range *page);

struct ws_uffd_tracker_spec {
	uint64_t register_mode;		/* UFFDIO_REGISTER_MODE_* */
	const char *register_name;	/* "MODE_RWP", for messages */
	uint64_t ioctls;		/* 1 << _UFFDIO_* the range must offer */
	const char *ioctls_name;	/* "RWPROTECT (bit 9)", for messages */
	uint64_t fault_flag;		/* UFFD_PAGEFAULT_FLAG_* of our faults */
	ws_uffd_tracker_resolve_fn resolve;
	/* ws_uffd_tracker_set_mode() toggles this feature (0: not offered) */
	uint64_t async_feature;
	const char *async_name;		/* "RWP_ASYNC", for messages */
	/*
	 * The kernel's async mode resolves a fault on a PMD-mapped THP for
	 * the whole huge page (RWP), so a sync handler on anon-thp does the
	 * same: resolving 4 KiB would split the PMD, and the two modes would
	 * no longer track at the same granularity.
	 */
	bool resolve_thp_whole;
};

/* t->priv of a uffd tracker. */
struct ws_uffd_tracker {
	const struct ws_uffd_tracker_spec *spec;
	int uffd;
	int pmfd;
	struct ws_uffd_handler handler;	/* running in sync mode only */
};

/*
 * probe() of a tracker tied to one of the two protnone UAPIs (7.3 RWP, RFC
 * minor-anon): supported when ws_uffd_flavour() is @want and PAGEMAP_SCAN
 * works.  A kernel with the other UAPI is refused with @other_refused,
 * followed by the detection evidence in brackets.
 */
void ws_uffd_tracker_probe_flavour(struct ws_probe *p,
				   enum ws_uffd_flavour want,
				   const char *other_refused);

/*
 * open() after the tracker's own checks: UFFDIO_API(@features), REGISTER
 * t->mem with @s's mode and check its ioctls, open pagemap, and start the
 * handler if t->mode is sync.  0 or -errno with t->err set.
 */
int ws_uffd_tracker_open(struct ws_tracker *t,
			 const struct ws_uffd_tracker_spec *s,
			 uint64_t features);
/* close(): stop the handler, close the fds.  Leaves t->err alone. */
void ws_uffd_tracker_close(struct ws_tracker *t);
/* set_mode() by UFFDIO_SET_MODE on spec->async_feature. */
int ws_uffd_tracker_set_mode(struct ws_tracker *t, enum ws_mode mode);

/*
 * The collect scan: clear @out and PAGEMAP_SCAN all of t->mem into it.
 * Fails if the sync handler stopped resolving, else if the scan failed
 * ("PAGEMAP_SCAN(@what)").
 */
int ws_uffd_tracker_scan(struct ws_tracker *t, const struct ws_pm_scan *q,
			 struct ws_pageset *out, const char *what);
/* Pages @first..@first+@n-1 of t->mem as a uffd ioctl range. */
static inline struct ws_uffdio_range
ws_uffd_tracker_range(const struct ws_tracker *t, size_t first, size_t n)
{
	return (struct ws_uffdio_range){
		.start = (uintptr_t)t->mem->addr + first * t->mem->page_size,
		.len = n * t->mem->page_size,
	};
}

/*
 * UFFDIO_RWPROTECT or UFFDIO_WRITEPROTECT (@req: both take {range, mode})
 * over pages @first..@first+@n-1 with @mode; @what names the call and
 * mode in the error ("UFFDIO_RWPROTECT(MODE_RWP)").
 */
int ws_uffd_tracker_protect(struct ws_tracker *t, unsigned long req,
			    __u64 mode, size_t first, size_t n,
			    const char *what);

/*
 * collect(rearm=true)'s second half: re-arm the hot pages of @set with
 * t->rearm's policy (per-run: misses hot pages only; span: one call,
 * misses any page in the span), calling
 * t->mid_collect first.
 */
int ws_uffd_tracker_rearm(struct ws_tracker *t, const struct ws_pageset *set);
/* uffd() of the uffd trackers. */
int ws_uffd_tracker_fd(const struct ws_tracker *t);
/* handler_cpu_ns() of the uffd trackers. */
uint64_t ws_uffd_tracker_handler_cpu_ns(const struct ws_tracker *t);
/* rearm_method() of trackers that re-arm with ws_uffd_tracker_rearm(). */
const char *ws_uffd_tracker_rearm_method(const struct ws_tracker *t,
					 enum ws_rearm_miss *misses);

#endif /* WS_UFFD_TRACKER_H */
