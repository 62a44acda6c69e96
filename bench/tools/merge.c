// SPDX-License-Identifier: GPL-2.0
/*
 * Invocations into one result (merge.h).  A case is the same case in
 * every invocation when its identity (headline.h ws_case_key) matches;
 * its series are concatenated in invocation order and summarised again
 * with the invocation as the unit of the CI.  Exact accuracy fields that
 * differ between invocations (sampled trackers, lossy re-arms) become a
 * series of one value per invocation, so that readers give them an
 * interval instead of treating one invocation's value as exact.  Every
 * other field of a case is the first invocation's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envdiff.h"
#include "headline.h"
#include "merge.h"
#include "replay.h"
#include "rundir.h"
#include "stats.h"

struct cat {
	double *v;
	size_t n, cap;
	size_t *sizes;
	size_t nreps, rcap;
	size_t *inv;
	size_t ninv;
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	void *q;
	size_t c = *cap ? *cap : 64;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	q = realloc(*p, c * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

/* Append one invocation's series; -1 if malformed or out of memory. */
static int cat_series(struct cat *c, json_t *series)
{
	json_t *s = json_object_get(series, "samples");
	json_t *rs = json_object_get(series, "rep_sizes"), *x;
	size_t i, n = json_array_size(s), sum = 0, nr = json_array_size(rs);

	if (!json_is_array(s) || (rs && !json_is_array(rs)))
		return -1;
	if (!rs)
		nr = n;		/* independent samples: one rep each */
	if (grow((void **)&c->v, &c->cap, c->n + n, sizeof(double)) ||
	    grow((void **)&c->sizes, &c->rcap, c->nreps + nr, sizeof(size_t)))
		return -1;
	json_array_foreach(s, i, x) {
		if (!json_is_number(x))
			return -1;
		c->v[c->n + i] = json_number_value(x);
	}
	for (i = 0; i < nr; i++) {
		x = json_array_get(rs, i);
		c->sizes[c->nreps + i] = rs ? (size_t)json_integer_value(x) : 1;
		sum += c->sizes[c->nreps + i];
	}
	if (sum != n)
		return -1;
	c->n += n;
	c->nreps += nr;
	c->inv[c->ninv++] = nr;
	return 0;
}

/* Series @name merged over @cases (one per invocation); NULL on error. */
static json_t *merge_series(json_t **cases, size_t n, const char *name)
{
	struct cat c = { .inv = calloc(n, sizeof(size_t)) };
	json_t *first = json_object_get(json_object_get(cases[0], "metrics"),
					name), *out = NULL, *m;
	const char *k;
	json_t *v;

	for (size_t i = 0; c.inv && i < n; i++)
		if (cat_series(&c, json_object_get(json_object_get(cases[i],
						"metrics"), name)))
			goto done;
	if (!c.inv)
		goto done;
	m = ws_series_json_inv(c.v, c.n, c.sizes, c.nreps, c.inv, c.ninv,
			       ws_jstr(first, "unit"));
	if (!m)
		goto done;
	/* Keep what the series says about itself ("better", ...). */
	json_object_foreach(first, k, v)
		if (!json_object_get(m, k))
			json_object_set(m, k, v);
	out = m;
done:
	free(c.v);
	free(c.sizes);
	free(c.inv);
	return out;
}

/*
 * Accuracy fields whose value differs between invocations become series
 * "accuracy.<field>" of one value per invocation.
 */
static int merge_accuracy(json_t *out, json_t **cases, size_t n)
{
	json_t *acc = json_object_get(cases[0], "accuracy"), *v;
	json_t *metrics = json_object_get(out, "metrics");
	const char *k;

	json_object_foreach(acc, k, v) {
		double *vals = malloc(n * sizeof(*vals));
		size_t *ones = malloc(n * sizeof(*ones));
		char name[96];
		int differ = 0;
		json_t *s;

		if (!vals || !ones || !json_is_number(v)) {
			free(vals);
			free(ones);
			if (!json_is_number(v))
				continue;
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			json_t *x = json_object_get(json_object_get(cases[i],
							"accuracy"), k);

			vals[i] = json_is_number(x) ? json_number_value(x) : NAN;
			ones[i] = 1;
			differ |= vals[i] != vals[0];
		}
		snprintf(name, sizeof(name), "accuracy.%s", k);
		s = differ ? ws_series_json_inv(vals, n, ones, n, ones, n, "") : NULL;
		if (s) {
			json_object_set_new(s, "better", json_string(
				!strcmp(k, "precision") || !strcmp(k, "recall") ?
				"higher" : "lower"));
			json_object_set_new(metrics, name, s);
		}
		free(vals);
		free(ones);
		if (differ && !s)
			return -1;
	}
	return 0;
}

/* One case over @n invocations; NULL on error (said in @why). */
static json_t *merge_case(json_t **cases, size_t n, char *why, size_t len)
{
	json_t *out = json_deep_copy(cases[0]), *metrics = json_object();
	const char *name;
	json_t *s;

	json_object_foreach(json_object_get(cases[0], "metrics"), name, s) {
		json_t *m = merge_series(cases, n, name);

		if (!m) {
			snprintf(why, len, "series %s: missing or malformed in some invocation",
				 name);
			goto fail;
		}
		json_object_set_new(metrics, name, m);
	}
	json_object_set_new(out, "metrics", metrics);
	metrics = NULL;
	if (merge_accuracy(out, cases, n)) {
		snprintf(why, len, "accuracy: out of memory");
		goto fail;
	}
	json_object_set_new(out, "invocations", json_integer((json_int_t)n));
	return out;
fail:
	json_decref(metrics);
	json_decref(out);
	return NULL;
}

