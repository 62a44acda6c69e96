// SPDX-License-Identifier: GPL-2.0
/*
 * scan-throughput: what one tracking interval costs, by region size, hot
 * fraction, layout and re-arm policy.  "contiguous" puts the hot pages in
 * one run; "scattered" spreads them evenly so every hot page is its own run
 * (at 50 % that is the most PAGEMAP_SCAN output regions a range can
 * produce, and the most ioctls a per-run re-arm can take).
 *
 * Each repetition is two intervals on the same region:
 *   arm everything, write the hot set, then
 *   collect(rearm=true)   "collect_rearm_ns": the manager's per-interval work
 *   write the hot set     "touch_ns": the workload's, faults included
 *   collect(rearm=false)  "collect_ns" and "pages_per_s" (region pages/s)
 *   write the hot set     "touch_untracked_ns": the same stores, unarmed
 * so "interval_ns" = collect_rearm_ns + touch_ns - touch_untracked_ns is
 * the tracking cost of one interval, measured in one repetition.  Both
 * collects are scored against the hot set; the second checks the re-arm.
 * Where a tracker splits its time into named parts (idle: PFN translation,
 * bitmap write, bitmap read), each part is a series too.  Async mode only;
 * uffd trackers run once per --rearm policy.
 *
 * Mechanisms that work in a kernel thread (ops->mech_cpu_ns: DAMON) also
 * get, for the first interval of each repetition (arm -> collect):
 * "collect_cpu_ns" (our thread's CPU inside collect: its wall time is
 * mostly waiting for the kernel thread), "mech_cpu_ns" (the kernel
 * thread's CPU over the interval) and "mech_cpu_util" (that CPU over the
 * interval's wall time: the share of one CPU the mechanism costs while it
 * watches this region).  Their cases carry "sampling" and "backend_info".
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "common.h"
#include "parse.h"
#include "stats.h"
#include "timing.h"

struct st_point {
	struct ws_bench_ctx *ctx;
	struct ws_mem *m;
	struct ws_tracker *t;
	struct ws_thp_guard *thp;
	struct ws_pageset hot, seen;
	struct ws_samples collect, rate, rearm, touch, untracked, interval;
	struct ws_samples parts[WS_TRACKER_MAX_COSTS];	/* of collect_rearm */
	struct ws_samples collect_cpu, mech_cpu, mech_util;	/* DAMON */
	struct ws_accuracy acc, acc_rearm;
};

/* Kernel-thread CPU since open (0 when the tracker has none). */
static int mech_cpu(struct st_point *pt, uint64_t *ns)
{
	int ret;

	*ns = 0;
	if (!pt->t->ops->mech_cpu_ns)
		return 0;
	ret = pt->t->ops->mech_cpu_ns(pt->t, ns);
	if (ret)
		return ws_case_fail(pt->ctx, ret, "%s", pt->t->err);
	return 0;
}

/*
 * The first interval's costs outside our collect() call (see the top):
 * @mech0 and @start were taken before the arm, @cpu_ns is our thread's CPU
 * inside the collect.
 */
static int push_mech(struct st_point *pt, uint64_t mech0, uint64_t start,
		     uint64_t cpu_ns)
{
	uint64_t mech, wall = ws_now_ns() - start;
	int ret = mech_cpu(pt, &mech);

	if (ret || !pt->t->ops->mech_cpu_ns)
		return ret;
	mech -= mech0;
	if (ws_samples_push(&pt->collect_cpu, (double)cpu_ns) ||
	    ws_samples_push(&pt->mech_cpu, (double)mech) ||
	    ws_samples_push(&pt->mech_util, (double)mech /
			    (double)(wall ? wall : 1)))
		return ws_case_fail(pt->ctx, ENOMEM, "samples: out of memory");
	return 0;
}

static uint64_t touch_hot(struct st_point *pt)
{
	size_t pos = 0, first, n;
	uint64_t t0 = ws_now_ns();

	while (ws_pageset_next_run(&pt->hot, &pos, &first, &n))
		for (size_t i = first; i < first + n; i++)
			ws_touch(pt->m->addr + i * pt->m->page_size, true);
	return ws_now_ns() - t0;
}

