// SPDX-License-Identifier: GPL-2.0
/*
 * Workload engine life cycle: set-up (pattern compiled into per-phase
 * stream tables, per-worker state), start, pause/resume, stop, counters
 * and the JSON description.  The access loop is in worker.c, epochs and
 * integrity checks in truth.c, the phase clock both read in clock.c.
 */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_impl.h"
#include "parse.h"
#include "threads.h"
#include "timing.h"

/* ---- set-up ---- */

static int check_opts(struct ws_wl_opts *o, size_t npages, size_t page_size,
		      const void *base, char *err, size_t errlen)
{
	if (o->nthreads < 1 || o->nthreads > WS_WL_MAX_THREADS)
		return ws_why(err, errlen, "threads: %u is not from 1 to %d",
				  o->nthreads, WS_WL_MAX_THREADS);
	if (!o->batch)
		o->batch = WS_WL_DEFAULT_BATCH;
	if (o->batch > WS_WL_MAX_BATCH)
		return ws_why(err, errlen, "batch: %u is not from 1 to %d",
				  o->batch, WS_WL_MAX_BATCH);
	if (!o->truth_slots)
		o->truth_slots = WS_WL_DEFAULT_SLOTS;
	if (o->truth_slots < WS_WL_DEFAULT_SLOTS || o->truth_slots > 1024)
		return ws_why(err, errlen, "truth slots: %u is not from %d to 1024",
				  o->truth_slots, WS_WL_DEFAULT_SLOTS);
	while (o->truth_slots & (o->truth_slots - 1))
		o->truth_slots++;
	if (!o->lat_max_samples)
		o->lat_max_samples = WS_WL_DEFAULT_LAT_MAX;
	if (!page_size || page_size & (page_size - 1) ||
	    page_size < 8 * (1 + (size_t)o->nthreads))
		return ws_why(err, errlen, "page size %zu: not a power of two of at least %zu bytes (one stamp word per thread)",
				  page_size, 8 * (1 + (size_t)o->nthreads));
	if (!npages || !base || (uintptr_t)base % page_size)
		return ws_why(err, errlen, "memory: %zu pages at %p: need at least one page, aligned to the page size",
				  npages, base);
	return 0;
}

static int compile_stream(struct ws_wl *w, const struct ws_pat_stream *ps,
			  struct wl_stream *s, uint64_t zipf_seed)
{
	const struct ws_pat_region *r = &w->pat.regions[ps->region];

	memset(s, 0, sizeof(*s));
	s->dist = ps->dist;
	s->first = r->first;
	s->n = r->npages;
	s->read_below = (uint64_t)llround(ps->reads_pct / 100.0 * 4294967296.0);
	s->stride = s->n > 1 ? ps->stride : 0;
	s->hot.n = s->n;
	s->hot.width = ps->hot_pages;
	s->hot.step = ps->shift_pages;
	s->hot.every_ns = ps->shift_every_ns;
	s->hot.zigzag = ps->zigzag;
	if (s->dist == WS_DIST_ZIPF)
		return ws_zipf_init(&s->zipf, s->n, ps->theta, zipf_seed);
	return 0;
}

static int compile_phases(struct ws_wl *w)
{
	w->phases = calloc(w->pat.nphases, sizeof(*w->phases));
	if (!w->phases)
		return -ENOMEM;
	for (unsigned int i = 0; i < w->pat.nphases; i++) {
		const struct ws_pat_phase *pp = &w->pat.phases[i];
		struct wl_phase *ph = &w->phases[i];
		double total = 0, cum = 0;

		ph->duration_ns = pp->duration_ns;
		ph->repeat = pp->repeat;
		ph->nstreams = pp->nstreams;
		for (unsigned int k = 0; k < pp->nstreams; k++)
			total += pp->streams[k].weight;
		for (unsigned int k = 0; k < pp->nstreams; k++) {
			int err = compile_stream(w, &pp->streams[k], &ph->s[k],
					ws_seed_mix(w->o.seed, 0x5a495046 + i, k));

			if (err)
				return err;
			cum += pp->streams[k].weight;
			ph->pick_below[k] = k + 1 == pp->nstreams ?
				1ULL << 32 :
				(uint64_t)llround(cum / total * 4294967296.0);
		}
		w->reps_per_cycle += pp->repeat;
	}
	w->cycle_ns = ws_pattern_cycle_ns(&w->pat);
	return 0;
}

