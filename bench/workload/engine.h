/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Workload engine: worker threads ("vCPUs") run a pattern (pattern.h) on a
 * memory region, recording exactly which pages they touched, by read or by
 * write, per tracking interval, and stamping every write so lost writes
 * and stale pages can be detected.
 *
 * Phase clock.  Phases follow a clock that starts at ws_wl_start() and
 * stands still while the workers are paused, so a tracked run (paused to
 * freeze, evict, collect) and an untracked one walk the same phases.  The
 * k-th access of worker t in the j-th phase occurrence is the same in
 * every run with the same seed: the generator is reseeded from (seed, t,
 * j) at each occurrence, sequential sweeps restart at their first page and
 * shifting hot sets at their first window (which then moves with the phase
 * clock).  How many accesses fit in an occurrence depends on the machine.
 *
 * Ground truth with epochs.  The caller (the tracking manager) owns an
 * epoch counter and calls ws_wl_epoch_bump() at both edges of its collect
 * window: even epochs are tracking intervals, odd epochs the windows in
 * which it collects and re-arms.  Workers access in batches; a batch reads
 * the epoch before (e1) and, after a full fence, after (e2) its accesses,
 * and records its pages into epoch e1 if e1 == e2, into the odd one of the
 * two if e2 == e1 + 1, and into e1 + 1 otherwise (counted as "ambiguous":
 * the batch spanned a whole window, e.g. a worker blocked in a fault).  So
 * the truth of an even epoch holds only accesses made entirely inside that
 * interval; accesses that may or may not have been seen by a collect are
 * in the odd epoch around it.  Truth recording can be turned off to
 * measure its cost (same pattern, same seed, truth off vs on).
 *
 * Integrity stamps.  Word 0 of page p holds p; word 1 + t belongs to worker
 * t alone and holds the number of writes t made to p (the version), so
 * every word has one writer and checks are exact under concurrency.
 *
 * Threading: one manager thread calls everything here; workers are the
 * engine's.  Nothing but the counters may be read concurrently from other
 * threads.  With more CPUs than workers, workers are pinned to CPUs 1..n
 * and CPU 0 is left to the manager: pin it there (ws_pin_self(0)), or the
 * scheduler may put it next to a worker and a pause then waits for a
 * context switch.
 */
#ifndef WS_ENGINE_H
#define WS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pageset.h"
#include "pattern.h"

#define WS_WL_MAX_THREADS	64
#define WS_WL_DEFAULT_BATCH	64
#define WS_WL_MAX_BATCH		4096
#define WS_WL_DEFAULT_SLOTS	8	/* epochs of truth kept per worker */
#define WS_WL_DEFAULT_LAT_MAX	(1u << 20)	/* samples per worker */

struct ws_wl_opts {
	unsigned int nthreads;		/* 1..WS_WL_MAX_THREADS */
	uint64_t seed;
	bool pin;			/* pin workers when there are CPUs */
	bool truth;			/* record ground truth */
	unsigned int batch;		/* accesses per batch; 0: default */
	unsigned int truth_slots;	/* >= 8, rounded up to a power of 2; 0: 8 */
	uint64_t lat_sample_every;	/* time 1 access in N; 0: none */
	size_t lat_max_samples;		/* per worker; 0: default */
	uint64_t max_accesses;		/* per worker, then it ends; 0: none */
};

struct ws_wl;

/*
 * Set up (threads not started) for @pat laid out in @npages pages of
 * @page_size bytes at @base.  The pattern is copied and resolved; the
 * caller keeps its own.  Returns 0, or -1 with the reason in @err (bad
 * option, pattern that does not fit, out of memory).
 */
int ws_wl_create(struct ws_wl **out, const struct ws_pattern *pat,
		 void *base, size_t npages, size_t page_size,
		 const struct ws_wl_opts *opts, char *err, size_t errlen);
/* Stops the workers if running, frees everything but the memory. */
void ws_wl_destroy(struct ws_wl *w);

/*
 * Write the initial stamps (word 0 = page index, worker words = version 0)
 * into every page, which also populates it.  Before ws_wl_start(); -EBUSY
 * after.
 */
int ws_wl_stamp_init(struct ws_wl *w);

/* Create, pin and release the workers; the phase clock starts at 0. */
int ws_wl_start(struct ws_wl *w);
/* Stop and join every worker.  A worker blocked in a fault delays this. */
void ws_wl_stop(struct ws_wl *w);

/*
 * Freeze: ask every worker to park between two batches (no access in
 * flight) and wait until all did, or until @timeout_ns (0: no limit)
 * passes: -ETIMEDOUT, e.g. a worker is blocked in a fault only the caller
 * can resolve; call ws_wl_resume() then.  *took_ns: request to all parked.
 * Parked workers spin (yielding) for ~20 us, then sleep on a futex.
 */
