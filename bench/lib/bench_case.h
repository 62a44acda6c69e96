/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One case of a benchmark (bench.h's ws_bench_ctx): map its memory and open
 * its tracker, turning "this machine cannot" into a skip and anything else
 * into an error with a message.  Mechanism-neutral, so that every floor
 * that runs cases (benchmarks/, vmm/, attach/) shares it.
 */
#ifndef WS_BENCH_CASE_H
#define WS_BENCH_CASE_H

#include <stdint.h>

#include "bench.h"
#include "mem.h"
#include "tracker.h"

/* ctx->skip_reason = message; returns 1 (the case callback's "skipped"). */
int ws_case_skip(struct ws_bench_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* ctx->skip_reason = message; returns -err (the callback's "error"). */
int ws_case_fail(struct ws_bench_ctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * ws_mem_map() for a case: 0 on success; 1 (skip, reason set) when the
 * machine cannot provide the backing (no huge pages, THP off, size not a
 * multiple of the huge page size); -errno (message set) otherwise.
 */
int ws_case_map(struct ws_bench_ctx *ctx, struct ws_mem *m,
		enum ws_backing backing, size_t len);

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
 * CPU time of the calling thread (ns): the part of a call's wall time that
 * was ours, when the rest is waiting for a kernel thread (DAMON).
 */
uint64_t ws_thread_cpu_ns(void);

#endif
