// SPDX-License-Identifier: GPL-2.0
/*
 * Workload engine: ground truth is exact on deterministic patterns (a
 * sweep of known length, two phases on disjoint regions with reads and
 * writes apart), pause really stops accesses and the phase clock, runs
 * repeat for a seed, and the integrity check catches a lost write and a
 * stale page while accepting a writer blocked in a fault.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "engine.h"
#include "pattern.h"
#include "timing.h"
#include "unit.h"

#define PAGE	4096UL
#define NPAGES	256UL
#define SEC	1000000000ULL

static char *mem;

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static struct ws_wl *make(const char *text, struct ws_wl_opts *o)
{
	struct ws_pattern *p;
	struct ws_wl *w = NULL;
	char err[512] = "";

	if (ws_pattern_parse("t.pat", text, &p, err, sizeof(err)) ||
	    ws_wl_create(&w, p, mem, NPAGES, PAGE, o, err, sizeof(err)))
		diag("set-up failed: %s", err);
	else
		ws_wl_stamp_init(w);
	ws_pattern_free(p);
	return w;
}

static uint64_t total(const struct ws_wl *w)
{
	struct ws_wl_counters c;

	ws_wl_counters(w, -1, &c);
	return c.reads + c.writes;
}

/* Until @n accesses were made (workers with max_accesses end). */
static bool wait_accesses(const struct ws_wl *w, uint64_t n)
{
	for (int i = 0; i < 10000 && total(w) < n; i++)
		sleep_ms(1);
	return total(w) >= n;
}

static bool set_is_range(const struct ws_pageset *s, size_t first, size_t n)
{
	for (size_t i = 0; i < s->npages; i++)
		if (ws_pageset_test(s, i) != (i >= first && i < first + n))
			return false;
	return true;
}

static void describe(const char *what, const struct ws_pageset *s)
{
	size_t pos = 0, first, n;

	diag("%s: %zu pages", what, ws_pageset_count(s));
	for (int k = 0; k < 4 && ws_pageset_next_run(s, &pos, &first, &n); k++)
		diag("  run %zu..%zu", first, first + n - 1);
}

/* ---- exact truth: sweeps of known length ---- */

static void sweep_case(const char *reads, unsigned int threads, uint64_t max,
		       size_t first2, const char *desc)
{
	char text[256];
	struct ws_wl_opts o = { .nthreads = threads, .seed = 1, .truth = true,
				.max_accesses = max };
	struct ws_pageset rd, wr, want;
	struct ws_wl *w;
	bool writes = !strcmp(reads, "0%");
	size_t touched = max < NPAGES ? max : NPAGES;

	snprintf(text, sizeof(text),
		 "region d 100%%\nphase p 10s\n d seq reads %s\n", reads);
	w = make(text, &o);
	if (!w || ws_pageset_init(&rd, NPAGES) || ws_pageset_init(&wr, NPAGES) ||
	    ws_pageset_init(&want, NPAGES)) {
		ok(0, "%s: set-up", desc);
		return;
	}
	ws_wl_start(w);
	ok(wait_accesses(w, max * threads), "%s: workers made %llu accesses",
	   desc, (unsigned long long)(max * threads));
	ok(ws_wl_truth(w, 0, &rd, &wr, SEC) == -EAGAIN,
	   "%s: truth of the open epoch -> -EAGAIN", desc);
	ws_wl_epoch_bump(w);
	ws_wl_epoch_bump(w);
	ok(!ws_wl_truth(w, 0, &rd, &wr, SEC), "%s: truth of epoch 0", desc);
	ws_pageset_set_range(&want, 0, touched);
	if (threads == 2)
		ws_pageset_set_range(&want, first2, touched);
	if (!ok(!memcmp((writes ? &wr : &rd)->bits, want.bits, NPAGES / 8) &&
		ws_pageset_count(writes ? &rd : &wr) == 0,
		"%s: %s set is exactly the swept pages, %s set empty", desc,
		writes ? "write" : "read", writes ? "read" : "write")) {
		describe("read set", &rd);
		describe("write set", &wr);
	}
	ok(!ws_wl_truth(w, 1, &rd, &wr, SEC) && !ws_pageset_count(&rd) &&
	   !ws_pageset_count(&wr), "%s: collect window (epoch 1) empty", desc);
	ws_wl_destroy(w);
	ws_pageset_free(&rd);
	ws_pageset_free(&wr);
	ws_pageset_free(&want);
}

