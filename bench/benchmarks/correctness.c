// SPDX-License-Identifier: GPL-2.0
/*
 * correctness: does each backend report exactly the pages a deterministic
 * pattern touched?  Every pattern runs with writes and with reads only;
 * for write-only trackers (wp, soft-dirty) the read patterns measure how
 * many read-hot pages they call cold (reviewer question 3) and carry
 * "expected_visible": false.  A second phase checks collect(rearm=true):
 * after it, only the pages touched in the next interval may be reported.
 * A "set-mode-roundtrip" case switches async -> sync -> async mid-interval
 * and checks both the reported sets and the memory content.
 *
 * Each pattern runs under three TLB conditions.  "as-is": the pattern's
 * accesses come microseconds after the arm and may hit TLB entries cached
 * from before it -- the TLB-resident worst case for a mechanism that arms
 * without a flush.  "turnover": between the arm and the pattern the
 * harness reads one byte of every page of a buffer far larger than any
 * STLB (TURNOVER_BYTES), as other work in a real interval would, so the
 * region's entries are likely evicted.  "flushed": the range's TLB entries
 * are flushed after every arm (mprotect read-only and back: no accessed
 * bit, idle flag or uffd state changes).  Mechanisms whose arm flushes
 * the TLB (uffd, clear_refs) give the same answer all three ways; idle
 * page tracking clears young bits without a flush (brief §5), and its
 * three rows measure that hazard from worst case to none.  (Under QEMU
 * TCG the soft TLB is not a hardware TLB: "turnover" means little there.)
 *
 * On anon-thp every case also carries its accuracy at 2 MiB granularity
 * and "tracked_at": the granularity the backend reported at (a tracker
 * that reports whole PMDs for one touched page tracks at 2 MiB; that is
 * a property of the mechanism, not an error).
 *
 * "rearm-race" is the losslessness check of collect(rearm=true): two
 * pages are written between the tracker's scan and its re-arm
 * (t->mid_collect), one that was cold at the scan and one the scan had
 * just reported hot.  The re-arm method says which it can miss
 * (rearm_misses, tracker.h): "nothing" must report both in the next
 * interval, "hot-pages" the cold one, else the case is an error; what
 * each policy missed is recorded either way.  "concurrent"
 * (concurrent.c) checks the cold pages' side under load.
 *
 * Sampling mechanisms (DAMON) are not expected to be exact: their cases
 * carry "sampling": true and the backend's own account of the interval
 * ("backend_info"); their precision and recall are the measurement.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"
#include "common.h"

struct pattern {
	const char *name;
	bool (*hot)(size_t i, size_t n);
};

static bool every_3rd(size_t i, size_t n)
{
	(void)n;
	return i % 3 == 0;
}

/* Disjoint from every-3rd: a page of A reported after re-arm is an error. */
static bool every_3rd_plus_1(size_t i, size_t n)
{
	(void)n;
	return i % 3 == 1;
}

static bool first_half(size_t i, size_t n)
{
	return i < n / 2;
}

static bool none(size_t i, size_t n)
{
	(void)i;
	(void)n;
	return false;
}

static bool all(size_t i, size_t n)
{
	(void)i;
	(void)n;
	return true;
}

static const struct pattern patterns[] = {
	{ "every-3rd",	every_3rd },
	{ "first-half",	first_half },
	{ "none",	none },
	{ "all",	all },
};

static const struct pattern pattern_b = { "every-3rd+1", every_3rd_plus_1 };

enum tlb_cond { TLB_AS_IS, TLB_TURNOVER, TLB_FLUSHED, TLB_NR };

static const char *const tlb_names[TLB_NR] = {
	[TLB_AS_IS] = "as-is",
	[TLB_TURNOVER] = "turnover",
	[TLB_FLUSHED] = "flushed",
};

/* Larger than any STLB (1.5-3k entries of 4 KiB) many times over. */
#define TURNOVER_BYTES	(128UL << 20)

struct corr_case {
	struct ws_bench_ctx *ctx;
	const struct ws_tracker_ops *ops;
	enum ws_backing backing;
	enum ws_mode mode;
	struct ws_mem m;
	struct ws_tracker t;
	struct ws_pageset truth;
	struct ws_pageset seen;
	enum tlb_cond tlb;
};

