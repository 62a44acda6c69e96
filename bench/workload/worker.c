// SPDX-License-Identifier: GPL-2.0
/*
 * The access loop of one worker.  Per batch: look at the phase clock (one
 * clock read), draw the batch's pages and read/write choices into a small
 * array, then touch them back to back -- independent accesses the CPU can
 * overlap -- and, with truth on, record them (truth.c).  Between batches
 * the worker honours pause and stop requests; nothing else on this path
 * takes a lock, makes a syscall or writes memory another thread reads
 * often.
 */
#include <sched.h>
#include <string.h>
#include <time.h>

#include "engine_impl.h"
#include "threads.h"
#include "timing.h"

/* How long a parked worker spins before it sleeps on the futex. */
#define PARK_SPIN_NS	20000

static void pin_self(struct wl_thread *t)
{
	if (t->cpu_index >= 0) {
		int err = ws_pin_self(t->cpu_index);

		t->pin_err = -err;
		t->pinned = !err;
	}
	t->cpu = sched_getcpu();
}

/*
 * From now on every batch starts at or after the epoch published here
 * (seq_cst store + fence: a manager that bumped the epoch and then reads
 * "seen" cannot miss a batch that read the old epoch; see truth.c).
 */
static void publish_seen_now(struct wl_thread *t)
{
	__atomic_store_n(&t->seen, __atomic_load_n(&t->w->epoch,
			 __ATOMIC_SEQ_CST), __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void park(struct wl_thread *t)
{
	struct ws_wl *w = t->w;
	uint64_t t0 = ws_now_ns();
	unsigned int spins = 0;

	wl_store(&t->seen, WL_SEEN_IDLE);
	__atomic_fetch_add(&w->idle, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		uint32_t g = __atomic_load_n(&w->gen, __ATOMIC_ACQUIRE);

		if (!__atomic_load_n(&w->pause_req, __ATOMIC_SEQ_CST) ||
		    __atomic_load_n(&w->stop, __ATOMIC_SEQ_CST))
			break;
		if (++spins % 64) {
			ws_cpu_relax();
			continue;
		}
		/*
		 * Yield while spinning: the manager may share this CPU, and a
		 * spinning worker would keep it from ever finishing its pause.
		 */
		if (ws_now_ns() - t0 < PARK_SPIN_NS) {
			sched_yield();
			continue;
		}
		/* Returns at once if gen moved since we read it. */
		wl_futex_wait(&w->gen, g);
	}
	__atomic_fetch_sub(&w->idle, 1, __ATOMIC_SEQ_CST);
	publish_seen_now(t);
}

/* A new phase occurrence: same seed, worker and occurrence, same accesses. */
static void enter_occurrence(struct wl_thread *t, uint64_t clock_ns)
{
	struct ws_wl *w = t->w;
	const struct wl_phase *ph;
	unsigned int rep;
	uint64_t occ;

	wl_locate(w, clock_ns, &t->phase, &occ, &rep, &t->occ_start,
		  &t->occ_end);
	if (occ == t->occurrence)
		return;
	t->occurrence = occ;
	ws_rng_seed(&t->rng, ws_seed_mix(w->o.seed, t->idx, occ));
	ph = &w->phases[t->phase];
	/* Worker t of n starts its sweep t/n of the way into the region. */
	for (unsigned int k = 0; k < ph->nstreams; k++)
		t->cursor[k] = (uint64_t)((unsigned __int128)ph->s[k].n *
					  t->idx / w->o.nthreads);
}

static inline uint64_t draw_page(struct wl_thread *t,
				 const struct wl_stream *s, unsigned int k)
{
	switch (s->dist) {
	case WS_DIST_ZIPF:
		return ws_zipf_sample(&s->zipf, &t->rng);
	case WS_DIST_SEQ:
		return ws_seq_next(&t->cursor[k], s->stride, s->n);
	case WS_DIST_HOTSET:
		return ws_hotset_sample(&s->hot, t->hot_start[k], &t->rng);
	default:
		return ws_rng_below(&t->rng, s->n);
	}
}

static void generate(struct wl_thread *t, size_t n, uint64_t in_ns)
{
	const struct wl_phase *ph = &t->w->phases[t->phase];

	for (unsigned int k = 0; k < ph->nstreams; k++)
		if (ph->s[k].dist == WS_DIST_HOTSET)
			t->hot_start[k] = ws_hotset_start(&ph->s[k].hot, in_ns);
	for (size_t i = 0; i < n; i++) {
		uint64_t x = ws_rng_next(&t->rng);
		unsigned int k = 0;
		const struct wl_stream *s;

		/* High half picks the stream, low half read or write. */
		while ((x >> 32) >= ph->pick_below[k])
			k++;
		s = &ph->s[k];
		t->batch[i] = (s->first + draw_page(t, s, k)) << 1 |
			      ((x & 0xffffffffu) >= s->read_below);
	}
}

/*
 * A write: publish the page being written, bump this worker's version,
 * store it into the worker's own word of the page.  If the store faults
 * and blocks, a checker sees cur_write == p and a version one ahead of
 * the page (see ws_wl_check_page()).
 */
static inline void write_page(struct wl_thread *t, uint64_t p, uint64_t *pg)
{
	uint64_t v = t->ver[p] + 1;

	__atomic_store_n(&t->cur_write, p, __ATOMIC_RELAXED);
	__atomic_store_n(&t->ver[p], v, __ATOMIC_RELEASE);
	__atomic_store_n(&pg[1 + t->idx], v, __ATOMIC_RELEASE);
	__atomic_store_n(&t->cur_write, WL_NO_PAGE, __ATOMIC_RELEASE);
}

static void timed_access(struct wl_thread *t, uint64_t e, uint64_t *pg)
{
	uint64_t t0, t1;

	t0 = ws_now_ns();
	ws_barrier();
	if (e & 1) {
		write_page(t, e >> 1, pg);
		/* The store itself, not just its issue, inside the timing. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	} else {
		t->sink += __atomic_load_n(pg, __ATOMIC_RELAXED);
	}
	ws_barrier();
	t1 = ws_now_ns();
	if (t->lat_n < t->lat_cap) {
		t->lat[t->lat_n] = t1 - t0;
		__atomic_store_n(&t->lat_n, t->lat_n + 1, __ATOMIC_RELAXED);
	} else {
		__atomic_store_n(&t->lat_dropped, t->lat_dropped + 1,
				 __ATOMIC_RELAXED);
	}
}

/* Touch the batch; returns how many were writes. */
static size_t access_batch(struct wl_thread *t, size_t n)
{
	struct ws_wl *w = t->w;
	char *base = w->base;
	unsigned int shift = w->page_shift;
	uint64_t every = w->o.lat_sample_every;
	uint64_t timed = t->lat ? t->lat_next - t->done : UINT64_MAX;
	uint64_t sink = 0;
	size_t writes = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t e = t->batch[i], p = e >> 1;
		uint64_t *pg = (uint64_t *)(base + (p << shift));

		writes += e & 1;
		if (i == timed) {
			timed_access(t, e, pg);
			timed += every;
			t->lat_next += every;
		} else if (e & 1) {
			write_page(t, p, pg);
		} else {
			sink += __atomic_load_n(pg, __ATOMIC_RELAXED);
		}
	}
	t->sink += sink;
	return writes;
}

static void run(struct wl_thread *t)
{
	struct ws_wl *w = t->w;
	uint64_t max = w->o.max_accesses;
	bool truth = w->o.truth;

	for (;;) {
		size_t n = w->o.batch, writes;
		uint64_t clk, e1 = 0, e2;

		if (__atomic_load_n(&w->stop, __ATOMIC_RELAXED))
			break;
		if (__atomic_load_n(&w->pause_req, __ATOMIC_ACQUIRE)) {
			park(t);
			continue;
		}
		if (max && max - t->done < n) {
			n = max - t->done;
			if (!n)
				break;
		}
		clk = wl_clock_at(w, ws_now_ns());
		if (clk >= t->occ_end || t->occurrence == UINT64_MAX)
			enter_occurrence(t, clk);
		generate(t, n, clk > t->occ_start ? clk - t->occ_start : 0);
		if (truth)
			e1 = __atomic_load_n(&w->epoch, __ATOMIC_ACQUIRE);
		writes = access_batch(t, n);
		if (truth) {
			/* Every access of the batch is performed before e2. */
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			e2 = __atomic_load_n(&w->epoch, __ATOMIC_ACQUIRE);
			wl_record(t, e1, e2, n);
		}
		t->done += n;
		__atomic_store_n(&t->reads, t->reads + n - writes,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&t->writes, t->writes + writes,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&t->batches, t->batches + 1, __ATOMIC_RELAXED);
	}
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void *wl_worker_main(void *arg)
{
	struct wl_thread *t = arg;
	struct ws_wl *w = t->w;

	pin_self(t);
	__atomic_fetch_add(&w->ready, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&w->gen, __ATOMIC_ACQUIRE))
		wl_futex_wait(&w->gen, 0);
	publish_seen_now(t);
	run(t);
	__atomic_store_n(&t->cpu_ns, thread_cpu_ns(), __ATOMIC_RELAXED);
	wl_store(&t->seen, WL_SEEN_IDLE);
	__atomic_fetch_add(&w->idle, 1, __ATOMIC_SEQ_CST);
	return NULL;
}
