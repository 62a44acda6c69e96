// SPDX-License-Identifier: GPL-2.0
/*
 * Result file invariants (rundir_check.h).  One walk over the whole tree
 * with the dotted path of the current field, so every message names the
 * field a reviewer has to look at, not just the file.
 */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rundir.h"
#include "rundir_check.h"

struct walk {
	const char *file;
	char path[1024];
	char *why;
	size_t len;
};

static int bad(struct walk *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int bad(struct walk *w, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(w->why, w->len, "%s: %s: %s", w->file,
		 w->path[0] ? w->path : "(top level)", msg);
	return -1;
}

/* Keys whose numbers count something: never negative. */
static bool is_count(const char *key)
{
	static const char *const counts[] = {
		"n", "npages", "pages", "size_bytes", "threads", "truth",
		"reported", "true_pos", "false_pos", "false_neg", "lost",
		"bootstrap_resamples", "resolution_ns", NULL,
	};

	for (size_t i = 0; counts[i]; i++)
		if (!strcmp(key, counts[i]))
			return true;
	return false;
}

static bool is_fraction(const char *key)
{
	return !strcmp(key, "precision") || !strcmp(key, "recall");
}

static int check_number(struct walk *w, const char *key, json_t *v)
{
	double x = json_number_value(v);

	if (!isfinite(x))
		return bad(w, "%g is not a finite number", x);
	if (key && is_count(key) && x < 0)
		return bad(w, "%g: a count cannot be negative", x);
	if (key && is_fraction(key) && (x < 0 || x > 1))
		return bad(w, "%g: a fraction must lie in [0, 1]", x);
	return 0;
}

/* rep_sizes: positive integers adding up to the @n samples. */
static int check_reps(struct walk *w, json_t *rs, size_t n)
{
	json_int_t sum = 0;
	json_t *x;
	size_t i;

	if (!rs)
		return 0;
	if (!json_is_array(rs) || !json_array_size(rs))
		return bad(w, "rep_sizes is not a non-empty array");
	json_array_foreach(rs, i, x) {
		if (!json_is_integer(x) || json_integer_value(x) < 1)
			return bad(w, "rep_sizes[%zu] is not a positive integer (an empty repetition?)",
				   i);
		sum += json_integer_value(x);
	}
	if (sum != (json_int_t)n)
		return bad(w, "rep_sizes do not add up to the %zu samples (they sum to %lld)",
			   n, (long long)sum);
	return 0;
}

/*
 * The interval of the median (stats.h): ci_median {lo, hi, level, center}
 * holds its own center (the median of the unit medians: the pooled
 * median may lie outside an interval over units), and ci95_median, when
 * not null, is [lo, hi] of a level of at least 0.95.
 */
static int check_ci(struct walk *w, json_t *sum)
{
	json_t *ci = json_object_get(sum, "ci95_median");
	json_t *cm = json_object_get(sum, "ci_median");
	double lo = NAN, hi = NAN, c, level;

	if (json_is_object(cm) && json_is_number(json_object_get(cm, "lo"))) {
		lo = ws_jnum(cm, "lo");
		hi = ws_jnum(cm, "hi");
		c = ws_jnum(cm, "center");
		level = ws_jnum(cm, "level");
		if (!(lo <= hi) || !(level > 0 && level <= 1))
			return bad(w, "summary.ci_median [%g, %g] at level %g: not an interval",
				   lo, hi, level);
		if (!(c >= lo && c <= hi))
			return bad(w, "summary.ci_median.center %g lies outside its own interval [%g, %g]",
				   c, lo, hi);
	}
	if (!json_is_array(ci))
		return 0;	/* null: no interval reaches 95 % */
	if (json_array_size(ci) != 2 ||
	    !json_is_number(json_array_get(ci, 0)) ||
	    !json_is_number(json_array_get(ci, 1)))
		return bad(w, "summary.ci95_median is not [lo, hi] (%zu elements)",
			   json_array_size(ci));
	if (json_number_value(json_array_get(ci, 0)) > json_number_value(json_array_get(ci, 1)))
		return bad(w, "summary.ci95_median [%g, %g]: lo above hi",
			   json_number_value(json_array_get(ci, 0)),
			   json_number_value(json_array_get(ci, 1)));
	if (isfinite(lo) && (json_number_value(json_array_get(ci, 0)) != lo ||
			     json_number_value(json_array_get(ci, 1)) != hi ||
			     ws_jnum(cm, "level") < 0.95))
		return bad(w, "summary.ci95_median is not ci_median's [lo, hi] at a level of 95 %% or more");
	return 0;
}

/* An object with a "samples" array is a series. */
static int check_series(struct walk *w, json_t *s)
{
	json_t *samples = json_object_get(s, "samples");
	json_t *sum = json_object_get(s, "summary"), *n, *x;
	size_t ns = json_array_size(samples), i;

	if (!ns)
		return bad(w, "an empty series: no samples");
	json_array_foreach(samples, i, x)
		if (!json_is_number(x))
			return bad(w, "samples[%zu] is not a number", i);
	if (check_reps(w, json_object_get(s, "rep_sizes"), ns))
		return -1;
	if (!json_is_object(sum))
		return bad(w, "a series without a summary");
	n = json_object_get(sum, "n");
	if (n && (!json_is_integer(n) || json_integer_value(n) != (json_int_t)ns))
		return bad(w, "summary.n is not the %zu samples", ns);
	return check_ci(w, sum);
}

static int walk(struct walk *w, const char *key, json_t *v);

static int walk_child(struct walk *w, const char *key, size_t idx,
		      json_t *v)
{
	size_t at = strlen(w->path);
	int err;

	if (key)
		snprintf(w->path + at, sizeof(w->path) - at, "%s%s",
			 at ? "." : "", key);
	else
		snprintf(w->path + at, sizeof(w->path) - at, "[%zu]", idx);
	err = walk(w, key, v);
	if (!err)
		w->path[at] = '\0';
	return err;
}

static int walk(struct walk *w, const char *key, json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_number(v))
		return check_number(w, key, v);
	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			if (walk_child(w, NULL, i, x))
				return -1;
		return 0;
	}
	if (!json_is_object(v))
		return 0;
	if (json_is_array(json_object_get(v, "samples")) && check_series(w, v))
		return -1;
	json_object_foreach(v, k, x)
		if (walk_child(w, k, 0, x))
			return -1;
	return 0;
}

static int check_cases(struct walk *w, json_t *root)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(root, "results"), i, c)
		if (!json_is_object(c) ||
		    !json_is_string(json_object_get(c, "backend"))) {
			snprintf(w->path, sizeof(w->path), "results[%zu]", i);
			return bad(w, "not a case (no backend)");
		}
	if (!json_array_size(json_object_get(root, "results")) &&
	    !json_array_size(json_object_get(root, "skipped")) &&
	    !json_array_size(json_object_get(root, "errors")))
		return bad(w, "no case, no skip, no error: the file records nothing");
	return 0;
}

int ws_result_check(const char *path, json_t *root, char *why, size_t len)
{
	struct walk w = { .file = path, .why = why, .len = len };

	if (check_cases(&w, root))
		return -1;
	return walk(&w, NULL, root);
}