/*
 * TLB_TURNOVER's buffer: one per process, mapped and populated on first
 * use (populating 128 MiB per case would dominate the benchmark under
 * emulation), unmapped at exit.
 */
static struct ws_mem turnover = { .fd = -1 };

static void unmap_turnover(void)
{
	ws_mem_unmap(&turnover);
}

/* Read one byte of every page of the turnover buffer (mapped on demand). */
static int turn_over(struct corr_case *c)
{
	volatile char *p;
	size_t len = TURNOVER_BYTES;
	int ret;

	if (!turnover.addr) {
		if (ws_mem_available() && len > ws_mem_available() / 4)
			len = ws_mem_available() / 4 & ~(ws_page_size() - 1);
		ret = ws_case_map(c->ctx, &turnover, WS_BACKING_ANON, len);
		if (ret)
			return ret > 0 ? -ENOMEM : ret;
		ws_mem_populate(&turnover);
		atexit(unmap_turnover);
	}
	p = (volatile char *)turnover.addr;
	for (size_t off = 0; off < turnover.len; off += ws_page_size())
		(void)p[off];
	return 0;
}

/* After an arm: make the TLB condition of the case hold. */
static int tlb_after_arm(struct corr_case *c)
{
	if (c->tlb == TLB_TURNOVER)
		return turn_over(c);
	if (c->tlb != TLB_FLUSHED)
		return 0;
	/* Flush this range's TLB entries on every CPU, changing nothing else. */
	if (mprotect(c->m.addr, c->m.len, PROT_READ) ||
	    mprotect(c->m.addr, c->m.len, PROT_READ | PROT_WRITE))
		return ws_case_fail(c->ctx, errno, "mprotect (TLB flush)");
	return 0;
}

static char *page_addr(struct corr_case *c, size_t i)
{
	return c->m.addr + i * c->m.page_size;
}

static void touch_pattern(struct corr_case *c, const struct pattern *pat,
			  bool write)
{
	ws_pageset_clear(&c->truth);
	for (size_t i = 0; i < c->m.npages; i++)
		if (pat->hot(i, c->m.npages)) {
			ws_touch(page_addr(c, i), write);
			ws_pageset_set(&c->truth, i);
		}
}

static int arm_all(struct corr_case *c)
{
	int ret = c->ops->arm(&c->t, 0, c->m.npages);

	if (ret)
		return ws_case_fail(c->ctx, ret, "arm: %s", c->t.err);
	return tlb_after_arm(c);
}

static int collect_compare(struct corr_case *c, bool rearm,
			   struct ws_accuracy *acc)
{
	int ret;

	ws_pageset_clear(&c->seen);
	ret = c->ops->collect(&c->t, &c->seen, rearm);
	if (ret)
		return ws_case_fail(c->ctx, ret, "collect(rearm=%d): %s",
				    rearm, c->t.err);
	ws_pageset_compare(&c->truth, &c->seen, acc);
	return rearm ? tlb_after_arm(c) : 0;
}

/* One tracking interval after an arm: touch @pat (the truth), collect. */
static int interval(struct corr_case *c, const struct pattern *pat,
		    bool write, bool rearm, struct ws_accuracy *acc)
{
	touch_pattern(c, pat, write);
	return collect_compare(c, rearm, acc);
}

static json_t *case_json(struct corr_case *c, const char *pattern,
			 bool write, const char *phase, bool visible)
{
	json_t *j = ws_case_json(c->ops, c->backing, c->mode);

	json_object_set_new(j, "pattern", json_string(pattern));
	json_object_set_new(j, "access", json_string(write ? "write" : "read"));
	json_object_set_new(j, "phase", json_string(phase));
	json_object_set_new(j, "expected_visible", json_boolean(visible));
	json_object_set_new(j, "tlb", json_string(tlb_names[c->tlb]));
	json_object_set_new(j, "params",
			    json_pack("{s:I,s:I,s:I,s:b}",
				      "size_bytes", (json_int_t)c->m.len,
				      "npages", (json_int_t)c->m.npages,
				      "page_size", (json_int_t)c->m.page_size,
				      "hugetlb_capped",
				      c->backing == WS_BACKING_HUGETLB &&
				      c->m.npages < c->ctx->p->pages));
	return j;
}