/* ---- exact truth: two phases, disjoint regions ---- */

/*
 * Open an interval inside an occurrence of phase @want and close it after
 * @min accesses, both while paused, so the interval lies inside the phase
 * occurrence.  Returns its epoch, or UINT64_MAX if it never fit.
 */
static uint64_t interval_in_phase(struct ws_wl *w, unsigned int want,
				  uint64_t min, uint64_t same_slot_as)
{
	for (int tries = 0; tries < 20; tries++) {
		struct ws_wl_phase_pos a, b;
		uint64_t took, e, c0;

		if (ws_wl_pause(w, 5 * SEC, &took))
			return UINT64_MAX;
		ws_wl_phase_at(w, ws_wl_clock_ns(w), &a);
		if (a.phase != want || a.left_ns < SEC / 2) {
			ws_wl_resume(w);
			sleep_ms((unsigned int)(a.left_ns / 1000000) + 5);
			continue;
		}
		/* Optionally reuse the truth slot of an earlier interval. */
		while (same_slot_as != UINT64_MAX &&
		       (ws_wl_epoch(w) + 2) % 8 != same_slot_as % 8)
			ws_wl_epoch_bump(w);
		ws_wl_epoch_bump(w);
		e = ws_wl_epoch_bump(w);
		c0 = total(w);
		ws_wl_resume(w);
		for (int i = 0; i < 300 && total(w) < c0 + min; i++)
			sleep_ms(1);
		if (ws_wl_pause(w, 5 * SEC, &took))
			return UINT64_MAX;
		ws_wl_phase_at(w, ws_wl_clock_ns(w), &b);
		ws_wl_epoch_bump(w);
		ws_wl_epoch_bump(w);
		ws_wl_resume(w);
		/* A batch begun just after the pause request: some margin. */
		if (b.occurrence == a.occurrence && b.left_ns > SEC / 100 &&
		    total(w) >= c0 + min)
			return e;
	}
	return UINT64_MAX;
}

static void two_phases(void)
{
	struct ws_wl_opts o = { .nthreads = 2, .seed = 2, .truth = true,
				.pin = true };
	struct ws_wl *w = make("region a 64K\nregion b 64K\nregion rest 50%\n"
			       "phase pa 1s\n a uniform reads 100%\n"
			       "phase pb 1s\n b uniform reads 0%\n", &o);
	struct ws_pageset rd, wr;
	uint64_t ea, eb;

	if (!w || ws_pageset_init(&rd, NPAGES) || ws_pageset_init(&wr, NPAGES)) {
		ok(0, "two phases: set-up");
		return;
	}
	ws_wl_start(w);
	ea = interval_in_phase(w, 0, 20000, UINT64_MAX);
	ok(ea != UINT64_MAX && !ws_wl_truth(w, ea, &rd, &wr, SEC) &&
	   set_is_range(&rd, 0, 16) && !ws_pageset_count(&wr),
	   "phase pa: read set is exactly region a (pages 0-15), no writes");
	describe("pa reads", &rd);
	/* Same slot as pa's interval: what pa recorded there must be gone. */
	eb = interval_in_phase(w, 1, 20000, ea);
	ok(eb != UINT64_MAX && eb % 8 == ea % 8 &&
	   !ws_wl_truth(w, eb, &rd, &wr, SEC) &&
	   set_is_range(&wr, 16, 16) && !ws_pageset_count(&rd),
	   "phase pb (epoch %llu, slot of %llu reused): write set is exactly region b (pages 16-31), no reads",
	   (unsigned long long)eb, (unsigned long long)ea);
	describe("pb writes", &wr);
	for (int i = 0; i < 8; i++)
		ws_wl_epoch_bump(w);
	ok(ws_wl_truth(w, ws_wl_epoch(w) - 8, &rd, &wr, SEC) == -ESTALE &&
	   !ws_wl_truth(w, ws_wl_epoch(w) - 7, &rd, &wr, SEC),
	   "truth of epoch now-8 -> -ESTALE, now-7 -> 0 (8 slots)");
	ws_wl_destroy(w);
	ws_pageset_free(&rd);
	ws_pageset_free(&wr);
}

/* ---- pause ---- */

