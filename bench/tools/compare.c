// SPDX-License-Identifier: GPL-2.0
/*
 * The comparison of two runs as data (tools.h: ws_compare_runs()): cases
 * paired by their identity (headline.h), for each headline metric the
 * medians of A and B, the ratio B/A and its bootstrap CI (ratio.h), and a
 * marker only where that CI excludes 1.  Text and --json both render this.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "envdiff.h"
#include "headline.h"
#include "ratio.h"
#include "rundir.h"
#include "tools.h"

#define RESAMPLES	2000
#define LEVEL		0.95

/* JSON has no NaN. */
static json_t *num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/* One bootstrap stream per row, reproducible from the run's seed. */
static uint64_t row_seed(uint64_t seed, const char *key, const char *metric)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (const char *s = key; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	for (const char *s = metric; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static const char *marker(double ratio, int significant, int higher_better)
{
	if (!significant)
		return "";
	return (ratio > 1) == !!higher_better ? "better" : "worse";
}

/* Medians, ratio and its CI of a series in A and B into @row. */
static int series_row(json_t *row, const struct ws_metric *ma,
		      const struct ws_metric *mb, uint64_t seed)
{
	struct ws_series_view va, vb;
	double *sa, *sb;
	size_t *za, *zb;
	struct ws_ratio r;
	int err = ws_series_view_of(ma->series, &va, &sa, &za) |
		  ws_series_view_of(mb->series, &vb, &sb, &zb);

	if (!err)
		err = ws_ratio_of_medians(&va, &vb, RESAMPLES, LEVEL, seed, &r);
	free(sa);
	free(sb);
	free(za);
	free(zb);
	if (err)
		return -1;
	json_object_set_new(row, "median_a", num(r.median_a));
	json_object_set_new(row, "median_b", num(r.median_b));
	json_object_set_new(row, "ratio", num(r.ratio));
	json_object_set_new(row, "ci95", isfinite(r.lo) ?
			    json_pack("[ff]", r.lo, r.hi) : json_null());
	json_object_set_new(row, "ci_unit", json_string(ws_jstr(ma->series,
						"summary.ci_unit")));
	json_object_set_new(row, "marker", json_string(marker(r.ratio,
				ws_ratio_significant(&r), ma->higher_better)));
	return 0;
}

/*
 * Exact page counts of one run each: no CI.  A difference is marked,
 * unless both are rates of a case declared lossy (struct ws_metric
 * varies), which vary from run to run: those are only shown.
 */
static void exact_row(json_t *row, const struct ws_metric *ma,
		      const struct ws_metric *mb)
{
	double ratio = ma->value != 0 ? mb->value / ma->value : NAN;
	int marked = ma->value != mb->value && !(ma->varies && mb->varies);

	json_object_set_new(row, "median_a", num(ma->value));
	json_object_set_new(row, "median_b", num(mb->value));
	json_object_set_new(row, "ratio", num(ratio));
	json_object_set_new(row, "ci95", json_null());
	json_object_set_new(row, "ci_unit", json_string(
		ma->varies && mb->varies ? "varies" : "exact"));
	json_object_set_new(row, "marker", json_string(
		!marked ? "" :
		(mb->value > ma->value) == ma->higher_better ? "better" :
							       "worse"));
}

static json_t *new_row(const char *bench, json_t *c, const char *key,
		       const struct ws_metric *m)
{
	char *label = ws_case_label(c);
	json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}",
				"benchmark", bench, "case", label ? label : "",
				"key", key, "metric", m->name,
				"unit", m->unit ? m->unit : "",
				"better", m->higher_better ? "higher" : "lower",
				"exact", !m->series);

	free(label);
	return row;
}

static void unpaired(json_t *out, const char *side, const char *bench,
		     json_t *c, const char *metric)
{
	char *label = c ? ws_case_label(c) : NULL;

	json_array_append_new(out, json_pack("{s:s, s:s, s:s?, s:s?}",
				"only_in", side, "benchmark", bench,
				"case", label, "metric", metric));
	free(label);
}