/*
 * On anon-thp: accuracy per 2 MiB and the granularity reported at.  On an
 * inexact case: which pages were wrong, and the tracker's event counts
 * (idle: pages whose PFN moved since the arm), so a reviewer can see why.
 */
static void add_granularity(struct corr_case *c, json_t *j)
{
	json_t *counts = ws_tracker_counts_json(&c->t);

	if (!ws_pageset_equal(&c->truth, &c->seen))
		json_object_set_new(j, "mismatch",
				    ws_mismatch_json(&c->truth, &c->seen, 8));
	if (counts)
		json_object_set_new(j, "tracker_counts", counts);
	if (c->backing != WS_BACKING_ANON_THP)
		return;
	json_object_set_new(j, "granularity",
			    ws_granularity_json(&c->truth, &c->seen,
						WS_THP_SIZE / c->m.page_size,
						"2M"));
}

/* One interval: arm, touch, collect(rearm=false). */
static int run_single(struct corr_case *c, const struct pattern *pat,
		      bool write, const char *name, bool visible)
{
	uint64_t faults = c->t.sync_faults;
	struct ws_accuracy acc;
	json_t *j;
	int ret;

	ret = arm_all(c);
	if (!ret)
		ret = interval(c, pat, write, false, &acc);
	if (ret)
		return ret;
	j = case_json(c, name, write, "single", visible);
	json_object_set_new(j, "accuracy", ws_accuracy_json(&acc));
	add_granularity(c, j);
	ws_case_tracker_info(j, &c->t);
	json_object_set_new(j, "sync_faults",
			    json_integer(c->t.sync_faults - faults));
	ws_result_add(c->ctx->res, j);
	return 0;
}

/*
 * arm, touch A, collect(rearm=true) -> A; touch B, collect(rearm=false)
 * -> B only.  "accuracy" is the second interval's: the re-arm check.
 */
static int run_rearm(struct corr_case *c, const struct pattern *pat,
		     bool write, const char *name, bool visible)
{
	uint64_t faults = c->t.sync_faults;
	struct ws_accuracy acc_a, acc_b;
	json_t *j;
	int ret;

	ret = arm_all(c);
	if (!ret)
		ret = interval(c, pat, write, true, &acc_a);
	if (!ret)
		ret = interval(c, &pattern_b, write, false, &acc_b);
	if (ret)
		return ret;
	j = case_json(c, name, write, "rearm", visible);
	json_object_set_new(j, "pattern_b", json_string(pattern_b.name));
	json_object_set_new(j, "accuracy", ws_accuracy_json(&acc_b));
	add_granularity(c, j);
	json_object_set_new(j, "accuracy_first", ws_accuracy_json(&acc_a));
	ws_case_tracker_info(j, &c->t);
	json_object_set_new(j, "sync_faults",
			    json_integer(c->t.sync_faults - faults));
	ws_result_add(c->ctx->res, j);
	return 0;
}

static int case_setup(struct corr_case *c, struct ws_bench_ctx *ctx,
		      const struct ws_tracker_ops *ops,
		      enum ws_backing backing, enum ws_mode mode, size_t want)
{
	size_t npages, len = ws_case_len(backing, want, &npages);

	memset(c, 0, sizeof(*c));
	c->ctx = ctx;
	c->ops = ops;
	c->backing = backing;
	c->mode = mode;
	c->m.fd = -1;
	if (!npages)
		return ws_case_skip(ctx, "--pages 0: nothing to check");
	return ws_case_map_sets(ctx, &c->m, backing, len, &c->truth,
				&c->seen);
}

static void case_teardown(struct corr_case *c)
{
	if (c->t.ops)
		ws_tracker_close(&c->t);
	ws_pageset_free(&c->truth);
	ws_pageset_free(&c->seen);
	ws_mem_unmap(&c->m);
}