static int timed_collect(struct st_point *pt, bool rearm, uint64_t *ns,
			 struct ws_accuracy *sum)
{
	struct ws_accuracy acc;
	uint64_t t0;
	int ret;

	ws_pageset_clear(&pt->seen);
	t0 = ws_now_ns();
	ret = pt->t->ops->collect(pt->t, &pt->seen, rearm);
	*ns = ws_now_ns() - t0;
	if (ret)
		return ws_case_fail(pt->ctx, ret, "collect(rearm=%d): %s",
				    rearm, pt->t->err);
	if (sum) {
		ws_pageset_compare(&pt->hot, &pt->seen, &acc);
		ws_accuracy_add(sum, &acc);
	}
	return 0;
}

/* Where collect_rearm's time went, for trackers that say. */
static void parts_since(const struct st_point *pt,
			const struct ws_cost *before, uint64_t *ns)
{
	for (size_t i = 0; i < WS_TRACKER_MAX_COSTS && pt->t->costs[i].name; i++)
		ns[i] = pt->t->costs[i].ns - before[i].ns;
}

static int push_parts(struct st_point *pt, const uint64_t *ns)
{
	for (size_t i = 0; i < WS_TRACKER_MAX_COSTS && pt->t->costs[i].name; i++)
		if (ws_samples_push(&pt->parts[i], (double)ns[i]))
			return -ENOMEM;
	return 0;
}

static int push_rep(struct st_point *pt, uint64_t rearm, uint64_t touch,
		    uint64_t collect, uint64_t untracked)
{
	double interval = (double)rearm + (double)touch - (double)untracked;

	if (ws_samples_push(&pt->rearm, (double)rearm) ||
	    ws_samples_push(&pt->touch, (double)touch) ||
	    ws_samples_push(&pt->collect, (double)collect) ||
	    ws_samples_push(&pt->rate, pt->m->npages * 1e9 /
			    (double)(collect ? collect : 1)) ||
	    ws_samples_push(&pt->untracked, (double)untracked) ||
	    ws_samples_push(&pt->interval, interval))
		return ws_case_fail(pt->ctx, ENOMEM, "samples: out of memory");
	return 0;
}

static int st_once(void *arg, bool measured)
{
	struct st_point *pt = arg;
	struct ws_cost before[WS_TRACKER_MAX_COSTS];
	uint64_t parts[WS_TRACKER_MAX_COSTS] = { 0 };
	uint64_t rearm, touch, collect, untracked, mech0, start, c0;
	int ret;

	ret = ws_thp_guard_start(pt->ctx, pt->thp, pt->m, pt->t);
	if (!ret)
		ret = mech_cpu(pt, &mech0);
	if (ret)
		return ret;
	start = ws_now_ns();
	ret = pt->t->ops->arm(pt->t, 0, pt->m->npages);
	if (ret)
		return ws_case_fail(pt->ctx, ret, "arm: %s", pt->t->err);
	touch_hot(pt);
	if (measured)
		ws_thp_guard_timed(pt->thp, pt->m);
	memcpy(before, pt->t->costs, sizeof(before));
	c0 = ws_thread_cpu_ns();
	ret = timed_collect(pt, true, &rearm, measured ? &pt->acc : NULL);
	parts_since(pt, before, parts);	/* this collect's only */
	if (!ret && measured)
		ret = push_mech(pt, mech0, start, ws_thread_cpu_ns() - c0);
	if (ret)
		return ret;
	touch = touch_hot(pt);
	ret = timed_collect(pt, false, &collect,
			    measured ? &pt->acc_rearm : NULL);
	if (ret)
		return ret;
	untracked = touch_hot(pt);
	if (!measured)
		return 0;
	if (push_parts(pt, parts))
		return ws_case_fail(pt->ctx, ENOMEM, "samples: out of memory");
	return push_rep(pt, rearm, touch, collect, untracked);
}

static void point_free(struct st_point *pt)
{
	struct ws_samples *all[] = { &pt->collect, &pt->rate, &pt->rearm,
				     &pt->touch, &pt->untracked,
				     &pt->interval, &pt->collect_cpu,
				     &pt->mech_cpu, &pt->mech_util };

	ws_pageset_free(&pt->hot);
	ws_pageset_free(&pt->seen);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		ws_samples_free(all[i]);
	for (size_t i = 0; i < WS_TRACKER_MAX_COSTS; i++)
		ws_samples_free(&pt->parts[i]);
}

