// SPDX-License-Identifier: GPL-2.0
/*
 * The VMM cycle against ground truth: per interval, the cold set the
 * tracker implied (not hot in the last K intervals) against the pages the
 * workload really did not touch in that time; at the end, every page's
 * content against the workers' integrity stamps.
 *
 * Truth for interval k is the union of the engine's epochs 2k-2 (the
 * interval) and 2k-1 (the manager's window): an access made while the
 * manager collected or evicted was made, and a tracker that evicts that
 * page pays a refault for it, so it counts against the tracker.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "cycle_impl.h"
#include "stats.h"

#define TRUTH_TIMEOUT_NS	(30ULL * 1000000000ULL)
#define GRANULE_2M		512

static int fetch_epoch(struct cycle *c, uint64_t e, uint32_t k,
		       struct cycle_interval *iv)
{
	int ret = ws_wl_truth(c->wl, e, &c->rd, &c->wr, TRUTH_TIMEOUT_NS);

	if (ret)
		return ws_case_fail(c->ctx, ret, "ground truth of epoch %llu",
				    (unsigned long long)e);
	iv->ambiguous += ws_wl_truth_ambiguous(c->wl, e);
	for (size_t p = 0; p < c->mem->npages; p++) {
		bool w = ws_pageset_test(&c->wr, p);

		if (w || ws_pageset_test(&c->rd, p))
			c->true_last[p] = k;
		if (w)
			c->true_wlast[p] = k;
	}
	return 0;
}

static void acc_finish(struct ws_accuracy *a)
{
	a->precision = a->reported ? (double)a->true_pos / a->reported : 1.0;
	a->recall = a->truth ? (double)a->true_pos / a->truth : 1.0;
}

/* Cold sets at 4 KiB, and per 2 MiB (a granule is cold when all is). */
void cycle_score_cold(struct cycle *c, uint32_t k, struct cycle_interval *iv)
{
	unsigned int K = c->o->cold_after;
	struct ws_accuracy *a = &iv->cold, *g = &iv->cold_2m;
	bool gdet = true, gtrue = true;

	memset(a, 0, sizeof(*a));
	memset(g, 0, sizeof(*g));
	for (size_t p = 0; p < c->mem->npages; p++) {
		bool det = c->det_last[p] + K <= k;
		bool tru = c->true_last[p] + K <= k;

		a->truth += tru;
		a->reported += det;
		a->true_pos += det && tru;
		a->false_neg += tru && !det;
		if (det && !tru) {
			a->false_pos++;
			if (c->true_wlast[p] + K > k)
				iv->false_cold_write++;
			else
				iv->false_cold_read++;
		}
		gdet &= det;
		gtrue &= tru;
		if ((p + 1) % GRANULE_2M && p + 1 < c->mem->npages)
			continue;
		g->truth += gtrue;
		g->reported += gdet;
		g->true_pos += gdet && gtrue;
		g->false_pos += gdet && !gtrue;
		g->false_neg += gtrue && !gdet;
		gdet = gtrue = true;
	}
	acc_finish(a);
	acc_finish(g);
	iv->scored = true;
}

int cycle_score(struct cycle *c, uint32_t k, struct cycle_interval *iv)
{
	size_t ws = 0;
	int ret;

	ret = fetch_epoch(c, 2 * (uint64_t)k - 2, k, iv);
	if (!ret)
		ret = fetch_epoch(c, 2 * (uint64_t)k - 1, k, iv);
	if (ret)
		return ret;
	for (size_t p = 0; p < c->mem->npages; p++)
		ws += c->true_last[p] == k;
	iv->true_ws = ws;
	if (c->ops && k >= c->o->cold_after)
		cycle_score_cold(c, k, iv);
	return 0;
}

/* ---- the run's JSON ---- */

static double f1(const struct ws_accuracy *a)
{
	double d = a->precision + a->recall;

	return d > 0 ? 2 * a->precision * a->recall / d : 0;
}

json_t *cycle_interval_json(const struct cycle *c, uint32_t k,
			    const struct cycle_interval *iv)
{
	json_t *cpu = json_object(), *j;

	for (int i = 0; i < CPU_NR; i++)
		json_object_set_new(cpu, cycle_cpu_names[i],
				    json_integer((json_int_t)iv->cpu[i]));
	j = json_pack("{s:I,s:f,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:I}",
		      "i", (json_int_t)k, "t_s", iv->t_s,
		      "true_ws_pages", (json_int_t)iv->true_ws,
		      "detected_ws_pages", (json_int_t)iv->detected,
		      "resident_pages", (json_int_t)iv->resident,
		      "evicted", (json_int_t)iv->evicted,
		      "refaults", (json_int_t)iv->refaults,
		      "refaults_recent", (json_int_t)iv->refaults_recent,
		      "window_ns", (json_int_t)iv->window_ns,
		      "cpu_ns", cpu,
		      "truth_ambiguous_batches", (json_int_t)iv->ambiguous);
	if (iv->scored) {
		json_object_set_new(j, "f1_cold", json_real(f1(&iv->cold)));
		json_object_set_new(j, "f1_cold_2m",
				    json_real(f1(&iv->cold_2m)));
		json_object_set_new(j, "cold", ws_accuracy_json(&iv->cold));
		json_object_set_new(j, "false_cold_read",
				    json_integer(iv->false_cold_read));
		json_object_set_new(j, "false_cold_write",
				    json_integer(iv->false_cold_write));
	}
	(void)c;
	return j;
}

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
	double f1, f1_2m, cpu;
	size_t scored, evicted;
	uint64_t refaults, recent, false_read, false_write, ambiguous;
	struct ws_samples window;
};

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
		if (!iv->scored)
			continue;
		t->scored++;
		t->f1 += f1(&iv->cold);
		t->f1_2m += f1(&iv->cold_2m);
		t->false_read += iv->false_cold_read;
		t->false_write += iv->false_cold_write;
	}
}