static void pause_stops(void)
{
	struct ws_wl_opts o = { .nthreads = 2, .seed = 3, .truth = true,
				.pin = true };
	struct ws_wl *w = make("region d 100%\nphase p 10s\n d uniform\n", &o);
	uint64_t took, c1, c2, k1, k2, t0, k3;
	int err;

	if (!w) {
		ok(0, "pause: set-up");
		return;
	}
	ws_wl_start(w);
	sleep_ms(20);
	err = ws_wl_pause(w, 5 * SEC, &took);
	ok(!err && took > 0, "pause returns 0 and how long it took (%llu ns)",
	   (unsigned long long)took);
	c1 = total(w);
	k1 = ws_wl_clock_ns(w);
	t0 = ws_now_ns();
	sleep_ms(100);
	c2 = total(w);
	k2 = ws_wl_clock_ns(w);
	ok(c1 == c2 && c1 > 0, "paused: counters do not move (%llu -> %llu)",
	   (unsigned long long)c1, (unsigned long long)c2);
	ok(k1 == k2, "paused: the phase clock stands still");
	ws_wl_resume(w);
	sleep_ms(20);
	k3 = ws_wl_clock_ns(w);
	ok(total(w) > c2, "resumed: counters move again");
	ok(k3 >= k2 && k3 - k2 < ws_now_ns() - t0 - 90000000ULL,
	   "resumed: the clock goes on from where it stood (+%.1f ms over %.1f ms)",
	   (double)(k3 - k2) / 1e6, (double)(ws_now_ns() - t0) / 1e6);
	ok(ws_wl_check_all(w, NULL, 0) == -EBUSY,
	   "check_all while running -> -EBUSY");
	ws_wl_pause(w, 5 * SEC, &took);
	ws_wl_stop(w);	/* stopping parked workers */
	ok(ws_wl_check_all(w, NULL, 0) == 0,
	   "after stop: every page's stamps exact");
	ws_wl_destroy(w);
}

/* ---- determinism ---- */

#define SNAP	(96 * PAGE)	/* regions d and e */

static void snapshot_run(uint64_t seed, char *out)
{
	struct ws_wl_opts o = { .nthreads = 2, .seed = seed,
				.max_accesses = 20000 };
	struct ws_wl *w = make("region d 256K\nregion e 128K\nphase p 10s\n"
			       " d uniform weight 3\n e zipf 0.99\n", &o);

	if (!w)
		return;
	ws_wl_start(w);
	wait_accesses(w, 40000);
	ws_wl_stop(w);
	memcpy(out, mem, SNAP);
	ws_wl_destroy(w);
}

static void deterministic(void)
{
	char *a = malloc(SNAP), *b = malloc(SNAP), *c = malloc(SNAP);

	snapshot_run(5, a);
	snapshot_run(5, b);
	snapshot_run(6, c);
	ok(!memcmp(a, b, SNAP),
	   "same seed: every worker made the same writes (identical stamps)");
	ok(memcmp(a, c, SNAP), "another seed: different writes");
	free(a);
	free(b);
	free(c);
}

/* ---- counters and latency samples ---- */

static void counters(void)
{
	struct ws_wl_opts o = { .nthreads = 1, .seed = 9, .max_accesses = 100000,
				.lat_sample_every = 100 };
	struct ws_wl *w = make("region d 100%\nphase p 10s\n d uniform reads 70%\n", &o);
	struct ws_wl_counters c;
	const uint64_t *lat;
	size_t n;
	bool sane = true;
	json_t *j;

	if (!w)
		return;
	ws_wl_start(w);
	wait_accesses(w, 100000);
	ws_wl_stop(w);
	ws_wl_counters(w, 0, &c);
	ok(c.reads + c.writes == 100000 &&
	   c.reads > 69000 && c.reads < 71000,
	   "reads 70%%: %llu reads, %llu writes of 100000",
	   (unsigned long long)c.reads, (unsigned long long)c.writes);
	lat = ws_wl_lat_samples(w, 0, &n);
	for (size_t i = 0; i < n; i++)
		sane &= lat[i] > 0 && lat[i] < SEC;
	ok(n == 1000 && c.lat_samples == 1000 && sane,
	   "1 in 100 accesses timed: %zu samples, each in (0, 1 s)", n);
	j = ws_wl_json(w);
	ok(json_integer_value(json_object_get(j, "threads")) == 1 &&
	   json_integer_value(json_object_get(json_object_get(j, "counters"),
					      "reads")) == (json_int_t)c.reads &&
	   json_array_size(json_object_get(json_object_get(j, "pinning"),
					   "cpus")) == 1 &&
	   json_integer_value(json_object_get(json_array_get(json_object_get(
		json_object_get(j, "pattern"), "regions"), 0), "pages")) ==
	   (json_int_t)NPAGES,
	   "JSON: threads, counters, pinning and the resolved pattern");
	json_decref(j);
	ws_wl_destroy(w);
}