/*
 * Pinning: with more CPUs than workers, workers get CPUs 1..n and CPU 0
 * is left to the manager; with exactly as many, 0..n-1 (the manager shares
 * one); with fewer, the scheduler places them.
 */
static void plan_pinning(struct ws_wl *w)
{
	int ncpu = ws_cpu_count();
	unsigned int n = w->o.nthreads;

	for (unsigned int i = 0; i < n; i++)
		w->t[i].cpu_index = -1;
	if (!w->o.pin) {
		snprintf(w->pin_note, sizeof(w->pin_note), "pinning off");
		return;
	}
	if ((unsigned int)ncpu < n) {
		snprintf(w->pin_note, sizeof(w->pin_note),
			 "only %d CPUs for %u workers: not pinned", ncpu, n);
		return;
	}
	for (unsigned int i = 0; i < n; i++)
		w->t[i].cpu_index = (unsigned int)ncpu > n ? (int)i + 1 : (int)i;
	if ((unsigned int)ncpu == n)
		snprintf(w->pin_note, sizeof(w->pin_note),
			 "%d CPUs for %u workers: the manager shares a CPU with them",
			 ncpu, n);
}

static int alloc_thread(struct ws_wl *w, struct wl_thread *t, unsigned int i)
{
	size_t words = w->bitmap_words;

	t->w = w;
	t->idx = i;
	t->occurrence = UINT64_MAX;
	t->cur_write = WL_NO_PAGE;
	t->seen = WL_SEEN_IDLE;
	t->cpu = -1;
	t->batch = calloc(w->o.batch, sizeof(*t->batch));
	t->ver = calloc(w->npages, sizeof(*t->ver));
	if (!t->batch || !t->ver)
		return -ENOMEM;
	if (w->o.lat_sample_every) {
		t->lat_cap = w->o.lat_max_samples;
		t->lat = malloc(t->lat_cap * sizeof(*t->lat));
		t->lat_next = w->o.lat_sample_every - 1;
		if (!t->lat)
			return -ENOMEM;
	}
	if (!w->o.truth)
		return 0;
	t->slots = calloc(w->o.truth_slots, sizeof(*t->slots));
	if (!t->slots)
		return -ENOMEM;
	for (unsigned int s = 0; s < w->o.truth_slots; s++) {
		t->slots[s].epoch = UINT64_MAX;
		t->slots[s].rd = calloc(words, sizeof(uint64_t));
		t->slots[s].wr = calloc(words, sizeof(uint64_t));
		if (!t->slots[s].rd || !t->slots[s].wr)
			return -ENOMEM;
	}
	return 0;
}

int ws_wl_create(struct ws_wl **out, const struct ws_pattern *pat,
		 void *base, size_t npages, size_t page_size,
		 const struct ws_wl_opts *opts, char *err, size_t errlen)
{
	struct ws_wl *w;
	int ret;

	*out = NULL;
	w = aligned_alloc(WL_CACHELINE, sizeof(*w));
	if (!w)
		return ws_why(err, errlen, "out of memory");
	memset(w, 0, sizeof(*w));
	w->o = *opts;
	if (check_opts(&w->o, npages, page_size, base, err, errlen))
		goto fail;
	w->pat = *pat;
	if (ws_pattern_resolve(&w->pat, npages, page_size, err, errlen))
		goto fail;
	w->base = base;
	w->npages = npages;
	w->page_size = page_size;
	w->page_shift = (unsigned int)__builtin_ctzl(page_size);
	w->bitmap_words = (npages + 63) / 64;
	w->slot_mask = w->o.truth_slots - 1;
	ret = compile_phases(w);
	w->t = aligned_alloc(WL_CACHELINE, w->o.nthreads * sizeof(*w->t));
	if (w->t)
		memset(w->t, 0, w->o.nthreads * sizeof(*w->t));
	for (unsigned int i = 0; !ret && w->t && i < w->o.nthreads; i++)
		ret = alloc_thread(w, &w->t[i], i);
	if (ret || !w->t) {
		ws_why(err, errlen, "workload set-up: %s",
			   strerror(ret ? -ret : ENOMEM));
		goto fail;
	}
	plan_pinning(w);
	*out = w;
	return 0;
fail:
	ws_wl_destroy(w);
	return -1;
}

