// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "parse.h"
#include "summary.h"
#include "tracker.h"

/*
 * The headline of each benchmark, from one representative case per
 * backend: anon backing, async mode, no helper threads, 50 % hot,
 * contiguous layout, largest region.  The JSON has every case.
 */
struct headline {
	const char *bench;
	const char *metric;
	const char *label;
	double scale;		/* displayed = median * scale */
	const char *unit;
};

static const struct headline headlines[] = {
	{ "fault-latency", "fault_write_ns", "fault p50", 1e-3, "us" },
	{ "protect-cost", "ns_per_page", "protect/page", 1, "ns" },
	{ "scan-throughput", "pages_per_s", "scan", 1e-6, "Mpg/s" },
	{ "set-mode", "to_sync_ns", "set-mode", 1e-3, "us" },
};

#define NR_HEADLINES (sizeof(headlines) / sizeof(headlines[0]))

static double num(json_t *o, const char *key, double dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : dflt;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* Lower is a better match to the representative case. */
static double case_distance(json_t *c)
{
	json_t *p = json_object_get(c, "params");
	double d = 0;

	if (strcmp(str(c, "backing"), "anon"))
		d += 1e6;
	if (strcmp(str(c, "mode"), "async"))
		d += 1e5;
	d += 1e4 * num(p, "threads", 0);
	d += 10 * fabs(num(p, "hot_pct", 50) - 50);
	if (*str(p, "layout") && strcmp(str(p, "layout"), "contiguous"))
		d += 1e3;
	/* Largest region wins among otherwise equal cases. */
	d -= log2(num(p, "size_bytes", 1) + 1) / 64;
	return d;
}

static json_t *load(const char *dir, const char *bench)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s.json", dir, bench);
	return json_load_file(path, 0, NULL);
}

static int headline_value(json_t *root, const struct headline *h,
			  const char *backend, double *out)
{
	json_t *c, *best = NULL;
	double bestd = INFINITY;
	size_t i;

	json_array_foreach(json_object_get(root, "results"), i, c) {
		double d;

		if (strcmp(str(c, "backend"), backend))
			continue;
		if (!json_object_get(json_object_get(c, "metrics"), h->metric))
			continue;
		d = case_distance(c);
		if (d < bestd) {
			bestd = d;
			best = c;
		}
	}
	if (!best)
		return -1;
	c = json_object_get(json_object_get(json_object_get(best, "metrics"),
					    h->metric), "summary");
	if (!json_is_number(json_object_get(c, "median")))
		return -1;
	*out = num(c, "median", 0) * h->scale;
	return 0;
}

/*
 * Worst precision and recall over the cases a backend is expected to see,
 * at 4 KiB granularity (anon, shmem) and with the TLB as-is (real use).
 * THP granularity and the TLB-flushed variants are in the JSON.
 */
static int accuracy(json_t *root, const char *backend, double *prec,
		    double *rec)
{
	json_t *c;
	size_t i;
	int n = 0;

	*prec = *rec = 1;
	json_array_foreach(json_object_get(root, "results"), i, c) {
		json_t *a = json_object_get(c, "accuracy");

		if (strcmp(str(c, "backend"), backend) || !a ||
		    json_is_false(json_object_get(c, "expected_visible")) ||
		    (strcmp(str(c, "backing"), "anon") &&
		     strcmp(str(c, "backing"), "shmem")) ||
		    !strcmp(str(c, "tlb"), "flushed"))
			continue;
		*prec = fmin(*prec, num(a, "precision", 0));
		*rec = fmin(*rec, num(a, "recall", 0));
		n++;
	}
	return n ? 0 : -1;
}

