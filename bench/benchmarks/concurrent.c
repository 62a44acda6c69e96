// SPDX-License-Identifier: GPL-2.0
/*
 * correctness "concurrent": accesses that are never reported, with threads
 * touching pages while the tracker collects and re-arms, as the kernel's
 * pagemap_ioctl selftest transact_test does for WP.  A writer and a reader
 * thread hit random pages of the region without pause; the measuring
 * thread runs INTERVALS intervals of collect(rearm=true), then a final
 * collect after the threads stopped.
 *
 * Ground truth is exact up to the collect windows.  A global epoch is even
 * inside an interval and odd while a collect runs (bumped on both edges).
 * Threads touch in batches: epoch before, accesses, full fence, epoch
 * after; a batch is recorded under the odd epoch it overlapped, else under
 * its epoch (one that spans more than one window is left out and counted
 * as ambiguous).  Then:
 *   an access in interval epoch 2(k-1) must be reported by collect k;
 *   an access during collect k's window (epoch 2k-1) by collect k or k+1
 *   (it may land before or after the scan reached its page).
 * Anything else is lost.  For a write-only tracker only writes count.
 * So an access in collect k's window to a page collect k reported hot
 * counts as reported, even when the re-arm then cleared it unseen: this
 * case cannot see what a WS_MISS_HOT policy misses (rearm-race in
 * correctness.c writes such a page on purpose).  A tracker whose re-arm
 * claims to miss at most hot pages (rearm_misses "nothing" or
 * "hot-pages") and whose arm flushes the TLB must lose nothing here (the
 * case is an error otherwise); idle tracking, which clears young bits
 * without a flush, is measured, not judged.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "common.h"
#include "stats.h"
#include "timing.h"

#define INTERVALS	100
#define INTERVAL_NS	200000ULL	/* busy interval between collects */
/* An interval lasts until every thread finished a batch in it, or this. */
#define INTERVAL_MAX_NS	100000000ULL
#define BATCH		16
#define MAX_EXAMPLES	5

struct cc;

struct cc_thread {
	struct cc *cc;
	bool write;
	uint64_t rng;
	pthread_t tid;
	bool started;
	size_t accesses, ambiguous;
	atomic_size_t batches;		/* progress, read by the manager */
	struct ws_pageset *truth;	/* one per epoch */
	struct ws_pageset ambig;	/* pages of batches left out */
};

struct cc {
	struct ws_bench_ctx *ctx;
	struct ws_mem m;
	struct ws_tracker t;
	size_t nepochs;
	_Atomic uint64_t epoch;
	atomic_bool stop;
	struct cc_thread th[2];		/* [0] writes, [1] reads */
	struct ws_pageset *reported;	/* collect k at reported[k], 1-based */
};

/* The epoch a batch seen between @e1 and @e2 belongs to, or -1. */
static long batch_epoch(uint64_t e1, uint64_t e2)
{
	if (e2 - e1 >= 3 || (e2 - e1 == 2 && (e1 & 1)))
		return -1;
	if (e1 & 1)
		return (long)e1;
	return (long)(e2 > e1 ? e1 + 1 : e1);
}

static void *cc_thread_main(void *arg)
{
	struct cc_thread *th = arg;
	struct cc *cc = th->cc;
	size_t pages[BATCH];

	while (!atomic_load_explicit(&cc->stop, memory_order_relaxed)) {
		uint64_t e1 = atomic_load(&cc->epoch), e2;
		long e;

		for (int b = 0; b < BATCH; b++) {
			pages[b] = ws_rand_next(&th->rng) % cc->m.npages;
			ws_touch(cc->m.addr + pages[b] * cc->m.page_size,
				 th->write);
		}
		atomic_thread_fence(memory_order_seq_cst);
		e2 = atomic_load(&cc->epoch);
		th->accesses += BATCH;
		e = batch_epoch(e1, e2);
		if (e < 0 || (size_t)e >= cc->nepochs) {
			th->ambiguous += BATCH;
			for (int b = 0; b < BATCH; b++)
				ws_pageset_set(&th->ambig, pages[b]);
			continue;
		}
		for (int b = 0; b < BATCH; b++)
			ws_pageset_set(&th->truth[e], pages[b]);
		atomic_fetch_add_explicit(&th->batches, 1,
					  memory_order_relaxed);
	}
	return NULL;
}

