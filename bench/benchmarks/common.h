/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the benchmark files only (the public part is bench.h):
 * per-case setup that turns "this machine cannot" into a skip and anything
 * else into an error with a message, single-page touches the compiler
 * cannot elide, and accuracy bookkeeping across repetitions.
 */
#ifndef WS_BENCH_COMMON_H
#define WS_BENCH_COMMON_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "bench.h"
#include "bench_case.h"
#include "pageset.h"
#include "stats.h"
#include "tracker.h"

/* Mode recorded for cases that involve no tracker (baselines). */
#define WS_MODE_NONE_NAME	"none"

/*
 * Read or write one byte of a page; volatile so it is really issued.  A
 * store is followed by a full fence: otherwise it retires into the store
 * buffer and a following timestamp (the vDSO's lfence+rdtsc orders loads,
 * not stores) would time only the buffering, not the access.  Same for
 * every backend and baseline, so comparisons stay fair.
 */
static inline uint8_t ws_touch(char *addr, bool write)
{
	if (write) {
		*(volatile uint8_t *)addr = 1;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		return 1;
	}
	return *(volatile uint8_t *)addr;
}

/*
 * ws_result_skip() unless the same skip is already recorded: structural
 * skips (unsupported backend, backing, mode, a size the backing cannot
 * map) repeat across passes and sweep points, and are listed once.
 */
void ws_skip_once(struct ws_result *r, const char *backend,
		  const char *backing, const char *mode, const char *reason);

/*
 * Append {"backend","backing","mode","error"} to the result's "errors"
 * (message: ctx->skip_reason, else strerror(-@ret)) and count it.
 */
void ws_record_error(struct ws_bench_ctx *ctx, const char *backend,
		     const char *backing, const char *mode, int ret);

/*
 * One size of a size sweep: ws_case_map() then ws_mem_populate().  0 when
 * mapped and populated; 1 when the machine cannot map this size (e.g. 1M of
 * hugetlb): the skip is recorded once for @backend/@mode and the caller
 * goes on with the other sizes; -errno (message set) otherwise.
 */
int ws_case_map_size(struct ws_bench_ctx *ctx, struct ws_mem *m,
		     const char *backend, enum ws_backing backing,
		     const char *mode, size_t size);
/*
 * anon-thp cases must run on THP: before every repetition the guard
 * measures the region's PMD coverage and, when a backend split it in the
 * previous repetition (wp's first write, a 4 KiB sync resolve), maps a
 * fresh region, populates it and re-opens the tracker on it, so every
 * repetition starts PMD-mapped.  Right before the timed region it records
 * the coverage again.  A repetition that could not start fully PMD-mapped
 * (no THP to be had) is counted as degraded and the case says so.  On
 * other backings the guard does nothing.
 */
struct ws_thp_guard {
	bool on;			/* anon-thp backing */
	size_t reps;			/* repetitions (timed passes) checked */
	size_t reestablished;		/* fresh regions mapped after a split */
	size_t degraded;		/* repetitions that started split */
	double min_start, min_timed;	/* lowest coverage seen */
	char unverified[160];		/* why coverage cannot be measured */
};

void ws_thp_guard_init(struct ws_thp_guard *g, enum ws_backing b);
/*
 * At the start of a repetition: make @m fully PMD-mapped again if needed
 * (@t, if open, is re-opened on the fresh region with its mode and
 * re-arm policy).  0 or -errno with ctx->skip_reason set.
 */
int ws_thp_guard_start(struct ws_bench_ctx *ctx, struct ws_thp_guard *g,
		       struct ws_mem *m, struct ws_tracker *t);
/* Right before the timed region: record the coverage it runs with. */
void ws_thp_guard_timed(struct ws_thp_guard *g, const struct ws_mem *m);
/*
 * Record @j's "thp": {"pmd_coverage_min_start","pmd_coverage_min_timed",
 * "reestablished","degraded_reps","reps",...} when the guard is on; that
 * object (owned by @j), or NULL when the guard is off.
 */
json_t *ws_thp_guard_add(json_t *j, const struct ws_thp_guard *g);

/*
 * Helper thread counts that reach every other CPU: 0, 1, ..., N-1 for N
 * usable CPUs (quick profile: 0 and N-1), thinned to powers of two past
 * WS_MAX_LIST entries.
 */
void ws_default_threads(struct ws_params *p, enum ws_profile profile);

/* Number of cases ws_for_each_case() will call @fn for. */
size_t ws_count_cases(const struct ws_params *p, bool modes_matter);
/* Start ctx->prog for @what with @total steps, keeping its quiet flag. */
void ws_bench_progress_start(struct ws_bench_ctx *ctx, const char *what,
			     size_t total);

/*
 * The calling thread on CPU 0 for this benchmark only (the next must not
 * inherit it): its affinity is kept in @pin for ws_bench_unpin().  When it
 * cannot, a warning in the result names the @thread ("faulting").
 * 0, or -errno.
 */
