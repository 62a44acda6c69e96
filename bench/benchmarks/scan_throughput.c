// SPDX-License-Identifier: GPL-2.0
/*
 * scan-throughput: how fast each backend reports the accessed set of a
 * region, by region size, hot fraction and layout.  "contiguous" puts the
 * hot pages in one run; "scattered" spreads them evenly so every hot page
 * is its own run (at 50 % that is the most PAGEMAP_SCAN output regions a
 * range can produce), which is what output-vector and run handling cost.
 *
 * Each repetition: arm everything, write the hot set, time
 * collect(rearm=false) ("collect_ns", and "pages_per_s" = region pages per
 * second), write the hot set again and time collect(rearm=true)
 * ("collect_rearm_ns": the per-interval cost a VMM pays).  Both results
 * are compared with the hot set on every measured repetition.
 * Async mode only.
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
	struct ws_pageset hot, seen;
	struct ws_samples collect, rate, rearm;
	struct ws_samples collect_cpu, mech_cpu, mech_util;
	struct ws_accuracy acc, acc_rearm;
	uint64_t mech0, interval0;	/* at the end of arm */
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

/* The first interval's costs outside our collect() call (see the top). */
static int push_mech(struct st_point *pt, uint64_t cpu_ns)
{
	uint64_t mech, now = ws_now_ns();
	int ret = mech_cpu(pt, &mech);

	if (ret || !pt->t->ops->mech_cpu_ns)
		return ret;
	mech -= pt->mech0;
	if (ws_samples_push(&pt->collect_cpu, (double)cpu_ns) ||
	    ws_samples_push(&pt->mech_cpu, (double)mech) ||
	    ws_samples_push(&pt->mech_util, (double)mech /
			    (double)(now - pt->interval0 ? now - pt->interval0 : 1)))
		return ws_case_fail(pt->ctx, ENOMEM, "samples: out of memory");
	return 0;
}

static void touch_hot(struct st_point *pt)
{
	size_t pos = 0, first, n;

	while (ws_pageset_next_run(&pt->hot, &pos, &first, &n))
		for (size_t i = first; i < first + n; i++)
			ws_touch(pt->m->addr + i * pt->m->page_size, true);
}

static int timed_collect(struct st_point *pt, bool rearm, bool measured,
			 struct ws_samples *s, struct ws_accuracy *sum)
{
	struct ws_accuracy acc;
	uint64_t t0, t1, c0, c1;
	int ret;

	ws_pageset_clear(&pt->seen);
	c0 = ws_thread_cpu_ns();
	t0 = ws_now_ns();
	ret = pt->t->ops->collect(pt->t, &pt->seen, rearm);
	t1 = ws_now_ns();
	c1 = ws_thread_cpu_ns();
	if (ret)
		return ws_case_fail(pt->ctx, ret, "collect(rearm=%d): %s",
				    rearm, pt->t->err);
	if (!measured)
		return 0;
	if (!rearm) {
		ret = push_mech(pt, c1 - c0);
		if (ret)
			return ret;
	}
	if (ws_samples_push(s, (double)(t1 - t0)))
		return ws_case_fail(pt->ctx, ENOMEM, "samples: out of memory");
	if (!rearm && ws_samples_push(&pt->rate, pt->m->npages * 1e9 /
				      (double)(t1 - t0 ? t1 - t0 : 1)))
		return ws_case_fail(pt->ctx, ENOMEM, "samples: out of memory");
	ws_pageset_compare(&pt->hot, &pt->seen, &acc);
	ws_accuracy_add(sum, &acc);
	return 0;
}

static int st_once(void *arg, bool measured)
{
	struct st_point *pt = arg;
	int ret;

	ret = pt->t->ops->arm(pt->t, 0, pt->m->npages);
	if (ret)
		return ws_case_fail(pt->ctx, ret, "arm: %s", pt->t->err);
	ret = mech_cpu(pt, &pt->mech0);
	if (ret)
		return ret;
	pt->interval0 = ws_now_ns();
	touch_hot(pt);
	ret = timed_collect(pt, false, measured, &pt->collect, &pt->acc);
	if (ret)
		return ret;
	touch_hot(pt);
	return timed_collect(pt, true, measured, &pt->rearm, &pt->acc_rearm);
}

static int st_point(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		    enum ws_backing backing, enum ws_mode mode,
		    struct ws_mem *m, struct ws_tracker *t, double pct,
		    enum ws_layout layout)
{
	struct st_point pt = { .ctx = ctx, .m = m, .t = t };
	size_t nhot = (size_t)llround(m->npages * pct / 100.0);
	size_t reps = 0;
	double med;
	json_t *j, *metrics;
	int ret;

