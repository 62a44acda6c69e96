// SPDX-License-Identifier: GPL-2.0
/*
 * The interval loop of wsbench attach on the adopted range (loop.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "cycle_impl.h"
#include "invariant.h"
#include "loop.h"
#include "sharers.h"
#include "timing.h"

#define RELEASE_TIMEOUT_MS	30000
#define STOP_TIMEOUT_MS		10000
#define POLL_MS			50

volatile sig_atomic_t ws_attach_stopping;

struct ws_attach_loop {
	struct ws_bench_ctx *ctx;
	const struct ws_attach *a;
	struct ws_session *s;
	struct ws_target *t;
	struct ws_cycle_opts o;
	struct cycle *c;
	uint64_t *bound;		/* [0..n]: CLOCK_MONOTONIC ns */
	uint64_t *hot;			/* n x nwords: detected per interval */
	size_t nwords;
	uint32_t n;			/* intervals done */
	bool scored;
	struct ws_samples stop_ns;	/* pause: stopping the target took */
	const char *ended;		/* why the loop ended */
	char ended_buf[256];
	bool released;			/* the target restored and let go */
	uint64_t restored, restore_failed, restored_by_us;
	char release_error[256];
	/* invariant.h: evicted = refaulted + still evicted + restored */
	uint64_t evicted_total;
	uint32_t checked;		/* intervals checked */
	long lost;			/* pages found broken, -1: unknown */
	bool accounted;			/* the final equation held */
};

/* ---- the freeze "pause": stop the whole target ---- */

static int pause_target(struct cycle *c, uint64_t *took)
{
	struct ws_attach_loop *l = c->pause_arg;
	int ret = ws_target_stop(l->t, STOP_TIMEOUT_MS, took);

	if (!ret)
		ws_samples_push(&l->stop_ns, (double)*took);
	return ret;
}

static void resume_target(struct cycle *c)
{
	struct ws_attach_loop *l = c->pause_arg;

	ws_target_cont(l->t);
}

