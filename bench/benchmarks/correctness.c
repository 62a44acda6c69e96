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
 * Each pattern runs twice: "tlb": "as-is", where the accesses may hit TLB
 * entries cached from before the arm, as in real use; and "tlb":
 * "flushed", where the harness flushes the range's TLB entries after every
 * arm (mprotect read-only and back: no accessed bit, idle flag or uffd
 * state changes).  Mechanisms whose arm flushes the TLB (uffd, clear_refs)
 * must give the same answer both ways; idle page tracking clears young
 * bits without a flush (brief §5), and the difference between the two
 * measures exactly that hazard.
 *
 * Sampling mechanisms (DAMON) are not expected to be exact: their cases
 * carry "sampling": true and the backend's own account of the interval
 * ("backend_info"); their precision and recall are the measurement.
 */
#include <errno.h>
#include <stdio.h>
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

struct corr_case {
	struct ws_bench_ctx *ctx;
	const struct ws_tracker_ops *ops;
	enum ws_backing backing;
	enum ws_mode mode;
	struct ws_mem m;
	struct ws_tracker t;
	struct ws_pageset truth;
	struct ws_pageset seen;
	bool flush_tlb;		/* "tlb": "flushed" */
};

/* Flush this range's TLB entries on every CPU, changing nothing else. */
static int flush_tlb(struct corr_case *c)
{
	if (!c->flush_tlb)
		return 0;
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
	return flush_tlb(c);
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
	return rearm ? flush_tlb(c) : 0;
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
	json_object_set_new(j, "tlb", json_string(c->flush_tlb ? "flushed" :
						   "as-is"));
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
	int ret;

	memset(c, 0, sizeof(*c));
	c->ctx = ctx;
	c->ops = ops;
	c->backing = backing;
	c->mode = mode;
	c->m.fd = -1;
	if (!npages)
		return ws_case_skip(ctx, "--pages 0: nothing to check");
	ret = ws_case_map(ctx, &c->m, backing, len);
	if (ret)
		return ret;
	if (ws_pageset_init(&c->truth, c->m.npages) ||
	    ws_pageset_init(&c->seen, c->m.npages))
		return ws_case_fail(ctx, ENOMEM, "pageset of %zu pages",
				    c->m.npages);
	return 0;
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
	for (int flush = 0; flush <= 1; flush++) {
		c.flush_tlb = flush;
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

/* Touch: check the page, then write the same value back (a real write). */
/*
 * Quarter @which: every fourth protection granule.  On anon-thp the
 * granule is a whole 2 MiB PMD, because async resolution unprotects the
 * whole PMD (brief §1.6): with page-interleaved quarters the first phase
 * would unprotect the pages of all later phases.
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

static json_t *phase_json(const char *phase, const char *touched,
			  const struct ws_accuracy *acc, uint64_t faults,
			  size_t bad)
{
	return json_pack("{s:s,s:s,s:o,s:I,s:I}", "phase", phase,
			 "touched", touched, "accuracy", ws_accuracy_json(acc),
			 "sync_faults", (json_int_t)faults,
			 "bad_words", (json_int_t)bad);
}

/*
 * async: arm, touch quarter 0 -> {q0}; SET_MODE(sync): touch quarter 1,
 * whose pages are still protected, so every access must go through the
 * handler -> {q0, q1}; then read everything (the rest faults through the
 * handler too); SET_MODE(async), re-arm, touch quarter 2 -> {q2}, and
 * nothing may fault synchronously any more.
 */
static int roundtrip_case(struct ws_bench_ctx *ctx,
			  const struct ws_tracker_ops *ops,
			  enum ws_backing backing, enum ws_mode mode,
			  void *arg)
{
	struct ws_accuracy acc[3], total = { 0 };
	size_t granule = 1;	/* pages per protection granule */
	uint64_t f0, f1, f2;
	size_t bad[3] = { 0 }, nbad;
	struct corr_case c;
	json_t *j, *phases;
	int ret;

	(void)arg;
	if (!(ops->modes & WS_MODE_BIT(WS_MODE_SYNC)) || !ops->set_mode)
		return ws_case_skip(ctx, "set-mode-roundtrip: %s has no sync mode",
				    ops->name);
	if (backing == WS_BACKING_ANON_THP)
		granule = WS_THP_SIZE / ws_page_size();
	/* At least one granule per quarter. */
	ret = case_setup(&c, ctx, ops, backing, mode,
			 ctx->p->pages > 4 * granule ? ctx->p->pages :
						       4 * granule);
	if (ret)
		goto out;
	fill_content(&c);
	ret = ws_case_open(ctx, &c.t, ops, &c.m, WS_MODE_ASYNC);
	if (ret)
		goto out;

	ret = arm_all(&c);
	if (ret)
		goto out;
	ws_pageset_clear(&c.truth);
	bad[0] = touch_quarter(&c, 0, granule);
	ret = collect_compare(&c, false, &acc[0]);
	if (ret)
		goto out;

	ret = c.ops->set_mode(&c.t, WS_MODE_SYNC);
	if (ret == -EOPNOTSUPP) {
		ret = ws_case_skip(ctx, "set-mode-roundtrip: %s", c.t.err);
		goto out;
	}
	if (ret) {
		ret = ws_case_fail(ctx, ret, "set_mode(sync): %s", c.t.err);
		goto out;
	}
	f0 = c.t.sync_faults;
	bad[1] = touch_quarter(&c, 1, granule);	/* truth: q0 + q1, no re-arm */
	f1 = c.t.sync_faults;
	ret = collect_compare(&c, false, &acc[1]);
	if (ret)
		goto out;
	bad[1] += verify_all(&c);

	ret = set_mode(&c, WS_MODE_ASYNC);
	if (!ret)
		ret = arm_all(&c);
	if (ret)
		goto out;
	f2 = c.t.sync_faults;
	ws_pageset_clear(&c.truth);
	bad[2] = touch_quarter(&c, 2, granule);
	ret = collect_compare(&c, false, &acc[2]);
	if (ret)
		goto out;
	bad[2] += verify_all(&c);

	phases = json_array();
	json_array_append_new(phases, phase_json("async", "q0", &acc[0], 0,
						 bad[0]));
	json_array_append_new(phases, phase_json("sync", "q0+q1", &acc[1],
						 f1 - f0, bad[1]));
	json_array_append_new(phases, phase_json("async-again", "q2",
						 &acc[2], c.t.sync_faults - f2,
						 bad[2]));
	for (int i = 0; i < 3; i++)
		ws_accuracy_add(&total, &acc[i]);
	nbad = bad[0] + bad[1] + bad[2];

	j = case_json(&c, "set-mode-roundtrip", true, "roundtrip", true);
	json_object_set_new(j, "phases", phases);
	json_object_set_new(j, "accuracy", ws_accuracy_json(&total));
	json_object_set_new(j, "content_ok", json_boolean(!nbad));
	json_object_set_new(j, "quarter_granule_pages", json_integer(granule));
	json_object_set_new(j, "sync_faults", json_integer(f1 - f0));
	ws_result_add(ctx->res, j);

	if (nbad)
		ret = ws_case_fail(ctx, EIO,
				   "set-mode-roundtrip: %zu words differ from what was written (async %zu, sync %zu, async-again %zu)",
				   nbad, bad[0], bad[1], bad[2]);
	else if (f1 == f0 && c.m.npages > 1)
		ret = ws_case_fail(ctx, EIO,
				   "set-mode-roundtrip: after set_mode(sync) no access to a protected page reached the handler");
	else if (c.t.sync_faults != f2)
		ret = ws_case_fail(ctx, EIO,
				   "set-mode-roundtrip: %llu faults went to the handler after set_mode(async)",
				   (unsigned long long)(c.t.sync_faults - f2));
out:
	case_teardown(&c);
	return ret;
}

static int correctness_run(struct ws_bench_ctx *ctx)
{
	ws_bench_progress_start(ctx, "correctness",
				ws_count_cases(ctx->p, true) +
				ws_count_cases(ctx->p, false));
	ws_for_each_case(ctx, patterns_case, NULL, true);
	/* Same labels as the first pass otherwise. */
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
	p->warmup = 0;
	p->min_reps = 1;
	p->max_reps = 1;
	p->min_time_s = 0;
}

const struct ws_benchmark ws_bench_correctness = {
	.name		= "correctness",
	.summary	= "reported vs touched pages for fixed patterns (writes, reads, re-arm, set-mode round trip)",
	.defaults	= correctness_defaults,
	.run		= correctness_run,
	.options	= "--backend --backing --mode --pages",
};