static void phase_positions(void)
{
	struct ws_wl_opts o = { .nthreads = 1 };
	struct ws_wl *w = make("region a 50%\nregion b 50%\n"
			       "phase one 3s\n a uniform\n"
			       "phase two 3s\n b uniform\n"
			       "phase three 1s repeat 2\n a seq\n", &o);
	static const struct { double t; unsigned int phase, rep; uint64_t occ; }
	want[] = { { 0, 0, 0, 0 }, { 3.5, 1, 0, 1 }, { 6.5, 2, 0, 2 },
		   { 7.5, 2, 1, 3 }, { 8.5, 0, 0, 4 }, { 15.2, 2, 1, 7 } };
	bool good = true;

	if (!w)
		return;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct ws_wl_phase_pos p;

		ws_wl_phase_at(w, (uint64_t)(want[i].t * 1e9), &p);
		good &= p.phase == want[i].phase && p.rep == want[i].rep &&
			p.occurrence == want[i].occ;
	}
	ok(good, "phase list: one, two, three x2, then from the start again");
	ws_wl_destroy(w);
}

static void bad_options(void)
{
	struct ws_pattern *p;
	struct ws_wl *w;
	struct ws_wl_opts o = { .nthreads = 0 };
	char err[512] = "";

	ws_pattern_parse("t.pat", "region a 2M\nphase p 1s\n a uniform\n", &p,
			 err, sizeof(err));
	ok(ws_wl_create(&w, p, mem, NPAGES, PAGE, &o, err, sizeof(err)) == -1 &&
	   strstr(err, "threads: 0 is not from 1 to 64"), "0 threads refused: %s", err);
	o.nthreads = 1;
	ok(ws_wl_create(&w, p, mem, 64, PAGE, &o, err, sizeof(err)) == -1 &&
	   strstr(err, "t.pat:1: expected regions that fit"),
	   "pattern larger than the memory refused: %s", err);
	ws_pattern_free(p);
}

/* ---- integrity ---- */

static void lost_and_stale(void)
{
	struct ws_wl_opts o = { .nthreads = 2, .seed = 4, .pin = true };
	struct ws_wl *w = make("region d 64K\nphase p 10s\n d uniform reads 0%\n", &o);
	char old[PAGE], cur[PAGE];
	struct ws_wl_bad bad[4];
	uint64_t took;
	long n;

	if (!w)
		return;
	ok(ws_wl_check_all(w, bad, 4) == 0, "fresh stamps check clean");
	ws_wl_start(w);
	wait_accesses(w, 10000);
	ws_wl_pause(w, 5 * SEC, &took);
	memcpy(old, mem + 3 * PAGE, PAGE);
	ws_wl_resume(w);
	/* 10000 writes over 16 pages: page 3 is written, surely. */
	wait_accesses(w, total(w) + 10000);
	ws_wl_pause(w, 5 * SEC, &took);
	ok(ws_wl_check_all(w, bad, 4) == 0, "paused after writes: all pages exact");
	n = ws_wl_check_page(w, 3, old, &bad[0]);
	ok(n >= 1 && bad[0].page == 3 && bad[0].thread >= 0 &&
	   bad[0].found < bad[0].expected,
	   "older copy of page 3 (a lost write): %ld bad words, worker %d expected version %llu found %llu",
	   n, bad[0].thread, (unsigned long long)bad[0].expected,
	   (unsigned long long)bad[0].found);
	memcpy(cur, mem + 3 * PAGE, PAGE);
	{
		uint64_t *w0 = (uint64_t *)cur;
		int t = w0[1] ? 0 : 1;	/* a worker that wrote page 3 */

		w0[1 + t] -= 1;
		n = ws_wl_check_page(w, 3, cur, &bad[0]);
		ok(n == 1 && bad[0].thread == t &&
		   bad[0].found + 1 == bad[0].expected,
		   "page 3 without its latest write (one version behind, nobody writing it): refused");
		w0[1 + t] += 1;
	}
	memcpy(mem + 3 * PAGE, old, PAGE);
	n = ws_wl_check_all(w, bad, 4);
	ok(n == 1 && bad[0].page == 3 && bad[0].epoch == ws_wl_epoch(w),
	   "page 3 reverted in memory: check_all reports exactly page 3 (%ld bad)", n);
	memcpy(mem + 3 * PAGE, mem + 5 * PAGE, PAGE);
	n = ws_wl_check_all(w, bad, 4);
	ok(n == 1 && bad[0].page == 3 && bad[0].thread == -1 &&
	   bad[0].expected == 3 && bad[0].found == 5,
	   "page 5's content in page 3 (stale page): word 0 expected 3, found %llu",
	   (unsigned long long)bad[0].found);
	memcpy(mem + 3 * PAGE, cur, PAGE);
	ok(ws_wl_check_all(w, bad, 4) == 0, "restored: clean again");
	ws_wl_destroy(w);
}

