// SPDX-License-Identifier: GPL-2.0
/*
 * protect-cost (reviewer question 2, the TLB-flush question): the time of
 * one arm() call over N populated pages -- UFFDIO_RWPROTECT (rwp),
 * UFFDIO_WRITEPROTECT (wp), a page_idle bitmap write (idle), clear_refs
 * (softdirty: whole mm per call, arm_is_ranged=false) -- next to a plain
 * mprotect(PROT_NONE) baseline, as a function of N and of how many other
 * threads of the process are running on other CPUs with the range in
 * their TLBs, so that every protect must shoot down remote TLB entries.
 *
 * Each repetition first makes the range present and unprotected again --
 * with the tracker's own range unprotect and a read of every page where it
 * has one (rwp, wp: a write would split a WP-protected THP and leave the
 * "anon-thp" case PTE-mapped for good), else by writing every base page
 * from the measuring thread (soft-dirty needs written pages to have
 * something to clear) -- lets the helper threads sweep it, then times one
 * call.  anon-thp repetitions start PMD-mapped (struct ws_thp_guard).
 * The measuring thread is pinned to CPU 0, helpers to the other CPUs; the
 * default thread counts go from 0 to every other CPU of the machine.
 * Async mode only: the cost of protecting does not depend on the mode.
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"
#include "common.h"
#include "parse.h"
#include "stats.h"
#include "threads.h"
#include "timing.h"

struct pc_case {
	struct ws_bench_ctx *ctx;
	const struct ws_tracker_ops *ops;	/* NULL: mprotect baseline */
	struct ws_mem m;
	struct ws_tracker t;
	struct ws_thp_guard thp;
	struct ws_hot_threads *hot;
	unsigned int nthreads;			/* hot threads asked for */
	struct ws_samples ns;
};

/* Present and unprotected again, the measuring thread's TLB warm. */
static int reset(struct pc_case *c)
{
	volatile char *p = (volatile char *)c->m.addr;
	int ret;

	if (!c->ops || !c->ops->disarm) {
		ws_mem_populate(&c->m);
		return 0;
	}
	ret = c->ops->disarm(&c->t, 0, c->m.npages);
	if (ret)
		return ws_case_fail(c->ctx, ret, "%s", c->t.err);
	for (size_t off = 0; off < c->m.len; off += ws_page_size())
		(void)p[off];
	return 0;
}

static int pc_once(void *arg, bool measured)
{
	struct pc_case *c = arg;
	uint64_t t0, t1;
	int ret;

	ret = reset(c);
	if (!ret)
		ret = ws_thp_guard_start(c->ctx, &c->thp, &c->m,
					 c->ops ? &c->t : NULL);
	if (ret)
		return ret;
	if (c->hot)
		ws_hot_threads_sweep(c->hot);
	if (measured)
		ws_thp_guard_timed(&c->thp, &c->m);
	t0 = ws_now_ns();
	if (c->ops) {
		ret = c->ops->arm(&c->t, 0, c->m.npages);
	} else if (mprotect(c->m.addr, c->m.len, PROT_NONE)) {
		ret = -errno;
	}
	t1 = ws_now_ns();
	if (ret)
		return ws_case_fail(c->ctx, ret, "%s",
				    c->ops ? c->t.err : "mprotect(PROT_NONE)");
	/* Outside the timed region: the next populate needs access back. */
	if (!c->ops && mprotect(c->m.addr, c->m.len, PROT_READ | PROT_WRITE))
		return ws_case_fail(c->ctx, errno, "mprotect(PROT_READ|PROT_WRITE): %s",
				    strerror(errno));
	if (measured && ws_samples_push(&c->ns, (double)(t1 - t0)))
		return ws_case_fail(c->ctx, ENOMEM, "samples: out of memory");
	return 0;
}

/* The point's result: per call and per page, with how it was reset. */
static int pc_point_result(struct ws_bench_ctx *ctx, struct pc_case *c,
			   const struct ws_tracker_ops *ops,
			   enum ws_backing backing, enum ws_mode mode,
			   size_t reps)
{
	struct ws_samples per_page;
	json_t *j, *metrics;
	double med;

	ws_samples_init(&per_page);
	for (size_t i = 0; i < c->ns.n; i++)
		if (ws_samples_push(&per_page, c->ns.v[i] / (double)c->m.npages)) {
			ws_samples_free(&per_page);
			return ws_case_fail(ctx, ENOMEM, "out of memory");
		}
	j = ops ? ws_case_json(ops, backing, mode) :
		  ws_baseline_case_json("mprotect", backing);
	json_object_set_new(j, "params",
			    json_pack("{s:I,s:I,s:I,s:I}",
				      "size_bytes", (json_int_t)c->m.len,
				      "npages", (json_int_t)c->m.npages,
				      "page_size", (json_int_t)c->m.page_size,
				      "threads", (json_int_t)c->nthreads));
	json_object_set_new(j, "arm_is_ranged",
			    json_boolean(ops ? ops->arm_is_ranged : true));
	if (ops && !ops->arm_is_ranged)
		json_object_set_new(j, "note",
				    json_string("arm() acts on the whole process, not on the range: its cost grows with the process's memory, not with size_bytes"));
	json_object_set_new(j, "hot_threads", c->hot ?
			    ws_hot_threads_json(c->hot) :
			    json_pack("{s:i}", "threads", 0));
	metrics = json_object();
	med = ws_metric_add(ctx, metrics, "ns_per_call", &c->ns, "ns");
	ws_metric_add(ctx, metrics, "ns_per_page", &per_page, "ns");
	json_object_set_new(j, "metrics", metrics);
	json_object_set_new(j, "reps", json_integer(reps));
	json_object_set_new(j, "reset", json_string(ops && ops->disarm ?
						    "range unprotect + read" :
						    "write every page"));
	ws_thp_guard_add(j, &c->thp);
	ws_timer_annotate(ctx, j, &med, 1);
	ws_result_add(ctx->res, j);
	ws_samples_free(&per_page);
	return 0;
}

