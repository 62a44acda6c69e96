// SPDX-License-Identifier: GPL-2.0
/*
 * fault-latency: what the workload pays on its first access to a page after
 * the tracker armed it.  Each access is one volatile load or store between
 * two timestamps in the faulting thread, so every sample is one fault (or,
 * for a tracker that does not fault on it, one plain access); in sync mode
 * that includes the round trip through the tracker's handler thread.
 * Baselines measured in the same run, once per backing: an access to a
 * present, unprotected page and a first-touch (missing) fault.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "common.h"
#include "stats.h"
#include "timing.h"

/* One timed access: timestamps bracket exactly one load or store. */
static inline double timed_touch(char *addr, bool write)
{
	uint64_t t0, t1;

	t0 = ws_now_ns();
	ws_barrier();
	ws_touch(addr, write);
	ws_barrier();
	t1 = ws_now_ns();
	return (double)(t1 - t0);
}

static int time_pages(struct ws_mem *m, bool write, bool keep,
		      struct ws_samples *s)
{
	for (size_t i = 0; i < m->npages; i++) {
		double ns = timed_touch(m->addr + i * m->page_size, write);

		if (keep && ws_samples_push(s, ns))
			return -ENOMEM;
	}
	return 0;
}

static json_t *params_json(const struct ws_bench_ctx *ctx,
			   const struct ws_mem *m, enum ws_backing b)
{
	return json_pack("{s:I,s:I,s:I,s:b}",
			 "size_bytes", (json_int_t)m->len,
			 "npages", (json_int_t)m->npages,
			 "page_size", (json_int_t)m->page_size,
			 "hugetlb_capped", b == WS_BACKING_HUGETLB &&
			 m->npages < ctx->p->pages);
}

/* ---- tracked cases ---------------------------------------------------- */

struct fl_case {
	struct ws_bench_ctx *ctx;
	struct ws_mem m;
	struct ws_tracker t;
	struct ws_pageset truth;	/* every page: each is touched once */
	struct ws_pageset seen;
	bool reads;			/* access-seeing: also time reads */
	struct ws_samples read_ns, write_ns;
	struct ws_accuracy acc;
	int error;
};

static int fl_variant(struct fl_case *c, bool write, bool measured)
{
	struct ws_accuracy acc;
	int ret;

	ret = c->t.ops->arm(&c->t, 0, c->m.npages);
	if (ret)
		return ws_case_fail(c->ctx, ret, "arm: %s", c->t.err);
	ret = time_pages(&c->m, write, measured,
			 write ? &c->write_ns : &c->read_ns);
	if (ret)
		return ws_case_fail(c->ctx, ret, "samples: out of memory");
	ws_pageset_clear(&c->seen);
	ret = c->t.ops->collect(&c->t, &c->seen, false);
	if (ret)
		return ws_case_fail(c->ctx, ret, "collect: %s", c->t.err);
	/* A write-only tracker cannot see the read pass: not scored. */
	if (measured && (write || c->t.ops->sees == WS_SEES_ACCESSES)) {
		ws_pageset_compare(&c->truth, &c->seen, &acc);
		ws_accuracy_add(&c->acc, &acc);
	}
	return 0;
}

static int fl_once(void *arg, bool measured)
{
	struct fl_case *c = arg;
	int ret = 0;

	/* Whatever the last repetition left behind is present again. */
	ws_mem_populate(&c->m);
	if (c->reads)
		ret = fl_variant(c, false, measured);
	if (!ret)
		ret = fl_variant(c, true, measured);
	return ret;
}