static json_t *point_metrics(struct st_point *pt, double *med)
{
	struct ws_bench_ctx *ctx = pt->ctx;
	json_t *metrics = json_object();
	char name[96];

	*med = ws_metric_add(ctx, metrics, "collect_ns", &pt->collect, "ns");
	ws_metric_add(ctx, metrics, "pages_per_s", &pt->rate, "pages/s");
	ws_metric_add(ctx, metrics, "collect_rearm_ns", &pt->rearm, "ns");
	ws_metric_add(ctx, metrics, "touch_ns", &pt->touch, "ns");
	ws_metric_add(ctx, metrics, "touch_untracked_ns", &pt->untracked,
		      "ns");
	ws_metric_add(ctx, metrics, "interval_ns", &pt->interval, "ns");
	ws_metric_add(ctx, metrics, "collect_cpu_ns", &pt->collect_cpu, "ns");
	ws_metric_add(ctx, metrics, "mech_cpu_ns", &pt->mech_cpu, "ns");
	ws_metric_add(ctx, metrics, "mech_cpu_util", &pt->mech_util,
		      "fraction of one CPU");
	for (size_t i = 0; i < WS_TRACKER_MAX_COSTS && pt->t->costs[i].name;
	     i++) {
		snprintf(name, sizeof(name), "collect_rearm_%s_ns",
			 pt->t->costs[i].name);
		ws_metric_add(ctx, metrics, name, &pt->parts[i], "ns");
	}
	return metrics;
}

static json_t *point_params(struct st_point *pt, double pct, size_t nhot,
			    enum ws_layout layout)
{
	enum ws_rearm_miss misses;
	const char *rearm = ws_tracker_rearm_method(pt->t->ops, pt->t, &misses);

	return json_pack("{s:I,s:I,s:I,s:f,s:I,s:s,s:I,s:s,s:b,s:s}",
			 "size_bytes", (json_int_t)pt->m->len,
			 "npages", (json_int_t)pt->m->npages,
			 "page_size", (json_int_t)pt->m->page_size,
			 "hot_pct", pct,
			 "hot_pages", (json_int_t)nhot,
			 "layout", ws_layout_name(layout),
			 "hot_runs", (json_int_t)ws_pageset_runs(&pt->hot),
			 "rearm", rearm,
			 "rearm_lossless", misses == WS_MISS_NOTHING,
			 "rearm_misses", ws_rearm_miss_name(misses));
}

static int st_point(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		    enum ws_backing backing, enum ws_mode mode,
		    struct ws_mem *m, struct ws_tracker *t,
		    struct ws_thp_guard *thp, double pct, enum ws_layout layout)
{
	struct st_point pt = { .ctx = ctx, .m = m, .t = t, .thp = thp };
	size_t nhot = (size_t)llround(m->npages * pct / 100.0);
	size_t reps = 0;
	json_t *j;
	double med;
	int ret;

	if (nhot > m->npages)
		nhot = m->npages;
	if (ws_pageset_init(&pt.hot, m->npages) ||
	    ws_pageset_init(&pt.seen, m->npages)) {
		ret = ws_case_fail(ctx, ENOMEM, "pageset of %zu pages",
				   m->npages);
		goto out;
	}
	ws_hot_set_build(&pt.hot, nhot, layout);
	ret = ws_repeat(ctx->p, st_once, &pt, &reps);
	if (ret)
		goto out;

	j = ws_case_json(ops, backing, mode);
	json_object_set_new(j, "params", point_params(&pt, pct, nhot, layout));
	json_object_set_new(j, "metrics", point_metrics(&pt, &med));
	ws_case_tracker_info(j, t);
	json_object_set_new(j, "accuracy", ws_accuracy_json(&pt.acc));
	json_object_set_new(j, "accuracy_rearm",
			    ws_accuracy_json(&pt.acc_rearm));
	json_object_set_new(j, "reps", json_integer(reps));
	ws_thp_guard_add(j, thp);
	ws_timer_annotate(ctx, j, &med, 1);
	ws_result_add(ctx->res, j);
out:
	point_free(&pt);
	return ret;
}

