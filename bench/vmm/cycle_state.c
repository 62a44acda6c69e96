// SPDX-License-Identifier: GPL-2.0
/*
 * The VMM cycle's state: allocation and release, and how a tracker freezes
 * and which mode it runs in (what the state is set up from).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_case.h"
#include "cycle_impl.h"

const char *const cycle_cpu_names[CPU_NR] = {
	[CPU_FREEZE] = "freeze",
	[CPU_DETECT] = "detect",
	[CPU_EVICT] = "evict",
	[CPU_UNFREEZE] = "unfreeze",
	[CPU_ARM] = "arm",
	[CPU_HANDLER] = "refault",
};

static const char *const freeze_names[] = {
	[WS_FREEZE_SYNC] = "sync",
	[WS_FREEZE_PAUSE] = "pause",
	[WS_FREEZE_NONE] = "none",
};

const char *ws_freeze_name(enum ws_freeze f)
{
	return freeze_names[f];
}

/* Fault interception: a sync mode whose faults a handler can hold. */
enum ws_freeze ws_cycle_freeze(const struct ws_tracker_ops *ops, bool unsafe)
{
	if (unsafe)
		return WS_FREEZE_NONE;
	return ops->modes & WS_MODE_BIT(WS_MODE_SYNC) ? WS_FREEZE_SYNC :
		WS_FREEZE_PAUSE;
}

/*
 * Trackers that switch to sync at freeze time (rwp: UFFDIO_SET_MODE) run
 * async; one that cannot switch at run time (wp: WP_ASYNC is fixed at
 * UFFDIO_API) runs in sync mode throughout: its freeze only holds faults.
 */
enum ws_mode ws_cycle_mode(const struct ws_tracker_ops *ops)
{
	if (!(ops->modes & WS_MODE_BIT(WS_MODE_SYNC)))
		return WS_MODE_ASYNC;
	return ops->modes & WS_MODE_BIT(WS_MODE_ASYNC) &&
	       ops->async_switchable ? WS_MODE_ASYNC : WS_MODE_SYNC;
}

struct cycle *cycle_alloc(struct ws_bench_ctx *ctx,
			  const struct ws_cycle_opts *o,
			  const struct ws_tracker_ops *ops, enum ws_mode mode)
{
	struct cycle *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->iv = calloc(o->intervals ? o->intervals : 1, sizeof(*c->iv));
	if (!c->iv) {
		free(c);
		return NULL;
	}
	c->ctx = ctx;
	c->o = o;
	c->ops = ops;
	c->ops_mode = mode;
	/* The freeze makes eviction race-free; without eviction, none. */
	c->freeze = ops && o->backing == WS_BACKING_SHMEM ?
		    ws_cycle_freeze(ops, o->unsafe) : WS_FREEZE_NONE;
	c->missing_uffd = -1;
	c->g.storage_fd = -1;
	c->anon.fd = -1;
	pthread_mutex_init(&c->held_lock, NULL);
	atomic_init(&c->holding, false);
	return c;
}

int cycle_alloc_pages(struct cycle *c)
{
	size_t n = c->mem->npages;

	c->det_last = calloc(n, sizeof(*c->det_last));
	c->true_last = calloc(n, sizeof(*c->true_last));
	c->true_wlast = calloc(n, sizeof(*c->true_wlast));
	if (!c->det_last || !c->true_last || !c->true_wlast ||
	    ws_pageset_init(&c->hot, n) || ws_pageset_init(&c->evict, n) ||
	    ws_pageset_init(&c->rd, n) || ws_pageset_init(&c->wr, n) ||
	    ws_pageset_init(&c->decided, n))
		return ws_case_fail(c->ctx, ENOMEM, "per-page state of %zu pages",
				    n);
	return 0;
}

uint64_t cycle_handler_cpu(const struct cycle *c)
{
	if (c->missing_uffd >= 0)
		return ws_uffd_handler_cpu_ns(&c->missing_handler);
	if (c->t.ops && c->t.ops->handler_cpu_ns)
		return c->t.ops->handler_cpu_ns(&c->t);
	return 0;
}

void cycle_free(struct cycle *c)
{
	if (c->wl)
		ws_wl_destroy(c->wl);
	if (c->t.ops)
		ws_tracker_close(&c->t);
	ws_uffd_handler_stop(&c->missing_handler);
	if (c->missing_uffd >= 0)
		close(c->missing_uffd);
	free(c->det_last);
	free(c->true_last);
	free(c->true_wlast);
	ws_pageset_free(&c->hot);
	ws_pageset_free(&c->evict);
	ws_pageset_free(&c->rd);
	ws_pageset_free(&c->wr);
	ws_pageset_free(&c->decided);
	if (c->guest)
		ws_guest_free(&c->g);
	else
		ws_mem_unmap(&c->anon);
	pthread_mutex_destroy(&c->held_lock);
	free(c->iv);
	free(c);
}