static int fl_case(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		   enum ws_backing backing, enum ws_mode mode, void *arg)
{
	size_t npages, len = ws_case_len(backing, ctx->p->pages, &npages);
	struct fl_case c = { .ctx = ctx };
	uint64_t faults0;
	double med[2];
	size_t reps = 0;
	json_t *j, *metrics;
	int ret;

	(void)arg;
	if (ops->sampling) {
		/* Once for the backend, not per backing and mode. */
		ws_skip_once(ctx->res, ops->name, NULL, NULL,
			     "never faults: accesses cost what untracked ones do; its cost is the sampling kernel thread's CPU (scan-throughput, damon-sweep: mech_cpu_ns)");
		return 0;
	}
	c.reads = ops->sees == WS_SEES_ACCESSES;
	ws_samples_init(&c.read_ns);
	ws_samples_init(&c.write_ns);
	c.m.fd = -1;
	if (!npages) {
		ret = ws_case_skip(ctx, "--pages 0: nothing to time");
		goto out;
	}
	ret = ws_case_map(ctx, &c.m, backing, len);
	if (ret)
		goto out;
	if (ws_pageset_init(&c.truth, c.m.npages) ||
	    ws_pageset_init(&c.seen, c.m.npages)) {
		ret = ws_case_fail(ctx, ENOMEM, "pageset of %zu pages",
				   c.m.npages);
		goto out;
	}
	ws_pageset_set_range(&c.truth, 0, c.m.npages);
	ws_mem_populate(&c.m);
	ret = ws_case_open(ctx, &c.t, ops, &c.m, mode);
	if (ret)
		goto out;
	faults0 = c.t.sync_faults;
	ret = ws_repeat(ctx->p, fl_once, &c, &reps);
	if (ret)
		goto out;

	j = ws_case_json(ops, backing, mode);
	metrics = json_object();
	json_object_set_new(j, "params", params_json(ctx, &c.m, backing));
	json_object_set_new(j, "access", json_string(c.reads ? "read+write" :
						     "write"));
	med[0] = ws_metric_add(ctx, metrics, "read_ns", c.read_ns.v,
			       c.read_ns.n, "ns");
	med[1] = ws_metric_add(ctx, metrics, "write_ns", c.write_ns.v,
			       c.write_ns.n, "ns");
	json_object_set_new(j, "metrics", metrics);
	json_object_set_new(j, "accuracy", ws_accuracy_json(&c.acc));
	json_object_set_new(j, "reps", json_integer(reps));
	/* Includes warm-up repetitions: the handler counts every fault. */
	json_object_set_new(j, "sync_faults",
			    json_integer(c.t.sync_faults - faults0));
	ws_timer_annotate(ctx, j, med, 2);
	ws_result_add(ctx->res, j);
out:
	if (c.t.ops)
		ws_tracker_close(&c.t);
	ws_pageset_free(&c.truth);
	ws_pageset_free(&c.seen);
	ws_samples_free(&c.read_ns);
	ws_samples_free(&c.write_ns);
	ws_mem_unmap(&c.m);
	return ret;
}

/* ---- baselines -------------------------------------------------------- */

struct bl_case {
	struct ws_bench_ctx *ctx;
	enum ws_backing backing;
	size_t len;
	struct ws_mem present;
	struct ws_samples present_read, present_write, first_touch;
	char first_touch_skip[512];	/* why no fresh mapping (hugetlb) */
};

static int bl_once(void *arg, bool measured)
{
	struct bl_case *c = arg;
	struct ws_mem fresh;
	int ret;

	if (time_pages(&c->present, false, measured, &c->present_read) ||
	    time_pages(&c->present, true, measured, &c->present_write))
		return ws_case_fail(c->ctx, ENOMEM, "samples: out of memory");
	/* A new mapping each time: every page's first touch is a fault. */
	if (c->first_touch_skip[0])
		return 0;
	ret = ws_case_map(c->ctx, &fresh, c->backing, c->len);
	if (ret > 0) {
		/* e.g. not enough huge pages for a second mapping */
		snprintf(c->first_touch_skip, sizeof(c->first_touch_skip),
			 "%s", c->ctx->skip_reason);
		c->ctx->skip_reason[0] = '\0';
		return 0;
	}
	if (ret)
		return ret;
	ret = time_pages(&fresh, true, measured, &c->first_touch);
	ws_mem_unmap(&fresh);
	if (ret)
		return ws_case_fail(c->ctx, ENOMEM, "samples: out of memory");
	return 0;
}

