/* SPDX-License-Identifier: GPL-2.0 */
/* The VMM cycle's state, shared by cycle.c, cycle_state.c and score.c. */
#ifndef WS_VMM_CYCLE_IMPL_H
#define WS_VMM_CYCLE_IMPL_H

#include <pthread.h>
#include <stdatomic.h>

#include "cycle.h"
#include "engine.h"
#include "guest.h"
#include "uffd.h"

/* Held faults at once: one per blocked vCPU, at most a few each. */
#define CYCLE_MAX_HELD	(4 * WS_WL_MAX_THREADS)
#define HELD_TRACKER	1u

enum cycle_cpu {
	CPU_FREEZE, CPU_DETECT, CPU_EVICT, CPU_UNFREEZE, CPU_ARM, CPU_HANDLER,
	CPU_NR
};

extern const char *const cycle_cpu_names[CPU_NR];

struct cycle_interval {
	double t_s;			/* phase clock at the interval's end */
	uint64_t cpu[CPU_NR];		/* manager (and handler) CPU, ns */
	uint64_t window_ns;		/* freeze to unfreeze, wall */
	size_t detected, evicted, resident;
	uint64_t refaults, refaults_recent;
	/* ground truth (score.c) */
	size_t true_ws;			/* pages accessed in the interval */
	uint64_t ambiguous;		/* truth batches spanning an epoch */
	bool scored;			/* k >= K: cold sets compared */
	struct ws_accuracy cold, cold_2m;
	size_t false_cold_read, false_cold_write;
	/*
	 * The interval's decisions: the same cold set, scored only over the
	 * pages resident when the manager decided (c->decided), so a page
	 * evicted long ago is not a true positive again in every interval
	 * (cycle_score_decisions(); vmm-cycle only).
	 */
	bool decisions_scored;
	struct ws_accuracy dec, dec_2m;
	size_t false_dec_read, false_dec_write;
};

struct cycle {
	struct ws_bench_ctx *ctx;
	const struct ws_cycle_opts *o;
	const struct ws_tracker_ops *ops;	/* NULL: untracked */
	enum ws_mode ops_mode;
	enum ws_freeze freeze;
	bool guest;				/* full cycle on shmem */
	struct ws_guest g;
	struct ws_mem anon;			/* detection only */
	struct ws_mem *mem;			/* the vCPU view */
	struct ws_wl *wl;
	struct ws_tracker t;
	int missing_uffd;			/* own, for non-uffd trackers */
	struct ws_uffd_handler missing_handler;
	atomic_bool holding;
	pthread_mutex_t held_lock;	/* holding, held[], and resolving */
	/* held[]: page << 1 | HELD_TRACKER (a tracker fault, not MISSING) */
	size_t held[CYCLE_MAX_HELD], nheld, held_total;
	/* per page: last interval hot (detected) / accessed / written */
	uint32_t *det_last, *true_last, *true_wlast;
	struct ws_pageset hot, evict, rd, wr;
	struct ws_pageset decided;	/* resident at the last decision */
	struct cycle_interval *iv;
	/*
	 * How freeze "pause" stops the vCPUs: NULL, the workload engine's
	 * workers (c->wl); wsbench attach stops the target process instead.
	 * pause() returns 0 or -errno and how long stopping took.
	 */
	int (*pause)(struct cycle *c, uint64_t *took_ns);
	void (*resume)(struct cycle *c);
	void *pause_arg;
	/*
	 * Optional, run in the freeze window right after eviction (tests:
	 * wsbench attach --test-hold-ms, so a kill lands while frozen).
	 */
	void (*in_window)(struct cycle *c);
	/*
	 * Optional, told of every fault message the fault hook serves and
	 * whether it is a refault (nested track: which QEMU thread took it).
	 * Runs in a handler thread.
	 */
	void (*on_fault)(struct cycle *c, const struct uffd_msg *msg,
			 bool refault);
};

struct cycle *cycle_alloc(struct ws_bench_ctx *ctx,
			  const struct ws_cycle_opts *o,
			  const struct ws_tracker_ops *ops, enum ws_mode mode);
int cycle_alloc_pages(struct cycle *c);
void cycle_free(struct cycle *c);
/* CPU time of whichever thread serves faults (0 if none). */
uint64_t cycle_handler_cpu(const struct cycle *c);

/*
 * Open c->ops on c->mem (its fault hook, MISSING for refaults when c->guest,
 * the refault uffd of its own for trackers without one) and arm it all.
 * c->t.target, set before, says whose memory it is (wsbench attach).
 */
int cycle_setup_tracker(struct cycle *c, enum ws_mode mode);
/*
 * Steps 2-5 of the cycle for interval @k (freeze, detect, evict, unfreeze,
 * re-arm), timed per phase into @iv; c->hot holds what was detected.
 */
int cycle_manage(struct cycle *c, uint32_t k, struct cycle_interval *iv);
/*
 * Score interval @k's cold set (not detected hot in the last K intervals,
 * from c->det_last) against c->true_last / c->true_wlast (score.c).
 */
void cycle_score_cold(struct cycle *c, uint32_t k, struct cycle_interval *iv);
/* Interval @k as in the vmm-cycle result file (score.c). */
json_t *cycle_interval_json(const struct cycle *c, uint32_t k,
			    const struct cycle_interval *iv);

/*
 * Score interval @k's decisions: the pages of c->decided (resident when
 * pick_cold() ran) called cold or not, against the same truth (score.c).
 */
void cycle_score_decisions(struct cycle *c, uint32_t k,
			   struct cycle_interval *iv);
/* Fetch interval @k's truth and score the cold sets (score.c). */
int cycle_score(struct cycle *c, uint32_t k, struct cycle_interval *iv);
/* F1 of precision and recall (score.c). */
double cycle_f1(const struct ws_accuracy *a);
/* Integrity check and the run's JSON (finish.c). */
int cycle_finish(struct cycle *c, json_t **run);

#endif /* WS_VMM_CYCLE_IMPL_H */
