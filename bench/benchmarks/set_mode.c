// SPDX-License-Identifier: GPL-2.0
/*
 * set-mode: latency of switching a tracker between async and sync
 * resolution (UFFDIO_SET_MODE for rwp: mmap_write_lock plus a drain of
 * every armed VMA, brief §1.7) while 0..T threads keep faulting on the
 * armed range.  In sync mode their faults are resolved by the tracker's
 * handler thread; switching back to async wakes every waiter.  Backends
 * without a working set_mode are recorded as skips with the tracker's own
 * reason.
 *
 * Each repetition re-arms the range (async), times set_mode(sync), lets
 * the faulters run into sync faults for a moment, then times
 * set_mode(async).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "common.h"
#include "parse.h"
#include "stats.h"
#include "threads.h"
#include "timing.h"

/* How long sync mode stays on between the two timed switches. */
#define SYNC_DWELL_NS	100000ULL

struct faulter {
	pthread_t thread;
	struct ws_mem *m;
	size_t first, n;	/* this thread's slice of pages */
	int cpu;
	bool pinned;	/* did pinning to cpu succeed (set by the thread) */
	atomic_bool *stop;
	atomic_uint_fast64_t touches;
	bool started;
};

/* Read one byte of each page of the slice, round and round. */
static void *faulter_main(void *arg)
{
	struct faulter *f = arg;

	/* Best effort; the JSON reports what really happened. */
	f->pinned = ws_pin_self(f->cpu) == 0;
	while (!atomic_load_explicit(f->stop, memory_order_relaxed)) {
		for (size_t i = f->first; i < f->first + f->n; i++)
			ws_touch(f->m->addr + i * f->m->page_size, false);
		atomic_fetch_add_explicit(&f->touches, f->n,
					  memory_order_relaxed);
	}
	return NULL;
}

struct sm_point {
	struct ws_bench_ctx *ctx;
	struct ws_mem *m;
	struct ws_tracker *t;
	struct ws_samples to_sync, to_async;
	unsigned int nthr;		/* faulter threads */
	size_t reps;
	uint64_t faults;		/* resolved by the handler in sync mode */
	uint64_t touches;		/* the faulters' page reads */
};

static int switch_mode(struct sm_point *pt, enum ws_mode mode,
		       struct ws_samples *s, bool measured)
{
	uint64_t t0, t1;
	int ret;

	t0 = ws_now_ns();
	ret = pt->t->ops->set_mode(pt->t, mode);
	t1 = ws_now_ns();
	if (ret)
		return ws_case_fail(pt->ctx, ret, "set_mode(%s): %s",
				    ws_mode_name(mode), pt->t->err);
	if (measured && ws_samples_push(s, (double)(t1 - t0)))
		return ws_case_fail(pt->ctx, ENOMEM, "samples: out of memory");
	return 0;
}

static int sm_once(void *arg, bool measured)
{
	struct sm_point *pt = arg;
	uint64_t until;
	int ret;

	ret = pt->t->ops->arm(pt->t, 0, pt->m->npages);
	if (ret)
		return ws_case_fail(pt->ctx, ret, "arm: %s", pt->t->err);
	ret = switch_mode(pt, WS_MODE_SYNC, &pt->to_sync, measured);
	if (ret)
		return ret;
	until = ws_now_ns() + SYNC_DWELL_NS;
	while (ws_now_ns() < until)
		;
	return switch_mode(pt, WS_MODE_ASYNC, &pt->to_async, measured);
}

