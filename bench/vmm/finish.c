// SPDX-License-Identifier: GPL-2.0
/*
 * The end of a VMM cycle run (cycle_finish()): totals over the intervals,
 * the run's JSON -- rates on the wall clock, the freeze and pause time
 * beside them, the cold-set scores -- and the integrity verdict, every
 * page against the workers' stamps, each lost page counted once.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_case.h"
#include "cycle_impl.h"
#include "stats.h"

/* p50 and p99 of the workers' sampled access latencies. */
static void latency(const struct cycle *c, double *p50, double *p99)
{
	struct ws_samples s;
	struct ws_summary sum;

	ws_samples_init(&s);
	for (unsigned int t = 0; t < ws_wl_nthreads(c->wl); t++) {
		size_t n;
		const uint64_t *v = ws_wl_lat_samples(c->wl, t, &n);

		for (size_t i = 0; i < n; i++)
			ws_samples_push(&s, (double)v[i]);
	}
	*p50 = *p99 = NAN;
	if (s.n && !ws_summarize(s.v, s.n, 1, &sum, NULL)) {
		*p50 = sum.median;
		*p99 = sum.pctl[2];
	}
	ws_samples_free(&s);
}

struct run_totals {
	double f1, f1_2m, cpu, window_sum;
	size_t scored, evicted;
	uint64_t refaults, recent, false_read, false_write, ambiguous;
	/* decisions, pooled over the scored intervals */
	struct ws_accuracy dec, dec_2m;
	uint64_t dec_false_read, dec_false_write;
	struct ws_samples window;
};

/* F1 of pooled counts: 1 when nothing was cold and nothing called cold. */
static double f1_pooled(const struct ws_accuracy *a)
{
	double d = 2.0 * a->true_pos + a->false_pos + a->false_neg;

	return d > 0 ? 2.0 * a->true_pos / d : 1.0;
}

static void totals(const struct cycle *c, struct run_totals *t)
{
	memset(t, 0, sizeof(*t));
	ws_samples_init(&t->window);
	for (uint32_t k = 0; k < c->o->intervals; k++) {
		const struct cycle_interval *iv = &c->iv[k];

		for (int i = 0; i < CPU_NR; i++)
			t->cpu += (double)iv->cpu[i];
		t->evicted += iv->evicted;
		t->refaults += iv->refaults;
		t->recent += iv->refaults_recent;
		t->ambiguous += iv->ambiguous;
		ws_samples_push(&t->window, (double)iv->window_ns);
		t->window_sum += (double)iv->window_ns;
		if (iv->decisions_scored) {
			ws_accuracy_add(&t->dec, &iv->dec);
			ws_accuracy_add(&t->dec_2m, &iv->dec_2m);
			t->dec_false_read += iv->false_dec_read;
			t->dec_false_write += iv->false_dec_write;
		}
		if (!iv->scored)
			continue;
		t->scored++;
		t->f1 += cycle_f1(&iv->cold);
		t->f1_2m += cycle_f1(&iv->cold_2m);
		t->false_read += iv->false_cold_read;
		t->false_write += iv->false_cold_write;
	}
	ws_accuracy_finish(&t->dec);
	ws_accuracy_finish(&t->dec_2m);
}

static json_t *samples_json(const struct ws_samples *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(a, json_real(s->v[i]));
	return a;
}

/*
 * Every page against the stamps, into @bad, with the first few as
 * examples: the workers are stopped, and reading an evicted page refaults
 * it (checked there too), so the refault handler must still run.
 * Returns the number of bad pages or -errno.
 */
static long check_end(struct cycle *c, struct ws_pageset *bad, json_t *ex)
{
	size_t psz = c->mem->page_size;
	long nbad = 0;

	for (size_t p = 0; p < c->mem->npages; p++) {
		struct ws_wl_bad b;

		if (!ws_wl_check_page(c->wl, p, c->mem->addr + p * psz, &b))
			continue;
		ws_pageset_set(bad, p);
		if (nbad++ < 4)
			json_array_append_new(ex, json_pack("{s:I,s:i,s:I,s:I,s:s}",
				"page", (json_int_t)b.page, "thread", b.thread,
				"expected", (json_int_t)b.expected,
				"found", (json_int_t)b.found, "when", "end"));
	}
	return nbad;
}

/*
 * The verdict, once the refault handler stopped: a page is lost once,
 * whether its content was wrong at a refault (once or more), at the end,
 * or both -- a bad refault installs the bad content, which the end check
 * then finds again unless every wrong word was rewritten since.
 */
static long integrity(struct cycle *c, json_t *run, struct ws_pageset *bad,
		      long at_end, json_t *ex)
{
	size_t at_refault = 0;

	for (size_t p = 0; p < c->mem->npages; p++) {
		if (!c->g.bad_at_refault[p])
			continue;
		at_refault++;
		ws_pageset_set(bad, p);
	}
	if (atomic_load(&c->g.have_bad))
		json_array_append_new(ex, json_pack("{s:I,s:i,s:I,s:I,s:s}",
			"page", (json_int_t)c->g.first_bad.page,
			"thread", c->g.first_bad.thread,
			"expected", (json_int_t)c->g.first_bad.expected,
			"found", (json_int_t)c->g.first_bad.found,
			"when", "refault"));
	json_object_set_new(run, "integrity", json_pack("{s:b,s:I,s:I,s:I,s:I,s:o}",
		"checked", c->guest,
		"pages_lost", (json_int_t)ws_pageset_count(bad),
		"bad_pages_at_end", (json_int_t)at_end,
		"bad_pages_at_refault", (json_int_t)at_refault,
		"bad_refaults", (json_int_t)atomic_load(&c->g.bad_pages),
		"examples", ex));
	return (long)ws_pageset_count(bad);
}