/*
 * A writer blocked in a fault.  Page 7 is made read-only; worker 0's write
 * to it faults, and the SIGSEGV handler (on the worker, in the middle of
 * write_page()) plays the fault handler: it checks the page's content as a
 * refault would, then blocks until the test has moved the epoch twice, then
 * makes the page writable and returns so the write completes.
 */
static struct {
	struct ws_wl *w;
	volatile int in_fault, release;
	int check_live, check_older, check_landed, check_newer, check_other;
} flt;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	char *page = mem + 7 * PAGE;
	uint64_t copy[PAGE / 8];

	(void)uc;
	if ((char *)si->si_addr < page || (char *)si->si_addr >= page + PAGE) {
		signal(sig, SIG_DFL);
		return;
	}
	flt.check_live = ws_wl_check_page(flt.w, 7, page, NULL);
	memcpy(copy, page, PAGE);
	/* The page holds v, the writer has bumped to v + 1. */
	copy[1] -= 1;		/* v - 1: a write before the blocked one lost */
	flt.check_older = ws_wl_check_page(flt.w, 7, copy, NULL);
	copy[1] += 2;		/* v + 1: as if the blocked store had landed */
	flt.check_landed = ws_wl_check_page(flt.w, 7, copy, NULL);
	copy[1] += 1;		/* v + 2: a version nobody wrote */
	flt.check_newer = ws_wl_check_page(flt.w, 7, copy, NULL);
	/* Another page one version behind: its writer is not blocked on it. */
	memcpy(copy, mem + 3 * PAGE, PAGE);
	flt.check_other = -1;	/* page 3 never written: nothing to test */
	if (copy[1]) {
		copy[1] -= 1;
		flt.check_other = ws_wl_check_page(flt.w, 3, copy, NULL);
	}
	flt.in_fault = 1;
	while (!flt.release)
		sleep_ms(1);
	mprotect(page, PAGE, PROT_READ | PROT_WRITE);
}

/*
 * Block worker 0 in a write fault on page 7 while the epoch is even or odd
 * (@odd_start), bump the epoch @bumps times, release it and pause.  The
 * truth of the starting epoch must wait for the blocked batch meanwhile.
 * Returns the starting epoch, UINT64_MAX if the worker never faulted.
 */
static uint64_t blocked_batch(struct ws_wl *w, bool odd_start, int bumps,
			      int *waited)
{
	struct ws_pageset rd, wr;
	uint64_t took, e1;

	ws_pageset_init(&rd, NPAGES);
	ws_pageset_init(&wr, NPAGES);
	ws_wl_pause(w, 5 * SEC, &took);
	mprotect(mem + 7 * PAGE, PAGE, PROT_READ);
	/* A fresh epoch, which no batch before the fault ran in. */
	ws_wl_epoch_bump(w);
	if ((ws_wl_epoch(w) & 1) != odd_start)
		ws_wl_epoch_bump(w);
	e1 = ws_wl_epoch(w);
	flt.in_fault = 0;
	flt.release = 0;
	ws_wl_resume(w);
	for (int i = 0; i < 5000 && !flt.in_fault; i++)
		sleep_ms(1);
	for (int i = 0; i < bumps; i++)
		ws_wl_epoch_bump(w);
	*waited = ws_wl_truth(w, e1, &rd, &wr, SEC / 20);
	flt.release = 1;
	/* Parked: the released batch is recorded, no other runs. */
	ws_wl_pause(w, 5 * SEC, &took);
	ws_wl_epoch_bump(w);	/* close the current epoch, to query it */
	ws_pageset_free(&rd);
	ws_pageset_free(&wr);
	return flt.in_fault ? e1 : UINT64_MAX;
}