/* Start @nthr faulters over @m's pages, each on a CPU other than 0. */
static int faulters_start(struct ws_bench_ctx *ctx, struct faulter *f,
			  unsigned int nthr, struct ws_mem *m, atomic_bool *stop)
{
	for (unsigned int i = 0; i < nthr; i++) {
		int ret;

		f[i].m = m;
		f[i].first = m->npages * i / nthr;
		f[i].n = m->npages * (i + 1) / nthr - f[i].first;
		/* CPU 0 is the switching thread's; wrap when threads outnumber CPUs. */
		f[i].cpu = ws_cpu_count() > 1 ?
			   (int)(1 + i % (ws_cpu_count() - 1)) : 0;
		f[i].stop = stop;
		atomic_init(&f[i].touches, 0);
		ret = -pthread_create(&f[i].thread, NULL, faulter_main, &f[i]);
		if (ret)
			return ws_case_fail(ctx, -ret, "faulter thread: %s",
					    strerror(-ret));
		f[i].started = true;
	}
	return 0;
}

/* Stop and join the faulters started: the page reads they made. */
static uint64_t faulters_stop(struct faulter *f, unsigned int nthr,
			      atomic_bool *stop)
{
	uint64_t touches = 0;

	atomic_store(stop, true);
	for (unsigned int i = 0; i < nthr; i++)
		if (f[i].started) {
			pthread_join(f[i].thread, NULL);
			touches += atomic_load(&f[i].touches);
		}
	return touches;
}

static json_t *faulters_json(const struct faulter *f, unsigned int nthr)
{
	json_t *cpus = json_array();

	for (unsigned int i = 0; i < nthr; i++)
		json_array_append_new(cpus, f[i].pinned ?
				      json_integer(f[i].cpu) : json_null());
	return json_pack("{s:I,s:o,s:I,s:s}",
			 "threads", (json_int_t)nthr,
			 "cpu_indices", cpus,
			 "sync_dwell_ns", (json_int_t)SYNC_DWELL_NS,
			 "note", "faulters read their slice of the range in a loop; CPU indices are into the starting affinity mask and wrap when threads exceed CPUs; null: pinning failed, the thread ran unpinned");
}

/* The point's result (faults: warm-up included). */
static void sm_point_result(struct sm_point *pt,
			    const struct ws_tracker_ops *ops,
			    enum ws_backing backing, enum ws_mode mode,
			    json_t *faulters)
{
	json_t *j = ws_case_json(ops, backing, mode), *metrics = json_object();
	double med[2];

	json_object_set_new(j, "params",
			    json_pack("{s:I,s:I,s:I,s:I}",
				      "size_bytes", (json_int_t)pt->m->len,
				      "npages", (json_int_t)pt->m->npages,
				      "page_size", (json_int_t)pt->m->page_size,
				      "threads", (json_int_t)pt->nthr));
	med[0] = ws_metric_add(pt->ctx, metrics, "to_sync_ns", &pt->to_sync, "ns");
	med[1] = ws_metric_add(pt->ctx, metrics, "to_async_ns", &pt->to_async, "ns");
	json_object_set_new(j, "metrics", metrics);
	json_object_set_new(j, "reps", json_integer(pt->reps));
	json_object_set_new(j, "sync_faults", json_integer(pt->faults));
	json_object_set_new(j, "faulter_page_reads", json_integer(pt->touches));
	json_object_set_new(j, "faulters", faulters);
	ws_timer_annotate(pt->ctx, j, med, 2);
	ws_result_add(pt->ctx->res, j);
}

static int sm_point(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		    enum ws_backing backing, enum ws_mode mode,
		    struct ws_mem *m, struct ws_tracker *t, unsigned int nthr)
{
	struct sm_point pt = { .ctx = ctx, .m = m, .t = t, .nthr = nthr };
	struct faulter *f = calloc(nthr ? nthr : 1, sizeof(*f));
	atomic_bool stop = false;
	uint64_t faults0 = t->sync_faults;
	int ret;

