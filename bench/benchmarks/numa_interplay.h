/* SPDX-License-Identifier: GPL-2.0 */
/*
 * numa-interplay internals: one run (numa_run.c) of a workload whose
 * threads run on one NUMA node while its memory was first touched on
 * another, with automatic NUMA balancing on, untracked or tracked by one
 * backend that re-arms every interval; and the same run in a child
 * process of its own (numa_fork.c), so that every run starts with fresh
 * per-process NUMA balancing state.
 */
#ifndef WS_NUMA_INTERPLAY_H
#define WS_NUMA_INTERPLAY_H

#include <stdint.h>

#include <jansson.h>

#include "bench.h"
#include "numa.h"
#include "pattern.h"

struct ni_opts {
	const struct ws_pattern *pat;
	const char *pattern_name;
	enum ws_backing backing;
	size_t size;
	unsigned int threads;		/* workload threads on cpu_node */
	unsigned int intervals;
	uint64_t interval_ns;
	uint64_t seed;
	const struct ws_numa_topo *topo;
	int cpu_node;			/* where the threads run */
	int mem_node;			/* where the memory is first touched */
};

/*
 * One run in this process: @ops NULL runs untracked.  *out gets
 * {"run": {...}, "intervals": [...]}.  0, 1 (skip) or -errno, with the
 * reason in ctx->skip_reason.
 */
int ni_run(struct ws_bench_ctx *ctx, const struct ni_opts *o,
	   const struct ws_tracker_ops *ops, enum ws_mode mode, json_t **out);

/*
 * ni_run() in a forked child: a new mm, so NUMA balancing's scan
 * sequence, scan offset and per-VMA state start afresh for every run,
 * whatever ran before it.  Same contract as ni_run().
 */
int ni_run_isolated(struct ws_bench_ctx *ctx, const struct ni_opts *o,
		    const struct ws_tracker_ops *ops, enum ws_mode mode,
		    json_t **out);

#endif /* WS_NUMA_INTERPLAY_H */