static void baseline(struct ws_bench_ctx *ctx, enum ws_backing backing)
{
	size_t npages;
	struct bl_case c = {
		.ctx = ctx,
		.backing = backing,
		.len = ws_case_len(backing, ctx->p->pages, &npages),
	};
	double med[3];
	size_t reps = 0;
	json_t *j, *metrics;
	int ret;

	ws_samples_init(&c.present_read);
	ws_samples_init(&c.present_write);
	ws_samples_init(&c.first_touch);
	c.present.fd = -1;
	ctx->skip_reason[0] = '\0';
	if (!npages)
		goto out;
	ret = ws_case_map(ctx, &c.present, backing, c.len);
	if (ret == 1) {
		ws_result_skip(ctx->res, "baseline", ws_backing_name(backing),
			       WS_MODE_NONE_NAME, ctx->skip_reason);
		goto out;
	}
	if (!ret) {
		ws_mem_populate(&c.present);
		ret = ws_repeat(ctx->p, bl_once, &c, &reps);
	}
	if (ret) {
		ws_record_error(ctx, "baseline", ws_backing_name(backing),
				WS_MODE_NONE_NAME, ret);
		goto out;
	}
	j = ws_baseline_case_json("baseline", backing);
	metrics = json_object();
	json_object_set_new(j, "params", params_json(ctx, &c.present, backing));
	med[0] = ws_metric_add(ctx, metrics, "present_read_ns",
			       c.present_read.v, c.present_read.n, "ns");
	med[1] = ws_metric_add(ctx, metrics, "present_ns", c.present_write.v,
			       c.present_write.n, "ns");
	med[2] = ws_metric_add(ctx, metrics, "first_touch_ns",
			       c.first_touch.v, c.first_touch.n, "ns");
	json_object_set_new(j, "metrics", metrics);
	json_object_set_new(j, "reps", json_integer(reps));
	json_object_set_new(j, "note",
			    json_string("present_ns: store to a present, unprotected page; present_read_ns: load from it; first_touch_ns: store to a never-touched page of a fresh mapping (missing fault)"));
	if (c.first_touch_skip[0])
		json_object_set_new(j, "first_touch_skipped",
				    json_string(c.first_touch_skip));
	ws_timer_annotate(ctx, j, med, 3);
	ws_result_add(ctx->res, j);
out:
	ws_samples_free(&c.present_read);
	ws_samples_free(&c.present_write);
	ws_samples_free(&c.first_touch);
	ws_mem_unmap(&c.present);
}

static int fault_latency_run(struct ws_bench_ctx *ctx)
{
	size_t nbackings = 0;

	for (int b = 0; b < WS_BACKING_NR; b++)
		nbackings += !!(ctx->p->backings & WS_BACKING_BIT(b));
	ws_bench_progress_start(ctx, "fault-latency",
				nbackings + ws_count_cases(ctx->p, true));
	for (int b = 0; b < WS_BACKING_NR; b++) {
		if (!(ctx->p->backings & WS_BACKING_BIT(b)))
			continue;
		ws_progress_step(&ctx->prog, "baseline/%s", ws_backing_name(b));
		baseline(ctx, b);
	}
	ws_for_each_case(ctx, fl_case, NULL, true);
	ws_progress_done(&ctx->prog);
	return 0;
}

static void fault_latency_defaults(struct ws_params *p,
				   enum ws_profile profile)
{
	bool quick = profile == WS_PROFILE_QUICK;

	p->pages = quick ? 2000 : 4096;
	p->warmup = 1;
	p->min_reps = quick ? 3 : 5;
	p->max_reps = quick ? 10 : 20;
	p->min_time_s = quick ? 0.2 : 1.0;
}

const struct ws_benchmark ws_bench_fault_latency = {
	.name		= "fault-latency",
	.summary	= "latency of the first access to each armed page, per backend, backing and mode, with present-page and first-touch baselines",
	.defaults	= fault_latency_defaults,
	.run		= fault_latency_run,
	.options	= "--backend --backing --mode --pages --warmup --min-reps --max-reps --min-time",
};