static int start_threads(struct cc *cc)
{
	for (int i = 0; i < 2; i++) {
		struct cc_thread *th = &cc->th[i];
		int err;

		th->cc = cc;
		th->write = i == 0;
		th->rng = cc->ctx->p->seed * 0x9E3779B97F4A7C15ULL + i + 1;
		err = pthread_create(&th->tid, NULL, cc_thread_main, th);
		if (err)
			return -err;
		th->started = true;
	}
	return 0;
}

static void stop_threads(struct cc *cc)
{
	atomic_store(&cc->stop, true);
	for (int i = 0; i < 2; i++)
		if (cc->th[i].started) {
			pthread_join(cc->th[i].tid, NULL);
			cc->th[i].started = false;
		}
}

static int collect_into(struct cc *cc, size_t k, bool rearm)
{
	int ret = cc->t.ops->collect(&cc->t, &cc->reported[k], rearm);

	if (ret)
		return ws_case_fail(cc->ctx, ret, "collect(rearm=%d): %s",
				    rearm, cc->t.err);
	return 0;
}

/*
 * Let the threads run (at least INTERVAL_NS, and until each completed a
 * batch: a thread starved of CPU or blocked in sync faults must not make
 * "0 lost" vacuous), then collect and re-arm inside an odd epoch.
 */
static int one_interval(struct cc *cc, size_t k)
{
	size_t b0 = atomic_load(&cc->th[0].batches);
	size_t b1 = atomic_load(&cc->th[1].batches);
	uint64_t t0 = ws_now_ns();
	int ret;

	while (ws_now_ns() - t0 < INTERVAL_MAX_NS &&
	       (ws_now_ns() - t0 < INTERVAL_NS ||
		atomic_load(&cc->th[0].batches) == b0 ||
		atomic_load(&cc->th[1].batches) == b1))
		sched_yield();
	atomic_fetch_add(&cc->epoch, 1);	/* window k: odd */
	ret = collect_into(cc, k, true);
	atomic_fetch_add(&cc->epoch, 1);
	return ret;
}

static int run_intervals(struct cc *cc)
{
	int ret = cc->t.ops->arm(&cc->t, 0, cc->m.npages);

	if (ret)
		return ws_case_fail(cc->ctx, ret, "arm: %s", cc->t.err);
	ret = start_threads(cc);
	if (ret) {
		stop_threads(cc);
		return ws_case_fail(cc->ctx, ret, "threads: %s",
				    strerror(-ret));
	}
	for (size_t k = 1; !ret && k <= INTERVALS; k++)
		ret = one_interval(cc, k);
	stop_threads(cc);
	if (ret)
		return ret;
	atomic_fetch_add(&cc->epoch, 1);
	return collect_into(cc, INTERVALS + 1, false);
}


struct cc_tally {
	size_t checked, lost, spurious, reported;
	json_t *examples;
};

static bool visible(const struct cc *cc, int thread)
{
	return thread == 0 || cc->t.ops->sees == WS_SEES_ACCESSES;
}

/* Accesses that no allowed collect reported. */
static void count_lost(struct cc *cc, struct cc_tally *t)
{
	for (size_t e = 0; e < cc->nepochs - 1; e++) {
		size_t k = e % 2 ? (e + 1) / 2 : e / 2 + 1;

		for (int i = 0; i < 2; i++) {
			const struct ws_pageset *truth = &cc->th[i].truth[e];

			if (!visible(cc, i))
				continue;
			for (size_t p = 0; p < cc->m.npages; p++) {
				bool ok;

				if (!ws_pageset_test(truth, p))
					continue;
				t->checked++;
				ok = ws_pageset_test(&cc->reported[k], p) ||
				     (e % 2 && k + 1 <= INTERVALS + 1 &&
				      ws_pageset_test(&cc->reported[k + 1], p));
				if (ok)
					continue;
				if (t->lost++ < MAX_EXAMPLES)
					json_array_append_new(t->examples,
						json_pack("{s:I,s:I,s:I,s:s}",
							  "page", (json_int_t)p,
							  "epoch", (json_int_t)e,
							  "collect", (json_int_t)k,
							  "access", i ? "read" : "write"));
			}
		}
	}
}