/* Every case of the first invocation, found by identity in the others. */
static json_t *merge_results(json_t **roots, size_t n, char *why, size_t len)
{
	json_t **idx = calloc(n, sizeof(*idx)), **cases = calloc(n, sizeof(*cases));
	json_t *out = json_array(), *c;
	const char *key;

	for (size_t i = 0; idx && i < n; i++)
		idx[i] = ws_case_index(json_object_get(roots[i], "results"));
	json_object_foreach(idx ? idx[0] : NULL, key, c) {
		json_t *m;

		for (size_t i = 0; i < n; i++) {
			cases[i] = json_object_get(idx[i], key);
			if (!cases[i]) {
				snprintf(why, len, "invocation %zu lacks case %.200s",
					 i + 1, key);
				goto fail;
			}
		}
		m = merge_case(cases, n, why, len);
		if (!m)
			goto fail;
		json_array_append_new(out, m);
	}
	for (size_t i = 1; i < n; i++)
		if (json_object_size(idx[i]) != json_object_size(idx[0])) {
			snprintf(why, len, "invocation %zu has %zu cases, the first %zu",
				 i + 1, json_object_size(idx[i]),
				 json_object_size(idx[0]));
			goto fail;
		}
	goto done;
fail:
	json_decref(out);
	out = NULL;
done:
	for (size_t i = 0; idx && i < n; i++)
		json_decref(idx[i]);
	free(idx);
	free(cases);
	return out;
}

/* The roots must be invocations of one run: benchmark, run id, params. */
static int same_run(json_t **roots, size_t n, char *why, size_t len)
{
	char keys[512];

	for (size_t i = 1; i < n; i++) {
		if (strcmp(ws_jstr(roots[i], "benchmark"),
			   ws_jstr(roots[0], "benchmark")) ||
		    strcmp(ws_jstr(roots[i], "run_id"), ws_jstr(roots[0], "run_id")))
			return snprintf(why, len, "invocation %zu is of another benchmark or run id",
					i + 1), -1;
		if (ws_params_mismatch(json_object_get(roots[0], "params"),
				       json_object_get(roots[i], "params"),
				       keys, sizeof(keys)))
			return snprintf(why, len, "invocation %zu has other params: %s",
					i + 1, keys), -1;
		if (json_integer_value(json_object_get(roots[i], "invocations")) > 1)
			return snprintf(why, len, "invocation %zu is itself merged",
					i + 1), -1;
	}
	return 0;
}

/* Errors of every invocation, each naming its invocation. */
static json_t *all_errors(json_t **roots, size_t n)
{
	json_t *out = json_array(), *e;
	size_t k;

	for (size_t i = 0; i < n; i++)
		json_array_foreach(json_object_get(roots[i], "errors"), k, e) {
			json_t *c = json_deep_copy(e);

			if (json_is_object(c))
				json_object_set_new(c, "invocation",
						    json_integer((json_int_t)i + 1));
			json_array_append_new(out, c);
		}
	return out;
}

/* What differed in the environment between invocations, as warnings. */
static void env_warnings(json_t *out, json_t **roots, size_t n)
{
	json_t *w = json_object_get(out, "warnings"), *d;
	size_t k;

	if (!json_is_array(w)) {
		w = json_array();
		json_object_set_new(out, "warnings", w);
	}
	for (size_t i = 1; i < n; i++) {
		json_t *diff = ws_env_differences(
			json_object_get(roots[0], "environment"),
			json_object_get(roots[i], "environment"));

		json_array_foreach(diff, k, d) {
			char a[64], b[64], line[256];

			ws_json_brief(json_object_get(d, "a"), a, sizeof(a));
			ws_json_brief(json_object_get(d, "b"), b, sizeof(b));
			snprintf(line, sizeof(line), "environment changed between invocations 1 and %zu: %s %s -> %s",
				 i + 1, ws_jstr(d, "key"), a, b);
			json_array_append_new(w, json_string(line));
		}
		json_decref(diff);
	}
}

json_t *ws_merge_invocations(json_t **roots, size_t n, char *why, size_t len)
{
	json_t *out, *results, *times = json_array();

	if (!n || same_run(roots, n, why, len)) {
		if (!n)
			snprintf(why, len, "no invocation to merge");
		json_decref(times);
		return NULL;
	}
	results = merge_results(roots, n, why, len);
	if (!results) {
		json_decref(times);
		return NULL;
	}
	out = json_deep_copy(roots[0]);
	json_object_set_new(out, "results", results);
	json_object_set_new(out, "errors", all_errors(roots, n));
	for (size_t i = 0; i < n; i++)
		json_array_append_new(times, json_pack("{s:O?, s:O?}",
			"started_at", json_object_get(roots[i], "started_at"),
			"finished_at", json_object_get(roots[i], "finished_at")));
	json_object_set(out, "finished_at",
			json_object_get(roots[n - 1], "finished_at"));
	json_object_set_new(out, "invocations", json_integer((json_int_t)n));
	json_object_set_new(out, "invocation_times", times);
	env_warnings(out, roots, n);
	return out;
}
