// SPDX-License-Identifier: GPL-2.0
/*
 * The VMM cycle (cycle.h): set-up, the interval loop and tear-down.
 * Scoring against ground truth is in score.c, eviction and refault in
 * guest.c.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "bench_case.h"
#include "compat_uapi.h"
#include "cycle_impl.h"
#include "threads.h"
#include "timing.h"

#define TRUTH_TIMEOUT_NS	(30ULL * 1000000000ULL)
#define PAUSE_TIMEOUT_NS	(30ULL * 1000000000ULL)

/* ---- the fault hook (handler thread) ---- */

#define TRACKER_FLAGS	(WS_UFFD_PAGEFAULT_FLAG_WP | \
			 WS_UFFD_PAGEFAULT_FLAG_MINOR | \
			 WS_UFFD_PAGEFAULT_FLAG_RWP)

/*
 * MISSING: a refault, served now (also while frozen: the page is out of
 * the manager's way).  A tracker fault while frozen is held, so no cold
 * page turns hot while the manager evicts; otherwise it is resolved here,
 * under resolve_lock: freeze() takes the lock to start holding, so a
 * resolution decided before the freeze has landed before the scan -- one
 * that landed after the scan passed its page would make a page the scan
 * saw cold writable while it is being written out.
 *
 * A MISSING fault on a page never evicted is a first touch (wsbench
 * attach: memory the target had not populated when it handed it off) and
 * turns a page hot just as a tracker fault does -- no tracker protects a
 * hole -- so it is held and ordered the same way; release_held() wakes it
 * and it faults again, to be filled then.
 */
static int fault_hook(void *arg, int uffd, const struct uffd_msg *msg)
{
	struct cycle *c = arg;
	uint64_t addr = msg->arg.pagefault.address;
	size_t page = (addr - (uintptr_t)c->mem->addr) / c->mem->page_size;
	bool first_touch, write = msg->arg.pagefault.flags &
				  UFFD_PAGEFAULT_FLAG_WRITE;
	int ret;

	if (msg->event != UFFD_EVENT_PAGEFAULT)
		return 0;
	first_touch = !(msg->arg.pagefault.flags & TRACKER_FLAGS) &&
		      page < c->mem->npages && ws_guest_is_resident(&c->g, page);
	if (c->on_fault)
		c->on_fault(c, msg, !(msg->arg.pagefault.flags & TRACKER_FLAGS) &&
				    !first_touch);
	if (!(msg->arg.pagefault.flags & TRACKER_FLAGS) && !first_touch) {
		ret = ws_guest_refault(&c->g, uffd, addr, write);
		return ret ? ret : 1;
	}
	pthread_mutex_lock(&c->held_lock);
	if (first_touch && !atomic_load(&c->holding)) {
		ret = ws_guest_refault(&c->g, uffd, addr, write);
		ret = ret ? ret : 1;
	} else if (atomic_load(&c->holding)) {
		ret = c->nheld < CYCLE_MAX_HELD ? 1 : -ENOSPC;
		if (ret > 0)
			c->held[c->nheld++] = page << 1 |
					      (first_touch ? 0 : HELD_TRACKER);
	} else {
		/* The tracker's own resolution: unprotect the page and wake. */
		ret = c->ops->disarm(&c->t, page, 1);
		ret = ret ? ret : 1;
	}
	pthread_mutex_unlock(&c->held_lock);
	return ret;
}

/* Non-uffd trackers: our own uffd serves the refaults. */
static int own_handler_resolve(struct ws_uffd_handler *h,
			       const struct uffd_msg *msg)
{
	int ret = fault_hook(h->arg, h->uffd, msg);

	return ret < 0 ? ret : 0;
}

static int own_missing_uffd(struct cycle *c)
{
	struct uffdio_register reg = {
		.range = { (uintptr_t)c->mem->addr, c->mem->len },
		.mode = WS_UFFDIO_REGISTER_MODE_MISSING,
	};
	const struct ws_tracker_target *tg = &c->t.target;
	uint64_t ioctls;
	char why[256];
	int ret;

	/* Another process's memory: it registers (tracker.h). */
	ret = tg->open_uffd ? tg->open_uffd(tg->arg, 0, reg.mode, &ioctls, why,
					    sizeof(why)) :
			      ws_uffd_open(0, NULL, NULL, why, sizeof(why));
	if (ret < 0)
		return ws_case_fail(c->ctx, ret, "refault uffd: %s", why);
	c->missing_uffd = ret;
	if (!tg->open_uffd && ioctl(c->missing_uffd, UFFDIO_REGISTER, &reg))
		return ws_case_fail(c->ctx, errno,
				    "UFFDIO_REGISTER(MISSING) for refaults");
	ret = ws_uffd_handler_start(&c->missing_handler, c->missing_uffd,
				    c->mem->page_size, own_handler_resolve, c);
	if (ret)
		return ws_case_fail(c->ctx, ret, "refault handler thread");
	return 0;
}

