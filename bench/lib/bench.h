/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Benchmarks (one file each under bench/benchmarks/, as will-it-scale's
 * testcases) and the parameters the driver parses for them.
 */
#ifndef WS_BENCH_H
#define WS_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mem.h"
#include "numa.h"
#include "progress.h"
#include "result.h"
#include "tracker.h"

#define WS_MAX_LIST	32

enum ws_profile { WS_PROFILE_QUICK, WS_PROFILE_DEFAULT, WS_PROFILE_NR };

enum ws_layout {
	WS_LAYOUT_CONTIGUOUS,	/* hot pages form one run */
	WS_LAYOUT_SCATTERED,	/* hot pages spread evenly: many runs */
	WS_LAYOUT_NR
};

/* restore: how the snapshot gets into the VM's memory file. */
enum ws_populate {
	WS_POPULATE_WRITE,	/* pwrite() into the file */
	WS_POPULATE_COPY,	/* UFFDIO_COPY into a MISSING-registered mapping */
	WS_POPULATE_ALIAS,	/* memcpy through a second shared mapping */
	WS_POPULATE_NR
};
/* "write", "copy", "alias", NULL (benchmarks/common.c). */
extern const char *const ws_populate_names[];

struct ws_params {
	enum ws_profile profile;
	unsigned int backends;		/* bit i: ws_trackers[i] */
	unsigned int backings;		/* WS_BACKING_BIT() */
	unsigned int modes;		/* WS_MODE_BIT() */
	unsigned int layouts;		/* 1 << enum ws_layout */
	unsigned int rearms;		/* 1 << enum ws_rearm */
	size_t sizes[WS_MAX_LIST];	/* bytes */
	size_t nsizes;
	uint64_t threads[WS_MAX_LIST];	/* helper thread counts */
	size_t nthreads;
	double hot_pcts[WS_MAX_LIST];	/* percent, 0..100 */
	size_t nhot;
	size_t pages;			/* fault-latency: pages per repetition */
	uint64_t warmup;		/* warm-up repetitions (discarded) */
	uint64_t min_reps;
	uint64_t max_reps;
	double min_time_s;		/* per case, after warm-up */
	uint64_t seed;
	uint64_t hugepages_request;	/* --hugepages N (0: not given) */
	/* vmm-cycle */
	const char *patterns[WS_MAX_LIST];	/* pattern files */
	size_t npatterns;
	uint64_t intervals;
	double interval_ms;
	uint64_t cold_after;		/* K */
	bool unsafe;			/* --protocol unsafe */
	uint64_t vcpus;
	struct ws_numa_scan numa_scan;	/* numa-interplay: --numa-scan */
	/* restore */
	unsigned int populates;		/* 1 << enum ws_populate */
	double holes_pct;		/* pages left out of the populate */
	const char *out_dir;		/* results/<run-id> */
	const char *run_id;
};

/*
 * A benchmark's repetition defaults (before options override them):
 * @warmup discarded repetitions, then at least @min_reps and at most
 * @max_reps, and at least @min_time_s seconds of them.
 */
static inline void ws_default_reps(struct ws_params *p, uint64_t warmup,
				   uint64_t min_reps, uint64_t max_reps,
				   double min_time_s)
{
	p->warmup = warmup;
	p->min_reps = min_reps;
	p->max_reps = max_reps;
	p->min_time_s = min_time_s;
}

struct ws_bench_ctx {
	const struct ws_params *p;
	struct ws_result *res;
	double timer_ns;		/* median timer overhead of this run */
	struct ws_progress prog;
	int errors;			/* failures of supported backends */
	char skip_reason[512];		/* set by a case callback returning 1 */
};

struct ws_benchmark {
	const char *name;
	const char *summary;
	/* Fill benchmark defaults for @profile before options override. */
	void (*defaults)(struct ws_params *p, enum ws_profile profile);
	int (*run)(struct ws_bench_ctx *ctx);
	/* Which options it reads, for --help and to reject the others. */
	const char *options;
	/* Regions of the largest size mapped at the same time (0 means 1). */
	unsigned int regions_at_once;
};

/*
 * The descriptor ws_bench_<id> of a benchmark whose defaults() and run()
 * are <id>_defaults and <id>_run; .name, .summary, .options and the rest
 * follow as designated initializers.
 */
#define WS_BENCHMARK(id, ...)						\
	const struct ws_benchmark ws_bench_##id = {			\
		.defaults = id##_defaults, .run = id##_run, __VA_ARGS__	\
	}

extern const struct ws_benchmark *const ws_benchmarks[];
const struct ws_benchmark *ws_benchmark_by_name(const char *name);

const char *ws_profile_name(enum ws_profile p);
const char *ws_layout_name(enum ws_layout l);

json_t *ws_params_json(const struct ws_params *p);

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

/*
 * Repeat @once after p->warmup discarded calls until at least p->min_reps
 * measured calls and p->min_time_s seconds, at most p->max_reps.  @once
 * gets measured=false during warm-up and returns 0 or -errno.
 */
int ws_repeat(const struct ws_params *p,
	      int (*once)(void *arg, bool measured), void *arg,
	      size_t *reps);

/*
 * Run @fn for every selected backend x backing x mode.  Unsupported
 * backends (probe), backings a backend does not support, and modes it does
 * not offer are recorded as skips with the reason; @fn itself returns 0
 * (measured), 1 (skipped, reason in ctx->skip_reason) or -errno (error:
 * recorded in the result's "errors" and counted in ctx->errors).
 * @modes_matter=false runs each backend once with its first offered mode.
 */
typedef int (*ws_case_fn)(struct ws_bench_ctx *ctx,
			  const struct ws_tracker_ops *ops,
			  enum ws_backing backing, enum ws_mode mode,
			  void *arg);
int ws_for_each_case(struct ws_bench_ctx *ctx, ws_case_fn fn, void *arg,
		     bool modes_matter);
/*
 * A benchmark that is one walk over its cases: progress named @what over
 * every case, each through ws_for_each_case(), then done.  Returns 0.
 */
int ws_run_each_case(struct ws_bench_ctx *ctx, const char *what,
		     ws_case_fn fn, void *arg, bool modes_matter);

/* {"backend":..,"backing":..,"mode":..} ready for more fields. */
json_t *ws_case_json(const struct ws_tracker_ops *ops, enum ws_backing b,
		     enum ws_mode m);
/* {"precision":..,"recall":..,"truth":..,...} */
json_t *ws_accuracy_json(const struct ws_accuracy *a);

#endif /* WS_BENCH_H */
