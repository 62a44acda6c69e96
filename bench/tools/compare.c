// SPDX-License-Identifier: GPL-2.0
/*
 * The comparison of two runs as data (tools.h: ws_compare_runs()): cases
 * paired by their identity (headline.h); for each headline metric the
 * medians of A and B and a test over *invocations* (unitci.h): Yuen's t
 * (Welch's on 20 %-trimmed means, so that one invocation that met another
 * job cannot decide) on the logarithms of the invocation medians gives
 * the ratio B/A (of trimmed geometric means) with its 95 % CI and the
 * p-value of "the change is
 * larger than the practical threshold" (default 5 %).  Those p-values are
 * adjusted over every tested row (Benjamini-Hochberg); a row is marked
 * only when its adjusted p is at most q (0.05): its CI lies wholly
 * outside the +-threshold band even after the correction.  Runs of one
 * invocation a side are shown with a CI over repetitions but never
 * marked: one process cannot show what a second one varies by.  Exact
 * page counts are marked when they differ, unless sampled or lossy.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "envdiff.h"
#include "headline.h"
#include "rundir.h"
#include "tools.h"
#include "unitci.h"
#include "units.h"

#define LEVEL		0.95

/* JSON has no NaN. */
static json_t *num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static const char *direction(double ratio, int higher_better)
{
	return (ratio > 1) == !!higher_better ? "better" : "worse";
}

struct pairing {
	const char *bench;
	const struct ws_compare_opts *o;
	json_t *rows, *unpaired;
	int err;
};

/* Why a series row is not tested, or NULL when it is. */
static const char *untested(const struct ws_units *a, const struct ws_units *b,
			    int positive)
{
	if (!positive)
		return "values <= 0: no ratio";
	if (a->k < 2 || b->k < 2)
		return "fewer than 2 units a side: no CI";
	if (strcmp(a->unit, "invocation") || strcmp(b->unit, "invocation"))
		return "1 invocation a side: its CI cannot see run-to-run noise, not tested (RUNS=N, --invocations N)";
	return NULL;
}

/* Trimmed geometric mean of the unit medians: what B/A is the ratio of. */
static double geo_mean(const struct ws_units *u)
{
	return ws_trimmed_geo_mean(u->v, u->k);
}

static int all_positive(const struct ws_units *u)
{
	for (size_t i = 0; i < u->k; i++)
		if (!(u->v[i] > 0))
			return 0;
	return u->k > 0;
}

/* Medians, ratio, its CI and the test's p of a series into @row. */
static int series_row(json_t *row, const struct ws_metric *ma,
		      const struct ws_metric *mb, double delta)
{
	struct ws_units ua, ub;
	struct ws_welch w = { NAN, NAN, NAN, NAN, NAN };
	const char *why;
	char na[64], nb[64];

	if (ws_series_units(ma->series, &ua))
		return -1;
	if (ws_series_units(mb->series, &ub)) {
		ws_units_free(&ua);
		return -1;
	}
	why = untested(&ua, &ub, all_positive(&ua) && all_positive(&ub));
	if (!why || strncmp(why, "values", 6))
		ws_yuen_log(ua.v, ua.k, ub.v, ub.k, LEVEL, delta, &w);
	json_object_set_new(row, "median_a", num(ws_jnum(ma->series, "summary.median")));
	json_object_set_new(row, "median_b", num(ws_jnum(mb->series, "summary.median")));
	/* What the ratio compares: geometric means of the unit medians. */
	if (!why || strncmp(why, "values", 6)) {
		json_object_set_new(row, "center_a", num(geo_mean(&ua)));
		json_object_set_new(row, "center_b", num(geo_mean(&ub)));
	}
	json_object_set_new(row, "ratio", num(w.ratio));
	json_object_set_new(row, "ci95", isfinite(w.lo) ?
			    json_pack("[ff]", w.lo, w.hi) : json_null());
	json_object_set_new(row, "ci_unit", json_string(ua.unit));
	json_object_set_new(row, "n_a", json_string(ws_units_n(&ua, na, sizeof(na))));
	json_object_set_new(row, "n_b", json_string(ws_units_n(&ub, nb, sizeof(nb))));
	json_object_set_new(row, "test", json_string(why ? "none" : "yuen-log"));
	json_object_set_new(row, "p", num(why ? NAN : w.p_change));
	json_object_set_new(row, "why_unmarked", json_string(why ? why : ""));
	json_object_set_new(row, "marker", json_string(""));
	ws_units_free(&ua);
	ws_units_free(&ub);
	return 0;
}