/* Touched by a batch whose epoch is unknown: cannot be judged spurious. */
static bool ambiguous(const struct cc *cc, size_t p)
{
	return ws_pageset_test(&cc->th[0].ambig, p) ||
	       ws_pageset_test(&cc->th[1].ambig, p);
}

/* Was page @p touched (visibly) in epoch @e?  Out-of-range epochs: no. */
static bool touched(const struct cc *cc, long e, size_t p)
{
	if (e < 0 || (size_t)e >= cc->nepochs)
		return false;
	for (int i = 0; i < 2; i++)
		if (visible(cc, i) && ws_pageset_test(&cc->th[i].truth[e], p))
			return true;
	return false;
}

/* Reported pages no access can explain (collect k may see epochs 2k-3..2k-1). */
static void count_spurious(struct cc *cc, struct cc_tally *t)
{
	for (size_t k = 1; k <= INTERVALS + 1; k++)
		for (size_t p = 0; p < cc->m.npages; p++) {
			long e = 2 * (long)k - 1;

			if (!ws_pageset_test(&cc->reported[k], p))
				continue;
			t->reported++;
			if (!touched(cc, e, p) && !touched(cc, e - 1, p) &&
			    !touched(cc, e - 2, p) && !ambiguous(cc, p))
				t->spurious++;
		}
}

static json_t *report(struct cc *cc, const struct cc_tally *t,
		      enum ws_rearm_miss misses, const char *method)
{
	struct ws_accuracy acc = {
		.truth = t->checked, .reported = t->reported,
		.true_pos = t->checked - t->lost, .false_pos = t->spurious,
		.false_neg = t->lost,
	};
	json_t *j = ws_case_json(cc->t.ops, cc->m.backing, cc->t.mode);

	acc.precision = acc.reported ?
			(double)(acc.reported - acc.false_pos) / acc.reported : 1;
	acc.recall = acc.truth ? (double)acc.true_pos / acc.truth : 1;
	json_object_set_new(j, "pattern", json_string("concurrent"));
	json_object_set_new(j, "phase", json_string("concurrent"));
	json_object_set_new(j, "access", json_string(
		cc->t.ops->sees == WS_SEES_ACCESSES ? "read+write" : "write"));
	json_object_set_new(j, "expected_visible", json_true());
	json_object_set_new(j, "rearm", json_string(method));
	json_object_set_new(j, "rearm_lossless",
			    json_boolean(misses == WS_MISS_NOTHING));
	json_object_set_new(j, "rearm_misses",
			    json_string(ws_rearm_miss_name(misses)));
	json_object_set_new(j, "params",
		json_pack("{s:I,s:I,s:I,s:I,s:I}",
			  "size_bytes", (json_int_t)cc->m.len,
			  "npages", (json_int_t)cc->m.npages,
			  "intervals", (json_int_t)INTERVALS,
			  "interval_ns", (json_int_t)INTERVAL_NS,
			  "threads", (json_int_t)2));
	json_object_set_new(j, "accesses",
		json_pack("{s:I,s:I,s:I}",
			  "writes", (json_int_t)cc->th[0].accesses,
			  "reads", (json_int_t)cc->th[1].accesses,
			  "ambiguous", (json_int_t)(cc->th[0].ambiguous +
						    cc->th[1].ambiguous)));
	json_object_set_new(j, "lost", json_integer(t->lost));
	json_object_set_new(j, "lost_examples", t->examples);
	json_object_set_new(j, "accuracy", ws_accuracy_json(&acc));
	ws_case_tracker_info(j, &cc->t);
	return j;
}