static const struct ws_metric *find_metric(const struct ws_metric *m,
					   size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(m[i].name, name))
			return &m[i];
	return NULL;
}

struct pairing {
	const char *bench;
	uint64_t seed;
	json_t *rows, *unpaired;
	int err;
};

static void pair_case(struct pairing *p, const char *key, json_t *ca,
		      json_t *cb)
{
	struct ws_metric ma[WS_MAX_METRICS], mb[WS_MAX_METRICS];
	size_t na = ws_headline_metrics(p->bench, ca, ma, WS_MAX_METRICS);
	size_t nb = ws_headline_metrics(p->bench, cb, mb, WS_MAX_METRICS);

	for (size_t i = 0; i < na; i++) {
		const struct ws_metric *m = find_metric(mb, nb, ma[i].name);
		json_t *row;

		if (!m || !m->series != !ma[i].series) {
			unpaired(p->unpaired, "A", p->bench, ca, ma[i].name);
			continue;
		}
		row = new_row(p->bench, ca, key, &ma[i]);
		if (m->series)
			p->err |= series_row(row, &ma[i], m,
					     row_seed(p->seed, key, m->name));
		else
			exact_row(row, &ma[i], m);
		json_array_append_new(p->rows, row);
	}
	for (size_t i = 0; i < nb; i++)
		if (!find_metric(ma, na, mb[i].name))
			unpaired(p->unpaired, "B", p->bench, cb, mb[i].name);
}

static void pair_bench(struct pairing *p, json_t *ra, json_t *rb)
{
	json_t *ia = ws_case_index(json_object_get(ra, "results"));
	json_t *ib = ws_case_index(json_object_get(rb, "results"));
	const char *key;
	json_t *c;

	json_object_foreach(ia, key, c) {
		json_t *cb = json_object_get(ib, key);

		if (cb)
			pair_case(p, key, c, cb);
		else
			unpaired(p->unpaired, "A", p->bench, c, NULL);
	}
	json_object_foreach(ib, key, c)
		if (!json_object_get(ia, key))
			unpaired(p->unpaired, "B", p->bench, c, NULL);
	json_decref(ia);
	json_decref(ib);
}

static json_t *side(const struct ws_run *r)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:O?, s:o}", "dir", r->dir,
			 "run_id", r->run_id, "accel", r->accel,
			 "kernel", ws_jstr(r->env, "kernel.release"),
			 "cpu", ws_jget(r->env, "cpu.model"),
			 "env_changed_during_run", ws_run_env_changes(r));
}

json_t *ws_compare_runs(const struct ws_run *a, const struct ws_run *b)
{
	double seed = ws_jnum(a->params, "seed");
	struct pairing p = { .seed = isnan(seed) ? 42 : (uint64_t)seed,
			     .rows = json_array(), .unpaired = json_array() };

	for (size_t i = 0; i < a->nfiles; i++) {
		const struct ws_run_file *fb = ws_run_file(b, a->files[i].bench);

		p.bench = a->files[i].bench;
		if (fb)
			pair_bench(&p, a->files[i].root, fb->root);
		else
			unpaired(p.unpaired, "A", p.bench, NULL, NULL);
	}
	for (size_t i = 0; i < b->nfiles; i++)
		if (!ws_run_file(a, b->files[i].bench))
			unpaired(p.unpaired, "B", b->files[i].bench, NULL, NULL);
	if (p.err) {
		json_decref(p.rows);
		json_decref(p.unpaired);
		return NULL;
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:f, s:s}",
			 "a", side(a), "b", side(b),
			 "differences", ws_env_differences(a->env, b->env),
			 "rows", p.rows, "unpaired", p.unpaired,
			 "ci_level", LEVEL,
			 "ratio", "median of B / median of A");
}
