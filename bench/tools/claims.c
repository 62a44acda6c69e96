// SPDX-License-Identifier: GPL-2.0
/*
 * Claims of a run (claims.h): which cases and metrics, and their ratio's
 * interval.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "headline.h"
#include "rundir.h"
#include "unitci.h"
#include "units.h"

/* Mechanisms, RWP first: the mission's subject over each other one. */
static const char *const mechanisms[] = {
	"rwp", "minor-anon", "wp", "idle", "softdirty", "damon", NULL
};

/* Per benchmark: the baseline backend and metrics, the compared metric. */
static const struct claim_def {
	const char *bench;
	const char *base_backend;	/* NULL: no baseline claim */
	const char *num_metrics;	/* space separated, over base_metric */
	const char *base_metric;
	const char *mech_metric;	/* NULL: no mechanism claim */
} defs[] = {
	{ "protect-cost", "mprotect", "ns_per_page", "ns_per_page", "ns_per_page" },
	/*
	 * No baseline claim: a first touch allocates and zeroes a page (in a
	 * VM the host may back it first), work a tracked fault does not do,
	 * so their ratio drifts with the machine's memory state.  On the
	 * 2-vCPU development VM 21 back-to-back runs of unchanged code had
	 * first_touch_ns 785-1041 ns while wp's fault_write_ns stayed at
	 * 473-528 ns: the ratio moved 0.45-0.61, far outside the spread of
	 * one run's invocations.  Mechanisms against each other transfer.
	 */
	{ "fault-latency", NULL, NULL, NULL, "fault_write_ns" },
	{ "scan-throughput", NULL, NULL, NULL, "pages_per_s" },
	{ "set-mode", NULL, NULL, NULL, "to_sync_ns" },
};

static json_t *series_of(json_t *c, const char *metric)
{
	json_t *s = json_object_get(json_object_get(c, "metrics"), metric);

	return json_array_size(json_object_get(s, "samples")) ? s : NULL;
}

/* Case of @backend on @backing with @metric closest to the representative. */
static json_t *representative(json_t *results, const char *backend,
			      const char *backing, const char *metric)
{
	json_t *c, *best = NULL;
	double bestd = INFINITY;
	size_t i;

	json_array_foreach(results, i, c)
		if (!strcmp(ws_jstr(c, "backend"), backend) &&
		    !strcmp(ws_jstr(c, "backing"), backing) &&
		    series_of(c, metric) && ws_case_distance(c) < bestd) {
			bestd = ws_case_distance(c);
			best = c;
		}
	return best;
}

/* The case of @backend measured like @like (backing, params, mode). */
static json_t *twin(json_t *results, json_t *like, const char *backend,
		    const char *metric, int same_mode)
{
	json_t *c;
	size_t i;

	json_array_foreach(results, i, c)
		if (!strcmp(ws_jstr(c, "backend"), backend) &&
		    !strcmp(ws_jstr(c, "backing"), ws_jstr(like, "backing")) &&
		    (!same_mode || !strcmp(ws_jstr(c, "mode"), ws_jstr(like, "mode"))) &&
		    json_equal(json_object_get(c, "params"),
			       json_object_get(like, "params")) &&
		    series_of(c, metric))
			return c;
	return NULL;
}

static double log_sd(const double *r, size_t k)
{
	double m = 0, m2 = 0;

	for (size_t i = 0; i < k; i++) {
		double x = log(r[i]), d = x - m;

		m += d / (double)(i + 1);
		m2 += d * (x - m);
	}
	return k > 1 ? sqrt(m2 / (double)(k - 1)) : NAN;
}