/*
 * Rates and times on the wall clock, for every backend alike: the phase
 * clock stands still while a pause freeze holds the vCPUs, so a rate on
 * it would leave the pause backends' stall out while counting the sync
 * backends' (their vCPUs wait in held faults with the clock running).
 * The pause and freeze windows are recorded beside the rates.
 */
static json_t *run_json(const struct cycle *c, const struct run_totals *t)
{
	struct ws_wl_counters wc;
	double p50, p99, wall_s = (double)ws_wl_wall_ns(c->wl) / 1e9;
	double phase_s = (double)ws_wl_clock_ns(c->wl) / 1e9;

	ws_wl_counters(c->wl, -1, &wc);
	latency(c, &p50, &p99);
	return json_pack("{s:f,s:f,s:f,s:f,s:I,s:I,s:f,s:f,s:o,s:o,s:I,s:I,s:I,s:I,s:I}",
		"wall_s", wall_s, "phase_clock_s", phase_s,
		"paused_s", wall_s - phase_s, "frozen_s", t->window_sum / 1e9,
		"reads", (json_int_t)wc.reads,
		"writes", (json_int_t)wc.writes,
		"accesses_per_s", wall_s > 0 ? (wc.reads + wc.writes) / wall_s : 0.0,
		"refaults_per_s", wall_s > 0 ? t->refaults / wall_s : 0.0,
		"access_p50_ns", isnan(p50) ? json_null() : json_real(p50),
		"access_p99_ns", isnan(p99) ? json_null() : json_real(p99),
		"evicted", (json_int_t)t->evicted,
		"refaults", (json_int_t)t->refaults,
		"refaults_recent", (json_int_t)t->recent,
		"held_faults", (json_int_t)c->held_total,
		"truth_ambiguous_batches", (json_int_t)t->ambiguous);
}

/* The tracker's side of a run: CPU, windows, cold sets. */
static void tracked_json(const struct cycle *c, const struct run_totals *t,
			 json_t *run)
{
	bool any = t->scored;

	json_object_set_new(run, "cpu_per_interval_ns",
			    json_real(t->cpu / c->o->intervals));
	json_object_set_new(run, "window_median_ns",
			    json_real(ws_median(t->window.v, t->window.n)));
	json_object_set_new(run, "f1_cold_decisions", any ?
			    json_real(f1_pooled(&t->dec)) : json_null());
	json_object_set_new(run, "f1_cold_decisions_2m", any ?
			    json_real(f1_pooled(&t->dec_2m)) : json_null());
	json_object_set_new(run, "decisions", ws_accuracy_json(&t->dec));
	json_object_set_new(run, "false_cold_decisions_read",
			    json_integer((json_int_t)t->dec_false_read));
	json_object_set_new(run, "false_cold_decisions_write",
			    json_integer((json_int_t)t->dec_false_write));
	json_object_set_new(run, "f1_cold_cumulative", any ?
			    json_real(t->f1 / t->scored) : json_null());
	json_object_set_new(run, "f1_cold_cumulative_2m", any ?
			    json_real(t->f1_2m / t->scored) : json_null());
	json_object_set_new(run, "false_cold_read",
			    json_integer((json_int_t)t->false_read));
	json_object_set_new(run, "false_cold_write",
			    json_integer((json_int_t)t->false_write));
	json_object_set_new(run, "freeze",
			    json_string(ws_freeze_name(c->freeze)));
}

int cycle_finish(struct cycle *c, json_t **out)
{
	struct run_totals t;
	struct ws_pageset bad = { 0 };
	json_t *ivs = json_array(), *run, *ex = json_array();
	long lost = 0;

	totals(c, &t);
	run = run_json(c, &t);
	if (c->ops)
		tracked_json(c, &t, run);
	if (c->guest)
		lost = ws_pageset_init(&bad, c->mem->npages) ? -ENOMEM :
		       check_end(c, &bad, ex);
	/* Refault latencies and bad refaults are the handler's: read them
	 * once it stopped. */
	if (c->t.ops)
		ws_tracker_close(&c->t);
	ws_uffd_handler_stop(&c->missing_handler);
	if (c->guest && lost >= 0)
		lost = integrity(c, run, &bad, lost, ex);
	else
		json_decref(ex);
	json_object_set_new(run, "refault_ns", samples_json(&c->g.refault_ns));
	if (c->guest)
		json_object_set_new(run, "refault_copy", json_string(
			c->g.read_copy_mode & UFFDIO_COPY_MODE_WP ?
			"UFFDIO_COPY; a read fault's page with UFFDIO_COPY_MODE_WP (back write-protected: read, not written)" :
			"UFFDIO_COPY"));
	for (uint32_t k = 0; k < c->o->intervals; k++)
		json_array_append_new(ivs, cycle_interval_json(c, k + 1,
							       &c->iv[k]));
	*out = json_pack("{s:o,s:o}", "run", run, "intervals", ivs);
	ws_samples_free(&t.window);
	ws_pageset_free(&bad);
	return lost < 0 ? ws_case_fail(c->ctx, (int)lost, "integrity check") : 0;
}
