// SPDX-License-Identifier: GPL-2.0
/*
 * The verdicts of `wsbench verify`: for each headline metric of the
 * recorded run, is the median of the re-run inside the cited 95 % CI
 * (the recorded summary's ci95_median, what a cover letter quotes)?
 * Exact values (precision, recall) must be equal.  Cases or metrics the
 * re-run lacks do not reproduce.
 */
#include <math.h>
#include <string.h>

#include "headline.h"
#include "rundir.h"
#include "verify.h"

#define WIDTH	100

static void case_header(FILE *f, const char *bench, json_t *c)
{
	char *label = ws_case_label(c), head[4096];

	snprintf(head, sizeof(head), "%s  %s", bench, label ? label : "");
	ws_wrap(f, WIDTH, "", "      ", head);
	free(label);
}

/* The verdict of one metric; prints its row when @all or not ok. */
static enum ws_verdict check_metric(const struct ws_metric *old,
				    const struct ws_metric *new,
				    char *row, size_t len)
{
	double med, lo, hi, now, scale;
	const char *unit;
	char a[32], b[32], c[32], r[32];

	if (!new) {
		snprintf(row, len, "  %-20.63s missing in the re-run", old->name);
		return WS_MISSING;
	}
	if (!old->series) {
		/* A rate of a case declared lossy has no CI to check. */
		enum ws_verdict v = old->value == new->value ? WS_OK :
				    old->varies ? WS_UNCHECKED : WS_DIFFERS;

		snprintf(row, len, "  %-20.63s %-6s %10.4f  %-22s %10.4f %8s  %s",
			 old->name, "", old->value,
			 old->varies ? "(varies, no CI)" : "(exact)", new->value,
			 "", v == WS_OK ? "ok" : v == WS_DIFFERS ? "DIFFERS" :
			 "unchecked");
		return v;
	}
	med = ws_jnum(old->series, "summary.median");
	lo = json_number_value(json_array_get(ws_jget(old->series,
				"summary.ci95_median"), 0));
	hi = json_number_value(json_array_get(ws_jget(old->series,
				"summary.ci95_median"), 1));
	now = ws_jnum(new->series, "summary.median");
	unit = ws_display_unit(old->unit, med, &scale);
	snprintf(c, sizeof(c), "[%s, %s]", ws_fmt_num(lo * scale, a, sizeof(a)),
		 ws_fmt_num(hi * scale, b, sizeof(b)));
	snprintf(r, sizeof(r), "%.3f", now / med);
	ws_fmt_num(med * scale, a, sizeof(a));
	ws_fmt_num(now * scale, b, sizeof(b));
	if (!json_is_array(ws_jget(old->series, "summary.ci95_median")) ||
	    isnan(lo) || isnan(hi)) {
		snprintf(row, len, "  %-20.63s %-6s %10s  %-22s %10s %8s  %s",
			 old->name, unit, a, "no CI cited", b, r, "unchecked");
		return WS_UNCHECKED;
	}
	snprintf(row, len, "  %-20.63s %-6s %10s  %-22s %10s %8s  %s", old->name,
		 unit, a, c, b, r, lo <= now && now <= hi ? "ok" : "OUTSIDE CI");
	return lo <= now && now <= hi ? WS_OK : WS_OUTSIDE;
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
		 "(differs)" : "(outside its CI)", bench, label ? label : "");
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
		enum ws_verdict v = check_metric(&mo[i], find(mn, nn, mo[i].name),
						 row, sizeof(row));

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