static json_t *num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/* Paired per-invocation ratios: interval, spread. */
static void paired_ci(json_t *claim, const struct ws_units *n,
		      const struct ws_units *d)
{
	double *r = malloc(n->k * sizeof(*r)), mean = 0, m2 = 0;
	struct ws_unit_ci ci;

	if (!r)
		return;
	for (size_t i = 0; i < n->k; i++) {
		r[i] = n->v[i] / d->v[i];
		mean += (r[i] - mean) / (double)(i + 1);
	}
	for (size_t i = 0; i < n->k; i++)
		m2 += (r[i] - mean) * (r[i] - mean);
	ws_median_ci_units(r, n->k, 0.95, &ci);
	/* The point estimate the interval is about: the median ratio. */
	json_object_set_new(claim, "ratio", num(ci.center));
	json_object_set_new(claim, "ci", isfinite(ci.lo) ?
			    json_pack("[ff]", ci.lo, ci.hi) : json_null());
	json_object_set_new(claim, "ci_level", num(ci.level));
	json_object_set_new(claim, "ci_method", json_string(ci.method));
	json_object_set_new(claim, "log_sd", num(log_sd(r, n->k)));
	json_object_set_new(claim, "cv_inv", num(n->k > 1 && mean > 0 ?
			    sqrt(m2 / (double)(n->k - 1)) / mean : NAN));
	free(r);
}

/* One invocation: numerator and denominator are not paired: Welch. */
static void unpaired_ci(json_t *claim, const struct ws_units *n,
			const struct ws_units *d)
{
	struct ws_welch w;
	int err = ws_welch_log(n->v, n->k, d->v, d->k, 0.95, 1, &w);

	json_object_set_new(claim, "ci", !err && isfinite(w.lo) ?
			    json_pack("[ff]", 1 / w.hi, 1 / w.lo) : json_null());
	json_object_set_new(claim, "ci_level", num(err ? NAN : 0.95));
	json_object_set_new(claim, "ci_method", json_string(
		"welch over repetitions (one invocation: within-run only)"));
	json_object_set_new(claim, "log_sd", json_null());
	json_object_set_new(claim, "cv_inv", json_null());
}

static int positive(const struct ws_units *u)
{
	for (size_t i = 0; i < u->k; i++)
		if (!(u->v[i] > 0))
			return 0;
	return u->k > 0;
}

static json_t *side(json_t *c, const char *metric)
{
	char *label = ws_case_label(c);
	json_t *s = json_pack("{s:s, s:s, s:s}", "label", label ? label : "",
			      "metric", metric, "backend", ws_jstr(c, "backend"));

	free(label);
	return s;
}

/*
 * "protect-cost: wp async anon ns_per_page / mprotect ns_per_page": what
 * the ratio is of, readable and stable across runs (verify pairs by it).
 */
static void claim_id(char *id, size_t len, const char *bench, json_t *n,
		     const char *nm, json_t *d, const char *dm)
{
	const char *mode = ws_jstr(n, "mode"), *pattern = ws_jstr(n, "pattern");

	snprintf(id, len, "%s: %s%s%s %s%s%s %s / %s %s", bench,
		 ws_jstr(n, "backend"), strcmp(mode, "none") && *mode ? " " : "",
		 strcmp(mode, "none") ? mode : "", ws_jstr(n, "backing"),
		 *pattern ? " " : "", pattern, nm,
		 n == d ? "untracked" : ws_jstr(d, "backend"), dm);
}

/* The claim @num_c.@nm over @den_c.@dm, or NULL when it has no ratio. */
static json_t *claim(const char *bench, const char *kind, json_t *num_c,
		     const char *nm, json_t *den_c, const char *dm)
{
	struct ws_units n, d;
	double mn = ws_jnum(series_of(num_c, nm), "summary.median");
	double md = ws_jnum(series_of(den_c, dm), "summary.median");
	json_t *j = NULL;
	char id[256];

	if (ws_series_units(series_of(num_c, nm), &n))
		return NULL;
	if (ws_series_units(series_of(den_c, dm), &d)) {
		ws_units_free(&n);
		return NULL;
	}
	if (!positive(&n) || !positive(&d) || !(md > 0) || !(mn > 0))
		goto out;
	claim_id(id, sizeof(id), bench, num_c, nm, den_c, dm);
	j = json_pack("{s:s, s:s, s:s, s:o, s:o, s:f, s:s, s:I, s:I}",
		      "id", id, "bench", bench, "kind", kind,
		      "num", side(num_c, nm), "den", side(den_c, dm),
		      "ratio", mn / md, "ci_unit", n.unit,
		      "n_inv", (json_int_t)n.ninv,
		      "n_reps", (json_int_t)(n.nreps / (n.ninv ? n.ninv : 1)));
	if (!strcmp(n.unit, "invocation") && !strcmp(d.unit, "invocation") &&
	    n.k == d.k)
		paired_ci(j, &n, &d);
	else
		unpaired_ci(j, &n, &d);
out:
	ws_units_free(&n);
	ws_units_free(&d);
	return j;
}