/*
 * Exact page counts of one run each: no CI.  A difference is marked,
 * unless both are rates of a case declared lossy or sampled (struct
 * ws_metric varies), which vary from run to run: those are only shown.
 */
static void exact_row(json_t *row, const struct ws_metric *ma,
		      const struct ws_metric *mb)
{
	double ratio = ma->value != 0 ? mb->value / ma->value : NAN;
	int varies = ma->varies || mb->varies;
	int marked = ma->value != mb->value && !varies;

	json_object_set_new(row, "median_a", num(ma->value));
	json_object_set_new(row, "median_b", num(mb->value));
	json_object_set_new(row, "ratio", num(ratio));
	json_object_set_new(row, "ci95", json_null());
	json_object_set_new(row, "ci_unit", json_string(varies ? "varies" : "exact"));
	json_object_set_new(row, "test", json_string("exact"));
	json_object_set_new(row, "p", json_null());
	json_object_set_new(row, "why_unmarked", json_string(
		ma->value == mb->value ? "equal" :
		varies ? "sampled or lossy: varies between runs, no interval" : ""));
	json_object_set_new(row, "marker", json_string(
		!marked ? "" : direction(mb->value > ma->value ? 2 : 0.5,
					 ma->higher_better)));
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

static size_t metrics_of(const struct pairing *p, json_t *c,
			 struct ws_metric *m)
{
	return p->o->all ? ws_all_metrics(c, m, WS_MAX_METRICS) :
			   ws_headline_metrics(p->bench, c, m, WS_MAX_METRICS);
}

static void pair_case(struct pairing *p, const char *key, json_t *ca,
		      json_t *cb)
{
	struct ws_metric ma[WS_MAX_METRICS], mb[WS_MAX_METRICS];
	size_t na = metrics_of(p, ca, ma), nb = metrics_of(p, cb, mb);

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
					     1 + p->o->threshold);
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

/*
 * Benjamini-Hochberg over every tested row, then the markers: a row is
 * marked when its adjusted p is at most q.  The number of rows tested.
 */
static size_t mark_rows(json_t *rows, double q)
{
	size_t m = json_array_size(rows), tested = 0, i;
	double *p = malloc((m ? m : 1) * sizeof(*p));
	double *adj = malloc((m ? m : 1) * sizeof(*adj));
	json_t *row;

	if (!p || !adj)
		goto out;
	json_array_foreach(rows, i, row) {
		p[i] = json_is_number(json_object_get(row, "p")) ?
		       ws_jnum(row, "p") : NAN;
		tested += !isnan(p[i]);
	}
	ws_bh_adjust(p, m, adj);
	json_array_foreach(rows, i, row) {
		int hb = !strcmp(ws_jstr(row, "better"), "higher");

		if (isnan(p[i]))
			continue;
		json_object_set_new(row, "p_adj", json_real(adj[i]));
		if (adj[i] <= q)
			json_object_set_new(row, "marker", json_string(
				direction(ws_jnum(row, "ratio"), hb)));
		else
			json_object_set_new(row, "why_unmarked", json_string(
				ws_jnum(row, "p") >= 1 ? "within the threshold" :
				"not significant after the FDR correction"));
	}
out:
	free(p);
	free(adj);
	return tested;
}

static json_t *side(const struct ws_run *r)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:O?, s:o}", "dir", r->dir,
			 "run_id", r->run_id, "accel", r->accel,
			 "kernel", ws_jstr(r->env, "kernel.release"),
			 "cpu", ws_jget(r->env, "cpu.model"),
			 "env_changed_during_run", ws_run_env_changes(r));
}

static json_t *method(const struct ws_compare_opts *o, size_t tested)
{
	return json_pack("{s:s, s:f, s:f, s:f, s:I, s:s}",
			 "test", "Yuen t (Welch on 20 %-trimmed means) on log invocation medians; minimum-effect p against the +-threshold band",
			 "threshold", o->threshold, "fdr_q", o->fdr_q,
			 "ci_level", LEVEL, "rows_tested", (json_int_t)tested,
			 "fdr", "Benjamini-Hochberg over the tested rows");
}

json_t *ws_compare_runs(const struct ws_run *a, const struct ws_run *b,
			const struct ws_compare_opts *o)
{
	struct pairing p = { .o = o, .rows = json_array(),
			     .unpaired = json_array() };
	size_t tested;

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
	tested = mark_rows(p.rows, o->fdr_q);
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:s}",
			 "a", side(a), "b", side(b),
			 "differences", ws_env_differences(a->env, b->env),
			 "rows", p.rows, "unpaired", p.unpaired,
			 "method", method(o, tested),
			 "ratio", "trimmed geometric mean of B's invocation medians over A's");
}
