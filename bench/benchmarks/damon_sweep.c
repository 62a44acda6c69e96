// SPDX-License-Identifier: GPL-2.0
/*
 * damon-sweep (reviewer questions 4 and 5: "DAMON at page granularity over
 * 1 TiB guests?", "it can miss hot pages: measure it"): DAMON's accuracy
 * and cost as its region limit and aggregation interval change, for each
 * monitored range (--size) and hot set (--hot, --layout).
 *
 * Unlike the other benchmarks the workload never pauses: a helper thread
 * writes every hot page in a loop, the steady working set DAMON is built
 * for (scan-throughput and correctness show it on one-shot touches).
 * Every point runs twice, as correctness does: "tlb": "as-is", where the
 * thread's accesses may all hit cached TLB entries (DAMON clears accessed
 * bits without a TLB flush, so a hot set within the TLB's reach can stay
 * invisible: "DAMON can miss hot pages", measured), and "tlb": "flushed",
 * where the thread flushes the range's TLB entries after every pass
 * (mprotect read-only and back), so that only DAMON's sampling and regions
 * limit what it sees.
 * DAMON's own windows are the repetitions: after --warmup windows (regions
 * start at min_regions and at most double per window), each
 * collect(rearm=true) is one window, compared with the hot set.  Then up
 * to 10 windows pass with no collect at all: the kdamond also builds the
 * tried_regions directories we read, which "mech_cpu_ns" includes and
 * "monitor_cpu_util" (monitoring alone) does not.
 *
 * The grid is fixed per profile, max regions x aggregation interval:
 * quick {100, 1000} x {100, 400} ms, default {100, 1000, 10000} x {50,
 * 100, 400} ms; --damon sets the rest (sample interval, min regions --
 * lowered to max where larger -- and update interval).  A separate
 * benchmark rather than a scan-throughput sweep because it needs the
 * continuous workload and DAMON-only parameters.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "bench.h"
#include "common.h"
#include "parse.h"
#include "progress.h"
#include "stats.h"
#include "timing.h"
#include "../trackers/damon.h"

#define QUIET_WINDOWS_MAX	10

static const uint64_t quick_regions[] = { 100, 1000 };
static const uint64_t quick_aggr_ms[] = { 100, 400 };
static const uint64_t full_regions[] = { 100, 1000, 10000 };
static const uint64_t full_aggr_ms[] = { 50, 100, 400 };

/* ---- the workload: a thread writing the hot set until told to stop ---- */

struct toucher {
	pthread_t th;
	struct ws_mem *m;
	const struct ws_pageset *hot;
	bool flush_tlb;		/* after every pass */
	atomic_int error;	/* errno of a failed flush */
	atomic_bool stop;
	atomic_ulong passes;
	uint64_t t0;
};

static void *toucher_main(void *arg)
{
	struct toucher *w = arg;
	sigset_t async;

	/* Signals go to the main thread, whose handler restores the knobs. */
	sigfillset(&async);
	sigdelset(&async, SIGSEGV);
	sigdelset(&async, SIGBUS);
	sigdelset(&async, SIGFPE);
	sigdelset(&async, SIGILL);
	pthread_sigmask(SIG_BLOCK, &async, NULL);
	while (!atomic_load_explicit(&w->stop, memory_order_relaxed)) {
		size_t pos = 0, first, n;

		while (ws_pageset_next_run(w->hot, &pos, &first, &n))
			for (size_t i = first; i < first + n; i++)
				*(volatile char *)(w->m->addr +
						   i * w->m->page_size) = 1;
		atomic_fetch_add_explicit(&w->passes, 1, memory_order_relaxed);
		/* Changes no accessed bit, drops every cached translation. */
		if (w->flush_tlb &&
		    (mprotect(w->m->addr, w->m->len, PROT_READ) ||
		     mprotect(w->m->addr, w->m->len, PROT_READ | PROT_WRITE))) {
			atomic_store(&w->error, errno);
			break;
		}
	}
	return NULL;
}

static int toucher_start(struct toucher *w, struct ws_mem *m,
			 const struct ws_pageset *hot, bool flush_tlb)
{
	w->m = m;
	w->hot = hot;
	w->flush_tlb = flush_tlb;
	atomic_init(&w->error, 0);
	atomic_init(&w->stop, false);
	atomic_init(&w->passes, 0);
	w->t0 = ws_now_ns();
	return -pthread_create(&w->th, NULL, toucher_main, w);
}