/* The uffd eviction wakes blocked threads on, -1 if none. */
static int wake_uffd(const struct cycle *c)
{
	if (c->missing_uffd >= 0)
		return c->missing_uffd;
	return c->t.ops ? ws_tracker_uffd(&c->t) : -1;
}

/* ---- freeze / unfreeze ---- */

static int freeze(struct cycle *c)
{
	uint64_t took;
	int ret;

	switch (c->freeze) {
	case WS_FREEZE_SYNC:
		/* After any resolution the handler is in the middle of. */
		pthread_mutex_lock(&c->held_lock);
		atomic_store(&c->holding, true);
		pthread_mutex_unlock(&c->held_lock);
		if (c->t.mode == WS_MODE_SYNC)
			return 0;
		ret = c->ops->set_mode(&c->t, WS_MODE_SYNC);
		return ret ? ws_case_fail(c->ctx, ret, "freeze: %s", c->t.err) : 0;
	case WS_FREEZE_PAUSE:
		ret = c->pause ? c->pause(c, &took) :
		      ws_wl_pause(c->wl, PAUSE_TIMEOUT_NS, &took);
		return ret ? ws_case_fail(c->ctx, ret, "freeze: pausing the vCPUs") : 0;
	case WS_FREEZE_NONE:
		break;
	}
	return 0;
}

/*
 * Wake every held fault (evicted pages were woken by the eviction): a
 * tracker fault with the tracker's resolution; a MISSING one on a
 * resident page (a first touch, or a second message for a page refaulted
 * meanwhile) only woken, to fault again if it must -- disarming it would
 * unprotect a page nobody wrote, which wp then reports written (1-6 pages
 * per run of 16-27 thousand refaults on a read-only pattern).
 */
static int release_held(struct cycle *c)
{
	size_t n;
	int ret = 0;

	pthread_mutex_lock(&c->held_lock);
	atomic_store(&c->holding, false);
	n = c->nheld;
	c->nheld = 0;
	for (size_t i = 0; !ret && i < n; i++) {
		size_t page = c->held[i] >> 1;

		if (!ws_guest_is_resident(&c->g, page))
			continue;
		ret = c->held[i] & HELD_TRACKER ?
		      c->ops->disarm(&c->t, page, 1) :
		      ws_uffd_wake(wake_uffd(c), (uintptr_t)c->mem->addr +
				   page * c->mem->page_size, c->mem->page_size);
	}
	pthread_mutex_unlock(&c->held_lock);
	c->held_total += n;
	return ret;
}

static int unfreeze(struct cycle *c)
{
	int ret = 0;

	switch (c->freeze) {
	case WS_FREEZE_SYNC:
		/* Enabling async wakes every waiter (brief §1.7). */
		if (c->ops_mode == WS_MODE_ASYNC)
			ret = c->ops->set_mode(&c->t, WS_MODE_ASYNC);
		if (!ret)
			ret = release_held(c);
		break;
	case WS_FREEZE_PAUSE:
		if (c->resume)
			c->resume(c);
		else
			ws_wl_resume(c->wl);
		break;
	case WS_FREEZE_NONE:
		break;
	}
	return ret ? ws_case_fail(c->ctx, ret, "unfreeze: %s", c->t.err) : 0;
}

/* ---- one interval ---- */

static void wait_until(uint64_t t)
{
	uint64_t now = ws_now_ns();

	if (now < t) {
		struct timespec ts = { (t - now) / 1000000000ULL,
				       (t - now) % 1000000000ULL };

		nanosleep(&ts, NULL);
	}
}

/*
 * Cold candidates: resident and not hot in the last K intervals.  The
 * resident pages are the ones decided on (c->decided), what the interval's
 * decisions are scored over.
 */
static void pick_cold(struct cycle *c, uint32_t k)
{
	ws_pageset_clear(&c->evict);
	ws_pageset_clear(&c->decided);
	if (k < c->o->cold_after)
		return;
	for (size_t p = 0; p < c->mem->npages; p++) {
		if (c->guest && (!ws_guest_is_resident(&c->g, p) ||
				 ws_guest_refaulted(&c->g, p)))
			continue;
		ws_pageset_set(&c->decided, p);
		if (c->det_last[p] + c->o->cold_after <= k)
			ws_pageset_set(&c->evict, p);
	}
}