/* Every requested re-arm policy of one (hot, layout) point. */
static int st_policies(struct ws_bench_ctx *ctx,
		       const struct ws_tracker_ops *ops, enum ws_backing backing,
		       enum ws_mode mode, struct ws_mem *m, struct ws_tracker *t,
		       struct ws_thp_guard *thp, double pct, enum ws_layout l)
{
	struct ws_rearm_walk walk = { 0 };
	int ret = 0;

	while (!ret && ws_next_rearm(ctx->p, t, &walk))
		ret = st_point(ctx, ops, backing, mode, m, t, thp, pct, l);
	return ret;
}

static int st_size(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		   enum ws_backing backing, enum ws_mode mode, size_t size)
{
	struct ws_tracker t = { 0 };
	struct ws_mem m = { .fd = -1 };
	struct ws_thp_guard thp;
	char sz[32];
	int ret;

	ws_thp_guard_init(&thp, backing);
	ret = ws_case_map_size(ctx, &m, ops->name, backing,
			       ws_mode_name(mode), size);
	if (ret)
		return ret == 1 ? 0 : ret;
	ret = ws_case_open(ctx, &t, ops, &m, mode);
	for (size_t h = 0; !ret && h < ctx->p->nhot; h++) {
		double pct = ctx->p->hot_pcts[h];
		size_t nhot = (size_t)llround(m.npages * pct / 100.0);

		for (int l = 0; !ret && l < WS_LAYOUT_NR; l++) {
			if (!(ctx->p->layouts & (1u << l)))
				continue;
			/* No hot page or all hot: scattered == contiguous. */
			if (l == WS_LAYOUT_SCATTERED &&
			    (nhot == 0 || nhot >= m.npages) &&
			    (ctx->p->layouts & (1u << WS_LAYOUT_CONTIGUOUS)))
				continue;
			ret = st_policies(ctx, ops, backing, mode, &m, &t,
					  &thp, pct, l);
			if (ret)
				ws_case_say_point(ctx, " (size %s, hot %g%%, %s, rearm %s)",
						  ws_fmt_size(size, sz,
							      sizeof(sz)),
						  pct, ws_layout_name(l),
						  ws_rearm_name(t.rearm));
		}
	}
	if (t.ops)
		ws_tracker_close(&t);
	ws_mem_unmap(&m);
	return ret;
}

static int st_case(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		   enum ws_backing backing, enum ws_mode mode, void *arg)
{
	int ret = 0;

	(void)arg;
	for (size_t s = 0; !ret && s < ctx->p->nsizes; s++)
		ret = st_size(ctx, ops, backing, mode, ctx->p->sizes[s]);
	return ret;
}

static int scan_throughput_run(struct ws_bench_ctx *ctx)
{
	return ws_run_each_case(ctx, "scan-throughput", st_case, NULL, false);
}

static void scan_throughput_defaults(struct ws_params *p,
				     enum ws_profile profile)
{
	static const size_t quick[] = { 1UL << 20, 64UL << 20 };
	static const size_t full[] = { 1UL << 20, 16UL << 20, 256UL << 20,
				       1UL << 30 };
	static const double hot[] = { 0, 1, 20, 50, 100 };
	bool q = profile == WS_PROFILE_QUICK;
	const size_t *sizes = q ? quick : full;
	size_t n = q ? 2 : 4;

	for (p->nsizes = 0; p->nsizes < n; p->nsizes++)
		p->sizes[p->nsizes] = sizes[p->nsizes];
	for (p->nhot = 0; p->nhot < sizeof(hot) / sizeof(hot[0]); p->nhot++)
		p->hot_pcts[p->nhot] = hot[p->nhot];
	p->layouts = (1u << WS_LAYOUT_NR) - 1;
	/* Both re-arm policies: the lossy one is cheaper, and that is the point. */
	p->rearms = (1u << WS_REARM_NR) - 1;
	ws_default_reps(p, 1, q ? 3 : 10, q ? 50 : 200,
			q ? 0.05 : 0.3);
}

WS_BENCHMARK(scan_throughput,
	.name		= "scan-throughput",
	.summary	= "per-interval tracking cost (collect + re-arm + the workload's faults) and pages/s to collect, by region size, hot fraction, layout and re-arm policy",
	.options	= "--backend --backing --size --hot --layout --rearm --warmup --min-reps --max-reps --min-time"
);