static int patterns_case(struct ws_bench_ctx *ctx,
			 const struct ws_tracker_ops *ops,
			 enum ws_backing backing, enum ws_mode mode, void *arg)
{
	struct corr_case c;
	char name[64];
	int ret;

	(void)arg;
	ret = case_setup(&c, ctx, ops, backing, mode, ctx->p->pages);
	if (ret)
		goto out;
	ws_mem_populate(&c.m);
	ret = ws_case_open(ctx, &c.t, ops, &c.m, mode);
	if (ret)
		goto out;
	for (int tlb = 0; tlb < TLB_NR; tlb++) {
		c.tlb = tlb;
		for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]);
		     i++) {
			for (int write = 1; write >= 0; write--) {
				bool visible = write ||
					       ops->sees == WS_SEES_ACCESSES;

				snprintf(name, sizeof(name), "%s%s",
					 patterns[i].name, write ? "" : "-read");
				ret = run_single(&c, &patterns[i], write, name,
						 visible);
				if (!ret)
					ret = run_rearm(&c, &patterns[i], write,
							name, visible);
				if (ret)
					goto out;
			}
		}
	}
out:
	case_teardown(&c);
	return ret;
}

/* Per-page content of the round trip: two words a torn page cannot fake. */
static uint64_t content_of(size_t i)
{
	return (i + 1) * 0x9E3779B97F4A7C15ULL;
}

static volatile uint64_t *word(struct corr_case *c, size_t i, bool last)
{
	return (volatile uint64_t *)(page_addr(c, i) +
				     (last ? c->m.page_size - 8 : 0));
}

static void fill_content(struct corr_case *c)
{
	for (size_t i = 0; i < c->m.npages; i++) {
		*word(c, i, false) = content_of(i);
		*word(c, i, true) = ~content_of(i);
	}
}

static size_t check_page(struct corr_case *c, size_t i)
{
	return (*word(c, i, false) != content_of(i)) +
	       (*word(c, i, true) != ~content_of(i));
}

/*
 * Touch quarter @which: check each page, then write the same value back
 * (a real write).  A quarter is every fourth protection granule.  On
 * anon-thp the granule is a whole 2 MiB PMD, because async resolution
 * unprotects the whole PMD (brief §1.6): with page-interleaved quarters
 * the first phase would unprotect the pages of all later phases.
 */
static size_t touch_quarter(struct corr_case *c, size_t which, size_t granule)
{
	size_t bad = 0;

	for (size_t i = 0; i < c->m.npages; i++) {
		if ((i / granule) % 4 != which)
			continue;
		bad += check_page(c, i);
		*word(c, i, false) = content_of(i);
		ws_pageset_set(&c->truth, i);
	}
	return bad;
}

static size_t verify_all(struct corr_case *c)
{
	size_t bad = 0;

	for (size_t i = 0; i < c->m.npages; i++)
		bad += check_page(c, i);
	return bad;
}

static int set_mode(struct corr_case *c, enum ws_mode mode)
{
	int ret = c->ops->set_mode(&c->t, mode);

	if (ret)
		return ws_case_fail(c->ctx, ret, "set_mode(%s): %s",
				    ws_mode_name(mode), c->t.err);
	return 0;
}

/* What each phase of the set-mode round trip saw. */
struct roundtrip {
	size_t granule;			/* pages per protection granule */
	struct ws_accuracy acc[3];
	size_t bad[3];			/* words that differ from the truth */
	uint64_t touch_faults[3];	/* handler faults in the quarter's touch */
	uint64_t faults[3];		/* ... in the whole phase */
};

static const char *const roundtrip_phases[3] = { "async", "sync",
						 "async-again" };
static const char *const roundtrip_touched[3] = { "q0", "q0+q1", "q2" };

/*
 * Phase @i: touch quarter @i (the truth starts again unless @keep_truth),
 * collect, and read every page back unless @i is 0 (the first phase: the
 * rest is still protected, and async would unprotect it).
 */
