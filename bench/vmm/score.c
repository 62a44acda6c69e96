// SPDX-License-Identifier: GPL-2.0
/*
 * The VMM cycle against ground truth: per interval, the cold set the
 * tracker implied (not hot in the last K intervals) against the pages the
 * workload really did not touch in that time: over every page (the
 * cumulative score) and over the pages the interval decided on (those
 * resident when the cold set was picked).  The run's end is in finish.c.
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

#include "bench_case.h"
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

		ws_accuracy_count(a, det, tru);
		if (det && !tru) {
			if (c->true_wlast[p] + K > k)
				iv->false_cold_write++;
			else
				iv->false_cold_read++;
		}
		gdet &= det;
		gtrue &= tru;
		if ((p + 1) % GRANULE_2M && p + 1 < c->mem->npages)
			continue;
		ws_accuracy_count(g, gdet, gtrue);
		gdet = gtrue = true;
	}
	ws_accuracy_finish(a);
	ws_accuracy_finish(g);
	iv->scored = true;
}

/*
 * The pages decided on: each resident page at the decision, called cold
 * (picked for eviction) or not, against "untouched in the last K
 * intervals".  A 2 MiB granule counts when any of its pages was resident,
 * as cold when all its resident pages are.
 */
void cycle_score_decisions(struct cycle *c, uint32_t k,
			   struct cycle_interval *iv)
{
	unsigned int K = c->o->cold_after;
	struct ws_accuracy *a = &iv->dec, *g = &iv->dec_2m;
	bool gany = false, gdet = true, gtrue = true;

	memset(a, 0, sizeof(*a));
	memset(g, 0, sizeof(*g));
	for (size_t p = 0; p < c->mem->npages; p++) {
		bool in = ws_pageset_test(&c->decided, p);
		bool det = c->det_last[p] + K <= k;
		bool tru = c->true_last[p] + K <= k;

		if (in) {
			ws_accuracy_count(a, det, tru);
			if (det && !tru && c->true_wlast[p] + K > k)
				iv->false_dec_write++;
			else if (det && !tru)
				iv->false_dec_read++;
			gany = true;
			gdet &= det;
			gtrue &= tru;
		}
		if ((p + 1) % GRANULE_2M && p + 1 < c->mem->npages)
			continue;
		if (gany)	/* cold when all its resident pages are */
			ws_accuracy_count(g, gdet, gtrue);
		gany = false;
		gdet = gtrue = true;
	}
	ws_accuracy_finish(a);
	ws_accuracy_finish(g);
	iv->decisions_scored = true;
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
	if (c->ops && k >= c->o->cold_after) {
		cycle_score_cold(c, k, iv);
		cycle_score_decisions(c, k, iv);
	}
	return 0;
}

/* ---- the intervals' JSON ---- */

double cycle_f1(const struct ws_accuracy *a)
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
		json_object_set_new(j, "f1_cold",
				    json_real(cycle_f1(&iv->cold)));
		json_object_set_new(j, "f1_cold_2m",
				    json_real(cycle_f1(&iv->cold_2m)));
		json_object_set_new(j, "cold", ws_accuracy_json(&iv->cold));
		json_object_set_new(j, "false_cold_read",
				    json_integer(iv->false_cold_read));
		json_object_set_new(j, "false_cold_write",
				    json_integer(iv->false_cold_write));
	}
	if (iv->decisions_scored)
		json_object_set_new(j, "decisions", json_pack("{s:f,s:f,s:o,s:I,s:I}",
			"f1_cold", cycle_f1(&iv->dec),
			"f1_cold_2m", cycle_f1(&iv->dec_2m),
			"cold", ws_accuracy_json(&iv->dec),
			"false_cold_read", (json_int_t)iv->false_dec_read,
			"false_cold_write", (json_int_t)iv->false_dec_write));
	(void)c;
	return j;
}