int ws_summary_print(FILE *out, const char *dir)
{
	json_t *roots[NR_HEADLINES], *corr, *any = NULL;
	const char *accel;

	corr = load(dir, "correctness");
	for (size_t h = 0; h < NR_HEADLINES; h++) {
		roots[h] = load(dir, headlines[h].bench);
		if (roots[h] && !any)
			any = roots[h];
	}
	if (!any)
		any = corr;
	if (!any) {
		fprintf(stderr, "wsbench summary: no result files in %s\n", dir);
		return 1;
	}
	accel = str(any, "accel");
	if (!strcmp(accel, "tcg"))
		fprintf(out, "WARNING: accel=tcg: these ran under QEMU emulation; timings are NOT meaningful, only correctness is.\n");
	fprintf(out, "wsbench %s  kernel %s  accel %s\n", dir,
	       str(json_object_get(json_object_get(any, "environment"),
				   "kernel"), "release"), accel);
	fprintf(out, "%-11s %-13s", "backend", "prec/recall");
	for (size_t h = 0; h < NR_HEADLINES; h++) {
		char col[40];

		snprintf(col, sizeof(col), "%s (%s)", headlines[h].label,
			 headlines[h].unit);
		fprintf(out, " %16s", col);
	}
	fprintf(out, "\n");
	for (size_t t = 0; ws_trackers[t]; t++) {
		const char *name = ws_trackers[t]->name;
		double p, r, v;
		char cell[40];
		int shown = 0;

		if (corr && !accuracy(corr, name, &p, &r)) {
			snprintf(cell, sizeof(cell), "%.3f/%.3f", p, r);
			shown = 1;
		} else {
			snprintf(cell, sizeof(cell), "-");
		}
		fprintf(out, "%-11s %-13s", name, cell);
		for (size_t h = 0; h < NR_HEADLINES; h++) {
			if (roots[h] && !headline_value(roots[h], &headlines[h],
							 name, &v)) {
				snprintf(cell, sizeof(cell), "%.3g", v);
				shown = 1;
			} else {
				snprintf(cell, sizeof(cell), "-");
			}
			fprintf(out, " %16s", cell);
		}
		fprintf(out, "%s\n", shown ? "" : "  (skipped)");
	}
	/* Baselines measured alongside the backends, in the same run. */
	{
		static const struct headline base[] = {
			{ "fault-latency", "present_ns", "present-page access", 1e-3, "us" },
			{ "fault-latency", "first_touch_ns", "first-touch fault", 1e-3, "us" },
			{ "protect-cost", "ns_per_page", "mprotect(PROT_NONE)/page", 1, "ns" },
		};
		static const char *const who[] = { "baseline", "baseline", "mprotect" };

		for (size_t k = 0; k < sizeof(base) / sizeof(base[0]); k++) {
			json_t *root = NULL;
			double v;

			/* Already loaded for the table: no second parse. */
			for (size_t h = 0; h < NR_HEADLINES; h++)
				if (!strcmp(headlines[h].bench, base[k].bench))
					root = roots[h];
			if (root && !headline_value(root, &base[k], who[k], &v))
				fprintf(out, "  baseline %-26s %.3g %s\n", base[k].label,
				       v, base[k].unit);
		}
	}
	fprintf(out, "(prec/recall: worst over anon+shmem correctness cases, TLB as-is;\n"
	       " other cells: one case each: anon, async, no helper threads, 50%% hot,\n"
	       " contiguous, largest region; fault = write access.  All cases: the JSON)\n");
	fprintf(out, "skipped:\n");
	{
		json_t *s, *seen = json_object();
		size_t i;
		json_t *src = corr ? corr : any;

		json_array_foreach(json_object_get(src, "skipped"), i, s) {
			/* Whole-backend skips only; the JSON has the rest. */
			if (json_string_value(json_object_get(s, "backing")) ||
			    json_string_value(json_object_get(s, "mode")))
				continue;
			if (json_object_get(seen, str(s, "backend")))
				continue;
			json_object_set_new(seen, str(s, "backend"), json_true());
			fprintf(out, "  %-11s %s\n", str(s, "backend"), str(s, "reason"));
		}
		json_decref(seen);
	}
	fprintf(out, "results: %s/*.json (schema: results/README.md)\n", dir);
	for (size_t h = 0; h < NR_HEADLINES; h++)
		json_decref(roots[h]);
	json_decref(corr);
	return 0;
}

int ws_summary_main(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: wsbench summary <result-dir>\n");
		return WS_EXIT_USAGE;
	}
	return ws_summary_print(stdout, argv[1]);
}
