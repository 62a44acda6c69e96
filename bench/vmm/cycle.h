/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMM cycle, identical for every backend (issue "Macro workloads"):
 * per interval
 *   1. the workload runs (the tracker armed)
 *   2. freeze, with the cheapest race-free means the mechanism offers:
 *        sync     rwp: UFFDIO_SET_MODE to sync; wp runs in sync mode: the
 *                 handler holds every tracker fault until step 5, so no
 *                 page can turn from cold to hot under the manager
 *        pause    no fault interception (idle, soft-dirty, DAMON): the
 *                 vCPU threads are parked, as a VMM pauses vCPUs
 *        none     --protocol unsafe: nothing (the integrity check must
 *                 catch the data this loses)
 *   3. detect: collect the hot set; cold = not hot in the last K intervals
 *   4. evict the resident cold pages: write out, punch, wake (guest.h)
 *   5. unfreeze: release held faults / SET_MODE async / resume; re-arm
 *      the hot set (sync backends re-arm after unfreezing, so their vCPUs
 *      do not wait for it)
 * and at any time, accesses to evicted pages fault as MISSING and are
 * refaulted by the same handler for every backend.  Ground truth from the
 * workload engine scores every interval; the stamps prove nothing was lost.
 */
#ifndef WS_VMM_CYCLE_H
#define WS_VMM_CYCLE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "bench.h"
#include "pattern.h"
#include "tracker.h"

enum ws_freeze { WS_FREEZE_SYNC, WS_FREEZE_PAUSE, WS_FREEZE_NONE };

struct ws_cycle_opts {
	const struct ws_pattern *pattern;
	const char *pattern_name;
	enum ws_backing backing;	/* shmem: full cycle; anon: detection */
	size_t size;			/* guest memory bytes */
	unsigned int threads;		/* vCPUs */
	unsigned int intervals;
	uint64_t interval_ns;
	unsigned int cold_after;	/* K */
	bool unsafe;			/* --protocol unsafe */
	uint64_t seed;
	const char *storage_dir;
	/*
	 * Tests only (WSBENCH_TEST_PUNCH_DELAY_US, recorded as the case's
	 * test_hook): wait up to this long between an interval's write-outs
	 * and its punches, until a vCPU writes a page written out, so that
	 * --protocol unsafe loses data every time a vCPU writes an evicted
	 * page, not only when the write happens to land in the natural window.
	 */
	unsigned int test_punch_delay_us;
};

/*
 * One run of @opts: tracked by @ops in @mode (NULL: the untracked baseline
 * of the same pattern, with the same truth recording).  On success *run
 * holds {"intervals": [...], "run": {...}} and the integrity verdict.
 * 0, 1 (skip, reason in ctx->skip_reason) or -errno.
 */
int ws_cycle_run(struct ws_bench_ctx *ctx, const struct ws_cycle_opts *opts,
		 const struct ws_tracker_ops *ops, enum ws_mode mode,
		 json_t **run);

/*
 * Where pattern @name is: a path as given when it holds a '/' or ends in
 * ".pat", else <dir>/<name>.pat for the first of $WSBENCH_WORKLOADS,
 * ./workloads and ../workloads next to the wsbench binary that has it.
 * 0, or -ENOENT with the places tried in @why.
 */
int ws_pattern_find(const char *name, char *path, size_t len, char *why,
		    size_t whylen);

/* How @ops freezes (none under --protocol unsafe). */
enum ws_freeze ws_cycle_freeze(const struct ws_tracker_ops *ops, bool unsafe);
const char *ws_freeze_name(enum ws_freeze f);
/* The mode a backend runs the cycle in: wp's freeze needs its sync mode. */
enum ws_mode ws_cycle_mode(const struct ws_tracker_ops *ops);

#endif /* WS_VMM_CYCLE_H */