/* Collect, and (pause/none freezes) re-arm while nobody runs. */
static int detect(struct cycle *c, bool rearm)
{
	int ret = c->ops->collect(&c->t, &c->hot, rearm);

	return ret ? ws_case_fail(c->ctx, ret, "collect: %s", c->t.err) : 0;
}

static int rearm_after(struct cycle *c)
{
	int ret = c->ops->rearm(&c->t, &c->hot);

	return ret ? ws_case_fail(c->ctx, ret, "re-arm: %s", c->t.err) : 0;
}

/* Steps 2-5 of the cycle for interval @k, timed per phase. */
int cycle_manage(struct cycle *c, uint32_t k, struct cycle_interval *iv)
{
	bool late_rearm = c->freeze == WS_FREEZE_SYNC;
	uint64_t w0 = ws_now_ns(), t = ws_thread_cpu_ns(), t1;
	long evicted = 0;
	int ret = 0;

	if (c->wl)
		ws_wl_epoch_bump(c->wl);	/* odd: the window */
	/*
	 * A page refaulted after the scan is back unprotected: a write to it
	 * would not fault, so no freeze holds it, and evicting it on the
	 * scan's word could lose that write between write-out and punch.
	 */
	if (c->guest)
		ws_guest_refaults_clear(&c->g);
	/*
	 * Sync backends freeze before the scan: afterwards no cold page can
	 * turn hot unseen.  Paused ones detect first, with the vCPUs running
	 * (DAMON's window must see them), and pause only to evict: a page
	 * touched after the scan may be evicted and refault, but nobody
	 * writes while its content is written out.
	 */
	if (c->freeze == WS_FREEZE_SYNC)
		ret = freeze(c);
	t1 = ws_thread_cpu_ns(), iv->cpu[CPU_FREEZE] = t1 - t, t = t1;
	if (!ret)
		ret = detect(c, !late_rearm);
	t1 = ws_thread_cpu_ns(), iv->cpu[CPU_DETECT] = t1 - t, t = t1;
	if (!ret && c->freeze == WS_FREEZE_PAUSE) {
		w0 = ws_now_ns();
		ret = freeze(c);
		t1 = ws_thread_cpu_ns(), iv->cpu[CPU_FREEZE] = t1 - t, t = t1;
	}
	if (!ret) {
		for (size_t p = 0; p < c->mem->npages; p++)
			if (ws_pageset_test(&c->hot, p))
				c->det_last[p] = k;
		pick_cold(c, k);
		if (c->guest) {
			atomic_store(&c->g.interval, k);
			evicted = ws_guest_evict(&c->g, &c->evict, wake_uffd(c),
						 k);
			if (evicted < 0)
				ret = ws_case_fail(c->ctx, (int)evicted,
						   "evict: write out, punch, wake");
		}
	}
	t1 = ws_thread_cpu_ns(), iv->cpu[CPU_EVICT] = t1 - t, t = t1;
	if (!ret && c->in_window)
		c->in_window(c);
	if (!ret)
		ret = unfreeze(c);
	iv->window_ns = ws_now_ns() - w0;
	t1 = ws_thread_cpu_ns(), iv->cpu[CPU_UNFREEZE] = t1 - t, t = t1;
	if (!ret && late_rearm)
		ret = rearm_after(c);
	iv->cpu[CPU_ARM] = ws_thread_cpu_ns() - t;
	if (c->wl)
		ws_wl_epoch_bump(c->wl);	/* even: the next interval */
	iv->evicted = evicted > 0 ? (size_t)evicted : 0;
	iv->detected = ws_pageset_count(&c->hot);
	return ret;
}

/* The untracked baseline keeps the same epochs and truth recording. */
static int run_interval(struct cycle *c, uint32_t k, uint64_t end)
{
	struct cycle_interval *iv = &c->iv[k - 1];
	uint64_t r0 = atomic_load(&c->g.refaults);
	uint64_t rr0 = atomic_load(&c->g.refaults_recent);
	uint64_t h0 = cycle_handler_cpu(c);
	int ret = 0;

	wait_until(end);
	iv->t_s = (double)ws_wl_clock_ns(c->wl) / 1e9;
	if (c->ops) {
		ret = cycle_manage(c, k, iv);
	} else {
		ws_wl_epoch_bump(c->wl);
		ws_wl_epoch_bump(c->wl);
	}
	if (!ret)
		ret = cycle_score(c, k, iv);
	iv->refaults = atomic_load(&c->g.refaults) - r0;
	iv->refaults_recent = atomic_load(&c->g.refaults_recent) - rr0;
	iv->cpu[CPU_HANDLER] = cycle_handler_cpu(c) - h0;
	iv->resident = c->guest ? ws_guest_resident(&c->g) : c->mem->npages;
	return ret;
}