	if (nhot > m->npages)
		nhot = m->npages;
	ws_samples_init(&pt.collect);
	ws_samples_init(&pt.rate);
	ws_samples_init(&pt.rearm);
	ws_samples_init(&pt.collect_cpu);
	ws_samples_init(&pt.mech_cpu);
	ws_samples_init(&pt.mech_util);
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
	json_object_set_new(j, "params",
			    json_pack("{s:I,s:I,s:I,s:f,s:I,s:s,s:I}",
				      "size_bytes", (json_int_t)m->len,
				      "npages", (json_int_t)m->npages,
				      "page_size", (json_int_t)m->page_size,
				      "hot_pct", pct,
				      "hot_pages", (json_int_t)nhot,
				      "layout", ws_layout_name(layout),
				      "hot_runs",
				      (json_int_t)ws_pageset_runs(&pt.hot)));
	metrics = json_object();
	med = ws_metric_add(ctx, metrics, "collect_ns", pt.collect.v,
			    pt.collect.n, "ns");
	ws_metric_add(ctx, metrics, "pages_per_s", pt.rate.v, pt.rate.n,
		      "pages/s");
	ws_metric_add(ctx, metrics, "collect_rearm_ns", pt.rearm.v,
		      pt.rearm.n, "ns");
	ws_metric_add(ctx, metrics, "collect_cpu_ns", pt.collect_cpu.v,
		      pt.collect_cpu.n, "ns");
	ws_metric_add(ctx, metrics, "mech_cpu_ns", pt.mech_cpu.v,
		      pt.mech_cpu.n, "ns");
	ws_metric_add(ctx, metrics, "mech_cpu_util", pt.mech_util.v,
		      pt.mech_util.n, "fraction of one CPU");
	json_object_set_new(j, "metrics", metrics);
	ws_case_tracker_info(j, t);
	json_object_set_new(j, "accuracy", ws_accuracy_json(&pt.acc));
	json_object_set_new(j, "accuracy_rearm",
			    ws_accuracy_json(&pt.acc_rearm));
	json_object_set_new(j, "reps", json_integer(reps));
	ws_timer_annotate(ctx, j, &med, 1);
	ws_result_add(ctx->res, j);
out:
	ws_pageset_free(&pt.hot);
	ws_pageset_free(&pt.seen);
	ws_samples_free(&pt.collect);
	ws_samples_free(&pt.rate);
	ws_samples_free(&pt.rearm);
	ws_samples_free(&pt.collect_cpu);
	ws_samples_free(&pt.mech_cpu);
	ws_samples_free(&pt.mech_util);
	return ret;
}

static int st_size(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
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
			ret = st_point(ctx, ops, backing, mode, &m, &t, pct,
				       l);
			if (ret)
				ws_case_say_point(ctx, " (size %s, hot %g%%, %s)",
						  ws_fmt_size(size, sz,
							      sizeof(sz)),
						  pct, ws_layout_name(l));
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
	ws_bench_progress_start(ctx, "scan-throughput",
				ws_count_cases(ctx->p, false));
	ws_for_each_case(ctx, st_case, NULL, false);
	ws_progress_done(&ctx->prog);
	return 0;
}

static void scan_throughput_defaults(struct ws_params *p,
				     enum ws_profile profile)
{
	static const size_t quick[] = { 1UL << 20, 64UL << 20 };
	static const size_t full[] = { 1UL << 20, 16UL << 20, 256UL << 20,
				       1UL << 30 };
	static const double hot[] = { 0, 1, 50, 100 };
	bool q = profile == WS_PROFILE_QUICK;
	const size_t *sizes = q ? quick : full;
	size_t n = q ? 2 : 4;

	for (p->nsizes = 0; p->nsizes < n; p->nsizes++)
		p->sizes[p->nsizes] = sizes[p->nsizes];
	for (p->nhot = 0; p->nhot < 4; p->nhot++)
		p->hot_pcts[p->nhot] = hot[p->nhot];
	p->layouts = (1u << WS_LAYOUT_NR) - 1;
	p->warmup = 1;
	p->min_reps = q ? 3 : 10;
	p->max_reps = q ? 50 : 200;
	p->min_time_s = q ? 0.05 : 0.3;
}

const struct ws_benchmark ws_bench_scan_throughput = {
	.name		= "scan-throughput",
	.summary	= "pages/s to collect the accessed set (and to collect + re-arm) by region size, hot fraction and layout",
	.defaults	= scan_throughput_defaults,
	.run		= scan_throughput_run,
	.options	= "--backend --backing --size --hot --layout --warmup --min-reps --max-reps --min-time",
};
