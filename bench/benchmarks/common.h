/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the benchmark files only (the public part is bench.h):
 * per-case setup that turns "this machine cannot" into a skip and anything
 * else into an error with a message, single-page touches the compiler
 * cannot elide, and accuracy bookkeeping across repetitions.
 */
#ifndef WS_BENCH_COMMON_H
#define WS_BENCH_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "bench.h"
#include "pageset.h"
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

/* ctx->skip_reason = message; returns 1 (the case callback's "skipped"). */
int ws_case_skip(struct ws_bench_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* ctx->skip_reason = message; returns -err (the callback's "error"). */
int ws_case_fail(struct ws_bench_ctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

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
 * ws_mem_map() for a case: 0 on success; 1 (skip, reason set) when the
 * machine cannot provide the backing (no huge pages, THP off, size not a
 * multiple of the huge page size); -errno (message set) otherwise.
 */
int ws_case_map(struct ws_bench_ctx *ctx, struct ws_mem *m,
		enum ws_backing backing, size_t len);
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
 * Append to ctx->skip_reason which sweep point failed, e.g.
 * " (size 1M, 2 threads)": the error record names backend, backing and
 * mode, not the point.
 */
void ws_case_say_point(struct ws_bench_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* ws_tracker_open(); on failure copies t->err to ctx and returns -errno. */
int ws_case_open(struct ws_bench_ctx *ctx, struct ws_tracker *t,
		 const struct ws_tracker_ops *ops, struct ws_mem *m,
		 enum ws_mode mode);

/*
 * Benchmarks that count pages (correctness, fault-latency) count tracking
 * granules; for hugetlb that is 2 MiB each, so they cap the count at
 * WS_HUGETLB_MAX_PAGES (the case's params say so) instead of asking for
 * gigabytes of reserved huge pages.  anon-thp rounds up to whole 2 MiB
 * huge pages (1000 pages -> 1024).  Returns the length in bytes and the
 * granule count in *npages.
 */
#define WS_HUGETLB_PAGE		(2UL << 20)	/* x86-64/arm64 default */
#define WS_HUGETLB_MAX_PAGES	64
size_t ws_case_len(enum ws_backing b, size_t want, size_t *npages);

/* Number of cases ws_for_each_case() will call @fn for. */
size_t ws_count_cases(const struct ws_params *p, bool modes_matter);
/* Start ctx->prog for @what with @total steps, keeping its quiet flag. */
void ws_bench_progress_start(struct ws_bench_ctx *ctx, const char *what,
			     size_t total);

/* {"backend":@backend,"backing":..,"mode":"none"} for baselines. */
json_t *ws_baseline_case_json(const char *backend, enum ws_backing b);

/*
 * metrics[@name] = ws_series_json(); returns the series median (NAN if
 * @n == 0) so callers can annotate it with the timer check.
 */
double ws_metric_add(const struct ws_bench_ctx *ctx, json_t *metrics,
		     const char *name, const double *v, size_t n,
		     const char *unit);

/*
 * @c.timer = ws_timer_check_json() against the smallest of the @n metric
 * medians, the one the timer overhead distorts most; NAN medians (no
 * samples) are ignored and without any median there is no "timer".
 */
void ws_timer_annotate(const struct ws_bench_ctx *ctx, json_t *c,
		       const double *medians, size_t n);

/*
 * What a case of tracker @t adds about the mechanism itself: "sampling":
 * true for sampling mechanisms (inexact by design, not a bug), and
 * "backend_info" from ops->info() (parameters, what the last collect saw).
 */
void ws_case_tracker_info(json_t *c, struct ws_tracker *t);

/*
 * CPU time of the calling thread (ns): the part of a call's wall time that
 * was ours, when the rest is waiting for a kernel thread (DAMON).
 */
uint64_t ws_thread_cpu_ns(void);

/* Hot set of @nhot pages: one run at the start, or evenly spread. */
void ws_hot_set_build(struct ws_pageset *s, size_t nhot, enum ws_layout l);

/* Accumulate counts of @a into @sum and recompute the ratios. */
void ws_accuracy_add(struct ws_accuracy *sum, const struct ws_accuracy *a);
static inline bool ws_accuracy_exact(const struct ws_accuracy *a)
{
	return !a->false_pos && !a->false_neg;
}

#endif /* WS_BENCH_COMMON_H */