int ws_wl_pause(struct ws_wl *w, uint64_t timeout_ns, uint64_t *took_ns);
void ws_wl_resume(struct ws_wl *w);

/* Phase clock: run time without paused time (frozen while paused). */
uint64_t ws_wl_clock_ns(const struct ws_wl *w);
/*
 * Wall clock since ws_wl_start(), paused time included (until
 * ws_wl_stop()): what a workload's user waits for.  Paused time is
 * ws_wl_wall_ns() - ws_wl_clock_ns().
 */
uint64_t ws_wl_wall_ns(const struct ws_wl *w);

struct ws_wl_phase_pos {
	unsigned int phase;	/* index in the pattern */
	const char *name;
	uint64_t occurrence;	/* counts every phase start since 0 */
	unsigned int rep;	/* 0..repeat-1 */
	uint64_t in_ns;		/* into this occurrence */
	uint64_t left_ns;	/* until it ends */
};

/* Where the phase sequence is at @clock_ns. */
void ws_wl_phase_at(const struct ws_wl *w, uint64_t clock_ns,
		    struct ws_wl_phase_pos *pos);

uint64_t ws_wl_epoch(const struct ws_wl *w);
/* Advance the epoch; returns the new one (odd: collect window begins). */
uint64_t ws_wl_epoch_bump(struct ws_wl *w);

/*
 * Pages accessed in the closed @epoch (< ws_wl_epoch()), by read and by
 * write (a page may be in both), merged over the workers into @rd and @wr
 * (initialised for the engine's npages; overwritten).  Waits until every
 * worker has recorded its batches that may belong to @epoch: a worker
 * blocked in a page fault delays it, so call it only when faults can be
 * resolved meanwhile.  0; -ETIMEDOUT after @timeout_ns (0: no limit);
 * -EAGAIN: epoch not closed; -ESTALE: its slots were reused (more than
 * truth_slots - 1 epochs ago); -ENODATA: truth is off; -EINVAL: set sizes.
 */
int ws_wl_truth(struct ws_wl *w, uint64_t epoch, struct ws_pageset *rd,
		struct ws_pageset *wr, uint64_t timeout_ns);
/*
 * How many of the batches in @epoch's truth spanned a whole epoch (their
 * accesses may belong to a neighbour): 0 means the truth is exact.  Valid
 * after ws_wl_truth() succeeded for @epoch.
 */
uint64_t ws_wl_truth_ambiguous(const struct ws_wl *w, uint64_t epoch);

struct ws_wl_counters {
	uint64_t reads;
	uint64_t writes;
	uint64_t batches;
	uint64_t ambiguous;	/* batches that spanned a whole epoch */
	uint64_t lat_samples;
	uint64_t lat_dropped;	/* beyond lat_max_samples */
	uint64_t cpu_ns;	/* workers' CPU time, once they ended */
};

/* Worker @t's counters, or their sum for t < 0.  Safe while running. */
void ws_wl_counters(const struct ws_wl *w, int t, struct ws_wl_counters *c);
/* Worker @t's latency samples (ns, one access each) after ws_wl_stop(). */
const uint64_t *ws_wl_lat_samples(const struct ws_wl *w, unsigned int t,
				  size_t *n);
unsigned int ws_wl_nthreads(const struct ws_wl *w);
/* The resolved pattern the engine runs. */
const struct ws_pattern *ws_wl_pattern(const struct ws_wl *w);

struct ws_wl_bad {
	size_t page;
	int thread;		/* worker whose word is wrong; -1: word 0 */
	uint64_t expected;
	uint64_t found;
	uint64_t epoch;		/* ws_wl_epoch() at the check */
};

/*
 * Check @content, a copy of page @page taken while no worker could write
 * to it (workers paused, or the page absent so a writer blocks in the
 * fault), e.g. bytes about to be installed by a refault.  Word 0 must be
 * @page; for each worker t, with a = t's version of the page (read first)
 * and c = the page t is writing (read next), word 1 + t must be a, or
 * a - 1 if c == @page (t bumped its version and is blocked storing it).
 * Returns the number of bad words; *bad (may be NULL) gets the first.
 */
int ws_wl_check_page(const struct ws_wl *w, size_t page, const void *content,
		     struct ws_wl_bad *bad);
/*
 * Every page in memory, exactly (workers stopped, paused, or not yet
 * started; -EBUSY otherwise).  Returns the number of bad pages; the first
 * @maxbad go to @bad, one entry (the first bad word) per page.
 */
long ws_wl_check_all(const struct ws_wl *w, struct ws_wl_bad *bad,
		     size_t maxbad);

/* Options, pinning, pattern, counters and run time, for result files. */
json_t *ws_wl_json(const struct ws_wl *w);

#endif /* WS_ENGINE_H */