static void free_thread(struct ws_wl *w, struct wl_thread *t)
{
	free(t->batch);
	free(t->ver);
	free(t->lat);
	for (unsigned int s = 0; t->slots && s < w->o.truth_slots; s++) {
		free(t->slots[s].rd);
		free(t->slots[s].wr);
	}
	free(t->slots);
}

void ws_wl_destroy(struct ws_wl *w)
{
	if (!w)
		return;
	ws_wl_stop(w);
	for (unsigned int i = 0; w->t && i < w->o.nthreads; i++)
		free_thread(w, &w->t[i]);
	for (unsigned int i = 0; w->phases && i < w->pat.nphases; i++)
		for (unsigned int k = 0; k < w->phases[i].nstreams; k++)
			ws_zipf_free(&w->phases[i].s[k].zipf);
	free(w->phases);
	free(w->t);
	free(w);
}

/* ---- running ---- */

int ws_wl_start(struct ws_wl *w)
{
	unsigned int n = w->o.nthreads, i;
	int err = 0;

	if (w->started)
		return -EBUSY;
	w->started = true;
	for (i = 0; i < n && !err; i++)
		err = pthread_create(&w->t[i].tid, NULL, wl_worker_main, &w->t[i]);
	if (err) {
		/* Let the ones created run into the stop flag. */
		__atomic_store_n(&w->stop, 1, __ATOMIC_SEQ_CST);
		w->start_ns = ws_now_ns();
		__atomic_store_n(&w->gen, 1, __ATOMIC_RELEASE);
		wl_futex_wake(&w->gen);
		for (unsigned int k = 0; k + 1 < i; k++)
			pthread_join(w->t[k].tid, NULL);
		w->stopped = true;
		return -err;
	}
	/* Every worker pinned and waiting: the clock starts for all at once. */
	while (__atomic_load_n(&w->ready, __ATOMIC_ACQUIRE) < n)
		sched_yield();
	w->start_ns = ws_now_ns();
	__atomic_store_n(&w->gen, 1, __ATOMIC_RELEASE);
	wl_futex_wake(&w->gen);
	return 0;
}

void ws_wl_stop(struct ws_wl *w)
{
	uint64_t now;

	if (!w->started || w->stopped)
		return;
	/* One reading for both clocks: paused time is exactly their gap. */
	now = ws_now_ns();
	w->stop_wall_ns = now - w->start_ns;
	w->stop_clock_ns = __atomic_load_n(&w->pause_req, __ATOMIC_RELAXED) ?
			   wl_clock_at(w, w->pause_start_ns) :
			   wl_clock_at(w, now);
	__atomic_store_n(&w->stop, 1, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&w->gen, 1, __ATOMIC_RELEASE);
	wl_futex_wake(&w->gen);
	for (unsigned int i = 0; i < w->o.nthreads; i++)
		pthread_join(w->t[i].tid, NULL);
	w->stopped = true;
}

int ws_wl_pause(struct ws_wl *w, uint64_t timeout_ns, uint64_t *took_ns)
{
	uint64_t t0 = ws_now_ns(), now = t0;
	unsigned int spins = 0;

	*took_ns = 0;
	if (!w->started || w->stopped ||
	    __atomic_load_n(&w->pause_req, __ATOMIC_RELAXED))
		return 0;
	w->pause_start_ns = t0;
	__atomic_store_n(&w->pause_req, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&w->idle, __ATOMIC_ACQUIRE) < w->o.nthreads) {
		/* Workers may share our CPU: let them reach their park. */
		if (++spins < 256) {
			ws_cpu_relax();
			continue;
		}
		sched_yield();
		now = ws_now_ns();
		if (timeout_ns && now - t0 > timeout_ns)
			return -ETIMEDOUT;
	}
	*took_ns = ws_now_ns() - t0;
	return 0;
}