/* Was page 7 written in @epoch? */
static int wrote7(struct ws_wl *w, uint64_t epoch)
{
	struct ws_pageset rd, wr;
	int r;

	ws_pageset_init(&rd, NPAGES);
	ws_pageset_init(&wr, NPAGES);
	r = ws_wl_truth(w, epoch, &rd, &wr, SEC);
	r = r ? r : ws_pageset_test(&wr, 7);
	ws_pageset_free(&rd);
	ws_pageset_free(&wr);
	return r;
}

static void blocked_writer(void)
{
	struct ws_wl_opts o = { .nthreads = 1, .seed = 8, .truth = true };
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	struct sigaction old_sa;
	struct ws_wl_counters c;
	uint64_t took, e;
	int waited;

	flt.w = make("region d 64K\nphase p 10s\n d uniform reads 0%\n", &o);
	if (!flt.w)
		return;
	sigaction(SIGSEGV, &sa, &old_sa);
	ws_wl_start(flt.w);
	wait_accesses(flt.w, 10000);	/* page 3 written (see on_segv) */

	/* Interval E -> collect window E+1: the batch belongs to E+1. */
	e = blocked_batch(flt.w, false, 1, &waited);
	ok(e != UINT64_MAX, "worker blocked in a fault on page 7");
	ok(flt.check_live == 0,
	   "in flight: page content one version behind the bumped version is accepted");
	ok(flt.check_landed == 0, "in flight: content with the bumped version is accepted");
	ok(flt.check_older == 1, "in flight: two versions behind is a lost write");
	ok(flt.check_newer == 1, "in flight: a version ahead of the writer is refused");
	ok(flt.check_other == 1,
	   "in flight on page 7: page 3 one version behind is still a lost write");
	ok(waited == -ETIMEDOUT,
	   "truth of the epoch a blocked batch began in waits for it: -ETIMEDOUT");
	ok(e != UINT64_MAX && wrote7(flt.w, e + 1) == 1 && wrote7(flt.w, e) == 0,
	   "batch from interval %llu into the collect window: recorded in %llu",
	   (unsigned long long)e, (unsigned long long)e + 1);

	/* Collect window O -> interval O+1: the batch belongs to O. */
	e = blocked_batch(flt.w, true, 1, &waited);
	ok(e != UINT64_MAX && waited == -ETIMEDOUT && wrote7(flt.w, e) == 1,
	   "batch from collect window %llu into the interval: recorded in %llu",
	   (unsigned long long)e, (unsigned long long)e);

	/* E -> E+2: it spanned the whole window E+1: ambiguous, into E+1. */
	e = blocked_batch(flt.w, false, 2, &waited);
	ws_wl_counters(flt.w, 0, &c);
	ok(e != UINT64_MAX && waited == -ETIMEDOUT &&
	   wrote7(flt.w, e + 1) == 1 && wrote7(flt.w, e) == 0 &&
	   c.ambiguous == 1 && ws_wl_truth_ambiguous(flt.w, e + 1) == 1 &&
	   ws_wl_truth_ambiguous(flt.w, e) == 0 &&
	   ws_wl_truth_ambiguous(flt.w, e + 2) == 0,
	   "batch spanning epochs %llu-%llu: recorded in %llu, the only ambiguous batch (%llu), counted in that epoch",
	   (unsigned long long)e, (unsigned long long)e + 2,
	   (unsigned long long)e + 1, (unsigned long long)c.ambiguous);

	ws_wl_pause(flt.w, 5 * SEC, &took);
	ok(ws_wl_check_all(flt.w, NULL, 0) == 0,
	   "after the blocked writes completed: every page exact");
	ws_wl_destroy(flt.w);
	sigaction(SIGSEGV, &old_sa, NULL);
}

int main(void)
{
	mem = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		ok(0, "mmap");
		return done_testing();
	}
	sweep_case("100%", 1, 100, 0, "1 worker, seq reads, 100 accesses");
	sweep_case("0%", 1, 300, 0, "1 worker, seq writes, 300 accesses over 256 pages");
	sweep_case("100%", 2, 50, 128, "2 workers, seq reads, 50 accesses each");
	two_phases();
	pause_stops();
	deterministic();
	counters();
	phase_positions();
	bad_options();
	lost_and_stale();
	blocked_writer();
	return done_testing();
}
