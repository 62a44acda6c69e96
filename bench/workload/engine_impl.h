/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Engine internals shared by engine.c (life cycle), worker.c (the access
 * loop), clock.c (the phase clock and futex word both read) and truth.c
 * (epochs, ground truth, integrity).  Not for users.
 */
#ifndef WS_ENGINE_IMPL_H
#define WS_ENGINE_IMPL_H

#include <pthread.h>
#include <stdint.h>

#include "dist.h"
#include "engine.h"
#include "threads.h"

#define WL_CACHELINE	64
#define WL_NO_PAGE	UINT64_MAX
/* "seen" of a worker with no batch in flight (parked, done, not started). */
#define WL_SEEN_IDLE	UINT64_MAX

/* A stream compiled for the access loop; offsets are engine pages. */
struct wl_stream {
	enum ws_dist_kind dist;
	uint64_t first;		/* region's first page */
	uint64_t n;		/* region's pages */
	uint64_t read_below;	/* 32-bit coin < this: read (2^32: always) */
	uint64_t stride;	/* seq */
	struct ws_hotset hot;
	struct ws_zipf zipf;
};

struct wl_phase {
	uint64_t duration_ns;
	unsigned int repeat;
	unsigned int nstreams;
	/* Stream k is picked when the 32-bit draw < pick_below[k]. */
	uint64_t pick_below[WS_PAT_MAX_STREAMS];
	struct wl_stream s[WS_PAT_MAX_STREAMS];
};

/* One epoch of one worker's truth: bitmaps of npages bits. */
struct wl_slot {
	uint64_t epoch;		/* UINT64_MAX: never used */
	uint64_t ambiguous;	/* batches recorded here that spanned an epoch */
	uint64_t *rd;
	uint64_t *wr;
};

struct wl_thread {
	/* Worker-private state. */
	struct ws_wl *w;
	unsigned int idx;
	struct ws_rng rng;
	uint64_t occurrence;	/* current phase occurrence */
	unsigned int phase;
	uint64_t occ_start;	/* phase clock at its start */
	uint64_t occ_end;
	uint64_t cursor[WS_PAT_MAX_STREAMS];	/* seq streams */
	uint64_t hot_start[WS_PAT_MAX_STREAMS];	/* hotset windows, per batch */
	uint64_t *batch;	/* page << 1 | is_write */
	uint64_t done;		/* accesses so far */
	uint64_t sink;		/* keeps loads alive */
	uint64_t lat_next;	/* index of the next timed access */
	uint64_t *lat;
	size_t lat_cap;
	struct wl_slot *slots;
	uint64_t *ver;		/* this worker's version of every page */
	pthread_t tid;
	int cpu_index;		/* planned: index into the CPU list, -1: none */
	int cpu;		/* where it ran after pinning */
	int pin_err;		/* 0, or the errno pinning returned */
	bool pinned;

	/* Read by the checker: the page being written, WL_NO_PAGE if none. */
	_Alignas(WL_CACHELINE) uint64_t cur_write;

	/* Published once per batch, read by the manager. */
	_Alignas(WL_CACHELINE) uint64_t seen;	/* see truth.c */
	uint64_t reads;
	uint64_t writes;
	uint64_t batches;
	uint64_t ambiguous;
	uint64_t lat_n;
	uint64_t lat_dropped;
	uint64_t cpu_ns;
};

struct ws_wl {
	struct ws_pattern pat;	/* resolved copy */
	struct wl_phase *phases;
	uint64_t cycle_ns;
	uint64_t reps_per_cycle;	/* occurrences in one pass */
	char *base;
	size_t npages;
	size_t page_size;
	unsigned int page_shift;
	size_t bitmap_words;
	struct ws_wl_opts o;
	unsigned int slot_mask;
	bool started, stopped;
	char pin_note[160];
	struct wl_thread *t;

	/* Manager-owned timing; workers read it after an acquire. */
	uint64_t start_ns;
	uint64_t pause_start_ns;
	uint64_t stop_clock_ns;
	uint64_t stop_wall_ns;
	_Alignas(WL_CACHELINE) uint64_t paused_total_ns;

	/* Read by every worker once per batch, written rarely. */
	_Alignas(WL_CACHELINE) uint64_t epoch;
	_Alignas(WL_CACHELINE) uint32_t pause_req;
	uint32_t stop;
	uint32_t gen;		/* futex word: bumped on go, resume, stop */
	/* Workers that are parked or finished; and started (ready). */
	_Alignas(WL_CACHELINE) uint32_t idle;
	uint32_t ready;
};

void *wl_worker_main(void *arg);
/* Phase occurrence at @clock_ns: index, occurrence number, bounds. */
void wl_locate(const struct ws_wl *w, uint64_t clock_ns, unsigned int *phase,
	       uint64_t *occurrence, unsigned int *rep, uint64_t *start,
	       uint64_t *end);
uint64_t wl_clock_at(const struct ws_wl *w, uint64_t now_ns);
/* Record one finished batch of @n accesses into epoch range [e1, e2]. */
void wl_record(struct wl_thread *t, uint64_t e1, uint64_t e2, size_t n);
long wl_futex_wait(uint32_t *addr, uint32_t val);
long wl_futex_wake(uint32_t *addr);

static inline uint64_t wl_load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void wl_store(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

#endif /* WS_ENGINE_IMPL_H */