static void hold(struct cycle *c)
{
	struct ws_attach_loop *l = c->pause_arg;
	struct timespec ts = { l->a->hold_ms / 1000,
			       (long)(l->a->hold_ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* ---- set-up ---- */

static int adopt(struct ws_attach_loop *l, const struct ws_attach_mem *m)
{
	struct cycle *c = l->c;
	size_t psz = ws_page_size();
	char why[512];
	int fd, ret;

	if (c->guest) {
		fd = dup(m->memfd);
		if (fd < 0)
			return ws_case_fail(l->ctx, errno, "dup of the memory fd");
		ret = ws_guest_adopt(&c->g, m->start, m->len, fd,
				     (off_t)m->offset, l->a->tmp, why,
				     sizeof(why));
		c->mem = &c->g.mem;
		if (ret)
			return ws_case_fail(l->ctx, ret, "%s", why);
	} else {
		/* Detection only: nothing mapped here, nothing to unmap. */
		c->anon = (struct ws_mem){
			.backing = m->shared ? WS_BACKING_SHMEM :
				   m->thp ? WS_BACKING_ANON_THP :
				   WS_BACKING_ANON,
			.addr = (char *)(uintptr_t)m->start,
			.len = m->len,
			.page_size = psz,
			.npages = m->len / psz,
			.fd = -1,
		};
		c->mem = &c->anon;
	}
	return cycle_alloc_pages(c);
}

static enum ws_mode run_mode(const struct ws_attach *a, enum ws_freeze f)
{
	/* Paused, nothing needs holding faults: async where offered. */
	if (f != WS_FREEZE_SYNC && (a->ops->modes & WS_MODE_BIT(WS_MODE_ASYNC)))
		return WS_MODE_ASYNC;
	return ws_cycle_mode(a->ops);
}

static int setup(struct ws_attach_loop *l, const struct ws_attach_mem *m)
{
	const struct ws_attach *a = l->a;
	bool evict = m->memfd >= 0 && !a->no_evict;
	enum ws_freeze f = ws_cycle_freeze(a->ops, a->unsafe);
	struct cycle *c;
	char why[512];
	int ret;

	if (evict && f != WS_FREEZE_NONE && a->freeze == WS_ATTACH_FREEZE_PAUSE)
		f = WS_FREEZE_PAUSE;
	if (!evict)
		f = WS_FREEZE_NONE;	/* nothing evicted, nothing to freeze */
	l->o = (struct ws_cycle_opts){
		.backing = evict ? WS_BACKING_SHMEM : WS_BACKING_ANON,
		.size = m->len,
		.intervals = a->intervals ? a->intervals :
			     WS_ATTACH_MAX_INTERVALS,
		.interval_ns = (uint64_t)(a->interval_ms * 1e6),
		.cold_after = a->cold_after,
		.unsafe = a->unsafe,
		.seed = a->seed,
		.storage_dir = a->tmp,
	};
	c = l->c = cycle_alloc(l->ctx, &l->o, a->ops, run_mode(a, f));
	if (!c)
		return ws_case_fail(l->ctx, ENOMEM, "out of memory");
	c->guest = evict;
	c->freeze = f;
	c->pause = pause_target;
	c->resume = resume_target;
	c->in_window = a->hold_ms ? hold : NULL;
	c->pause_arg = l;
	c->t.target = (struct ws_tracker_target){
		.pid = l->t->pid,
		.open_uffd = l->s ? ws_session_open_uffd : NULL,
		.arg = l->s,
	};
	l->nwords = (m->len / ws_page_size() + 63) / 64;
	l->bound = calloc(l->o.intervals + 1, sizeof(*l->bound));
	l->hot = calloc((size_t)l->o.intervals * l->nwords, sizeof(*l->hot));
	if (!l->bound || !l->hot)
		return ws_case_fail(l->ctx, ENOMEM, "per-interval state");
	ret = adopt(l, m);
	if (!ret && evict) {
		ret = ws_session_storage(l->s, c->g.storage_fd, c->g.state_fd,
					 c->mem->npages, c->mem->page_size, why,
					 sizeof(why));
		if (ret)
			return ws_case_fail(l->ctx, ret, "%s", why);
	}
	return ret ? ret : cycle_setup_tracker(c, c->ops_mode);
}

/* ---- the loop ---- */

static const char *unmap_why(uint32_t reason)
{
	switch (reason) {
	case WS_HO_UNMAP_MREMAP:
		return "the target remapped the range (mremap)";
	case WS_HO_UNMAP_EXIT:
		return "the target exited";
	case WS_HO_UNMAP_FORK:
		return "the target forked: a child would share the range without its uffd, so it was handed back first, every page restored";
	default:
		return "the target unmapped the range";
	}
}

/*
 * Before evicting: does any process but the target (and us, the I/O
 * view) map the memory?  It would read evicted pages as zeros (sharers.h).
 */
static const char *shared_elsewhere(struct ws_attach_loop *l)
{
	pid_t skip[2] = { getpid(), l->t->pid }, first;
	int n;

	if (!l->c->guest)
		return NULL;
	n = ws_sharers(l->c->g.mem.fd, skip, 2, &first);
	if (n < 0)
		snprintf(l->ended_buf, sizeof(l->ended_buf),
			 "cannot tell who else maps the range (%s): eviction stopped",
			 strerror(-n));
	else if (n)
		snprintf(l->ended_buf, sizeof(l->ended_buf),
			 "pid %d (and %d more) maps the range too, without its uffd: eviction stopped, every page restored",
			 (int)first, n - 1);
	return n ? l->ended_buf : NULL;
}

/* Sleep until @end_ns watching the target; why to stop, or NULL. */
static const char *wait_interval(struct ws_attach_loop *l, uint64_t end_ns)
{
	uint64_t now;

	while ((now = ws_now_ns()) < end_ns) {
		int ms = (int)((end_ns - now) / 1000000) + 1;

		if (ms > POLL_MS)
			ms = POLL_MS;
		if (l->s && ws_session_poll(l->s, ms))
			return l->s->unmapping ? unmap_why(l->s->unmap_reason) :
			       "the target's handoff socket closed";
		if (!l->s) {
			struct timespec ts = { 0, ms * 1000000L };

			nanosleep(&ts, NULL);
		}
		if (!ws_target_alive(l->t))
			return "the target exited";
		if (ws_attach_stopping)
			return "wsbench was asked to stop (signal)";
	}
	return NULL;
}

/*
 * An interval that failed because the target was exiting (its mm gone:
 * PAGEMAP_SCAN and the freeze say ESRCH) ends the loop as the exit would
 * at an interval's edge.  Give the exit a second to show.
 */
static bool exited_meanwhile(struct ws_attach_loop *l)
{
	const struct timespec ts = { 0, 10 * 1000000L };

	for (int i = 0; i < 100; i++) {
		if (!ws_target_alive(l->t))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/* Refault counters at an interval's start: its refaults happen all along. */
struct counters {
	uint64_t refaults, recent, handler_ns;
};

static void counters(const struct cycle *c, struct counters *n)
{
	n->refaults = atomic_load(&c->g.refaults);
	n->recent = atomic_load(&c->g.refaults_recent);
	n->handler_ns = cycle_handler_cpu(c);
}

static int one_interval(struct ws_attach_loop *l, uint32_t k,
			const struct counters *n0)
{
	struct cycle *c = l->c;
	struct cycle_interval *iv = &c->iv[k - 1];
	int ret;

	iv->t_s = (double)(ws_now_ns() - l->bound[0]) / 1e9;
	ret = cycle_manage(c, k, iv);
	l->bound[k] = ws_now_ns();
	memcpy(l->hot + (size_t)(k - 1) * l->nwords, c->hot.bits,
	       l->nwords * sizeof(uint64_t));
	iv->refaults = atomic_load(&c->g.refaults) - n0->refaults;
	iv->refaults_recent = atomic_load(&c->g.refaults_recent) - n0->recent;
	iv->cpu[CPU_HANDLER] = cycle_handler_cpu(c) - n0->handler_ns;
	iv->resident = c->guest ? ws_guest_resident(&c->g) : c->mem->npages;
	if (!l->a->quiet)
		fprintf(stderr, "wsbench attach: interval %u: hot %zu, evicted %zu, refaults %llu, window %.0f us\n",
			k, iv->detected, iv->evicted,
			(unsigned long long)iv->refaults, iv->window_ns / 1e3);
	return ret;
}

/* Every interval: no page marked evicted holds data no refault put there. */
static int check_holes(struct ws_attach_loop *l, uint32_t k)
{
	char why[512];
	long n;

	if (!l->c->guest)
		return 0;
	n = ws_inv_holes(&l->c->g, why, sizeof(why));
	l->checked = k;
	if (n < 0)
		return ws_case_fail(l->ctx, (int)n, "interval %u: checking evicted pages: %s",
				    k, strerror((int)-n));
	l->lost = n;
	return n ? ws_case_fail(l->ctx, EIO, "interval %u: %s", k, why) : 0;
}

/*
 * Once the target restored (or we did) and the refault handler stopped,
 * the counts are exact: every page evicted came back one way or another.
 */
static int check_accounts(struct ws_attach_loop *l, int ret)
{
	struct cycle *c = l->c;
	uint64_t back = atomic_load(&c->g.refaults) + l->restored +
			l->restored_by_us;

	if (!c->guest || l->evicted_total == 0)
		return ret;
	l->accounted = back == l->evicted_total && !l->restore_failed;
	if (l->accounted || ret)
		return ret;
	return ws_case_fail(l->ctx, EIO, "%llu pages evicted, but %llu refaulted + %llu restored by the target + %llu by wsbench, %llu could not be restored: %lld pages unaccounted for, their content lost",
			    (unsigned long long)l->evicted_total,
			    (unsigned long long)atomic_load(&c->g.refaults),
			    (unsigned long long)l->restored,
			    (unsigned long long)l->restored_by_us,
			    (unsigned long long)l->restore_failed,
			    (long long)(l->evicted_total - back));
}

/*
 * The target is gone but its memory may live on (a tmpfs file): put
 * every evicted page that is a hole back, as the library would have.
 */
static void restore_ourselves(struct ws_attach_loop *l)
{
	struct ws_guest *g = &l->c->g;
	size_t psz = g->mem.page_size;

	for (size_t i = 0; i < g->mem.npages; i++) {
		off_t off = (off_t)(l->s->range.offset + i * psz);

		if (ws_guest_is_resident(g, i) ||
		    lseek(g->mem.fd, off, SEEK_DATA) == off)
			continue;
		if (pread(g->storage_fd, g->bounce, psz, (off_t)(i * psz)) ==
		    (ssize_t)psz &&
		    pwrite(g->mem.fd, g->bounce, psz, off) == (ssize_t)psz)
			l->restored_by_us++;
		else
			l->restore_failed++;
	}
}

/* Stop tracking, then let the target restore and close its uffd. */
static void give_back(struct ws_attach_loop *l)
{
	struct cycle *c = l->c;

	ws_tracker_close(&c->t);
	ws_uffd_handler_stop(&c->missing_handler);
	if (c->missing_uffd >= 0)
		close(c->missing_uffd);
	c->missing_uffd = -1;
	if (!l->s)
		return;
	if (!l->s->gone && !ws_session_release(l->s, RELEASE_TIMEOUT_MS,
					       l->release_error,
					       sizeof(l->release_error))) {
		l->released = true;
		l->restored = l->s->restored;
		l->restore_failed = l->s->restore_failed;
	} else if (c->guest) {
		restore_ourselves(l);
	}
}

int ws_attach_loop_run(struct ws_bench_ctx *ctx, const struct ws_attach *a,
		       const struct ws_attach_mem *m, struct ws_session *s,
		       struct ws_target *t, struct ws_attach_loop **out)
{
	struct ws_attach_loop *l = calloc(1, sizeof(*l));
	uint32_t k;
	int ret;

	*out = l;
	if (!l)
		return ws_case_fail(ctx, ENOMEM, "out of memory");
	l->ctx = ctx;
	l->a = a;
	l->s = s;
	l->t = t;
	ws_samples_init(&l->stop_ns);
	ret = setup(l, m);
	if (!ret)
		l->bound[0] = ws_now_ns();
	for (k = 1; !ret && k <= l->o.intervals; k++) {
		struct counters n0;

		counters(l->c, &n0);
		l->ended = wait_interval(l, l->bound[0] + k * l->o.interval_ns);
		if (!l->ended)
			l->ended = shared_elsewhere(l);
		if (l->ended)
			break;
		ret = one_interval(l, k, &n0);
		l->evicted_total += l->c->iv[k - 1].evicted;
		if (ret && exited_meanwhile(l)) {
			l->ended = "the target exited (during an interval, not counted)";
			ret = 0;
			break;
		}
		l->n = k;
		if (!ret)
			ret = check_holes(l, k);
	}
	if (!l->ended)
		l->ended = ret ? "error" : a->intervals ?
			   "the intervals asked for were done" :
			   "the interval limit was reached";
	if (l->c && l->c->t.ops) {
		give_back(l);
		ret = check_accounts(l, ret);
	}
	/* A target stopped by a failed freeze must not stay stopped. */
	ws_target_cont(t);
	return ret;
}

/* ---- scoring, once the truth is known ---- */

void ws_attach_loop_span(const struct ws_attach_loop *l, uint64_t *first_ns,
			 uint64_t *last_ns)
{
	*first_ns = l->bound ? l->bound[0] : 0;
	*last_ns = l->bound ? l->bound[l->n] : 0;
}

void ws_attach_loop_score(struct ws_attach_loop *l, struct ws_truth *truth)
{
	struct cycle *c = l->c;
	size_t np = c->mem->npages;

	/* Replay: det_last as it was at each interval. */
	memset(c->det_last, 0, np * sizeof(*c->det_last));
	memset(c->true_last, 0, np * sizeof(*c->true_last));
	memset(c->true_wlast, 0, np * sizeof(*c->true_wlast));
	truth->next = 0;
	for (uint32_t k = 1; k <= l->n; k++) {
		struct cycle_interval *iv = &c->iv[k - 1];
		const uint64_t *hot = l->hot + (size_t)(k - 1) * l->nwords;
		size_t ws = 0;

		iv->ambiguous = ws_truth_interval(truth, l->bound[k - 1],
						  l->bound[k], &c->rd, &c->wr);
		for (size_t p = 0; p < np; p++) {
			bool w = ws_pageset_test(&c->wr, p);

			if (hot[p / 64] >> (p % 64) & 1)
				c->det_last[p] = k;
			if (w || ws_pageset_test(&c->rd, p))
				c->true_last[p] = k;
			if (w)
				c->true_wlast[p] = k;
			ws += c->true_last[p] == k;
		}
		iv->true_ws = ws;
		iv->false_cold_read = iv->false_cold_write = 0;
		if (k >= c->o->cold_after)
			cycle_score_cold(c, k, iv);
	}
	l->scored = true;
}

/* ---- JSON ---- */

static double f1(const struct ws_accuracy *a)
{
	double d = a->precision + a->recall;

	return d > 0 ? 2 * a->precision * a->recall / d : 0;
}

static json_t *samples_json(const struct ws_samples *s)
{
	json_t *v = json_array();

	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(v, json_real(s->v[i]));
	return v;
}

static json_t *totals_json(struct ws_attach_loop *l)
{
	struct cycle *c = l->c;
	double cpu = 0, f = 0, f2 = 0;
	uint64_t ev = 0, fr = 0, fw = 0, amb = 0, called = 0;
	size_t scored = 0;
	struct ws_samples win;
	json_t *j;

	ws_samples_init(&win);
	for (uint32_t k = 0; k < l->n; k++) {
		const struct cycle_interval *iv = &c->iv[k];

		for (int i = 0; i < CPU_NR; i++)
			cpu += (double)iv->cpu[i];
		ev += iv->evicted;
		amb += iv->ambiguous;
		ws_samples_push(&win, (double)iv->window_ns);
		if (!iv->scored)
			continue;
		scored++;
		f += f1(&iv->cold);
		f2 += f1(&iv->cold_2m);
		fr += iv->false_cold_read;
		fw += iv->false_cold_write;
		called += iv->cold.reported;
	}
	j = json_pack("{s:s,s:s,s:I,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:b,s:I,s:I,s:I}",
		"mode", ws_mode_name(c->ops_mode),
		"backing", ws_backing_name(c->mem->backing),
		"intervals", (json_int_t)l->n,
		"ended", l->ended,
		"freeze", ws_freeze_name(c->freeze),
		"evicted", (json_int_t)ev,
		/* All of them: also those after the last interval's end. */
		"refaults", (json_int_t)atomic_load(&c->g.refaults),
		"refaults_recent", (json_int_t)atomic_load(&c->g.refaults_recent),
		"first_touches", (json_int_t)atomic_load(&c->g.first_touches),
		"held_faults", (json_int_t)c->held_total,
		"released", l->released,
		"restored_by_target", (json_int_t)l->restored,
		"restored_by_wsbench", (json_int_t)l->restored_by_us,
		"restore_failed", (json_int_t)l->restore_failed);
	json_object_set_new(j, "release_error", json_string(l->release_error));
	json_object_set_new(j, "invariant", json_pack("{s:s,s:I,s:I,s:I,s:b}",
		"rule", "evicted = refaulted + still evicted (a hole) + restored at release",
		"intervals_checked", (json_int_t)l->checked,
		"evicted", (json_int_t)l->evicted_total,
		"pages_lost", (json_int_t)l->lost,
		"accounted_at_release", l->accounted));
	json_object_set_new(j, "cpu_per_interval_ns",
			    l->n ? json_real(cpu / l->n) : json_null());
	json_object_set_new(j, "window_median_ns",
			    win.n ? json_real(ws_median(win.v, win.n)) :
			    json_null());
	json_object_set_new(j, "scored", json_boolean(l->scored));
	json_object_set_new(j, "f1_cold", scored ? json_real(f / scored) :
			    json_null());
	json_object_set_new(j, "f1_cold_2m", scored ? json_real(f2 / scored) :
			    json_null());
	json_object_set_new(j, "called_cold", json_integer(called));
	json_object_set_new(j, "false_cold_read", json_integer(fr));
	json_object_set_new(j, "false_cold_write", json_integer(fw));
	json_object_set_new(j, "truth_ambiguous_accesses", json_integer(amb));
	ws_samples_free(&win);
	return j;
}

json_t *ws_attach_loop_json(struct ws_attach_loop *l)
{
	json_t *ivs = json_array();

	if (!l->c)
		return json_pack("{s:{s:s},s:o}", "run", "ended", l->ended ?
				 l->ended : "set-up failed", "intervals", ivs);
	for (uint32_t k = 0; k < l->n; k++)
		json_array_append_new(ivs, cycle_interval_json(l->c, k + 1,
							       &l->c->iv[k]));
	return json_pack("{s:o,s:o,s:o,s:o}", "run", totals_json(l),
			 "intervals", ivs,
			 "refault_ns", samples_json(&l->c->g.refault_ns),
			 "stop_ns", samples_json(&l->stop_ns));
}

void ws_attach_loop_free(struct ws_attach_loop *l)
{
	if (!l)
		return;
	if (l->c)
		cycle_free(l->c);
	free(l->bound);
	free(l->hot);
	ws_samples_free(&l->stop_ns);
	free(l);
}
