// SPDX-License-Identifier: GPL-2.0
/*
 * The verdicts of `wsbench verify`.  A re-check runs elsewhere, so it
 * checks what transfers: the claims (claims.h), ratios measured inside
 * one run.  A claim reproduces when the re-run's ratio lies within the
 * cited one's margin: the larger of the equivalence margin (--margin,
 * default 10 %) and a prediction interval for a new run's ratio from the
 * spread of the cited per-invocation ratios (Student t with n - 1
 * degrees of freedom, at 1 - 0.05 / m over the m claims: Bonferroni,
 * so that a faithful re-run fails any claim at most 5 % of the time).
 * Exact values (precision, recall of cases that are exact) must be
 * equal.  Cases, claims or metrics the re-run lacks do not reproduce.
 */
#include <math.h>
#include <string.h>

#include "claims.h"
#include "headline.h"
#include "rundir.h"
#include "unitci.h"
#include "verify.h"

#define WIDTH	100

/*
 * A claim whose allowed band is wider than a factor of 2 either way
 * (its invocations vary that much, or there are too few of them) cannot
 * fail for any plausible re-run: it is reported unchecked, not passed.
 */
#define UNCHECKABLE_LOG_WIDTH	0.6931471805599453	/* log(2) */

static void case_header(FILE *f, const char *bench, json_t *c)
{
	char *label = ws_case_label(c), head[4096];

	snprintf(head, sizeof(head), "%s  %s", bench, label ? label : "");
	ws_wrap(f, WIDTH, "", "      ", head);
	free(label);
}

/* The verdict of one exact value; its row into @row. */
static enum ws_verdict check_metric(const struct ws_metric *old,
				    const struct ws_metric *new,
				    char *row, size_t len)
{
	enum ws_verdict v;

	if (!new) {
		snprintf(row, len, "  %-20.63s missing in the re-run", old->name);
		return WS_MISSING;
	}
	/* A rate of a sampled or lossy case has nothing exact to check. */
	v = old->value == new->value ? WS_OK :
	    old->varies ? WS_UNCHECKED : WS_DIFFERS;
	snprintf(row, len, "  %-20.63s %10.4f  %-22s %10.4f  %s", old->name,
		 old->value, old->varies ? "(varies, unchecked)" : "(exact)",
		 new->value, v == WS_OK ? "ok" : v == WS_DIFFERS ? "DIFFERS" :
		 "unchecked");
	return v;
}

static const struct ws_metric *find(const struct ws_metric *m, size_t n,
				    const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(m[i].name, name))
			return &m[i];
	return NULL;
}

static void note_failure(struct ws_verify_tally *t, const char *bench,
			 json_t *c, const char *metric, enum ws_verdict v)
{
	char *label = ws_case_label(c), line[4096];

	snprintf(line, sizeof(line), "%.63s %s  %.63s  %.3900s", metric,
		 v == WS_MISSING ? "(missing)" : v == WS_DIFFERS ?
		 "(differs)" : "(outside its margin)", bench, label ? label : "");
	json_array_append_new(t->failures, json_string(line));
	free(label);
}

static void check_case(FILE *f, const char *bench, json_t *old, json_t *new,
		       int all, struct ws_verify_tally *t)
{
	struct ws_metric mo[WS_MAX_METRICS], mn[WS_MAX_METRICS];
	size_t no = ws_headline_metrics(bench, old, mo, WS_MAX_METRICS);
	size_t nn = new ? ws_headline_metrics(bench, new, mn, WS_MAX_METRICS) : 0;
	int header = 0;

	for (size_t i = 0; i < no; i++) {
		char row[512];
		enum ws_verdict v;

		if (mo[i].series)
			continue;	/* timings: checked as claims */
		v = check_metric(&mo[i], find(mn, nn, mo[i].name), row,
				 sizeof(row));

		t->count[v]++;
		if (v == WS_OUTSIDE || v == WS_DIFFERS || v == WS_MISSING)
			note_failure(t, bench, old, mo[i].name, v);
		if (!all && v == WS_OK && !mo[i].series)
			continue;	/* equal exact values: counted only */
		if (!header++)
			case_header(f, bench, old);
		fprintf(f, "%s\n", row);
	}
}