/* Mean time of one pass over the hot set, in us. */
static double toucher_stop(struct toucher *w)
{
	uint64_t ns = ws_now_ns() - w->t0;
	unsigned long passes;

	atomic_store(&w->stop, true);
	pthread_join(w->th, NULL);
	passes = atomic_load(&w->passes);
	return passes ? ns / 1e3 / (double)passes : NAN;
}

/* ---- one grid point ---- */

struct sw_point {
	struct ws_bench_ctx *ctx;
	struct ws_mem *m;
	struct ws_tracker t;
	const struct ws_pageset *hot;
	struct ws_pageset seen;
	struct ws_samples precision, recall, regions, collect_ns, collect_cpu;
	struct ws_samples mech_cpu, mech_util, monitor_util;
	struct ws_accuracy acc;
	size_t over;		/* windows that did not cover their interval */
	uint64_t mech_prev, t_prev;
};

static int mech_now(struct sw_point *pt, uint64_t *ns)
{
	int ret = pt->t.ops->mech_cpu_ns(&pt->t, ns);

	return ret ? ws_case_fail(pt->ctx, ret, "%s", pt->t.err) : 0;
}

static int push(struct sw_point *pt, struct ws_samples *s, double v)
{
	return ws_samples_push(s, v) ?
	       ws_case_fail(pt->ctx, ENOMEM, "samples: out of memory") : 0;
}

static int window_metrics(struct sw_point *pt, uint64_t wall, uint64_t cpu,
			  uint64_t mech, uint64_t now)
{
	struct ws_damon_snapshot snap;
	struct ws_accuracy acc;

	ws_pageset_compare(pt->hot, &pt->seen, &acc);
	ws_accuracy_add(&pt->acc, &acc);
	if (ws_damon_last_snapshot(&pt->t, &snap))
		return ws_case_fail(pt->ctx, EINVAL, "not a damon tracker");
	pt->over += !snap.covers_interval;
	if (push(pt, &pt->precision, acc.precision) ||
	    push(pt, &pt->recall, acc.recall) ||
	    push(pt, &pt->regions, (double)snap.in_range) ||
	    push(pt, &pt->collect_ns, (double)wall) ||
	    push(pt, &pt->collect_cpu, (double)cpu) ||
	    push(pt, &pt->mech_cpu, (double)(mech - pt->mech_prev)) ||
	    push(pt, &pt->mech_util, (double)(mech - pt->mech_prev) /
		 (double)(now - pt->t_prev ? now - pt->t_prev : 1)))
		return -ENOMEM;
	return 0;
}

/* One DAMON window: collect(rearm=true) waits for it to end. */
static int sw_window(void *arg, bool measured)
{
	struct sw_point *pt = arg;
	uint64_t t0, t1, c0, c1, mech;
	int ret;

	c0 = ws_thread_cpu_ns();
	t0 = ws_now_ns();
	ret = pt->t.ops->collect(&pt->t, &pt->seen, true);
	t1 = ws_now_ns();
	c1 = ws_thread_cpu_ns();
	if (ret)
		return ws_case_fail(pt->ctx, ret, "collect: %s", pt->t.err);
	ret = mech_now(pt, &mech);
	if (!ret && measured)
		ret = window_metrics(pt, t1 - t0, c1 - c0, mech, t1);
	pt->mech_prev = mech;
	pt->t_prev = t1;
	return ret;
}

/* Windows with no collect: what the monitoring alone costs. */
static int quiet_windows(struct sw_point *pt, uint64_t aggr_us, size_t n)
{
	struct timespec ts = { .tv_sec = aggr_us / 1000000,
			       .tv_nsec = aggr_us % 1000000 * 1000 };

	for (size_t i = 0; i < n; i++) {
		uint64_t m0, m1, t0, t1;
		struct timespec left = ts;
		int ret = mech_now(pt, &m0);

		t0 = ws_now_ns();
		while (!ret && nanosleep(&left, &left) && errno == EINTR)
			;
		t1 = ws_now_ns();
		if (!ret)
			ret = mech_now(pt, &m1);
		if (!ret)
			ret = push(pt, &pt->monitor_util,
				   (double)(m1 - m0) / (double)(t1 - t0));
		if (ret)
			return ret;
	}
	return 0;
}