void ws_wl_resume(struct ws_wl *w)
{
	if (!__atomic_load_n(&w->pause_req, __ATOMIC_RELAXED))
		return;
	/* The total first: a worker that sees pause_req == 0 sees it too. */
	__atomic_store_n(&w->paused_total_ns, w->paused_total_ns +
			 (ws_now_ns() - w->pause_start_ns), __ATOMIC_RELEASE);
	__atomic_store_n(&w->pause_req, 0, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&w->gen, 1, __ATOMIC_RELEASE);
	wl_futex_wake(&w->gen);
}

/* ---- results ---- */

void ws_wl_counters(const struct ws_wl *w, int t, struct ws_wl_counters *c)
{
	memset(c, 0, sizeof(*c));
	for (unsigned int i = 0; i < w->o.nthreads; i++) {
		const struct wl_thread *x = &w->t[i];

		if (t >= 0 && (unsigned int)t != i)
			continue;
		c->reads += __atomic_load_n(&x->reads, __ATOMIC_RELAXED);
		c->writes += __atomic_load_n(&x->writes, __ATOMIC_RELAXED);
		c->batches += __atomic_load_n(&x->batches, __ATOMIC_RELAXED);
		c->ambiguous += __atomic_load_n(&x->ambiguous, __ATOMIC_RELAXED);
		c->lat_samples += __atomic_load_n(&x->lat_n, __ATOMIC_RELAXED);
		c->lat_dropped += __atomic_load_n(&x->lat_dropped, __ATOMIC_RELAXED);
		c->cpu_ns += __atomic_load_n(&x->cpu_ns, __ATOMIC_RELAXED);
	}
}

const uint64_t *ws_wl_lat_samples(const struct ws_wl *w, unsigned int t,
				  size_t *n)
{
	*n = t < w->o.nthreads ? w->t[t].lat_n : 0;
	return t < w->o.nthreads ? w->t[t].lat : NULL;
}

unsigned int ws_wl_nthreads(const struct ws_wl *w)
{
	return w->o.nthreads;
}

const struct ws_pattern *ws_wl_pattern(const struct ws_wl *w)
{
	return &w->pat;
}

static json_t *pinning_json(const struct ws_wl *w)
{
	json_t *cpus = json_array(), *errs = json_array();
	bool all = w->o.nthreads > 0;

	for (unsigned int i = 0; i < w->o.nthreads; i++) {
		const struct wl_thread *t = &w->t[i];

		all = all && t->pinned;
		json_array_append_new(cpus, json_integer(t->cpu));
		if (t->pin_err)
			json_array_append_new(errs, json_pack("{s:i, s:s}",
				"worker", (int)i, "error", strerror(t->pin_err)));
	}
	return json_pack("{s:b, s:o, s:s, s:o}", "pinned", all, "cpus", cpus,
			 "note", w->pin_note, "errors", errs);
}

json_t *ws_wl_json(const struct ws_wl *w)
{
	struct ws_wl_counters c;
	json_t *j;

	ws_wl_counters(w, -1, &c);
	j = json_pack("{s:i, s:I, s:i, s:b, s:i, s:I, s:I}",
		      "threads", (int)w->o.nthreads,
		      "seed", (json_int_t)w->o.seed,
		      "batch", (int)w->o.batch,
		      "truth", w->o.truth,
		      "truth_slots", (int)w->o.truth_slots,
		      "lat_sample_every", (json_int_t)w->o.lat_sample_every,
		      "max_accesses", (json_int_t)w->o.max_accesses);
	json_object_set_new(j, "memory", json_pack("{s:I, s:I}",
		"pages", (json_int_t)w->npages,
		"page_size", (json_int_t)w->page_size));
	json_object_set_new(j, "pinning", pinning_json(w));
	json_object_set_new(j, "pattern", ws_pattern_json(&w->pat));
	json_object_set_new(j, "run_s",
			    json_real((double)ws_wl_clock_ns(w) / 1e9));
	json_object_set_new(j, "counters", json_pack("{s:I, s:I, s:I, s:I}",
		"reads", (json_int_t)c.reads, "writes", (json_int_t)c.writes,
		"batches", (json_int_t)c.batches,
		"ambiguous_batches", (json_int_t)c.ambiguous));
	return j;
}