static int roundtrip_phase(struct corr_case *c, struct roundtrip *rt, int i,
			   bool keep_truth)
{
	uint64_t f0 = c->t.sync_faults;
	int ret;

	if (!keep_truth)
		ws_pageset_clear(&c->truth);
	rt->bad[i] = touch_quarter(c, i, rt->granule);
	rt->touch_faults[i] = c->t.sync_faults - f0;
	ret = collect_compare(c, false, &rt->acc[i]);
	if (!ret && i)
		rt->bad[i] += verify_all(c);
	rt->faults[i] = c->t.sync_faults - f0;
	return ret;
}

/*
 * async: arm, touch quarter 0 -> {q0}; SET_MODE(sync): touch quarter 1,
 * whose pages are still protected, so every access must go through the
 * handler -> {q0, q1}; then read everything (the rest faults through the
 * handler too); SET_MODE(async), re-arm, touch quarter 2 -> {q2}, and
 * nothing may fault synchronously any more.
 */
static int roundtrip_run(struct ws_bench_ctx *ctx, struct corr_case *c,
			 struct roundtrip *rt)
{
	int ret = arm_all(c);

	if (!ret)
		ret = roundtrip_phase(c, rt, 0, false);
	if (ret)
		return ret;
	ret = c->ops->set_mode(&c->t, WS_MODE_SYNC);
	if (ret == -EOPNOTSUPP)
		return ws_case_skip(ctx, "set-mode-roundtrip: %s", c->t.err);
	if (ret)
		return ws_case_fail(ctx, ret, "set_mode(sync): %s", c->t.err);
	ret = roundtrip_phase(c, rt, 1, true);
	if (!ret)
		ret = set_mode(c, WS_MODE_ASYNC);
	if (!ret)
		ret = arm_all(c);
	if (!ret)
		ret = roundtrip_phase(c, rt, 2, false);
	return ret;
}

/* The case's JSON, and its failure if content or faults went wrong. */
static int roundtrip_report(struct ws_bench_ctx *ctx, struct corr_case *c,
			    const struct roundtrip *rt)
{
	struct ws_accuracy total = { 0 };
	size_t nbad = rt->bad[0] + rt->bad[1] + rt->bad[2];
	json_t *j, *phases = json_array();

	for (int i = 0; i < 3; i++) {
		json_array_append_new(phases, json_pack(
			"{s:s,s:s,s:o,s:I,s:I,s:I}",
			"phase", roundtrip_phases[i],
			"touched", roundtrip_touched[i],
			"accuracy", ws_accuracy_json(&rt->acc[i]),
			"sync_faults", (json_int_t)rt->faults[i],
			"touch_sync_faults", (json_int_t)rt->touch_faults[i],
			"bad_words", (json_int_t)rt->bad[i]));
		ws_accuracy_add(&total, &rt->acc[i]);
	}
	j = case_json(c, "set-mode-roundtrip", true, "roundtrip", true);
	json_object_set_new(j, "phases", phases);
	json_object_set_new(j, "accuracy", ws_accuracy_json(&total));
	json_object_set_new(j, "content_ok", json_boolean(!nbad));
	json_object_set_new(j, "quarter_granule_pages",
			    json_integer(rt->granule));
	json_object_set_new(j, "sync_faults", json_integer(rt->touch_faults[1]));
	ws_result_add(ctx->res, j);

	if (nbad)
		return ws_case_fail(ctx, EIO,
				    "set-mode-roundtrip: %zu words differ from what was written (async %zu, sync %zu, async-again %zu)",
				    nbad, rt->bad[0], rt->bad[1], rt->bad[2]);
	if (!rt->touch_faults[1] && c->m.npages > 1)
		return ws_case_fail(ctx, EIO,
				    "set-mode-roundtrip: after set_mode(sync) no access to a protected page reached the handler");
	if (rt->faults[0] || rt->faults[2])
		return ws_case_fail(ctx, EIO,
				    "set-mode-roundtrip: %llu faults went to the handler in async mode (first phase %llu, after set_mode(async) %llu)",
				    (unsigned long long)(rt->faults[0] + rt->faults[2]),
				    (unsigned long long)rt->faults[0],
				    (unsigned long long)rt->faults[2]);
	return 0;
}