static int cc_alloc(struct cc *cc)
{
	cc->nepochs = 2 * INTERVALS + 2;
	cc->reported = calloc(INTERVALS + 2, sizeof(*cc->reported));
	if (!cc->reported)
		return -ENOMEM;
	for (size_t k = 0; k < INTERVALS + 2; k++)
		if (ws_pageset_init(&cc->reported[k], cc->m.npages))
			return -ENOMEM;
	for (int i = 0; i < 2; i++) {
		cc->th[i].truth = calloc(cc->nepochs, sizeof(struct ws_pageset));
		if (!cc->th[i].truth ||
		    ws_pageset_init(&cc->th[i].ambig, cc->m.npages))
			return -ENOMEM;
		for (size_t e = 0; e < cc->nepochs; e++)
			if (ws_pageset_init(&cc->th[i].truth[e], cc->m.npages))
				return -ENOMEM;
	}
	return 0;
}

/* Fresh state for one policy on the same region and tracker. */
static void cc_reset(struct cc *cc)
{
	atomic_store(&cc->epoch, 0);
	atomic_store(&cc->stop, false);
	for (size_t k = 0; k < INTERVALS + 2; k++)
		ws_pageset_clear(&cc->reported[k]);
	for (int i = 0; i < 2; i++) {
		cc->th[i].accesses = cc->th[i].ambiguous = 0;
		atomic_store(&cc->th[i].batches, 0);
		ws_pageset_clear(&cc->th[i].ambig);
		for (size_t e = 0; e < cc->nepochs; e++)
			ws_pageset_clear(&cc->th[i].truth[e]);
	}
}

static void cc_free(struct cc *cc)
{
	for (size_t k = 0; cc->reported && k < INTERVALS + 2; k++)
		ws_pageset_free(&cc->reported[k]);
	free(cc->reported);
	for (int i = 0; i < 2; i++) {
		for (size_t e = 0; cc->th[i].truth && e < cc->nepochs; e++)
			ws_pageset_free(&cc->th[i].truth[e]);
		free(cc->th[i].truth);
		ws_pageset_free(&cc->th[i].ambig);
	}
	if (cc->t.ops)
		ws_tracker_close(&cc->t);
	ws_mem_unmap(&cc->m);
}

static int cc_policy(struct cc *cc)
{
	struct cc_tally t = { .examples = json_array() };
	enum ws_rearm_miss misses;
	const char *method = ws_tracker_rearm_method(cc->t.ops, &cc->t, &misses);
	int ret;

	cc_reset(cc);
	ret = run_intervals(cc);
	if (ret) {
		json_decref(t.examples);
		return ret;
	}
	count_lost(cc, &t);
	count_spurious(cc, &t);
	ws_result_add(cc->ctx->res, report(cc, &t, misses, method));
	if (t.lost && misses != WS_MISS_ANY && !cc->t.ops->arm_leaves_tlb)
		return ws_case_fail(cc->ctx, EIO,
				    "concurrent: re-arm \"%s\" claims to miss %s but %zu of %zu accesses were never reported",
				    method, misses == WS_MISS_NOTHING ? "nothing" :
				    "only hot pages' accesses after the scan",
				    t.lost, t.checked);
	return 0;
}

int ws_concurrent_case(struct ws_bench_ctx *ctx,
		       const struct ws_tracker_ops *ops,
		       enum ws_backing backing, enum ws_mode mode, void *arg)
{
	size_t npages, len = ws_case_len(backing, ctx->p->pages, &npages);
	struct cc cc = { .ctx = ctx, .m.fd = -1 };
	struct ws_rearm_walk walk = { 0 };
	int ret;

	(void)arg;
	ret = ws_case_map(ctx, &cc.m, backing, len);
	if (ret)
		goto out;
	ws_mem_populate(&cc.m);
	ret = cc_alloc(&cc) ? ws_case_fail(ctx, ENOMEM, "out of memory") :
	      ws_case_open(ctx, &cc.t, ops, &cc.m, mode);
	while (!ret && ws_next_rearm(ctx->p, &cc.t, &walk))
		ret = cc_policy(&cc);
out:
	cc_free(&cc);
	return ret;
}