	if (!f)
		return ws_case_fail(ctx, ENOMEM, "out of memory");
	ws_samples_init(&pt.to_sync);
	ws_samples_init(&pt.to_async);
	/* The range is armed (async) before the faulters start. */
	ret = t->ops->arm(t, 0, m->npages);
	if (ret) {
		ret = ws_case_fail(ctx, ret, "arm: %s", t->err);
		goto out;
	}
	ret = faulters_start(ctx, f, nthr, m, &stop);
	if (!ret)
		ret = ws_repeat(ctx->p, sm_once, &pt, &pt.reps);
	/* In async mode (sm_once ends there) no faulter can be blocked. */
	if (ret)
		t->ops->set_mode(t, WS_MODE_ASYNC);
	pt.touches = faulters_stop(f, nthr, &stop);
	pt.faults = t->sync_faults - faults0;
	if (!ret)
		sm_point_result(&pt, ops, backing, mode, faulters_json(f, nthr));
out:
	free(f);
	ws_samples_free(&pt.to_sync);
	ws_samples_free(&pt.to_async);
	return ret;
}

static int sm_size(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		   enum ws_backing backing, enum ws_mode mode, size_t size)
{
	struct ws_tracker t = { 0 };
	struct ws_mem m = { .fd = -1 };
	char sz[32];
	int ret;

	ret = ws_case_map_size(ctx, &m, ops->name, backing,
			       ws_mode_name(mode), size);
	if (ret)
		return ret == 1 ? 0 : ret;
	ret = ws_case_open(ctx, &t, ops, &m, WS_MODE_ASYNC);
	if (ret)
		goto out;
	/* Does set_mode work here at all?  wp: -EOPNOTSUPP with a reason. */
	ret = ops->set_mode(&t, WS_MODE_SYNC);
	if (ret == -EOPNOTSUPP) {
		ret = ws_case_skip(ctx, "%s", t.err);
		goto out;
	}
	if (!ret)
		ret = ops->set_mode(&t, WS_MODE_ASYNC);
	if (ret) {
		ret = ws_case_fail(ctx, ret, "set_mode: %s", t.err);
		goto out;
	}
	for (size_t i = 0; !ret && i < ctx->p->nthreads; i++) {
		ret = sm_point(ctx, ops, backing, WS_MODE_ASYNC, &m, &t,
			       (unsigned int)ctx->p->threads[i]);
		if (ret)
			ws_case_say_point(ctx, " (size %s, %u faulting threads)",
					  ws_fmt_size(size, sz, sizeof(sz)),
					  (unsigned int)ctx->p->threads[i]);
	}
out:
	if (t.ops)
		ws_tracker_close(&t);
	ws_mem_unmap(&m);
	return ret;
}

static int sm_case(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		   enum ws_backing backing, enum ws_mode mode, void *arg)
{
	int ret = 0;

	(void)arg;
	if (!(ops->modes & WS_MODE_BIT(WS_MODE_SYNC)) || !ops->set_mode)
		return ws_case_skip(ctx, "%s has no sync mode", ops->name);
	for (size_t s = 0; ret == 0 && s < ctx->p->nsizes; s++)
		ret = sm_size(ctx, ops, backing, mode, ctx->p->sizes[s]);
	return ret;
}

static int set_mode_run(struct ws_bench_ctx *ctx)
{
	struct ws_bench_pin pin;

	ws_bench_progress_start(ctx, "set-mode", ws_count_cases(ctx->p, false));
	/* The switching thread on CPU 0, faulters on the others. */
	ws_bench_pin_cpu0(ctx, "switching", &pin);
	ws_for_each_case(ctx, sm_case, NULL, false);
	ws_progress_done(&ctx->prog);
	ws_bench_unpin(&pin);
	return 0;
}

static void set_mode_defaults(struct ws_params *p, enum ws_profile profile)
{
	bool q = profile == WS_PROFILE_QUICK;

	p->sizes[0] = q ? 16UL << 20 : 64UL << 20;
	p->nsizes = 1;
	ws_default_threads(p, profile);
	ws_default_reps(p, 2, q ? 20 : 100, q ? 1000 : 10000,
			q ? 0.2 : 1.0);
}

WS_BENCHMARK(set_mode,
	.name		= "set-mode",
	.summary	= "latency of set_mode async->sync and sync->async (UFFDIO_SET_MODE) with 0..T threads faulting on the armed range",
	.options	= "--backend --backing --size --threads --warmup --min-reps --max-reps --min-time"
);