static int roundtrip_case(struct ws_bench_ctx *ctx,
			  const struct ws_tracker_ops *ops,
			  enum ws_backing backing, enum ws_mode mode,
			  void *arg)
{
	struct roundtrip rt = { .granule = 1 };
	struct corr_case c;
	int ret;

	(void)arg;
	if (!(ops->modes & WS_MODE_BIT(WS_MODE_SYNC)) || !ops->set_mode)
		return ws_case_skip(ctx, "set-mode-roundtrip: %s has no sync mode",
				    ops->name);
	if (backing == WS_BACKING_ANON_THP)
		rt.granule = WS_THP_SIZE / ws_page_size();
	/* At least one granule per quarter. */
	ret = case_setup(&c, ctx, ops, backing, mode,
			 ctx->p->pages > 4 * rt.granule ? ctx->p->pages :
							  4 * rt.granule);
	if (!ret) {
		fill_content(&c);
		ret = ws_case_open(ctx, &c.t, ops, &c.m, WS_MODE_ASYNC);
	}
	if (!ret)
		ret = roundtrip_run(ctx, &c, &rt);
	if (!ret)
		ret = roundtrip_report(ctx, &c, &rt);
	case_teardown(&c);
	return ret;
}

/* ---- rearm-race: accesses between the scan and the re-arm ---- */

struct race_ctx {
	struct corr_case *c;
	size_t cold, hot;	/* cold and hot at the scan */
};

static void race_touch(void *arg)
{
	struct race_ctx *r = arg;

	ws_touch(page_addr(r->c, r->cold), true);
	ws_touch(page_addr(r->c, r->hot), true);
}

/* The race's verdict against what the re-arm method claims, or 0. */
static int race_verdict(struct corr_case *c, const char *method,
			enum ws_rearm_miss misses, const struct race_ctx *r,
			bool cold_seen, bool hot_seen)
{
	if (misses != WS_MISS_ANY && !cold_seen)
		return ws_case_fail(c->ctx, EIO,
				    "rearm-race: re-arm \"%s\" claims to miss %s but lost a write to page %zu, cold at the scan, made before its re-arm",
				    method, ws_rearm_miss_name(misses), r->cold);
	if (misses == WS_MISS_NOTHING && !hot_seen)
		return ws_case_fail(c->ctx, EIO,
				    "rearm-race: re-arm \"%s\" claims to miss nothing but lost a write to page %zu, hot at the scan, made before its re-arm",
				    method, r->hot);
	return 0;
}

static json_t *race_json(struct corr_case *c, const char *method,
			 enum ws_rearm_miss misses, const struct race_ctx *r,
			 const struct ws_accuracy *first,
			 const struct ws_accuracy *second)
{
	json_t *j = case_json(c, "rearm-race", true, "rearm", true);

	json_object_set_new(j, "rearm", json_string(method));
	json_object_set_new(j, "rearm_lossless",
			    json_boolean(misses == WS_MISS_NOTHING));
	json_object_set_new(j, "rearm_misses",
			    json_string(ws_rearm_miss_name(misses)));
	json_object_set_new(j, "race_page", json_integer((json_int_t)r->cold));
	json_object_set_new(j, "race_page_reported",
			    json_boolean(ws_pageset_test(&c->seen, r->cold)));
	json_object_set_new(j, "race_hot_page",
			    json_integer((json_int_t)r->hot));
	json_object_set_new(j, "race_hot_page_reported",
			    json_boolean(ws_pageset_test(&c->seen, r->hot)));
	json_object_set_new(j, "accuracy", ws_accuracy_json(second));
	json_object_set_new(j, "accuracy_first", ws_accuracy_json(first));
	ws_case_tracker_info(j, &c->t);
	return j;
}

/*
 * arm; write the first page of the first and of the last granule;
 * collect(rearm=true) with, between its scan and its re-arm, a write to
 * the middle granule (cold at the scan) and one to the first page again
 * (hot at the scan); collect(rearm=false): each is reported iff its
 * access survived the re-arm.  The TLB is flushed after arming, so the
 * question is the re-arm's alone.
 */