struct ws_bench_pin {
	cpu_set_t saved;
	bool restore;
};
int ws_bench_pin_cpu0(struct ws_bench_ctx *ctx, const char *thread,
		      struct ws_bench_pin *pin);
void ws_bench_unpin(const struct ws_bench_pin *pin);

/* {"backend":@backend,"backing":..,"mode":"none"} for baselines. */
json_t *ws_baseline_case_json(const char *backend, enum ws_backing b);

/*
 * metrics[@name] = the series of @v (its repetitions resampled for the
 * CI) with "better": "lower"|"higher" from @unit; returns the median (NAN
 * without samples) so callers can annotate it with the timer check.
 */
double ws_metric_add(const struct ws_bench_ctx *ctx, json_t *metrics,
		     const char *name, const struct ws_samples *v,
		     const char *unit);
/* "higher" for rates (pages/s, accesses/s, ...), else "lower". */
const char *ws_unit_better(const char *unit);

/*
 * A case's repetitions (ctx->p->min_reps, at least one) of a tracked run
 * and its untracked twin: @run(arg, tracked, &out) for both, in an order
 * that alternates with the repetition so that machine drift favours
 * neither, then @add(arg, tracked, untracked) files the pair.  Stops at
 * the first error, which it returns.
 */
typedef int (*ws_twin_run_fn)(void *arg, bool tracked, json_t **out);
typedef void (*ws_twin_add_fn)(void *arg, json_t *tracked, json_t *untracked);
int ws_run_twins(const struct ws_bench_ctx *ctx, ws_twin_run_fn run,
		 ws_twin_add_fn add, void *arg);

/*
 * @c.timer = ws_timer_check_json() against the smallest of the @n metric
 * medians, the one the timer overhead distorts most; NAN medians (no
 * samples) are ignored and without any median there is no "timer".
 */
void ws_timer_annotate(const struct ws_bench_ctx *ctx, json_t *c,
		       const double *medians, size_t n);

/*
 * Accuracy of @seen against @truth counted in granules of @granule pages
 * (a granule is touched / reported when any page of it is), and the
 * granularity the reports were made at: @name when some reported granule
 * is reported whole although only part of it was touched, "4K" when some
 * granule is reported in part, else "indistinguishable" (e.g. nothing or
 * everything touched).  {"granule", "accuracy", "tracked_at"}.
 */
json_t *ws_granularity_json(const struct ws_pageset *truth,
			    const struct ws_pageset *seen, size_t granule,
			    const char *name);

/*
 * The requested re-arm policies (p->rearms) of one case point, one per
 * distinct method: trackers without a policy choice give the same method
 * for every policy, and it runs once.  Start @w at { 0 }; each true return
 * has set @t->rearm (@t open) to the next policy to run.
 */
struct ws_rearm_walk {
	int next;
	const char *done[WS_REARM_NR];
	size_t ndone;
};
bool ws_next_rearm(const struct ws_params *p, struct ws_tracker *t,
		   struct ws_rearm_walk *w);

/* correctness' concurrent-access case (concurrent.c), a ws_case_fn. */
int ws_concurrent_case(struct ws_bench_ctx *ctx,
		       const struct ws_tracker_ops *ops,
		       enum ws_backing backing, enum ws_mode mode, void *arg);

/*
 * {"false_pos": [pages..], "false_neg": [pages..]}: at most @max of each,
 * the first in page order.
 */
json_t *ws_mismatch_json(const struct ws_pageset *truth,
			 const struct ws_pageset *seen, size_t max);

/*
 * What a case of tracker @t adds about the mechanism itself: "sampling":
 * true for sampling mechanisms (inexact by design, not a bug), and
 * "backend_info" from ops->info() (parameters, what the last collect saw).
 */
void ws_case_tracker_info(json_t *c, struct ws_tracker *t);

/*
 * ws_case_map() of @len bytes, then two empty page sets of its size (@a,
 * @b: the truth and what the tracker saw): 0, 1 (skip) or -errno.
 */
int ws_case_map_sets(struct ws_bench_ctx *ctx, struct ws_mem *m,
		     enum ws_backing backing, size_t len, struct ws_pageset *a,
		     struct ws_pageset *b);

struct ws_pattern;
/*
 * Pattern @spec (a name or a path, pattern.h) loaded for a case, with its
 * short name (the file name without ".pat") in @name: 0, or -EINVAL with
 * the reason in ctx->skip_reason.
 */
int ws_case_pattern(struct ws_bench_ctx *ctx, const char *spec, char *name,
		    size_t len, struct ws_pattern **pat);

/* Hot set of @nhot pages: one run at the start, or evenly spread. */
void ws_hot_set_build(struct ws_pageset *s, size_t nhot, enum ws_layout l);

static inline bool ws_accuracy_exact(const struct ws_accuracy *a)
{
	return !a->false_pos && !a->false_neg;
}

#endif /* WS_BENCH_COMMON_H */