/*
 * One (size, threads) point.  Returns 0 (measured or recorded as a skip
 * for this size only) or -errno with the message in ctx->skip_reason.
 */
static int pc_point(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		    enum ws_backing backing, enum ws_mode mode, size_t size,
		    unsigned int nthreads)
{
	const char *backend = ops ? ops->name : "mprotect";
	const char *mode_name = ops ? ws_mode_name(mode) : WS_MODE_NONE_NAME;
	struct pc_case c = { .ctx = ctx, .ops = ops, .nthreads = nthreads };
	size_t reps = 0;
	char sz[32];
	int ret;

	ws_samples_init(&c.ns);
	ws_thp_guard_init(&c.thp, backing);
	c.m.fd = -1;
	ret = ws_case_map_size(ctx, &c.m, backend, backing, mode_name, size);
	if (ret == 1) {
		ret = 0;	/* skipped: this size only */
		goto out;
	}
	if (ret)
		goto out;
	if (ops) {
		ret = ws_case_open(ctx, &c.t, ops, &c.m, mode);
		if (ret)
			goto out;
	}
	if (nthreads) {
		ret = ws_hot_threads_start(&c.hot, &c.m, nthreads);
		if (ret) {
			c.hot = NULL;
			ret = ws_case_fail(ctx, ret, "%u hot threads: %s",
					   nthreads, strerror(-ret));
			goto out;
		}
	}
	ret = ws_repeat(ctx->p, pc_once, &c, &reps);
	if (ret) {
		ws_case_say_point(ctx, " (size %s, %u threads)",
				  ws_fmt_size(size, sz, sizeof(sz)), nthreads);
		goto out;
	}
	ret = pc_point_result(ctx, &c, ops, backing, mode, reps);
out:
	if (c.hot)
		ws_hot_threads_stop(c.hot);
	if (c.t.ops)
		ws_tracker_close(&c.t);
	ws_samples_free(&c.ns);
	ws_mem_unmap(&c.m);
	return ret;
}

static int pc_sweep(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		    enum ws_backing backing, enum ws_mode mode)
{
	int ret;

	for (size_t s = 0; s < ctx->p->nsizes; s++)
		for (size_t i = 0; i < ctx->p->nthreads; i++) {
			ctx->skip_reason[0] = '\0';
			ret = pc_point(ctx, ops, backing, mode,
				       ctx->p->sizes[s],
				       (unsigned int)ctx->p->threads[i]);
			if (ret)
				return ret;
		}
	return 0;
}

static int pc_case(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		   enum ws_backing backing, enum ws_mode mode, void *arg)
{
	(void)arg;
	if (ops->sampling) {
		ws_skip_once(ctx->res, ops->name, NULL, NULL,
			     "arm() protects nothing: a kernel thread samples accessed bits continuously, so there is no per-range protection cost (its CPU: scan-throughput, damon-sweep)");
		return 0;
	}
	return pc_sweep(ctx, ops, backing, mode);
}

static int protect_cost_run(struct ws_bench_ctx *ctx)
{
	size_t nbackings = 0;
	struct ws_bench_pin pin;

	for (int b = 0; b < WS_BACKING_NR; b++)
		nbackings += !!(ctx->p->backings & WS_BACKING_BIT(b));
	ws_bench_progress_start(ctx, "protect-cost",
				nbackings + ws_count_cases(ctx->p, false));

	ws_bench_pin_cpu0(ctx, "measuring", &pin);

	for (int b = 0; b < WS_BACKING_NR; b++) {
		int ret;

		if (!(ctx->p->backings & WS_BACKING_BIT(b)))
			continue;
		ws_progress_step(&ctx->prog, "mprotect/%s", ws_backing_name(b));
		ret = pc_sweep(ctx, NULL, b, WS_MODE_ASYNC);
		if (ret)
			ws_record_error(ctx, "mprotect", ws_backing_name(b),
					WS_MODE_NONE_NAME, ret);
	}
	ws_for_each_case(ctx, pc_case, NULL, false);
	ws_progress_done(&ctx->prog);
	ws_bench_unpin(&pin);
	return 0;
}

static void protect_cost_defaults(struct ws_params *p, enum ws_profile profile)
{
	static const size_t quick[] = { 4UL << 10, 2UL << 20, 64UL << 20 };
	static const size_t full[] = { 4UL << 10, 64UL << 10, 2UL << 20,
				       64UL << 20, 1UL << 30 };
	const size_t *sizes = profile == WS_PROFILE_QUICK ? quick : full;
	size_t n = profile == WS_PROFILE_QUICK ? 3 : 5;

	for (p->nsizes = 0; p->nsizes < n; p->nsizes++)
		p->sizes[p->nsizes] = sizes[p->nsizes];
	ws_default_threads(p, profile);
	if (profile == WS_PROFILE_QUICK)
		ws_default_reps(p, 2, 10, 200, 0.1);
	else
		ws_default_reps(p, 2, 20, 2000, 0.5);
}

WS_BENCHMARK(protect_cost,
	.name		= "protect-cost",
	.summary	= "time of one arm() over N populated pages (rwp, wp, idle, softdirty) vs mprotect, with 0..T TLB-hot threads on other CPUs",
	.options	= "--backend --backing --size --threads --warmup --min-reps --max-reps --min-time"
);