/* ---- set-up and tear-down ---- */

static int setup_memory(struct cycle *c)
{
	char why[512];
	int ret;

	c->guest = c->o->backing == WS_BACKING_SHMEM;
	if (c->guest) {
		ret = ws_guest_init(&c->g, c->o->size, c->o->storage_dir, why,
				    sizeof(why));
		c->g.test_punch_delay_us = c->o->test_punch_delay_us;
		c->mem = &c->g.mem;
		return ret ? ws_case_fail(c->ctx, ret, "%s", why) : 0;
	}
	c->mem = &c->anon;
	ret = ws_case_map(c->ctx, &c->anon, c->o->backing, c->o->size);
	return ret;
}

static int setup_workload(struct cycle *c)
{
	struct ws_wl_opts wo = {
		.nthreads = c->o->threads,
		.seed = c->o->seed,
		.pin = true,
		.truth = true,
		.truth_slots = 8,
		.lat_sample_every = 64,
	};
	char why[512];
	int ret;

	if (ws_wl_create(&c->wl, c->o->pattern, c->mem->addr,
			 c->mem->npages, c->mem->page_size, &wo, why,
			 sizeof(why)))
		return ws_case_fail(c->ctx, EINVAL, "workload: %s", why);
	c->g.wl = c->guest ? c->wl : NULL;
	/* Stamps first: it populates every page, before anything is armed. */
	ret = ws_wl_stamp_init(c->wl);
	return ret ? ws_case_fail(c->ctx, ret, "workload stamps") : 0;
}

int cycle_setup_tracker(struct cycle *c, enum ws_mode mode)
{
	int ret;

	/* fault_hook() and release_held() resolve a sync fault with it. */
	if (c->guest && (c->ops->modes & WS_MODE_BIT(WS_MODE_SYNC)) &&
	    !c->ops->disarm)
		return ws_case_fail(c->ctx, EOPNOTSUPP,
				    "%s has sync faults but no ->disarm to resolve a held one",
				    c->ops->name);
	c->t.register_missing = c->guest;
	c->t.fault_hook = c->guest ? fault_hook : NULL;
	c->t.fault_hook_arg = c;
	ret = ws_case_open(c->ctx, &c->t, c->ops, c->mem, mode);
	if (ret)
		return ret;
	/*
	 * Refaults need a uffd: the tracker's (in whose mode a read fault's
	 * page may come back armed), or ours.
	 */
	if (c->guest && ws_tracker_uffd(&c->t) >= 0)
		c->g.read_copy_mode = c->ops->read_refault_copy_mode;
	else if (c->guest && (ret = own_missing_uffd(c)))
		return ret;
	ret = c->ops->arm(&c->t, 0, c->mem->npages);
	return ret ? ws_case_fail(c->ctx, ret, "arm: %s", c->t.err) : 0;
}

/*
 * After a failed interval, vCPUs may sleep in a sync fault that nobody
 * will resolve (a handler stopped on an error, held faults never
 * released): closing the uffds wakes them, so the workers can be stopped
 * and the error reported instead of a hang.
 */
static void release_blocked(struct cycle *c)
{
	ws_tracker_close(&c->t);
	ws_uffd_handler_stop(&c->missing_handler);
	ws_close_fd(&c->missing_uffd);
}

int ws_cycle_run(struct ws_bench_ctx *ctx, const struct ws_cycle_opts *opts,
		 const struct ws_tracker_ops *ops, enum ws_mode mode,
		 json_t **run)
{
	struct cycle *c;
	uint64_t start;
	int ret;

	*run = NULL;
	c = cycle_alloc(ctx, opts, ops, mode);
	if (!c)
		return ws_case_fail(ctx, ENOMEM, "out of memory");
	ret = setup_memory(c);
	if (!ret)
		ret = cycle_alloc_pages(c);
	if (!ret)
		ret = setup_workload(c);
	if (!ret && ops)
		ret = cycle_setup_tracker(c, mode);
	if (!ret)
		ret = ws_wl_start(c->wl);
	start = ws_now_ns();
	for (uint32_t k = 1; !ret && k <= opts->intervals; k++)
		ret = run_interval(c, k, start + k * opts->interval_ns);
	if (ret)
		release_blocked(c);
	if (c->wl)
		ws_wl_stop(c->wl);
	if (!ret)
		ret = cycle_finish(c, run);
	cycle_free(c);
	return ret;
}