static json_t *samples_json(const struct ws_samples *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(a, json_real(s->v[i]));
	return a;
}

/* Every page against the stamps; evicted pages refault (and are checked). */
static long integrity(struct cycle *c, json_t *run)
{
	struct ws_wl_bad bad[4];
	long nbad = ws_wl_check_all(c->wl, bad, 4);
	long lost = (nbad > 0 ? nbad : 0) + (long)atomic_load(&c->g.bad_pages);
	json_t *ex = json_array();

	for (long i = 0; i < nbad && i < 4; i++)
		json_array_append_new(ex, json_pack("{s:I,s:i,s:I,s:I}",
			"page", (json_int_t)bad[i].page, "thread", bad[i].thread,
			"expected", (json_int_t)bad[i].expected,
			"found", (json_int_t)bad[i].found));
	if (atomic_load(&c->g.have_bad))
		json_array_append_new(ex, json_pack("{s:I,s:i,s:I,s:I,s:s}",
			"page", (json_int_t)c->g.first_bad.page,
			"thread", c->g.first_bad.thread,
			"expected", (json_int_t)c->g.first_bad.expected,
			"found", (json_int_t)c->g.first_bad.found,
			"when", "refault"));
	json_object_set_new(run, "integrity", json_pack("{s:b,s:I,s:I,s:I,s:o}",
		"checked", c->guest,
		"pages_lost", (json_int_t)lost,
		"bad_pages_at_end", (json_int_t)(nbad > 0 ? nbad : 0),
		"bad_pages_at_refault", (json_int_t)atomic_load(&c->g.bad_pages),
		"examples", ex));
	return nbad < 0 ? nbad : lost;
}

int cycle_finish(struct cycle *c, json_t **out)
{
	struct ws_wl_counters wc;
	struct run_totals t;
	double p50, p99, run_s = (double)ws_wl_clock_ns(c->wl) / 1e9;
	json_t *ivs = json_array(), *run;
	long lost = 0;

	totals(c, &t);
	ws_wl_counters(c->wl, -1, &wc);
	latency(c, &p50, &p99);
	run = json_pack("{s:f,s:I,s:I,s:f,s:o,s:o,s:I,s:I,s:I,s:I,s:I}",
		"run_s", run_s, "reads", (json_int_t)wc.reads,
		"writes", (json_int_t)wc.writes,
		"accesses_per_s", run_s > 0 ? (wc.reads + wc.writes) / run_s : 0.0,
		"access_p50_ns", isnan(p50) ? json_null() : json_real(p50),
		"access_p99_ns", isnan(p99) ? json_null() : json_real(p99),
		"evicted", (json_int_t)t.evicted,
		"refaults", (json_int_t)t.refaults,
		"refaults_recent", (json_int_t)t.recent,
		"held_faults", (json_int_t)c->held_total,
		"truth_ambiguous_batches", (json_int_t)t.ambiguous);
	if (c->ops) {
		json_object_set_new(run, "cpu_per_interval_ns",
				    json_real(t.cpu / c->o->intervals));
		json_object_set_new(run, "window_median_ns",
				    json_real(ws_median(t.window.v, t.window.n)));
		json_object_set_new(run, "f1_cold", t.scored ?
				    json_real(t.f1 / t.scored) : json_null());
		json_object_set_new(run, "f1_cold_2m", t.scored ?
				    json_real(t.f1_2m / t.scored) : json_null());
		json_object_set_new(run, "false_cold_read",
				    json_integer(t.false_read));
		json_object_set_new(run, "false_cold_write",
				    json_integer(t.false_write));
		json_object_set_new(run, "freeze",
				    json_string(ws_freeze_name(c->freeze)));
	}
	if (c->guest)
		lost = integrity(c, run);
	/* Refault latencies are the handler's: read them once it stopped. */
	if (c->t.ops)
		ws_tracker_close(&c->t);
	ws_uffd_handler_stop(&c->missing_handler);
	json_object_set_new(run, "refault_ns", samples_json(&c->g.refault_ns));
	for (uint32_t k = 0; k < c->o->intervals; k++)
		json_array_append_new(ivs, cycle_interval_json(c, k + 1,
							       &c->iv[k]));
	*out = json_pack("{s:o,s:o}", "run", run, "intervals", ivs);
	ws_samples_free(&t.window);
	return lost < 0 ? ws_case_fail(c->ctx, (int)lost, "integrity check") : 0;
}