static void point_free(struct sw_point *pt)
{
	struct ws_samples *all[] = {
		&pt->precision, &pt->recall, &pt->regions, &pt->collect_ns,
		&pt->collect_cpu, &pt->mech_cpu, &pt->mech_util,
		&pt->monitor_util,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		ws_samples_free(all[i]);
	ws_pageset_free(&pt->seen);
	if (pt->t.ops)
		ws_tracker_close(&pt->t);
}

static json_t *point_metrics(struct sw_point *pt)
{
	const struct ws_bench_ctx *c = pt->ctx;
	json_t *m = json_object();

	ws_metric_add(c, m, "precision", &pt->precision, "ratio");
	ws_metric_add(c, m, "recall", &pt->recall, "ratio");
	ws_metric_add(c, m, "regions", &pt->regions, "regions");
	ws_metric_add(c, m, "collect_ns", &pt->collect_ns, "ns");
	ws_metric_add(c, m, "collect_cpu_ns", &pt->collect_cpu, "ns");
	ws_metric_add(c, m, "mech_cpu_ns", &pt->mech_cpu, "ns");
	ws_metric_add(c, m, "mech_cpu_util", &pt->mech_util, "fraction of one CPU");
	ws_metric_add(c, m, "monitor_cpu_util", &pt->monitor_util, "fraction of one CPU");
	return m;
}

struct sw_where {
	const struct ws_tracker_ops *ops;
	enum ws_backing backing;
	struct ws_mem *m;
	const struct ws_pageset *hot;
	double hot_pct;
	enum ws_layout layout;
	bool flush_tlb;
	/* One step per grid point: the benchmark's one case runs them all. */
	struct ws_progress points;
};

static void point_json(struct sw_point *pt, const struct sw_where *w,
		       const struct ws_damon_params *dp, size_t reps,
		       double pass_us)
{
	json_t *j = ws_case_json(w->ops, w->backing, WS_MODE_ASYNC);
	json_t *params;

	params = json_pack("{s:I,s:I,s:I,s:f,s:I,s:s,s:o,s:I,s:I}",
			   "size_bytes", (json_int_t)w->m->len,
			   "npages", (json_int_t)w->m->npages,
			   "page_size", (json_int_t)w->m->page_size,
			   "hot_pct", w->hot_pct,
			   "hot_pages", (json_int_t)ws_pageset_count(w->hot),
			   "layout", ws_layout_name(w->layout),
			   "damon", ws_damon_params_json(dp),
			   "warmup_windows", (json_int_t)pt->ctx->p->warmup,
			   "quiet_windows", (json_int_t)pt->monitor_util.n);
	/* NAN when the toucher never finished a pass: not a number. */
	json_object_set_new(params, "hot_pass_us", isnan(pass_us) ?
			    json_null() : json_real(pass_us));
	json_object_set_new(j, "params", params);
	json_object_set_new(j, "tlb", json_string(w->flush_tlb ? "flushed" :
						   "as-is"));
	json_object_set_new(j, "metrics", point_metrics(pt));
	json_object_set_new(j, "accuracy", ws_accuracy_json(&pt->acc));
	json_object_set_new(j, "reps", json_integer(reps));
	json_object_set_new(j, "windows_not_covering_interval",
			    json_integer(pt->over));
	ws_case_tracker_info(j, &pt->t);
	ws_result_add(pt->ctx->res, j);
}

static int sw_point(struct ws_bench_ctx *ctx, const struct sw_where *w,
		    const struct ws_damon_params *dp)
{
	struct sw_point pt = { .ctx = ctx, .m = w->m, .hot = w->hot };
	struct toucher toucher;
	size_t reps = 0;
	double pass_us;
	int ret;

	if (ws_pageset_init(&pt.seen, w->m->npages))
		return ws_case_fail(ctx, ENOMEM, "pageset of %zu pages",
				    w->m->npages);
	ws_damon_set_params(dp);
	ret = ws_case_open(ctx, &pt.t, w->ops, w->m, WS_MODE_ASYNC);
	if (ret) {
		point_free(&pt);
		return ret;
	}
	ret = toucher_start(&toucher, w->m, w->hot, w->flush_tlb);
	if (ret) {
		point_free(&pt);
		return ws_case_fail(ctx, ret, "starting the hot-set thread");
	}
	ret = pt.t.ops->arm(&pt.t, 0, w->m->npages);
	if (ret)
		ret = ws_case_fail(ctx, ret, "arm: %s", pt.t.err);
	pt.t_prev = ws_now_ns();
	if (!ret)
		ret = mech_now(&pt, &pt.mech_prev);
	if (!ret)
		ret = ws_repeat(ctx->p, sw_window, &pt, &reps);
	if (!ret)
		ret = quiet_windows(&pt, dp->aggr_us,
				    reps < QUIET_WINDOWS_MAX ? reps :
							      QUIET_WINDOWS_MAX);
	pass_us = toucher_stop(&toucher);
	if (!ret && atomic_load(&toucher.error))
		ret = ws_case_fail(ctx, atomic_load(&toucher.error),
				   "hot-set thread: mprotect (TLB flush)");
	if (!ret)
		point_json(&pt, w, dp, reps, pass_us);
	point_free(&pt);
	return ret;
}

/* ---- the grid ---- */

struct sw_axes {
	const uint64_t *regions, *aggr_ms;
	size_t nr, na;
};

static struct sw_axes sw_axes(const struct ws_bench_ctx *ctx)
{
	bool q = ctx->p->profile == WS_PROFILE_QUICK;

	return (struct sw_axes){
		.regions = q ? quick_regions : full_regions,
		.aggr_ms = q ? quick_aggr_ms : full_aggr_ms,
		.nr = q ? 2 : 3,
		.na = q ? 2 : 3,
	};
}

/* An aggregation interval shorter than the sample interval is skipped. */
static bool sw_aggr_ok(const struct ws_damon_params *dp, uint64_t aggr_ms)
{
	return dp->sample_us <= aggr_ms * 1000;
}

/* The grid points sw_size() will run: sizes x hot x layouts x TLB x grid. */
static size_t sw_points(const struct ws_bench_ctx *ctx,
			const struct ws_damon_params *base)
{
	struct sw_axes ax = sw_axes(ctx);
	size_t layouts = 0, grid = 0;

	for (int l = 0; l < WS_LAYOUT_NR; l++)
		layouts += !!(ctx->p->layouts & (1u << l));
	for (size_t a = 0; a < ax.na; a++)
		grid += sw_aggr_ok(base, ax.aggr_ms[a]);
	return ctx->p->nsizes * ctx->p->nhot * layouts * 2 * ax.nr * grid;
}

static int sw_grid(struct ws_bench_ctx *ctx, struct sw_where *w,
		   const struct ws_damon_params *base)
{
	struct sw_axes ax = sw_axes(ctx);
	const uint64_t *regions = ax.regions, *aggr = ax.aggr_ms;
	size_t nr = ax.nr, na = ax.na;
	char why[160], sz[32];
	int ret = 0;

	for (size_t r = 0; !ret && r < nr; r++)
		for (size_t a = 0; !ret && a < na; a++) {
			struct ws_damon_params dp = *base;

			dp.max_regions = regions[r];
			if (dp.min_regions > dp.max_regions)
				dp.min_regions = dp.max_regions;
			dp.aggr_us = aggr[a] * 1000;
			if (!sw_aggr_ok(&dp, aggr[a])) {
				snprintf(why, sizeof(why),
					 "aggr %llums is shorter than the sample interval (--damon sample=%lluus)",
					 (unsigned long long)aggr[a],
					 (unsigned long long)dp.sample_us);
				ws_skip_once(ctx->res, w->ops->name,
					     ws_backing_name(w->backing),
					     "async", why);
				continue;
			}
			ws_progress_step(&w->points, "%s, %g%% hot, %s, tlb %s: max regions %llu, aggr %llums",
					 ws_fmt_size(w->m->len, sz, sizeof(sz)),
					 w->hot_pct, ws_layout_name(w->layout),
					 w->flush_tlb ? "flushed" : "as-is",
					 (unsigned long long)regions[r],
					 (unsigned long long)aggr[a]);
			ret = sw_point(ctx, w, &dp);
			if (ret)
				ws_case_say_point(ctx, " (max regions %llu, aggr %llums, hot %g%%, %s, tlb %s)",
						  (unsigned long long)regions[r],
						  (unsigned long long)aggr[a],
						  w->hot_pct,
						  ws_layout_name(w->layout),
						  w->flush_tlb ? "flushed" :
								 "as-is");
		}
	return ret;
}

static int sw_size(struct ws_bench_ctx *ctx, struct sw_where *w,
		   const struct ws_damon_params *base, size_t size)
{
	struct ws_mem m = { .fd = -1 };
	struct ws_pageset hot = { 0 };
	int ret;

	ret = ws_case_map_size(ctx, &m, w->ops->name, w->backing, "async",
			       size);
	if (ret)
		return ret == 1 ? 0 : ret;
	if (ws_pageset_init(&hot, m.npages)) {
		ws_mem_unmap(&m);
		return ws_case_fail(ctx, ENOMEM, "pageset of %zu pages",
				    m.npages);
	}
	w->m = &m;
	w->hot = &hot;
	for (size_t h = 0; !ret && h < ctx->p->nhot; h++) {
		size_t nhot = (size_t)llround(m.npages * ctx->p->hot_pcts[h] /
					      100.0);

		w->hot_pct = ctx->p->hot_pcts[h];
		for (int l = 0; !ret && l < WS_LAYOUT_NR; l++) {
			if (!(ctx->p->layouts & (1u << l)))
				continue;
			w->layout = l;
			ws_hot_set_build(&hot, nhot < m.npages ? nhot :
					 m.npages, l);
			for (int f = 0; !ret && f <= 1; f++) {
				w->flush_tlb = f;
				ret = sw_grid(ctx, w, base);
			}
		}
	}
	ws_pageset_free(&hot);
	ws_mem_unmap(&m);
	return ret;
}

static int sw_case(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		   enum ws_backing backing, enum ws_mode mode, void *arg)
{
	struct sw_where w = { .ops = ops, .backing = backing };
	struct ws_damon_params base;
	int ret = 0;

	(void)mode;
	(void)arg;
	if (strcmp(ops->name, "damon"))
		return ws_case_skip(ctx, "damon-sweep runs the damon backend only");
	ws_damon_get_params(&base);
	ws_progress_start(&w.points, "damon-sweep point", sw_points(ctx, &base));
	w.points.quiet = ctx->prog.quiet;
	for (size_t s = 0; !ret && s < ctx->p->nsizes; s++)
		ret = sw_size(ctx, &w, &base, ctx->p->sizes[s]);
	if (!ret)
		ws_progress_done(&w.points);
	ws_damon_set_params(&base);
	return ret;
}

static int damon_sweep_run(struct ws_bench_ctx *ctx)
{
	return ws_run_each_case(ctx, "damon-sweep", sw_case, NULL, false);
}

static void damon_sweep_defaults(struct ws_params *p, enum ws_profile profile)
{
	bool q = profile == WS_PROFILE_QUICK;

	p->backends = 0;
	for (size_t i = 0; ws_trackers[i]; i++)
		if (!strcmp(ws_trackers[i]->name, "damon"))
			p->backends = 1u << i;
	p->backings = WS_BACKING_BIT(WS_BACKING_ANON);
	p->sizes[0] = 64UL << 20;
	p->sizes[1] = 1UL << 30;
	p->nsizes = q ? 1 : 2;
	p->hot_pcts[0] = 10;
	p->nhot = 1;
	p->layouts = (1u << WS_LAYOUT_NR) - 1;
	/* Windows: regions need ~log2(max/min) windows to spread. */
	ws_default_reps(p, q ? 6 : 10, q ? 5 : 10, q ? 10 : 30,
			0);
}

WS_BENCHMARK(damon_sweep,
	.name		= "damon-sweep",
	.summary	= "DAMON accuracy and kdamond CPU vs max regions and aggregation interval, on a continuously hot set",
	.options	= "--backing --size --hot --layout --warmup --min-reps --max-reps --min-time"
);