void ws_verify_file(FILE *f, const char *bench, json_t *old_root,
		    json_t *new_root, int all, struct ws_verify_tally *t)
{
	json_t *index = ws_case_index(json_object_get(new_root, "results"));
	json_t *old_index = ws_case_index(json_object_get(old_root, "results"));
	const char *key;
	json_t *c;

	json_object_foreach(old_index, key, c)
		check_case(f, bench, c, json_object_get(index, key), all, t);
	json_decref(index);
	json_decref(old_index);
}

static const char *fmt_ratio(double r, char *buf, size_t len)
{
	snprintf(buf, len, isfinite(r) ? "%.3f" : "-", r);
	return buf;
}

/* Allowed |log(new / cited)|: the margin, or the prediction interval. */
static double allowed(json_t *cited, double margin, size_t m, double n_new)
{
	double w = log(1 + margin), sd = ws_jnum(cited, "log_sd");
	double n = ws_jnum(cited, "n_inv");

	if (isfinite(sd) && n >= 2 && n_new >= 1) {
		double t = ws_t_quantile(1 - 0.05 / (2.0 * (double)(m ? m : 1)),
					 n - 1);

		w = fmax(w, t * sd * sqrt(1 / n + 1 / n_new));
	}
	return w;
}

static json_t *find_claim(json_t *claims, const char *id)
{
	json_t *c;
	size_t i;

	json_array_foreach(claims, i, c)
		if (!strcmp(ws_jstr(c, "id"), id))
			return c;
	return NULL;
}

void ws_verify_claims(FILE *f, json_t *old_claims, json_t *new_claims,
		      double margin, struct ws_verify_tally *t)
{
	size_t m = json_array_size(old_claims), i;
	json_t *c;

	json_array_foreach(old_claims, i, c) {
		json_t *n = find_claim(new_claims, ws_jstr(c, "id"));
		double r = ws_jnum(c, "ratio"), rn = n ? ws_jnum(n, "ratio") : NAN;
		double w = allowed(c, margin, m, n ? ws_jnum(n, "n_inv") : 1);
		int good = n && isfinite(rn) && fabs(log(rn / r)) <= w;
		enum ws_verdict v = !n ? WS_MISSING :
				    w > UNCHECKABLE_LOG_WIDTH ? WS_UNCHECKED :
				    good ? WS_OK : WS_OUTSIDE;
		char a[32], b[32], lo[32], hi[32], line[1024];

		t->count[v]++;
		ws_wrap(f, 100, "", "      ", ws_jstr(c, "id"));
		snprintf(line, sizeof(line), "    cited %s, allowed [%s, %s], re-run %s: %s",
			 fmt_ratio(r, a, sizeof(a)),
			 fmt_ratio(r * exp(-w), lo, sizeof(lo)),
			 fmt_ratio(r * exp(w), hi, sizeof(hi)),
			 n ? fmt_ratio(rn, b, sizeof(b)) : "missing",
			 v == WS_OK ? "reproduces" : v == WS_MISSING ?
			 "MISSING in the re-run" : v == WS_UNCHECKED ?
			 "unchecked (band wider than x2: too few or too varied invocations)" :
			 "DOES NOT REPRODUCE");
		fprintf(f, "%s\n", line);
		if (v == WS_OUTSIDE || v == WS_MISSING) {
			snprintf(line, sizeof(line), "claim %s: cited %s, re-run %s, allowed [%s, %s]",
				 ws_jstr(c, "id"), fmt_ratio(r, a, sizeof(a)),
				 n ? fmt_ratio(rn, b, sizeof(b)) : "missing",
				 fmt_ratio(r * exp(-w), lo, sizeof(lo)),
				 fmt_ratio(r * exp(w), hi, sizeof(hi)));
			json_array_append_new(t->failures, json_string(line));
		}
	}
}