static void add(json_t *out, json_t *c)
{
	if (c)
		json_array_append_new(out, c);
}

/* Backings of @backend's cases with @metric, in order of appearance. */
static json_t *backings(json_t *results, const char *backend,
			const char *metric)
{
	json_t *seen = json_object(), *c;
	size_t i;

	json_array_foreach(results, i, c)
		if (!strcmp(ws_jstr(c, "backend"), backend) && series_of(c, metric))
			json_object_set_new(seen, ws_jstr(c, "backing"), json_true());
	return seen;
}

static void baseline_claims(json_t *out, const struct claim_def *d,
			    json_t *results)
{
	char metric[64];

	for (const char *m = d->num_metrics; *m; m += strcspn(m, " ") + (m[strcspn(m, " ")] == ' ')) {
		snprintf(metric, sizeof(metric), "%.*s", (int)strcspn(m, " "), m);
		for (size_t b = 0; mechanisms[b]; b++) {
			json_t *bk = backings(results, mechanisms[b], metric), *v;
			const char *backing;

			json_object_foreach(bk, backing, v) {
				json_t *c = representative(results, mechanisms[b],
							   backing, metric);
				json_t *base = c ? twin(results, c, d->base_backend,
							d->base_metric, 0) : NULL;

				if (base)
					add(out, claim(d->bench, "baseline", c, metric,
						       base, d->base_metric));
			}
			json_decref(bk);
		}
	}
}

/* The first mechanism present over each other one, per backing. */
static void mechanism_claims(json_t *out, const struct claim_def *d,
			     json_t *results)
{
	const char *first = NULL, *backing;
	json_t *bk, *v;

	for (size_t b = 0; mechanisms[b] && !first; b++) {
		bk = backings(results, mechanisms[b], d->mech_metric);
		first = json_object_size(bk) ? mechanisms[b] : NULL;
		json_decref(bk);
	}
	if (!first)
		return;
	bk = backings(results, first, d->mech_metric);
	json_object_foreach(bk, backing, v) {
		json_t *c = representative(results, first, backing, d->mech_metric);

		for (size_t b = 0; c && mechanisms[b]; b++) {
			json_t *o;

			if (!strcmp(mechanisms[b], first))
				continue;
			o = twin(results, c, mechanisms[b], d->mech_metric, 1);
			o = o ? o : twin(results, c, mechanisms[b], d->mech_metric, 0);
			if (o)
				add(out, claim(d->bench, "mechanism", c,
					       d->mech_metric, o, d->mech_metric));
		}
	}
	json_decref(bk);
}

/* vmm-cycle: the workload's throughput tracked over untracked. */
static void kept_claims(json_t *out, json_t *results)
{
	json_t *c;
	size_t i;

	json_array_foreach(results, i, c)
		add(out, claim("vmm-cycle", "kept", c, "accesses_per_s", c,
			       "accesses_per_s_untracked"));
}

json_t *ws_claims_of(const struct ws_run *run)
{
	json_t *out = json_array();

	for (size_t f = 0; f < run->nfiles; f++) {
		json_t *results = json_object_get(run->files[f].root, "results");

		if (!strcmp(run->files[f].bench, "vmm-cycle"))
			kept_claims(out, results);
		for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
			if (strcmp(defs[i].bench, run->files[f].bench))
				continue;
			if (defs[i].base_backend)
				baseline_claims(out, &defs[i], results);
			if (defs[i].mech_metric)
				mechanism_claims(out, &defs[i], results);
		}
	}
	return out;
}