static int race_once(struct corr_case *c, json_t **out)
{
	size_t g = c->backing == WS_BACKING_ANON_THP ?
		   WS_THP_SIZE / c->m.page_size : 1;
	size_t last = (c->m.npages / g - 1) * g;
	struct race_ctx r = { .c = c, .cold = c->m.npages / g / 2 * g,
			      .hot = 0 };
	struct ws_accuracy first, second;
	enum ws_rearm_miss misses;
	const char *method = ws_tracker_rearm_method(c->ops, &c->t, &misses);
	int ret;

	c->tlb = TLB_FLUSHED;
	ret = arm_all(c);
	if (ret)
		return ret;
	ws_pageset_clear(&c->truth);
	ws_touch(page_addr(c, r.hot), true);
	ws_touch(page_addr(c, last), true);
	ws_pageset_set(&c->truth, r.hot);
	ws_pageset_set(&c->truth, last);
	c->t.mid_collect = race_touch;
	c->t.mid_collect_arg = &r;
	ret = collect_compare(c, true, &first);
	c->t.mid_collect = NULL;
	if (ret)
		return ret;
	ws_pageset_clear(&c->truth);
	ws_pageset_set(&c->truth, r.cold);
	ws_pageset_set(&c->truth, r.hot);
	ret = collect_compare(c, false, &second);
	if (ret)
		return ret;
	*out = race_json(c, method, misses, &r, &first, &second);
	return race_verdict(c, method, misses, &r,
			    ws_pageset_test(&c->seen, r.cold),
			    ws_pageset_test(&c->seen, r.hot));
}

static int race_case(struct ws_bench_ctx *ctx, const struct ws_tracker_ops *ops,
		     enum ws_backing backing, enum ws_mode mode, void *arg)
{
	size_t g = backing == WS_BACKING_ANON_THP ?
		   WS_THP_SIZE / ws_page_size() : 1;
	struct ws_rearm_walk walk = { 0 };
	struct corr_case c;
	int ret;

	(void)arg;
	ret = case_setup(&c, ctx, ops, backing, mode,
			 ctx->p->pages > 3 * g ? ctx->p->pages : 3 * g);
	if (!ret) {
		ws_mem_populate(&c.m);
		ret = ws_case_open(ctx, &c.t, ops, &c.m, mode);
	}
	while (!ret && ws_next_rearm(ctx->p, &c.t, &walk)) {
		json_t *j = NULL;

		ret = race_once(&c, &j);
		if (j)
			ws_result_add(ctx->res, j);
	}
	case_teardown(&c);
	return ret;
}

static int correctness_run(struct ws_bench_ctx *ctx)
{
	ws_bench_progress_start(ctx, "correctness",
				3 * ws_count_cases(ctx->p, true) +
				ws_count_cases(ctx->p, false));
	ws_for_each_case(ctx, patterns_case, NULL, true);
	/* Same labels as the first pass otherwise. */
	ctx->prog.what = "correctness rearm-race";
	ws_for_each_case(ctx, race_case, NULL, true);
	ctx->prog.what = "correctness concurrent";
	ws_for_each_case(ctx, ws_concurrent_case, NULL, true);
	ctx->prog.what = "correctness set-mode-roundtrip";
	ws_for_each_case(ctx, roundtrip_case, NULL, false);
	ctx->prog.what = "correctness";
	ws_progress_done(&ctx->prog);
	return 0;
}

static void correctness_defaults(struct ws_params *p, enum ws_profile profile)
{
	(void)profile;	/* exact checks: the same pages in every profile */
	p->pages = 1000;
	/* Both re-arm policies: the race and concurrent cases tell them apart. */
	p->rearms = (1u << WS_REARM_NR) - 1;
	ws_default_reps(p, 0, 1, 1,
			0);
}

WS_BENCHMARK(correctness,
	.name		= "correctness",
	.summary	= "reported vs touched pages: fixed patterns (writes, reads, re-arm; TLB as-is, turned over, flushed), accesses racing the re-arm, concurrent writers/readers, set-mode round trip",
	.options	= "--backend --backing --mode --pages --rearm"
);
