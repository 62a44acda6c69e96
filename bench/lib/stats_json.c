// SPDX-License-Identifier: GPL-2.0
/*
 * Summaries and measured series as JSON (results/README.md): every raw
 * sample in measurement order, how they split into repetitions, the
 * outliers flagged (never dropped) and the summary.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "stats.h"

/* JSON has no NaN or infinity: an undefined statistic is null. */
static json_t *num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *spread_json(const struct ws_spread *sp)
{
	return json_pack("{s:I,s:o,s:o,s:o,s:o}", "n", (json_int_t)sp->n,
			 "median_of_medians", num(sp->median),
			 "min", num(sp->min), "max", num(sp->max),
			 "cv", num(sp->cv));
}

/* The interval as computed, whatever its coverage (unitci.h). */
static json_t *ci_json(const struct ws_summary *s)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:s,s:s,s:I}",
			 "lo", num(s->ci_lo), "hi", num(s->ci_hi),
			 "level", num(s->ci_level),
			 "center", num(s->ci_center),
			 "method", s->ci_method ? s->ci_method : "none",
			 "unit", s->ci_unit ? s->ci_unit : "sample",
			 "n_units", (json_int_t)s->n_units);
}

json_t *ws_summary_json(const struct ws_summary *s)
{
	static const char *const pctl_keys[WS_NR_PCTL] = {
		"p50", "p90", "p99", "p99_9", "p99_99"
	};
	json_t *o = json_object(), *ci = json_array();
	int err = !o || !ci;

	if (err)
		goto fail;
	err |= json_object_set_new(o, "n", json_integer((json_int_t)s->n));
	err |= json_object_set_new(o, "min", num(s->min));
	err |= json_object_set_new(o, "max", num(s->max));
	err |= json_object_set_new(o, "mean", num(s->mean));
	err |= json_object_set_new(o, "stddev", num(s->stddev));
	err |= json_object_set_new(o, "median", num(s->median));
	err |= json_object_set_new(o, "mad", num(s->mad));
	for (int i = 0; i < WS_NR_PCTL; i++)
		err |= json_object_set_new(o, pctl_keys[i], num(s->pctl[i]));
	/*
	 * ci95_median only for an interval that covers 95 %: fewer units
	 * give [min, max] with less (ci_median says how much), never
	 * under a 95 % name.  No interval at all: null.
	 */
	if (isfinite(s->ci_lo) && isfinite(s->ci_hi) &&
	    s->ci_level >= 0.95 - 1e-12) {
		err |= json_array_append_new(ci, num(s->ci_lo));
		err |= json_array_append_new(ci, num(s->ci_hi));
		err |= json_object_set_new(o, "ci95_median", ci);
	} else {
		json_decref(ci);
		err |= json_object_set_new(o, "ci95_median", json_null());
	}
	ci = NULL;
	err |= json_object_set_new(o, "ci_median", ci_json(s));
	err |= json_object_set_new(o, "ci_level", num(s->ci_level));
	err |= json_object_set_new(o, "ci_unit",
				   json_string(s->ci_unit ? s->ci_unit : "sample"));
	err |= json_object_set_new(o, "bootstrap_resamples",
				   json_integer((json_int_t)s->bootstrap_resamples));
	err |= json_object_set_new(o, "outliers",
				   json_integer((json_int_t)s->n_outliers));
	if (s->reps.n)
		err |= json_object_set_new(o, "reps", spread_json(&s->reps));
	if (s->invs.n >= 2)
		err |= json_object_set_new(o, "invocations", spread_json(&s->invs));
	if (!err)
		return o;
fail:
	json_decref(ci);
	json_decref(o);
	return NULL;
}

static json_t *array_of(const double *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, num(v[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *size_array(const size_t *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_integer((json_int_t)v[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *series(const double *v, size_t n, const size_t *sizes,
		      size_t nreps, const size_t *inv_reps, size_t ninv,
		      const char *unit, uint64_t seed)
{
	struct ws_summary s;
	json_t *o = json_object(), *outliers = json_array(), *sz = json_array();
	bool *flags = calloc(n ? n : 1, sizeof(*flags));
	double *rep_med = calloc(nreps ? nreps : 1, sizeof(*rep_med));
	int err = !o || !outliers || !sz || !flags || !rep_med;

	if (!err)
		err = sizes ? ws_summarize_inv(v, n, sizes, nreps, inv_reps,
					       ninv, &s, flags, rep_med) :
			      ws_summarize(v, n, seed, &s, flags);
	for (size_t i = 0; !err && i < n; i++)
		if (flags[i])
			err |= json_array_append_new(outliers,
						     json_integer((json_int_t)i));
	for (size_t r = 0; !err && sizes && r < nreps; r++)
		err |= json_array_append_new(sz, json_integer((json_int_t)sizes[r]));
	if (!err) {
		err |= json_object_set_new(o, "unit",
					   json_string(unit ? unit : ""));
		err |= json_object_set_new(o, "samples", array_of(v, n));
		if (sizes) {
			err |= json_object_set_new(o, "rep_sizes", sz);
			sz = NULL;
			err |= json_object_set_new(o, "rep_medians",
						   array_of(rep_med, nreps));
		}
		if (ninv)
			err |= json_object_set_new(o, "inv_reps",
						   size_array(inv_reps, ninv));
		err |= json_object_set_new(o, "outliers", outliers);
		outliers = NULL;
		err |= json_object_set_new(o, "summary", ws_summary_json(&s));
	}
	json_decref(outliers);
	json_decref(sz);
	free(flags);
	free(rep_med);
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *ws_series_json(const double *v, size_t n, const char *unit,
		       uint64_t seed)
{
	return series(v, n, NULL, 0, NULL, 0, unit, seed);
}

json_t *ws_series_json_inv(const double *v, size_t n, const size_t *sizes,
			   size_t nreps, const size_t *inv_reps, size_t ninv,
			   const char *unit)
{
	return series(v, n, sizes, nreps, inv_reps, ninv, unit, 0);
}

json_t *ws_series_json_reps(const struct ws_samples *s, const char *unit,
			    uint64_t seed)
{
	size_t cap = s->nreps ? s->nreps + 1 : s->n;
	size_t *sizes = malloc((cap ? cap : 1) * sizeof(*sizes));
	size_t nreps;
	json_t *j;

	if (!sizes)
		return NULL;
	nreps = ws_samples_rep_sizes(s, sizes, cap);
	j = series(s->v, s->n, sizes, nreps, NULL, 0, unit, seed);
	free(sizes);
	return j;
}
